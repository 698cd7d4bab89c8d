/* forbidden.c - a guest that breaks the sandbox's rules on purpose.
 *
 * It announces itself, then opens /etc/passwd with a raw openat system call,
 * which is outside the runner's allowlist: the sandbox must kill it (SIGSYS)
 * and hvd must report the domain crashed. Should it survive, it says so and
 * powers off, which a test reads as the sandbox having failed.
 */
#include <xlguest.h>

#define SYS_openat 257
#define AT_FDCWD (-100)
#define O_RDONLY 0

static long raw_openat(int dirfd, const char *path, int flags)
{
	long ret;

	__asm__ volatile("syscall"
	                 : "=a"(ret)
	                 : "a"((long)SYS_openat), "D"((long)dirfd), "S"(path), "d"((long)flags)
	                 : "rcx", "r11", "memory");
	return ret;
}

int guest_main(const char *cmdline)
{
	printf("forbidden: about to make a forbidden syscall\n");
	long fd = raw_openat(AT_FDCWD, "/etc/passwd", O_RDONLY);
	printf("forbidden: still alive\n");
	printf("forbidden: openat returned %ld\n", fd);
	return 0;
}
