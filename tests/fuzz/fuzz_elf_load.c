/* fuzz_elf_load.c - fuzz target for the PV guest image loader: the input is
 * the ELF file a Dom0 user hands to pvrun.
 *
 * The destination is what pvrun gives elf_load: a shared memfd mapping of
 * the smallest guest (XL_GUEST_MIN_BYTES) at link base XL_GUEST_BASE. Beyond
 * "no crash, no sanitizer report" the target checks elf_load's contract:
 *  - a refusal returns a negative errno, a NUL-terminated "ELF: " reason,
 *    and has written nothing to guest memory (no page of the memfd exists);
 *  - a load returns an image inside the window, page-aligned, with the entry
 *    inside it, and guest memory holds exactly each PT_LOAD's file bytes
 *    followed by zeros up to its memory size.
 * A broken contract aborts, which the fuzzer reports as a crash.
 */
#include <elf.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xenlite/abi.h>

#include "elf_load.h"
#include "fuzz.h"

#define MEM_BYTES XL_GUEST_MIN_BYTES
#define PAGE 4096u

static uint8_t *mem;
static int mem_fd = -1;
static int img_fd = -1;

static void fatal(const char *what)
{
	fprintf(stderr, "fuzz_elf_load: %s\n", what);
	abort();
}

/* One guest memory and one image file for the whole run (inputs are
 * independent: memory is emptied after every load). */
static void setup_once(void)
{
	if (mem)
		return;
	mem_fd = memfd_create("fuzz-guest", MFD_CLOEXEC);
	img_fd = memfd_create("fuzz-image", MFD_CLOEXEC);
	if (mem_fd < 0 || img_fd < 0 || ftruncate(mem_fd, (off_t)MEM_BYTES) < 0)
		fatal("cannot create memfds");
	void *p = mmap(NULL, MEM_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, mem_fd, 0);
	if (p == MAP_FAILED)
		fatal("cannot map guest memory");
	mem = p;
}

/* Does the guest memfd hold any page (i.e. was anything written)? */
static int mem_touched(void)
{
	unsigned char vec[MEM_BYTES / PAGE];

	if (mincore(mem, MEM_BYTES, vec) < 0)
		fatal("mincore");
	for (size_t i = 0; i < sizeof(vec); i++)
		if (vec[i] & 1)
			return 1;
	return 0;
}

/* Back to a memfd with no pages: reads as zeros, mincore sees nothing. */
static void mem_reset(void)
{
	if (fallocate(mem_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, (off_t)MEM_BYTES) < 0)
		fatal("cannot empty guest memory");
}

static int all_zero(const uint8_t *p, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* After a successful load: every PT_LOAD holds its file bytes, then zeros. */
static void check_loaded(const uint8_t *data, size_t size, const struct elf_image *img)
{
	Elf64_Ehdr eh;
	unsigned nr = 0;

	memcpy(&eh, data, sizeof(eh)); /* the load succeeded: the header is there */
	if (img->entry != eh.e_entry)
		fatal("entry differs from e_entry");
	if (img->start < XL_GUEST_LOAD_MIN || img->start >= img->end || img->end > MEM_BYTES ||
	    (img->start | img->end) % PAGE)
		fatal("image window outside guest memory or unaligned");
	if (img->entry < XL_GUEST_BASE + img->start || img->entry >= XL_GUEST_BASE + img->end)
		fatal("entry outside the loaded image");
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		memcpy(&ph, data + eh.e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD)
			continue;
		nr++;
		if (ph.p_offset > size || ph.p_filesz > size - ph.p_offset ||
		    ph.p_filesz > ph.p_memsz || ph.p_vaddr < XL_GUEST_BASE + XL_GUEST_LOAD_MIN ||
		    ph.p_memsz > MEM_BYTES || ph.p_vaddr - XL_GUEST_BASE > MEM_BYTES - ph.p_memsz)
			fatal("loaded a segment that does not fit");
		const uint8_t *at = mem + (ph.p_vaddr - XL_GUEST_BASE);
		if (memcmp(at, data + ph.p_offset, ph.p_filesz) != 0)
			fatal("segment bytes differ from the file");
		if (!all_zero(at + ph.p_filesz, ph.p_memsz - ph.p_filesz))
			fatal("bss not zeroed");
	}
	if (img->nr_segments != nr)
		fatal("wrong segment count");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_dest dst = {mem, XL_GUEST_BASE, XL_GUEST_LOAD_MIN, MEM_BYTES};
	struct elf_image img;
	char msg[240];

	setup_once();
	dst.mem = mem;
	if (ftruncate(img_fd, 0) < 0 || pwrite(img_fd, data, size, 0) != (ssize_t)size)
		fatal("cannot write the image file");
	memset(msg, 0x55, sizeof(msg));
	memset(&img, 0, sizeof(img));
	int rc = elf_load(img_fd, &dst, &img, msg, sizeof(msg));
	if (rc == 0) {
		check_loaded(data, size, &img);
		mem_reset();
		return 0;
	}
	if (rc >= 0 || rc < -4095)
		fatal("result is neither 0 nor a negative errno");
	if (!memchr(msg, '\0', sizeof(msg)) || strncmp(msg, "ELF: ", 5) != 0)
		fatal("refusal without an \"ELF: \" reason");
	if (mem_touched())
		fatal("a refused image wrote guest memory");
	return 0;
}
