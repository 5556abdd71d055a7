/*
 * input - the bulk reader of --input: one target per line, handed to the
 * pipeline as the run has room for them and never blocking the loop
 * (a pipe that has nothing yet waits on the loop), with --shard K/N
 * taking a stable share of the lines; and the progress line a terminal
 * shows meanwhile.
 */
#ifndef INPUT_H
#define INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/buf.h"
#include "pipeline.h"

#define INPUT_MAX_LINE 1024 /* bytes: a longer line is refused */

/* --input: one target per line, read as the run has room for them. */
struct input {
	FILE *f;
	const char *name;
	unsigned long line;
	unsigned long bad;	/* lines refused */
	unsigned long targets;	/* lines that named a target, any shard */
	unsigned shard, shards; /* --shard K/N: this run takes K of N */
	unsigned long total;	/* targets in a regular file, for the ETA */
	int fd;
	struct buf buf; /* read, not yet a whole line */
	bool eof, skip;
};

/* Opens path ("-": standard input) for reading, shard K of N (N 0: all
 * lines).  0; -1 with errno set; -2 when path is a directory. */
int input_open(struct input *in, const char *path, unsigned shard,
	       unsigned shards);
void input_close(struct input *in);

/* Counts the targets of a regular file up front (cheap, and the progress
 * line can then say how far along it is); pipes stay unknown. */
void input_count(struct input *in);

/* A pipeline_feed: hands the next line's target to pl. */
int input_feed(void *arg, struct pipeline *pl);

/* The progress line on standard error: done of total, rate, problems,
 * bad lines, ETA, since t0 (loop_now()). */
void input_progress(const struct input *in, uint64_t t0, size_t done,
		    size_t problems);

#endif
