/* conn.h - client connections and the Unix socket server around them. */
#ifndef XENSTORED_CONN_H
#define XENSTORED_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "transaction.h"
#include "watch.h"
#include "wire.h"

/* Output queued for a client that does not read beyond this: disconnect. */
#define XS_OUTQ_MAX (4u << 20)

struct event;
struct event_base;

struct conn {
	struct server *srv;
	int fd;
	struct event *ev_read, *ev_write;
	bool privileged;    /* every Unix socket client is Dom0 */
	unsigned int domid;
	unsigned char in[sizeof(struct xs_hdr) + XS_PAYLOAD_MAX];
	size_t inlen;
	char *out;
	size_t outlen, outoff, outcap;
	struct watch_list watches;
	struct transaction *txs;
	size_t ntx;
	uint32_t next_txid;
	bool dead;  /* failed: freed at the next flush */
	bool dirty; /* on srv->dirty: output to flush or death to reap */
	struct conn *next, *dirty_next;
};

struct server {
	struct event_base *base;
	struct store store;
	struct conn *conns;
	struct conn *dirty;
	int listen_fd;
	struct event *ev_listen;
};

/* Appends one message to c's output; a client over XS_OUTQ_MAX is failed. */
void conn_queue(struct conn *c, uint32_t type, uint32_t req_id, uint32_t tx_id,
		const void *payload, size_t len);
/* Marks c dead; it is closed and freed at the next flush, not now. */
void conn_fail(struct conn *c, const char *why);

int server_open(struct server *srv, struct event_base *base, const char *sockpath);
void server_close(struct server *srv);

void xenstored_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
