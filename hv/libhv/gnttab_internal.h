/* gnttab_internal.h - the table of Dom0 grant mappings, embedded in struct hv
 * (hv_private.h) and owned by gnttab.c. */
#ifndef HV_GNTTAB_INTERNAL_H
#define HV_GNTTAB_INTERNAL_H

#include <stdint.h>

#include "hv.h"

/* Most live Dom0 mappings at once (Xen's default maptrack limit: 1024
 * frames of 512 handles); a handle is always below this and fits an int. */
#define GNTTAB_MAX_MAPS (1u << 19)

/*
 * Handle h is map[h] while map[h].used. A zeroed struct is an empty table
 * (struct hv is calloc'd); gnttab.c grows it on demand.
 * link[h]: for a free slot the next free handle, for a used one the next
 * mapping in the same hash chain; both lists end with GNTTAB_NIL.
 * bucket[]: first handle of each chain, keyed by (domid, ref), so the live
 * mappings of one grant (its pin count) are found without a scan.
 * frame[h]: the granter's frame pinned by that mapping.
 */
struct gnttab_maps {
	struct grant_map *map;
	uint32_t *link;
	uint32_t *frame;
	uint32_t *bucket;
	uint32_t cap;       /* slots in map/link/frame; bucket has cap entries too */
	uint32_t nr_used;   /* live mappings */
	uint32_t free_head; /* first free handle, GNTTAB_NIL if none */
};
#define GNTTAB_NIL UINT32_MAX

/* Frees the table (at hv_free; mappings are gone with their domains). */
void gnttab_maps_fini(struct gnttab_maps *m);
/* The table embedded in hv (core.c). */
struct gnttab_maps *hv_gnttab_maps(struct hv *hv);

#endif
