/* domain.c - libxenctl: domain and vCPU control, host information. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "private.h"

int xenctl_version(xenctl_handle *h, struct priv_version *out)
{
	return ctl_call(h, PRIV_VERSION, NULL, 0, -1, out, sizeof(*out), NULL, NULL);
}

int xenctl_physinfo(xenctl_handle *h, struct priv_physinfo *out)
{
	return ctl_call(h, PRIV_PHYSINFO, NULL, 0, -1, out, sizeof(*out), NULL, NULL);
}

int xenctl_domain_create(xenctl_handle *h, const struct xenctl_domain_config *cfg,
			 uint32_t *domid)
{
	struct priv_domain_create req;
	struct priv_domid out;

	memset(&req, 0, sizeof(req));
	req.memory_kb = cfg->memory_kb;
	req.maxmem_kb = cfg->maxmem_kb;
	req.vcpus = cfg->vcpus;
	memcpy(req.handle, cfg->uuid, sizeof(req.handle));
	if (cfg->name) {
		if (strlen(cfg->name) >= sizeof(req.name)) {
			ctl_error(h, ENAMETOOLONG, "domain name longer than %zu bytes",
					 sizeof(req.name) - 1);
			return -1;
		}
		strcpy(req.name, cfg->name);
	}
	if (ctl_call(h, PRIV_DOMAIN_CREATE, &req, sizeof(req), -1, &out, sizeof(out), NULL,
			NULL) < 0)
		return -1;
	*domid = out.domid;
	return 0;
}

int xenctl_domain_launch_pv(xenctl_handle *h, uint32_t domid, const char *kernel,
			    const char *cmdline)
{
	struct priv_launch_pv req;

	memset(&req, 0, sizeof(req));
	req.domid = domid;
	if (cmdline) {
		if (strlen(cmdline) >= sizeof(req.cmdline)) {
			ctl_error(h, E2BIG, "command line longer than %zu bytes",
					 sizeof(req.cmdline) - 1);
			return -1;
		}
		strcpy(req.cmdline, cmdline);
	}
	int fd = open(kernel, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ctl_error(h, errno, "kernel %s: %s", kernel, strerror(errno));
		return -1;
	}
	int rc = ctl_call(h, PRIV_DOMAIN_LAUNCH_PV, &req, sizeof(req), fd, NULL, 0, NULL, NULL);
	close(fd);
	return rc;
}

static int domid_op(xenctl_handle *h, uint32_t op, uint32_t domid)
{
	struct priv_domid req = {.domid = domid};
	return ctl_call(h, op, &req, sizeof(req), -1, NULL, 0, NULL, NULL);
}

int xenctl_domain_pause(xenctl_handle *h, uint32_t domid)
{
	return domid_op(h, PRIV_DOMAIN_PAUSE, domid);
}

int xenctl_domain_unpause(xenctl_handle *h, uint32_t domid)
{
	return domid_op(h, PRIV_DOMAIN_UNPAUSE, domid);
}

int xenctl_domain_destroy(xenctl_handle *h, uint32_t domid)
{
	return domid_op(h, PRIV_DOMAIN_DESTROY, domid);
}

int xenctl_domain_shutdown(xenctl_handle *h, uint32_t domid, uint32_t reason)
{
	struct priv_domain_shutdown req = {.domid = domid, .reason = reason};
	return ctl_call(h, PRIV_DOMAIN_SHUTDOWN, &req, sizeof(req), -1, NULL, 0, NULL, NULL);
}

int xenctl_domain_getinfo(xenctl_handle *h, uint32_t domid, struct priv_dominfo *info)
{
	struct priv_domid req = {.domid = domid};
	return ctl_call(h, PRIV_DOMAIN_GETINFO, &req, sizeof(req), -1, info, sizeof(*info),
			   NULL, NULL);
}

int xenctl_domain_list(xenctl_handle *h, uint32_t first, struct priv_dominfo *info,
		       uint32_t max)
{
	uint32_t n = 0;

	/* hv answers at most PRIV_LIST_MAX per request */
	while (n < max) {
		uint32_t want = max - n > PRIV_LIST_MAX ? PRIV_LIST_MAX : max - n;
		struct priv_domain_list req = {.first_domid = first, .max = want};
		size_t got;
		if (ctl_call(h, PRIV_DOMAIN_LIST, &req, sizeof(req), -1, info + n,
				want * sizeof(*info), &got, NULL) < 0)
			return -1;
		uint32_t cnt = (uint32_t)(got / sizeof(*info));
		n += cnt;
		if (cnt < want)
			break;
		first = info[n - 1].domid + 1;
	}
	return (int)n;
}

static int mem_op(xenctl_handle *h, uint32_t op, uint32_t domid, uint64_t kb)
{
	struct priv_domain_mem req = {.domid = domid, .kb = kb};
	return ctl_call(h, op, &req, sizeof(req), -1, NULL, 0, NULL, NULL);
}

int xenctl_domain_setmaxmem(xenctl_handle *h, uint32_t domid, uint64_t kb)
{
	return mem_op(h, PRIV_DOMAIN_SETMAXMEM, domid, kb);
}

int xenctl_domain_settarget(xenctl_handle *h, uint32_t domid, uint64_t kb)
{
	return mem_op(h, PRIV_DOMAIN_SETTARGET, domid, kb);
}

int xenctl_vcpu_getinfo(xenctl_handle *h, uint32_t domid, uint32_t vcpu,
			struct priv_vcpuinfo *info)
{
	struct priv_vcpu req = {.domid = domid, .vcpu = vcpu};
	return ctl_call(h, PRIV_VCPU_GETINFO, &req, sizeof(req), -1, info, sizeof(*info), NULL,
			   NULL);
}

int xenctl_vcpu_setaffinity(xenctl_handle *h, uint32_t domid, uint32_t vcpu, uint64_t cpumap)
{
	struct priv_vcpu_affinity req = {.domid = domid, .vcpu = vcpu, .cpumap = cpumap};
	return ctl_call(h, PRIV_VCPU_SETAFFINITY, &req, sizeof(req), -1, NULL, 0, NULL, NULL);
}

int xenctl_sched_get(xenctl_handle *h, uint32_t domid, uint32_t *weight, uint32_t *cap)
{
	struct priv_domid req = {.domid = domid};
	struct priv_sched out;
	if (ctl_call(h, PRIV_SCHED_GET, &req, sizeof(req), -1, &out, sizeof(out), NULL, NULL) <
	    0)
		return -1;
	*weight = out.weight;
	*cap = out.cap;
	return 0;
}

int xenctl_sched_set(xenctl_handle *h, uint32_t domid, uint32_t weight, uint32_t cap)
{
	struct priv_sched req = {.domid = domid, .weight = weight, .cap = cap};
	return ctl_call(h, PRIV_SCHED_SET, &req, sizeof(req), -1, NULL, 0, NULL, NULL);
}
