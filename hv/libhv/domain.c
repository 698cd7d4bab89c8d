/* domain.c - the domain table: create, pause, shutdown, destroy, info. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hv_private.h"

static int alloc_domid(struct hv *hv, uint32_t *out)
{
	/* Round-robin from the last id handed out: ids are not reused soon,
	 * and never while the previous holder is still dying. */
	for (uint32_t n = 0; n < DOMID_FIRST_RESERVED - 1; n++) {
		uint32_t id = hv->next_domid;
		hv->next_domid = id + 1 >= DOMID_FIRST_RESERVED ? 1 : id + 1;
		if (!hv->domains[id]) {
			*out = id;
			return 0;
		}
	}
	return -1;
}

int domain_create(struct hv *hv, const struct priv_domain_create *req, struct domain **out,
		  char *err, size_t errlen)
{
	uint64_t mem = req->memory_kb * 1024ull;
	uint64_t maxmem = (req->maxmem_kb ? req->maxmem_kb : req->memory_kb) * 1024ull;

	*out = NULL;
	if (req->flags & PRIV_CREATE_HVM) {
		snprintf(err, errlen, "HVM domains are not implemented yet");
		return -EOPNOTSUPP;
	}
	if (req->flags & ~PRIV_CREATE_HVM) {
		snprintf(err, errlen, "unknown create flags 0x%x", req->flags);
		return -EINVAL;
	}
	if (req->vcpus < 1 || req->vcpus > XL_MAX_VCPUS) {
		snprintf(err, errlen, "vcpus must be between 1 and %u, not %u", XL_MAX_VCPUS,
			 req->vcpus);
		return -EINVAL;
	}
	if (req->memory_kb > XL_GUEST_MAX_BYTES / 1024 || req->maxmem_kb > XL_GUEST_MAX_BYTES / 1024) {
		snprintf(err, errlen, "memory above the %llu MiB a domain may have",
			 (unsigned long long)(XL_GUEST_MAX_BYTES >> 20));
		return -EINVAL;
	}
	if (mem < XL_GUEST_MIN_BYTES) {
		snprintf(err, errlen, "memory %llu KiB is below the minimum of %llu KiB",
			 (unsigned long long)req->memory_kb,
			 (unsigned long long)(XL_GUEST_MIN_BYTES / 1024));
		return -EINVAL;
	}
	if (maxmem < mem) {
		snprintf(err, errlen, "maxmem (%llu KiB) is below memory (%llu KiB)",
			 (unsigned long long)(maxmem / 1024), (unsigned long long)req->memory_kb);
		return -EINVAL;
	}
	mem = (mem + XL_PAGE_SIZE - 1) & ~(uint64_t)(XL_PAGE_SIZE - 1);
	maxmem = (maxmem + XL_PAGE_SIZE - 1) & ~(uint64_t)(XL_PAGE_SIZE - 1);
	if (memchr(req->name, '\0', sizeof(req->name)) == NULL) {
		snprintf(err, errlen, "domain name is not NUL-terminated within %zu bytes",
			 sizeof(req->name));
		return -EINVAL;
	}
	/* The guest can touch up to maxmem, so maxmem is what the host must hold. */
	if (maxmem > hv->host_bytes - hv->guest_bytes) {
		snprintf(err, errlen,
			 "not enough memory: the domain needs %llu MiB but only %llu MiB of host "
			 "memory is free for guests",
			 (unsigned long long)(maxmem >> 20),
			 (unsigned long long)((hv->host_bytes - hv->guest_bytes) >> 20));
		return -ENOMEM;
	}

	uint32_t domid;
	if (alloc_domid(hv, &domid) < 0) {
		snprintf(err, errlen, "no free domain id");
		return -ENOSPC;
	}
	struct domain *d = calloc(1, sizeof(*d));
	if (!d) {
		snprintf(err, errlen, "out of hypervisor memory");
		return -ENOMEM;
	}
	d->hv = hv;
	d->domid = domid;
	d->memfd = -1;
	d->state = DOM_CREATED;
	d->paused = true;
	memcpy(d->handle, req->handle, sizeof(d->handle));
	memcpy(d->name, req->name, sizeof(d->name));
	d->nr_vcpus = req->vcpus;
	d->nr_grant_frames = XL_NR_GNTTAB_FRAMES;
	d->weight = 256;
	d->create_mono_ns = hv_now_ns();
	struct timespec rt;
	clock_gettime(CLOCK_REALTIME, &rt);
	d->create_real_ns = (uint64_t)rt.tv_sec * 1000000000ull + (uint64_t)rt.tv_nsec;

	int rc = -ENOMEM;
	d->vcpus = calloc(d->nr_vcpus, sizeof(*d->vcpus));
	if (!d->vcpus || evtchn_init(d) < 0 || byte_ring_init(&d->console, HV_CONSOLE_RING) < 0) {
		snprintf(err, errlen, "out of hypervisor memory");
		goto fail;
	}
	for (uint32_t i = 0; i < d->nr_vcpus; i++) {
		d->vcpus[i].id = i;
		d->vcpus[i].wait = i == 0 ? VCPU_RUNNING : VCPU_OFFLINE;
		d->vcpus[i].online = i == 0;
		d->vcpus[i].affinity = ~0ull;
	}
	rc = mem_alloc(d, maxmem, err, errlen);
	if (rc < 0)
		goto fail;
	d->tot_pages = mem >> XL_PAGE_SHIFT;
	d->max_pages = maxmem >> XL_PAGE_SHIFT;
	d->target_pages = d->tot_pages;

	hv->domains[domid] = d;
	hv->nr_domains++;
	hv->guest_bytes += d->mem_bytes;
	hv_log(hv, "d%u: created '%s': %llu KiB, %u vCPUs", domid, d->name,
	       (unsigned long long)(mem >> 10), d->nr_vcpus);
	*out = d;
	return 0;
fail:
	mem_free(d);
	byte_ring_free(&d->console);
	evtchn_fini(d);
	free(d->vcpus);
	free(d);
	return rc;
}

int domain_build_pv(struct domain *d, const char *cmdline, char *err, size_t errlen)
{
	struct start_info *si = guest_gpa(d, (uint64_t)XL_GFN_START_INFO << XL_PAGE_SHIFT,
					  XL_PAGE_SIZE);
	struct shared_info *sh = domain_shared_info(d);
	size_t cmdlen = strnlen(cmdline, MAX_GUEST_CMDLINE);

	if (d->state != DOM_CREATED) {
		snprintf(err, errlen, "domain %u has already been built", d->domid);
		return -EBUSY;
	}
	if (cmdlen >= MAX_GUEST_CMDLINE) {
		snprintf(err, errlen, "command line longer than %d bytes", MAX_GUEST_CMDLINE - 1);
		return -EINVAL;
	}
	if (!si || !sh) {
		snprintf(err, errlen, "guest memory too small for the start pages");
		return -EINVAL;
	}
	/* the special pages start out zero; the rest of memory is left alone */
	memset(d->mem, 0, (size_t)XL_GFN_FIRST_FREE << XL_PAGE_SHIFT);
	memcpy(si->magic, XEN_START_INFO_MAGIC, sizeof(XEN_START_INFO_MAGIC));
	si->nr_pages = d->tot_pages;
	si->shared_info = (uint64_t)XL_GFN_SHARED_INFO << XL_PAGE_SHIFT;
	si->store_mfn = XL_GFN_XENSTORE;
	si->store_evtchn = 0;
	si->console.domU.mfn = XL_GFN_CONSOLE;
	si->console.domU.evtchn = 0;
	memcpy(si->cmd_line, cmdline, cmdlen + 1);

	struct xl_start_info_ext *ext = (void *)((uint8_t *)si + XL_START_INFO_EXT_OFFSET);
	ext->magic = XL_START_INFO_EXT_MAGIC;
	ext->abi_version = XENLITE_ABI_VERSION;
	ext->guest_base = XL_GUEST_BASE;
	ext->domid = d->domid;
	ext->nr_vcpus = d->nr_vcpus;
	ext->gnttab_gfn = XL_GFN_GNTTAB;
	ext->nr_gnttab_frames = d->nr_grant_frames;
	ext->image_end = 0; /* filled by the runner */
	/* vCPU 0 starts on a stack at the top of its initial reservation */
	ext->boot_stack_top = d->tot_pages << XL_PAGE_SHIFT;
	for (uint32_t i = 0; i < XEN_LEGACY_MAX_VCPUS; i++)
		sh->vcpu_info[i].evtchn_upcall_mask = 0;
	return 0;
}

int domain_pause(struct domain *d)
{
	if (d->is_dom0)
		return -EINVAL;
	if (d->state == DOM_DYING)
		return -ESRCH;
	if (d->paused)
		return 0;
	d->paused = true;
	if (d->hv->ops.domain_pause && d->state == DOM_ALIVE)
		d->hv->ops.domain_pause(d->hv, d, true);
	return 0;
}

int domain_unpause(struct domain *d)
{
	if (d->is_dom0)
		return -EINVAL;
	if (d->state == DOM_DYING)
		return -ESRCH;
	if (!d->paused)
		return 0;
	d->paused = false;
	if (d->hv->ops.domain_pause && d->state == DOM_ALIVE)
		d->hv->ops.domain_pause(d->hv, d, false);
	return 0;
}

static const char *const shutdown_names[] = {"poweroff", "reboot",   "suspend",
					     "crash",    "watchdog", "soft_reset"};

int domain_shutdown(struct domain *d, uint32_t reason)
{
	if (d->is_dom0)
		return -EINVAL;
	if (reason > SHUTDOWN_MAX)
		return -EINVAL;
	if (d->state == DOM_DYING)
		return -ESRCH;
	if (d->state == DOM_SHUTDOWN)
		return 0; /* the first reason stands, as in Xen */
	d->state = DOM_SHUTDOWN;
	d->shutdown_reason = (uint8_t)reason;
	for (uint32_t i = 0; i < d->nr_vcpus; i++) {
		d->vcpus[i].wait = VCPU_OFFLINE;
		d->vcpus[i].timer_ns = 0;
	}
	hv_log(d->hv, "d%u: shut down: %s", d->domid, shutdown_names[reason]);
	if (d->hv->ops.domain_shutdown)
		d->hv->ops.domain_shutdown(d->hv, d);
	evtchn_send_virq(hv_dom0(d->hv), VIRQ_DOM_EXC);
	return 0;
}

void domain_runner_exited(struct domain *d, bool crashed, uint64_t cpu_ns)
{
	d->cpu_time_ns += cpu_ns;
	d->runner_pid = 0;
	for (uint32_t i = 0; i < d->nr_vcpus; i++)
		d->vcpus[i].tid = 0;
	if (d->state == DOM_ALIVE || d->state == DOM_CREATED) {
		/* A runner that leaves without SCHEDOP_shutdown has crashed. */
		hv_log(d->hv, "d%u: runner exited %s", d->domid,
		       crashed ? "on a fatal signal" : "without shutting down");
		domain_shutdown(d, SHUTDOWN_crash);
	} else if (d->state == DOM_DYING) {
		domain_reap(d);
	}
}

int domain_destroy(struct domain *d)
{
	if (d->is_dom0)
		return -EPERM;
	if (d->state == DOM_DYING)
		return 0;
	d->state = DOM_DYING;
	hv_log(d->hv, "d%u: destroyed", d->domid);
	if (d->hv->ops.domain_destroy)
		d->hv->ops.domain_destroy(d->hv, d);
	evtchn_fini(d); /* closes every port: peers see their ends unbound */
	evtchn_send_virq(hv_dom0(d->hv), VIRQ_DOM_EXC);
	domain_reap(d);
	return 0;
}

void domain_reap(struct domain *d)
{
	struct hv *hv = d->hv;

	if (d->state != DOM_DYING || d->runner_pid > 0 || d->grant_maps > 0)
		return;
	hv->domains[d->domid] = NULL;
	hv->nr_domains--;
	hv->guest_bytes -= d->mem_bytes;
	hv_log(hv, "d%u: released", d->domid);
	mem_free(d);
	byte_ring_free(&d->console);
	evtchn_fini(d);
	free(d->vcpus);
	free(d);
	evtchn_send_virq(hv_dom0(hv), VIRQ_DOM_EXC);
}

/* Reads a host thread's run time (first field of schedstat, in ns). */
static uint64_t task_cpu_ns(pid_t pid, pid_t tid)
{
	char path[64];
	unsigned long long ns = 0;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/schedstat", (int)pid, (int)tid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%llu", &ns) != 1)
		ns = 0;
	fclose(f);
	return ns;
}

uint64_t vcpu_cpu_ns(struct domain *d, struct vcpu *v)
{
	if (d->runner_pid <= 0 || v->tid <= 0)
		return 0;
	return task_cpu_ns(d->runner_pid, v->tid);
}

void domain_getinfo(struct domain *d, struct priv_dominfo *info)
{
	bool any_running = false, all_blocked = true;
	uint64_t cpu = d->cpu_time_ns;

	memset(info, 0, sizeof(*info));
	info->domid = d->domid;
	for (uint32_t i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *v = &d->vcpus[i];
		if (!v->online)
			continue;
		info->nr_online_vcpus++;
		if (v->wait == VCPU_RUNNING)
			any_running = true;
		if (v->wait != VCPU_BLOCKED && v->wait != VCPU_POLLING)
			all_blocked = false;
		cpu += vcpu_cpu_ns(d, v);
	}
	if (d->is_dom0) {
		info->flags = XEN_DOMINF_running;
		info->nr_online_vcpus = d->nr_vcpus;
	} else if (d->state == DOM_DYING) {
		info->flags = XEN_DOMINF_dying;
	} else if (d->state == DOM_SHUTDOWN) {
		info->flags = XEN_DOMINF_shutdown |
			      ((uint32_t)d->shutdown_reason << XEN_DOMINF_shutdownshift);
	} else {
		if (d->paused)
			info->flags |= XEN_DOMINF_paused;
		else if (d->state == DOM_ALIVE && all_blocked && info->nr_online_vcpus)
			info->flags |= XEN_DOMINF_blocked;
		else if (d->state == DOM_ALIVE && any_running)
			info->flags |= XEN_DOMINF_running;
	}
	info->tot_pages = d->tot_pages;
	info->max_pages = d->max_pages;
	info->target_pages = d->target_pages;
	info->cpu_time_ns = cpu;
	info->create_time_ns = d->create_real_ns;
	info->max_vcpu_id = d->nr_vcpus ? d->nr_vcpus - 1 : 0;
	info->runner_pid = d->runner_pid;
	memcpy(info->handle, d->handle, sizeof(info->handle));
	memcpy(info->name, d->name, sizeof(info->name));
}

int domain_setmaxmem(struct domain *d, uint64_t kb, char *err, size_t errlen)
{
	uint64_t pages = (kb * 1024ull + XL_PAGE_SIZE - 1) >> XL_PAGE_SHIFT;

	if (d->is_dom0) {
		snprintf(err, errlen, "Domain-0's memory is not managed by hv");
		return -EINVAL;
	}
	if (kb > XL_GUEST_MAX_BYTES / 1024) {
		snprintf(err, errlen, "maxmem above the %llu MiB a domain may have",
			 (unsigned long long)(XL_GUEST_MAX_BYTES >> 20));
		return -EINVAL;
	}
	if (pages < d->tot_pages) {
		snprintf(err, errlen, "maxmem %llu KiB is below the current reservation %llu KiB",
			 (unsigned long long)kb, (unsigned long long)(d->tot_pages << 2));
		return -EINVAL;
	}
	/* The memory object is sized at create; it can shrink the limit but
	 * not grow beyond what was mapped for the guest. */
	if (pages << XL_PAGE_SHIFT > d->mem_bytes) {
		snprintf(err, errlen,
			 "maxmem can only be raised up to the %llu KiB set when the domain was "
			 "created",
			 (unsigned long long)(d->mem_bytes >> 10));
		return -EINVAL;
	}
	d->max_pages = pages;
	if (d->target_pages > pages)
		d->target_pages = pages;
	return 0;
}

int domain_settarget(struct domain *d, uint64_t kb)
{
	uint64_t pages = (kb * 1024ull) >> XL_PAGE_SHIFT;

	if (d->is_dom0 || kb > XL_GUEST_MAX_BYTES / 1024)
		return -EINVAL;
	if (pages > d->max_pages)
		return -EINVAL;
	d->target_pages = pages;
	return 0;
}

uint64_t domain_system_time(const struct domain *d)
{
	return hv_now_ns() - d->create_mono_ns;
}
