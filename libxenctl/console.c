/* console.c - libxenctl: reading domain consoles and the hypervisor log. */
#include <errno.h>
#include <string.h>

#include "private.h"

static int ring_read(xenctl_handle *h, uint32_t op, uint32_t domid, uint64_t *offset, char *buf,
		     size_t len, int clear)
{
	static struct priv_console_data out;
	struct priv_console_read req = {.domid = domid, .offset = *offset, .clear = clear != 0};
	size_t got;

	req.max = len > PRIV_CONSOLE_CHUNK ? PRIV_CONSOLE_CHUNK : (uint32_t)len;
	if (ctl_call(h, op, &req, sizeof(req), -1, &out, sizeof(out), &got, NULL) < 0)
		return -1;
	if (got < offsetof(struct priv_console_data, data) ||
	    out.len != got - offsetof(struct priv_console_data, data) || out.len > len) {
		ctl_error(h, EPROTO, "malformed console data from hv");
		return -1;
	}
	memcpy(buf, out.data, out.len);
	*offset = out.next;
	return (int)out.len;
}

int xenctl_console_read(xenctl_handle *h, uint32_t domid, uint64_t *offset, char *buf,
			size_t len)
{
	return ring_read(h, PRIV_CONSOLE_READ, domid, offset, buf, len, 0);
}

int xenctl_dmesg_read(xenctl_handle *h, uint64_t *offset, char *buf, size_t len, int clear)
{
	return ring_read(h, PRIV_DMESG_READ, 0, offset, buf, len, clear);
}
