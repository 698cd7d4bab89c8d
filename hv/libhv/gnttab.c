/* gnttab.c - v1 grant tables in guest memory: setup/query, copy, Dom0 maps.
 *
 * A DomU's grant table is d->nr_grant_frames frames at XL_GFN_GNTTAB of its
 * own memory, which the granter writes at any time. hv therefore reads an
 * entry's header (flags | domid << 16) and frame each exactly once, and pins
 * an entry like Xen's _set_status_v1: one compare-and-swap that both checks
 * the grant (permit_access, grantee, readonly) and sets GTF_reading (and
 * GTF_writing). Once pinned, the granter may not change the entry (grant
 * protocol); the frame is read after the pin, and every frame is bounds-
 * checked against the granter's memory, so a hostile granter can only ever
 * point hv at its own pages.
 *
 * Pins are held for the duration of one copy, and by Dom0 mappings for as
 * long as they live; the flags are cleared when the last holder goes (the
 * mapping table is the pin count).
 *
 * Status codes follow Xen: a grant that does not permit the access (wrong
 * type, other grantee, read-only for a write) and an entry that changes under
 * every attempt to pin it are both GNTST_general_error; permission_denied is
 * for naming memory of another domain without privilege.
 */
#include <stdlib.h>
#include <string.h>

#include "gnttab_internal.h"
#include "hv.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "grant entry headers are read as one little-endian 32-bit word"
#endif

_Static_assert(sizeof(struct grant_entry_v1) == 8, "v1 grant entries are 8 bytes");
_Static_assert(offsetof(struct grant_entry_v1, flags) == 0 &&
                   offsetof(struct grant_entry_v1, domid) == 2 &&
                   offsetof(struct grant_entry_v1, frame) == 4,
               "v1 grant entry layout");

#define GNT_PER_FRAME (XL_PAGE_SIZE / sizeof(struct grant_entry_v1))
#define GNT_HDR_FLAGS(h) ((uint16_t)((h)&0xffffu))
#define GNT_HDR_DOMID(h) ((uint16_t)((h) >> 16))
#define GNT_PIN_RETRIES 5 /* as Xen: a granter racing every CAS is misbehaving */
#define MAPS_MIN_CAP 64u

/* A grant entry in guest memory: word 0 is the header, word 1 the frame. */
struct gnt_entry {
	uint32_t *hdr;
	uint32_t *frame;
};

static uint64_t nr_grant_entries(const struct domain *d)
{
	return d->is_dom0 ? 0 : (uint64_t)d->nr_grant_frames * GNT_PER_FRAME;
}

static uint64_t nr_frames_of(const struct domain *d)
{
	return d->mem_bytes >> XL_PAGE_SHIFT;
}

/* Finds entry ref of d's table; GNTST_okay or bad_gntref. */
static int16_t grant_entry(struct domain *d, grant_ref_t ref, struct gnt_entry *e)
{
	if ((uint64_t)ref >= nr_grant_entries(d))
		return GNTST_bad_gntref;
	uint64_t gpa = ((uint64_t)XL_GFN_GNTTAB << XL_PAGE_SHIFT) +
	               (uint64_t)ref * sizeof(struct grant_entry_v1);
	uint32_t *w = guest_gpa(d, gpa, sizeof(struct grant_entry_v1));
	if (!w) /* the table lies beyond the domain's memory */
		return GNTST_bad_gntref;
	e->hdr = &w[0];
	e->frame = &w[1];
	return GNTST_okay;
}

/* Xen's _set_status_v1: checks the grant and sets the in-use flags in one
 * atomic step. */
static int16_t grant_pin(const struct gnt_entry *e, domid_t grantee, bool write)
{
	uint32_t old = __atomic_load_n(e->hdr, __ATOMIC_ACQUIRE);

	for (int tries = 1;; tries++) {
		uint16_t flags = GNT_HDR_FLAGS(old);
		if ((flags & GTF_type_mask) != GTF_permit_access || GNT_HDR_DOMID(old) != grantee)
			return GNTST_general_error;
		if (write && (flags & GTF_readonly))
			return GNTST_general_error;
		uint32_t pinned = old | GTF_reading | (write ? GTF_writing : 0u);
		if (__atomic_compare_exchange_n(e->hdr, &old, pinned, false, __ATOMIC_ACQ_REL,
		                                __ATOMIC_ACQUIRE))
			return GNTST_okay;
		if (tries == GNT_PIN_RETRIES)
			return GNTST_general_error;
	}
}

/* ---- the Dom0 mapping table ---- */

struct gnt_pins {
	uint32_t maps;    /* live mappings of the grant */
	uint32_t writers; /* of which writable */
	uint32_t frame;   /* the frame they pinned */
};

static uint32_t bucket_of(const struct gnttab_maps *m, uint32_t domid, uint32_t ref)
{
	uint32_t h = (domid * 0x9e3779b1u) ^ (ref * 0x85ebca77u);
	h ^= h >> 15;
	return h & (m->cap - 1);
}

static void pins_of(const struct gnttab_maps *m, uint32_t domid, uint32_t ref, struct gnt_pins *p)
{
	memset(p, 0, sizeof(*p));
	if (m->nr_used == 0)
		return;
	for (uint32_t h = m->bucket[bucket_of(m, domid, ref)]; h != GNTTAB_NIL; h = m->link[h]) {
		const struct grant_map *g = &m->map[h];
		if (g->domid != domid || g->ref != ref)
			continue;
		p->maps++;
		if (!g->readonly)
			p->writers++;
		p->frame = m->frame[h];
	}
}

/* Drops the in-use flags that no live mapping needs any more. */
static void grant_unpin(struct hv *hv, struct domain *d, grant_ref_t ref, const struct gnt_entry *e)
{
	struct gnt_pins p;

	pins_of(hv_gnttab_maps(hv), d->domid, ref, &p);
	uint32_t clear = (p.maps ? 0u : GTF_reading) | (p.writers ? 0u : GTF_writing);
	if (clear)
		__atomic_fetch_and(e->hdr, ~clear, __ATOMIC_RELEASE);
}

static int maps_grow(struct gnttab_maps *m)
{
	if (m->cap >= GNTTAB_MAX_MAPS)
		return -1;
	uint32_t ncap = m->cap ? m->cap * 2 : MAPS_MIN_CAP;
	struct grant_map *map = realloc(m->map, ncap * sizeof(*map));
	if (!map)
		return -1;
	m->map = map;
	uint32_t *link = realloc(m->link, ncap * sizeof(*link));
	if (!link)
		return -1;
	m->link = link;
	uint32_t *frame = realloc(m->frame, ncap * sizeof(*frame));
	if (!frame)
		return -1;
	m->frame = frame;
	uint32_t *bucket = malloc(ncap * sizeof(*bucket));
	if (!bucket)
		return -1;
	/* every old slot is in use (the free list was empty): rehash them */
	free(m->bucket);
	m->bucket = bucket;
	uint32_t old = m->cap;
	m->cap = ncap;
	for (uint32_t b = 0; b < ncap; b++)
		bucket[b] = GNTTAB_NIL;
	for (uint32_t h = 0; h < old; h++) {
		uint32_t b = bucket_of(m, m->map[h].domid, m->map[h].ref);
		m->link[h] = bucket[b];
		bucket[b] = h;
	}
	memset(&map[old], 0, (ncap - old) * sizeof(*map));
	for (uint32_t h = old; h < ncap; h++)
		link[h] = h + 1 < ncap ? h + 1 : GNTTAB_NIL;
	m->free_head = old;
	return 0;
}

static uint32_t maps_add(struct gnttab_maps *m, const struct grant_map *g, uint32_t frame)
{
	if ((m->cap == 0 || m->free_head == GNTTAB_NIL) && maps_grow(m) < 0)
		return GNTTAB_NIL;
	uint32_t h = m->free_head;
	m->free_head = m->link[h];
	m->map[h] = *g;
	m->map[h].used = true;
	m->frame[h] = frame;
	uint32_t b = bucket_of(m, g->domid, g->ref);
	m->link[h] = m->bucket[b];
	m->bucket[b] = h;
	m->nr_used++;
	return h;
}

static void maps_remove(struct gnttab_maps *m, uint32_t h)
{
	uint32_t *pp = &m->bucket[bucket_of(m, m->map[h].domid, m->map[h].ref)];

	while (*pp != h)
		pp = &m->link[*pp];
	*pp = m->link[h];
	memset(&m->map[h], 0, sizeof(m->map[h]));
	m->link[h] = m->free_head;
	m->free_head = h;
	m->nr_used--;
}

void gnttab_maps_fini(struct gnttab_maps *m)
{
	free(m->map);
	free(m->link);
	free(m->frame);
	free(m->bucket);
	memset(m, 0, sizeof(*m));
}

/* ---- setup_table, query_size ---- */

/* The domain a DOMID_SELF-or-id argument names: GNTST_okay, bad_domain, or
 * permission_denied for an unprivileged caller naming another domain. */
static int16_t target_domain(struct domain *caller, domid_t dom, struct domain **out)
{
	if (dom == DOMID_SELF || dom == caller->domid) {
		*out = caller;
		return GNTST_okay;
	}
	struct domain *d = hv_domain(caller->hv, dom);
	if (!d || d->state == DOM_DYING)
		return GNTST_bad_domain;
	if (!caller->is_dom0)
		return GNTST_permission_denied;
	*out = d;
	return GNTST_okay;
}

int gnttab_setup_table(struct domain *d, struct gnttab_setup_table *st)
{
	struct domain *td = NULL;

	st->status = target_domain(d, st->dom, &td);
	if (st->status != GNTST_okay)
		return 0;
	if (st->nr_frames > (td->is_dom0 ? 0 : td->nr_grant_frames)) {
		st->status = GNTST_general_error;
		return 0;
	}
	/* The table is fixed in the guest's memory: report where it is. */
	for (uint32_t i = 0; i < st->nr_frames; i++) {
		xen_pfn_t gfn = (xen_pfn_t)XL_GFN_GNTTAB + i;
		uint64_t at = st->frame_list + (uint64_t)i * sizeof(gfn);
		if (at < st->frame_list || guest_copy_to(d, at, &gfn, sizeof(gfn)) < 0) {
			st->status = GNTST_bad_virt_addr;
			return -XEN_EFAULT;
		}
	}
	return 0;
}

int gnttab_query_size(struct domain *d, struct gnttab_query_size *q)
{
	struct domain *td = NULL;

	q->status = target_domain(d, q->dom, &td);
	if (q->status != GNTST_okay)
		return 0;
	q->nr_frames = td->is_dom0 ? 0 : td->nr_grant_frames;
	q->max_nr_frames = q->nr_frames;
	return 0;
}

/* ---- copy ---- */

/* One side of a copy once claimed: a window of at least len_avail bytes. */
struct copy_side {
	struct domain *d;   /* whose memory (NULL: Dom0's buffer) */
	uint8_t *base;      /* the page (or the Dom0 buffer position) */
	uint64_t len_avail; /* bytes usable from base */
	struct gnt_entry e; /* pinned entry when e.hdr */
	grant_ref_t ref;
};

/* Xen's gnttab_copy_lock_domain plus the Xenlite rules: a frame (not a
 * grant) may name only the caller's own memory unless the caller is Dom0. */
static int16_t copy_domain(struct domain *caller, const struct gnttab_copy_ptr *p, bool gref,
                           struct domain **out)
{
	bool self = p->domid == DOMID_SELF || p->domid == caller->domid;

	if (!gref && !self && !caller->is_dom0)
		return GNTST_permission_denied;
	if (self) {
		*out = caller;
		return GNTST_okay;
	}
	struct domain *d = hv_domain(caller->hv, p->domid);
	if (!d || d->state == DOM_DYING)
		return GNTST_bad_domain;
	*out = d;
	return GNTST_okay;
}

static int16_t copy_claim(struct domain *caller, struct domain *d, const struct gnttab_copy_ptr *p,
                          bool gref, bool write, uint8_t *dom0_buf, size_t dom0_len,
                          struct copy_side *s)
{
	uint64_t frame;

	memset(s, 0, sizeof(*s));
	s->d = d;
	if (gref) {
		grant_ref_t ref = p->u.ref;
		int16_t st = grant_entry(d, ref, &s->e);
		if (st != GNTST_okay)
			return st;
		st = grant_pin(&s->e, (domid_t)caller->domid, write);
		if (st != GNTST_okay) {
			s->e.hdr = NULL;
			return st;
		}
		s->ref = ref;
		frame = __atomic_load_n(s->e.frame, __ATOMIC_ACQUIRE); /* read once */
	} else if (d->is_dom0) {
		/* Dom0 has no guest memory: its frame number is an offset
		 * into the buffer that came with the request. */
		if (!dom0_buf || p->u.gmfn > dom0_len)
			return GNTST_bad_page;
		s->d = NULL;
		s->base = dom0_buf + p->u.gmfn;
		s->len_avail = dom0_len - p->u.gmfn;
		return GNTST_okay;
	} else {
		frame = p->u.gmfn;
	}
	if (frame >= nr_frames_of(d))
		return GNTST_bad_page;
	s->base = guest_gpa(d, frame << XL_PAGE_SHIFT, XL_PAGE_SIZE);
	if (!s->base)
		return GNTST_bad_page;
	s->len_avail = XL_PAGE_SIZE;
	return GNTST_okay;
}

static void copy_release(struct domain *caller, struct copy_side *s)
{
	if (s->e.hdr)
		grant_unpin(caller->hv, s->d, s->ref, &s->e);
	s->e.hdr = NULL;
}

void gnttab_copy_one(struct domain *caller, struct gnttab_copy *op, uint8_t *dom0_buf,
                     size_t dom0_len)
{
	const struct gnttab_copy c = *op;
	bool src_gref = c.flags & GNTCOPY_source_gref, dst_gref = c.flags & GNTCOPY_dest_gref;
	struct domain *sd = NULL, *dd = NULL;
	struct copy_side src = {0}, dst = {0};
	int16_t st;

	/* Xen's order: both domains, then the source, then the destination,
	 * then the bounds. */
	st = copy_domain(caller, &c.source, src_gref, &sd);
	if (st == GNTST_okay)
		st = copy_domain(caller, &c.dest, dst_gref, &dd);
	if (st == GNTST_okay)
		st = copy_claim(caller, sd, &c.source, src_gref, false, dom0_buf, dom0_len, &src);
	if (st == GNTST_okay)
		st = copy_claim(caller, dd, &c.dest, dst_gref, true, dom0_buf, dom0_len, &dst);
	if (st == GNTST_okay && ((uint32_t)c.source.offset + c.len > XL_PAGE_SIZE ||
	                         (uint32_t)c.dest.offset + c.len > XL_PAGE_SIZE))
		st = GNTST_bad_copy_arg;
	if (st == GNTST_okay && ((uint64_t)c.source.offset + c.len > src.len_avail ||
	                         (uint64_t)c.dest.offset + c.len > dst.len_avail))
		st = GNTST_bad_page; /* runs off the end of Dom0's buffer */
	/* source and destination may be the same memory */
	if (st == GNTST_okay)
		memmove(dst.base + c.dest.offset, src.base + c.source.offset, c.len);
	copy_release(caller, &dst);
	copy_release(caller, &src);
	op->status = st;
}

/* ---- Dom0 mappings ---- */

int gnttab_map(struct hv *hv, uint32_t domid, uint32_t ref, bool readonly, uint64_t owner,
               uint64_t *offset, int *memfd)
{
	struct gnttab_maps *m = hv_gnttab_maps(hv);
	struct domain *d = hv_domain(hv, domid);
	struct gnt_entry e;
	struct gnt_pins p;

	if (!d || d->is_dom0 || d->state == DOM_DYING)
		return GNTST_bad_domain;
	int16_t st = grant_entry(d, ref, &e);
	if (st != GNTST_okay)
		return st;
	st = grant_pin(&e, 0, !readonly);
	if (st != GNTST_okay)
		return st;
	/* Further mappings of a pinned grant get the frame the first one
	 * pinned, as Xen's active entry keeps it. */
	pins_of(m, domid, ref, &p);
	uint32_t frame = p.maps ? p.frame : __atomic_load_n(e.frame, __ATOMIC_ACQUIRE);
	if (frame >= nr_frames_of(d)) {
		grant_unpin(hv, d, ref, &e);
		return GNTST_bad_page;
	}
	struct grant_map g = {
	    .domid = (uint16_t)domid, .ref = ref, .readonly = readonly, .owner = owner};
	uint32_t h = maps_add(m, &g, frame);
	if (h == GNTTAB_NIL) {
		grant_unpin(hv, d, ref, &e);
		return GNTST_no_space;
	}
	d->grant_maps++;
	*offset = (uint64_t)frame << XL_PAGE_SHIFT;
	*memfd = d->memfd;
	return (int)h;
}

int gnttab_unmap(struct hv *hv, uint32_t handle, uint64_t owner)
{
	struct gnttab_maps *m = hv_gnttab_maps(hv);

	if (handle >= m->cap || !m->map[handle].used || m->map[handle].owner != owner)
		return GNTST_bad_handle;
	uint32_t domid = m->map[handle].domid, ref = m->map[handle].ref;
	maps_remove(m, handle);
	/* The mapping kept the domain (and its memory) alive. */
	struct domain *d = hv_domain(hv, domid);
	if (!d)
		return GNTST_okay;
	struct gnt_entry e;
	if (grant_entry(d, ref, &e) == GNTST_okay)
		grant_unpin(hv, d, ref, &e);
	if (d->grant_maps > 0)
		d->grant_maps--;
	if (d->grant_maps == 0 && d->state == DOM_DYING)
		domain_reap(d);
	return GNTST_okay;
}

void gnttab_unmap_owner(struct hv *hv, uint64_t owner)
{
	struct gnttab_maps *m = hv_gnttab_maps(hv);

	for (uint32_t h = 0; h < m->cap; h++)
		if (m->map[h].used && m->map[h].owner == owner)
			gnttab_unmap(hv, h, owner);
}
