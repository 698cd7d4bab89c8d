/* harness.h - start a real hvd under a private root for integration tests,
 * and stop it again even when a test fails. */
#ifndef HARNESS_H
#define HARNESS_H

#include <stdint.h>
#include <sys/types.h>

#include <xenctl.h>

struct hvd_instance {
	char root[256];
	pid_t pid;
};

/* Starts hvd (path from $HVD) under a fresh temporary root, with extra
 * arguments (NULL-terminated); waits until it answers. 0 or -1. */
int hvd_start(struct hvd_instance *hi, const char *const *extra_args);
/* SIGTERM, wait, remove the root. Safe to call twice. */
void hvd_stop(struct hvd_instance *hi);
/* Path of an example guest ($GUEST_DIR/name) in a static buffer. */
const char *guest_path(const char *name);

/* Creates a PV domain from guest `name`, launches it and (unless paused)
 * unpauses it. Returns the domid or -1. */
int run_guest(xenctl_handle *h, const char *name, const char *cmdline, uint32_t mem_mib,
	      uint32_t vcpus, int paused);
/* Follows a domain's console until it shuts down or timeout_ms passes.
 * Appends output to buf (NUL-terminated); returns the shutdown reason, -1 on
 * error, -2 on timeout. */
int wait_shutdown(xenctl_handle *h, uint32_t domid, char *buf, size_t len, int timeout_ms);
/* Reads the hypervisor log into buf. */
void read_dmesg(xenctl_handle *h, char *buf, size_t len);

#endif
