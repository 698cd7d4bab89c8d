/* events.c - event channels: binding, handlers, masks and the synchronous
 * upcall dispatch of Xen's 2-level ABI.
 *
 * hvd sets bits in shared_info atomically: a port's bit in evtchn_pending,
 * then (if the port is not masked and was not already pending) the word's
 * bit in the notify vCPU's evtchn_pending_sel and its evtchn_upcall_pending.
 * The guest owns evtchn_mask and evtchn_upcall_mask. Invariant kept here:
 * a port is unmasked only while it has a handler.
 */
#include "private.h"

#define NR_PORTS EVTCHN_2L_NR_CHANNELS
#define WORD_BITS 64u

struct handler {
	evtchn_handler_fn *fn; /* written last (release), read first (acquire) */
	void *data;
};

static struct handler handlers[NR_PORTS];
/* The vCPU each port notifies, as bound through this library (Xen's rule:
 * vCPU 0 unless bound with a vCPU). Dispatch only takes a vCPU's own ports. */
static uint8_t port_vcpu[NR_PORTS];

static bool port_ok(evtchn_port_t port)
{
	return port > 0 && port < NR_PORTS;
}

static uint64_t *pending_word(evtchn_port_t port)
{
	return &guest.shared->evtchn_pending[port / WORD_BITS];
}

static uint64_t *mask_word(evtchn_port_t port)
{
	return &guest.shared->evtchn_mask[port / WORD_BITS];
}

static uint64_t port_bit(evtchn_port_t port)
{
	return 1ull << (port % WORD_BITS);
}

static void mask_all(void)
{
	for (unsigned w = 0; w < NR_PORTS / WORD_BITS; w++)
		__atomic_store_n(&guest.shared->evtchn_mask[w], ~0ull, __ATOMIC_SEQ_CST);
}

void events_init(void)
{
	mask_all();
	/* vCPU 0 takes upcalls from now on; secondaries enable their own */
	__atomic_store_n(&guest.shared->vcpu_info[0].evtchn_upcall_mask, 0, __ATOMIC_SEQ_CST);
}

void evtchn_mask(evtchn_port_t port)
{
	if (port < NR_PORTS)
		__atomic_fetch_or(mask_word(port), port_bit(port), __ATOMIC_SEQ_CST);
}

bool evtchn_is_masked(evtchn_port_t port)
{
	return port < NR_PORTS &&
	       (__atomic_load_n(mask_word(port), __ATOMIC_ACQUIRE) & port_bit(port));
}

bool evtchn_is_pending(evtchn_port_t port)
{
	return port < NR_PORTS &&
	       (__atomic_load_n(pending_word(port), __ATOMIC_ACQUIRE) & port_bit(port));
}

bool evtchn_test_and_clear(evtchn_port_t port)
{
	if (port >= NR_PORTS)
		return false;
	return __atomic_fetch_and(pending_word(port), ~port_bit(port), __ATOMIC_SEQ_CST) &
	       port_bit(port);
}

/* Calls port's handler if it still has one; a pending port without a
 * handler (never expected: it would be masked) is masked and left pending. */
static void deliver(evtchn_port_t port)
{
	evtchn_handler_fn *fn = __atomic_load_n(&handlers[port].fn, __ATOMIC_ACQUIRE);

	if (!fn) {
		evtchn_mask(port);
		return;
	}
	void *data = handlers[port].data;
	if (evtchn_test_and_clear(port))
		fn(port, data);
}

/* One 2-level scan for self; returns with evtchn_upcall_pending consumed. */
static void scan(struct vcpu_local *self, struct vcpu_info *vi)
{
	struct shared_info *sh = guest.shared;

	while (__atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_ACQUIRE)) {
		__atomic_store_n(&vi->evtchn_upcall_pending, 0, __ATOMIC_SEQ_CST);
		uint64_t sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
		while (sel) {
			unsigned w = (unsigned)__builtin_ctzll(sel);
			sel &= sel - 1;
			uint64_t bits = __atomic_load_n(&sh->evtchn_pending[w], __ATOMIC_ACQUIRE) &
			                ~__atomic_load_n(&sh->evtchn_mask[w], __ATOMIC_ACQUIRE);
			while (bits) {
				evtchn_port_t port =
				    w * WORD_BITS + (unsigned)__builtin_ctzll(bits);
				bits &= bits - 1;
				if (__atomic_load_n(&port_vcpu[port], __ATOMIC_RELAXED) == self->id)
					deliver(port);
			}
		}
	}
}

void events_dispatch(struct vcpu_local *self)
{
	struct vcpu_info *vi = self->info;

	if (!vi || __atomic_load_n(&vi->evtchn_upcall_mask, __ATOMIC_RELAXED))
		return;
	/* Handlers run with upcalls masked: their own hypercalls must not
	 * dispatch again. An event raised after the last scan but before the
	 * unmask leaves upcall_pending set, hence the check after unmasking. */
	do {
		__atomic_store_n(&vi->evtchn_upcall_mask, 1, __ATOMIC_SEQ_CST);
		scan(self, vi);
		__atomic_store_n(&vi->evtchn_upcall_mask, 0, __ATOMIC_SEQ_CST);
	} while (__atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_SEQ_CST));
}

static int evtchn_op(unsigned cmd, void *arg)
{
	return (int)hypercall_event_channel_op(cmd, arg);
}

static void port_bound(evtchn_port_t port, unsigned vcpu)
{
	if (port_ok(port))
		__atomic_store_n(&port_vcpu[port], (uint8_t)vcpu, __ATOMIC_RELEASE);
}

int evtchn_alloc_unbound(domid_t remote_dom, evtchn_port_t *port)
{
	struct evtchn_alloc_unbound op = {.dom = DOMID_SELF, .remote_dom = remote_dom};
	int rc = evtchn_op(EVTCHNOP_alloc_unbound, &op);

	if (rc < 0)
		return rc;
	port_bound(op.port, 0);
	*port = op.port;
	return 0;
}

int evtchn_bind_interdomain(domid_t remote_dom, evtchn_port_t remote_port, evtchn_port_t *port)
{
	struct evtchn_bind_interdomain op = {.remote_dom = remote_dom, .remote_port = remote_port};
	int rc = evtchn_op(EVTCHNOP_bind_interdomain, &op);

	if (rc < 0)
		return rc;
	port_bound(op.local_port, 0);
	*port = op.local_port;
	return 0;
}

int evtchn_bind_virq(uint32_t virq, unsigned vcpu, evtchn_port_t *port)
{
	struct evtchn_bind_virq op = {.virq = virq, .vcpu = vcpu};
	int rc = evtchn_op(EVTCHNOP_bind_virq, &op);

	if (rc < 0)
		return rc;
	port_bound(op.port, vcpu);
	*port = op.port;
	return 0;
}

int evtchn_bind_ipi(unsigned vcpu, evtchn_port_t *port)
{
	struct evtchn_bind_ipi op = {.vcpu = vcpu};
	int rc = evtchn_op(EVTCHNOP_bind_ipi, &op);

	if (rc < 0)
		return rc;
	port_bound(op.port, vcpu);
	*port = op.port;
	return 0;
}

int evtchn_bind_vcpu(evtchn_port_t port, unsigned vcpu)
{
	struct evtchn_bind_vcpu op = {.port = port, .vcpu = vcpu};
	int rc = evtchn_op(EVTCHNOP_bind_vcpu, &op);

	if (rc < 0)
		return rc;
	port_bound(port, vcpu);
	return 0;
}

int evtchn_close(evtchn_port_t port)
{
	struct evtchn_close op = {.port = port};

	if (port_ok(port))
		evtchn_clear_handler(port);
	int rc = evtchn_op(EVTCHNOP_close, &op);
	if (rc == 0)
		port_bound(port, 0);
	return rc;
}

int evtchn_send(evtchn_port_t port)
{
	struct evtchn_send op = {.port = port};

	return evtchn_op(EVTCHNOP_send, &op);
}

int evtchn_status(domid_t dom, evtchn_port_t port, struct evtchn_status *status)
{
	*status = (struct evtchn_status){.dom = dom, .port = port};
	return evtchn_op(EVTCHNOP_status, status);
}

int evtchn_reset(void)
{
	struct evtchn_reset op = {.dom = DOMID_SELF};

	/* mask first so nothing is dispatched to a handler being dropped */
	mask_all();
	for (evtchn_port_t port = 1; port < NR_PORTS; port++) {
		__atomic_store_n(&handlers[port].fn, NULL, __ATOMIC_RELEASE);
		handlers[port].data = NULL;
	}
	int rc = evtchn_op(EVTCHNOP_reset, &op);
	if (rc == 0) {
		for (evtchn_port_t port = 1; port < NR_PORTS; port++)
			port_bound(port, 0);
		time_rebind_all();
	}
	return rc;
}

int evtchn_set_handler(evtchn_port_t port, evtchn_handler_fn *fn, void *data)
{
	if (!port_ok(port) || !fn)
		return -XEN_EINVAL;
	handlers[port].data = data;
	__atomic_store_n(&handlers[port].fn, fn, __ATOMIC_RELEASE);
	return evtchn_unmask(port);
}

void evtchn_clear_handler(evtchn_port_t port)
{
	if (!port_ok(port))
		return;
	evtchn_mask(port);
	__atomic_store_n(&handlers[port].fn, NULL, __ATOMIC_RELEASE);
	handlers[port].data = NULL;
}

int evtchn_unmask(evtchn_port_t port)
{
	struct evtchn_unmask op = {.port = port};

	return evtchn_op(EVTCHNOP_unmask, &op);
}
