/* seccomp.c - the runner's system-call allowlist: each vCPU channel may be
 * read and written, time may be read, threads and the process may exit. */
#include <errno.h>
#include <malloc.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>

#include "sandbox.h"

static int rule(scmp_filter_ctx ctx, int nr, unsigned nargs, const struct scmp_arg_cmp *arg)
{
	return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, nargs, arg);
}

int sandbox_seccomp(uint32_t nr_vcpus, char *msg, size_t msglen)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	int rc;

	if (!ctx) {
		snprintf(msg, msglen, "sandbox: cannot make a seccomp filter");
		return -ENOMEM;
	}
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	if (rc == 0)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	/* libseccomp cannot bound one argument from both sides in a rule:
	 * one rule per channel descriptor */
	for (uint32_t v = 0; rc == 0 && v < nr_vcpus; v++) {
		struct scmp_arg_cmp fd = {
		    .arg = 0, .op = SCMP_CMP_EQ, .datum_a = (scmp_datum_t)XL_HCALL_FD(v)};
		rc = rule(ctx, SCMP_SYS(read), 1, &fd);
		if (rc == 0)
			rc = rule(ctx, SCMP_SYS(write), 1, &fd);
	}
	if (rc == 0)
		rc = rule(ctx, SCMP_SYS(clock_gettime), 0, NULL);
	if (rc == 0)
		rc = rule(ctx, SCMP_SYS(exit), 0, NULL);
	if (rc == 0)
		rc = rule(ctx, SCMP_SYS(exit_group), 0, NULL);
	if (rc < 0) {
		snprintf(msg, msglen, "sandbox: cannot build the seccomp filter: %s",
		         strerror(-rc));
		seccomp_release(ctx);
		return rc;
	}
	/* seccomp_load frees its BPF program after the filter is in force; a
	 * free that shrank the heap would call brk and be killed */
	mallopt(M_TRIM_THRESHOLD, -1);
	rc = seccomp_load(ctx);
	if (rc < 0) {
		/* -ESRCH: a thread could not be synchronised */
		snprintf(msg, msglen, "sandbox: cannot load the seccomp filter: %s", strerror(-rc));
		seccomp_release(ctx);
		return rc;
	}
	/* not released: freeing is not worth a system call the filter forbids */
	return 0;
}
