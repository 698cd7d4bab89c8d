/* privcmd.h - the privileged Dom0 interface to hvd.
 *
 * Dom0 programs connect to hvd's SOCK_SEQPACKET Unix socket
 * (<root>/run/xenlite/privcmd). The peer is checked with SO_PEERCRED: only
 * uid 0 (or hvd's own uid) may issue requests; anybody else gets EPERM.
 * Each request is one datagram: struct priv_hdr followed by the op's
 * argument struct; each reply is one datagram: struct priv_reply followed by
 * the op's result struct. File descriptors travel as SCM_RIGHTS on the same
 * datagram (IN on DOMAIN_LAUNCH_PV, OUT on GNTTAB_MAP and EVTCHN_OPEN_STREAM).
 * Every field is validated by hvd; sizes must match exactly.
 */
#ifndef XENLITE_PRIVCMD_H
#define XENLITE_PRIVCMD_H

#include <stdint.h>
#include "abi.h"
#include "event_channel.h"
#include "grant_table.h"
#include "xen.h"

#define PRIV_MAX_MSG (96u * 1024u)

enum priv_op {
	PRIV_VERSION = 1,         /* -> priv_version */
	PRIV_PHYSINFO,            /* -> priv_physinfo */
	PRIV_DOMAIN_CREATE,       /* priv_domain_create -> priv_domid */
	PRIV_DOMAIN_LAUNCH_PV,    /* priv_launch_pv + fd of the ELF image */
	PRIV_DOMAIN_PAUSE,        /* priv_domid */
	PRIV_DOMAIN_UNPAUSE,      /* priv_domid */
	PRIV_DOMAIN_SHUTDOWN,     /* priv_domain_shutdown */
	PRIV_DOMAIN_DESTROY,      /* priv_domid */
	PRIV_DOMAIN_GETINFO,      /* priv_domid -> priv_dominfo */
	PRIV_DOMAIN_LIST,         /* priv_domain_list -> priv_dominfo[] */
	PRIV_DOMAIN_SETMAXMEM,    /* priv_domain_mem */
	PRIV_DOMAIN_SETTARGET,    /* priv_domain_mem */
	PRIV_VCPU_GETINFO,        /* priv_vcpu -> priv_vcpuinfo */
	PRIV_VCPU_SETAFFINITY,    /* priv_vcpu_affinity */
	PRIV_SCHED_GET,           /* priv_domid -> priv_sched */
	PRIV_SCHED_SET,           /* priv_sched */
	PRIV_EVTCHN_OPEN_STREAM,  /* -> fd: reads yield uint32 ports */
	PRIV_EVTCHN_OP,           /* priv_evtchn_op -> priv_evtchn_op */
	PRIV_GNTTAB_MAP,          /* priv_gnttab_map -> priv_gnttab_mapped + fd */
	PRIV_GNTTAB_UNMAP,        /* priv_gnttab_unmap */
	PRIV_GNTTAB_COPY,         /* priv_gnttab_copy_batch -> same, statuses */
	PRIV_CONSOLE_READ,        /* priv_console_read -> priv_console_data */
	PRIV_DMESG_READ,          /* priv_dmesg_read -> priv_console_data */
	PRIV_OP_COUNT
};

struct priv_hdr {
	uint32_t op;     /* enum priv_op */
	uint32_t len;    /* bytes of argument after this header */
	uint64_t req_id; /* echoed in the reply */
};

struct priv_reply {
	int32_t err;     /* 0 or a positive errno */
	uint32_t len;    /* bytes of result after this header (0 on error) */
	uint64_t req_id;
	char msg[160];   /* on error: a NUL-terminated, human-readable reason */
};

struct priv_version {
	uint32_t abi_version;
	uint32_t major, minor;
	char extra[16];
	char caps[64];
};

struct priv_physinfo {
	uint32_t nr_cpus;
	uint32_t max_cpu_id;
	uint32_t nr_nodes;
	uint32_t cores_per_socket;
	uint32_t threads_per_core;
	uint32_t cpu_khz;
	uint64_t total_pages; /* host memory available to hv */
	uint64_t free_pages;  /* not yet given to domains */
	uint64_t guest_pages; /* given to DomUs */
	uint32_t nr_domains;
	uint32_t page_size;
	char host[64];
	char release[64];
	char machine[32];
};

struct priv_domid {
	uint32_t domid;
};

#define PRIV_CREATE_HVM (1u << 0) /* reserved: HVM is not implemented yet */

struct priv_domain_create {
	uint64_t memory_kb; /* initial reservation */
	uint64_t maxmem_kb; /* 0 = memory_kb */
	uint32_t vcpus;     /* 1..XL_MAX_VCPUS */
	uint32_t flags;
	uint8_t handle[16]; /* uuid */
	char name[64];      /* informational; uniqueness is the toolstack's */
};

struct priv_launch_pv {
	uint32_t domid;
	uint32_t store_evtchn_remote;   /* reserved, 0 */
	char cmdline[MAX_GUEST_CMDLINE];
};

struct priv_domain_shutdown {
	uint32_t domid;
	uint32_t reason; /* SHUTDOWN_* */
};

struct priv_domain_list {
	uint32_t first_domid;
	uint32_t max; /* at most PRIV_LIST_MAX */
};
#define PRIV_LIST_MAX 256u

/* Xen's XEN_DOMINF_* bits */
#define XEN_DOMINF_dying (1u << 0)
#define XEN_DOMINF_hvm_guest (1u << 1)
#define XEN_DOMINF_shutdown (1u << 2)
#define XEN_DOMINF_paused (1u << 3)
#define XEN_DOMINF_blocked (1u << 4)
#define XEN_DOMINF_running (1u << 5)
#define XEN_DOMINF_debugged (1u << 6)
#define XEN_DOMINF_shutdownshift 16
#define XEN_DOMINF_shutdownmask 255

struct priv_dominfo {
	uint32_t domid;
	uint32_t flags;       /* XEN_DOMINF_* */
	uint64_t tot_pages;
	uint64_t max_pages;
	uint64_t target_pages;
	uint64_t cpu_time_ns; /* all vCPUs */
	uint64_t create_time_ns; /* CLOCK_REALTIME at create */
	uint32_t nr_online_vcpus;
	uint32_t max_vcpu_id;
	uint32_t ssidref;
	int32_t runner_pid;   /* host pid of the PV runner, 0 if none */
	uint8_t handle[16];
	char name[64];
};

struct priv_domain_mem {
	uint32_t domid;
	uint32_t pad;
	uint64_t kb;
};

struct priv_vcpu {
	uint32_t domid;
	uint32_t vcpu;
};

struct priv_vcpuinfo {
	uint32_t vcpu;
	uint8_t online, blocked, running, pad;
	uint32_t cpu;         /* host CPU last run on */
	uint64_t cpu_time_ns;
	uint64_t affinity;    /* bitmap of host CPUs (first 64) */
};

struct priv_vcpu_affinity {
	uint32_t domid;
	uint32_t vcpu;        /* or XL_ALL_VCPUS */
	uint64_t cpumap;      /* bitmap of host CPUs; 0 is invalid */
};
#define XL_ALL_VCPUS 0xffffffffu

struct priv_sched {
	uint32_t domid;
	uint32_t weight; /* 1..65535, Xen's credit2 default 256 */
	uint32_t cap;    /* percent of one CPU, 0 = none */
	uint32_t pad;
};

/* An event_channel_op issued by Dom0; op is EVTCHNOP_*, u as Xen's. Ports
 * Dom0 binds belong to the issuing connection: they are delivered on its
 * event stream and closed when it disconnects. A delivered port stays
 * masked until Dom0 unmasks it (as Linux's /dev/xen/evtchn). */
struct priv_evtchn_op {
	uint32_t op;
	uint32_t pad;
	union {
		struct evtchn_alloc_unbound alloc_unbound;
		struct evtchn_bind_interdomain bind_interdomain;
		struct evtchn_bind_virq bind_virq;
		struct evtchn_close close;
		struct evtchn_send send;
		struct evtchn_status status;
		struct evtchn_unmask unmask;
		struct evtchn_reset reset;
		uint8_t raw[64];
	} u;
};

struct priv_gnttab_map {
	uint32_t domid;
	uint32_t ref;
	uint32_t readonly;
	uint32_t pad;
};

/* The reply carries the granter's memory fd; mmap one page at offset. */
struct priv_gnttab_mapped {
	uint32_t handle;
	uint32_t pad;
	uint64_t offset;
};

struct priv_gnttab_unmap {
	uint32_t handle;
};

/* Dom0 copies between its own buffer (carried in the message) and guest
 * grants. Xenlite extension of GNTTABOP_copy for a Dom0 without guest
 * memory: for a side whose domid is DOMID_SELF, u.gmfn is an offset into
 * data[] below. */
#define PRIV_GNTTAB_COPY_MAX 16u
struct priv_gnttab_copy_batch {
	uint32_t count;
	uint32_t pad;
	struct gnttab_copy ops[PRIV_GNTTAB_COPY_MAX];
	uint8_t data[PRIV_GNTTAB_COPY_MAX * 4096];
};

struct priv_console_read {
	uint32_t domid;
	uint32_t max;     /* bytes wanted, at most PRIV_CONSOLE_CHUNK */
	uint64_t offset;  /* stream offset to read from */
	uint32_t clear;   /* dmesg only: discard what was read */
	uint32_t pad;
};
#define PRIV_CONSOLE_CHUNK 16384u

struct priv_console_data {
	uint64_t offset;     /* stream offset of data[0] (> requested if lost) */
	uint64_t next;       /* offset to ask for next */
	uint32_t len;
	uint32_t pad;
	char data[PRIV_CONSOLE_CHUNK];
};

#endif
