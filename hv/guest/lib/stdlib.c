/* stdlib.c - number parsing (strto*) and qsort of the libc subset. */
#include "private.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

uint64_t parse_number(const char *s, char **end, int base, bool *negative, bool *overflow)
{
	const char *p = s;
	uint64_t v = 0;
	bool any = false;

	*negative = false;
	*overflow = false;
	while (is_space(*p))
		p++;
	if (*p == '+' || *p == '-')
		*negative = *p++ == '-';
	if ((base == 0 || base == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
	    digit_value(p[2]) < 16) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = p[0] == '0' ? 8 : 10;
	}
	if (base < 2 || base > 36) {
		if (end)
			*end = (char *)s;
		return 0;
	}
	for (int d; (d = digit_value(*p)) < base; p++) {
		any = true;
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base) {
			*overflow = true;
			v = UINT64_MAX;
		} else if (!*overflow) {
			v = v * (uint64_t)base + (uint64_t)d;
		}
	}
	if (end)
		*end = (char *)(any ? p : s);
	return v;
}

unsigned long long strtoull(const char *s, char **end, int base)
{
	bool negative, overflow;
	uint64_t v = parse_number(s, end, base, &negative, &overflow);

	if (overflow)
		return UINT64_MAX;
	return negative ? (uint64_t)0 - v : v; /* C: the negation is in the type */
}

unsigned long strtoul(const char *s, char **end, int base)
{
	return strtoull(s, end, base); /* long is 64 bits */
}

long strtol(const char *s, char **end, int base)
{
	bool negative, overflow;
	uint64_t v = parse_number(s, end, base, &negative, &overflow);

	if (negative)
		return overflow || v > (uint64_t)INT64_MAX + 1 ? INT64_MIN
		                                               : (long)((uint64_t)0 - v);
	return overflow || v > INT64_MAX ? INT64_MAX : (long)v;
}

static void swap_bytes(char *a, char *b, size_t size)
{
	while (size--) {
		char t = *a;
		*a++ = *b;
		*b++ = t;
	}
}

/* Moves element i down the max-heap of n elements until the heap holds. */
static void sift_down(char *base, size_t i, size_t n, size_t size,
                      int (*cmp)(const void *, const void *))
{
	for (;;) {
		size_t child = 2 * i + 1;
		if (child >= n)
			return;
		if (child + 1 < n && cmp(base + child * size, base + (child + 1) * size) < 0)
			child++;
		if (cmp(base + i * size, base + child * size) >= 0)
			return;
		swap_bytes(base + i * size, base + child * size, size);
		i = child;
	}
}

void qsort(void *base, size_t nmemb, size_t size, int (*cmp)(const void *, const void *))
{
	char *b = base;

	if (nmemb < 2 || !size)
		return;
	for (size_t i = nmemb / 2; i-- > 0;)
		sift_down(b, i, nmemb, size, cmp);
	for (size_t n = nmemb - 1; n > 0; n--) {
		swap_bytes(b, b + n * size, size);
		sift_down(b, 0, n, size, cmp);
	}
}
