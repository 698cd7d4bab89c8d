/* gnttab.c - this domain's v1 grant table: handing out refs, granting and
 * revoking access, and GNTTABOP wrappers.
 *
 * The table is nr_gnttab_frames frames at gnttab_gfn (from start_info),
 * written by us and read by hvd. A grant is published by writing domid and
 * frame, then (after a write barrier) flags; hvd sets GTF_reading /
 * GTF_writing in flags while it maps or copies, so revoking is a compare-and-
 * swap of flags to 0 that fails while either is set.
 */
#include "private.h"

#define ENTRIES_PER_FRAME (XL_PAGE_SIZE / sizeof(struct grant_entry_v1))
#define REF_IN_USE UINT32_MAX
#define REF_END (UINT32_MAX - 1)

static struct grant_entry_v1 *table;
static unsigned nr_entries;
/* free refs as a linked list through next_free[]; REF_IN_USE marks taken */
static uint32_t *next_free;
static uint32_t free_head = REF_END;
static struct spinlock gnttab_lock = SPINLOCK_INIT;

int gnttab_init(void)
{
	const struct xl_start_info_ext *ext = guest.ext;

	table = gfn_to_virt(ext->gnttab_gfn);
	nr_entries = ext->nr_gnttab_frames * (unsigned)ENTRIES_PER_FRAME;
	if (nr_entries <= GNTTAB_NR_RESERVED_ENTRIES)
		return 0; /* no table: every grant fails with -XEN_ENOSPC */
	next_free = malloc(nr_entries * sizeof(*next_free));
	if (!next_free)
		return -XEN_ENOMEM;
	for (unsigned ref = 0; ref < GNTTAB_NR_RESERVED_ENTRIES; ref++)
		next_free[ref] = REF_IN_USE;
	for (unsigned ref = GNTTAB_NR_RESERVED_ENTRIES; ref < nr_entries; ref++)
		next_free[ref] = ref + 1 < nr_entries ? ref + 1 : REF_END;
	free_head = GNTTAB_NR_RESERVED_ENTRIES;
	return 0;
}

unsigned gnttab_nr_entries(void)
{
	return nr_entries;
}

const struct grant_entry_v1 *gnttab_entry(grant_ref_t ref)
{
	return ref < nr_entries ? &table[ref] : NULL;
}

int gnttab_grant_access(domid_t domid, xen_pfn_t gfn, bool readonly)
{
	if (gfn >= guest.mem_bytes >> XL_PAGE_SHIFT)
		return -XEN_EINVAL;

	spin_lock(&gnttab_lock);
	uint32_t ref = free_head;
	if (ref != REF_END) {
		free_head = next_free[ref];
		next_free[ref] = REF_IN_USE;
	}
	spin_unlock(&gnttab_lock);
	if (ref == REF_END)
		return -XEN_ENOSPC;

	struct grant_entry_v1 *e = &table[ref];
	e->domid = domid;
	e->frame = (uint32_t)gfn;
	/* the release store is the write barrier: domid and frame first */
	__atomic_store_n(&e->flags, (uint16_t)(GTF_permit_access | (readonly ? GTF_readonly : 0)),
	                 __ATOMIC_RELEASE);
	return (int)ref;
}

int gnttab_end_access(grant_ref_t ref)
{
	if (ref < GNTTAB_NR_RESERVED_ENTRIES || ref >= nr_entries ||
	    __atomic_load_n(&next_free[ref], __ATOMIC_RELAXED) != REF_IN_USE)
		return -XEN_EINVAL;

	struct grant_entry_v1 *e = &table[ref];
	uint16_t flags = __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE);
	do {
		if (flags & (GTF_reading | GTF_writing))
			return -XEN_EBUSY;
	} while (!__atomic_compare_exchange_n(&e->flags, &flags, 0, false, __ATOMIC_SEQ_CST,
	                                      __ATOMIC_ACQUIRE));

	spin_lock(&gnttab_lock);
	next_free[ref] = free_head;
	free_head = ref;
	spin_unlock(&gnttab_lock);
	return 0;
}

int gnttab_copy(struct gnttab_copy *ops, unsigned count)
{
	return (int)hypercall_grant_table_op(GNTTABOP_copy, ops, count);
}

int gnttab_query_size(domid_t dom, uint32_t *nr_frames, uint32_t *max_nr_frames)
{
	struct gnttab_query_size q = {.dom = dom};
	int rc = (int)hypercall_grant_table_op(GNTTABOP_query_size, &q, 1);

	if (rc < 0)
		return rc;
	if (q.status != GNTST_okay)
		return -XEN_EINVAL;
	*nr_frames = q.nr_frames;
	*max_nr_frames = q.max_nr_frames;
	return 0;
}
