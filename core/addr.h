/*
 * addr - socket addresses as text, the one way every stage prints them.
 */
#ifndef CORE_ADDR_H
#define CORE_ADDR_H

#include <netinet/in.h>
#include <stddef.h>
#include <sys/socket.h>

/* Long enough for any address text, "ffff:...:255.255.255.255". */
#define ADDR_TEXT_MAX INET6_ADDRSTRLEN

/* The address of sa (AF_INET or AF_INET6) as text into buf, which it
 * returns; buf is left as it was for another family. */
const char *addr_text(const struct sockaddr *sa, char *buf, size_t len);

/* Sets the port of sa (AF_INET or AF_INET6). */
void addr_set_port(struct sockaddr *sa, int port);

#endif
