/* format.c - printf-style formatting (no floating point) into a sink, and
 * snprintf/vsnprintf on top of it. */
#include "private.h"

enum {
	F_LEFT = 1u << 0,  /* '-' */
	F_ZERO = 1u << 1,  /* '0' */
	F_PLUS = 1u << 2,  /* '+' */
	F_SPACE = 1u << 3, /* ' ' */
	F_ALT = 1u << 4,   /* '#' */
};

enum length { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE, LEN_MAX, LEN_PTRDIFF };

struct spec {
	unsigned flags;
	int width;     /* 0: none */
	int precision; /* -1: none */
	enum length len;
};

struct out {
	struct fmt_sink *sink;
	size_t count;
};

static void emit(struct out *o, const char *p, size_t n)
{
	if (n) {
		o->sink->put(o->sink, p, n);
		o->count += n;
	}
}

static void emit_fill(struct out *o, char c, size_t n)
{
	char chunk[32];

	memset(chunk, c, n < sizeof(chunk) ? n : sizeof(chunk));
	while (n) {
		size_t k = n < sizeof(chunk) ? n : sizeof(chunk);
		emit(o, chunk, k);
		n -= k;
	}
}

/* Emits body (len bytes) padded to the field width. */
static void emit_padded(struct out *o, const struct spec *sp, const char *body, size_t len)
{
	size_t pad = sp->width > 0 && (size_t)sp->width > len ? (size_t)sp->width - len : 0;

	if (!(sp->flags & F_LEFT))
		emit_fill(o, ' ', pad);
	emit(o, body, len);
	if (sp->flags & F_LEFT)
		emit_fill(o, ' ', pad);
}

static void emit_number(struct out *o, const struct spec *sp, uint64_t v, bool negative,
                        unsigned base, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24]; /* 22 octal digits for 2^64-1 */
	size_t nd = 0;

	while (v) {
		buf[sizeof(buf) - ++nd] = digits[v % base];
		v /= base;
	}
	/* precision: minimum digits; "%.0d" of 0 prints no digits */
	size_t want = sp->precision >= 0 ? (size_t)sp->precision : 1;
	bool was_zero = nd == 0;

	char prefix[2];
	size_t np = 0;
	if (negative)
		prefix[np++] = '-';
	else if (sp->flags & F_PLUS)
		prefix[np++] = '+';
	else if (sp->flags & F_SPACE)
		prefix[np++] = ' ';
	if ((sp->flags & F_ALT) && base == 16 && !was_zero) {
		prefix[np++] = '0';
		prefix[np++] = upper ? 'X' : 'x';
	}
	/* "%#o" guarantees a leading zero */
	if ((sp->flags & F_ALT) && base == 8 && want <= nd)
		want = nd + 1;

	size_t zeros = want > nd ? want - nd : 0;
	size_t len = np + zeros + nd;
	size_t pad = sp->width > 0 && (size_t)sp->width > len ? (size_t)sp->width - len : 0;
	/* '0' pads with zeros after the sign, unless left-justified or a
	 * precision is given (C99 7.19.6.1) */
	if ((sp->flags & F_ZERO) && !(sp->flags & F_LEFT) && sp->precision < 0) {
		zeros += pad;
		pad = 0;
	}
	if (!(sp->flags & F_LEFT))
		emit_fill(o, ' ', pad);
	emit(o, prefix, np);
	emit_fill(o, '0', zeros);
	emit(o, buf + sizeof(buf) - nd, nd);
	if (sp->flags & F_LEFT)
		emit_fill(o, ' ', pad);
}

static int64_t arg_signed(const struct spec *sp, va_list *ap)
{
	switch (sp->len) {
	case LEN_CHAR:
		return (signed char)va_arg(*ap, int);
	case LEN_SHORT:
		return (short)va_arg(*ap, int);
	case LEN_LONG:
		return va_arg(*ap, long);
	case LEN_LLONG:
		return va_arg(*ap, long long);
	case LEN_SIZE:
	case LEN_PTRDIFF:
		return va_arg(*ap, ptrdiff_t); /* ssize_t and ptrdiff_t are both long */
	case LEN_MAX:
		return va_arg(*ap, intmax_t);
	default:
		return va_arg(*ap, int);
	}
}

static uint64_t arg_unsigned(const struct spec *sp, va_list *ap)
{
	switch (sp->len) {
	case LEN_CHAR:
		return (unsigned char)va_arg(*ap, unsigned);
	case LEN_SHORT:
		return (unsigned short)va_arg(*ap, unsigned);
	case LEN_LONG:
		return va_arg(*ap, unsigned long);
	case LEN_LLONG:
		return va_arg(*ap, unsigned long long);
	case LEN_SIZE:
	case LEN_PTRDIFF:
		return va_arg(*ap, size_t);
	case LEN_MAX:
		return va_arg(*ap, uintmax_t);
	default:
		return va_arg(*ap, unsigned);
	}
}

static int parse_int(const char **pp)
{
	const char *p = *pp;
	int v = 0;

	while (*p >= '0' && *p <= '9') {
		if (v < __INT_MAX__ / 10)
			v = v * 10 + (*p - '0');
		p++;
	}
	*pp = p;
	return v;
}

/* Parses flags, width, precision and length after '%'; *pp ends on the
 * conversion character. */
static void parse_spec(const char **pp, struct spec *sp, va_list *ap)
{
	const char *p = *pp;

	*sp = (struct spec){.precision = -1, .len = LEN_INT};
	for (;; p++) {
		if (*p == '-')
			sp->flags |= F_LEFT;
		else if (*p == '0')
			sp->flags |= F_ZERO;
		else if (*p == '+')
			sp->flags |= F_PLUS;
		else if (*p == ' ')
			sp->flags |= F_SPACE;
		else if (*p == '#')
			sp->flags |= F_ALT;
		else
			break;
	}
	if (*p == '*') {
		int w = va_arg(*ap, int);
		if (w < 0) {
			sp->flags |= F_LEFT;
			w = w == -__INT_MAX__ - 1 ? __INT_MAX__ : -w;
		}
		sp->width = w;
		p++;
	} else {
		sp->width = parse_int(&p);
	}
	if (*p == '.') {
		p++;
		if (*p == '*') {
			int prec = va_arg(*ap, int);
			sp->precision = prec < 0 ? -1 : prec;
			p++;
		} else {
			sp->precision = parse_int(&p);
		}
	}
	switch (*p) {
	case 'h':
		sp->len = p[1] == 'h' ? LEN_CHAR : LEN_SHORT;
		p += p[1] == 'h' ? 2 : 1;
		break;
	case 'l':
		sp->len = p[1] == 'l' ? LEN_LLONG : LEN_LONG;
		p += p[1] == 'l' ? 2 : 1;
		break;
	case 'z':
		sp->len = LEN_SIZE;
		p++;
		break;
	case 'j':
		sp->len = LEN_MAX;
		p++;
		break;
	case 't':
		sp->len = LEN_PTRDIFF;
		p++;
		break;
	default:
		break;
	}
	*pp = p;
}

static void convert(struct out *o, const struct spec *sp, char conv, va_list *ap)
{
	switch (conv) {
	case 'd':
	case 'i': {
		int64_t v = arg_signed(sp, ap);
		uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
		emit_number(o, sp, mag, v < 0, 10, false);
		break;
	}
	case 'u':
		emit_number(o, sp, arg_unsigned(sp, ap), false, 10, false);
		break;
	case 'x':
	case 'X':
		emit_number(o, sp, arg_unsigned(sp, ap), false, 16, conv == 'X');
		break;
	case 'o':
		emit_number(o, sp, arg_unsigned(sp, ap), false, 8, false);
		break;
	case 'p': {
		struct spec ps = *sp;
		ps.flags |= F_ALT;
		uint64_t v = (uint64_t)(uintptr_t)va_arg(*ap, void *);
		if (!v) {
			emit_padded(o, sp, "0x0", 3);
			break;
		}
		emit_number(o, &ps, v, false, 16, false);
		break;
	}
	case 'c': {
		char c = (char)va_arg(*ap, int);
		emit_padded(o, sp, &c, 1);
		break;
	}
	case 's': {
		const char *s = va_arg(*ap, const char *);
		if (!s)
			s = "(null)";
		size_t n = sp->precision >= 0 ? strnlen(s, (size_t)sp->precision) : strlen(s);
		emit_padded(o, sp, s, n);
		break;
	}
	case '%':
		emit(o, "%", 1);
		break;
	default: {
		/* not a conversion we know: print it as written */
		char bad[2] = {'%', conv};
		emit(o, bad, conv ? 2 : 1);
		break;
	}
	}
}

int format_emit(struct fmt_sink *sink, const char *fmt, va_list ap)
{
	struct out o = {.sink = sink};
	va_list args;

	va_copy(args, ap);
	while (*fmt) {
		const char *lit = fmt;
		while (*fmt && *fmt != '%')
			fmt++;
		emit(&o, lit, (size_t)(fmt - lit));
		if (!*fmt)
			break;
		fmt++;
		struct spec sp;
		parse_spec(&fmt, &sp, &args);
		char conv = *fmt;
		if (conv)
			fmt++;
		convert(&o, &sp, conv, &args);
	}
	va_end(args);
	return o.count > __INT_MAX__ ? __INT_MAX__ : (int)o.count;
}

struct buf_sink {
	struct fmt_sink sink;
	char *buf;
	size_t size; /* room for text, excluding the NUL */
	size_t len;  /* bytes stored */
};

static void buf_put(struct fmt_sink *sink, const char *p, size_t n)
{
	struct buf_sink *bs = (struct buf_sink *)sink;
	size_t room = bs->size - bs->len;

	if (n > room)
		n = room;
	memcpy(bs->buf + bs->len, p, n);
	bs->len += n;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct buf_sink bs = {.sink = {.put = buf_put}, .buf = buf, .size = size ? size - 1 : 0};
	int n = format_emit(&bs.sink, fmt, ap);

	if (size)
		buf[bs.len] = '\0';
	return n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
