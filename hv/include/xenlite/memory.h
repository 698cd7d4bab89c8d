/* memory.h - Xen's memory_op subset. */
#ifndef XENLITE_MEMORY_H
#define XENLITE_MEMORY_H

#include "xen.h"

#define XENMEM_increase_reservation 0
#define XENMEM_decrease_reservation 1
#define XENMEM_populate_physmap 6
#define XENMEM_maximum_ram_page 2
#define XENMEM_current_reservation 3
#define XENMEM_maximum_reservation 4

struct xen_memory_reservation {
	uint64_t extent_start;   /* IN: guest address of xen_pfn_t[nr_extents] */
	uint64_t nr_extents;     /* IN */
	uint32_t extent_order;   /* IN: only 0 supported */
	uint32_t mem_flags;      /* IN */
	domid_t domid;           /* IN: DOMID_SELF */
};

#endif
