/* store.c - the XenStore tree: path validation, node create/write/remove,
 * permissions, snapshots. Pure data: no sockets, no logging. */
#include "store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const special_names[XS_SPECIAL_COUNT] = {
	"@introduceDomain",
	"@releaseDomain",
};

static struct node *node_new(const char *name, size_t namelen, const struct xs_perm *perms,
			     size_t nperms)
{
	struct node *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->name = strndup(name, namelen);
	n->perms = malloc(nperms * sizeof(*perms));
	if (!n->name || !n->perms) {
		free(n->name);
		free(n->perms);
		free(n);
		return NULL;
	}
	memcpy(n->perms, perms, nperms * sizeof(*perms));
	n->nperms = nperms;
	return n;
}

static void node_free(struct node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nchildren; i++)
		node_free(n->children[i]);
	free(n->children);
	free(n->name);
	free(n->value);
	free(n->perms);
	free(n);
}

static int node_add_child(struct node *parent, struct node *child)
{
	if (parent->nchildren == parent->capchildren) {
		size_t cap = parent->capchildren ? parent->capchildren * 2 : 4;
		struct node **c = realloc(parent->children, cap * sizeof(*c));
		if (!c)
			return -ENOMEM;
		parent->children = c;
		parent->capchildren = cap;
	}
	parent->children[parent->nchildren++] = child;
	child->parent = parent;
	return 0;
}

static struct node *node_child(const struct node *n, const char *name, size_t len)
{
	for (size_t i = 0; i < n->nchildren; i++) {
		const char *c = n->children[i]->name;
		if (strncmp(c, name, len) == 0 && c[len] == '\0')
			return n->children[i];
	}
	return NULL;
}

static struct node *node_clone(const struct node *src)
{
	struct node *n = node_new(src->name, strlen(src->name), src->perms, src->nperms);
	if (!n)
		return NULL;
	n->gen = src->gen;
	n->orig_gen = src->gen;
	if (src->vlen) {
		n->value = malloc(src->vlen);
		if (!n->value)
			goto fail;
		memcpy(n->value, src->value, src->vlen);
		n->vlen = src->vlen;
	}
	if (src->nchildren) {
		n->children = malloc(src->nchildren * sizeof(*n->children));
		if (!n->children)
			goto fail;
		n->capchildren = src->nchildren;
		for (size_t i = 0; i < src->nchildren; i++) {
			struct node *c = node_clone(src->children[i]);
			if (!c)
				goto fail;
			c->parent = n;
			n->children[n->nchildren++] = c;
		}
	}
	return n;
fail:
	node_free(n);
	return NULL;
}

int store_init(struct store *s)
{
	static const struct xs_perm dom0_none = {0, 0};
	memset(s, 0, sizeof(*s));
	s->root = node_new("", 0, &dom0_none, 1);
	if (!s->root)
		return -ENOMEM;
	s->root->gen = ++s->gen;
	for (int i = 0; i < XS_SPECIAL_COUNT; i++) {
		s->special[i] = node_new(special_names[i], strlen(special_names[i]), &dom0_none, 1);
		if (!s->special[i]) {
			store_free(s);
			return -ENOMEM;
		}
		s->special[i]->gen = ++s->gen;
	}
	int rc = store_mkdir(s, "/tool/xenstored", 0);
	if (rc < 0) {
		store_free(s);
		return rc;
	}
	return 0;
}

void store_free(struct store *s)
{
	node_free(s->root);
	s->root = NULL;
	for (int i = 0; i < XS_SPECIAL_COUNT; i++) {
		node_free(s->special[i]);
		s->special[i] = NULL;
	}
}

int store_clone(struct store *dst, const struct store *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->gen = src->gen;
	dst->root = node_clone(src->root);
	if (!dst->root)
		return -ENOMEM;
	for (int i = 0; i < XS_SPECIAL_COUNT; i++) {
		dst->special[i] = node_clone(src->special[i]);
		if (!dst->special[i]) {
			store_free(dst);
			return -ENOMEM;
		}
	}
	return 0;
}

bool path_is_special(const char *path)
{
	for (int i = 0; i < XS_SPECIAL_COUNT; i++)
		if (strcmp(path, special_names[i]) == 0)
			return true;
	return false;
}

bool path_is_prefix(const char *a, const char *b)
{
	size_t la = strlen(a);
	if (strcmp(a, "/") == 0)
		return b[0] == '/';
	return strncmp(a, b, la) == 0 && (b[la] == '\0' || b[la] == '/');
}

static bool path_chars_ok(const char *p)
{
	for (; *p; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '/' || c == '_' || c == '@'))
			return false;
	}
	return true;
}

int path_canonicalize(const char *in, unsigned int domid, char *out, size_t outlen)
{
	size_t len = strlen(in);
	if (len == 0)
		return -EINVAL;
	if (in[0] == '@') {
		if (!path_is_special(in) || len + 1 > outlen)
			return -EINVAL;
		memcpy(out, in, len + 1);
		return 0;
	}
	if (!path_chars_ok(in) || strstr(in, "//"))
		return -EINVAL;
	if (in[0] == '/') {
		if (len > XS_ABS_PATH_MAX || (len > 1 && in[len - 1] == '/'))
			return -EINVAL;
		if (len + 1 > outlen)
			return -EINVAL;
		memcpy(out, in, len + 1);
		return 0;
	}
	if (len > XS_REL_PATH_MAX || in[len - 1] == '/')
		return -EINVAL;
	int n = snprintf(out, outlen, "/local/domain/%u/%s", domid, in);
	if (n < 0 || (size_t)n >= outlen || (size_t)n > XS_ABS_PATH_MAX)
		return -EINVAL;
	return 0;
}

struct node *store_lookup(const struct store *s, const char *path)
{
	if (path[0] == '@') {
		for (int i = 0; i < XS_SPECIAL_COUNT; i++)
			if (strcmp(path, special_names[i]) == 0)
				return s->special[i];
		return NULL;
	}
	struct node *n = s->root;
	const char *p = path + 1;
	while (n && *p) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		n = node_child(n, p, len);
		p += len;
		if (*p == '/')
			p++;
	}
	return n;
}

struct node *store_nearest(const struct store *s, const char *path)
{
	if (path[0] == '@')
		return store_lookup(s, path);
	struct node *n = s->root;
	const char *p = path + 1;
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		struct node *c = node_child(n, p, len);
		if (!c)
			break;
		n = c;
		p += len;
		if (*p == '/')
			p++;
	}
	return n;
}

/* Walks path creating missing nodes; *created tells whether any was made. */
static int store_create(struct store *s, const char *path, unsigned int creator,
			struct node **out, bool *created)
{
	*created = false;
	if (path[0] != '/')
		return -EINVAL;
	struct node *n = s->root;
	const char *p = path + 1;
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		struct node *c = node_child(n, p, len);
		if (!c) {
			c = node_new(p, len, n->perms, n->nperms);
			if (!c)
				return -ENOMEM;
			if (creator != 0)
				c->perms[0].domid = creator;
			if (node_add_child(n, c) < 0) {
				node_free(c);
				return -ENOMEM;
			}
			n->gen = ++s->gen;
			c->gen = ++s->gen;
			*created = true;
		}
		n = c;
		p += len;
		if (*p == '/')
			p++;
	}
	*out = n;
	return 0;
}

int store_write(struct store *s, const char *path, const void *val, size_t len,
		unsigned int creator)
{
	struct node *n;
	bool created;
	int rc = store_create(s, path, creator, &n, &created);
	if (rc < 0)
		return rc;
	char *v = NULL;
	if (len) {
		v = malloc(len);
		if (!v)
			return -ENOMEM;
		memcpy(v, val, len);
	}
	free(n->value);
	n->value = v;
	n->vlen = len;
	n->gen = ++s->gen;
	return 0;
}

int store_mkdir(struct store *s, const char *path, unsigned int creator)
{
	struct node *n;
	bool created;
	int rc = store_create(s, path, creator, &n, &created);
	if (rc < 0)
		return rc;
	return created ? 1 : 0;
}

int store_rm(struct store *s, const char *path)
{
	if (path[0] != '/' || strcmp(path, "/") == 0)
		return -EINVAL;
	struct node *n = store_lookup(s, path);
	if (!n)
		return -ENOENT;
	struct node *parent = n->parent;
	for (size_t i = 0; i < parent->nchildren; i++) {
		if (parent->children[i] == n) {
			memmove(&parent->children[i], &parent->children[i + 1],
				(parent->nchildren - i - 1) * sizeof(*parent->children));
			parent->nchildren--;
			break;
		}
	}
	parent->gen = ++s->gen;
	node_free(n);
	return 0;
}

int store_set_perms(struct store *s, const char *path, const struct xs_perm *perms, size_t n)
{
	struct node *node = store_lookup(s, path);
	if (!node)
		return -ENOENT;
	struct xs_perm *p = malloc(n * sizeof(*p));
	if (!p)
		return -ENOMEM;
	memcpy(p, perms, n * sizeof(*p));
	free(node->perms);
	node->perms = p;
	node->nperms = n;
	node->gen = ++s->gen;
	return 0;
}

static int perm_parse_one(const char *s, struct xs_perm *p)
{
	switch (s[0]) {
	case 'n': p->mode = 0; break;
	case 'r': p->mode = XS_PERM_READ; break;
	case 'w': p->mode = XS_PERM_WRITE; break;
	case 'b': p->mode = XS_PERM_BOTH; break;
	default: return -EINVAL;
	}
	if (s[1] < '0' || s[1] > '9')
		return -EINVAL;
	char *end;
	errno = 0;
	unsigned long v = strtoul(s + 1, &end, 10);
	if (errno || *end != '\0' || v > 0xffff)
		return -EINVAL;
	p->domid = (unsigned int)v;
	return 0;
}

int perms_parse(const char *buf, size_t len, struct xs_perm **out)
{
	size_t count = 0;
	if (len == 0 || buf[len - 1] != '\0')
		return -EINVAL;
	for (size_t i = 0; i < len; i++)
		if (buf[i] == '\0')
			count++;
	struct xs_perm *p = calloc(count, sizeof(*p));
	if (!p)
		return -ENOMEM;
	const char *s = buf;
	for (size_t i = 0; i < count; i++) {
		if (perm_parse_one(s, &p[i]) < 0) {
			free(p);
			return -EINVAL;
		}
		s += strlen(s) + 1;
	}
	*out = p;
	return (int)count;
}

int perms_format(const struct xs_perm *p, char *out, size_t outlen)
{
	static const char letters[] = "nrwb";
	int n = snprintf(out, outlen, "%c%u", letters[p->mode & 3], p->domid);
	if (n < 0 || (size_t)n >= outlen)
		return -E2BIG;
	return n + 1;
}

bool perms_allow(const struct xs_perm *p, size_t n, unsigned int domid, unsigned int need)
{
	if (n == 0)
		return false;
	if (p[0].domid == domid)
		return true;
	for (size_t i = 1; i < n; i++)
		if (p[i].domid == domid)
			return (p[i].mode & need) == need;
	return (p[0].mode & need) == need;
}
