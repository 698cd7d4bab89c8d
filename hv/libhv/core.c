/* core.c - creation of the hypervisor state, Dom0, the log ring, physinfo. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "hv_private.h"

uint64_t hv_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t host_memory_bytes(void)
{
	long pages = sysconf(_SC_PHYS_PAGES);
	long psize = sysconf(_SC_PAGESIZE);

	if (pages <= 0 || psize <= 0)
		return 0;
	return (uint64_t)pages * (uint64_t)psize;
}

struct hv *hv_create(const struct hv_config *cfg, const struct hv_ops *ops)
{
	struct hv *hv = calloc(1, sizeof(*hv));

	if (!hv)
		return NULL;
	if (ops)
		hv->ops = *ops;
	hv->boot_mono_ns = hv_now_ns();
	hv->next_domid = 1;

	if (cfg && cfg->host_bytes) {
		/* an explicit amount for guests, e.g. hvd --guest-memory */
		hv->host_bytes = cfg->host_bytes;
	} else {
		/* Dom0 keeps a reserve: by default 1/8 of the host, >= 256 MiB */
		uint64_t host = host_memory_bytes();
		uint64_t reserve = cfg && cfg->dom0_reserve_bytes ? cfg->dom0_reserve_bytes
								  : host / 8;
		if (!(cfg && cfg->dom0_reserve_bytes) && reserve < (256ull << 20))
			reserve = 256ull << 20;
		hv->host_bytes = host > reserve ? host - reserve : 0;
	}

	if (byte_ring_init(&hv->dmesg, HV_DMESG_RING) < 0)
		goto fail;

	struct domain *d0 = calloc(1, sizeof(*d0));
	if (!d0)
		goto fail;
	d0->hv = hv;
	d0->domid = 0;
	d0->is_dom0 = true;
	d0->state = DOM_ALIVE;
	d0->memfd = -1;
	snprintf(d0->name, sizeof(d0->name), "Domain-0");
	d0->nr_vcpus = (uint32_t)sysconf(_SC_NPROCESSORS_ONLN);
	if (d0->nr_vcpus == 0 || d0->nr_vcpus > XL_MAX_VCPUS)
		d0->nr_vcpus = 1;
	d0->vcpus = calloc(d0->nr_vcpus, sizeof(*d0->vcpus));
	d0->weight = 256;
	d0->create_mono_ns = hv->boot_mono_ns;
	struct timespec rt;
	clock_gettime(CLOCK_REALTIME, &rt);
	d0->create_real_ns = (uint64_t)rt.tv_sec * 1000000000ull + (uint64_t)rt.tv_nsec;
	if (!d0->vcpus || evtchn_init(d0) < 0 || byte_ring_init(&d0->console, HV_CONSOLE_RING) < 0) {
		free(d0->vcpus);
		free(d0->evtchn);
		free(d0);
		goto fail;
	}
	for (uint32_t i = 0; i < d0->nr_vcpus; i++) {
		d0->vcpus[i].id = i;
		d0->vcpus[i].online = true;
	}
	hv->domains[0] = d0;
	hv->nr_domains = 1;
	hv_log(hv, "Xenlite hypervisor %u.%u (ABI %u) started: %llu MiB for guests", 4, 17,
	       XENLITE_ABI_VERSION, (unsigned long long)(hv->host_bytes >> 20));
	return hv;
fail:
	byte_ring_free(&hv->dmesg);
	free(hv);
	return NULL;
}

void hv_free(struct hv *hv)
{
	if (!hv)
		return;
	for (uint32_t id = 1; id < DOMID_FIRST_RESERVED; id++) {
		struct domain *d = hv->domains[id];
		if (!d)
			continue;
		if (d->state != DOM_DYING)
			domain_destroy(d);
		d = hv->domains[id]; /* destroy frees a domain nothing holds */
		if (!d)
			continue;
		/* the host is going away: nothing can hold the domain any more */
		d->runner_pid = 0;
		d->grant_maps = 0;
		domain_reap(d);
	}
	struct domain *d0 = hv->domains[0];
	if (d0) {
		evtchn_fini(d0);
		byte_ring_free(&d0->console);
		free(d0->vcpus);
		free(d0);
	}
	gnttab_maps_fini(&hv->maps);
	byte_ring_free(&hv->dmesg);
	free(hv);
}

void *hv_ops_ctx(struct hv *hv)
{
	return hv->ops.ctx;
}

const struct hv_ops *hv_ops(struct hv *hv)
{
	return &hv->ops;
}

struct gnttab_maps *hv_gnttab_maps(struct hv *hv)
{
	return &hv->maps;
}

struct byte_ring *hv_dmesg(struct hv *hv)
{
	return &hv->dmesg;
}

/* Appends one line in Xen's dmesg style: "(XEN) [    1.234567] text". */
void hv_log(struct hv *hv, const char *fmt, ...)
{
	char line[512];
	uint64_t t = hv_now_ns() - hv->boot_mono_ns;
	int n = snprintf(line, sizeof(line), "(XEN) [%5llu.%06llu] ",
			 (unsigned long long)(t / 1000000000ull),
			 (unsigned long long)(t % 1000000000ull / 1000ull));
	va_list ap;
	va_start(ap, fmt);
	int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;
	line[len++] = '\n';
	byte_ring_write(&hv->dmesg, line, len);
	if (hv->domains[0])
		evtchn_send_virq(hv->domains[0], VIRQ_CON_RING);
}

static uint32_t cpu_khz(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char buf[256];
	double mhz = 0;

	if (!f)
		return 0;
	while (fgets(buf, sizeof(buf), f))
		if (sscanf(buf, "cpu MHz : %lf", &mhz) == 1)
			break;
	fclose(f);
	return (uint32_t)(mhz * 1000.0);
}

void hv_physinfo(struct hv *hv, struct priv_physinfo *pi)
{
	struct utsname u;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	memset(pi, 0, sizeof(*pi));
	pi->nr_cpus = ncpu > 0 ? (uint32_t)ncpu : 1;
	pi->max_cpu_id = pi->nr_cpus - 1;
	pi->nr_nodes = 1;
	pi->cores_per_socket = pi->nr_cpus;
	pi->threads_per_core = 1;
	pi->cpu_khz = cpu_khz();
	pi->page_size = (uint32_t)XL_PAGE_SIZE;
	pi->total_pages = hv->host_bytes >> XL_PAGE_SHIFT;
	pi->guest_pages = hv->guest_bytes >> XL_PAGE_SHIFT;
	pi->free_pages = pi->total_pages - pi->guest_pages;
	pi->nr_domains = hv->nr_domains;
	if (uname(&u) == 0) {
		/* over-long names are cut, which is fine for display */
		if (snprintf(pi->host, sizeof(pi->host), "%s", u.nodename) >= (int)sizeof(pi->host) ||
		    snprintf(pi->release, sizeof(pi->release), "%s", u.release) >=
			    (int)sizeof(pi->release) ||
		    snprintf(pi->machine, sizeof(pi->machine), "%s", u.machine) >=
			    (int)sizeof(pi->machine))
			pi->host[sizeof(pi->host) - 1] = '\0';
	}
}

struct domain *hv_domain(struct hv *hv, uint32_t domid)
{
	if (domid >= DOMID_FIRST_RESERVED)
		return NULL;
	return hv->domains[domid];
}

struct domain *hv_dom0(struct hv *hv)
{
	return hv->domains[0];
}

struct domain *hv_domain_next(struct hv *hv, uint32_t first)
{
	for (uint32_t id = first; id < DOMID_FIRST_RESERVED; id++)
		if (hv->domains[id])
			return hv->domains[id];
	return NULL;
}
