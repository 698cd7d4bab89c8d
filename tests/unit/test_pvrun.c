/* test_pvrun.c - the PV runner end to end, without hvd: this test plays
 * hvd's part (memory, start-info extension, channels, READY, GO) and runs
 * tiny guests built on the fly, checking what they see, what the sandbox
 * lets them do, and how the runner reports what it cannot start. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xenlite/abi.h>
#include <xenlite/xen.h>

#include "elf_image.h"
#include "pvrun.h"

#define MEM_BYTES XL_GUEST_MIN_BYTES
#define MEM_END (XL_GUEST_BASE + MEM_BYTES)
#define CODE_VA (XL_GUEST_BASE + XL_GUEST_LOAD_MIN)
#define VCPU1_CODE_VA (CODE_VA + 0x100)
#define DATA_VA (CODE_VA + 0x10000)
#define IMAGE_END_GPA (XL_GUEST_LOAD_MIN + 0x13000) /* DATA_VA + 0x2100, page up */
#define TIMEOUT_MS 10000

/*
 * vCPU 0's guest: pushes every general register and the flags as it found
 * them, writes the 128 bytes to its channel (fd 3), exit_group(7).
 */
enum {
	R_FLAGS,
	R_RSP,
	R_RDI,
	R_R15,
	R_R14,
	R_R13,
	R_R12,
	R_R10,
	R_R9,
	R_R8,
	R_RBP,
	R_RSI,
	R_RDX,
	R_RCX,
	R_RBX,
	R_RAX,
	NR_REPORT
};
static const uint8_t report_code[] = {
    0x50, 0x53, 0x51, 0x52, 0x56, 0x55,             /* push rax rbx rcx rdx rsi rbp */
    0x41, 0x50, 0x41, 0x51, 0x41, 0x52,             /* push r8 r9 r10 */
    0x41, 0x54, 0x41, 0x55, 0x41, 0x56, 0x41, 0x57, /* push r12 r13 r14 r15 */
    0x57,                                           /* push rdi */
    0x48, 0x8d, 0x44, 0x24, 0x70,                   /* lea 0x70(%rsp),%rax: rsp at entry */
    0x50,                                           /* push rax */
    0x9c,                                           /* pushfq */
    0xb8, 0x01, 0x00, 0x00, 0x00,                   /* mov $SYS_write,%eax */
    0xbf, 0x03, 0x00, 0x00, 0x00,                   /* mov $3,%edi */
    0x48, 0x89, 0xe6,                               /* mov %rsp,%rsi */
    0xba, 0x80, 0x00, 0x00, 0x00,                   /* mov $128,%edx */
    0x0f, 0x05,                                     /* syscall */
    0xb8, 0xe7, 0x00, 0x00, 0x00,                   /* mov $SYS_exit_group,%eax */
    0xbf, 0x07, 0x00, 0x00, 0x00,                   /* mov $7,%edi */
    0x0f, 0x05,                                     /* syscall */
};

/* vCPU 1's guest: writes {rdi, rsp} to fd 4, then reads fd 4 forever. */
static const uint8_t vcpu1_code[] = {
    0x48, 0x89, 0xe0,             /* mov %rsp,%rax */
    0x50, 0x57,                   /* push rax; push rdi */
    0xb8, 0x01, 0x00, 0x00, 0x00, /* mov $SYS_write,%eax */
    0xbf, 0x04, 0x00, 0x00, 0x00, /* mov $4,%edi */
    0x48, 0x89, 0xe6,             /* mov %rsp,%rsi */
    0xba, 0x10, 0x00, 0x00, 0x00, /* mov $16,%edx */
    0x0f, 0x05,                   /* syscall */
    0x31, 0xc0,                   /* 1: xor %eax,%eax (SYS_read) */
    0xbf, 0x04, 0x00, 0x00, 0x00, /* mov $4,%edi */
    0x48, 0x89, 0xe6,             /* mov %rsp,%rsi */
    0xba, 0x08, 0x00, 0x00, 0x00, /* mov $8,%edx */
    0x0f, 0x05,                   /* syscall */
    0xeb, 0xed,                   /* jmp 1b */
};

/* One system call nr(a0, rsp - 16, 1), then exit_group(0). */
static void syscall_code(uint8_t *code, uint32_t nr, uint32_t a0)
{
	static const uint8_t tmpl[] = {
	    0xb8, 0,    0,    0,    0,    /* mov $nr,%eax */
	    0xbf, 0,    0,    0,    0,    /* mov $a0,%edi */
	    0x48, 0x8d, 0x74, 0x24, 0xf0, /* lea -0x10(%rsp),%rsi */
	    0xba, 0x01, 0x00, 0x00, 0x00, /* mov $1,%edx */
	    0x0f, 0x05,                   /* syscall */
	    0xb8, 0xe7, 0x00, 0x00, 0x00, /* mov $SYS_exit_group,%eax */
	    0x31, 0xff,                   /* xor %edi,%edi */
	    0x0f, 0x05,                   /* syscall */
	};
	memcpy(code, tmpl, sizeof(tmpl));
	memcpy(code + 1, &nr, 4);
	memcpy(code + 6, &a0, 4);
}

static uint8_t image[ELF_IMAGE_MAX];
static size_t image_len;

/* Text at CODE_VA (0x200 bytes: vCPU 0's code, vCPU 1's at +0x100), and
 * data + bss at DATA_VA. */
static void build_guest(const uint8_t *code0, size_t len0)
{
	static const char data[16] = "guest data";
	uint8_t text[0x200];

	memset(text, 0xcc, sizeof(text)); /* int3 */
	memcpy(text, code0, len0);
	memcpy(text + 0x100, vcpu1_code, sizeof(vcpu1_code));
	const struct elf_image_seg segs[] = {
	    {PT_LOAD, PF_R | PF_X, CODE_VA, text, sizeof(text), sizeof(text)},
	    {PT_LOAD, PF_R | PF_W, DATA_VA, data, sizeof(data), 0x2100},
	};
	image_len = elf_image_build(image, CODE_VA, segs, 2);
	ck_assert_uint_ne(image_len, 0);
}

struct runner {
	pid_t pid;
	uint32_t nr_vcpus;
	int chan[XL_MAX_VCPUS]; /* hvd's ends */
	uint8_t *mem;           /* hvd's view of guest memory */
};

struct spawn_opts {
	uint32_t nr_vcpus;
	const char *const *args;  /* replaces the default arguments */
	const char *const *extra; /* added to the default arguments */
	bool no_ext;              /* leave the start-info page empty */
	int netns_fd;             /* > 0: passed with --netns-fd */
	bool stray_fd;            /* leave an extra descriptor open in the runner */
	uint64_t boot_stack_top;  /* 0: the end of guest memory */
};

static struct xl_start_info_ext *ext_of(struct runner *r)
{
	return (struct xl_start_info_ext *)(r->mem + XL_START_INFO_EXT_OFFSET);
}

/* Start pvrun the way hvd does (descriptors, argv, empty environment). */
static void spawn(struct runner *r, const struct spawn_opts *o)
{
	const char *pvrun = getenv("PVRUN");
	uint32_t nv = o->nr_vcpus ? o->nr_vcpus : 1;
	int theirs[XL_MAX_VCPUS];
	char a_vcpus[16], a_mem[32], a_netns[16];

	ck_assert_msg(pvrun != NULL, "PVRUN is not set");
	memset(r, 0, sizeof(*r));
	r->nr_vcpus = nv;
	int memfd = memfd_create("guest", MFD_CLOEXEC);
	ck_assert_int_ge(memfd, 0);
	ck_assert_int_eq(ftruncate(memfd, MEM_BYTES), 0);
	r->mem = mmap(NULL, MEM_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	ck_assert_ptr_ne(r->mem, MAP_FAILED);
	if (!o->no_ext) {
		struct xl_start_info_ext *ext = ext_of(r);
		memcpy(r->mem, XEN_START_INFO_MAGIC, sizeof(XEN_START_INFO_MAGIC));
		ext->magic = XL_START_INFO_EXT_MAGIC;
		ext->abi_version = XENLITE_ABI_VERSION;
		ext->guest_base = XL_GUEST_BASE;
		ext->domid = 7;
		ext->nr_vcpus = nv;
		ext->gnttab_gfn = XL_GFN_GNTTAB;
		ext->nr_gnttab_frames = XL_NR_GNTTAB_FRAMES;
		ext->boot_stack_top = o->boot_stack_top ? o->boot_stack_top : MEM_BYTES;
	}
	for (uint32_t i = 0; i < nv; i++) {
		int sv[2];
		ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
		r->chan[i] = sv[0];
		theirs[i] = sv[1];
	}
	int imagefd = elf_image_memfd(image, image_len);
	ck_assert_int_ge(imagefd, 0);

	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	int tmp = 500, nfd = 0, src[XL_MAX_VCPUS + 3];
	for (uint32_t i = 0; i < nv; i++)
		src[nfd++] = theirs[i];
	src[nfd++] = memfd;
	src[nfd++] = imagefd;
	if (o->netns_fd > 0)
		src[nfd++] = o->netns_fd;
	for (int i = 0; i < nfd; i++)
		posix_spawn_file_actions_adddup2(&fa, src[i], tmp + i);
	for (int i = 0; i < nfd; i++)
		posix_spawn_file_actions_adddup2(&fa, tmp + i, XL_HCALL_FD(i));
	if (o->stray_fd) /* not closed here: the runner must close it itself */
		posix_spawn_file_actions_adddup2(&fa, theirs[0], XL_HCALL_FD(nfd + 3));
	posix_spawn_file_actions_addclosefrom_np(&fa, tmp);

	const char *argv[32];
	int ac = 0;
	argv[ac++] = pvrun;
	if (o->args) {
		for (int i = 0; o->args[i]; i++)
			argv[ac++] = o->args[i];
	} else {
		snprintf(a_vcpus, sizeof(a_vcpus), "%u", nv);
		snprintf(a_mem, sizeof(a_mem), "%llu", MEM_BYTES);
		argv[ac++] = "--domid";
		argv[ac++] = "7";
		argv[ac++] = "--vcpus";
		argv[ac++] = a_vcpus;
		argv[ac++] = "--mem-bytes";
		argv[ac++] = a_mem;
		if (o->netns_fd > 0) {
			snprintf(a_netns, sizeof(a_netns), "%d", PVRUN_FIRST_FREE_FD(nv));
			argv[ac++] = "--netns-fd";
			argv[ac++] = a_netns;
		}
		for (int i = 0; o->extra && o->extra[i]; i++)
			argv[ac++] = o->extra[i];
	}
	argv[ac] = NULL;
	char *envp[] = {NULL};
	int e = posix_spawn(&r->pid, pvrun, &fa, NULL, (char **)argv, envp);
	ck_assert_msg(e == 0, "posix_spawn %s: %s", pvrun, strerror(e));
	posix_spawn_file_actions_destroy(&fa);
	for (uint32_t i = 0; i < nv; i++)
		close(theirs[i]);
	close(memfd);
	close(imagefd);
}

/* One message from fd within TIMEOUT_MS; its length (0 at end of file). */
static ssize_t recv_msg(int fd, void *buf, size_t len)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	ck_assert_msg(poll(&p, 1, TIMEOUT_MS) == 1, "no message from the runner");
	ssize_t n = recv(fd, buf, len, MSG_TRUNC);
	ck_assert_int_ge(n, 0);
	return n;
}

static void expect_ready(struct runner *r, struct xl_runner_ready *ready)
{
	union {
		struct xl_runner_ready ready;
		struct xl_runner_failed failed;
	} u;
	ssize_t n = recv_msg(r->chan[0], &u, sizeof(u));

	if (n == (ssize_t)sizeof(u.failed) && u.failed.kind == XL_RUNNER_FAILED)
		ck_abort_msg("runner failed: %s", u.failed.msg);
	ck_assert_int_eq(n, sizeof(u.ready));
	ck_assert_uint_eq(u.ready.kind, XL_RUNNER_READY);
	*ready = u.ready;
}

static void expect_failed(struct runner *r, int err, const char *msg)
{
	struct xl_runner_failed f;

	ck_assert_int_eq(recv_msg(r->chan[0], &f, sizeof(f)), sizeof(f));
	ck_assert_uint_eq(f.kind, XL_RUNNER_FAILED);
	ck_assert_str_eq(f.msg, msg);
	ck_assert_int_eq(f.err, err);
}

static void send_go(struct runner *r, uint32_t vcpu, uint64_t entry, uint64_t stack, uint64_t arg)
{
	struct xl_runner_go go = {XL_RUNNER_GO, vcpu, entry, stack, arg};

	ck_assert_int_eq(send(r->chan[vcpu], &go, sizeof(go), MSG_NOSIGNAL), sizeof(go));
}

/* The runner's wait status; it must end within TIMEOUT_MS. */
static int wait_runner(struct runner *r)
{
	int status;

	for (int ms = 0; ms < TIMEOUT_MS; ms++) {
		pid_t p = waitpid(r->pid, &status, WNOHANG);
		ck_assert_int_ge(p, 0);
		if (p == r->pid) {
			for (uint32_t i = 0; i < r->nr_vcpus; i++)
				close(r->chan[i]);
			munmap(r->mem, MEM_BYTES);
			return status;
		}
		usleep(1000);
	}
	kill(r->pid, SIGKILL);
	ck_abort_msg("the runner did not exit");
	return -1;
}

static void assert_exited(int status, int code)
{
	ck_assert_msg(WIFEXITED(status), "runner ended by signal %d, expected exit %d",
	              WIFSIGNALED(status) ? WTERMSIG(status) : -1, code);
	ck_assert_int_eq(WEXITSTATUS(status), code);
}

static void assert_killed(int status, int sig)
{
	ck_assert_msg(WIFSIGNALED(status), "runner exited with %d, expected signal %d",
	              WIFEXITED(status) ? WEXITSTATUS(status) : -1, sig);
	ck_assert_int_eq(WTERMSIG(status), sig);
}

START_TEST(test_ready_reports_image_and_guest_sees_boot_registers)
{
	struct runner r;
	struct xl_runner_ready ready;
	uint64_t regs[NR_REPORT];

	build_guest(report_code, sizeof(report_code));
	spawn(&r, &(struct spawn_opts){.nr_vcpus = 1});
	expect_ready(&r, &ready);
	ck_assert_uint_eq(ready.nr_vcpus, 1);
	ck_assert_int_eq(ready.tids[0], r.pid);
	ck_assert_uint_eq(ready.entry, CODE_VA);
	ck_assert_uint_eq(ready.image_end, IMAGE_END_GPA);
	ck_assert_uint_eq(ext_of(&r)->image_end, IMAGE_END_GPA);
	ck_assert_uint_eq(ext_of(&r)->boot_stack_top, MEM_BYTES);
	ck_assert_uint_eq(ext_of(&r)->magic, XL_START_INFO_EXT_MAGIC);
	ck_assert_mem_eq(r.mem + XL_GUEST_LOAD_MIN, report_code, sizeof(report_code));

	send_go(&r, 0, CODE_VA, 0, 0);
	ck_assert_int_eq(recv_msg(r.chan[0], regs, sizeof(regs)), sizeof(regs));
	ck_assert_uint_eq(regs[R_RSP], MEM_END);
	ck_assert_uint_eq(regs[R_RDI], XL_GUEST_BASE);
	ck_assert_uint_eq(regs[R_FLAGS] & 0x40400, 0); /* DF and AC clear */
	for (int i = R_R15; i < NR_REPORT; i++)
		ck_assert_msg(regs[i] == 0, "register slot %d is 0x%llx at entry", i,
		              (unsigned long long)regs[i]);
	assert_exited(wait_runner(&r), 7);
}
END_TEST

START_TEST(test_second_vcpu_starts_where_go_says)
{
	struct runner r;
	struct xl_runner_ready ready;
	uint64_t seen[2], regs[NR_REPORT];
	const uint64_t stack = MEM_END - 0x10000;

	build_guest(report_code, sizeof(report_code));
	spawn(&r, &(struct spawn_opts){.nr_vcpus = 2});
	expect_ready(&r, &ready);
	ck_assert_uint_eq(ready.nr_vcpus, 2);
	ck_assert_int_eq(ready.tids[0], r.pid);
	ck_assert_int_gt(ready.tids[1], 0);
	ck_assert_int_ne(ready.tids[1], r.pid);

	send_go(&r, 1, VCPU1_CODE_VA, stack, 0x1234);
	ck_assert_int_eq(recv_msg(r.chan[1], seen, sizeof(seen)), sizeof(seen));
	ck_assert_uint_eq(seen[0], 0x1234);
	ck_assert_uint_eq(seen[1], stack);
	send_go(&r, 0, CODE_VA, 0, 0);
	ck_assert_int_eq(recv_msg(r.chan[0], regs, sizeof(regs)), sizeof(regs));
	ck_assert_uint_eq(regs[R_RSP], MEM_END);
	assert_exited(wait_runner(&r), 7);
}
END_TEST

/* Run a guest whose vCPU 0 makes one system call; its wait status. */
static int run_one_syscall(const uint8_t *code, size_t len)
{
	struct runner r;
	struct xl_runner_ready ready;

	build_guest(code, len);
	spawn(&r, &(struct spawn_opts){.nr_vcpus = 1});
	expect_ready(&r, &ready);
	send_go(&r, 0, CODE_VA, 0, 0);
	return wait_runner(&r);
}

static const struct {
	uint32_t nr, a0;
	const char *what;
} forbidden[] = {
    {39, 0, "getpid"},        {257, (uint32_t)-100, "openat"},
    {9, 0, "mmap"},           {56, 0, "clone"},
    {1, 1, "write to fd 1"},  {1, 4, "write to a descriptor past the channels"},
    {0, 2, "read from fd 2"}, {0x40000027, 0, "x32 getpid"},
};

START_TEST(test_forbidden_syscall_kills_with_sigsys)
{
	uint8_t code[64];

	syscall_code(code, forbidden[_i].nr, forbidden[_i].a0);
	int status = run_one_syscall(code, sizeof(code));
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS,
	              "%s: status 0x%x, not SIGSYS", forbidden[_i].what, status);
}
END_TEST

START_TEST(test_i386_syscall_kills_with_sigsys)
{
	static const uint8_t code[] = {
	    0xb8, 0x14, 0x00, 0x00, 0x00, /* mov $20 (i386 getpid),%eax */
	    0xcd, 0x80,                   /* int $0x80 */
	    0xb8, 0xe7, 0x00, 0x00, 0x00, /* mov $SYS_exit_group,%eax */
	    0x31, 0xff, 0x0f, 0x05,       /* xor %edi,%edi; syscall */
	};
	assert_killed(run_one_syscall(code, sizeof(code)), SIGSYS);
}
END_TEST

static const struct {
	uint32_t nr, a0;
	const char *what;
} allowed[] = {
    {228, 1, "clock_gettime"},
    {1, 3, "write to the channel"},
};

START_TEST(test_allowed_syscall_passes)
{
	uint8_t code[64];

	syscall_code(code, allowed[_i].nr, allowed[_i].a0);
	int status = run_one_syscall(code, sizeof(code));
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: status 0x%x",
	              allowed[_i].what, status);
}
END_TEST

START_TEST(test_malformed_elf_is_reported)
{
	struct runner r;

	build_guest(report_code, sizeof(report_code));
	elf_image_ehdr(image)->e_type = ET_DYN;
	spawn(&r, &(struct spawn_opts){.nr_vcpus = 1});
	expect_failed(&r, ENOEXEC,
	              "ELF: position-independent image (ET_DYN): only static ET_EXEC "
	              "executables can be loaded");
	assert_exited(wait_runner(&r), PVRUN_EXIT_FAILED);

	build_guest(report_code, sizeof(report_code));
	elf_image_phdr(image, 1)->p_memsz = MEM_BYTES;
	spawn(&r, &(struct spawn_opts){.nr_vcpus = 1});
	expect_failed(&r, ENOEXEC,
	              "ELF: segment 1 [0x100110000,0x100510000) outside guest memory "
	              "[0x100100000,0x100400000)");
	assert_exited(wait_runner(&r), PVRUN_EXIT_FAILED);
}
END_TEST

START_TEST(test_bad_arguments_are_reported)
{
	static const char *const bad_mem[] = {"--domid",     "7",       "--vcpus", "1",
	                                      "--mem-bytes", "4194305", NULL};
	static const char *const bad_vcpus[] = {"--domid",     "7",       "--vcpus", "65",
	                                        "--mem-bytes", "4194304", NULL};
	static const char *const unknown[] = {"--domid",     "7",       "--vcpus",   "1",
	                                      "--mem-bytes", "4194304", "--verbose", NULL};
	struct runner r;

	build_guest(report_code, sizeof(report_code));
	spawn(&r, &(struct spawn_opts){.args = bad_mem});
	expect_failed(&r, EINVAL,
	              "usage: --mem-bytes '4194305' is not a multiple of 4096 between 4194304 "
	              "and 68719476736");
	assert_exited(wait_runner(&r), PVRUN_EXIT_FAILED);
	spawn(&r, &(struct spawn_opts){.args = bad_vcpus});
	expect_failed(&r, EINVAL, "usage: --vcpus '65' is not between 1 and 64");
	assert_exited(wait_runner(&r), PVRUN_EXIT_FAILED);
	spawn(&r, &(struct spawn_opts){.args = unknown});
	expect_failed(&r, EINVAL, "usage: unknown argument '--verbose'");
	assert_exited(wait_runner(&r), PVRUN_EXIT_FAILED);
}
END_TEST

START_TEST(test_short_memory_is_reported)
{
	static const char *const more_than_given[] = {"--domid",     "7",       "--vcpus", "1",
	                                              "--mem-bytes", "8388608", NULL};
	struct runner r;

	build_guest(report_code, sizeof(report_code));
	spawn(&r, &(struct spawn_opts){.args = more_than_given});
	expect_failed(&r, EINVAL,
	              "memory: the memory object holds 4194304 bytes, fewer than 8388608");
	assert_exited(wait_runner(&r), PVRUN_EXIT_FAILED);
}
END_TEST

START_TEST(test_unbuilt_domain_is_reported)
{
	struct runner r;

	build_guest(report_code, sizeof(report_code));
	spawn(&r, &(struct spawn_opts){.nr_vcpus = 1, .no_ext = true});
	expect_failed(&r, EINVAL,
	              "start info: no valid extension at gpa 0x800 (magic 0x0, ABI 0, base 0x0): "
	              "the domain was not built");
	assert_exited(wait_runner(&r), PVRUN_EXIT_FAILED);
}
END_TEST

START_TEST(test_bad_boot_stack_is_reported)
{
	struct runner r;

	build_guest(report_code, sizeof(report_code));
	spawn(&r, &(struct spawn_opts){.nr_vcpus = 1, .boot_stack_top = MEM_BYTES - 8});
	expect_failed(&r, EINVAL,
	              "start info: boot stack top 0x3ffff8 must be 16-byte aligned, in "
	              "(0x8000,0x400000] and not in the image [0x100000,0x113000)");
	assert_exited(wait_runner(&r), PVRUN_EXIT_FAILED);
	spawn(&r,
	      &(struct spawn_opts){.nr_vcpus = 1, .boot_stack_top = XL_GUEST_LOAD_MIN + 0x1000});
	expect_failed(&r, EINVAL,
	              "start info: boot stack top 0x101000 must be 16-byte aligned, in "
	              "(0x8000,0x400000] and not in the image [0x100000,0x113000)");
	assert_exited(wait_runner(&r), PVRUN_EXIT_FAILED);
}
END_TEST

static const struct {
	uint32_t nr_vcpus, chan, kind, vcpu;
	uint64_t entry, stack;
	size_t len;
	int code;
} bad_go[] = {
    {1, 0, XL_RUNNER_GO, 0, CODE_VA, 0, 8, PVRUN_EXIT_GO_SIZE},
    {1, 0, XL_RUNNER_GO, 0, CODE_VA, 0, sizeof(struct xl_runner_go) + 8, PVRUN_EXIT_GO_SIZE},
    {1, 0, XL_RUNNER_READY, 0, CODE_VA, 0, sizeof(struct xl_runner_go), PVRUN_EXIT_GO_KIND},
    {1, 0, XL_RUNNER_GO, 1, CODE_VA, 0, sizeof(struct xl_runner_go), PVRUN_EXIT_GO_VCPU},
    {1, 0, XL_RUNNER_GO, 0, CODE_VA + 1, 0, sizeof(struct xl_runner_go), PVRUN_EXIT_GO_ENTRY},
    {2, 1, XL_RUNNER_GO, 1, MEM_END, MEM_END, sizeof(struct xl_runner_go), PVRUN_EXIT_GO_ENTRY},
    {2, 1, XL_RUNNER_GO, 1, 0, MEM_END, sizeof(struct xl_runner_go), PVRUN_EXIT_GO_ENTRY},
    {2, 1, XL_RUNNER_GO, 1, CODE_VA, MEM_END + 16, sizeof(struct xl_runner_go),
     PVRUN_EXIT_GO_STACK},
    {2, 1, XL_RUNNER_GO, 1, CODE_VA, XL_GUEST_BASE, sizeof(struct xl_runner_go),
     PVRUN_EXIT_GO_STACK},
    {2, 1, XL_RUNNER_GO, 0, CODE_VA, MEM_END, sizeof(struct xl_runner_go), PVRUN_EXIT_GO_VCPU},
    {1, 0, XL_RUNNER_GO, 0, CODE_VA, 0, 0, PVRUN_EXIT_NO_GO}, /* 0: close the channel */
};

START_TEST(test_malformed_go_exits_with_its_code)
{
	struct runner r;
	struct xl_runner_ready ready;
	uint8_t buf[sizeof(struct xl_runner_go) + 8] = {0};
	struct xl_runner_go go = {bad_go[_i].kind, bad_go[_i].vcpu, bad_go[_i].entry,
	                          bad_go[_i].stack, 0};

	build_guest(report_code, sizeof(report_code));
	spawn(&r, &(struct spawn_opts){.nr_vcpus = bad_go[_i].nr_vcpus});
	expect_ready(&r, &ready);
	memcpy(buf, &go, sizeof(go));
	int fd = r.chan[bad_go[_i].chan];
	if (bad_go[_i].len)
		ck_assert_int_eq(send(fd, buf, bad_go[_i].len, MSG_NOSIGNAL), bad_go[_i].len);
	else
		shutdown(fd, SHUT_RDWR);
	assert_exited(wait_runner(&r), bad_go[_i].code);
}
END_TEST

/* The rest of the first line of /proc/<pid>/task/<tid>/<file> that starts
 * with key, without blanks around it; "" if there is none. */
static void proc_field(pid_t pid, pid_t tid, const char *file, const char *key, char *out,
                       size_t len)
{
	char path[128], line[256];

	snprintf(path, sizeof(path), "/proc/%d/task/%d/%s", (int)pid, (int)tid, file);
	FILE *f = fopen(path, "r");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	out[0] = '\0';
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, strlen(key)) == 0) {
			const char *v = line + strlen(key);
			v += strspn(v, " \t");
			snprintf(out, len, "%s", v);
			size_t n = strlen(out);
			while (n && strchr(" \t\n", out[n - 1]))
				out[--n] = '\0';
			break;
		}
	fclose(f);
}

/* The target of /proc/<pid>/task/<tid>/<name>. */
static void proc_link(pid_t pid, pid_t tid, const char *name, char *out, size_t len)
{
	char path[128];

	snprintf(path, sizeof(path), "/proc/%d/task/%d/%s", (int)pid, (int)tid, name);
	ssize_t n = readlink(path, out, len - 1);
	ck_assert_msg(n > 0, "%s: %s", path, strerror(errno));
	out[n] = '\0';
}

static bool privileged(void)
{
	return geteuid() == 0;
}

START_TEST(test_runner_is_sandboxed_before_ready)
{
	static const char *const as_nobody[] = {"--chroot", NULL,    "--uid", "65534",
	                                        "--gid",    "65534", NULL};
	char dir[] = "/tmp/pvrun-empty-XXXXXX", field[256], mine[256], theirs[256];
	const char *extra[7];
	struct runner r;
	struct xl_runner_ready ready;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	memcpy(extra, as_nobody, sizeof(extra));
	extra[1] = dir;
	build_guest(report_code, sizeof(report_code));
	spawn(&r, &(struct spawn_opts){
	              .nr_vcpus = 2, .extra = privileged() ? extra : NULL, .stray_fd = true});
	expect_ready(&r, &ready);

	for (int t = 0; t < 2; t++) {
		pid_t tid = ready.tids[t];
		proc_field(r.pid, tid, "status", "Seccomp:", field, sizeof(field));
		ck_assert_str_eq(field, "2");
		proc_field(r.pid, tid, "status", "NoNewPrivs:", field, sizeof(field));
		ck_assert_str_eq(field, "1");
		if (!privileged())
			continue;
		proc_field(r.pid, tid, "status", "Uid:", field, sizeof(field));
		ck_assert_str_eq(field, "65534\t65534\t65534\t65534");
		proc_field(r.pid, tid, "status", "Gid:", field, sizeof(field));
		ck_assert_str_eq(field, "65534\t65534\t65534\t65534");
		proc_field(r.pid, tid, "status", "Groups:", field, sizeof(field));
		ck_assert_str_eq(field, "");
		static const char *const ns[] = {"ns/net", "ns/ipc", "ns/uts"};
		for (int i = 0; i < 3; i++) {
			proc_link(r.pid, tid, ns[i], theirs, sizeof(theirs));
			proc_link(getpid(), getpid(), ns[i], mine, sizeof(mine));
			ck_assert_str_ne(theirs, mine);
		}
		proc_link(r.pid, tid, "root", theirs, sizeof(theirs));
		ck_assert_str_eq(theirs, dir);
	}
	proc_field(r.pid, r.pid, "limits", "Max core file size", field, sizeof(field));
	char soft[32], hard[32];
	ck_assert_int_eq(sscanf(field, "%31s %31s", soft, hard), 2);
	ck_assert_str_eq(soft, "0");
	ck_assert_str_eq(hard, "0");

	/* only the channels are open */
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)r.pid);
	DIR *d = opendir(path);
	ck_assert_ptr_nonnull(d);
	int seen = 0;
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		int fd = atoi(e->d_name);
		ck_assert_msg(fd == 3 || fd == 4, "descriptor %d is open in the runner", fd);
		seen++;
	}
	closedir(d);
	ck_assert_int_eq(seen, 2);

	send_go(&r, 0, CODE_VA, 0, 0);
	assert_exited(wait_runner(&r), 7);
	rmdir(dir);
}
END_TEST

START_TEST(test_runner_joins_the_given_network_namespace)
{
	struct runner r;
	struct xl_runner_ready ready;
	char want[64], got[64], path[64];
	int sync[2];

	if (!privileged())
		return; /* joining a namespace needs CAP_SYS_ADMIN */
	/* hvd's way: one empty namespace, made once, held by a descriptor */
	ck_assert_int_eq(pipe(sync), 0);
	pid_t holder = fork();
	ck_assert_int_ge(holder, 0);
	if (holder == 0) {
		char c = unshare(CLONE_NEWNET) == 0 ? 'y' : 'n';
		ck_assert_int_eq(write(sync[1], &c, 1), 1);
		pause();
		_exit(0);
	}
	char c;
	ck_assert_int_eq(read(sync[0], &c, 1), 1);
	ck_assert_int_eq(c, 'y');
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)holder);
	int nsfd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(nsfd, 0);
	proc_link(holder, holder, "ns/net", want, sizeof(want));
	kill(holder, SIGKILL);
	waitpid(holder, NULL, 0);

	build_guest(report_code, sizeof(report_code));
	spawn(&r, &(struct spawn_opts){.nr_vcpus = 1, .netns_fd = nsfd});
	expect_ready(&r, &ready);
	proc_link(r.pid, r.pid, "ns/net", got, sizeof(got));
	ck_assert_str_eq(got, want);
	send_go(&r, 0, CODE_VA, 0, 0);
	assert_exited(wait_runner(&r), 7);
	close(nsfd);
}
END_TEST

static Suite *pvrun_suite(void)
{
	Suite *s = suite_create("pvrun");
	TCase *boot = tcase_create("boot");
	TCase *sandbox = tcase_create("sandbox");
	TCase *fail = tcase_create("failures");

	tcase_set_timeout(boot, 30);
	tcase_add_test(boot, test_ready_reports_image_and_guest_sees_boot_registers);
	tcase_add_test(boot, test_second_vcpu_starts_where_go_says);
	suite_add_tcase(s, boot);

	tcase_set_timeout(sandbox, 30);
	tcase_add_loop_test(sandbox, test_forbidden_syscall_kills_with_sigsys, 0,
	                    (int)(sizeof(forbidden) / sizeof(forbidden[0])));
	tcase_add_test(sandbox, test_i386_syscall_kills_with_sigsys);
	tcase_add_loop_test(sandbox, test_allowed_syscall_passes, 0,
	                    (int)(sizeof(allowed) / sizeof(allowed[0])));
	tcase_add_test(sandbox, test_runner_is_sandboxed_before_ready);
	tcase_add_test(sandbox, test_runner_joins_the_given_network_namespace);
	suite_add_tcase(s, sandbox);

	tcase_set_timeout(fail, 30);
	tcase_add_test(fail, test_malformed_elf_is_reported);
	tcase_add_test(fail, test_bad_arguments_are_reported);
	tcase_add_test(fail, test_short_memory_is_reported);
	tcase_add_test(fail, test_unbuilt_domain_is_reported);
	tcase_add_test(fail, test_bad_boot_stack_is_reported);
	tcase_add_loop_test(fail, test_malformed_go_exits_with_its_code, 0,
	                    (int)(sizeof(bad_go) / sizeof(bad_go[0])));
	suite_add_tcase(s, fail);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(pvrun_suite());

	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
