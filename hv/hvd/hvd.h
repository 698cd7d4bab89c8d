/* hvd.h - the hypervisor daemon's shared state (internal to hv/hvd). */
#ifndef HVD_H
#define HVD_H

#include <event2/event.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "hv.h"

struct hvd {
	struct hv *hv;
	struct event_base *base;
	struct event *timer;
	struct event *sigchld;
	struct event *sigterm, *sigint;
	struct event *listener;
	int listen_fd;
	char root[4096];
	char rundir[4096];
	char sock_path[4096];
	char empty_dir[4096];
	char pvrun[4096];
	char cgroup_dir[4096]; /* per-hvd cpu cgroup, "" if none */
	int cgroup_v2;
	int netns_fd;          /* an empty network namespace runners join, or -1 */
	uid_t sandbox_uid;
	gid_t sandbox_gid;
	uint64_t next_conn_id;
	struct conn *conns;
	FILE *log;
	int verbose;
	uint64_t activity; /* requests served; the loop polls briefly after one */
	uint64_t spin_ns;  /* how long to keep polling after activity */
	int pool_size;     /* standby runners kept ready (pool.c) */
	bool stopping;
};

/* hvd's end of one vCPU's hypercall channel. */
struct chan {
	struct dom_priv *p;
	struct vcpu *v;
	int fd; /* -1 when closed */
	struct event *ev;
};

/* Per-domain state kept by hvd (struct domain.priv). */
struct dom_priv {
	struct hvd *hvd;
	struct domain *d;
	struct chan *chan;    /* one per vCPU */
	bool ready;           /* runner said READY */
	bool go_sent;         /* vCPU 0 was sent GO */
	bool stopped;         /* SIGSTOP in force */
	bool killed;          /* we killed the runner */
	struct conn *launch_conn; /* deferred LAUNCH_PV reply */
	uint64_t launch_req_id;
	uint64_t entry;
	int cgroup_ok;
};

/* A Dom0 client connection on the privcmd socket. */
struct conn {
	struct hvd *hvd;
	struct conn *next;
	uint64_t id;      /* owner cookie for ports and mappings */
	int fd;
	int stream_fd;    /* hvd's end of the event stream, -1 if none */
	bool privileged;
	struct event *ev;
	/* ports the stream had no room for, sent when it drains */
	struct event *stream_ev;
	uint64_t backlog[HV_EVTCHN_PORTS / 64];
};

extern const struct hv_ops hvd_hv_ops;

/* pv.c */
/* Starts fa with a runner's stdio: /dev/null (stderr to the log if verbose). */
void runner_spawn_actions(struct hvd *h, posix_spawn_file_actions_t *fa);
int runner_launch(struct hvd *h, struct domain *d, int elf_fd, char *err, size_t errlen);
void runner_reap_children(struct hvd *h);
void runner_domain_gone(struct domain *d);
void dom_priv_free(struct domain *d);

/* privcmd.c */
int privcmd_listen(struct hvd *h);
void privcmd_reply(struct conn *c, uint64_t req_id, int err, const char *msg, const void *data,
		   size_t len, int fd);
struct conn *conn_by_id(struct hvd *h, uint64_t id);
/* Queues a fired Dom0 port on the connection's event stream; never drops it. */
void conn_stream_push(struct conn *c, evtchn_port_t port);

/* pool.c */
int pool_init(struct hvd *h);
void pool_fini(void);
/* Hands args (argv[1..], NULL-terminated) and fds to a standby runner;
 * returns its pid, or -1 if none was ready (the caller spawns one). */
pid_t pool_launch(char *const *args, const int *fds, int nfds);

/* sched.c */
void sched_init(struct hvd *h);
void sched_fini(struct hvd *h);
int sched_attach(struct hvd *h, struct domain *d);
void sched_detach(struct hvd *h, struct domain *d);
int sched_set(struct hvd *h, struct domain *d, uint32_t weight, uint32_t cap, char *err,
	      size_t errlen);
int sched_set_affinity(struct hvd *h, struct domain *d, struct vcpu *v, uint64_t map, char *err,
		       size_t errlen);

void hvd_log(struct hvd *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
