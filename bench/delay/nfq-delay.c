/*
 * nfq-delay: hold every packet of an NFQUEUE queue for a fixed delay, then
 * accept it.  A stand-in for netem on kernels without sch_netem, for the
 * benchmark bed only.
 *
 *   nfq-delay [-q QUEUE] [-n MAX] DELAY_MS
 *
 * Packets are released in the order they arrived: the delay is the same
 * for all of them, so the deadlines of a FIFO are already sorted.  At most
 * MAX packets are held (default 65536); a packet that finds the FIFO full
 * is dropped, like a router's tail drop, and counted.  The loop sleeps in
 * ppoll() until the netlink socket is readable or the oldest packet is
 * due, so it uses no CPU while idle.  SIGINT or SIGTERM releases what is
 * held and exits; the counts go to stderr.
 */
#define _GNU_SOURCE /* ppoll */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <libnfnetlink/libnfnetlink.h>

#define NS_PER_MS  1000000ULL
#define NS_PER_SEC 1000000000ULL
#define RCVBUF     (16 * 1024 * 1024)

struct held {
	uint32_t id;
	uint64_t due; /* CLOCK_MONOTONIC, ns */
};

struct fifo {
	struct held *slot;
	size_t cap, head, len;
};

struct state {
	struct fifo q;
	uint64_t delay_ns;
	unsigned long long held, dropped, released, overruns;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg,
                     struct nfq_data *nfa, void *data)
{
	struct state *st = data;
	struct nfqnl_msg_packet_hdr *ph;
	struct held *h;
	uint32_t id;

	(void)msg;
	ph = nfq_get_msg_packet_hdr(nfa);
	if (ph == NULL)
		return 0;
	id = ntohl(ph->packet_id);
	if (st->q.len == st->q.cap) {
		st->dropped++;
		return nfq_set_verdict(qh, id, NF_DROP, 0, NULL);
	}
	h = &st->q.slot[(st->q.head + st->q.len) % st->q.cap];
	h->id = id;
	h->due = now_ns() + st->delay_ns;
	st->q.len++;
	st->held++;
	return 0;
}

/*
 * Accept every packet that is due (all of them with "all").  One batch
 * verdict covers every id up to the last one released: ids grow in
 * arrival order, and the ones dropped on a full FIFO already have theirs.
 */
static void release_due(struct nfq_q_handle *qh, struct state *st, int all)
{
	uint64_t now = now_ns();
	uint32_t last = 0;
	size_t n = 0;

	while (st->q.len > 0) {
		struct held *h = &st->q.slot[st->q.head];

		if (!all && h->due > now)
			break;
		last = h->id;
		st->q.head = (st->q.head + 1) % st->q.cap;
		st->q.len--;
		n++;
	}
	if (n == 0)
		return;
	if (nfq_set_verdict_batch(qh, last, NF_ACCEPT) < 0)
		perror("nfq-delay: verdict");
	st->released += n;
}

/* How long ppoll may sleep: until the oldest held packet is due. */
static struct timespec *wait_time(const struct state *st, struct timespec *ts)
{
	uint64_t now, due;

	if (st->q.len == 0)
		return NULL;
	now = now_ns();
	due = st->q.slot[st->q.head].due;
	if (due <= now) {
		ts->tv_sec = 0;
		ts->tv_nsec = 0;
	} else {
		ts->tv_sec = (time_t)((due - now) / NS_PER_SEC);
		ts->tv_nsec = (long)((due - now) % NS_PER_SEC);
	}
	return ts;
}

static void usage(void)
{
	fputs("usage: nfq-delay [-q QUEUE] [-n MAX] DELAY_MS\n", stderr);
	exit(2);
}

static unsigned long number(const char *s, unsigned long min, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		usage();
	return v;
}

/* Read and handle what the socket has; 0 when it would block. */
static int drain(struct nfq_handle *h, int fd, struct state *st)
{
	static char buf[65536] __attribute__((aligned));
	ssize_t r;

	for (;;) {
		r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (r >= 0) {
			nfq_handle_packet(h, buf, (int)r);
			continue;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		if (errno == ENOBUFS) {
			/* The kernel could not queue a message for us. */
			st->overruns++;
			continue;
		}
		perror("nfq-delay: recv");
		return -1;
	}
}

int main(int argc, char **argv)
{
	struct state st = {0};
	struct nfq_handle *h;
	struct nfq_q_handle *qh;
	struct sigaction sa;
	sigset_t block, empty;
	unsigned long queue = 0, max = 65536;
	int opt, fd, rc = 0;

	while ((opt = getopt(argc, argv, "q:n:")) != -1) {
		switch (opt) {
		case 'q':
			queue = number(optarg, 0, 65535);
			break;
		case 'n':
			max = number(optarg, 1, 1UL << 24);
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1)
		usage();
	st.delay_ns = number(argv[optind], 0, 60000) * NS_PER_MS;
	st.q.cap = max;
	st.q.slot = calloc(max, sizeof(*st.q.slot));
	if (st.q.slot == NULL) {
		perror("nfq-delay: calloc");
		return 1;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, NULL);
	sigemptyset(&empty);

	h = nfq_open();
	if (h == NULL) {
		perror("nfq-delay: nfq_open");
		return 1;
	}
	qh = nfq_create_queue(h, (uint16_t)queue, on_packet, &st);
	if (qh == NULL) {
		perror("nfq-delay: nfq_create_queue");
		nfq_close(h);
		return 1;
	}
	/* Metadata only: the verdict needs the id, never the payload. */
	if (nfq_set_mode(qh, NFQNL_COPY_META, 0) < 0 ||
	    nfq_set_queue_maxlen(
	        qh, (uint32_t)(max > UINT32_MAX ? UINT32_MAX : max)) < 0) {
		perror("nfq-delay: queue setup");
		rc = 1;
		goto out;
	}
	/* Hand us GSO packets whole, rather than segmenting them first. */
	if (nfq_set_queue_flags(qh, NFQA_CFG_F_GSO, NFQA_CFG_F_GSO) < 0)
		perror("nfq-delay: GSO flag (going on without it)");
	nfnl_rcvbufsiz(nfq_nfnlh(h), RCVBUF);
	fd = nfq_fd(h);

	fprintf(stderr, "nfq-delay: queue %lu, %llu ms, at most %lu held\n",
	        queue, (unsigned long long)(st.delay_ns / NS_PER_MS), max);
	while (!stop) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		struct timespec ts;
		int n;

		n = ppoll(&p, 1, wait_time(&st, &ts), &empty);
		if (n < 0 && errno != EINTR) {
			perror("nfq-delay: ppoll");
			rc = 1;
			break;
		}
		if (n > 0 && drain(h, fd, &st) < 0) {
			rc = 1;
			break;
		}
		release_due(qh, &st, 0);
	}
	release_due(qh, &st, 1);
	fprintf(stderr,
	        "nfq-delay: %llu held, %llu released, %llu dropped (full), "
	        "%llu socket overruns\n",
	        st.held, st.released, st.dropped, st.overruns);
out:
	nfq_destroy_queue(qh);
	nfq_close(h);
	free(st.q.slot);
	return rc;
}
