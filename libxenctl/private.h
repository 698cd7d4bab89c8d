/* private.h - libxenctl internals. */
#ifndef XENCTL_PRIVATE_H
#define XENCTL_PRIVATE_H

#include "xenctl.h"

struct xenctl_mapping {
	struct xenctl_mapping *next;
	void *addr;
	uint32_t handle;
};

struct xenctl_handle {
	int fd;        /* connection to hvd's privcmd socket */
	int stream_fd; /* event stream, -1 until first asked for */
	uint64_t req_id;
	uint8_t *buf;  /* PRIV_MAX_MSG bytes for replies */
	struct xenctl_mapping *maps;
	char err[192];
};

/* One request and its reply. out_len is the exact size expected, unless got
 * is non-NULL, in which case up to out_len bytes are accepted. */
int ctl_call(xenctl_handle *h, uint32_t op, const void *arg, size_t arg_len, int fd_in,
		void *out, size_t out_len, size_t *got, int *fd_out);
void ctl_error(xenctl_handle *h, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
