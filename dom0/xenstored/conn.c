/* conn.c - the Unix socket server: accept, per-connection input reassembly
 * and output queues with caps, deferred close of failed connections. */
#include "conn.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static void server_flush(struct server *srv);

static void conn_mark_dirty(struct conn *c)
{
	if (c->dirty)
		return;
	c->dirty = true;
	c->dirty_next = c->srv->dirty;
	c->srv->dirty = c;
}

void conn_fail(struct conn *c, const char *why)
{
	if (c->dead)
		return;
	xenstored_log("closing connection fd %d: %s", c->fd, why);
	c->dead = true;
	conn_mark_dirty(c);
}

void conn_queue(struct conn *c, uint32_t type, uint32_t req_id, uint32_t tx_id,
		const void *payload, size_t len)
{
	if (c->dead)
		return;
	if (len > XS_PAYLOAD_MAX) {
		/* Replies over the cap become E2BIG (REFERENCE-xen.md §1.2). */
		type = XS_ERROR;
		payload = "E2BIG";
		len = 6;
	}
	struct xs_hdr h = {type, req_id, tx_id, (uint32_t)len};
	size_t need = sizeof(h) + len;
	if (c->outoff && c->outoff == c->outlen)
		c->outoff = c->outlen = 0;
	if (c->outlen - c->outoff + need > XS_OUTQ_MAX) {
		conn_fail(c, "output queue over its cap (client not reading)");
		return;
	}
	if (c->outlen + need > c->outcap) {
		if (c->outoff) {
			memmove(c->out, c->out + c->outoff, c->outlen - c->outoff);
			c->outlen -= c->outoff;
			c->outoff = 0;
		}
		size_t cap = c->outcap ? c->outcap : 8192;
		while (cap < c->outlen + need)
			cap *= 2;
		if (cap != c->outcap) {
			char *o = realloc(c->out, cap);
			if (!o) {
				conn_fail(c, "out of memory");
				return;
			}
			c->out = o;
			c->outcap = cap;
		}
	}
	memcpy(c->out + c->outlen, &h, sizeof(h));
	if (len)
		memcpy(c->out + c->outlen + sizeof(h), payload, len);
	c->outlen += need;
	conn_mark_dirty(c);
}

static void conn_free(struct conn *c)
{
	struct server *srv = c->srv;
	for (struct conn **pp = &srv->conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	event_free(c->ev_read);
	event_free(c->ev_write);
	close(c->fd);
	watch_clear(&c->watches);
	while (c->txs) {
		struct transaction *tx = c->txs;
		c->txs = tx->next;
		transaction_free(tx);
	}
	free(c->out);
	free(c);
}

static void conn_write(struct conn *c)
{
	while (c->outoff < c->outlen) {
		ssize_t n = write(c->fd, c->out + c->outoff, c->outlen - c->outoff);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				event_add(c->ev_write, NULL);
				return;
			}
			conn_fail(c, strerror(errno));
			return;
		}
		c->outoff += (size_t)n;
	}
	c->outoff = c->outlen = 0;
	event_del(c->ev_write);
}

/* Writes queued output of every touched connection and frees failed ones.
 * Runs at the end of each event callback so handlers never see a freed conn. */
static void server_flush(struct server *srv)
{
	while (srv->dirty) {
		struct conn *c = srv->dirty;
		srv->dirty = c->dirty_next;
		c->dirty = false;
		if (!c->dead)
			conn_write(c);
		if (c->dead) {
			/* conn_write may have re-queued c as dirty; unlink it. */
			for (struct conn **pp = &srv->dirty; *pp; pp = &(*pp)->dirty_next) {
				if (*pp == c) {
					*pp = c->dirty_next;
					break;
				}
			}
			conn_free(c);
		}
	}
}

static void conn_process(struct conn *c)
{
	size_t off = 0;
	while (!c->dead && c->inlen - off >= sizeof(struct xs_hdr)) {
		struct xs_hdr h;
		memcpy(&h, c->in + off, sizeof(h));
		if (h.len > XS_PAYLOAD_MAX) {
			conn_fail(c, "request payload over 4096 bytes");
			return;
		}
		if (c->inlen - off < sizeof(h) + h.len)
			break;
		char payload[XS_PAYLOAD_MAX + 1];
		memcpy(payload, c->in + off + sizeof(h), h.len);
		payload[h.len] = '\0';
		off += sizeof(h) + h.len;
		wire_handle(c->srv, c, &h, payload);
	}
	if (off) {
		memmove(c->in, c->in + off, c->inlen - off);
		c->inlen -= off;
	}
}

static void conn_on_read(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	struct server *srv = c->srv;
	ssize_t n = read(fd, c->in + c->inlen, sizeof(c->in) - c->inlen);
	if (n == 0) {
		c->dead = true;
		conn_mark_dirty(c);
	} else if (n < 0) {
		if (errno != EAGAIN && errno != EINTR && errno != EWOULDBLOCK)
			conn_fail(c, strerror(errno));
	} else {
		c->inlen += (size_t)n;
		conn_process(c);
	}
	server_flush(srv);
}

static void conn_on_write(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	conn_mark_dirty(c);
	server_flush(c->srv);
}

static void server_on_accept(evutil_socket_t fd, short what, void *arg)
{
	struct server *srv = arg;
	for (;;) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				xenstored_log("accept: %s", strerror(errno));
			return;
		}
		struct conn *c = calloc(1, sizeof(*c));
		if (!c) {
			close(cfd);
			continue;
		}
		c->srv = srv;
		c->fd = cfd;
		c->privileged = true;
		c->domid = 0;
		c->ev_read = event_new(srv->base, cfd, EV_READ | EV_PERSIST, conn_on_read, c);
		c->ev_write = event_new(srv->base, cfd, EV_WRITE | EV_PERSIST, conn_on_write, c);
		if (!c->ev_read || !c->ev_write || event_add(c->ev_read, NULL) < 0) {
			if (c->ev_read)
				event_free(c->ev_read);
			if (c->ev_write)
				event_free(c->ev_write);
			close(cfd);
			free(c);
			continue;
		}
		c->next = srv->conns;
		srv->conns = c;
	}
}

static int mkdir_parents(const char *path)
{
	char buf[PATH_MAX];
	if (strlen(path) >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return 0;
}

int server_open(struct server *srv, struct event_base *base, const char *sockpath)
{
	memset(srv, 0, sizeof(*srv));
	srv->base = base;
	srv->listen_fd = -1;
	int rc = store_init(&srv->store);
	if (rc < 0)
		return rc;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(sockpath) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, sockpath);
	if ((rc = mkdir_parents(sockpath)) < 0)
		return rc;
	unlink(sockpath);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(sockpath, 0660) < 0 ||
	    listen(fd, 128) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	srv->listen_fd = fd;
	srv->ev_listen = event_new(base, fd, EV_READ | EV_PERSIST, server_on_accept, srv);
	if (!srv->ev_listen || event_add(srv->ev_listen, NULL) < 0)
		return -ENOMEM;
	return 0;
}

void server_close(struct server *srv)
{
	while (srv->conns) {
		srv->conns->dirty = false;
		conn_free(srv->conns);
	}
	srv->dirty = NULL;
	if (srv->ev_listen)
		event_free(srv->ev_listen);
	if (srv->listen_fd >= 0)
		close(srv->listen_fd);
	store_free(&srv->store);
}
