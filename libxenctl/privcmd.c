/* privcmd.c - libxenctl's connection to hvd and its request/reply framing. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "private.h"

xenctl_handle *xenctl_open(const char *root)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	xenctl_handle *h;

	if (!root)
		root = getenv("XENLITE_ROOT");
	if (!root || !*root || strcmp(root, "/") == 0)
		root = "";
	if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/run/xenlite/privcmd", root) >=
	    sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->stream_fd = -1;
	h->buf = malloc(PRIV_MAX_MSG);
	h->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (!h->buf || h->fd < 0 || connect(h->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		if (h->fd >= 0)
			close(h->fd);
		free(h->buf);
		free(h);
		errno = e;
		return NULL;
	}
	int sz = (int)PRIV_MAX_MSG * 4;
	setsockopt(h->fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(h->fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	return h;
}

void xenctl_close(xenctl_handle *h)
{
	if (!h)
		return;
	for (struct xenctl_mapping *m = h->maps, *n; m; m = n) {
		n = m->next;
		munmap(m->addr, XL_PAGE_SIZE);
		free(m);
	}
	if (h->stream_fd >= 0)
		close(h->stream_fd);
	close(h->fd); /* hv closes our ports and mappings with the connection */
	free(h->buf);
	free(h);
}

const char *xenctl_last_error(const xenctl_handle *h)
{
	return h ? h->err : "no handle";
}

void ctl_error(xenctl_handle *h, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(h->err, sizeof(h->err), fmt, ap);
	va_end(ap);
	errno = err;
}

int ctl_call(xenctl_handle *h, uint32_t op, const void *arg, size_t arg_len, int fd_in,
		void *out, size_t out_len, size_t *got, int *fd_out)
{
	struct priv_hdr hdr = {.op = op, .len = (uint32_t)arg_len, .req_id = ++h->req_id};
	struct iovec iov[2] = {{&hdr, sizeof(hdr)}, {(void *)arg, arg_len}};
	union {
		struct cmsghdr c;
		char b[CMSG_SPACE(sizeof(int))];
	} cm;
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = arg_len ? 2 : 1};

	if (fd_out)
		*fd_out = -1;
	if (fd_in >= 0) {
		memset(&cm, 0, sizeof(cm));
		mh.msg_control = cm.b;
		mh.msg_controllen = sizeof(cm.b);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd_in, sizeof(int));
	}
	ssize_t n;
	do
		n = sendmsg(h->fd, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		ctl_error(h, errno, "cannot send to hv: %s", strerror(errno));
		return -1;
	}

	struct iovec riov = {h->buf, PRIV_MAX_MSG};
	struct msghdr rh = {.msg_iov = &riov, .msg_iovlen = 1};
	memset(&cm, 0, sizeof(cm));
	rh.msg_control = cm.b;
	rh.msg_controllen = sizeof(cm.b);
	do
		n = recvmsg(h->fd, &rh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		ctl_error(h, n == 0 ? ECONNRESET : errno, "hv closed the connection");
		return -1;
	}
	int rfd = -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&rh); c; c = CMSG_NXTHDR(&rh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(&rfd, CMSG_DATA(c), sizeof(int));
	struct priv_reply rep;
	if ((size_t)n < sizeof(rep)) {
		if (rfd >= 0)
			close(rfd);
		ctl_error(h, EPROTO, "short reply from hv");
		return -1;
	}
	memcpy(&rep, h->buf, sizeof(rep));
	if (rep.req_id != hdr.req_id || rep.len != (size_t)n - sizeof(rep)) {
		if (rfd >= 0)
			close(rfd);
		ctl_error(h, EPROTO, "reply from hv does not match the request");
		return -1;
	}
	if (rep.err) {
		if (rfd >= 0)
			close(rfd);
		rep.msg[sizeof(rep.msg) - 1] = '\0';
		ctl_error(h, rep.err, "%s", rep.msg);
		return -1;
	}
	if (rep.len > out_len) {
		if (rfd >= 0)
			close(rfd);
		ctl_error(h, EPROTO, "reply from hv is larger than expected");
		return -1;
	}
	if (out && rep.len)
		memcpy(out, h->buf + sizeof(rep), rep.len);
	if (got)
		*got = rep.len;
	else if (rep.len != out_len) {
		if (rfd >= 0)
			close(rfd);
		ctl_error(h, EPROTO, "reply from hv has the wrong size");
		return -1;
	}
	if (fd_out)
		*fd_out = rfd;
	else if (rfd >= 0)
		close(rfd);
	h->err[0] = '\0';
	return 0;
}
