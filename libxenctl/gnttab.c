/* gnttab.c - libxenctl: mapping and copying pages other domains grant. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "private.h"

void *xenctl_gnttab_map(xenctl_handle *h, uint32_t domid, grant_ref_t ref, int writable)
{
	struct priv_gnttab_map req = {.domid = domid, .ref = ref, .readonly = !writable};
	struct priv_gnttab_mapped out;
	int fd;

	if (ctl_call(h, PRIV_GNTTAB_MAP, &req, sizeof(req), -1, &out, sizeof(out), NULL, &fd) <
	    0)
		return NULL;
	if (fd < 0) {
		ctl_error(h, EPROTO, "hv sent no memory to map");
		return NULL;
	}
	struct xenctl_mapping *m = calloc(1, sizeof(*m));
	void *p = m ? mmap(NULL, XL_PAGE_SIZE, PROT_READ | (writable ? PROT_WRITE : 0), MAP_SHARED,
			   fd, (off_t)out.offset)
		    : MAP_FAILED;
	int e = errno;
	close(fd);
	if (p == MAP_FAILED) {
		struct priv_gnttab_unmap un = {.handle = out.handle};
		ctl_call(h, PRIV_GNTTAB_UNMAP, &un, sizeof(un), -1, NULL, 0, NULL, NULL);
		free(m);
		ctl_error(h, m ? e : ENOMEM, "cannot map the granted page");
		return NULL;
	}
	m->addr = p;
	m->handle = out.handle;
	m->next = h->maps;
	h->maps = m;
	return p;
}

int xenctl_gnttab_unmap(xenctl_handle *h, void *addr)
{
	for (struct xenctl_mapping **pp = &h->maps; *pp; pp = &(*pp)->next) {
		struct xenctl_mapping *m = *pp;
		if (m->addr != addr)
			continue;
		struct priv_gnttab_unmap req = {.handle = m->handle};
		munmap(m->addr, XL_PAGE_SIZE);
		*pp = m->next;
		free(m);
		return ctl_call(h, PRIV_GNTTAB_UNMAP, &req, sizeof(req), -1, NULL, 0, NULL, NULL);
	}
	ctl_error(h, EINVAL, "address %p is not a grant mapping of this handle", addr);
	return -1;
}

int xenctl_gnttab_copy(xenctl_handle *h, struct gnttab_copy *ops, uint32_t count, void *buf,
		       size_t buf_len)
{
	static struct priv_gnttab_copy_batch b; /* 64 KiB: too big for a stack */

	if (count > PRIV_GNTTAB_COPY_MAX || buf_len > sizeof(b.data)) {
		ctl_error(h, E2BIG, "at most %u copies and %zu bytes per call",
				 PRIV_GNTTAB_COPY_MAX, sizeof(b.data));
		return -1;
	}
	memset(&b, 0, offsetof(struct priv_gnttab_copy_batch, data));
	b.count = count;
	memcpy(b.ops, ops, count * sizeof(*ops));
	if (buf_len)
		memcpy(b.data, buf, buf_len);
	if (ctl_call(h, PRIV_GNTTAB_COPY, &b, sizeof(b), -1, &b, sizeof(b), NULL, NULL) < 0)
		return -1;
	memcpy(ops, b.ops, count * sizeof(*ops));
	if (buf_len)
		memcpy(buf, b.data, buf_len);
	return 0;
}
