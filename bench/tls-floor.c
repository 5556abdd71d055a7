/*
 * tls-floor - the CPU floor of one TLS session: a GnuTLS client and
 * server in one process over a socketpair, handshake after handshake,
 * with the same priorities and certificate checks smtpprobe uses.  What
 * smtpprobe spends per TLS session is measured against this.
 *
 *   bench/tls-floor CERT.pem KEY.pem CA.pem [N]
 */
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double cpu_seconds(int who)
{
	struct rusage ru;

	getrusage(who, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static int fail(const char *what, int ret)
{
	fprintf(stderr, "tls-floor: %s: %s\n", what, gnutls_strerror(ret));
	return 1;
}

/* The server side, in a child: one handshake per connection. */
static int serve(int fd, gnutls_certificate_credentials_t creds, long n)
{
	long i;

	for (i = 0; i < n; i++) {
		gnutls_session_t s;
		int ret;

		gnutls_init(&s, GNUTLS_SERVER);
		gnutls_set_default_priority(s);
		gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, creds);
		gnutls_transport_set_int(s, fd);
		do
			ret = gnutls_handshake(s);
		while (ret < 0 && !gnutls_error_is_fatal(ret));
		if (ret < 0)
			return fail("server handshake", ret);
		gnutls_bye(s, GNUTLS_SHUT_WR);
		gnutls_deinit(s);
	}
	return 0;
}

int main(int argc, char **argv)
{
	gnutls_certificate_credentials_t screds, ccreds;
	long n = argc > 4 ? atol(argv[4]) : 2000, i;
	struct timespec t0, t1;
	double cpu0, wall;
	int sv[2], ret, status;
	pid_t pid;

	if (argc < 4 || n <= 0) {
		fprintf(stderr, "usage: tls-floor CERT KEY CA [N]\n");
		return 2;
	}
	gnutls_certificate_allocate_credentials(&screds);
	ret = gnutls_certificate_set_x509_key_file(screds, argv[1], argv[2],
						   GNUTLS_X509_FMT_PEM);
	if (ret < 0)
		return fail("server certificate", ret);
	gnutls_certificate_allocate_credentials(&ccreds);
	if (gnutls_certificate_set_x509_trust_file(ccreds, argv[3],
						   GNUTLS_X509_FMT_PEM) <= 0)
		return fail("CA file", GNUTLS_E_FILE_ERROR);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return 1;
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		_exit(serve(sv[1], screds, n));
	}
	close(sv[1]);
	cpu0 = cpu_seconds(RUSAGE_SELF);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		gnutls_session_t s;
		unsigned st = 0;
		char buf[64];

		gnutls_init(&s, GNUTLS_CLIENT);
		/* smtpprobe's priorities and its after-handshake checks */
		gnutls_priority_set_direct(s, "NORMAL:+VERS-TLS1.1:+VERS-TLS1.0",
					   NULL);
		gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, ccreds);
		gnutls_server_name_set(s, GNUTLS_NAME_DNS, "mail.example.test",
				       17);
		gnutls_transport_set_int(s, sv[0]);
		do
			ret = gnutls_handshake(s);
		while (ret < 0 && !gnutls_error_is_fatal(ret));
		if (ret < 0)
			return fail("client handshake", ret);
		gnutls_certificate_verify_peers2(s, &st);
		/* read the server's close_notify, so the next one starts clean */
		while (gnutls_record_recv(s, buf, sizeof(buf)) > 0)
			;
		gnutls_deinit(s);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	wall = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	waitpid(pid, &status, 0);
	printf("handshakes %ld\nwall_s %.3f\nclient_cpu_ms_per_handshake "
	       "%.3f\nserver_cpu_ms_per_handshake %.3f\n",
	       n, wall, (cpu_seconds(RUSAGE_SELF) - cpu0) * 1000.0 / n,
	       cpu_seconds(RUSAGE_CHILDREN) * 1000.0 / n);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
