/* transaction.c - snapshot transactions with optimistic conflict detection:
 * commit fails with EAGAIN if any node the transaction read or changed has a
 * different generation in the main store than when the transaction began. */
#include "transaction.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct transaction *transaction_start(const struct store *main, uint32_t id)
{
	struct transaction *tx = calloc(1, sizeof(*tx));
	if (!tx)
		return NULL;
	tx->id = id;
	tx->main = main;
	if (store_clone(&tx->snap, main) < 0) {
		free(tx);
		return NULL;
	}
	return tx;
}

void transaction_free(struct transaction *tx)
{
	if (!tx)
		return;
	store_free(&tx->snap);
	for (size_t i = 0; i < tx->nacc; i++)
		free(tx->acc[i].path);
	free(tx->acc);
	for (size_t i = 0; i < tx->nops; i++) {
		free(tx->ops[i].path);
		free(tx->ops[i].value);
		free(tx->ops[i].perms);
	}
	free(tx->ops);
	free(tx);
}

static bool transaction_removed(const struct transaction *tx, const char *path)
{
	for (size_t i = 0; i < tx->nops; i++)
		if (tx->ops[i].type == TX_OP_RM && path_is_prefix(tx->ops[i].path, path))
			return true;
	return false;
}

int transaction_note(struct transaction *tx, const char *path)
{
	for (size_t i = 0; i < tx->nacc; i++)
		if (strcmp(tx->acc[i].path, path) == 0)
			return 0;
	if (tx->nacc == tx->capacc) {
		size_t cap = tx->capacc ? tx->capacc * 2 : 8;
		struct tx_access *a = realloc(tx->acc, cap * sizeof(*a));
		if (!a)
			return -ENOMEM;
		tx->acc = a;
		tx->capacc = cap;
	}
	/* First access: the snapshot still shows the start state of this path,
	 * except for nodes the transaction created (orig_gen 0 = absent). */
	struct node *n = store_lookup(&tx->snap, path);
	uint64_t gen = n ? n->orig_gen : 0;
	if (gen == 0 && transaction_removed(tx, path)) {
		/* Gone because this transaction removed an ancestor: its prior state
		 * was overwritten blindly, so depend on the main store as of now. */
		const struct node *m = store_lookup(tx->main, path);
		gen = m ? m->gen : 0;
	}
	char *p = strdup(path);
	if (!p)
		return -ENOMEM;
	tx->acc[tx->nacc].path = p;
	tx->acc[tx->nacc].gen = gen;
	tx->nacc++;
	return 0;
}

int transaction_log(struct transaction *tx, enum tx_op_type type, const char *path,
		    const void *value, size_t vlen, const struct xs_perm *perms,
		    size_t nperms, unsigned int creator)
{
	if (tx->nops == tx->capops) {
		size_t cap = tx->capops ? tx->capops * 2 : 8;
		struct tx_op *o = realloc(tx->ops, cap * sizeof(*o));
		if (!o)
			return -ENOMEM;
		tx->ops = o;
		tx->capops = cap;
	}
	struct tx_op *op = &tx->ops[tx->nops];
	memset(op, 0, sizeof(*op));
	op->type = type;
	op->creator = creator;
	op->path = strdup(path);
	if (!op->path)
		return -ENOMEM;
	if (vlen) {
		op->value = malloc(vlen);
		if (!op->value)
			goto nomem;
		memcpy(op->value, value, vlen);
		op->vlen = vlen;
	}
	if (nperms) {
		op->perms = malloc(nperms * sizeof(*perms));
		if (!op->perms)
			goto nomem;
		memcpy(op->perms, perms, nperms * sizeof(*perms));
		op->nperms = nperms;
	}
	tx->nops++;
	return 0;
nomem:
	free(op->path);
	free(op->value);
	return -ENOMEM;
}

int transaction_commit(struct transaction *tx, struct store *main, tx_change_fn *fn,
		       void *ctx)
{
	for (size_t i = 0; i < tx->nacc; i++) {
		struct node *n = store_lookup(main, tx->acc[i].path);
		uint64_t gen = n ? n->gen : 0;
		if (gen != tx->acc[i].gen)
			return -EAGAIN;
	}
	for (size_t i = 0; i < tx->nops; i++) {
		struct tx_op *op = &tx->ops[i];
		int rc = 0;
		switch (op->type) {
		case TX_OP_WRITE:
			rc = store_write(main, op->path, op->value, op->vlen, op->creator);
			break;
		case TX_OP_MKDIR:
			rc = store_mkdir(main, op->path, op->creator);
			break;
		case TX_OP_RM:
			rc = store_rm(main, op->path);
			break;
		case TX_OP_SET_PERMS:
			rc = store_set_perms(main, op->path, op->perms, op->nperms);
			break;
		}
		/* The access set guarantees the replay meets the state the ops saw,
		 * so only allocation failures can land here; keep going. */
		if (rc >= 0 && fn && !(op->type == TX_OP_MKDIR && rc == 0))
			fn(ctx, op->path, op->type == TX_OP_RM);
	}
	return 0;
}
