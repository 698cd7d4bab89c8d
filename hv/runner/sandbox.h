/* sandbox.h - confining the runner before the guest runs. */
#ifndef PVRUN_SANDBOX_H
#define PVRUN_SANDBOX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pvrun.h"

/*
 * Everything but the system-call filter, in this order: no core dumps;
 * chroot(cfg->chroot_dir) if given; new IPC and UTS namespaces and a network
 * namespace (joined from cfg->netns_fd, or made); the unprivileged ids if
 * given; no new privileges; death with the parent (whose pid is parent);
 * descriptors 0-2 closed. Call it single-threaded, so that threads created
 * later inherit every part.
 *
 * Namespaces need privilege: when not running as root, EPERM from unshare
 * leaves the runner in the host's namespaces (the filter still holds).
 * Returns 0, or a negative errno and a reason.
 */
int sandbox_confine(const struct pvrun_config *cfg, pid_t parent, char *msg, size_t msglen);

/*
 * Load the allowlist into every thread of the process (deny = kill the
 * process): read and write on the vCPU channels XL_HCALL_FD(0) ..
 * XL_HCALL_FD(nr_vcpus - 1) only, clock_gettime, exit, exit_group. After
 * it returns 0 the caller may make no other system call. Returns 0, or a
 * negative errno and a reason (the filter is then not loaded).
 */
int sandbox_seccomp(uint32_t nr_vcpus, char *msg, size_t msglen);

#endif
