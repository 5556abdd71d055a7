#include "resolver/https.h"

#include <curl/curl.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/addr.h"
#include "core/buf.h"
#include "core/i18n.h"

struct https {
	struct loop *loop;
	CURLM *multi;
	struct loop_timer timer;
	char *ca_file;
};

struct request {
	struct https *h;
	CURL *easy;
	struct curl_slist *resolve;
	struct buf body;
	size_t max_bytes;
	int too_big;
	time_t not_after; /* the server certificate's, once headers came */
	https_cb cb;
	void *arg;
	char error[CURL_ERROR_SIZE];
};

static void check_done(struct https *h)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(h->multi, &left)) != NULL) {
		struct request *rq = NULL;
		long status = 0;
		char *ctype = NULL;
		const char *err = NULL;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &rq);
		curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE,
				  &status);
		curl_easy_getinfo(m->easy_handle, CURLINFO_CONTENT_TYPE,
				  &ctype);
		if (rq->too_big || m->data.result == CURLE_FILESIZE_EXCEEDED)
			err = _("the response is larger than the limit");
		else if (m->data.result != CURLE_OK)
			err = rq->error[0] ? rq->error
					   : curl_easy_strerror(m->data.result);
		curl_multi_remove_handle(h->multi, m->easy_handle);
		rq->cb(rq->arg, status, ctype,
		       rq->body.data ? rq->body.data : "", rq->body.len, err,
		       rq->not_after);
		curl_easy_cleanup(rq->easy);
		curl_slist_free_all(rq->resolve);
		buf_free(&rq->body);
		free(rq);
	}
}

static void on_io(void *arg, int fd, unsigned events)
{
	struct https *h = arg;
	int running;

	curl_multi_socket_action(
		h->multi, fd,
		((events & LOOP_READ) ? CURL_CSELECT_IN : 0) |
			((events & LOOP_WRITE) ? CURL_CSELECT_OUT : 0),
		&running);
	check_done(h);
}

static void on_timer(void *arg)
{
	struct https *h = arg;
	int running;

	curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(h);
}

static int sock_cb(CURL *easy, curl_socket_t fd, int what, void *userp,
		   void *socketp)
{
	struct https *h = userp;
	unsigned ev = 0;

	(void)easy;
	(void)socketp;
	if (what == CURL_POLL_REMOVE) {
		loop_unwatch(h->loop, fd);
		return 0;
	}
	if (what & CURL_POLL_IN)
		ev |= LOOP_READ;
	if (what & CURL_POLL_OUT)
		ev |= LOOP_WRITE;
	loop_watch(h->loop, fd, ev, on_io, h);
	return 0;
}

static int timer_cb(CURLM *multi, long ms, void *userp)
{
	struct https *h = userp;

	(void)multi;
	if (ms < 0)
		loop_timer_cancel(h->loop, &h->timer);
	else
		loop_timer_arm(h->loop, &h->timer, loop_now() + (uint64_t)ms,
			       on_timer, h);
	return 0;
}

static size_t write_cb(char *data, size_t size, size_t n, void *userp)
{
	struct request *rq = userp;
	size_t len = size * n;

	if (rq->body.len + len > rq->max_bytes) {
		rq->too_big = 1;
		return 0; /* curl aborts the transfer */
	}
	return buf_append(&rq->body, data, len) < 0 ? 0 : len;
}

/* The expiry of the server's certificate, read from the TLS session
 * while the transfer runs (libcurl's GnuTLS backend hands it out only
 * then): the first header line means the handshake and its
 * verification are done. */
static size_t header_cb(char *data, size_t size, size_t n, void *userp)
{
	struct request *rq = userp;
	const struct curl_tlssessioninfo *ti = NULL;
	const gnutls_datum_t *certs;
	gnutls_x509_crt_t crt;
	unsigned ncerts = 0;

	(void)data;
	if (rq->not_after != 0 ||
	    curl_easy_getinfo(rq->easy, CURLINFO_TLS_SSL_PTR, &ti) !=
		    CURLE_OK ||
	    ti == NULL || ti->backend != CURLSSLBACKEND_GNUTLS ||
	    ti->internals == NULL)
		return size * n;
	certs = gnutls_certificate_get_peers((gnutls_session_t)ti->internals,
					     &ncerts);
	if (certs != NULL && ncerts > 0 && gnutls_x509_crt_init(&crt) == 0) {
		if (gnutls_x509_crt_import(crt, &certs[0],
					   GNUTLS_X509_FMT_DER) == 0) {
			time_t t = gnutls_x509_crt_get_expiration_time(crt);

			rq->not_after = t == (time_t)-1 ? 0 : t;
		}
		gnutls_x509_crt_deinit(crt);
	}
	return size * n;
}

struct https *https_new(struct loop *loop, const char *ca_file)
{
	struct https *h;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return NULL;
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return NULL;
	h->loop = loop;
	h->multi = curl_multi_init();
	h->ca_file = ca_file ? strdup(ca_file) : NULL;
	if (h->multi == NULL || (ca_file && h->ca_file == NULL)) {
		https_free(h);
		return NULL;
	}
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
	/* bounded, so the descriptor budget can count them: more fetches
	 * wait in curl's queue, and idle connections are not kept past it */
	curl_multi_setopt(h->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
			  (long)HTTPS_MAX_CONNS);
	curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS,
			  (long)HTTPS_MAX_CONNS);
	return h;
}

void https_free(struct https *h)
{
	if (h == NULL)
		return;
	loop_timer_cancel(h->loop, &h->timer);
	if (h->multi != NULL)
		curl_multi_cleanup(h->multi);
	free(h->ca_file);
	free(h);
	curl_global_cleanup();
}

int https_get(struct https *h, const char *host, const char *path,
	      const struct dns_addr *addrs, size_t naddrs, unsigned timeout_ms,
	      size_t max_bytes, https_cb cb, void *arg)
{
	struct request *rq = calloc(1, sizeof(*rq));
	char url[600], entry[600], list[400] = "";
	size_t i, used = 0;

	if (rq == NULL || naddrs == 0) {
		free(rq);
		return -1;
	}
	/* CURLOPT_RESOLVE: "host:443:addr1,[addr2]" from our own lookup */
	for (i = 0; i < naddrs && used < sizeof(list) - 64; i++) {
		const struct sockaddr *sa =
			(const struct sockaddr *)&addrs[i].sa;
		char a[ADDR_TEXT_MAX] = "";

		addr_text(sa, a, sizeof(a));
		used += (size_t)snprintf(
			list + used, sizeof(list) - used, "%s%s%s%s",
			i ? "," : "", sa->sa_family == AF_INET6 ? "[" : "", a,
			sa->sa_family == AF_INET6 ? "]" : "");
	}
	snprintf(entry, sizeof(entry), "%s:443:%s", host, list);
	snprintf(url, sizeof(url), "https://%s%s", host, path);
	rq->h = h;
	rq->cb = cb;
	rq->arg = arg;
	rq->max_bytes = max_bytes;
	rq->body.limit = max_bytes + 1;
	rq->resolve = curl_slist_append(NULL, entry);
	rq->easy = curl_easy_init();
	if (rq->easy == NULL || rq->resolve == NULL) {
		curl_slist_free_all(rq->resolve);
		if (rq->easy)
			curl_easy_cleanup(rq->easy);
		free(rq);
		return -1;
	}
	curl_easy_setopt(rq->easy, CURLOPT_URL, url);
	curl_easy_setopt(rq->easy, CURLOPT_RESOLVE, rq->resolve);
	curl_easy_setopt(rq->easy, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(rq->easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(rq->easy, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(rq->easy, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(rq->easy, CURLOPT_MAXFILESIZE_LARGE,
			 (curl_off_t)max_bytes);
	curl_easy_setopt(rq->easy, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(rq->easy, CURLOPT_WRITEDATA, rq);
	curl_easy_setopt(rq->easy, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(rq->easy, CURLOPT_HEADERDATA, rq);
	curl_easy_setopt(rq->easy, CURLOPT_ERRORBUFFER, rq->error);
	curl_easy_setopt(rq->easy, CURLOPT_PRIVATE, rq);
	curl_easy_setopt(rq->easy, CURLOPT_USERAGENT, "smtpprobe");
	curl_easy_setopt(rq->easy, CURLOPT_NOSIGNAL, 1L);
	if (h->ca_file != NULL)
		curl_easy_setopt(rq->easy, CURLOPT_CAINFO, h->ca_file);
	if (curl_multi_add_handle(h->multi, rq->easy) != CURLM_OK) {
		curl_easy_cleanup(rq->easy);
		curl_slist_free_all(rq->resolve);
		free(rq);
		return -1;
	}
	return 0;
}
