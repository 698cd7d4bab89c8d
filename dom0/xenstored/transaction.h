/* transaction.h - XenStore transactions: a private snapshot, an access set
 * for conflict detection and a log of changes replayed on commit. */
#ifndef XENSTORED_TRANSACTION_H
#define XENSTORED_TRANSACTION_H

#include "store.h"

#define XS_TRANSACTIONS_QUOTA 10

enum tx_op_type { TX_OP_WRITE, TX_OP_MKDIR, TX_OP_RM, TX_OP_SET_PERMS };

struct tx_op {
	enum tx_op_type type;
	char *path;
	char *value; /* WRITE: value bytes */
	size_t vlen;
	struct xs_perm *perms; /* SET_PERMS */
	size_t nperms;
	unsigned int creator;
};

struct tx_access {
	char *path;
	uint64_t gen; /* gen in the main store when the transaction started; 0 = absent */
};

struct transaction {
	uint32_t id;
	const struct store *main; /* the store this transaction commits to */
	struct store snap; /* what the transaction sees: start state + own changes */
	struct tx_access *acc;
	size_t nacc, capacc;
	struct tx_op *ops;
	size_t nops, capops;
	struct transaction *next;
};

/* Called for every change the commit applies to the main store; removed is
 * true for RM (the subtree under path went away). */
typedef void tx_change_fn(void *ctx, const char *path, bool removed);

struct transaction *transaction_start(const struct store *main, uint32_t id);
void transaction_free(struct transaction *tx);
/* Records that the transaction depends on path's state at its start. */
int transaction_note(struct transaction *tx, const char *path);
/* Appends a change already applied to tx->snap, to be replayed on commit. */
int transaction_log(struct transaction *tx, enum tx_op_type type, const char *path,
		    const void *value, size_t vlen, const struct xs_perm *perms,
		    size_t nperms, unsigned int creator);
/* Checks for conflicts, then replays the log on main. Returns 0 or -EAGAIN
 * (main left untouched). Does not free tx. */
int transaction_commit(struct transaction *tx, struct store *main, tx_change_fn *fn,
		       void *ctx);

#endif
