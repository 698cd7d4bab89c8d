/* args.c - the runner's command line: strict parsing and range checks. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <xenlite/xen.h>

#include "pvrun.h"

__attribute__((format(printf, 3, 4))) static int bad(char *msg, size_t msglen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, msglen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Decimal digits only: no sign, no blanks, no base prefix, no overflow. */
static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		unsigned d = (unsigned)(*s - '0');
		if (v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int pvrun_args_parse(int argc, char **argv, struct pvrun_config *cfg, char *msg, size_t msglen)
{
	enum { DOMID, VCPUS, MEM, CHROOT, UID, GID, NETNS, NR_OPTS };
	static const char *const names[NR_OPTS] = {
	    "--domid", "--vcpus", "--mem-bytes", "--chroot", "--uid", "--gid", "--netns-fd",
	};
	const char *val[NR_OPTS] = {0};
	uint64_t n;

	for (int i = 1; i < argc; i += 2) {
		int o = 0;
		while (o < NR_OPTS && strcmp(argv[i], names[o]) != 0)
			o++;
		if (o == NR_OPTS)
			return bad(msg, msglen, "usage: unknown argument '%.64s'", argv[i]);
		if (i + 1 >= argc)
			return bad(msg, msglen, "usage: %s needs a value", names[o]);
		if (val[o])
			return bad(msg, msglen, "usage: %s given twice", names[o]);
		val[o] = argv[i + 1];
	}
	for (int o = DOMID; o <= MEM; o++)
		if (!val[o])
			return bad(msg, msglen, "usage: %s is required", names[o]);

	memset(cfg, 0, sizeof(*cfg));
	if (parse_u64(val[DOMID], DOMID_FIRST_RESERVED - 1, &n) < 0 || n == 0)
		return bad(msg, msglen, "usage: --domid '%.32s' is not a DomU id (1-%u)",
		           val[DOMID], DOMID_FIRST_RESERVED - 1);
	cfg->domid = (uint32_t)n;
	if (parse_u64(val[VCPUS], XL_MAX_VCPUS, &n) < 0 || n == 0)
		return bad(msg, msglen, "usage: --vcpus '%.32s' is not between 1 and %u",
		           val[VCPUS], XL_MAX_VCPUS);
	cfg->nr_vcpus = (uint32_t)n;
	if (parse_u64(val[MEM], UINT64_MAX, &n) < 0 || n % XL_PAGE_SIZE != 0 ||
	    n < XL_GUEST_MIN_BYTES || n > XL_GUEST_MAX_BYTES)
		return bad(msg, msglen,
		           "usage: --mem-bytes '%.32s' is not a multiple of %lu between %llu and "
		           "%llu",
		           val[MEM], XL_PAGE_SIZE, XL_GUEST_MIN_BYTES, XL_GUEST_MAX_BYTES);
	cfg->mem_bytes = n;

	if (val[CHROOT] && val[CHROOT][0] != '/')
		return bad(msg, msglen, "usage: --chroot '%.64s' is not an absolute path",
		           val[CHROOT]);
	cfg->chroot_dir = val[CHROOT];

	if (!val[UID] != !val[GID])
		return bad(msg, msglen, "usage: --uid and --gid go together");
	if (val[UID]) {
		/* (uid_t)-1 means "unchanged" to setresuid: not an id */
		if (parse_u64(val[UID], UINT32_MAX - 1, &n) < 0)
			return bad(msg, msglen, "usage: --uid '%.32s' is not a user id", val[UID]);
		cfg->uid = (uid_t)n;
		if (parse_u64(val[GID], UINT32_MAX - 1, &n) < 0)
			return bad(msg, msglen, "usage: --gid '%.32s' is not a group id", val[GID]);
		cfg->gid = (gid_t)n;
		cfg->set_ids = true;
	}

	cfg->netns_fd = -1;
	if (val[NETNS]) {
		int first = PVRUN_FIRST_FREE_FD(cfg->nr_vcpus);
		if (parse_u64(val[NETNS], INT_MAX, &n) < 0 || n < (uint64_t)first)
			return bad(msg, msglen,
			           "usage: --netns-fd '%.32s' is not a descriptor number >= %d",
			           val[NETNS], first);
		cfg->netns_fd = (int)n;
	}
	return 0;
}
