#include "probe/icmperr.h"

#include <arpa/inet.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "core/addr.h"

int icmp_errors_keep(int fd, int family, bool on)
{
	int v = on;

	if (family == AF_INET6)
		return setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &v,
				  sizeof(v));
	return setsockopt(fd, IPPROTO_IP, IP_RECVERR, &v, sizeof(v));
}

/* One message off the queue: 1 an ICMP error (in e), 0 something else,
 * -1 the queue is empty. */
static int read_one(int fd, struct icmp_error *e)
{
	char control[512];
	char data[64];
	struct iovec iov = {data, sizeof(data)};
	struct sockaddr_storage name;
	struct msghdr msg = {
		.msg_name = &name,
		.msg_namelen = sizeof(name),
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control,
		.msg_controllen = sizeof(control),
	};
	struct cmsghdr *c;
	int got = 0;

	if (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
		return -1;
	for (c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
		const struct sock_extended_err *ee;
		const struct sockaddr *off;

		if (!(c->cmsg_level == IPPROTO_IP &&
		      c->cmsg_type == IP_RECVERR) &&
		    !(c->cmsg_level == IPPROTO_IPV6 &&
		      c->cmsg_type == IPV6_RECVERR))
			continue;
		ee = (const struct sock_extended_err *)CMSG_DATA(c);
		if (ee->ee_origin != SO_EE_ORIGIN_ICMP &&
		    ee->ee_origin != SO_EE_ORIGIN_ICMP6)
			continue;
		off = SO_EE_OFFENDER(ee);
		memset(e, 0, sizeof(*e));
		e->type = ee->ee_type;
		e->code = ee->ee_code;
		e->err = (int)ee->ee_errno;
		e->time_exceeded =
			ee->ee_origin == SO_EE_ORIGIN_ICMP
				? ee->ee_type == 11 /* time exceeded */
				: ee->ee_type == 3; /* ICMPv6 */
		addr_text(off, e->from, sizeof(e->from));
		got = 1;
	}
	return got;
}

bool icmp_error_read(int fd, struct icmp_error *e)
{
	struct icmp_error one;
	bool got = false;
	int n;

	/* bounded: a socket's queue holds what its few SYNs drew */
	for (n = 0; n < 16; n++) {
		int r = read_one(fd, &one);

		if (r < 0)
			break;
		if (r > 0) {
			*e = one;
			got = true;
		}
	}
	return got;
}
