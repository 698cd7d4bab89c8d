/* console.c - console output through console_io(CONSOLEIO_write), and
 * printf on top of the formatting core. */
#include "private.h"

/* One printf reaches hvd as one write up to this size. */
#define CONSOLE_BUF 512u

int console_write(const void *buf, size_t len)
{
	const char *p = buf;
	size_t left = len;

	/* hvd may take less than asked (it caps a single write) */
	while (left) {
		int64_t n = hypercall_console_io(CONSOLEIO_write, left, p);
		if (n < 0)
			return (int)n;
		if (n == 0 || (uint64_t)n > left)
			return -XEN_EIO;
		p += n;
		left -= (size_t)n;
	}
	return (int)len;
}

struct console_sink {
	struct fmt_sink sink;
	size_t used;
	int err; /* first console_write error, or 0 */
	char buf[CONSOLE_BUF];
};

static void console_flush(struct console_sink *cs)
{
	if (cs->used && !cs->err) {
		int rc = console_write(cs->buf, cs->used);
		if (rc < 0)
			cs->err = rc;
	}
	cs->used = 0;
}

static void console_put(struct fmt_sink *sink, const char *p, size_t n)
{
	struct console_sink *cs = (struct console_sink *)sink;

	while (n) {
		if (cs->used == sizeof(cs->buf))
			console_flush(cs);
		size_t chunk = sizeof(cs->buf) - cs->used;
		if (chunk > n)
			chunk = n;
		memcpy(cs->buf + cs->used, p, chunk);
		cs->used += chunk;
		p += chunk;
		n -= chunk;
	}
}

int vprintf(const char *fmt, va_list ap)
{
	struct console_sink cs = {.sink = {.put = console_put}};
	int n = format_emit(&cs.sink, fmt, ap);

	console_flush(&cs);
	return cs.err ? cs.err : n;
}

int printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int puts(const char *s)
{
	return printf("%s\n", s);
}
