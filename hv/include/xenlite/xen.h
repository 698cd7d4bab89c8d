/* xen.h - Xen-compatible core types: domain ids, hypercall numbers,
 * start_info, shared_info, VIRQs and shutdown reasons (x86-64 layouts). */
#ifndef XENLITE_XEN_H
#define XENLITE_XEN_H

#include <stdint.h>

typedef uint16_t domid_t;
typedef uint32_t evtchn_port_t;
typedef uint32_t grant_ref_t;
typedef uint64_t xen_pfn_t;

#define DOMID_FIRST_RESERVED 0x7FF0u
#define DOMID_SELF 0x7FF0u
#define DOMID_IO 0x7FF1u
#define DOMID_XEN 0x7FF2u
#define DOMID_COW 0x7FF3u
#define DOMID_INVALID 0x7FF4u
#define DOMID_ANY 0x7FF5u

/* Hypercall numbers (Xen's). */
#define __HYPERVISOR_set_timer_op 15
#define __HYPERVISOR_memory_op 12
#define __HYPERVISOR_xen_version 17
#define __HYPERVISOR_console_io 18
#define __HYPERVISOR_grant_table_op 20
#define __HYPERVISOR_vcpu_op 24
#define __HYPERVISOR_sched_op 29
#define __HYPERVISOR_event_channel_op 32

/* console_io commands */
#define CONSOLEIO_write 0
#define CONSOLEIO_read 1

/* xen_version commands */
#define XENVER_version 0
#define XENVER_extraversion 1 /* arg: char[16] */
#define XEN_EXTRAVERSION_LEN 16

/* Shutdown reasons (sched_op shutdown, domain info). */
#define SHUTDOWN_poweroff 0
#define SHUTDOWN_reboot 1
#define SHUTDOWN_suspend 2
#define SHUTDOWN_crash 3
#define SHUTDOWN_watchdog 4
#define SHUTDOWN_soft_reset 5
#define SHUTDOWN_MAX 5

/* Virtual IRQs. */
#define VIRQ_TIMER 0
#define VIRQ_DEBUG 1
#define VIRQ_CONSOLE 2
#define VIRQ_DOM_EXC 3
#define VIRQ_CON_RING 8
#define VIRQ_ENOMEM 12
#define NR_VIRQS 24

/* Xen errno values returned by hypercalls (negated). */
#define XEN_EPERM 1
#define XEN_ENOENT 2
#define XEN_ESRCH 3
#define XEN_EINTR 4
#define XEN_EIO 5
#define XEN_ENOMEM 12
#define XEN_EACCES 13
#define XEN_EFAULT 14
#define XEN_EBUSY 16
#define XEN_EEXIST 17
#define XEN_EINVAL 22
#define XEN_ENOSPC 28
#define XEN_ENOSYS 38
#define XEN_ETIMEDOUT 110

struct vcpu_time_info {
	uint32_t version;
	uint32_t pad0;
	uint64_t tsc_timestamp;
	uint64_t system_time; /* host CLOCK_MONOTONIC ns */
	uint32_t tsc_to_system_mul;
	int8_t tsc_shift;
	uint8_t flags;
	uint8_t pad1[2];
};

struct arch_vcpu_info {
	uint64_t cr2;
	uint64_t pad;
};

/* 64 bytes, as Xen's. */
struct vcpu_info {
	uint8_t evtchn_upcall_pending;
	uint8_t evtchn_upcall_mask;
	uint8_t pad0[6];
	uint64_t evtchn_pending_sel;
	struct arch_vcpu_info arch;
	struct vcpu_time_info time;
};

#define XEN_LEGACY_MAX_VCPUS 32
#define EVTCHN_2L_NR_CHANNELS 4096u

struct arch_shared_info {
	uint64_t max_pfn;
	uint64_t pfn_to_mfn_frame_list_list;
	uint64_t nmi_reason;
	uint64_t p2m_cr3;
	uint64_t p2m_vaddr;
	uint64_t p2m_generation;
};

struct shared_info {
	struct vcpu_info vcpu_info[XEN_LEGACY_MAX_VCPUS]; /* @0 */
	uint64_t evtchn_pending[64];                      /* @2048 */
	uint64_t evtchn_mask[64];                         /* @2560 */
	uint32_t wc_version;                              /* @3072 */
	uint32_t wc_sec;
	uint32_t wc_nsec;
	uint32_t wc_sec_hi;
	struct arch_shared_info arch;
};

#define XEN_START_INFO_MAGIC "xen-3.0-x86_64"
#define MAX_GUEST_CMDLINE 1024

/* Flags in start_info.flags */
#define SIF_PRIVILEGED (1u << 0)
#define SIF_INITDOMAIN (1u << 1)

/* Xen's start_info layout; addresses are guest-physical unless noted. */
struct start_info {
	char magic[32];
	uint64_t nr_pages;
	uint64_t shared_info; /* gpa of shared_info */
	uint32_t flags;
	uint32_t pad0;
	xen_pfn_t store_mfn;
	uint32_t store_evtchn;
	uint32_t pad1;
	union {
		struct {
			xen_pfn_t mfn;
			uint32_t evtchn;
			uint32_t pad;
		} domU;
		struct {
			uint32_t info_off;
			uint32_t info_size;
		} dom0;
	} console;
	uint64_t pt_base;
	uint64_t nr_pt_frames;
	uint64_t mfn_list;
	uint64_t mod_start;
	uint64_t mod_len;
	int8_t cmd_line[MAX_GUEST_CMDLINE];
	uint64_t first_p2m_pfn;
	uint64_t nr_p2m_frames;
};

/* Xenlite extension, at XL_START_INFO_EXT_OFFSET in the start_info page. */
#define XL_START_INFO_EXT_OFFSET 2048u
#define XL_START_INFO_EXT_MAGIC 0x584c4954u /* "XLIT" */
struct xl_start_info_ext {
	uint32_t magic;
	uint32_t abi_version;
	uint64_t guest_base;    /* virtual address of gpa 0 */
	uint32_t domid;
	uint32_t nr_vcpus;
	uint64_t gnttab_gfn;    /* first grant table frame */
	uint32_t nr_gnttab_frames;
	uint32_t pad;
	uint64_t image_end;     /* first free gpa after the loaded image */
	uint64_t boot_stack_top; /* gpa of vCPU 0's initial stack top */
};

#endif
