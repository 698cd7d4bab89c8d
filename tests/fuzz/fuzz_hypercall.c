/* fuzz_hypercall.c - fuzz target for what guests and Dom0 feed libhv:
 * hypercalls (hv_hypercall) with hostile arguments and hostile guest memory
 * (argument structs, grant entries, shared_info bits), interleaved with the
 * Dom0 operations hvd's privcmd performs on the same state (event channels
 * with owner cookies, grant map/unmap/copy, domain lifecycle, ring reads)
 * and timer runs.
 *
 * Each input builds a fresh hypervisor with two running 4 MiB DomUs of two
 * vCPUs (as hvtest_domain() in tests/unit/hvtest.h does), then decodes the
 * input as a sequence of operations until it runs out (reads past the end
 * yield zeros). An operation is one selector byte (taken modulo OP_COUNT)
 * followed by its own bytes; values go through small pickers that map most
 * byte values to interesting valid ones (ports 0..31, the live domain ids,
 * grant refs 0..15, scratch-area addresses) and the rest to hostile ones, so
 * mutations reach deep paths without a dictionary. gen_corpus.py writes the
 * seed corpus in this encoding; keep the two in step.
 *
 * Besides crashes and sanitizer reports, the host callbacks and a state
 * check after the last operation abort when libhv breaks one of its
 * invariants (see check_state).
 *
 * Time is part of the input: libhv's clock hv_now_ns() is replaced at link
 * time (-Wl,--wrap=hv_now_ns, see meson.build) by a virtual clock that only
 * OP_RUN_TIMERS moves, so timers and poll deadlines expire exactly when the
 * input says and every run of an input is the same.
 *
 * FUZZ_TRACE=1 in the environment prints every hypercall and Dom0 operation
 * with its result, to see what an input does.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenlite/memory.h>

#include "fuzz.h"
#include "hv.h"

#define NR_SLOTS 4       /* DomUs the input can name */
#define NR_OWNERS 3      /* Dom0 connection cookies 1..3 */
#define MAX_MAPS 64      /* Dom0 grant handles remembered */
#define MAX_OPS 2048     /* operations per input */
#define MAX_CREATES 6    /* domains created per input beyond the first two */
#define FAKE_RUNNER 4242 /* runner pid: a dying domain waits for its exit */
#define SCRATCH_GPA 0x200000ull
#define SCRATCH_BYTES 0x10000ull
#define GVA(gpa) (XL_GUEST_BASE + (uint64_t)(gpa))
#define FUTURE_NS (3600ull * 1000000000ull)
#define CLOCK_START (1000000ull * 1000000000ull) /* a host up for 11 days */
#define NR_GREFS (XL_NR_GNTTAB_FRAMES * XL_PAGE_SIZE / sizeof(struct grant_entry_v1))

enum op {
	OP_CONSOLE_IO,      /* caller, cmd, count, buffer */
	OP_XEN_VERSION,     /* caller, cmd, place */
	OP_EVTCHN,          /* caller, evtchn args */
	OP_GNTTAB,          /* caller, setup_table / query_size / raw */
	OP_GNTTAB_COPY,     /* caller, copy batch */
	OP_SCHED,           /* caller, yield / block / shutdown / poll */
	OP_SET_TIMER,       /* caller, deadline */
	OP_VCPU,            /* caller, cmd, vcpu, context */
	OP_MEMORY,          /* caller, memory_op */
	OP_RAW_HCALL,       /* caller, op, 5 args */
	OP_POKE,            /* slot, region, offset, bytes: the guest writes its memory */
	OP_GRANT,           /* slot, ref, flags, grantee, frame: a grant entry */
	OP_SHINFO,          /* slot, bit op on shared_info */
	OP_DOM0_EVTCHN,     /* owner, evtchn args, as privcmd's op_evtchn */
	OP_DOM0_MAP,        /* owner, domain, ref, readonly */
	OP_DOM0_UNMAP,      /* owner, handle */
	OP_DOM0_COPY,       /* copy batch with Dom0's buffer */
	OP_DOM0_DISCONNECT, /* owner: its connection closes */
	OP_LIFECYCLE,       /* slot, pause / shutdown / destroy / create ... */
	OP_RUN_TIMERS,      /* hv_run_timers */
	OP_RING_READ,       /* console or dmesg read */
	OP_COUNT
};

struct in {
	const uint8_t *p;
	size_t n;
};

static struct {
	struct hv *hv;
	bool used[NR_SLOTS];
	uint32_t domid[NR_SLOTS]; /* last domain created in the slot; may be gone */
	struct {
		uint32_t handle;
		uint64_t owner;
	} maps[MAX_MAPS];
	unsigned nr_maps;
	unsigned creates;
	uint64_t cursor; /* next free byte of the scratch area in this operation */
	uint64_t now_ns; /* the virtual monotonic clock */
	uint8_t dom0_buf[PRIV_GNTTAB_COPY_MAX * 4096];
	char ring_buf[PRIV_CONSOLE_CHUNK];
} F;

static int tracing = -1;

__attribute__((format(printf, 1, 2))) static void trace(const char *fmt, ...)
{
	va_list ap;

	if (tracing < 0)
		tracing = getenv("FUZZ_TRACE") != NULL;
	if (!tracing)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_hypercall: invariant broken: %s\n", what);
		abort();
	}
}

/* libhv's clock (the linker sends its calls here). */
uint64_t __wrap_hv_now_ns(void);
uint64_t __wrap_hv_now_ns(void)
{
	return F.now_ns;
}

/* ---- input ---- */

static uint8_t in_u8(struct in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static uint16_t in_u16(struct in *in)
{
	uint16_t v = in_u8(in);
	return (uint16_t)(v | in_u8(in) << 8);
}

static uint32_t in_u32(struct in *in)
{
	uint32_t v = in_u16(in);
	return v | (uint32_t)in_u16(in) << 16;
}

static uint64_t in_u64(struct in *in)
{
	uint64_t v = in_u32(in);
	return v | (uint64_t)in_u32(in) << 32;
}

static void in_bytes(struct in *in, void *dst, size_t len)
{
	size_t n = len < in->n ? len : in->n;

	if (n)
		memcpy(dst, in->p, n);
	memset((uint8_t *)dst + n, 0, len - n);
	in->p += n;
	in->n -= n;
}

/* ---- domains ---- */

static struct domain *slot_domain(unsigned slot)
{
	slot %= NR_SLOTS;
	return F.used[slot] ? hv_domain(F.hv, F.domid[slot]) : NULL;
}

/* Builds a created domain and starts it, as hvd has it once the runner said
 * READY (the runner's pid stays until OP_LIFECYCLE says it exited). */
static void launch_domain(struct domain *d)
{
	char err[160];

	if (d->state != DOM_CREATED)
		return;
	check(domain_build_pv(d, "console=hvc0", err, sizeof(err)) == 0, "domain_build_pv");
	d->state = DOM_ALIVE;
	d->runner_pid = FAKE_RUNNER;
}

/* A DomU of 4 MiB in slot: running, or created (paused, no runner yet). */
static struct domain *make_domain(unsigned slot, uint32_t vcpus, uint64_t maxmem_kb,
				  bool running)
{
	struct priv_domain_create req = {.memory_kb = 4096, .maxmem_kb = maxmem_kb, .vcpus = vcpus};
	struct domain *d;
	char err[160];

	strcpy(req.name, "fuzz");
	if (domain_create(F.hv, &req, &d, err, sizeof(err)) < 0)
		return NULL;
	F.used[slot] = true;
	F.domid[slot] = d->domid;
	if (running) {
		d->paused = false;
		launch_domain(d);
	}
	return d;
}

/* The issuing domain and vCPU of a guest hypercall: one byte. */
static struct domain *pick_caller(struct in *in, struct vcpu **v)
{
	uint8_t b = in_u8(in);
	struct domain *d = slot_domain(b % NR_SLOTS);

	if (!d)
		return NULL;
	*v = &d->vcpus[(b / NR_SLOTS) % d->nr_vcpus];
	return d;
}

/* ---- value pickers: most byte values are useful, the rest hostile ---- */

static domid_t pick_domid(struct in *in, const struct domain *self)
{
	uint8_t b = in_u8(in);

	switch (b & 7) {
	case 0:
		return DOMID_SELF;
	case 1:
		return 0;
	case 2:
	case 3:
	case 4: {
		unsigned s = (b >> 3) % NR_SLOTS;
		return F.used[s] ? (domid_t)F.domid[s] : (domid_t)(s + 1);
	}
	case 5:
		return self ? (domid_t)self->domid : 0;
	case 6:
		return in_u16(in);
	default:
		return (domid_t)(DOMID_FIRST_RESERVED + (b >> 3) % 8);
	}
}

static uint32_t pick_port(struct in *in)
{
	uint8_t b = in_u8(in);

	if (b < 0xe0)
		return b & 31;
	switch (b & 7) {
	case 0:
		return HV_EVTCHN_PORTS - 1;
	case 1:
		return HV_EVTCHN_PORTS;
	case 2:
		return in_u32(in);
	case 3:
		return UINT32_MAX;
	default:
		return 32 + in_u8(in);
	}
}

static uint32_t pick_vcpu(struct in *in)
{
	uint8_t b = in_u8(in);

	if (b < 0xf0)
		return b & 3;
	switch (b & 7) {
	case 0:
		return XEN_LEGACY_MAX_VCPUS - 1;
	case 1:
		return XEN_LEGACY_MAX_VCPUS;
	case 2:
		return XL_MAX_VCPUS;
	case 3:
		return UINT32_MAX;
	default:
		return in_u32(in);
	}
}

static uint32_t pick_ref(struct in *in)
{
	uint8_t b = in_u8(in);

	if (b < 0xf0)
		return b & 15;
	switch (b & 7) {
	case 0:
		return NR_GREFS - 1;
	case 1:
		return NR_GREFS;
	case 2:
		return UINT32_MAX;
	default:
		return in_u32(in);
	}
}

/* A guest frame number, relative to domain d (may be NULL). */
static uint64_t pick_gfn(struct in *in, const struct domain *d)
{
	uint8_t b = in_u8(in);
	uint64_t frames = d ? d->mem_bytes >> XL_PAGE_SHIFT : 1024;

	switch (b & 7) {
	case 0:
	case 1:
	case 2:
	case 3:
		return (SCRATCH_GPA >> XL_PAGE_SHIFT) + (b >> 3) % 16;
	case 4:
		return (b >> 3) % XL_GFN_FIRST_FREE;
	case 5:
		return frames - 1 - (b >> 3) % 2;
	case 6:
		return frames + (b >> 3) % 2;
	default:
		return in_u64(in);
	}
}

/* Deadlines: none, long past, now, soon, far future, or raw. */
static uint64_t pick_time(struct in *in)
{
	uint8_t b = in_u8(in);

	switch (b & 7) {
	case 0:
		return 0;
	case 1:
		return 1;
	case 2:
	case 6:
		return F.now_ns + FUTURE_NS;
	case 3:
		return in_u64(in);
	case 4:
		return F.now_ns;
	case 5:
		return F.now_ns + 1000;
	default:
		return F.now_ns + 1000000000ull;
	}
}

static uint64_t pick_count(struct in *in)
{
	uint8_t b = in_u8(in);

	if (b < 0xc0)
		return b & 15;
	if (b < 0xf0)
		return b;
	static const uint64_t special[] = {4096, 4097, 512, 513, 128, 129};
	if ((b & 7) < 6)
		return special[b & 7];
	return (b & 7) == 6 ? in_u32(in) : in_u64(in);
}

/* Writes len bytes at gpa of d, clipped to its memory. */
static void poke_gpa(struct domain *d, uint64_t gpa, const void *buf, size_t len)
{
	if (!d->mem || gpa >= d->mem_bytes)
		return;
	size_t n = len < d->mem_bytes - gpa ? len : (size_t)(d->mem_bytes - gpa);
	memcpy(d->mem + gpa, buf, n);
}

/*
 * The guest address of an argument: mostly the next free spot of the
 * caller's scratch area (buf is written there), sometimes a spot that
 * aliases other arguments, a special page, a range running off the end of
 * memory, or an address that is no guest memory at all.
 */
static uint64_t place(struct in *in, struct domain *d, const void *buf, size_t len)
{
	uint8_t m = in_u8(in);
	uint64_t gpa;

	switch (m & 15) {
	default: /* 0..9 */
		if (F.cursor + len > SCRATCH_BYTES)
			F.cursor = 0;
		gpa = SCRATCH_GPA + F.cursor;
		F.cursor += (len + 7) & ~(size_t)7;
		break;
	case 10:
		gpa = SCRATCH_GPA + (uint64_t)(m >> 4) * 4;
		break;
	case 11:
		return GVA(d->mem_bytes) - (m >> 4);
	case 12:
		gpa = ((uint64_t)(m >> 4) % XL_GFN_FIRST_FREE << XL_PAGE_SHIFT) +
		      ((m & 0x80) ? XL_PAGE_SIZE - 8 : 0);
		break;
	case 13:
		return in_u64(in);
	case 14:
		return in_u16(in);
	case 15:
		gpa = in_u32(in) % d->mem_bytes;
		break;
	}
	poke_gpa(d, gpa, buf, len);
	return GVA(gpa);
}

/* ---- guest hypercalls ---- */

static void hcall(struct domain *d, struct vcpu *v, uint64_t op, uint64_t a0, uint64_t a1,
		  uint64_t a2, uint64_t a3, uint64_t a4)
{
	struct xl_hcall call = {.op = op, .args = {a0, a1, a2, a3, a4}};
	int64_t ret = INT64_MIN;

	int rc = hv_hypercall(d, v, &call, &ret);
	trace("d%u v%u: hypercall %llu(%#llx, %#llx, %#llx, %#llx, %#llx) = %lld%s", d->domid,
	      v->id, (unsigned long long)op, (unsigned long long)a0, (unsigned long long)a1,
	      (unsigned long long)a2, (unsigned long long)a3, (unsigned long long)a4,
	      rc == 0 ? (long long)ret : 0, rc == 0 ? "" : " (deferred)");
	check(rc == 0 || rc == HCALL_DEFERRED, "hv_hypercall: neither done nor deferred");
	if (rc == 0)
		check(ret != INT64_MIN && ret >= -4095, "hv_hypercall: result is no -errno");
}

static void op_console_io(struct in *in)
{
	struct vcpu *v;
	struct domain *d = pick_caller(in, &v);
	uint8_t c = in_u8(in);
	uint64_t cmd = c % 3 == 2 ? in_u32(in) : c % 3;
	uint64_t count = pick_count(in);
	uint8_t text[64];

	in_bytes(in, text, count < sizeof(text) ? (size_t)count : sizeof(text));
	if (!d)
		return;
	uint64_t va = place(in, d, text, count < sizeof(text) ? (size_t)count : sizeof(text));
	hcall(d, v, __HYPERVISOR_console_io, cmd, count, va, 0, 0);
}

static void op_xen_version(struct in *in)
{
	struct vcpu *v;
	struct domain *d = pick_caller(in, &v);
	uint8_t c = in_u8(in);
	uint64_t cmd = c % 3 == 2 ? in_u32(in) : c % 3;
	uint8_t junk[XEN_EXTRAVERSION_LEN] = {0};

	if (!d)
		return;
	hcall(d, v, __HYPERVISOR_xen_version, cmd, place(in, d, junk, sizeof(junk)), 0, 0, 0);
}

union evtchn_arg {
	struct evtchn_alloc_unbound alloc_unbound;
	struct evtchn_bind_interdomain bind_interdomain;
	struct evtchn_bind_virq bind_virq;
	struct evtchn_bind_ipi bind_ipi;
	struct evtchn_bind_vcpu bind_vcpu;
	struct evtchn_close close;
	struct evtchn_send send;
	struct evtchn_status status;
	struct evtchn_unmask unmask;
	struct evtchn_reset reset;
	uint8_t raw[32];
};

/* An EVTCHNOP_* and its argument, for a call issued by self. */
static uint32_t read_evtchn(struct in *in, const struct domain *self, union evtchn_arg *a)
{
	static const uint32_t cmds[] = {
	    EVTCHNOP_alloc_unbound, EVTCHNOP_bind_interdomain, EVTCHNOP_bind_virq,
	    EVTCHNOP_bind_ipi,      EVTCHNOP_bind_vcpu,        EVTCHNOP_close,
	    EVTCHNOP_send,          EVTCHNOP_status,           EVTCHNOP_unmask,
	    EVTCHNOP_reset,
	};
	uint8_t c = in_u8(in) % (sizeof(cmds) / sizeof(cmds[0]) + 1);
	uint32_t cmd = c < sizeof(cmds) / sizeof(cmds[0]) ? cmds[c] : in_u32(in);

	memset(a, 0, sizeof(*a));
	switch (cmd) {
	case EVTCHNOP_alloc_unbound:
		a->alloc_unbound.dom = pick_domid(in, self);
		a->alloc_unbound.remote_dom = pick_domid(in, self);
		break;
	case EVTCHNOP_bind_interdomain:
		a->bind_interdomain.remote_dom = pick_domid(in, self);
		a->bind_interdomain.remote_port = pick_port(in);
		break;
	case EVTCHNOP_bind_virq: {
		uint8_t b = in_u8(in);
		a->bind_virq.virq = b < 0xf0 ? b % (NR_VIRQS + 2) : in_u32(in);
		a->bind_virq.vcpu = pick_vcpu(in);
		break;
	}
	case EVTCHNOP_bind_ipi:
		a->bind_ipi.vcpu = pick_vcpu(in);
		break;
	case EVTCHNOP_bind_vcpu:
		a->bind_vcpu.port = pick_port(in);
		a->bind_vcpu.vcpu = pick_vcpu(in);
		break;
	case EVTCHNOP_close:
	case EVTCHNOP_send:
	case EVTCHNOP_unmask:
		a->close.port = pick_port(in);
		break;
	case EVTCHNOP_status:
		a->status.dom = pick_domid(in, self);
		a->status.port = pick_port(in);
		break;
	case EVTCHNOP_reset:
		a->reset.dom = pick_domid(in, self);
		break;
	default:
		in_bytes(in, a->raw, 16);
		break;
	}
	return cmd;
}

static void op_evtchn(struct in *in)
{
	struct vcpu *v;
	struct domain *d = pick_caller(in, &v);
	union evtchn_arg a;
	uint32_t cmd = read_evtchn(in, d, &a);

	if (!d)
		return;
	hcall(d, v, __HYPERVISOR_event_channel_op, cmd, place(in, d, &a, sizeof(a)), 0, 0, 0);
}

static void op_gnttab(struct in *in)
{
	struct vcpu *v;
	struct domain *d = pick_caller(in, &v);
	uint8_t c = in_u8(in);
	uint64_t count = (c & 0x80) ? pick_count(in) : 1;
	union {
		struct gnttab_setup_table setup;
		struct gnttab_query_size query;
		uint8_t raw[32];
	} a;
	uint64_t cmd;

	memset(&a, 0, sizeof(a));
	switch (c % 3) {
	case 0:
		cmd = GNTTABOP_setup_table;
		a.setup.dom = pick_domid(in, d);
		a.setup.nr_frames = in_u8(in) % (XL_NR_GNTTAB_FRAMES + 3);
		a.setup.status = 0x5a5a;
		break;
	case 1:
		cmd = GNTTABOP_query_size;
		a.query.dom = pick_domid(in, d);
		a.query.status = 0x5a5a;
		break;
	default:
		cmd = in_u32(in);
		in_bytes(in, a.raw, 16);
		break;
	}
	if (!d)
		return;
	if (cmd == GNTTABOP_setup_table) {
		xen_pfn_t frames[XL_NR_GNTTAB_FRAMES + 2] = {0};
		a.setup.frame_list = place(in, d, frames, sizeof(frames));
	}
	hcall(d, v, __HYPERVISOR_grant_table_op, cmd, place(in, d, &a, sizeof(a)), count, 0, 0);
}

/* One side of a grant copy. */
static void read_copy_ptr(struct in *in, const struct domain *self, bool gref,
			  struct gnttab_copy_ptr *p)
{
	uint8_t b;

	p->domid = pick_domid(in, self);
	if (gref) {
		p->u.ref = pick_ref(in);
	} else if (self && self->is_dom0 && p->domid == DOMID_SELF) {
		b = in_u8(in); /* an offset into Dom0's buffer */
		p->u.gmfn = b < 0xf0 ? (uint64_t)(b & 15) * 4096 + (b >> 4) : in_u64(in);
	} else {
		p->u.gmfn = pick_gfn(in, self);
	}
	b = in_u8(in);
	p->offset = b < 0xf0 ? (uint16_t)((b & 15) * 256) : in_u16(in);
}

static void read_copy(struct in *in, const struct domain *self, struct gnttab_copy *op)
{
	uint8_t b = in_u8(in);

	memset(op, 0, sizeof(*op));
	op->flags = b < 0xf0 ? (b & 3) : in_u16(in);
	read_copy_ptr(in, self, op->flags & GNTCOPY_source_gref, &op->source);
	read_copy_ptr(in, self, op->flags & GNTCOPY_dest_gref, &op->dest);
	b = in_u8(in);
	op->len = b < 0xf0 ? (uint16_t)((b & 15) * 256 + (b >> 4)) : in_u16(in);
	op->status = 0x5a5a;
}

static void op_gnttab_copy(struct in *in)
{
	struct vcpu *v;
	struct domain *d = pick_caller(in, &v);
	uint8_t b = in_u8(in);
	unsigned n = b % 5;
	uint64_t count = b < 0xf0 ? n : pick_count(in);
	struct gnttab_copy ops[4];

	for (unsigned i = 0; i < n; i++)
		read_copy(in, d, &ops[i]);
	if (!d)
		return;
	uint64_t va = place(in, d, ops, n * sizeof(ops[0]));
	hcall(d, v, __HYPERVISOR_grant_table_op, GNTTABOP_copy, va, count, 0, 0);
}

static void op_sched(struct in *in)
{
	struct vcpu *v;
	struct domain *d = pick_caller(in, &v);
	uint8_t c = in_u8(in);
	uint64_t cmd;
	union {
		struct sched_shutdown shutdown;
		struct sched_poll poll;
	} a;
	evtchn_port_t ports[8];
	unsigned nr = 0;

	memset(&a, 0, sizeof(a));
	switch (c % 8) {
	case 0:
		cmd = SCHEDOP_yield;
		break;
	case 1:
	case 2:
		cmd = SCHEDOP_block;
		break;
	case 3:
		cmd = SCHEDOP_shutdown;
		a.shutdown.reason = (c >> 3) % (SHUTDOWN_MAX + 3);
		break;
	case 4:
	case 5:
	case 6: {
		cmd = SCHEDOP_poll;
		uint8_t b = in_u8(in);
		nr = b % 9;
		a.poll.nr_ports = b < 0xf0 ? nr : (uint32_t)pick_count(in);
		for (unsigned i = 0; i < nr && i < 8; i++)
			ports[i] = pick_port(in);
		a.poll.timeout = pick_time(in);
		break;
	}
	default:
		cmd = in_u32(in);
		break;
	}
	if (!d)
		return;
	if (cmd == SCHEDOP_poll)
		a.poll.ports = place(in, d, ports, (nr < 8 ? nr : 8) * sizeof(ports[0]));
	hcall(d, v, __HYPERVISOR_sched_op, cmd, place(in, d, &a, sizeof(a)), 0, 0, 0);
}

static void op_set_timer(struct in *in)
{
	struct vcpu *v;
	struct domain *d = pick_caller(in, &v);
	uint64_t deadline = pick_time(in);

	if (d)
		hcall(d, v, __HYPERVISOR_set_timer_op, deadline, 0, 0, 0, 0);
}

static void op_vcpu(struct in *in)
{
	struct vcpu *v;
	struct domain *d = pick_caller(in, &v);
	uint8_t c = in_u8(in);
	uint64_t cmd = c % 6 == 5 ? in_u32(in) : c % 6;
	uint64_t id = pick_vcpu(in);
	struct xl_vcpu_context ctx = {0};

	if (cmd == VCPUOP_initialise) {
		uint8_t b = in_u8(in);
		ctx.entry = (b & 3) == 3 ? in_u64(in) : GVA(XL_GUEST_LOAD_MIN + (b >> 2));
		b = in_u8(in);
		ctx.stack = (b & 3) == 3 ? in_u64(in) : GVA(0x300000 + (uint64_t)(b >> 2) * 8);
		ctx.arg = in_u64(in);
	}
	if (!d)
		return;
	hcall(d, v, __HYPERVISOR_vcpu_op, cmd, id, place(in, d, &ctx, sizeof(ctx)), 0, 0);
}

static void op_memory(struct in *in)
{
	static const uint64_t cmds[] = {
	    XENMEM_increase_reservation, XENMEM_decrease_reservation, XENMEM_populate_physmap,
	    XENMEM_maximum_ram_page,     XENMEM_current_reservation,  XENMEM_maximum_reservation,
	};
	struct vcpu *v;
	struct domain *d = pick_caller(in, &v);
	uint8_t c = in_u8(in) % (sizeof(cmds) / sizeof(cmds[0]) + 1);
	uint64_t cmd = c < sizeof(cmds) / sizeof(cmds[0]) ? cmds[c] : in_u32(in);
	struct xen_memory_reservation r;
	xen_pfn_t gfns[8];
	unsigned nr = 0;
	domid_t dom = 0;

	memset(&r, 0, sizeof(r));
	if (cmd == XENMEM_current_reservation || cmd == XENMEM_maximum_reservation) {
		dom = pick_domid(in, d);
	} else if (cmd != XENMEM_maximum_ram_page) {
		uint8_t b = in_u8(in);
		nr = b % 9;
		r.nr_extents = b < 0xf0 ? nr : pick_count(in);
		for (unsigned i = 0; i < nr; i++)
			gfns[i] = pick_gfn(in, d);
		b = in_u8(in);
		r.extent_order = b < 0xf0 ? 0 : b & 15;
		r.domid = pick_domid(in, d);
	}
	if (!d)
		return;
	uint64_t va;
	if (cmd == XENMEM_current_reservation || cmd == XENMEM_maximum_reservation) {
		va = place(in, d, &dom, sizeof(dom));
	} else {
		r.extent_start = place(in, d, gfns, nr * sizeof(gfns[0]));
		va = place(in, d, &r, sizeof(r));
	}
	hcall(d, v, __HYPERVISOR_memory_op, cmd, va, 0, 0, 0);
}

/* Any op number, any arguments: a mix of scratch addresses and raw values. */
static void op_raw_hcall(struct in *in)
{
	struct vcpu *v;
	struct domain *d = pick_caller(in, &v);
	uint64_t op = in_u8(in) % 40, a[5];

	for (unsigned i = 0; i < 5; i++) {
		uint8_t b = in_u8(in);
		switch (b & 3) {
		case 0:
			a[i] = b >> 2;
			break;
		case 1:
			a[i] = GVA(SCRATCH_GPA + (uint64_t)(b >> 2) * 8);
			break;
		case 2:
			a[i] = in_u32(in);
			break;
		default:
			a[i] = in_u64(in);
			break;
		}
	}
	if (d)
		hcall(d, v, op, a[0], a[1], a[2], a[3], a[4]);
}

/* ---- the guest writing its own memory ---- */

static void op_poke(struct in *in)
{
	struct domain *d = slot_domain(in_u8(in));
	uint8_t region = in_u8(in) % 4;
	uint16_t off = in_u16(in);
	uint8_t len = in_u8(in);
	uint8_t bytes[255];
	uint64_t gpa;

	in_bytes(in, bytes, len);
	if (!d)
		return;
	switch (region) {
	case 0:
		gpa = ((uint64_t)XL_GFN_SHARED_INFO << XL_PAGE_SHIFT) + off % XL_PAGE_SIZE;
		break;
	case 1:
		gpa = ((uint64_t)XL_GFN_GNTTAB << XL_PAGE_SHIFT) +
		      off % (XL_NR_GNTTAB_FRAMES * XL_PAGE_SIZE);
		break;
	case 2:
		gpa = SCRATCH_GPA + off % SCRATCH_BYTES;
		break;
	default:
		gpa = ((uint64_t)off << 6) % d->mem_bytes;
		break;
	}
	poke_gpa(d, gpa, bytes, len);
}

/* A v1 grant entry, written as a granter does: domid and frame, then flags. */
static void op_grant(struct in *in)
{
	struct domain *d = slot_domain(in_u8(in));
	uint32_t ref = pick_ref(in);
	uint8_t b = in_u8(in);
	uint16_t flags = (b >> 6) == 3 ? in_u16(in)
				       : (uint16_t)(GTF_permit_access |
						    (b & (GTF_readonly | GTF_reading | GTF_writing)));
	domid_t grantee = pick_domid(in, NULL);
	uint64_t frame = pick_gfn(in, d);

	if (!d)
		return;
	struct grant_entry_v1 e = {.flags = flags, .domid = grantee, .frame = (uint32_t)frame};
	uint64_t gpa = ((uint64_t)XL_GFN_GNTTAB << XL_PAGE_SHIFT) +
		       (uint64_t)(ref % NR_GREFS) * sizeof(e);
	poke_gpa(d, gpa, &e, sizeof(e));
}

/* Event-channel bits the guest owns in shared_info. */
static void op_shinfo(struct in *in)
{
	struct domain *d = slot_domain(in_u8(in));
	uint8_t c = in_u8(in);
	uint32_t port = pick_port(in) % HV_EVTCHN_PORTS;

	if (!d)
		return;
	struct shared_info *sh = domain_shared_info(d);
	if (!sh)
		return;
	uint64_t bit = 1ull << (port % 64);
	struct vcpu_info *vi = &sh->vcpu_info[(c >> 3) % XEN_LEGACY_MAX_VCPUS];
	switch (c & 7) {
	case 0:
		sh->evtchn_mask[port / 64] |= bit;
		break;
	case 1:
		sh->evtchn_mask[port / 64] &= ~bit;
		break;
	case 2:
		sh->evtchn_pending[port / 64] |= bit;
		break;
	case 3:
		sh->evtchn_pending[port / 64] &= ~bit;
		break;
	case 4:
		vi->evtchn_upcall_mask = 1;
		break;
	case 5:
		vi->evtchn_upcall_mask = 0;
		break;
	case 6:
		vi->evtchn_upcall_pending = 0;
		vi->evtchn_pending_sel = 0;
		break;
	default:
		vi->evtchn_upcall_pending = (uint8_t)port;
		vi->evtchn_pending_sel = ~0ull;
		break;
	}
}

/* ---- Dom0 through privcmd ---- */

static uint64_t pick_owner(struct in *in)
{
	return 1 + in_u8(in) % NR_OWNERS;
}

/* As hv/hvd/privcmd.c op_evtchn: the owner checks are privcmd's. */
static void op_dom0_evtchn(struct in *in)
{
	uint64_t owner = pick_owner(in);
	struct domain *d0 = hv_dom0(F.hv);
	union evtchn_arg a;
	uint32_t cmd = read_evtchn(in, d0, &a);
	int rc = 0;

	switch (cmd) {
	case EVTCHNOP_alloc_unbound:
		rc = evtchn_alloc_unbound(d0, &a.alloc_unbound, owner);
		break;
	case EVTCHNOP_bind_interdomain:
		rc = evtchn_bind_interdomain(d0, &a.bind_interdomain, owner);
		break;
	case EVTCHNOP_bind_virq:
		rc = evtchn_bind_virq(d0, &a.bind_virq, owner);
		break;
	case EVTCHNOP_close:
	case EVTCHNOP_send:
	case EVTCHNOP_unmask: {
		evtchn_port_t port = a.close.port;
		struct evtchn *ch = port && port < HV_EVTCHN_PORTS ? &d0->evtchn[port] : NULL;
		if (!ch || ch->state == ECS_FREE || (ch->owner && ch->owner != owner))
			return;
		rc = cmd == EVTCHNOP_close  ? evtchn_close(d0, port)
		     : cmd == EVTCHNOP_send ? evtchn_send(d0, port)
					    : evtchn_unmask(d0, port);
		break;
	}
	case EVTCHNOP_status:
		rc = evtchn_status(d0, &a.status);
		break;
	case EVTCHNOP_reset:
		if (a.reset.dom == 0 || a.reset.dom == DOMID_SELF)
			return;
		rc = evtchn_reset(d0, a.reset.dom);
		break;
	default:
		return; /* privcmd answers ENOSYS */
	}
	trace("dom0 owner %llu: evtchn op %u = %d", (unsigned long long)owner, cmd, rc);
	check(rc <= 0 && rc >= -4095, "Dom0 evtchn op: result is no -errno");
}

static void op_dom0_map(struct in *in)
{
	uint64_t owner = pick_owner(in);
	uint8_t b = in_u8(in);
	struct domain *sd = slot_domain(b);
	uint32_t domid = (b & 0x80) ? pick_domid(in, NULL) : sd ? sd->domid : 0;
	uint32_t ref = pick_ref(in);
	bool readonly = in_u8(in) & 1;
	uint64_t offset = UINT64_MAX;
	int memfd = -2;

	int h = gnttab_map(F.hv, domid, ref, readonly, owner, &offset, &memfd);
	trace("dom0 owner %llu: map d%u ref %u%s = %d", (unsigned long long)owner, domid, ref,
	      readonly ? " ro" : "", h);
	if (h < 0) {
		check(h >= GNTST_no_space, "gnttab_map: unknown GNTST code");
		return;
	}
	struct domain *d = hv_domain(F.hv, domid);
	check(d && !d->is_dom0 && memfd == d->memfd, "gnttab_map: wrong domain memory");
	check(offset % XL_PAGE_SIZE == 0 && offset < d->mem_bytes,
	      "gnttab_map: page outside the granter's memory");
	if (F.nr_maps < MAX_MAPS) {
		F.maps[F.nr_maps].handle = (uint32_t)h;
		F.maps[F.nr_maps].owner = owner;
		F.nr_maps++;
	}
}

static void op_dom0_unmap(struct in *in)
{
	uint8_t b = in_u8(in);
	uint32_t handle;
	uint64_t owner;

	if (F.nr_maps && b < 0xc0) {
		unsigned i = b % F.nr_maps;
		handle = F.maps[i].handle;
		owner = F.maps[i].owner;
		F.maps[i] = F.maps[--F.nr_maps];
		if (b & 0x40)
			owner = owner % NR_OWNERS + 1; /* someone else's handle */
	} else {
		handle = (b & 1) ? in_u32(in) : b & 0x3f;
		owner = pick_owner(in);
	}
	int rc = gnttab_unmap(F.hv, handle, owner);
	trace("dom0 owner %llu: unmap %u = %d", (unsigned long long)owner, handle, rc);
	check(rc == GNTST_okay || rc == GNTST_bad_handle, "gnttab_unmap: unexpected result");
}

/* As privcmd's op_gnttab_copy: Dom0's side is the buffer in the request. */
static void op_dom0_copy(struct in *in)
{
	struct domain *d0 = hv_dom0(F.hv);
	unsigned n = in_u8(in) % 5;

	for (unsigned i = 0; i < n; i++) {
		struct gnttab_copy op;
		read_copy(in, d0, &op);
		gnttab_copy_one(d0, &op, F.dom0_buf, sizeof(F.dom0_buf));
		trace("dom0: copy flags %#x len %u = %d", op.flags, op.len, op.status);
		check(op.status <= GNTST_okay && op.status >= GNTST_no_space,
		      "gnttab_copy: unknown GNTST code");
	}
}

/* A privcmd connection goes away: what it held goes with it. */
static void op_dom0_disconnect(struct in *in)
{
	uint64_t owner = pick_owner(in);

	trace("dom0 owner %llu: disconnect", (unsigned long long)owner);
	evtchn_close_owner(F.hv, owner);
	gnttab_unmap_owner(F.hv, owner);
}

/* privcmd's DOMAIN_CREATE with the request as it came (hvd copies it
 * whole): sizes, vCPUs, flags, a name that may lack its NUL. */
static void create_raw(struct in *in, unsigned slot)
{
	struct priv_domain_create req;
	struct domain *d = NULL;
	char err[160];

	memset(&req, 0, sizeof(req));
	uint8_t b = in_u8(in);
	req.memory_kb = (b & 1) ? in_u64(in) : 4096 + (uint64_t)(b >> 1) * 1024;
	req.maxmem_kb = (b & 0x80) ? in_u64(in) : 0;
	req.vcpus = in_u8(in);
	req.flags = (b & 0x40) ? in_u32(in) : 0;
	in_bytes(in, req.name, (b & 0x20) ? sizeof(req.name) : 8);
	if (F.creates >= MAX_CREATES)
		return;
	int rc = domain_create(F.hv, &req, &d, err, sizeof(err));
	trace("create: %d %s", rc, rc < 0 ? err : "");
	if (rc < 0) {
		check(rc > -4096 && memchr(err, '\0', sizeof(err)), "domain_create: bad error");
		return;
	}
	check(d && d->state == DOM_CREATED, "domain_create: no domain");
	F.creates++;
	F.used[slot % NR_SLOTS] = true;
	F.domid[slot % NR_SLOTS] = d->domid;
}

static void op_lifecycle(struct in *in)
{
	uint8_t b = in_u8(in);
	unsigned slot = b % NR_SLOTS;
	struct domain *d = slot_domain(slot);
	char err[160];

	trace("lifecycle %u on slot %u (d%d)", (b / NR_SLOTS) % 12, slot, d ? (int)d->domid : -1);
	switch ((b / NR_SLOTS) % 12) {
	case 0:
		if (d)
			domain_pause(d);
		break;
	case 1:
		if (d)
			domain_unpause(d);
		break;
	case 2: {
		uint32_t reason = in_u8(in) % (SHUTDOWN_MAX + 1); /* privcmd checks it */
		if (d)
			domain_shutdown(d, reason);
		break;
	}
	case 3:
		if (d)
			domain_destroy(d);
		break;
	case 4: /* the runner exited (hvd's reaper) */
		if (d && d->runner_pid > 0)
			domain_runner_exited(d, in_u8(in) & 1, 1000);
		break;
	case 5: { /* create; vCPUs above 32 have no vcpu_info in shared_info */
		static const uint32_t vcpus[] = {1, 2, 3, 33, XL_MAX_VCPUS};
		uint8_t c = in_u8(in);
		if (c & 0x20) {
			create_raw(in, slot);
		} else if (F.creates < MAX_CREATES) {
			F.creates++;
			make_domain(slot, vcpus[c % 5], (c & 0x80) ? 8192 : 0, !(c & 0x40));
		}
		break;
	}
	case 6: {
		uint64_t kb = (in_u8(in) & 1) ? in_u64(in) : 4096 + (uint64_t)in_u8(in) * 64;
		if (d)
			domain_setmaxmem(d, kb, err, sizeof(err));
		break;
	}
	case 7: {
		uint64_t kb = (in_u8(in) & 1) ? in_u64(in) : (uint64_t)in_u8(in) * 64;
		if (d)
			domain_settarget(d, kb);
		break;
	}
	case 8: {
		struct priv_dominfo info;
		struct domain *any = hv_domain(F.hv, pick_domid(in, NULL));
		if (any)
			domain_getinfo(any, &info);
		break;
	}
	case 9: {
		struct priv_physinfo pi;
		hv_physinfo(F.hv, &pi);
		break;
	}
	case 10: /* reap a dying domain whose runner is gone */
		if (d && d->state == DOM_DYING && d->runner_pid > 0)
			domain_runner_exited(d, false, 0);
		break;
	default: /* launch a created domain */
		if (d)
			launch_domain(d);
		break;
	}
}

/* Time passes (not at all, 1 us, 1 s or 2 h), then the timer scan runs. */
static void op_run_timers(struct in *in)
{
	static const uint64_t steps[] = {0, 1000, 1000000000ull, 2 * FUTURE_NS};

	F.now_ns += steps[in_u8(in) & 3];
	uint64_t next = hv_run_timers(F.hv);
	trace("run timers at %llu: next %llu", (unsigned long long)F.now_ns,
	      (unsigned long long)next);
	check(next == 0 || next > F.now_ns, "hv_run_timers: next deadline already expired");
}

/* As privcmd's console_read / op_dmesg_read. */
static void op_ring_read(struct in *in)
{
	uint8_t b = in_u8(in);
	uint64_t offset = (b & 0x40) ? in_u64(in) : (uint64_t)in_u16(in);
	uint32_t max = in_u16(in);
	struct byte_ring *ring;

	if (b & 0x80) {
		ring = hv_dmesg(F.hv);
	} else {
		struct domain *d = hv_domain(F.hv, pick_domid(in, NULL));
		if (!d)
			return;
		ring = &d->console;
	}
	if (max > PRIV_CONSOLE_CHUNK)
		max = PRIV_CONSOLE_CHUNK;
	uint64_t start;
	size_t n = byte_ring_read(ring, offset, F.ring_buf, max, &start);
	check(n <= max && start <= ring->head && start + n <= ring->head,
	      "byte_ring_read: read beyond what was written");
	if ((b & 0x80) && (b & 1))
		ring->tail = start + n; /* dmesg --clear */
}

typedef void (*op_fn)(struct in *in);

static const op_fn op_table[OP_COUNT] = {
    [OP_CONSOLE_IO] = op_console_io,
    [OP_XEN_VERSION] = op_xen_version,
    [OP_EVTCHN] = op_evtchn,
    [OP_GNTTAB] = op_gnttab,
    [OP_GNTTAB_COPY] = op_gnttab_copy,
    [OP_SCHED] = op_sched,
    [OP_SET_TIMER] = op_set_timer,
    [OP_VCPU] = op_vcpu,
    [OP_MEMORY] = op_memory,
    [OP_RAW_HCALL] = op_raw_hcall,
    [OP_POKE] = op_poke,
    [OP_GRANT] = op_grant,
    [OP_SHINFO] = op_shinfo,
    [OP_DOM0_EVTCHN] = op_dom0_evtchn,
    [OP_DOM0_MAP] = op_dom0_map,
    [OP_DOM0_UNMAP] = op_dom0_unmap,
    [OP_DOM0_COPY] = op_dom0_copy,
    [OP_DOM0_DISCONNECT] = op_dom0_disconnect,
    [OP_LIFECYCLE] = op_lifecycle,
    [OP_RUN_TIMERS] = op_run_timers,
    [OP_RING_READ] = op_ring_read,
};

/* ---- host callbacks: libhv may only name live domains and bound ports ---- */

static bool in_table(const struct domain *d)
{
	return d && hv_domain(F.hv, d->domid) == d;
}

static void f_wake(struct hv *hv, struct domain *d, struct vcpu *v, int64_t ret)
{
	trace("  d%u v%u wakes: %lld", d->domid, v->id, (long long)ret);
	check(hv == F.hv && in_table(d) && !d->is_dom0, "vcpu_wake: no such DomU");
	check(d->state == DOM_ALIVE, "vcpu_wake: domain not running");
	check(v >= d->vcpus && v < d->vcpus + d->nr_vcpus, "vcpu_wake: vCPU of another domain");
}

static void f_dom0_event(struct hv *hv, uint64_t owner, evtchn_port_t port)
{
	struct domain *d0 = hv_dom0(hv);

	trace("  dom0 owner %llu: port %u fires", (unsigned long long)owner, port);
	check(port > 0 && port < HV_EVTCHN_PORTS, "dom0_event: port out of range");
	check(d0->evtchn[port].state != ECS_FREE, "dom0_event: free port");
	check(owner >= 1 && owner <= NR_OWNERS && owner == d0->evtchn[port].owner,
	      "dom0_event: wrong owner");
}

static void f_shutdown(struct hv *hv, struct domain *d)
{
	check(hv == F.hv && in_table(d) && d->state == DOM_SHUTDOWN, "domain_shutdown: bad domain");
}

static void f_destroy(struct hv *hv, struct domain *d)
{
	check(hv == F.hv && in_table(d) && d->state == DOM_DYING, "domain_destroy: bad domain");
}

static void f_pause(struct hv *hv, struct domain *d, bool pause)
{
	(void)pause;
	check(hv == F.hv && in_table(d) && !d->is_dom0, "domain_pause: bad domain");
}

static int f_vcpu_start(struct hv *hv, struct domain *d, struct vcpu *v,
			const struct xl_vcpu_context *ctx)
{
	check(hv == F.hv && in_table(d) && v >= d->vcpus && v < d->vcpus + d->nr_vcpus,
	      "vcpu_start: bad vCPU");
	check(guest_va(d, ctx->entry, 1) && !(ctx->stack & 15) && guest_va(d, ctx->stack - 16, 16),
	      "vcpu_start: context outside guest memory");
	return 0;
}

static void f_timer_changed(struct hv *hv)
{
	check(hv == F.hv, "timer_changed: unknown hv");
}

static const struct hv_ops fuzz_ops = {
    .vcpu_wake = f_wake,
    .dom0_event = f_dom0_event,
    .domain_shutdown = f_shutdown,
    .domain_destroy = f_destroy,
    .domain_pause = f_pause,
    .vcpu_start = f_vcpu_start,
    .timer_changed = f_timer_changed,
};

/* ---- invariants after the run ---- */

static void check_ports(struct domain *d)
{
	if (!d->evtchn)
		return;
	for (uint32_t virq = 0; virq < NR_VIRQS; virq++) {
		uint32_t p = d->virq_port[virq];
		check(p == 0 || (p < HV_EVTCHN_PORTS && d->evtchn[p].state == ECS_VIRQ &&
				 d->evtchn[p].virq == virq),
		      "virq_port names no port bound to that VIRQ");
	}
	for (uint32_t i = 0; i < d->nr_vcpus; i++) {
		uint32_t p = d->vcpus[i].virq_timer_port;
		check(p == 0 || (p < HV_EVTCHN_PORTS && d->evtchn[p].state == ECS_VIRQ &&
				 d->evtchn[p].virq == VIRQ_TIMER && d->evtchn[p].vcpu == i),
		      "virq_timer_port names no VIRQ_TIMER port of that vCPU");
	}
	for (uint32_t p = 1; p < HV_EVTCHN_PORTS; p++) {
		const struct evtchn *ch = &d->evtchn[p];
		if (ch->state == ECS_FREE)
			continue;
		check(ch->vcpu < d->nr_vcpus && (d->is_dom0 || ch->vcpu < XEN_LEGACY_MAX_VCPUS),
		      "port notifies a vCPU that cannot be notified");
		check(!d->is_dom0 || (ch->owner >= 1 && ch->owner <= NR_OWNERS),
		      "Dom0 port without an owner");
		if (ch->state == ECS_VIRQ && ch->virq == VIRQ_TIMER)
			check(d->vcpus[ch->vcpu].virq_timer_port == p, "stray VIRQ_TIMER port");
		else if (ch->state == ECS_VIRQ)
			check(ch->virq < NR_VIRQS && d->virq_port[ch->virq] == p, "stray VIRQ port");
		if (ch->state != ECS_INTERDOMAIN)
			continue;
		struct domain *rd = hv_domain(F.hv, ch->remote_domid);
		check(rd && rd->evtchn && ch->remote_port > 0 && ch->remote_port < HV_EVTCHN_PORTS,
		      "interdomain port whose peer is gone");
		const struct evtchn *rch = &rd->evtchn[ch->remote_port];
		check(rch->state == ECS_INTERDOMAIN && rch->remote_domid == d->domid &&
			  rch->remote_port == p,
		      "interdomain ports that do not point at each other");
	}
}

static void check_state(void)
{
	uint64_t guest_pages = 0;
	struct priv_physinfo pi;

	for (struct domain *d = hv_domain_next(F.hv, 0); d; d = hv_domain_next(F.hv, d->domid + 1)) {
		check_ports(d);
		if (d->is_dom0)
			continue;
		guest_pages += d->mem_bytes >> XL_PAGE_SHIFT;
		check(d->tot_pages <= d->max_pages && d->target_pages <= d->max_pages &&
			  d->max_pages <= d->mem_bytes >> XL_PAGE_SHIFT,
		      "memory accounting: tot/target above max, or max above the memfd");
		check(d->grant_maps >= 0, "negative grant mapping count");
	}
	hv_physinfo(F.hv, &pi);
	check(pi.guest_pages == guest_pages, "host memory accounting differs from the domains");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hv_config cfg = {.host_bytes = 1ull << 30};
	struct in in = {data, size};

	memset(&F, 0, offsetof(__typeof__(F), dom0_buf));
	F.now_ns = CLOCK_START;
	F.hv = hv_create(&cfg, &fuzz_ops);
	check(F.hv != NULL, "hv_create");
	check(make_domain(0, 2, 0, true) && make_domain(1, 2, 0, true), "creating the first domains");
	for (unsigned n = 0; in.n && n < MAX_OPS; n++) {
		F.cursor = 0;
		op_table[in_u8(&in) % OP_COUNT](&in);
	}
	check_state();
	hv_free(F.hv);
	F.hv = NULL;
	return 0;
}
