/*
 * share - one probe per (address, port, name checked) in a bulk run: the
 * first target to need it runs it, later ones wait for its end or take
 * what it found, so a thousand domains on one provider's MX cost about
 * one probe of that MX (DESIGN.md: manners).  The key also holds the mode
 * expected and whether it is a TCP-only control.  What is kept for an
 * ended probe is the caller's (a value and its free function); at most
 * `keep` ended ones are kept, the oldest forgotten first, so memory does
 * not grow with the run.
 */
#ifndef PROBE_SHARE_H
#define PROBE_SHARE_H

#include <stddef.h>

#include "probe/probe.h"

struct share;

/* value is what the probe's runner published, or NULL if it could not
 * run it. */
typedef void (*share_cb)(void *arg, const void *value);

enum share_claim {
	SHARE_RUN,   /* the first: run p, then share_publish */
	SHARE_WAIT,  /* running for another target: cb gets its value */
	SHARE_READY, /* ended: *value is what it found */
	SHARE_ERROR, /* out of memory: run p, do not publish */
};

struct share *share_new(size_t keep);
void share_free(struct share *sh);

enum share_claim share_claim(struct share *sh, const struct probe *p,
                             share_cb cb, void *arg, const void **value);
/* The probe claimed with SHARE_RUN for p's key has ended (its follow-ups
 * too): the waiters get value now, later claims until it is forgotten.
 * The share owns value from now on (free_value, may be NULL). */
void share_publish(struct share *sh, const struct probe *p, void *value,
                   void (*free_value)(void *));

#endif
