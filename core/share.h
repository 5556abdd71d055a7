/*
 * share - what a run asks once and hands to everyone who asks again: the
 * first to claim a key does the work, later ones wait for its end or
 * take what it found.  A bulk run shares its probes by (address, port,
 * name checked) and a host's TLSA records by name, so a thousand domains
 * on one provider's MX cost about one probe of that MX (DESIGN.md:
 * manners).  What is kept for an ended key is the caller's (a value and
 * its free function); at most `keep` ended ones are kept, the oldest
 * forgotten first, so memory does not grow with the run.
 */
#ifndef CORE_SHARE_H
#define CORE_SHARE_H

#include <stddef.h>

struct share;

/* value is what the first claim published, or NULL if it could not do
 * the work.  It is valid during the call only: copy what is needed. */
typedef void (*share_cb)(void *arg, const void *value);

enum share_claim {
	SHARE_RUN,   /* the first: do it, then share_publish */
	SHARE_WAIT,  /* on its way for another: cb gets its value */
	SHARE_READY, /* ended: *value is what it found, until the next
		      * share_publish */
	SHARE_ERROR, /* out of memory: do it, do not publish */
};

struct share *share_new(size_t keep);
void share_free(struct share *sh);

enum share_claim share_claim(struct share *sh, const char *key, share_cb cb,
			     void *arg, const void **value);
/* The work claimed with SHARE_RUN for key has ended: the waiters get
 * value now, later claims until it is forgotten.  The share owns value
 * from now on (free_value, may be NULL). */
void share_publish(struct share *sh, const char *key, void *value,
		   void (*free_value)(void *));

#endif
