/* sandbox.c - confining the runner: limits, chroot, namespaces, ids,
 * no_new_privs, parent-death signal, standard descriptors. */
#include "sandbox.h"

#include <errno.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

static int failed(char *msg, size_t msglen, const char *what)
{
	int e = errno;

	snprintf(msg, msglen, "sandbox: %s: %s", what, strerror(e));
	return -e;
}

static int enter_namespaces(const struct pvrun_config *cfg, char *msg, size_t msglen)
{
	/* A network namespace costs ~0.5 ms to make (and more to destroy):
	 * hvd makes one empty namespace once and passes it to every runner. */
	if (cfg->netns_fd >= 0) {
		if (setns(cfg->netns_fd, CLONE_NEWNET) < 0)
			return failed(msg, msglen, "cannot join the network namespace");
		close(cfg->netns_fd);
	}
	int flags = CLONE_NEWIPC | CLONE_NEWUTS | (cfg->netns_fd < 0 ? CLONE_NEWNET : 0);
	if (unshare(flags) < 0 && !(errno == EPERM && geteuid() != 0))
		return failed(msg, msglen, "cannot make namespaces");
	return 0;
}

static int drop_ids(const struct pvrun_config *cfg, char *msg, size_t msglen)
{
	uid_t r, e, s;
	gid_t gr, ge, gs;

	if (setgroups(0, NULL) < 0)
		return failed(msg, msglen, "cannot drop supplementary groups");
	if (setresgid(cfg->gid, cfg->gid, cfg->gid) < 0)
		return failed(msg, msglen, "cannot set the group id");
	if (setresuid(cfg->uid, cfg->uid, cfg->uid) < 0)
		return failed(msg, msglen, "cannot set the user id");
	if (getresuid(&r, &e, &s) < 0 || r != cfg->uid || e != cfg->uid || s != cfg->uid ||
	    getresgid(&gr, &ge, &gs) < 0 || gr != cfg->gid || ge != cfg->gid || gs != cfg->gid) {
		snprintf(msg, msglen, "sandbox: the ids did not change to %u:%u",
		         (unsigned)cfg->uid, (unsigned)cfg->gid);
		return -EPERM;
	}
	return 0;
}

int sandbox_confine(const struct pvrun_config *cfg, pid_t parent, char *msg, size_t msglen)
{
	static const struct rlimit no_core = {0, 0};

	if (setrlimit(RLIMIT_CORE, &no_core) < 0)
		return failed(msg, msglen, "cannot disable core dumps");
	if (cfg->chroot_dir && (chroot(cfg->chroot_dir) < 0 || chdir("/") < 0)) {
		int e = errno;
		snprintf(msg, msglen, "sandbox: cannot chroot to %.160s: %s", cfg->chroot_dir,
		         strerror(e));
		return -e;
	}
	int rc = enter_namespaces(cfg, msg, msglen);
	if (rc < 0)
		return rc;
	if (cfg->set_ids && (rc = drop_ids(cfg, msg, msglen)) < 0)
		return rc;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return failed(msg, msglen, "cannot set no_new_privs");
	/* after the id change, which clears it; a domain whose hvd is gone
	 * has no hypervisor and must not spin on the CPU forever */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		return failed(msg, msglen, "cannot set the parent-death signal");
	if (getppid() != parent) {
		snprintf(msg, msglen, "sandbox: hvd (pid %d) has exited", (int)parent);
		return -ESRCH;
	}
	/* the guest gets no descriptor but its channels */
	if (close_range(0, 2, 0) < 0)
		return failed(msg, msglen, "cannot close the standard descriptors");
	return 0;
}
