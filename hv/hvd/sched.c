/* sched.c - vCPU scheduling through the host: affinity with
 * sched_setaffinity, weight and cap with the cpu cgroup controller. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hvd.h"

static int write_file(const char *dir, const char *name, const char *val)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = write(fd, val, strlen(val));
	int e = errno;
	close(fd);
	return n < 0 ? -e : 0;
}

/* Each hvd gets its own cgroup so several roots (tests) never collide. */
void sched_init(struct hvd *h)
{
	char buf[256];
	const char *v2 = "/sys/fs/cgroup";
	h->cgroup_dir[0] = '\0';

	FILE *f = fopen("/sys/fs/cgroup/cgroup.controllers", "r");
	if (f) {
		if (fgets(buf, sizeof(buf), f) && strstr(buf, "cpu")) {
			snprintf(h->cgroup_dir, sizeof(h->cgroup_dir), "%s/xenlite-%d", v2,
				 (int)getpid());
			h->cgroup_v2 = 1;
		}
		fclose(f);
	} else if (access("/sys/fs/cgroup/cpu/cpu.shares", W_OK) == 0 ||
		   access("/sys/fs/cgroup/cpu/tasks", W_OK) == 0) {
		snprintf(h->cgroup_dir, sizeof(h->cgroup_dir), "/sys/fs/cgroup/cpu/xenlite-%d",
			 (int)getpid());
	}
	if (h->cgroup_dir[0] && mkdir(h->cgroup_dir, 0755) < 0 && errno != EEXIST) {
		hvd_log(h, "no cpu cgroup (%s): weight and cap are not available",
			strerror(errno));
		h->cgroup_dir[0] = '\0';
	}
	if (h->cgroup_dir[0] && h->cgroup_v2)
		write_file(h->cgroup_dir, "cgroup.subtree_control", "+cpu");
}

void sched_fini(struct hvd *h)
{
	if (h->cgroup_dir[0])
		rmdir(h->cgroup_dir);
}

static void dom_cgroup(struct hvd *h, struct domain *d, char *out, size_t len)
{
	snprintf(out, len, "%s/d%u", h->cgroup_dir, d->domid);
}

static int apply(struct hvd *h, struct domain *d)
{
	char dir[4200], val[64];
	int rc;

	dom_cgroup(h, d, dir, sizeof(dir));
	if (h->cgroup_v2) {
		/* cpu.weight 1..10000, 100 default; Xen's 256 maps to 100 */
		unsigned w = (unsigned)((uint64_t)d->weight * 100 / 256);
		snprintf(val, sizeof(val), "%u", w < 1 ? 1 : w > 10000 ? 10000 : w);
		if ((rc = write_file(dir, "cpu.weight", val)) < 0)
			return rc;
		if (d->cap)
			snprintf(val, sizeof(val), "%u 100000", d->cap * 1000);
		else
			snprintf(val, sizeof(val), "max 100000");
		return write_file(dir, "cpu.max", val);
	}
	/* cpu.shares: 1024 is the default, as 256 is Xen's */
	snprintf(val, sizeof(val), "%u", (unsigned)((uint64_t)d->weight * 1024 / 256) < 2 ? 2
				     : (unsigned)((uint64_t)d->weight * 1024 / 256));
	if ((rc = write_file(dir, "cpu.shares", val)) < 0)
		return rc;
	if ((rc = write_file(dir, "cpu.cfs_period_us", "100000")) < 0)
		return rc;
	snprintf(val, sizeof(val), "%lld", d->cap ? (long long)d->cap * 1000 : -1ll);
	return write_file(dir, "cpu.cfs_quota_us", val);
}

/* Moves the runner into its own cgroup and applies weight and cap. */
static int cgroup_join(struct hvd *h, struct domain *d)
{
	char dir[4200], val[32];
	struct dom_priv *p = d->priv;

	dom_cgroup(h, d, dir, sizeof(dir));
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	snprintf(val, sizeof(val), "%d", (int)d->runner_pid);
	int rc = write_file(dir, "cgroup.procs", val);
	if (rc < 0) {
		rmdir(dir);
		return rc;
	}
	p->cgroup_ok = 1;
	return apply(h, d);
}

int sched_attach(struct hvd *h, struct domain *d)
{
	for (uint32_t i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *v = &d->vcpus[i];
		if (v->tid > 0 && v->affinity != ~0ull) {
			cpu_set_t set;
			CPU_ZERO(&set);
			for (int c = 0; c < 64; c++)
				if (v->affinity & (1ull << c))
					CPU_SET(c, &set);
			sched_setaffinity(v->tid, sizeof(set), &set);
		}
	}
	/* Default weight and no cap need no cgroup: keep creation cheap. */
	if (!h->cgroup_dir[0] || (d->weight == 256 && d->cap == 0))
		return 0;
	return cgroup_join(h, d);
}

void sched_detach(struct hvd *h, struct domain *d)
{
	char dir[4200];
	struct dom_priv *p = d->priv;

	if (!h->cgroup_dir[0] || !p || !p->cgroup_ok)
		return;
	dom_cgroup(h, d, dir, sizeof(dir));
	/* the runner may still be exiting; rmdir succeeds once it is gone */
	if (rmdir(dir) == 0)
		p->cgroup_ok = 0;
}

int sched_set(struct hvd *h, struct domain *d, uint32_t weight, uint32_t cap, char *err,
	      size_t errlen)
{
	struct dom_priv *p = d->priv;
	uint32_t ow = d->weight, oc = d->cap;

	if (!h->cgroup_dir[0] && (weight != 256 || cap != 0)) {
		snprintf(err, errlen,
			 "this host has no writable cpu cgroup controller: weight and cap cannot "
			 "be enforced");
		return -EOPNOTSUPP;
	}
	d->weight = weight;
	d->cap = cap;
	if (p && p->ready && d->runner_pid > 0) {
		int rc = p->cgroup_ok ? apply(h, d) : cgroup_join(h, d);
		if (rc < 0) {
			d->weight = ow;
			d->cap = oc;
			snprintf(err, errlen, "cannot apply weight/cap to the cgroup: %s",
				 strerror(-rc));
			return rc;
		}
	}
	return 0;
}

int sched_set_affinity(struct hvd *h, struct domain *d, struct vcpu *v, uint64_t map, char *err,
		       size_t errlen)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t valid = ncpu >= 64 ? ~0ull : ((1ull << ncpu) - 1);

	(void)h;
	if ((map & valid) == 0) {
		snprintf(err, errlen, "CPU map 0x%llx names no online host CPU (there are %ld)",
			 (unsigned long long)map, ncpu);
		return -EINVAL;
	}
	if (v->tid > 0 && d->runner_pid > 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		for (int c = 0; c < 64; c++)
			if (map & valid & (1ull << c))
				CPU_SET(c, &set);
		if (sched_setaffinity(v->tid, sizeof(set), &set) < 0) {
			int e = errno;
			snprintf(err, errlen, "sched_setaffinity: %s", strerror(e));
			return -e;
		}
	}
	v->affinity = map & valid;
	return 0;
}
