/* standby.c - a runner started ahead of need. hvd keeps a few of these so
 * that starting a domain does not wait for exec: a standby runner blocks on
 * its control socket (fd PVRUN_STANDBY_FD) until hvd sends one domain's
 * command line and descriptors, moves the descriptors to the numbers of the
 * normal contract (pvrun.h) and then carries on exactly as if it had been
 * spawned with them. */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pvrun.h"

#define STANDBY_MAX_FDS ((int)XL_MAX_VCPUS + 3)
#define STANDBY_MAX_ARGS 24

/* Moves fds[0..n) to XL_HCALL_FD(0).. without overwriting a source that is
 * still to be moved: first above all of them, then down into place. */
static void move_fds(const int *fds, int n)
{
	int top = XL_HCALL_FD(n);
	for (int i = 0; i < n; i++)
		if (fds[i] >= top)
			top = fds[i] + 1;
	for (int i = 0; i < n; i++) {
		dup2(fds[i], top + i);
		close(fds[i]);
	}
	for (int i = 0; i < n; i++) {
		dup2(top + i, XL_HCALL_FD(i));
		close(top + i);
	}
}

/* Linker-provided bounds of this (static) executable. */
extern const char __executable_start[];
extern char end[];

/* Maps every page of the runner's own image now, while nobody waits: a
 * fresh exec maps its text lazily, and the first launch steps otherwise pay
 * a page fault for each page of loader, sandbox and libseccomp code. */
static void prefault_self(void)
{
	const volatile char *p = __executable_start;
	char sum = 0;

	for (; p < end; p += 4096)
		sum ^= *p;
	__asm__ volatile("" : : "r"(sum));
}

int pvrun_standby_receive(int *argc, char ***argv, char *msg, size_t msglen)
{
	static char buf[4096];
	static char *args[STANDBY_MAX_ARGS + 1];
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int) * STANDBY_MAX_FDS)];
	} cm;
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf) - 1};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.b,
			    .msg_controllen = sizeof(cm.b)};
	ssize_t n;

	prefault_self();
	/* libseccomp probes the kernel's API level once per process (a dozen
	 * system calls): let it do so now rather than on the launch path */
	(void)seccomp_api_get();
	do
		n = recvmsg(PVRUN_STANDBY_FD, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		exit(0); /* hvd retired this standby runner */
	if (n < 0) {
		snprintf(msg, msglen, "standby: control socket: %s", strerror(errno));
		return -EIO;
	}
	int fds[STANDBY_MAX_FDS], nfds = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		for (int i = 0; i < k && nfds < STANDBY_MAX_FDS; i++)
			memcpy(&fds[nfds++], CMSG_DATA(c) + (size_t)i * sizeof(int), sizeof(int));
	}
	close(PVRUN_STANDBY_FD);
	if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC) || nfds < 3) {
		snprintf(msg, msglen, "standby: malformed launch message (%d descriptors)", nfds);
		return -EPROTO;
	}
	move_fds(fds, nfds);

	/* the payload is argv[1..] as NUL-terminated strings */
	buf[n] = '\0';
	int ac = 0;
	args[ac++] = "pvrun";
	for (char *p = buf; p < buf + n && ac < STANDBY_MAX_ARGS; p += strlen(p) + 1)
		args[ac++] = p;
	if (ac == STANDBY_MAX_ARGS) {
		snprintf(msg, msglen, "standby: too many arguments");
		return -E2BIG;
	}
	args[ac] = NULL;
	*argc = ac;
	*argv = args;
	return 0;
}
