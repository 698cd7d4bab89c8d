/* pvrun.h - the PV runner's contract with hvd: command line, descriptors,
 * protocol, exit codes; and the parsed configuration its steps share.
 *
 *   pvrun --domid N --vcpus V --mem-bytes B [--chroot DIR] [--uid U --gid G]
 *         [--netns-fd FD]
 *
 * Descriptors on entry: 0-2 anything (closed before the guest runs);
 * XL_HCALL_FD(0)..XL_HCALL_FD(V-1) the vCPU channels (SOCK_SEQPACKET);
 * PVRUN_MEM_FD(V) the domain memory (memfd, at least B bytes, start_info
 * page and its xl_start_info_ext already written); PVRUN_IMAGE_FD(V) the
 * guest ELF (a regular file); with --netns-fd, FD (>= PVRUN_FIRST_FREE_FD(V))
 * a network namespace to join. Every other descriptor is closed on entry.
 *
 * `pvrun --standby` (fd PVRUN_STANDBY_FD a SOCK_SEQPACKET control socket)
 * waits for one message carrying the arguments above as NUL-terminated
 * strings and, as SCM_RIGHTS in contract order, the channels, memfd, image
 * and optional namespace; it then proceeds exactly as a spawned runner.
 *
 * Without --netns-fd the runner makes its own network namespace, which
 * costs ~0.45 ms (spikes of several ms) per domain start and more at exit;
 * hvd should make one empty namespace once and pass it. IPC and UTS
 * namespaces are always made (~25 us). Without privilege (not uid 0) the
 * runner stays in the host's namespaces; the system-call filter still holds.
 *
 * Protocol on the channels: the runner sends READY (or FAILED and exits)
 * on channel 0, then each vCPU reads one GO on its own channel. vCPU 0's GO
 * must carry READY's entry; it starts at the ELF entry with rdi =
 * XL_GUEST_BASE (start_info) and rsp = XL_GUEST_BASE + boot_stack_top.
 * vCPU n > 0 starts at GO's entry with rsp = GO's stack, rdi = GO's arg.
 * rsp is exactly that value (no return address is pushed: the entry must
 * not return); other general registers are zero but r11 (= entry), flags
 * clear, x87/SSE state reset, fs the runner's thread pointer.
 */
#ifndef PVRUN_H
#define PVRUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <xenlite/abi.h>

#define PVRUN_MEM_FD(nr_vcpus) XL_HCALL_FD(nr_vcpus)
#define PVRUN_IMAGE_FD(nr_vcpus) (XL_HCALL_FD(nr_vcpus) + 1)
#define PVRUN_FIRST_FREE_FD(nr_vcpus) (XL_HCALL_FD(nr_vcpus) + 2)

/* Length of a failure reason, as carried by struct xl_runner_failed. */
#define PVRUN_MSG_LEN sizeof(((struct xl_runner_failed *)0)->msg)

/*
 * Exit statuses of the runner itself. Before READY every failure is
 * reported with XL_RUNNER_FAILED and exits PVRUN_EXIT_FAILED. After READY
 * the runner exits on its own only for the reasons below; once the guest
 * runs, the status is the guest's (exit_group) or a signal (SIGSYS: a call
 * outside the sandbox's allowlist).
 */
enum pvrun_exit {
	PVRUN_EXIT_FAILED = 1,       /* could not start; XL_RUNNER_FAILED was sent */
	PVRUN_EXIT_READY_LOST = 119, /* READY could not be sent */
	PVRUN_EXIT_NO_GO = 120,      /* a vCPU channel closed or failed before GO */
	PVRUN_EXIT_GO_SIZE = 121,    /* GO message of the wrong size */
	PVRUN_EXIT_GO_KIND = 122,    /* message other than GO */
	PVRUN_EXIT_GO_VCPU = 123,    /* GO for another vCPU */
	PVRUN_EXIT_GO_ENTRY = 124,   /* entry outside guest memory (vCPU 0: not the ELF entry) */
	PVRUN_EXIT_GO_STACK = 125,   /* stack outside guest memory */
};

struct pvrun_config {
	uint32_t domid;
	uint32_t nr_vcpus;
	uint64_t mem_bytes;
	const char *chroot_dir; /* NULL: no chroot */
	bool set_ids;           /* --uid and --gid given */
	uid_t uid;
	gid_t gid;
	int netns_fd; /* -1: make a new network namespace */
};

#define PVRUN_STANDBY_FD 3

/* Standby mode: receive one domain's arguments and descriptors (standby.c). */
int pvrun_standby_receive(int *argc, char ***argv, char *msg, size_t msglen);

/* Parse and validate the command line; -EINVAL and a reason on failure. */
int pvrun_args_parse(int argc, char **argv, struct pvrun_config *cfg, char *msg, size_t msglen);

#endif
