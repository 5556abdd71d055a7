#include "probe/tls.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <gnutls/x509.h>

#include "core/i18n.h"
#include "core/sanitize.h"

int tls_creds_new(gnutls_certificate_credentials_t *creds, const char *ca_file,
		  char *err, size_t errlen)
{
	int ret;

	ret = gnutls_certificate_allocate_credentials(creds);
	if (ret < 0) {
		snprintf(err, errlen, "GnuTLS: %s", gnutls_strerror(ret));
		return -1;
	}
	if (ca_file != NULL)
		ret = gnutls_certificate_set_x509_trust_file(
			*creds, ca_file, GNUTLS_X509_FMT_PEM);
	else
		ret = gnutls_certificate_set_x509_system_trust(*creds);
	if (ret <= 0) {
		snprintf(err, errlen, "%s: %s",
			 ca_file ? ca_file : _("system trust store"),
			 ret == 0 ? _("no certificates found")
				  : gnutls_strerror(ret));
		gnutls_certificate_free_credentials(*creds);
		return -1;
	}
	return 0;
}

/* Our own transport so the first raw bytes can be kept: when a TLS-first
 * attempt fails, they tell a plaintext SMTP greeting from anything else. */
static ssize_t io_pull(gnutls_transport_ptr_t ptr, void *data, size_t len)
{
	struct tls_io *io = ptr;
	ssize_t n = recv(io->fd, data, len, 0);

	if (n > 0 && io->nsniff < TLS_SNIFF) {
		size_t k = TLS_SNIFF - io->nsniff;

		if (k > (size_t)n)
			k = (size_t)n;
		memcpy(io->sniff + io->nsniff, data, k);
		io->nsniff += k;
	}
	return n;
}

static ssize_t io_push(gnutls_transport_ptr_t ptr, const void *data, size_t len)
{
	struct tls_io *io = ptr;

	return send(io->fd, data, len, MSG_NOSIGNAL);
}

static int io_pull_timeout(gnutls_transport_ptr_t ptr, unsigned int ms)
{
	struct tls_io *io = ptr;
	struct pollfd pfd = {.fd = io->fd, .events = POLLIN};

	/* the loop does the waiting; GnuTLS only asks "is there data" */
	(void)ms;
	return poll(&pfd, 1, 0);
}

int tls_client_new(gnutls_session_t *s, gnutls_certificate_credentials_t creds,
		   const char *sni, struct tls_io *io, bool legacy_only)
{
	int ret;

	ret = gnutls_init(s, GNUTLS_CLIENT | GNUTLS_NONBLOCK);
	if (ret < 0)
		return ret;
	/* NORMAL plus the old versions: a server that only speaks TLS 1.0
	 * or 1.1 must be seen and reported, not just fail to connect */
	ret = gnutls_priority_set_direct(
		*s,
		legacy_only ? "NORMAL:-VERS-ALL:+VERS-TLS1.1:+VERS-TLS1.0"
			    : "NORMAL:+VERS-TLS1.1:+VERS-TLS1.0",
		NULL);
	/* the legacy check falls back to nothing: with the defaults it
	 * would negotiate TLS 1.3 and call that "TLS 1.0/1.1 accepted" */
	if (ret < 0 && !legacy_only)
		ret = gnutls_set_default_priority(*s);
	if (ret >= 0)
		ret = gnutls_credentials_set(*s, GNUTLS_CRD_CERTIFICATE, creds);
	if (ret >= 0 && sni != NULL)
		ret = gnutls_server_name_set(*s, GNUTLS_NAME_DNS, sni,
					     strlen(sni));
	if (ret < 0) {
		gnutls_deinit(*s);
		return ret;
	}
	gnutls_transport_set_ptr(*s, io);
	gnutls_transport_set_pull_function(*s, io_pull);
	gnutls_transport_set_push_function(*s, io_push);
	gnutls_transport_set_pull_timeout_function(*s, io_pull_timeout);
	gnutls_handshake_set_timeout(*s, 0);
	return 0;
}

static char *datum_str(int ret, gnutls_datum_t *d)
{
	char *s;

	if (ret < 0)
		return NULL;
	s = sanitize((const char *)d->data, d->size);
	gnutls_free(d->data);
	return s;
}

static void collect_names(gnutls_x509_crt_t crt, struct tls_info *info)
{
	char buf[512];
	unsigned i;

	for (i = 0; i < 64; i++) {
		size_t size = sizeof(buf);
		int type = gnutls_x509_crt_get_subject_alt_name(crt, i, buf,
								&size, NULL);

		if (type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (type == GNUTLS_SAN_DNSNAME) {
			char *s = sanitize(buf, size);

			if (s != NULL)
				strlist_add(&info->names, s);
			free(s);
		}
	}
	if (info->names.n == 0) {
		size_t size = sizeof(buf);

		if (gnutls_x509_crt_get_dn_by_oid(crt,
						  GNUTLS_OID_X520_COMMON_NAME,
						  0, 0, buf, &size) == 0) {
			char *s = sanitize(buf, size);

			if (s != NULL)
				strlist_add(&info->names, s);
			free(s);
		}
	}
}

static void set_verify_error(struct tls_info *info)
{
	char msg[256];

	if (info->verified)
		return;
	if (!info->trusted && info->status == 0)
		snprintf(msg, sizeof(msg), "no certificate was sent");
	else if (info->revoked)
		snprintf(msg, sizeof(msg), "the certificate has been revoked");
	else if (info->weak)
		snprintf(msg, sizeof(msg),
			 "the certificate chain is signed with an insecure "
			 "algorithm");
	else if (info->wrong_purpose)
		snprintf(msg, sizeof(msg),
			 "the certificate is not for TLS servers (its key "
			 "purpose lacks server authentication)");
	else if (info->expired)
		snprintf(msg, sizeof(msg), "the certificate has expired");
	else if (info->not_yet_valid)
		snprintf(msg, sizeof(msg), "the certificate is not yet valid");
	else if (!info->trusted)
		snprintf(msg, sizeof(msg),
			 "the certificate is not signed by a trusted "
			 "authority");
	else
		snprintf(msg, sizeof(msg),
			 "the certificate is not valid for the name "
			 "probed");
	info->verify_error = strdup(msg);
}

void tls_collect(gnutls_session_t s, const char *check_name,
		 struct tls_info *info)
{
	const gnutls_datum_t *certs;
	gnutls_x509_crt_t crt;
	gnutls_datum_t d;
	unsigned n = 0, status = 0, time_bits, own_bits;
	const char *v;
	/* the chain must allow TLS server authentication (RFC 5280
	 * 4.2.1.12): a client certificate or an e-mail one is no server's */
	gnutls_typed_vdata_st purpose = {
		.type = GNUTLS_DT_KEY_PURPOSE_OID,
		.data = (unsigned char *)GNUTLS_KP_TLS_WWW_SERVER,
	};

	info->done = true;
	info->seen = time(NULL);
	v = gnutls_protocol_get_name(gnutls_protocol_get_version(s));
	snprintf(info->version, sizeof(info->version), "%s", v ? v : "?");
	v = gnutls_ciphersuite_get(s);
	snprintf(info->cipher, sizeof(info->cipher), "%s", v ? v : "?");
	v = gnutls_group_get_name(gnutls_group_get(s));
	snprintf(info->group, sizeof(info->group), "%s", v ? v : "");

	certs = gnutls_certificate_get_peers(s, &n);
	if (certs == NULL || n == 0 || gnutls_x509_crt_init(&crt) < 0) {
		set_verify_error(info);
		return;
	}
	for (info->nchain = 0; info->nchain < n && info->nchain < TLS_MAX_CHAIN;
	     info->nchain++) {
		gnutls_datum_t *d2 = &info->chain[info->nchain];

		d2->data = malloc(certs[info->nchain].size);
		if (d2->data == NULL)
			break;
		memcpy(d2->data, certs[info->nchain].data,
		       certs[info->nchain].size);
		d2->size = certs[info->nchain].size;
	}
	if (gnutls_x509_crt_import(crt, &certs[0], GNUTLS_X509_FMT_DER) < 0) {
		gnutls_x509_crt_deinit(crt);
		set_verify_error(info);
		return;
	}
	/* chain and dates first, the name on its own: the report must say
	 * which of the two failed */
	if (gnutls_certificate_verify_peers(s, &purpose, 1, &status) < 0)
		status = GNUTLS_CERT_INVALID | GNUTLS_CERT_SIGNER_NOT_FOUND;
	info->status = status;
	info->expired = status & GNUTLS_CERT_EXPIRED;
	info->not_yet_valid = status & GNUTLS_CERT_NOT_ACTIVATED;
	info->revoked = status & GNUTLS_CERT_REVOKED;
	info->weak = status & GNUTLS_CERT_INSECURE_ALGORITHM;
	info->wrong_purpose = status & GNUTLS_CERT_PURPOSE_MISMATCH;
	/* GnuTLS sets INVALID with every reason bit: the chain is trusted
	 * (leads to a trust anchor) when the only reasons are about dates,
	 * revocation, the algorithm or the purpose, each told on its own */
	time_bits = GNUTLS_CERT_EXPIRED | GNUTLS_CERT_NOT_ACTIVATED;
	own_bits = time_bits | GNUTLS_CERT_REVOKED |
		   GNUTLS_CERT_INSECURE_ALGORITHM |
		   GNUTLS_CERT_PURPOSE_MISMATCH;
	info->trusted = status == 0 ||
			((status & own_bits) != 0 &&
			 (status & ~(own_bits | GNUTLS_CERT_INVALID)) == 0);
	info->name_ok = check_name != NULL &&
			gnutls_x509_crt_check_hostname2(crt, check_name, 0);
	info->verified = status == 0 && info->name_ok;
	collect_names(crt, info);
	info->issuer = datum_str(gnutls_x509_crt_get_issuer_dn2(crt, &d), &d);
	info->subject = datum_str(gnutls_x509_crt_get_dn2(crt, &d), &d);
	info->not_after = gnutls_x509_crt_get_expiration_time(crt);
	info->not_before = gnutls_x509_crt_get_activation_time(crt);
	gnutls_x509_crt_deinit(crt);
	set_verify_error(info);
}

void tls_info_free(struct tls_info *info)
{
	unsigned i;

	for (i = 0; i < info->nchain; i++)
		free(info->chain[i].data);
	free(info->error);
	free(info->verify_error);
	free(info->issuer);
	free(info->subject);
	strlist_free(&info->names);
	memset(info, 0, sizeof(*info));
}
