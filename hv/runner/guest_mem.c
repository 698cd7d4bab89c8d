/* guest_mem.c - mapping the domain's memory at XL_GUEST_BASE and the boot
 * information the runner reads from and adds to the start_info page. */
#include "guest_mem.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <xenlite/xen.h>

int guest_mem_map(int memfd, uint64_t bytes, char *msg, size_t msglen)
{
	struct stat st;

	if (fstat(memfd, &st) < 0) {
		int e = errno;
		snprintf(msg, msglen, "memory: cannot stat the memory object (fd %d): %s", memfd,
		         strerror(e));
		return -e;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(msg, msglen, "memory: fd %d is not a memory object (memfd)", memfd);
		return -EINVAL;
	}
	if ((uint64_t)st.st_size < bytes) {
		snprintf(msg, msglen,
		         "memory: the memory object holds %" PRIu64 " bytes, fewer than %" PRIu64,
		         (uint64_t)st.st_size, bytes);
		return -EINVAL;
	}
	void *p = mmap(GUEST_MEM, bytes, PROT_READ | PROT_WRITE | PROT_EXEC,
	               MAP_SHARED | MAP_FIXED_NOREPLACE, memfd, 0);
	if (p == MAP_FAILED || p != GUEST_MEM) {
		/* kernels before 4.17 ignore MAP_FIXED_NOREPLACE and map elsewhere */
		int e = p == MAP_FAILED ? errno : EEXIST;
		if (p != MAP_FAILED)
			munmap(p, bytes);
		snprintf(msg, msglen, "memory: cannot map %" PRIu64 " bytes at 0x%llx: %s", bytes,
		         XL_GUEST_BASE, strerror(e));
		return -e;
	}
	return 0;
}

int guest_boot_prepare(uint64_t bytes, uint32_t nr_vcpus, const struct elf_image *img,
                       uint64_t *boot_stack, char *msg, size_t msglen)
{
	const uint64_t ext_gpa =
	    ((uint64_t)XL_GFN_START_INFO << XL_PAGE_SHIFT) + XL_START_INFO_EXT_OFFSET;
	_Static_assert(XL_START_INFO_EXT_OFFSET + sizeof(struct xl_start_info_ext) <= XL_PAGE_SIZE,
	               "the extension lies inside the start_info page");
	_Static_assert(((uint64_t)XL_GFN_START_INFO + 1) << XL_PAGE_SHIFT <= XL_GUEST_MIN_BYTES,
	               "the start_info page lies inside the smallest guest");
	struct xl_start_info_ext *ext = (struct xl_start_info_ext *)(GUEST_MEM + ext_gpa);
	const uint64_t stack_min = (uint64_t)XL_GFN_FIRST_FREE << XL_PAGE_SHIFT;

	if (ext->magic != XL_START_INFO_EXT_MAGIC || ext->abi_version != XENLITE_ABI_VERSION ||
	    ext->guest_base != XL_GUEST_BASE) {
		snprintf(msg, msglen,
		         "start info: no valid extension at gpa 0x%" PRIx64
		         " (magic 0x%x, ABI %u, base 0x%" PRIx64 "): the domain was not built",
		         ext_gpa, ext->magic, ext->abi_version, ext->guest_base);
		return -EINVAL;
	}
	if (ext->nr_vcpus != nr_vcpus) {
		snprintf(msg, msglen, "start info: built for %u vCPUs, runner started with %u",
		         ext->nr_vcpus, nr_vcpus);
		return -EINVAL;
	}
	uint64_t top = ext->boot_stack_top;
	if (top % 16 != 0 || top <= stack_min || top > bytes ||
	    (top > img->start && top <= img->end)) {
		snprintf(msg, msglen,
		         "start info: boot stack top 0x%" PRIx64
		         " must be 16-byte aligned, in (0x%" PRIx64 ",0x%" PRIx64
		         "] and not in the image [0x%" PRIx64 ",0x%" PRIx64 ")",
		         top, stack_min, bytes, img->start, img->end);
		return -EINVAL;
	}
	ext->image_end = img->end;
	*boot_stack = XL_GUEST_BASE + top;
	return 0;
}
