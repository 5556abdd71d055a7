/*
 * buf - a byte buffer with a hard size limit, and strlist, a growable
 * array of owned strings.  The limit is how every read from a peer stays
 * bounded: appending past it fails instead of growing.
 */
#ifndef CORE_BUF_H
#define CORE_BUF_H

#include <stddef.h>

struct buf {
	char *data;
	size_t len;   /* bytes held */
	size_t cap;   /* bytes allocated */
	size_t limit; /* never hold more than this; 0 means 64 KiB */
};

/* 0, or -1 when the limit would be passed or memory is short. */
int buf_append(struct buf *b, const void *p, size_t n);
/* Bytes still free under the limit. */
size_t buf_room(const struct buf *b);
void buf_consume(struct buf *b, size_t n);
void buf_free(struct buf *b);

struct strlist {
	char **v;
	size_t n, cap;
};

/* Appends a copy of the n bytes at s (NUL-terminated); 0 or -1. */
int strlist_addn(struct strlist *l, const char *s, size_t n);
int strlist_add(struct strlist *l, const char *s);
void strlist_free(struct strlist *l);

#endif
