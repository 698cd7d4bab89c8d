/* watch.h - per-connection watch lists and the rule deciding which watches a
 * change fires (REFERENCE-xen.md §1.9). */
#ifndef XENSTORED_WATCH_H
#define XENSTORED_WATCH_H

#include <stdbool.h>
#include <stddef.h>

#define XS_WATCHES_QUOTA 128

struct watch {
	char *path;  /* canonical absolute path or special name */
	char *token;
	bool relative; /* registered with a relative path: events are relative */
	struct watch *next;
};

struct watch_list {
	struct watch *head;
	size_t count;
};

/* Returns 0, -EEXIST for a duplicate (path, token) or -ENOMEM. */
int watch_add(struct watch_list *l, const char *path, const char *token, bool relative);
/* Returns 0 or -ENOENT. */
int watch_remove(struct watch_list *l, const char *path, const char *token);
void watch_clear(struct watch_list *l);
/* Whether a change at path (canonical; removed = subtree deleted) fires w;
 * *epath gets the absolute event path (path, or w->path for a watch below a
 * removed node). */
bool watch_match(const struct watch *w, const char *path, bool removed, const char **epath);
/* The path to put on the wire for an event at abs: relative to
 * /local/domain/<domid>/ when the watch was relative. */
const char *watch_event_path(const struct watch *w, const char *abs, unsigned int domid,
			     char *buf, size_t buflen);

#endif
