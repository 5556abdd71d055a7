/*
 * i18n - the reader's language and character set.  i18n_init() runs
 * first in main: it applies the locale, opens the message catalogs, and
 * in a locale whose character set is not UTF-8 makes stderr escape
 * non-ASCII bytes (core/textout.h) and speaks English (the catalogs are
 * UTF-8; escaped Japanese would help nobody).
 *
 * Every sentence for people goes through _() (or N_() where it is
 * a static initializer, translated where it is printed, and ngettext()
 * where a number decides the form); ids, field names, JSON and the
 * monitoring formats never do: they are the contract.  "make pot"
 * extracts the marked strings into po/smtpprobe.pot.
 */
#ifndef CORE_I18N_H
#define CORE_I18N_H

#include <libintl.h>

#define _(s) gettext(s)
#define N_(s) s

void i18n_init(void);
/* Messages in English from now on: for the machine formats (JSON, the
 * monitoring formats), whose every word is part of the contract. */
void i18n_english(void);

#endif
