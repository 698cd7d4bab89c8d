/* grant_table.h - Xen's grant_table_op interface, v1 entries. */
#ifndef XENLITE_GRANT_TABLE_H
#define XENLITE_GRANT_TABLE_H

#include "xen.h"

/* A v1 grant entry (8 bytes) in the granting domain's grant table frames.
 * Grant: write domid and frame, write barrier, then flags. */
struct grant_entry_v1 {
	uint16_t flags;
	domid_t domid;  /* the grantee */
	uint32_t frame; /* granter's gfn */
};

#define GTF_invalid 0u
#define GTF_permit_access 1u
#define GTF_accept_transfer 2u
#define GTF_type_mask 3u
#define GTF_readonly (1u << 2)
#define GTF_reading (1u << 3)
#define GTF_writing (1u << 4)

#define GNTTAB_NR_RESERVED_ENTRIES 8
#define GNTTAB_RESERVED_CONSOLE 0
#define GNTTAB_RESERVED_XENSTORE 1

#define GNTTABOP_map_grant_ref 0
#define GNTTABOP_unmap_grant_ref 1
#define GNTTABOP_setup_table 2
#define GNTTABOP_dump_table 3
#define GNTTABOP_transfer 4
#define GNTTABOP_copy 5
#define GNTTABOP_query_size 6

#define GNTMAP_device_map (1u << 0)
#define GNTMAP_host_map (1u << 1)
#define GNTMAP_readonly (1u << 2)

typedef uint32_t grant_handle_t;

struct gnttab_setup_table {
	domid_t dom;          /* IN */
	uint32_t nr_frames;   /* IN */
	int16_t status;       /* OUT: GNTST_* */
	uint64_t frame_list;  /* IN: guest address of xen_pfn_t[nr_frames] (OUT) */
};

struct gnttab_query_size {
	domid_t dom;            /* IN */
	uint32_t nr_frames;     /* OUT */
	uint32_t max_nr_frames; /* OUT */
	int16_t status;         /* OUT */
};

#define GNTCOPY_source_gref (1u << 0)
#define GNTCOPY_dest_gref (1u << 1)

struct gnttab_copy_ptr {
	union {
		grant_ref_t ref;
		xen_pfn_t gmfn;
	} u;
	domid_t domid;
	uint16_t offset;
};

struct gnttab_copy {
	struct gnttab_copy_ptr source; /* IN */
	struct gnttab_copy_ptr dest;   /* IN */
	uint16_t len;                  /* IN */
	uint16_t flags;                /* IN: GNTCOPY_* */
	int16_t status;                /* OUT: GNTST_* */
};

#define GNTST_okay 0
#define GNTST_general_error (-1)
#define GNTST_bad_domain (-2)
#define GNTST_bad_gntref (-3)
#define GNTST_bad_handle (-4)
#define GNTST_bad_virt_addr (-5)
#define GNTST_bad_dev_addr (-6)
#define GNTST_no_device_space (-7)
#define GNTST_permission_denied (-8)
#define GNTST_bad_page (-9)
#define GNTST_bad_copy_arg (-10)
#define GNTST_address_too_big (-11)
#define GNTST_eagain (-12)
#define GNTST_no_space (-13)

#endif
