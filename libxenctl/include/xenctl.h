/* xenctl.h - libxenctl: the Dom0 library over hv's privileged interface.
 *
 * An opaque handle per connection to hvd. Every call returns 0 (or a
 * non-negative value) on success and -1 with errno set on failure; the
 * reason hv gave is then available from xenctl_last_error(). The library
 * never logs and never exits. A handle is not thread-safe: use one per
 * thread. Event channel ports bound through a handle belong to it and are
 * closed when it is closed; so are grant mappings.
 */
#ifndef XENCTL_H
#define XENCTL_H

#include <stddef.h>
#include <stdint.h>

#include <xenlite/event_channel.h>
#include <xenlite/grant_table.h>
#include <xenlite/privcmd.h>
#include <xenlite/xen.h>

typedef struct xenctl_handle xenctl_handle;

/* root: the --root directory (NULL = $XENLITE_ROOT, else "/"). */
xenctl_handle *xenctl_open(const char *root);
void xenctl_close(xenctl_handle *h); /* accepts NULL */
const char *xenctl_last_error(const xenctl_handle *h);

int xenctl_version(xenctl_handle *h, struct priv_version *out);
int xenctl_physinfo(xenctl_handle *h, struct priv_physinfo *out);

struct xenctl_domain_config {
	uint64_t memory_kb;
	uint64_t maxmem_kb; /* 0 = memory_kb */
	uint32_t vcpus;
	uint8_t uuid[16];
	const char *name;   /* may be NULL */
};

int xenctl_domain_create(xenctl_handle *h, const struct xenctl_domain_config *cfg,
			 uint32_t *domid);
/* Loads the PV kernel (a Xenlite guest ELF) into a created domain and starts
 * its runner; the domain stays paused until xenctl_domain_unpause. */
int xenctl_domain_launch_pv(xenctl_handle *h, uint32_t domid, const char *kernel,
			    const char *cmdline);
int xenctl_domain_pause(xenctl_handle *h, uint32_t domid);
int xenctl_domain_unpause(xenctl_handle *h, uint32_t domid);
int xenctl_domain_shutdown(xenctl_handle *h, uint32_t domid, uint32_t reason);
int xenctl_domain_destroy(xenctl_handle *h, uint32_t domid);
int xenctl_domain_getinfo(xenctl_handle *h, uint32_t domid, struct priv_dominfo *info);
/* Fills up to max entries with domains whose id >= first; returns count. */
int xenctl_domain_list(xenctl_handle *h, uint32_t first, struct priv_dominfo *info,
		       uint32_t max);
int xenctl_domain_setmaxmem(xenctl_handle *h, uint32_t domid, uint64_t kb);
int xenctl_domain_settarget(xenctl_handle *h, uint32_t domid, uint64_t kb);
int xenctl_vcpu_getinfo(xenctl_handle *h, uint32_t domid, uint32_t vcpu,
			struct priv_vcpuinfo *info);
int xenctl_vcpu_setaffinity(xenctl_handle *h, uint32_t domid, uint32_t vcpu, uint64_t cpumap);
int xenctl_sched_get(xenctl_handle *h, uint32_t domid, uint32_t *weight, uint32_t *cap);
int xenctl_sched_set(xenctl_handle *h, uint32_t domid, uint32_t weight, uint32_t cap);

/* Event channels. xenctl_evtchn_fd() returns a pollable fd that becomes
 * readable when a port bound through this handle fires; read the port with
 * xenctl_evtchn_pending() and re-arm it with xenctl_evtchn_unmask(). */
int xenctl_evtchn_fd(xenctl_handle *h);
int xenctl_evtchn_pending(xenctl_handle *h); /* -> port, or -1/EAGAIN */
int xenctl_evtchn_unmask(xenctl_handle *h, evtchn_port_t port);
int xenctl_evtchn_bind_virq(xenctl_handle *h, uint32_t virq);
int xenctl_evtchn_bind_interdomain(xenctl_handle *h, uint32_t domid, evtchn_port_t remote);
/* Allocates an unbound port on domain dom (0 = Dom0) accepting remote. */
int xenctl_evtchn_alloc_unbound(xenctl_handle *h, uint32_t dom, uint32_t remote);
int xenctl_evtchn_notify(xenctl_handle *h, evtchn_port_t port);
int xenctl_evtchn_unbind(xenctl_handle *h, evtchn_port_t port);
int xenctl_evtchn_status(xenctl_handle *h, struct evtchn_status *st);
int xenctl_evtchn_reset(xenctl_handle *h, uint32_t domid);

/* Grants: map one page granted to Dom0; NULL and errno on failure. */
void *xenctl_gnttab_map(xenctl_handle *h, uint32_t domid, grant_ref_t ref, int writable);
int xenctl_gnttab_unmap(xenctl_handle *h, void *addr);
/* Grant copies between Dom0 buffers and guest grants: for a side with
 * domid DOMID_SELF, u.gmfn is an offset into buf (at most 64 KiB). */
int xenctl_gnttab_copy(xenctl_handle *h, struct gnttab_copy *ops, uint32_t count, void *buf,
		       size_t buf_len);

/* Console and hypervisor log. *offset is the stream position to read from;
 * it is advanced past what was returned. Returns bytes read. */
int xenctl_console_read(xenctl_handle *h, uint32_t domid, uint64_t *offset, char *buf,
			size_t len);
int xenctl_dmesg_read(xenctl_handle *h, uint64_t *offset, char *buf, size_t len, int clear);

#endif
