/* wire.c - request dispatch: a table indexed by message type with per-entry
 * privilege and argument-count rules (as Xen's wire_funcs[]), and the
 * handlers that apply requests to the store or to a transaction. */
#include "wire.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"

#define XS_MAX_ARGS 16

struct request {
	const struct xs_hdr *hdr;
	char *payload;
	size_t len;
	const char *argv[XS_MAX_ARGS];
	int argc;
	struct transaction *tx; /* NULL outside a transaction */
	struct store *st;       /* tx snapshot or the main store */
};

enum {
	WF_PRIV = 1,   /* only privileged connections */
	WF_TX = 2,     /* honours the header's tx_id */
	WF_CHANGE = 4, /* modifies the store */
};

struct wire_func {
	const char *name;
	int (*fn)(struct server *srv, struct conn *c, struct request *r);
	unsigned int flags;
	int min_args, max_args; /* max -1: any */
};

static const struct {
	int err;
	const char *name;
} error_names[] = {
	{EINVAL, "EINVAL"}, {EACCES, "EACCES"}, {EEXIST, "EEXIST"}, {EISDIR, "EISDIR"},
	{ENOENT, "ENOENT"}, {ENOMEM, "ENOMEM"}, {ENOSPC, "ENOSPC"}, {EIO, "EIO"},
	{ENOTEMPTY, "ENOTEMPTY"}, {ENOSYS, "ENOSYS"}, {EROFS, "EROFS"}, {EBUSY, "EBUSY"},
	{EAGAIN, "EAGAIN"}, {EISCONN, "EISCONN"}, {E2BIG, "E2BIG"}, {EPERM, "EPERM"},
};

const char *wire_error_name(int err)
{
	for (size_t i = 0; i < sizeof(error_names) / sizeof(error_names[0]); i++)
		if (error_names[i].err == err)
			return error_names[i].name;
	return "EINVAL";
}

static void reply(struct conn *c, struct request *r, const void *payload, size_t len)
{
	conn_queue(c, r->hdr->type, r->hdr->req_id, r->hdr->tx_id, payload, len);
}

static void reply_ok(struct conn *c, struct request *r)
{
	reply(c, r, "OK", 3);
}

static void reply_error(struct conn *c, const struct xs_hdr *hdr, int err)
{
	const char *name = wire_error_name(err);
	conn_queue(c, XS_ERROR, hdr->req_id, hdr->tx_id, name, strlen(name) + 1);
}

static bool conn_may(const struct conn *c, const struct node *n, unsigned int need)
{
	return c->privileged || perms_allow(n->perms, n->nperms, c->domid, need);
}

/* Canonical path of argv[0]; specials allowed only where allow_special. */
static int req_path(const struct conn *c, const struct request *r, char *out, bool allow_special)
{
	int rc = path_canonicalize(r->argv[0], c->domid, out, XS_PATH_BUF);
	if (rc < 0)
		return rc;
	if (!allow_special && out[0] == '@')
		return -EINVAL;
	return 0;
}

/* Looks up a node for reading, recording the dependency in a transaction. */
static int req_node_read(struct conn *c, struct request *r, const char *path, struct node **out)
{
	if (r->tx && transaction_note(r->tx, path) < 0)
		return -ENOMEM;
	struct node *n = store_lookup(r->st, path);
	if (!n)
		return -ENOENT;
	if (!conn_may(c, n, XS_PERM_READ))
		return -EACCES;
	*out = n;
	return 0;
}

/* Common tail of a change: log it in the transaction or fire watches now. */
static int req_changed(struct server *srv, struct request *r, enum tx_op_type type,
		       const char *path, const void *val, size_t vlen,
		       const struct xs_perm *perms, size_t nperms, unsigned int creator)
{
	if (r->tx)
		return transaction_log(r->tx, type, path, val, vlen, perms, nperms, creator);
	wire_fire_watches(srv, path, type == TX_OP_RM);
	return 0;
}

static int do_directory(struct server *srv, struct conn *c, struct request *r)
{
	char path[XS_PATH_BUF];
	struct node *n;
	int rc = req_path(c, r, path, false);
	if (rc < 0 || (rc = req_node_read(c, r, path, &n)) < 0)
		return rc;
	char buf[XS_PAYLOAD_MAX];
	size_t len = 0;
	for (size_t i = 0; i < n->nchildren; i++) {
		size_t l = strlen(n->children[i]->name) + 1;
		if (len + l > sizeof(buf))
			return -E2BIG;
		memcpy(buf + len, n->children[i]->name, l);
		len += l;
	}
	reply(c, r, buf, len);
	return 0;
}

static int do_directory_part(struct server *srv, struct conn *c, struct request *r)
{
	char path[XS_PATH_BUF];
	struct node *n;
	int rc = req_path(c, r, path, false);
	if (rc < 0 || (rc = req_node_read(c, r, path, &n)) < 0)
		return rc;
	char *end;
	errno = 0;
	unsigned long off = strtoul(r->argv[1], &end, 10);
	if (errno || *end || r->argv[1][0] == '\0')
		return -EINVAL;
	char buf[XS_PAYLOAD_MAX];
	int hl = snprintf(buf, sizeof(buf), "%llu", (unsigned long long)n->gen);
	size_t len = (size_t)hl + 1;
	size_t pos = 0; /* byte offset of child i in the full NUL-separated list */
	size_t i = 0;
	for (; i < n->nchildren; i++) {
		size_t l = strlen(n->children[i]->name) + 1;
		if (pos >= off) {
			/* Keep one byte for the end marker. */
			if (len + l + 1 > sizeof(buf))
				break;
			memcpy(buf + len, n->children[i]->name, l);
			len += l;
		}
		pos += l;
	}
	if (i == n->nchildren)
		buf[len++] = '\0';
	reply(c, r, buf, len);
	return 0;
}

static int do_read(struct server *srv, struct conn *c, struct request *r)
{
	char path[XS_PATH_BUF];
	struct node *n;
	int rc = req_path(c, r, path, false);
	if (rc < 0 || (rc = req_node_read(c, r, path, &n)) < 0)
		return rc;
	reply(c, r, n->value, n->vlen);
	return 0;
}

static int do_get_perms(struct server *srv, struct conn *c, struct request *r)
{
	char path[XS_PATH_BUF];
	struct node *n;
	int rc = req_path(c, r, path, true);
	if (rc < 0 || (rc = req_node_read(c, r, path, &n)) < 0)
		return rc;
	char buf[XS_PAYLOAD_MAX];
	size_t len = 0;
	for (size_t i = 0; i < n->nperms; i++) {
		int l = perms_format(&n->perms[i], buf + len, sizeof(buf) - len);
		if (l < 0)
			return -E2BIG;
		len += (size_t)l;
	}
	reply(c, r, buf, len);
	return 0;
}

static int do_write(struct server *srv, struct conn *c, struct request *r)
{
	char path[XS_PATH_BUF];
	int rc = req_path(c, r, path, false);
	if (rc < 0)
		return rc;
	size_t plen = strlen(r->payload) + 1;
	const char *val = r->payload + plen;
	size_t vlen = r->len > plen ? r->len - plen : 0;
	struct node *near = store_nearest(r->st, path);
	if (!conn_may(c, near, XS_PERM_WRITE))
		return -EACCES;
	if (r->tx) {
		char nearpath[XS_PATH_BUF];
		/* The nearest ancestor's children change when path is created. */
		if (transaction_note(r->tx, path) < 0)
			return -ENOMEM;
		if (store_lookup(r->st, path) != near) {
			snprintf(nearpath, sizeof(nearpath), "%s", path);
			while (store_lookup(r->st, nearpath) != near) {
				char *slash = strrchr(nearpath, '/');
				if (slash == nearpath)
					slash[1] = '\0';
				else
					*slash = '\0';
			}
			if (transaction_note(r->tx, nearpath) < 0)
				return -ENOMEM;
		}
	}
	unsigned int creator = c->privileged ? 0 : c->domid;
	rc = store_write(r->st, path, val, vlen, creator);
	if (rc < 0)
		return rc;
	rc = req_changed(srv, r, TX_OP_WRITE, path, val, vlen, NULL, 0, creator);
	if (rc < 0)
		return rc;
	reply_ok(c, r);
	return 0;
}

static int do_mkdir(struct server *srv, struct conn *c, struct request *r)
{
	char path[XS_PATH_BUF];
	int rc = req_path(c, r, path, false);
	if (rc < 0)
		return rc;
	if (r->tx && transaction_note(r->tx, path) < 0)
		return -ENOMEM;
	struct node *near = store_nearest(r->st, path);
	if (store_lookup(r->st, path) == near) {
		reply_ok(c, r);
		return 0;
	}
	if (!conn_may(c, near, XS_PERM_WRITE))
		return -EACCES;
	unsigned int creator = c->privileged ? 0 : c->domid;
	rc = store_mkdir(r->st, path, creator);
	if (rc < 0)
		return rc;
	rc = req_changed(srv, r, TX_OP_MKDIR, path, NULL, 0, NULL, 0, creator);
	if (rc < 0)
		return rc;
	reply_ok(c, r);
	return 0;
}

static int do_rm(struct server *srv, struct conn *c, struct request *r)
{
	char path[XS_PATH_BUF];
	int rc = req_path(c, r, path, false);
	if (rc < 0)
		return rc;
	if (strcmp(path, "/") == 0)
		return -EINVAL;
	char parent[XS_PATH_BUF];
	snprintf(parent, sizeof(parent), "%s", path);
	char *slash = strrchr(parent, '/');
	if (slash == parent)
		slash[1] = '\0';
	else
		*slash = '\0';
	if (r->tx && (transaction_note(r->tx, path) < 0 || transaction_note(r->tx, parent) < 0))
		return -ENOMEM;
	struct node *n = store_lookup(r->st, path);
	if (!n) {
		if (!store_lookup(r->st, parent))
			return -ENOENT;
		reply_ok(c, r);
		return 0;
	}
	if (!conn_may(c, n, XS_PERM_WRITE))
		return -EACCES;
	rc = store_rm(r->st, path);
	if (rc < 0)
		return rc;
	rc = req_changed(srv, r, TX_OP_RM, path, NULL, 0, NULL, 0, 0);
	if (rc < 0)
		return rc;
	reply_ok(c, r);
	return 0;
}

static int do_set_perms(struct server *srv, struct conn *c, struct request *r)
{
	char path[XS_PATH_BUF];
	int rc = req_path(c, r, path, true);
	if (rc < 0)
		return rc;
	size_t plen = strlen(r->payload) + 1;
	struct xs_perm *perms;
	int n = perms_parse(r->payload + plen, r->len - plen, &perms);
	if (n < 0)
		return n;
	struct node *node;
	rc = req_node_read(c, r, path, &node);
	if (rc == 0 && !c->privileged) {
		if (node->perms[0].domid != c->domid)
			rc = -EACCES;
		else if (perms[0].domid != node->perms[0].domid)
			rc = -EPERM;
		else if ((size_t)n > 5)
			rc = -ENOSPC;
	}
	if (rc == 0)
		rc = store_set_perms(r->st, path, perms, (size_t)n);
	if (rc == 0)
		rc = req_changed(srv, r, TX_OP_SET_PERMS, path, NULL, 0, perms, (size_t)n, 0);
	free(perms);
	if (rc < 0)
		return rc;
	reply_ok(c, r);
	return 0;
}

static int do_watch(struct server *srv, struct conn *c, struct request *r)
{
	char path[XS_PATH_BUF];
	int rc = req_path(c, r, path, true);
	if (rc < 0)
		return rc;
	if (r->argc > 2) /* depth needs feature bit 4, which we do not offer */
		return -EINVAL;
	if (!c->privileged && c->watches.count >= XS_WATCHES_QUOTA)
		return -ENOSPC;
	rc = watch_add(&c->watches, path, r->argv[1], r->argv[0][0] != '/' && r->argv[0][0] != '@');
	if (rc < 0)
		return rc;
	reply_ok(c, r);
	/* The initial event follows the OK, with the path as the client gave it. */
	size_t l0 = strlen(r->argv[0]) + 1, l1 = strlen(r->argv[1]) + 1;
	char buf[XS_PAYLOAD_MAX + 2];
	memcpy(buf, r->argv[0], l0);
	memcpy(buf + l0, r->argv[1], l1);
	conn_queue(c, XS_WATCH_EVENT, 0, 0, buf, l0 + l1);
	return 0;
}

static int do_unwatch(struct server *srv, struct conn *c, struct request *r)
{
	char path[XS_PATH_BUF];
	int rc = req_path(c, r, path, true);
	if (rc < 0)
		return rc;
	rc = watch_remove(&c->watches, path, r->argv[1]);
	if (rc < 0)
		return rc;
	reply_ok(c, r);
	return 0;
}

static struct transaction **conn_find_tx(struct conn *c, uint32_t id)
{
	for (struct transaction **pp = &c->txs; *pp; pp = &(*pp)->next)
		if ((*pp)->id == id)
			return pp;
	return NULL;
}

static int do_transaction_start(struct server *srv, struct conn *c, struct request *r)
{
	if (r->hdr->tx_id != 0)
		return -EBUSY;
	if (!c->privileged && c->ntx >= XS_TRANSACTIONS_QUOTA)
		return -ENOSPC;
	uint32_t id;
	do {
		id = ++c->next_txid;
	} while (id == 0 || conn_find_tx(c, id));
	struct transaction *tx = transaction_start(&srv->store, id);
	if (!tx)
		return -ENOMEM;
	tx->next = c->txs;
	c->txs = tx;
	c->ntx++;
	char buf[16];
	int l = snprintf(buf, sizeof(buf), "%u", id);
	conn_queue(c, r->hdr->type, r->hdr->req_id, 0, buf, (size_t)l + 1);
	return 0;
}

static void fire_cb(void *ctx, const char *path, bool removed)
{
	wire_fire_watches(ctx, path, removed);
}

static int do_transaction_end(struct server *srv, struct conn *c, struct request *r)
{
	bool commit;
	if (strcmp(r->argv[0], "T") == 0)
		commit = true;
	else if (strcmp(r->argv[0], "F") == 0)
		commit = false;
	else
		return -EINVAL;
	struct transaction **pp = conn_find_tx(c, r->hdr->tx_id);
	if (!pp)
		return -ENOENT;
	struct transaction *tx = *pp;
	*pp = tx->next;
	c->ntx--;
	int rc = commit ? transaction_commit(tx, &srv->store, fire_cb, srv) : 0;
	transaction_free(tx);
	if (rc < 0)
		return rc;
	reply_ok(c, r);
	return 0;
}

static int parse_domid(const char *s, unsigned int *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || s[0] == '\0' || *end || v > 0xffff)
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

static int do_get_domain_path(struct server *srv, struct conn *c, struct request *r)
{
	unsigned int domid;
	if (parse_domid(r->argv[0], &domid) < 0)
		return -EINVAL;
	char buf[32];
	int l = snprintf(buf, sizeof(buf), "/local/domain/%u", domid);
	reply(c, r, buf, (size_t)l + 1);
	return 0;
}

static int do_is_domain_introduced(struct server *srv, struct conn *c, struct request *r)
{
	unsigned int domid;
	if (parse_domid(r->argv[0], &domid) < 0)
		return -EINVAL;
	/* Only Dom0 exists until INTRODUCE (guest rings) is implemented. */
	reply(c, r, domid == 0 ? "T" : "F", 2);
	return 0;
}

static int do_reset_watches(struct server *srv, struct conn *c, struct request *r)
{
	watch_clear(&c->watches);
	while (c->txs) {
		struct transaction *tx = c->txs;
		c->txs = tx->next;
		transaction_free(tx);
	}
	c->ntx = 0;
	reply_ok(c, r);
	return 0;
}

static int do_get_feature(struct server *srv, struct conn *c, struct request *r)
{
	reply(c, r, "0", 2);
	return 0;
}

static const struct wire_func wire_funcs[XS_TYPE_COUNT] = {
	[XS_DIRECTORY] = {"DIRECTORY", do_directory, WF_TX, 1, 1},
	[XS_READ] = {"READ", do_read, WF_TX, 1, 1},
	[XS_GET_PERMS] = {"GET_PERMS", do_get_perms, WF_TX, 1, 1},
	[XS_WATCH] = {"WATCH", do_watch, 0, 2, 3},
	[XS_UNWATCH] = {"UNWATCH", do_unwatch, 0, 2, 2},
	[XS_TRANSACTION_START] = {"TRANSACTION_START", do_transaction_start, 0, 0, 1},
	[XS_TRANSACTION_END] = {"TRANSACTION_END", do_transaction_end, 0, 1, 1},
	[XS_GET_DOMAIN_PATH] = {"GET_DOMAIN_PATH", do_get_domain_path, 0, 1, 1},
	[XS_WRITE] = {"WRITE", do_write, WF_TX | WF_CHANGE, 1, -1},
	[XS_MKDIR] = {"MKDIR", do_mkdir, WF_TX | WF_CHANGE, 1, 1},
	[XS_RM] = {"RM", do_rm, WF_TX | WF_CHANGE, 1, 1},
	[XS_SET_PERMS] = {"SET_PERMS", do_set_perms, WF_TX | WF_CHANGE, 2, -1},
	[XS_IS_DOMAIN_INTRODUCED] = {"IS_DOMAIN_INTRODUCED", do_is_domain_introduced, 0, 1, 1},
	[XS_RESET_WATCHES] = {"RESET_WATCHES", do_reset_watches, 0, 0, 1},
	[XS_DIRECTORY_PART] = {"DIRECTORY_PART", do_directory_part, WF_TX, 2, 2},
	[XS_GET_FEATURE] = {"GET_FEATURE", do_get_feature, 0, 0, 1},
};

static int request_split(struct request *r)
{
	r->argc = 0;
	size_t i = 0;
	while (i < r->len) {
		if (r->argc == XS_MAX_ARGS)
			return -EINVAL;
		r->argv[r->argc++] = r->payload + i;
		i += strlen(r->payload + i) + 1;
	}
	return 0;
}

void wire_handle(struct server *srv, struct conn *c, const struct xs_hdr *hdr, char *payload)
{
	struct request r = {.hdr = hdr, .payload = payload, .len = hdr->len, .st = &srv->store};
	const struct wire_func *f = hdr->type < XS_TYPE_COUNT ? &wire_funcs[hdr->type] : NULL;
	int rc;
	if (!f || !f->fn) {
		rc = -ENOSYS;
		goto out;
	}
	if ((f->flags & WF_PRIV) && !c->privileged) {
		rc = -EACCES;
		goto out;
	}
	rc = -EINVAL;
	if (request_split(&r) < 0)
		goto out;
	/* WRITE's value and SET_PERMS's list are counted as further args. */
	if (r.argc < f->min_args || (f->max_args >= 0 && r.argc > f->max_args))
		goto out;
	if ((f->flags & WF_TX) && hdr->tx_id != 0) {
		struct transaction **pp = conn_find_tx(c, hdr->tx_id);
		if (!pp) {
			rc = -ENOENT;
			goto out;
		}
		r.tx = *pp;
		r.st = &r.tx->snap;
	}
	rc = f->fn(srv, c, &r);
out:
	if (rc < 0)
		reply_error(c, hdr, -rc);
}

static bool watch_may_see(const struct conn *c, const struct store *st, const char *path)
{
	if (c->privileged)
		return true;
	const struct node *n = store_lookup(st, path);
	if (!n)
		n = store_nearest(st, path);
	return n && perms_allow(n->perms, n->nperms, c->domid, XS_PERM_READ);
}

void wire_fire_watches(struct server *srv, const char *path, bool removed)
{
	for (struct conn *c = srv->conns; c; c = c->next) {
		if (c->dead || !c->watches.head)
			continue;
		for (struct watch *w = c->watches.head; w && !c->dead; w = w->next) {
			const char *epath;
			if (!watch_match(w, path, removed, &epath))
				continue;
			if (!watch_may_see(c, &srv->store, epath))
				continue;
			char rel[64];
			const char *wp = watch_event_path(w, epath, c->domid, rel, sizeof(rel));
			size_t l0 = strlen(wp) + 1, l1 = strlen(w->token) + 1;
			if (l0 + l1 > XS_PAYLOAD_MAX)
				continue;
			char buf[XS_PAYLOAD_MAX];
			memcpy(buf, wp, l0);
			memcpy(buf + l0, w->token, l1);
			conn_queue(c, XS_WATCH_EVENT, 0, 0, buf, l0 + l1);
		}
	}
}
