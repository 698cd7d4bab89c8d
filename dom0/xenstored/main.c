/* main.c - xenstored: options, root-relative paths (DESIGN.md §3.6-3.7),
 * pid file, log file, signals, event loop. */
#include <errno.h>
#include <event2/event.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"

static FILE *log_file;

void xenstored_log(const char *fmt, ...)
{
	FILE *f = log_file ? log_file : stderr;
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;
	strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", gmtime_r(&now, &tm));
	fprintf(f, "%s xenstored: ", ts);
	va_list ap;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fflush(f);
}

static void mkdir_p(const char *dir)
{
	char buf[PATH_MAX];
	int n = snprintf(buf, sizeof(buf), "%s/", dir);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return;
	for (char *p = buf + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(buf, 0755);
			*p = '/';
		}
	}
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	event_base_loopbreak(arg);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: xenstored [--root DIR] [--socket PATH] [--pid-file PATH] [--log-file PATH]\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"root", required_argument, NULL, 'r'},
		{"socket", required_argument, NULL, 's'},
		{"pid-file", required_argument, NULL, 'p'},
		{"log-file", required_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *root = getenv("XENLITE_ROOT");
	const char *sock = NULL, *pidfile = NULL, *logpath = NULL;
	int o;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'r': root = optarg; break;
		case 's': sock = optarg; break;
		case 'p': pidfile = optarg; break;
		case 'l': logpath = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!root)
		root = "";
	char sockbuf[PATH_MAX], logdir[PATH_MAX], logbuf[PATH_MAX];
	if (strlen(root) > PATH_MAX / 2) {
		fprintf(stderr, "xenstored: --root too long\n");
		return 2;
	}
	if (!sock) {
		if (snprintf(sockbuf, sizeof(sockbuf), "%s/run/xenstored/socket", root) < 0)
			return 2;
		sock = sockbuf;
	}
	if (!logpath) {
		if (snprintf(logdir, sizeof(logdir), "%s/var/log/xen", root) < 0)
			return 2;
		mkdir_p(logdir);
		if (snprintf(logbuf, sizeof(logbuf), "%s/xenstored.log", logdir) < 0)
			return 2;
		logpath = logbuf;
	}
	log_file = fopen(logpath, "ae");
	if (!log_file)
		fprintf(stderr, "xenstored: cannot open log %s: %s\n", logpath, strerror(errno));
	signal(SIGPIPE, SIG_IGN);

	struct event_base *base = event_base_new();
	if (!base)
		return 1;
	struct server srv;
	int rc = server_open(&srv, base, sock);
	if (rc < 0) {
		xenstored_log("cannot listen on %s: %s", sock, strerror(-rc));
		fprintf(stderr, "xenstored: cannot listen on %s: %s\n", sock, strerror(-rc));
		return 1;
	}
	if (pidfile) {
		FILE *f = fopen(pidfile, "we");
		if (f) {
			fprintf(f, "%d\n", (int)getpid());
			fclose(f);
		} else {
			xenstored_log("cannot write pid file %s: %s", pidfile, strerror(errno));
		}
	}
	struct event *ev_term = evsignal_new(base, SIGTERM, on_signal, base);
	struct event *ev_int = evsignal_new(base, SIGINT, on_signal, base);
	event_add(ev_term, NULL);
	event_add(ev_int, NULL);
	xenstored_log("listening on %s", sock);
	event_base_dispatch(base);
	xenstored_log("exiting");
	server_close(&srv);
	unlink(sock);
	if (pidfile)
		unlink(pidfile);
	event_free(ev_term);
	event_free(ev_int);
	event_base_free(base);
	if (log_file)
		fclose(log_file);
	return 0;
}
