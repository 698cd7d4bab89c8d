/* hv_private.h - struct hv itself; only libhv's own files include this. */
#ifndef HV_PRIVATE_H
#define HV_PRIVATE_H

#include "hv.h"
#include "gnttab_internal.h"

struct hv {
	struct hv_ops ops;
	struct domain *domains[DOMID_FIRST_RESERVED]; /* by domid; NULL = free id */
	uint32_t next_domid;   /* where the search for a free id starts */
	uint32_t nr_domains;   /* including Dom0 */
	uint64_t host_bytes;   /* memory domains may use in total */
	uint64_t guest_bytes;  /* memory given to DomUs */
	struct byte_ring dmesg;
	uint64_t boot_mono_ns;
	struct gnttab_maps maps;
};

#endif
