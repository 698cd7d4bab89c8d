/* wire.h - the XenStore wire protocol (REFERENCE-xen.md §1.2-1.5): message
 * header, types, and the request dispatcher. */
#ifndef XENSTORED_WIRE_H
#define XENSTORED_WIRE_H

#include <stdbool.h>
#include <stdint.h>

#define XS_PAYLOAD_MAX 4096

enum xs_type {
	XS_CONTROL = 0,
	XS_DIRECTORY = 1,
	XS_READ = 2,
	XS_GET_PERMS = 3,
	XS_WATCH = 4,
	XS_UNWATCH = 5,
	XS_TRANSACTION_START = 6,
	XS_TRANSACTION_END = 7,
	XS_INTRODUCE = 8,
	XS_RELEASE = 9,
	XS_GET_DOMAIN_PATH = 10,
	XS_WRITE = 11,
	XS_MKDIR = 12,
	XS_RM = 13,
	XS_SET_PERMS = 14,
	XS_WATCH_EVENT = 15,
	XS_ERROR = 16,
	XS_IS_DOMAIN_INTRODUCED = 17,
	XS_RESUME = 18,
	XS_SET_TARGET = 19,
	XS_RESTRICT = 20,
	XS_RESET_WATCHES = 21,
	XS_DIRECTORY_PART = 22,
	XS_GET_FEATURE = 23,
	XS_SET_FEATURE = 24,
	XS_GET_QUOTA = 25,
	XS_SET_QUOTA = 26,
	XS_TYPE_COUNT
};

/* On the wire in host byte order, followed by len payload bytes. */
struct xs_hdr {
	uint32_t type;
	uint32_t req_id;
	uint32_t tx_id;
	uint32_t len;
};

struct conn;
struct server;

/* Handles one complete request; payload has len bytes plus a NUL at
 * payload[len]. Queues exactly one reply (and maybe watch events). */
void wire_handle(struct server *srv, struct conn *c, const struct xs_hdr *hdr, char *payload);
/* Queues watch events on every connection for a change at path. */
void wire_fire_watches(struct server *srv, const char *path, bool removed);
/* Errno value -> official XenStore error name ("EINVAL" for unknown ones). */
const char *wire_error_name(int err);

#endif
