/*
 * icmperr - who sent the ICMP error that ended a connect.  With
 * IP_RECVERR / IPV6_RECVERR an ordinary TCP socket keeps the ICMP error
 * (and the address of the router or host that sent it) on its error
 * queue: no raw socket, no privilege.  A reject sent by the destination
 * itself proves the destination was reached; a time-exceeded names a hop.
 */
#ifndef PROBE_ICMPERR_H
#define PROBE_ICMPERR_H

#include <stdbool.h>

struct icmp_error {
	bool time_exceeded; /* TTL / hop limit ran out on the way */
	int type, code;	    /* ICMP or ICMPv6, as received */
	int err;	    /* the errno the kernel made of it */
	char from[64];	    /* the sender, printable */
};

/* Keep ICMP errors of fd (family AF_INET or AF_INET6) on its error
 * queue (on), or stop (off: an established connection must not die of a
 * transient ICMP error).  0 or -1. */
int icmp_errors_keep(int fd, int family, bool on);
/* The last ICMP error queued on fd, draining the queue; false when none
 * came from the network (a local error, or nothing). */
bool icmp_error_read(int fd, struct icmp_error *e);

#endif
