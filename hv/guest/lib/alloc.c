/* alloc.c - the heap: a first-fit allocator over a few regions, with an
 * address-ordered free list so that freed neighbours coalesce.
 *
 * Every block, free or used, starts with a 16-byte header; payloads are
 * 16-byte aligned (or more, for aligned_alloc). A free block keeps the link
 * to the next free block in its payload.
 */
#include "private.h"

#define ALIGN 16u
#define HDR 16u
#define MIN_BLOCK 32u          /* a header and a link, rounded to ALIGN */
#define MAGIC_USED 0x75736564u /* "used" */
#define MAGIC_FREE 0x66726565u /* "free" */

struct block {
	size_t size;    /* whole block, header included; a multiple of ALIGN */
	uint32_t magic; /* MAGIC_USED or MAGIC_FREE */
	uint32_t pad;
	struct block *next; /* free blocks only: next free block, by address */
};

_Static_assert(__builtin_offsetof(struct block, next) == HDR, "payload starts after the header");

static struct spinlock heap_lock = SPINLOCK_INIT;
static struct block *free_list;
static uintptr_t heap_lo, heap_hi; /* bounds of all regions */
static size_t heap_total;
static unsigned nr_used;

static uintptr_t align_up(uintptr_t v, uintptr_t a)
{
	return (v + a - 1) & ~(a - 1);
}

void heap_add(uintptr_t start, uintptr_t end)
{
	start = align_up(start, ALIGN);
	end &= ~(uintptr_t)(ALIGN - 1);
	if (end <= start || end - start < MIN_BLOCK)
		return;

	struct block *b = (struct block *)start;
	b->size = end - start;
	b->magic = MAGIC_FREE;
	spin_lock(&heap_lock);
	struct block **link = &free_list;
	while (*link && *link < b)
		link = &(*link)->next;
	b->next = *link;
	*link = b;
	if (!heap_lo || start < heap_lo)
		heap_lo = start;
	if (end > heap_hi)
		heap_hi = end;
	heap_total += end - start;
	spin_unlock(&heap_lock);
}

/* Carves an allocation of need bytes (header included) whose payload is
 * aligned to align out of the first free block that can hold it. */
static void *carve(size_t need, size_t align)
{
	for (struct block **link = &free_list, *b; (b = *link); link = &b->next) {
		uintptr_t start = (uintptr_t)b, end = start + b->size;
		uintptr_t payload = align_up(start + HDR, align);
		/* a gap in front must be able to stay a free block */
		if (payload - HDR != start && payload - HDR - start < MIN_BLOCK)
			payload += align;
		uintptr_t at = payload - HDR;
		if (at >= end || end - at < need)
			continue;

		size_t size = need, tail = end - at - need;
		if (tail < MIN_BLOCK) {
			size += tail;
			tail = 0;
		}
		struct block *next = b->next;
		if (tail) {
			struct block *t = (struct block *)(at + size);
			t->size = tail;
			t->magic = MAGIC_FREE;
			t->next = next;
			next = t;
		}
		if (at > start) {
			b->size = at - start; /* the front gap stays where it is */
			b->next = next;
		} else {
			*link = next;
		}
		struct block *a = (struct block *)at;
		a->size = size;
		a->magic = MAGIC_USED;
		nr_used++;
		return (void *)payload;
	}
	return NULL;
}

void *aligned_alloc(size_t alignment, size_t size)
{
	if (alignment < ALIGN)
		alignment = ALIGN;
	if (alignment & (alignment - 1))
		return NULL;
	if (size > heap_total)
		return NULL;
	size_t need = align_up(size ? size : 1, ALIGN) + HDR;
	if (need < MIN_BLOCK)
		need = MIN_BLOCK;

	spin_lock(&heap_lock);
	void *p = carve(need, alignment);
	spin_unlock(&heap_lock);
	return p;
}

void *malloc(size_t size)
{
	return aligned_alloc(ALIGN, size);
}

void *calloc(size_t nmemb, size_t size)
{
	size_t total;

	if (__builtin_mul_overflow(nmemb, size, &total))
		return NULL;
	void *p = malloc(total);
	if (p)
		memset(p, 0, total);
	return p;
}

/* The header of a live allocation, or a panic for anything else (with the
 * heap lock held: the domain is going down and nobody needs it again). */
static struct block *used_block(void *p, const char *who)
{
	uintptr_t a = (uintptr_t)p - HDR;
	struct block *b = (struct block *)a;

	if ((uintptr_t)p & (ALIGN - 1) || a < heap_lo || a >= heap_hi)
		panic("%s: %p is not a heap pointer", who, p);
	if (b->magic == MAGIC_FREE)
		panic("%s: %p was already freed", who, p);
	if (b->magic != MAGIC_USED || b->size < MIN_BLOCK || b->size > heap_hi - a)
		panic("%s: %p is not an allocation (or its header was overwritten)", who, p);
	return b;
}

void free(void *p)
{
	if (!p)
		return;

	spin_lock(&heap_lock);
	struct block *b = used_block(p, "free");
	struct block *prev = NULL, **link = &free_list;
	while (*link && *link < b) {
		prev = *link;
		link = &prev->next;
	}
	b->magic = MAGIC_FREE;
	b->next = *link;
	*link = b;
	if (b->next && (uintptr_t)b + b->size == (uintptr_t)b->next) {
		b->size += b->next->size;
		b->next = b->next->next;
	}
	if (prev && (uintptr_t)prev + prev->size == (uintptr_t)b) {
		prev->size += b->size;
		prev->next = b->next;
	}
	nr_used--;
	spin_unlock(&heap_lock);
}

void *realloc(void *p, size_t size)
{
	if (!p)
		return malloc(size);
	if (!size) {
		free(p);
		return NULL;
	}

	spin_lock(&heap_lock);
	size_t have = used_block(p, "realloc")->size - HDR;
	spin_unlock(&heap_lock);
	if (have >= size)
		return p;
	void *q = malloc(size);
	if (q) {
		memcpy(q, p, have);
		free(p);
	}
	return q;
}

void heap_stats(struct heap_stats *st)
{
	*st = (struct heap_stats){.total = heap_total};
	spin_lock(&heap_lock);
	for (struct block *b = free_list; b; b = b->next) {
		st->free += b->size;
		st->nr_free++;
		if (b->size > st->largest)
			st->largest = b->size;
	}
	st->nr_used = nr_used;
	spin_unlock(&heap_lock);
}
