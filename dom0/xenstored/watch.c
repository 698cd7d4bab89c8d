/* watch.c - watch registration and matching. Delivery is the connection
 * layer's business. */
#include "watch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

int watch_add(struct watch_list *l, const char *path, const char *token, bool relative)
{
	for (struct watch *w = l->head; w; w = w->next)
		if (strcmp(w->path, path) == 0 && strcmp(w->token, token) == 0)
			return -EEXIST;
	struct watch *w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->path = strdup(path);
	w->token = strdup(token);
	if (!w->path || !w->token) {
		free(w->path);
		free(w->token);
		free(w);
		return -ENOMEM;
	}
	w->relative = relative;
	/* Append: events for one change go out in registration order. */
	struct watch **pp = &l->head;
	while (*pp)
		pp = &(*pp)->next;
	*pp = w;
	l->count++;
	return 0;
}

static void watch_free(struct watch *w)
{
	free(w->path);
	free(w->token);
	free(w);
}

int watch_remove(struct watch_list *l, const char *path, const char *token)
{
	for (struct watch **pp = &l->head; *pp; pp = &(*pp)->next) {
		struct watch *w = *pp;
		if (strcmp(w->path, path) == 0 && strcmp(w->token, token) == 0) {
			*pp = w->next;
			watch_free(w);
			l->count--;
			return 0;
		}
	}
	return -ENOENT;
}

void watch_clear(struct watch_list *l)
{
	struct watch *w = l->head;
	while (w) {
		struct watch *next = w->next;
		watch_free(w);
		w = next;
	}
	l->head = NULL;
	l->count = 0;
}

bool watch_match(const struct watch *w, const char *path, bool removed, const char **epath)
{
	if (path[0] == '@' || w->path[0] == '@') {
		*epath = path;
		return strcmp(path, w->path) == 0;
	}
	if (path_is_prefix(w->path, path)) {
		*epath = path;
		return true;
	}
	if (removed && path_is_prefix(path, w->path)) {
		*epath = w->path;
		return true;
	}
	return false;
}

const char *watch_event_path(const struct watch *w, const char *abs, unsigned int domid,
			     char *buf, size_t buflen)
{
	if (!w->relative)
		return abs;
	int n = snprintf(buf, buflen, "/local/domain/%u/", domid);
	if (n < 0 || (size_t)n >= buflen)
		return abs;
	if (strncmp(abs, buf, (size_t)n) == 0 && abs[n] != '\0')
		return abs + n;
	return abs;
}
