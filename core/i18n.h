/*
 * i18n - the reader's language and character set.  i18n_init() runs
 * first in main: it applies the locale, and in a locale whose character
 * set is not UTF-8 makes stderr escape non-ASCII bytes (core/textout.h).
 */
#ifndef CORE_I18N_H
#define CORE_I18N_H

void i18n_init(void);

#endif
