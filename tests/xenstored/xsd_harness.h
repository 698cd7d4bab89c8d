/* xsd_harness.h - starts a private xenstored for a test and talks raw wire
 * protocol to it. */
#ifndef XSD_HARNESS_H
#define XSD_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct xsd_instance {
	pid_t pid;
	char root[256];
	char sock[320];
};

struct xsd_msg {
	uint32_t type, req_id, tx_id, len;
	char body[4097]; /* NUL added after len bytes */
};

/* Starts $XENSTORED (killed with the test process) under a fresh temporary
 * root and sets XENSTORED_PATH for child clients. Returns 0 or -1. */
int xsd_start(struct xsd_instance *xi);
void xsd_stop(struct xsd_instance *xi);
int xsd_connect(const struct xsd_instance *xi);
int xsd_send(int fd, uint32_t type, uint32_t req_id, uint32_t tx_id, const void *p, size_t len);
/* Reads one message (waits up to timeout_ms). Returns 0, or -1 on EOF/error/timeout. */
int xsd_recv(int fd, struct xsd_msg *m, int timeout_ms);
/* Sends a request and returns its reply, skipping watch events. */
int xsd_call(int fd, uint32_t type, uint32_t tx_id, const void *p, size_t len,
	     struct xsd_msg *reply);
/* Runs a shell command; captures stdout into out; returns the exit status. */
int xsd_run(char *out, size_t outlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
