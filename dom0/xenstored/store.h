/* store.h - the XenStore tree: nodes, path rules and permissions (no I/O). */
#ifndef XENSTORED_STORE_H
#define XENSTORED_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XS_ABS_PATH_MAX 3072
#define XS_REL_PATH_MAX 2048
/* Room for a canonical path: absolute maximum plus the terminator. */
#define XS_PATH_BUF (XS_ABS_PATH_MAX + 1)

/* Permission bits of one entry; 'n' = 0, 'r' = READ, 'w' = WRITE, 'b' = both. */
enum { XS_PERM_READ = 1, XS_PERM_WRITE = 2, XS_PERM_BOTH = 3 };

struct xs_perm {
	unsigned int domid;
	unsigned int mode; /* XS_PERM_* bits */
};

/* perms[0] is the owner and the default for domains not listed. */
struct node {
	char *name; /* last path component; "" for the root */
	struct node *parent;
	struct node **children; /* insertion order */
	size_t nchildren, capchildren;
	char *value;
	size_t vlen;
	struct xs_perm *perms;
	size_t nperms;
	uint64_t gen;      /* store generation of the last change to this node */
	uint64_t orig_gen; /* in a snapshot: gen of the source node, 0 if created later */
};

enum { XS_SPECIAL_INTRODUCE, XS_SPECIAL_RELEASE, XS_SPECIAL_COUNT };

struct store {
	struct node *root;
	struct node *special[XS_SPECIAL_COUNT]; /* @introduceDomain, @releaseDomain */
	uint64_t gen; /* last generation handed out */
};

/* Builds the initial tree: /, /tool, /tool/xenstored and the special nodes. */
int store_init(struct store *s);
void store_free(struct store *s);
/* Deep copy for a transaction; every node's orig_gen is set to its gen. */
int store_clone(struct store *dst, const struct store *src);

/* Turns a client path into a canonical absolute one in out (XS_PATH_BUF bytes):
 * relative paths go under /local/domain/<domid>/. Returns 0 or -EINVAL. */
int path_canonicalize(const char *in, unsigned int domid, char *out, size_t outlen);
bool path_is_special(const char *path);
/* True if a is b or an ancestor of b (both canonical). */
bool path_is_prefix(const char *a, const char *b);

struct node *store_lookup(const struct store *s, const char *path);
/* Creates path and missing ancestors (empty values, parent's perms; owner =
 * creator when creator != 0), then sets the value. Returns 0 or -errno. */
int store_write(struct store *s, const char *path, const void *val, size_t len,
		unsigned int creator);
/* Returns 1 if created, 0 if it already existed, -errno on error. */
int store_mkdir(struct store *s, const char *path, unsigned int creator);
/* Removes path and its subtree. 0, -ENOENT if absent (the caller decides
 * whether that is OK: it is when the parent exists), -EINVAL for "/" or a
 * special node. */
int store_rm(struct store *s, const char *path);
int store_set_perms(struct store *s, const char *path, const struct xs_perm *perms,
		    size_t n);
/* The node that a create of path would modify: the deepest existing ancestor. */
struct node *store_nearest(const struct store *s, const char *path);

/* Parses n perm strings laid out NUL-separated in buf[0..len). Returns the
 * count (>= 1) into *out (malloc'd) or -EINVAL. */
int perms_parse(const char *buf, size_t len, struct xs_perm **out);
/* Writes "r5" style text with its NUL; returns bytes written incl. NUL or -E2BIG. */
int perms_format(const struct xs_perm *p, char *out, size_t outlen);
/* Owner has full access; otherwise the first matching entry, else perms[0]. */
bool perms_allow(const struct xs_perm *p, size_t n, unsigned int domid, unsigned int need);

#endif
