/* elf_load.c - the PV guest image loader: checks a static x86-64 ELF
 * executable against the guest memory window, then copies it in. */
#include "elf_load.h"

#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAGE_SIZE 4096ull
/* bss stretches at least this long are zeroed by dropping their pages */
#define ZERO_BY_DROP_MIN (64ull << 10)

__attribute__((format(printf, 4, 5))) static int fail(char *msg, size_t msglen, int err,
                                                      const char *fmt, ...)
{
	va_list ap;

	if (msglen) {
		va_start(ap, fmt);
		vsnprintf(msg, msglen, fmt, ap);
		va_end(ap);
	}
	return -err;
}

/* Read exactly len bytes at off; -EIO if the file ends first. */
static int read_exact(int fd, void *buf, uint64_t len, uint64_t off)
{
	uint8_t *p = buf;

	while (len) {
		size_t chunk = len > (1u << 30) ? (1u << 30) : (size_t)len;
		ssize_t n = pread(fd, p, chunk, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		off += (uint64_t)n;
		len -= (uint64_t)n;
	}
	return 0;
}

/*
 * Zero [p, p + len). Whole pages of a shared memory mapping are dropped
 * instead of written, so a large bss costs neither time nor memory until the
 * guest touches it; other mappings (and small ranges) are cleared with memset.
 */
static void zero_range(uint8_t *p, uint64_t len)
{
	uintptr_t a = (uintptr_t)p;
	uintptr_t first = (a + PAGE_SIZE - 1) & ~(uintptr_t)(PAGE_SIZE - 1);
	uintptr_t last = (a + len) & ~(uintptr_t)(PAGE_SIZE - 1);

	if (len >= ZERO_BY_DROP_MIN && first < last &&
	    madvise((void *)first, last - first, MADV_REMOVE) == 0) {
		memset(p, 0, first - a);
		memset((void *)last, 0, a + len - last);
		return;
	}
	memset(p, 0, len);
}

static int check_ehdr(const Elf64_Ehdr *eh, uint64_t fsize, char *msg, size_t msglen)
{
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return fail(msg, msglen, ENOEXEC, "ELF: not a 64-bit ELF file (class %u)",
		            eh->e_ident[EI_CLASS]);
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return fail(msg, msglen, ENOEXEC, "ELF: not little-endian (data encoding %u)",
		            eh->e_ident[EI_DATA]);
	if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return fail(msg, msglen, ENOEXEC, "ELF: unsupported ELF version %u",
		            (unsigned)eh->e_version);
	if (eh->e_machine != EM_X86_64)
		return fail(msg, msglen, ENOEXEC, "ELF: not an x86-64 executable (machine %u)",
		            eh->e_machine);
	if (eh->e_type == ET_DYN)
		return fail(msg, msglen, ENOEXEC,
		            "ELF: position-independent image (ET_DYN): only static ET_EXEC "
		            "executables can be loaded");
	if (eh->e_type != ET_EXEC)
		return fail(msg, msglen, ENOEXEC, "ELF: not an executable (type %u)", eh->e_type);
	if (eh->e_ehsize < sizeof(Elf64_Ehdr))
		return fail(msg, msglen, ENOEXEC, "ELF: bad file header size %u", eh->e_ehsize);
	if (eh->e_phnum == 0)
		return fail(msg, msglen, ENOEXEC, "ELF: no program headers");
	if (eh->e_phnum > ELF_LOAD_MAX_PHDRS) /* includes PN_XNUM */
		return fail(msg, msglen, ENOEXEC, "ELF: too many program headers (%u, at most %u)",
		            eh->e_phnum, ELF_LOAD_MAX_PHDRS);
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return fail(msg, msglen, ENOEXEC, "ELF: bad program header size %u (expected %zu)",
		            eh->e_phentsize, sizeof(Elf64_Phdr));
	uint64_t tbl = (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr);
	if (eh->e_phoff > fsize || tbl > fsize - eh->e_phoff)
		return fail(msg, msglen, ENOEXEC,
		            "ELF: truncated program header table ([0x%" PRIx64 ",+0x%" PRIx64
		            ") in a file of %" PRIu64 " bytes)",
		            (uint64_t)eh->e_phoff, tbl, fsize);
	return 0;
}

/* Checks one PT_LOAD on its own; lo/hi is the window in guest virtual addresses. */
static int check_load(const Elf64_Phdr *ph, unsigned i, uint64_t fsize, uint64_t lo, uint64_t hi,
                      char *msg, size_t msglen)
{
	if (ph->p_filesz > ph->p_memsz)
		return fail(msg, msglen, ENOEXEC,
		            "ELF: segment %u file size 0x%" PRIx64
		            " larger than its memory size 0x%" PRIx64,
		            i, (uint64_t)ph->p_filesz, (uint64_t)ph->p_memsz);
	if (ph->p_offset > fsize || ph->p_filesz > fsize - ph->p_offset)
		return fail(msg, msglen, ENOEXEC,
		            "ELF: segment %u file bytes [0x%" PRIx64 ",+0x%" PRIx64
		            ") beyond the end of the file (%" PRIu64 " bytes)",
		            i, (uint64_t)ph->p_offset, (uint64_t)ph->p_filesz, fsize);
	if (ph->p_memsz > UINT64_MAX - ph->p_vaddr)
		return fail(msg, msglen, ENOEXEC,
		            "ELF: segment %u at 0x%" PRIx64 " with size 0x%" PRIx64
		            " wraps around the address space",
		            i, (uint64_t)ph->p_vaddr, (uint64_t)ph->p_memsz);
	uint64_t end = ph->p_vaddr + ph->p_memsz;
	if (ph->p_vaddr < lo || end > hi)
		return fail(msg, msglen, ENOEXEC,
		            "ELF: segment %u [0x%" PRIx64 ",0x%" PRIx64
		            ") outside guest memory [0x%" PRIx64 ",0x%" PRIx64 ")",
		            i, (uint64_t)ph->p_vaddr, end, lo, hi);
	return 0;
}

/* Whole-image checks over the program header table; fills img on success. */
static int check_phdrs(const Elf64_Ehdr *eh, const Elf64_Phdr *ph, uint64_t fsize,
                       const struct elf_dest *dst, struct elf_image *img, char *msg, size_t msglen)
{
	uint64_t lo = dst->base + dst->load_min, hi = dst->base + dst->size;
	uint64_t start = UINT64_MAX, end = 0;
	unsigned nr = 0;
	bool entry_ok = false;

	for (unsigned i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_INTERP)
			return fail(msg, msglen, ENOEXEC,
			            "ELF: has an interpreter (PT_INTERP): not a static executable");
		if (ph[i].p_type == PT_DYNAMIC)
			return fail(msg, msglen, ENOEXEC,
			            "ELF: has a dynamic section (PT_DYNAMIC): not a static "
			            "executable");
		if (ph[i].p_type != PT_LOAD)
			continue;
		int rc = check_load(&ph[i], i, fsize, lo, hi, msg, msglen);
		if (rc < 0)
			return rc;
		uint64_t a = ph[i].p_vaddr, b = a + ph[i].p_memsz;
		/* byte-exact: there are no per-page protections to keep apart */
		for (unsigned j = 0; j < i; j++) {
			if (ph[j].p_type != PT_LOAD)
				continue;
			uint64_t c = ph[j].p_vaddr, d = c + ph[j].p_memsz;
			if (a < b && c < d && a < d && c < b)
				return fail(msg, msglen, ENOEXEC, "ELF: segments %u and %u overlap",
				            j, i);
		}
		if ((ph[i].p_flags & PF_X) && eh->e_entry >= a && eh->e_entry - a < ph[i].p_filesz)
			entry_ok = true;
		if (a < b) {
			start = a < start ? a : start;
			end = b > end ? b : end;
		}
		nr++;
	}
	if (nr == 0 || end == 0)
		return fail(msg, msglen, ENOEXEC, "ELF: no loadable segment (PT_LOAD)");
	if (!entry_ok)
		return fail(msg, msglen, ENOEXEC,
		            "ELF: entry 0x%" PRIx64 " not in an executable segment",
		            (uint64_t)eh->e_entry);
	img->entry = eh->e_entry;
	img->start = (start - dst->base) & ~(PAGE_SIZE - 1);
	/* end <= hi, a page multiple below 2^64: rounding up cannot overflow */
	img->end = (end - dst->base + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	img->nr_segments = nr;
	return 0;
}

int elf_load(int fd, const struct elf_dest *dst, struct elf_image *img, char *msg, size_t msglen)
{
	struct stat st;
	Elf64_Ehdr eh;
	Elf64_Phdr ph[ELF_LOAD_MAX_PHDRS];

	if (!dst->mem || dst->load_min >= dst->size || dst->size > UINT64_MAX - dst->base)
		return fail(msg, msglen, EINVAL, "ELF: bad destination window");
	if (fstat(fd, &st) < 0)
		return fail(msg, msglen, errno, "ELF: cannot stat the image: %s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return fail(msg, msglen, ENOEXEC, "ELF: the image is not a regular file");
	uint64_t fsize = (uint64_t)st.st_size;

	memset(&eh, 0, sizeof(eh));
	uint64_t head = fsize < sizeof(eh) ? fsize : sizeof(eh);
	int rc = read_exact(fd, &eh, head, 0);
	if (rc < 0)
		return fail(msg, msglen, -rc, "ELF: cannot read the file header: %s",
		            strerror(-rc));
	if (head < SELFMAG || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
		return fail(msg, msglen, ENOEXEC, "ELF: not an ELF file (bad magic)");
	if (head < sizeof(eh))
		return fail(msg, msglen, ENOEXEC, "ELF: truncated file header (%" PRIu64 " bytes)",
		            fsize);
	rc = check_ehdr(&eh, fsize, msg, msglen);
	if (rc < 0)
		return rc;
	rc = read_exact(fd, ph, (uint64_t)eh.e_phnum * sizeof(ph[0]), eh.e_phoff);
	if (rc < 0)
		return fail(msg, msglen, -rc, "ELF: cannot read the program headers: %s",
		            strerror(-rc));
	rc = check_phdrs(&eh, ph, fsize, dst, img, msg, msglen);
	if (rc < 0)
		return rc;

	for (unsigned i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		uint8_t *p = dst->mem + (ph[i].p_vaddr - dst->base);
		rc = read_exact(fd, p, ph[i].p_filesz, ph[i].p_offset);
		if (rc < 0)
			return fail(msg, msglen, -rc, "ELF: cannot read segment %u: %s", i,
			            rc == -EIO ? "the file ended early" : strerror(-rc));
		zero_range(p + ph[i].p_filesz, ph[i].p_memsz - ph[i].p_filesz);
	}
	return 0;
}
