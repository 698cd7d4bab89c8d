/* vcpu.c - vCPU threads: made before the filter closes, each waits on its
 * channel for GO, checks it and jumps into the guest. */
#include "vcpu.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pvrun.h"

/* Runner code only runs before GO: a small stack is plenty. */
#define VCPU_THREAD_STACK (64u << 10)

/* Written before the first thread starts, read-only afterwards. */
static struct vcpu_boot boot;
static int32_t *boot_tids;
static int started_fd = -1; /* write end of the "thread runs" pipe */
/* Set once the filter is in force; no vCPU enters the guest before. */
static atomic_bool sandboxed;

static bool in_guest(uint64_t va, uint64_t len)
{
	return va >= XL_GUEST_BASE && len <= boot.mem_bytes &&
	       va - XL_GUEST_BASE <= boot.mem_bytes - len;
}

/* 0 and the start state, or the exit status for a malformed GO. */
static int go_check(uint32_t id, const struct xl_runner_go *go, ssize_t n, uint64_t *entry,
                    uint64_t *stack, uint64_t *arg)
{
	if (n != (ssize_t)sizeof(*go))
		return PVRUN_EXIT_GO_SIZE;
	if (go->kind != XL_RUNNER_GO)
		return PVRUN_EXIT_GO_KIND;
	if (go->vcpu != id)
		return PVRUN_EXIT_GO_VCPU;
	if (id == 0) {
		/* vCPU 0 boots as the ELF says; hvd echoes READY's entry */
		if (go->entry != boot.entry)
			return PVRUN_EXIT_GO_ENTRY;
		*entry = boot.entry;
		*stack = boot.stack;
		*arg = XL_GUEST_BASE; /* start_info, guest virtual */
		return 0;
	}
	if (!in_guest(go->entry, 1))
		return PVRUN_EXIT_GO_ENTRY;
	/* a stack top may be the end of guest memory itself */
	if (go->stack <= XL_GUEST_BASE || !in_guest(go->stack - 1, 1))
		return PVRUN_EXIT_GO_STACK;
	*entry = go->entry;
	*stack = go->stack;
	*arg = go->arg;
	return 0;
}

noreturn void vcpu_run(uint32_t id)
{
	/* one byte more than GO, so a longer message shows as one */
	union {
		struct xl_runner_go go;
		char bytes[sizeof(struct xl_runner_go) + 1];
	} buf;
	uint64_t entry, stack, arg;
	ssize_t n;

	/* only read and exit_group from here: the filter allows nothing else */
	do
		n = read(XL_HCALL_FD(id), &buf, sizeof(buf));
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		_exit(PVRUN_EXIT_NO_GO);
	int bad = go_check(id, &buf.go, n, &entry, &stack, &arg);
	if (bad)
		_exit(bad);
	/* hvd sends GO only after READY; this guards against one that does
	 * not (a futex would be a system call the filter forbids) */
	while (!atomic_load_explicit(&sandboxed, memory_order_acquire))
		__builtin_ia32_pause();
	vcpu_enter(entry, stack, arg);
}

static void *vcpu_thread(void *p)
{
	uint32_t id = (uint32_t)(uintptr_t)p;

	boot_tids[id] = (int32_t)gettid();
	/* The creator waits for this byte and then loads the filter: the
	 * write is this thread's last call before the allowed read. */
	ssize_t n;
	do
		n = write(started_fd, "", 1);
	while (n < 0 && errno == EINTR);
	vcpu_run(id);
}

void vcpus_sandboxed(void)
{
	atomic_store_explicit(&sandboxed, true, memory_order_release);
}

int vcpus_create(const struct vcpu_boot *b, int32_t *tids, char *msg, size_t msglen)
{
	pthread_attr_t attr;
	int pipefd[2], rc = 0;
	uint32_t made = 1;

	boot = *b;
	boot_tids = tids;
	tids[0] = (int32_t)gettid();
	if (boot.nr_vcpus == 1)
		return 0;
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		rc = -errno;
		snprintf(msg, msglen, "vCPU: cannot make a pipe: %s", strerror(-rc));
		return rc;
	}
	started_fd = pipefd[1];
	rc = -pthread_attr_init(&attr);
	if (rc == 0)
		rc = -pthread_attr_setstacksize(&attr, VCPU_THREAD_STACK);
	if (rc == 0)
		rc = -pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (; rc == 0 && made < boot.nr_vcpus; made++) {
		pthread_t t;
		rc = -pthread_create(&t, &attr, vcpu_thread, (void *)(uintptr_t)made);
	}
	pthread_attr_destroy(&attr);
	if (rc < 0) {
		/* made counts one past the failed thread */
		snprintf(msg, msglen, "vCPU: cannot make the thread of vCPU %u: %s", made - 1,
		         strerror(-rc));
		made--;
	}
	/* wait for every thread that was made, so none is left mid-start */
	for (uint32_t seen = 1; seen < made;) {
		char c[XL_MAX_VCPUS];
		ssize_t n = read(pipefd[0], c, made - seen);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EPIPE;
			snprintf(msg, msglen, "vCPU: lost track of the vCPU threads: %s",
			         strerror(-rc));
			break;
		}
		seen += (uint32_t)n;
	}
	close(pipefd[0]);
	close(pipefd[1]);
	started_fd = -1;
	return rc;
}
