/* main.c - pvrun, the PV domain runner: the steps from hvd's spawn to the
 * guest's first instruction, and the READY / FAILED report to hvd. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "elf_load.h"
#include "guest_mem.h"
#include "pvrun.h"
#include "sandbox.h"
#include "vcpu.h"

/* Tell hvd why the domain cannot start, on vCPU 0's channel, and exit. */
static noreturn void runner_failed(int err, const char *msg)
{
	struct xl_runner_failed f;

	memset(&f, 0, sizeof(f));
	f.kind = XL_RUNNER_FAILED;
	f.err = err > 0 ? err : EINVAL;
	snprintf(f.msg, sizeof(f.msg), "%s", msg);
	if (send(XL_HCALL_FD(0), &f, sizeof(f), MSG_NOSIGNAL) != (ssize_t)sizeof(f))
		dprintf(STDERR_FILENO, "pvrun: %s\n", msg); /* started by hand */
	exit(PVRUN_EXIT_FAILED);
}

/* Each descriptor of the contract where it should be, and nothing else. */
static int check_descriptors(const struct pvrun_config *cfg, char *msg, size_t msglen)
{
	int first = PVRUN_FIRST_FREE_FD(cfg->nr_vcpus);

	if (cfg->netns_fd < 0)
		close_range((unsigned)first, ~0u, 0);
	else {
		if (cfg->netns_fd > first)
			close_range((unsigned)first, (unsigned)cfg->netns_fd - 1, 0);
		close_range((unsigned)cfg->netns_fd + 1, ~0u, 0);
	}
	for (uint32_t v = 0; v < cfg->nr_vcpus; v++) {
		int type;
		socklen_t len = sizeof(type);
		if (getsockopt(XL_HCALL_FD(v), SOL_SOCKET, SO_TYPE, &type, &len) < 0 ||
		    type != SOCK_SEQPACKET) {
			snprintf(msg, msglen,
			         "vCPU %u channel (fd %d) is not a SOCK_SEQPACKET socket", v,
			         XL_HCALL_FD(v));
			return -EBADF;
		}
	}
	return 0;
}

/* hvd may have blocked or ignored signals; the guest starts without that. */
static void reset_signals(void)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL); /* a write after hvd closed the channel ends the domain */
}

int main(int argc, char **argv)
{
	struct pvrun_config cfg;
	struct elf_image img;
	struct xl_runner_ready ready;
	struct vcpu_boot boot;
	char msg[PVRUN_MSG_LEN];
	pid_t parent = getppid();
	int rc;

	if (argc == 2 && strcmp(argv[1], "--standby") == 0 &&
	    (rc = pvrun_standby_receive(&argc, &argv, msg, sizeof(msg))) < 0)
		runner_failed(-rc, msg);
	if ((rc = pvrun_args_parse(argc, argv, &cfg, msg, sizeof(msg))) < 0 ||
	    (rc = check_descriptors(&cfg, msg, sizeof(msg))) < 0)
		runner_failed(-rc, msg);
	reset_signals();

	int memfd = PVRUN_MEM_FD(cfg.nr_vcpus), imagefd = PVRUN_IMAGE_FD(cfg.nr_vcpus);
	if ((rc = guest_mem_map(memfd, cfg.mem_bytes, msg, sizeof(msg))) < 0)
		runner_failed(-rc, msg);
	const struct elf_dest dest = {
	    .mem = GUEST_MEM,
	    .base = XL_GUEST_BASE,
	    .load_min = XL_GUEST_LOAD_MIN,
	    .size = cfg.mem_bytes,
	};
	if ((rc = elf_load(imagefd, &dest, &img, msg, sizeof(msg))) < 0 ||
	    (rc = guest_boot_prepare(cfg.mem_bytes, cfg.nr_vcpus, &img, &boot.stack, msg,
	                             sizeof(msg))) < 0)
		runner_failed(-rc, msg);
	close(memfd);
	close(imagefd);

	if ((rc = sandbox_confine(&cfg, parent, msg, sizeof(msg))) < 0)
		runner_failed(-rc, msg);
	memset(&ready, 0, sizeof(ready));
	boot.nr_vcpus = cfg.nr_vcpus;
	boot.mem_bytes = cfg.mem_bytes;
	boot.entry = img.entry;
	if ((rc = vcpus_create(&boot, ready.tids, msg, sizeof(msg))) < 0 ||
	    (rc = sandbox_seccomp(cfg.nr_vcpus, msg, sizeof(msg))) < 0)
		runner_failed(-rc, msg);

	/* Sandboxed: from here on only the allowlist's calls. */
	vcpus_sandboxed();
	ready.kind = XL_RUNNER_READY;
	ready.nr_vcpus = cfg.nr_vcpus;
	ready.entry = img.entry;
	ready.image_end = img.end;
	if (write(XL_HCALL_FD(0), &ready, sizeof(ready)) != (ssize_t)sizeof(ready))
		_exit(PVRUN_EXIT_READY_LOST);
	vcpu_run(0);
}
