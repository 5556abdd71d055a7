#include "core/share.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"

#define BUCKETS 1024

struct waiter {
	share_cb cb;
	void *arg;
	struct waiter *next;
};

struct entry {
	char *key;
	bool ended;
	void *value;
	void (*free_value)(void *);
	struct waiter *waiters, *last;
	struct entry *next;  /* in its bucket */
	struct entry *older; /* ended entries, newest first: see forget */
	struct entry *newer;
};

struct share {
	size_t keep, nended;
	struct entry *buckets[BUCKETS];
	struct entry *newest, *oldest; /* the ended ones */
};

struct share *share_new(size_t keep)
{
	struct share *sh = calloc(1, sizeof(*sh));

	if (sh != NULL)
		sh->keep = keep ? keep : 1;
	return sh;
}

static void entry_free(struct entry *e)
{
	struct waiter *w, *next;

	for (w = e->waiters; w != NULL; w = next) {
		next = w->next;
		free(w);
	}
	if (e->free_value != NULL)
		e->free_value(e->value);
	free(e->key);
	free(e);
}

void share_free(struct share *sh)
{
	size_t i;

	if (sh == NULL)
		return;
	for (i = 0; i < BUCKETS; i++) {
		struct entry *e, *next;

		for (e = sh->buckets[i]; e != NULL; e = next) {
			next = e->next;
			entry_free(e);
		}
	}
	free(sh);
}

/* address, port, name, mode and kind: what makes two probes the same */
static unsigned hash(const char *k)
{
	return fnv32(k) % BUCKETS;
}

static struct entry *find(struct share *sh, const char *key)
{
	struct entry *e;

	for (e = sh->buckets[hash(key)]; e != NULL; e = e->next)
		if (strcmp(e->key, key) == 0)
			return e;
	return NULL;
}

/* The oldest ended entry goes when more than keep have ended. */
static void forget_oldest(struct share *sh)
{
	struct entry *e = sh->oldest, **pp;

	sh->oldest = e->newer;
	if (sh->oldest != NULL)
		sh->oldest->older = NULL;
	else
		sh->newest = NULL;
	sh->nended--;
	for (pp = &sh->buckets[hash(e->key)]; *pp != e; pp = &(*pp)->next)
		;
	*pp = e->next;
	entry_free(e);
}

enum share_claim share_claim(struct share *sh, const char *key, share_cb cb,
			     void *arg, const void **value)
{
	struct entry *e = find(sh, key);
	struct waiter *w;
	char *k;

	if (e != NULL) {
		if (e->ended) {
			*value = e->value;
			return SHARE_READY;
		}
		w = calloc(1, sizeof(*w));
		if (w == NULL)
			return SHARE_ERROR;
		w->cb = cb;
		w->arg = arg;
		if (e->last != NULL)
			e->last->next = w;
		else
			e->waiters = w;
		e->last = w;
		return SHARE_WAIT;
	}
	e = calloc(1, sizeof(*e));
	k = strdup(key);
	if (e == NULL || k == NULL) {
		free(e);
		free(k);
		return SHARE_ERROR;
	}
	e->key = k;
	e->next = sh->buckets[hash(k)];
	sh->buckets[hash(k)] = e;
	return SHARE_RUN;
}

void share_publish(struct share *sh, const char *key, void *value,
		   void (*free_value)(void *))
{
	struct entry *e = find(sh, key);
	struct waiter *w;

	if (e == NULL || e->ended) {
		if (free_value != NULL)
			free_value(value);
		return;
	}
	e->ended = true;
	e->value = value;
	e->free_value = free_value;
	e->older = sh->newest;
	if (sh->newest != NULL)
		sh->newest->newer = e;
	else
		sh->oldest = e;
	sh->newest = e;
	sh->nended++;
	/* a waiter's callback may claim again: detach the list first */
	w = e->waiters;
	e->waiters = e->last = NULL;
	while (w != NULL) {
		struct waiter *next = w->next;

		w->cb(w->arg, value);
		free(w);
		w = next;
	}
	while (sh->nended > sh->keep)
		forget_oldest(sh);
}
