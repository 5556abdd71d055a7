/*
 * nagios - the report as a monitoring plugin's output (the Monitoring
 * Plugins Development Guidelines, as Nagios, Icinga and Naemon read it):
 *
 *   SMTPPROBE CRITICAL - summary | 'time'=0.312s;;;0
 *   [error] id ADDR:PORT: message       one line per finding
 *   port 25 [ADDR] HOST: state ...      one line per session
 *   | 'HOST [ADDR]:PORT connect'=0.001s;;;0 ...   the rest of the perfdata
 *
 * and the state the plugin exits with.  Which finding makes which state
 * is the table in smtpprobe(1), NAGIOS STATES.
 */
#ifndef REPORTS_NAGIOS_H
#define REPORTS_NAGIOS_H

#include <stdio.h>

struct report;

enum nagios_state {
	NAGIOS_OK,
	NAGIOS_WARNING,
	NAGIOS_CRITICAL,
	NAGIOS_UNKNOWN
};

/* OK, WARNING, CRITICAL or UNKNOWN. */
const char *nagios_state_name(enum nagios_state s);
/* The state of a report: CRITICAL for an error finding or no safe way to
 * send mail (with --check: settings that fail), WARNING for a warning
 * finding, else OK. */
enum nagios_state nagios_state(const struct report *r);
/* Writes the plugin output; 0, or -1 when writing failed. */
int report_nagios(FILE *out, const struct report *r);
/* A perfdata label as the guidelines allow it: quoted, with nothing
 * but letters, digits and ". : [ ] _ - /" and blanks. */
void nagios_label(char *buf, size_t len, const char *s);

#endif
