/*
 * tls - the GnuTLS side of a probe: credentials, a non-blocking client
 * session over our own socket, and what the handshake and the peer's
 * certificate tell.  Certificates are verified after the handshake, never
 * during it, so a bad certificate is reported and the EHLO inside TLS is
 * still seen.
 */
#ifndef PROBE_TLS_H
#define PROBE_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <gnutls/gnutls.h>

#include "core/buf.h"

#define TLS_MAX_CHAIN 8
#define TLS_SNIFF 64 /* raw bytes kept to tell what a non-TLS peer spoke */

struct tls_io {
	int fd;
	char sniff[TLS_SNIFF];
	size_t nsniff;
};

struct tls_info {
	bool done;	      /* the handshake completed */
	char version[16];     /* "TLS1.3" */
	char cipher[96];      /* "TLS_AES_256_GCM_SHA384" */
	char group[32];	      /* key exchange group, "X25519" */
	char *error;	      /* handshake failure, sanitised text */
	bool verified;	      /* trusted chain, in date, name matches */
	bool trusted;	      /* chain verifies to a trust anchor */
	bool name_ok;	      /* a certificate name matches what we asked */
	bool expired;	      /* past not_after */
	bool not_yet_valid;   /* before not_before */
	bool revoked;	      /* a CRL or OCSP answer revoked it */
	bool weak;	      /* signed with an insecure algorithm (SHA-1) */
	bool wrong_purpose;   /* no TLS server-auth key purpose (RFC 5280
			       * 4.2.1.12) */
	unsigned status;      /* gnutls_certificate_status_t bits */
	char *verify_error;   /* why not verified, or NULL */
	struct strlist names; /* DNS SANs, else the subject CN */
	char *issuer;	      /* issuer DN */
	char *subject;	      /* subject DN */
	time_t not_after;
	time_t not_before;
	time_t seen; /* wall clock at the handshake: days left */
	gnutls_datum_t chain[TLS_MAX_CHAIN]; /* the peer's, DER: for DANE */
	unsigned nchain;
};

/* Credentials with the system trust store, or ca_file instead when given.
 * 0, or -1 with a message in err. */
int tls_creds_new(gnutls_certificate_credentials_t *creds, const char *ca_file,
		  char *err, size_t errlen);

/* A non-blocking client session reading and writing io->fd; sni may be
 * NULL (an address literal gets no SNI, RFC 6066 3); legacy_only offers
 * nothing newer than TLS 1.1.  GnuTLS error code. */
int tls_client_new(gnutls_session_t *s, gnutls_certificate_credentials_t creds,
		   const char *sni, struct tls_io *io, bool legacy_only);

/* After a completed handshake: version, cipher, certificate, and whether
 * it verifies for check_name (a host name or an address literal). */
void tls_collect(gnutls_session_t s, const char *check_name,
		 struct tls_info *info);
void tls_info_free(struct tls_info *info);

#endif
