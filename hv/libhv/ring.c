/* ring.c - byte rings for per-domain console output and the hv log (dmesg). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv.h"

int byte_ring_init(struct byte_ring *r, size_t size)
{
	/* size must be a power of two so offsets map with a mask */
	if (size == 0 || (size & (size - 1)) != 0)
		return -1;
	r->buf = malloc(size);
	if (!r->buf)
		return -1;
	r->size = size;
	r->head = 0;
	r->tail = 0;
	return 0;
}

void byte_ring_free(struct byte_ring *r)
{
	free(r->buf);
	r->buf = NULL;
	r->size = 0;
}

void byte_ring_write(struct byte_ring *r, const void *p, size_t n)
{
	const char *s = p;

	if (!r->buf)
		return;
	if (n > r->size) { /* only the last size bytes can be kept */
		s += n - r->size;
		r->head += n - r->size;
		n = r->size;
	}
	size_t at = r->head & (r->size - 1);
	size_t first = r->size - at < n ? r->size - at : n;
	memcpy(r->buf + at, s, first);
	memcpy(r->buf, s + first, n - first);
	r->head += n;
	if (r->head - r->tail > r->size)
		r->tail = r->head - r->size;
}

size_t byte_ring_read(const struct byte_ring *r, uint64_t offset, void *p, size_t max,
		      uint64_t *start)
{
	if (offset < r->tail)
		offset = r->tail;
	if (offset > r->head)
		offset = r->head;
	*start = offset;
	uint64_t avail = r->head - offset;
	size_t n = avail < max ? (size_t)avail : max;
	size_t at = offset & (r->size - 1);
	size_t first = r->size - at < n ? r->size - at : n;
	memcpy(p, r->buf + at, first);
	memcpy((char *)p + first, r->buf, n - first);
	return n;
}
