/* cmdline.c - looking up "key" and "key=value" tokens in the domain's
 * command line (boot keeps a NUL-terminated copy in guest.cmdline). */
#include "private.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/*
 * Finds the first token whose key is key. Returns a pointer just after the
 * key (at '=' or at the token's end) or NULL.
 */
static const char *find_key(const char *key)
{
	size_t klen = strlen(key);
	const char *p = guest.cmdline;

	if (!klen)
		return NULL;
	while (*p) {
		while (is_blank(*p))
			p++;
		const char *tok = p;
		while (*p && !is_blank(*p))
			p++;
		size_t tlen = (size_t)(p - tok);
		if (tlen >= klen && !memcmp(tok, key, klen) && (tlen == klen || tok[klen] == '='))
			return tok + klen;
	}
	return NULL;
}

int cmdline_get(const char *key, char *buf, size_t size)
{
	const char *after = find_key(key);

	if (size)
		buf[0] = '\0';
	if (!after || *after != '=')
		return -XEN_ENOENT;
	const char *val = after + 1;
	size_t len = 0;
	while (val[len] && !is_blank(val[len]))
		len++;
	if (len >= size)
		return -XEN_ENOSPC;
	memcpy(buf, val, len);
	buf[len] = '\0';
	return (int)len;
}

bool cmdline_has(const char *key)
{
	return find_key(key) != NULL;
}

int cmdline_get_u64(const char *key, uint64_t *val)
{
	char buf[32], *end;
	int rc = cmdline_get(key, buf, sizeof(buf));

	if (rc == -XEN_ENOSPC)
		return -XEN_EINVAL;
	if (rc < 0)
		return rc;
	/* digits only: the parser would also take blanks and a sign */
	if (buf[0] < '0' || buf[0] > '9')
		return -XEN_EINVAL;
	bool negative, overflow;
	uint64_t v = parse_number(buf, &end, 0, &negative, &overflow);
	if (*end || overflow)
		return -XEN_EINVAL;
	*val = v;
	return 0;
}
