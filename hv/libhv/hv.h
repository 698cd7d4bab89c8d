/* hv.h - libhv: the hypervisor core's state and operations (internal).
 *
 * libhv holds the domain table and implements every hypercall and Dom0
 * operation as pure state transitions over domain memory. It does no I/O of
 * its own besides creating and mapping domain memory; everything that must
 * reach a process (kick a blocked vCPU, deliver a Dom0 event, start or stop a
 * runner) goes through struct hv_ops, supplied by hvd or by a test.
 * Single-threaded: callers serialise all calls on one struct hv.
 */
#ifndef HV_HV_H
#define HV_HV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <xenlite/abi.h>
#include <xenlite/event_channel.h>
#include <xenlite/grant_table.h>
#include <xenlite/privcmd.h>
#include <xenlite/sched.h>
#include <xenlite/xen.h>

struct hv;
struct domain;

#define HV_MAX_DOMAINS 4096u
#define HV_EVTCHN_PORTS EVTCHN_2L_NR_CHANNELS
#define HV_CONSOLE_RING (16u * 1024u) /* per-domain console_io ring */
#define HV_DMESG_RING (256u * 1024u)  /* hypervisor log ring */

enum evtchn_state {
	ECS_FREE = EVTCHNSTAT_closed,
	ECS_UNBOUND = EVTCHNSTAT_unbound,
	ECS_INTERDOMAIN = EVTCHNSTAT_interdomain,
	ECS_VIRQ = EVTCHNSTAT_virq,
	ECS_IPI = EVTCHNSTAT_ipi,
};

struct evtchn {
	uint8_t state;   /* enum evtchn_state */
	uint8_t dom0_pending; /* Dom0 only: delivered, awaiting unmask */
	uint16_t remote_domid; /* unbound: who may bind; interdomain: peer */
	uint32_t remote_port;  /* interdomain */
	uint32_t vcpu;         /* notify vCPU */
	uint32_t virq;
	uint64_t owner;        /* Dom0 only: connection cookie that bound it */
};

/* A byte ring that keeps the most recent bytes and a running offset. */
struct byte_ring {
	char *buf;
	size_t size;   /* power of two */
	uint64_t head; /* total bytes ever written */
	uint64_t tail; /* oldest offset still held (dmesg clear moves it) */
};

enum vcpu_wait {
	VCPU_RUNNING = 0, /* executing guest code (or in a quick hypercall) */
	VCPU_BLOCKED,     /* in SCHEDOP_block, reply deferred */
	VCPU_POLLING,     /* in SCHEDOP_poll, reply deferred */
	VCPU_OFFLINE,     /* not brought up */
};

struct vcpu {
	uint32_t id;
	uint8_t wait;         /* enum vcpu_wait */
	bool online;
	pid_t tid;            /* host thread, once the runner reported it */
	uint64_t timer_ns;    /* set_timer_op deadline (system time), 0 = none */
	uint64_t poll_deadline_ns;
	evtchn_port_t poll_ports[128];
	uint32_t nr_poll_ports;
	uint64_t affinity;
	uint32_t virq_timer_port; /* 0 if unbound */
	bool initialised;         /* VCPUOP_initialise seen */
	bool started;             /* its runner thread was sent GO */
	struct xl_vcpu_context start_ctx;
};

struct grant_map {
	bool used;
	uint16_t domid;
	uint32_t ref;
	bool readonly;
	uint64_t owner; /* Dom0 connection cookie */
};

enum domain_state {
	DOM_CREATED = 0, /* no runner yet: paused */
	DOM_ALIVE,       /* runner started; see paused */
	DOM_SHUTDOWN,    /* shut down with a reason, runner gone */
	DOM_DYING,       /* destroyed, waiting for mappings/runner to go */
};

struct domain {
	struct hv *hv;
	uint32_t domid;
	uint8_t state;        /* enum domain_state */
	bool paused;
	bool is_dom0;
	uint8_t shutdown_reason;
	uint8_t handle[16];
	char name[64];

	/* memory: memfd of size max_bytes, mapped at mem in hvd */
	int memfd;
	uint8_t *mem;
	uint64_t mem_bytes;   /* size of memfd and mapping */
	uint64_t tot_pages;
	uint64_t max_pages;
	uint64_t target_pages;

	uint32_t nr_vcpus;
	struct vcpu *vcpus;

	struct evtchn *evtchn; /* HV_EVTCHN_PORTS entries; port 0 reserved */
	uint32_t virq_port[NR_VIRQS]; /* global VIRQs (not TIMER) */

	uint32_t nr_grant_frames;

	struct byte_ring console;

	uint32_t weight, cap;
	uint64_t create_mono_ns;
	uint64_t create_real_ns;
	uint64_t cpu_time_ns; /* accumulated from exited runners */
	pid_t runner_pid;
	int grant_maps; /* live Dom0 mappings of this domain */
	void *priv;     /* hvd's per-domain data */
};

/* Effects libhv asks its host to carry out. Any member may be NULL. */
struct hv_ops {
	/* vCPU v of d has a deferred hypercall that now completes with ret. */
	void (*vcpu_wake)(struct hv *hv, struct domain *d, struct vcpu *v, int64_t ret);
	/* a Dom0 port owned by connection owner became pending. */
	void (*dom0_event)(struct hv *hv, uint64_t owner, evtchn_port_t port);
	/* domain d shut down (reason set): stop its runner. */
	void (*domain_shutdown)(struct hv *hv, struct domain *d);
	/* domain d is being destroyed: kill its runner, release host state. */
	void (*domain_destroy)(struct hv *hv, struct domain *d);
	void (*domain_pause)(struct hv *hv, struct domain *d, bool pause);
	/* start vCPU v at ctx (VCPUOP_up after VCPUOP_initialise). */
	int (*vcpu_start)(struct hv *hv, struct domain *d, struct vcpu *v,
			  const struct xl_vcpu_context *ctx);
	/* the earliest timer deadline changed (monotonic ns, 0 = none) */
	void (*timer_changed)(struct hv *hv);
	void *ctx;
};

struct hv_config {
	/* memory hv may give to domains; 0 = the host's memory less the reserve */
	uint64_t host_bytes;
	uint64_t dom0_reserve_bytes; /* 0 = 1/8 of the host, at least 256 MiB */
};

struct hv *hv_create(const struct hv_config *cfg, const struct hv_ops *ops);
void hv_free(struct hv *hv);
void *hv_ops_ctx(struct hv *hv);
const struct hv_ops *hv_ops(struct hv *hv);

uint64_t hv_now_ns(void); /* CLOCK_MONOTONIC */

/* ---- domains (domain.c) ---- */
struct domain *hv_domain(struct hv *hv, uint32_t domid);
struct domain *hv_dom0(struct hv *hv);
/* Creates a paused DomU. Returns 0 and *out, or a negative errno with a
 * message in err (size errlen). */
int domain_create(struct hv *hv, const struct priv_domain_create *req,
		  struct domain **out, char *err, size_t errlen);
int domain_pause(struct domain *d);
int domain_unpause(struct domain *d);
/* Guest- or toolstack-initiated shutdown: records reason, fires DOM_EXC. */
int domain_shutdown(struct domain *d, uint32_t reason);
/* Destroy: domain becomes dying; freed by domain_reap once nothing holds it. */
int domain_destroy(struct domain *d);
/* The host says the runner is gone; exit_crash: it died unexpectedly. */
void domain_runner_exited(struct domain *d, bool crashed, uint64_t cpu_ns);
/* Frees a dying domain whose runner and mappings are gone. */
void domain_reap(struct domain *d);
void domain_getinfo(struct domain *d, struct priv_dominfo *info);
/* Writes start_info, its Xenlite extension and a clean shared_info page for
 * a PV guest (the runner then loads the image and fills image_end). */
int domain_build_pv(struct domain *d, const char *cmdline, char *err, size_t errlen);
/* CPU time of one vCPU / the whole domain, in ns. */
uint64_t vcpu_cpu_ns(struct domain *d, struct vcpu *v);
/* Next domain with id >= first, or NULL. */
struct domain *hv_domain_next(struct hv *hv, uint32_t first);
int domain_setmaxmem(struct domain *d, uint64_t kb, char *err, size_t errlen);
int domain_settarget(struct domain *d, uint64_t kb);
void hv_physinfo(struct hv *hv, struct priv_physinfo *pi);
uint64_t domain_system_time(const struct domain *d); /* ns since create */

/* ---- guest memory (mem.c) ---- */
/* Pointer to [gpa, gpa+len) of d's memory, or NULL if out of range. */
void *guest_gpa(struct domain *d, uint64_t gpa, uint64_t len);
/* Same for a guest virtual address (gpa + XL_GUEST_BASE). */
void *guest_va(struct domain *d, uint64_t va, uint64_t len);
int guest_copy_from(struct domain *d, void *dst, uint64_t va, uint64_t len);
int guest_copy_to(struct domain *d, uint64_t va, const void *src, uint64_t len);
int mem_alloc(struct domain *d, uint64_t bytes, char *err, size_t errlen);
void mem_free(struct domain *d);
struct shared_info *domain_shared_info(struct domain *d); /* NULL for Dom0 */

/* ---- event channels (evtchn.c) ---- */
int evtchn_init(struct domain *d);
void evtchn_fini(struct domain *d);
/* All return 0 / a port, or a negative Xen errno. For Dom0, owner is the
 * connection cookie that will own a newly bound port. */
int evtchn_alloc_unbound(struct domain *d, struct evtchn_alloc_unbound *a, uint64_t owner);
int evtchn_bind_interdomain(struct domain *d, struct evtchn_bind_interdomain *b, uint64_t owner);
int evtchn_bind_virq(struct domain *d, struct evtchn_bind_virq *b, uint64_t owner);
int evtchn_bind_ipi(struct domain *d, struct evtchn_bind_ipi *b);
int evtchn_bind_vcpu(struct domain *d, struct evtchn_bind_vcpu *b);
int evtchn_close(struct domain *d, evtchn_port_t port);
int evtchn_send(struct domain *d, evtchn_port_t port);
int evtchn_status(struct domain *caller, struct evtchn_status *s);
int evtchn_unmask(struct domain *d, evtchn_port_t port);
int evtchn_reset(struct domain *caller, domid_t dom);
/* Close every Dom0 port owned by a connection. */
void evtchn_close_owner(struct hv *hv, uint64_t owner);
/* Raise a port locally (set pending, notify); used by VIRQs and sends. */
void evtchn_set_pending(struct domain *d, evtchn_port_t port);
/* Raise a global VIRQ (DOM_EXC, CONSOLE...) on d if bound. */
void evtchn_send_virq(struct domain *d, uint32_t virq);
/* Does vCPU v have an unmasked pending event (upcall pending)? */
bool evtchn_vcpu_pending(struct domain *d, struct vcpu *v);
bool evtchn_port_pending(struct domain *d, evtchn_port_t port);

/* ---- grant tables (gnttab.c) ---- */
int gnttab_setup_table(struct domain *d, struct gnttab_setup_table *st);
int gnttab_query_size(struct domain *d, struct gnttab_query_size *q);
/* One copy op; status written to op->status. caller is the issuing domain
 * (Dom0 passes dom0_buf for DOMID_SELF sides, else NULL). */
void gnttab_copy_one(struct domain *caller, struct gnttab_copy *op,
		     uint8_t *dom0_buf, size_t dom0_len);
/* Dom0 maps d's grant ref: marks the entry in use, returns the byte offset
 * in d's memfd. Returns a handle >= 0 or a GNTST_* code (< 0). */
int gnttab_map(struct hv *hv, uint32_t domid, uint32_t ref, bool readonly,
	       uint64_t owner, uint64_t *offset, int *memfd);
int gnttab_unmap(struct hv *hv, uint32_t handle, uint64_t owner);
void gnttab_unmap_owner(struct hv *hv, uint64_t owner);

/* ---- console and log rings (ring.c) ---- */
int byte_ring_init(struct byte_ring *r, size_t size);
void byte_ring_free(struct byte_ring *r);
void byte_ring_write(struct byte_ring *r, const void *p, size_t n);
/* Copies up to max bytes from offset; returns bytes and sets *start to the
 * offset actually read from (later than offset if those bytes were lost). */
size_t byte_ring_read(const struct byte_ring *r, uint64_t offset, void *p, size_t max,
		      uint64_t *start);
void hv_log(struct hv *hv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
struct byte_ring *hv_dmesg(struct hv *hv);

/* ---- hypercall dispatch (hypercall.c) ---- */
#define HCALL_DEFERRED 1 /* reply later through ops->vcpu_wake */
/* Executes one guest hypercall from vCPU v. Returns 0 with *ret set, or
 * HCALL_DEFERRED when the vCPU blocks. */
int hv_hypercall(struct domain *d, struct vcpu *v, const struct xl_hcall *call, int64_t *ret);
/* Fires expired timers and poll deadlines; returns the next deadline
 * (monotonic ns) or 0. */
uint64_t hv_run_timers(struct hv *hv);
/* Wake v if it is blocked and now has work (called after pending changes). */
void vcpu_kick(struct domain *d, struct vcpu *v);

#endif
