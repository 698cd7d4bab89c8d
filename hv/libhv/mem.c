/* mem.c - domain memory: one memfd per domain and the checked accessors
 * through which hv touches guest memory. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hv.h"

int mem_alloc(struct domain *d, uint64_t bytes, char *err, size_t errlen)
{
	char name[32];

	snprintf(name, sizeof(name), "xenlite-dom%u", d->domid);
	d->memfd = memfd_create(name, MFD_CLOEXEC);
	if (d->memfd < 0) {
		int e = errno;
		snprintf(err, errlen, "memfd_create: %s", strerror(e));
		return -e;
	}
	if (ftruncate(d->memfd, (off_t)bytes) < 0) {
		int e = errno;
		snprintf(err, errlen, "cannot size guest memory to %llu bytes: %s",
			 (unsigned long long)bytes, strerror(e));
		close(d->memfd);
		d->memfd = -1;
		return -e;
	}
	/* MAP_NORESERVE: pages are taken when the guest touches them */
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, d->memfd, 0);
	if (p == MAP_FAILED) {
		int e = errno;
		snprintf(err, errlen, "cannot map %llu bytes of guest memory: %s",
			 (unsigned long long)bytes, strerror(e));
		close(d->memfd);
		d->memfd = -1;
		return -e;
	}
	d->mem = p;
	d->mem_bytes = bytes;
	return 0;
}

void mem_free(struct domain *d)
{
	if (d->mem)
		munmap(d->mem, d->mem_bytes);
	if (d->memfd >= 0)
		close(d->memfd);
	d->mem = NULL;
	d->memfd = -1;
	d->mem_bytes = 0;
}

void *guest_gpa(struct domain *d, uint64_t gpa, uint64_t len)
{
	if (!d->mem || gpa > d->mem_bytes || len > d->mem_bytes - gpa)
		return NULL;
	return d->mem + gpa;
}

void *guest_va(struct domain *d, uint64_t va, uint64_t len)
{
	if (va < XL_GUEST_BASE)
		return NULL;
	return guest_gpa(d, va - XL_GUEST_BASE, len);
}

int guest_copy_from(struct domain *d, void *dst, uint64_t va, uint64_t len)
{
	const void *src = guest_va(d, va, len);

	if (!src)
		return -XEN_EFAULT;
	memcpy(dst, src, len);
	return 0;
}

int guest_copy_to(struct domain *d, uint64_t va, const void *src, uint64_t len)
{
	void *dst = guest_va(d, va, len);

	if (!dst)
		return -XEN_EFAULT;
	memcpy(dst, src, len);
	return 0;
}

struct shared_info *domain_shared_info(struct domain *d)
{
	if (d->is_dom0)
		return NULL;
	return guest_gpa(d, (uint64_t)XL_GFN_SHARED_INFO << XL_PAGE_SHIFT, XL_PAGE_SIZE);
}
