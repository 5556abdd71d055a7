# smtpprobe - hand-written GNU Makefile.
#   make             build ./smtpprobe
#   make check       unit tests, then integration tests (root: namespaces)
#   make sanitize    the same under AddressSanitizer + UBSan (build-san/)
#   make install     PREFIX=/usr/local DESTDIR=

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
LOCALEDIR ?= $(PREFIX)/share/locale

B ?= build
CC ?= cc
OPT ?= -O2 -g
SAN ?=
PKGS := gnutls libcares json-c libidn2 libcurl libgsasl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS := $(shell pkg-config --libs $(PKGS) gnutls-dane)
CHECK_LIBS := $(shell pkg-config --libs check)

WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes \
	-Wmissing-prototypes -Wno-missing-field-initializers
ALL_CFLAGS := -std=gnu11 $(OPT) $(WARN) $(SAN) -D_GNU_SOURCE -I. \
	-DLOCALEDIR='"$(LOCALEDIR)"' $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS := $(SAN) $(LDFLAGS)
LIBS := $(PKG_LIBS) -lm

LIB_SRC := $(wildcard core/*.c resolver/*.c probe/*.c reports/*.c) pipeline.c \
	credentials.c followups.c sharing.c walks.c input.c
LIB_OBJ := $(LIB_SRC:%.c=$(B)/%.o)
UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_OBJ := $(UNIT_SRC:%.c=$(B)/%.o)
DEPS := $(LIB_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(B)/smtpprobe.d
# The scripted misbehaving SMTP server of the integration tests.
HOSTILE_OBJ := $(patsubst %.c,$(B)/%.o,$(wildcard tests/hostile/*.c))
DEPS += $(HOSTILE_OBJ:.o=.d)

ifeq ($(V),1)
Q :=
else
Q := @
endif

.PHONY: all check unit integration sanitize install uninstall clean lint \
	format format-check layout-check print-shell-scripts pot

# The message catalogs (po/LINGUAS), built where SMTPPROBE_LOCALEDIR=$(B)/locale
# finds them before they are installed under LOCALEDIR.
LINGUAS := $(shell cat po/LINGUAS)
MO := $(LINGUAS:%=$(B)/locale/%/LC_MESSAGES/smtpprobe.mo)

all: smtpprobe $(MO)

smtpprobe: $(B)/smtpprobe
	$(Q)rm -f $@ && cp $< $@

$(B)/smtpprobe: $(B)/smtpprobe.o $(B)/libsmtpprobe.a
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(B)/libsmtpprobe.a: $(LIB_OBJ)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/locale/%/LC_MESSAGES/smtpprobe.mo: po/%.po
	@mkdir -p $(dir $@)
	@echo "  MSGFMT  $<"
	$(Q)msgfmt --check -o $@ $<

# The sources whose messages are translated: everything but the tests and
# benchmarks (tests/integration/test_i18n.sh checks the template is current).
# Besides _(), N_() and ngettext(), the format of the functions that
# translate theirs: a finding's message, a usage error.
POT_SRC = $(sort $(shell find . -name '*.c' -not -path './tests/*' \
	-not -path './bench/*' -not -path './build*' -printf '%P\n'))
XGETTEXT := xgettext --from-code=UTF-8 --language=C --keyword=_ \
	--keyword=N_ --keyword=ngettext:1,2 --add-comments=TRANSLATORS: \
	--keyword=add:4 --flag=add:4:c-format \
	--keyword=report_finding:4 --flag=report_finding:4:c-format \
	--keyword=die_usage:1 --flag=die_usage:1:c-format \
	--package-name=smtpprobe --msgid-bugs-address=smtpprobe --sort-by-file \
	--add-location=file

# A template fresh from the code, for tests/integration/test_i18n.sh.
.PHONY: $(B)/smtpprobe.pot
$(B)/smtpprobe.pot:
	@mkdir -p $(dir $@)
	$(Q)$(XGETTEXT) -o $@ $(POT_SRC)

# po/smtpprobe.pot from the code, and each catalog merged with it.
pot:
	$(XGETTEXT) -o po/smtpprobe.pot $(POT_SRC)
	sed -i '/^"POT-Creation-Date: /d' po/smtpprobe.pot
	for l in $(LINGUAS); do \
		msgmerge --quiet --update --backup=none --no-fuzzy-matching \
			po/$$l.po po/smtpprobe.pot || exit 1; \
		msgattrib --no-obsolete --no-wrap -o po/$$l.po po/$$l.po || exit 1; \
		sed -i '/^"POT-Creation-Date: /d' po/$$l.po; \
	done

$(B)/unit-tests: $(UNIT_OBJ) $(B)/libsmtpprobe.a
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) $(CHECK_LIBS)

unit: $(B)/unit-tests
	$(B)/unit-tests

$(B)/hostile-server: $(HOSTILE_OBJ)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

integration: $(B)/smtpprobe $(B)/hostile-server $(MO)
	SMTPPROBE=$(B)/smtpprobe HOSTILE=$(B)/hostile-server \
		tests/integration/run.sh

check: all lint unit fuzz-replay integration

# One more build with the sanitizers on, and every test run against it.
# Check forks each test, so a sanitizer report fails that test.
sanitize:
	$(MAKE) B=build-san OPT="-O1 -g -fno-omit-frame-pointer" \
		SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" \
		build-san/smtpprobe unit fuzz-replay integration

# bash-completion loads completions/smtpprobe on first use.
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions

install: smtpprobe $(MO)
	install -D -m 0755 smtpprobe $(DESTDIR)$(BINDIR)/smtpprobe
	install -D -m 0644 man/smtpprobe.1 $(DESTDIR)$(MANDIR)/man1/smtpprobe.1
	install -D -m 0644 completion/smtpprobe.bash \
		$(DESTDIR)$(BASHCOMPDIR)/smtpprobe
	for l in $(LINGUAS); do \
		install -D -m 0644 $(B)/locale/$$l/LC_MESSAGES/smtpprobe.mo \
			$(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/smtpprobe.mo || exit 1; \
	done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/smtpprobe $(DESTDIR)$(MANDIR)/man1/smtpprobe.1 \
		$(DESTDIR)$(BASHCOMPDIR)/smtpprobe
	for l in $(LINGUAS); do \
		rm -f $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/smtpprobe.mo; \
	done

# make deb: a Debian package (debian/) of the working tree as it is,
# committed or not.  Built in a copy under $(B)/deb/ so the tree stays
# clean (dpkg-buildpackage runs "make clean" and writes to ..), with this
# make's variables kept out of it; the .deb files (smtpprobe and
# smtpprobe-dbgsym) land in $(B)/.
.PHONY: deb
deb:
	rm -rf $(B)/deb $(B)/smtpprobe_*.deb $(B)/smtpprobe-dbgsym_*.deb
	mkdir -p $(B)/deb/src
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		git ls-files -z --cached --others --exclude-standard | \
		grep -zvE '^(build|build-san|build-fuzz|$(B))/' | \
		tar --null -T - --ignore-failed-read -cf -; \
	else \
		tar --exclude=./build --exclude=./build-san --exclude=./build-fuzz \
			--exclude=./$(B) --exclude-vcs -cf - .; \
	fi | tar -xf - -C $(B)/deb/src
	cd $(B)/deb/src && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u B \
		-u OPT -u SAN -u PREFIX -u BINDIR -u MANDIR -u BASHCOMPDIR \
		-u LOCALEDIR \
		-u DESTDIR dpkg-buildpackage -b -us -uc
	mv $(B)/deb/*.deb $(B)/
	rm -rf $(B)/deb
	@ls -1 $(B)/*.deb

# Every shell script in the tree (tests/integration/test_harness.sh checks
# that none is missing from this list).
SHELL_SCRIPTS := .ci/run tools/install-deps completion/smtpprobe.bash \
	$(sort $(wildcard tests/*.sh tests/*/*.sh tests/*/*/*.sh bench/*.sh))

# groff exits 0 whatever it warns of: what it prints is the verdict.
lint:
	mandoc -Tlint -W warning man/smtpprobe.1
	@out=$$(groff -mandoc -ww -z man/smtpprobe.1 2>&1); \
	if [ -n "$$out" ]; then echo "$$out" >&2; exit 1; fi
	shellcheck $(SHELL_SCRIPTS)
	$(MAKE) -s format-check layout-check

# What grep can check of docs/ARCHITECTURE.md: c-ares is named only in
# resolver/, and reports/ holds the probes through const pointers only
# and assigns no field of one (its conclusions live in the report).
layout-check:
	@bad=$$(grep -rlE '<ares(_[a-z]+)?[.]h>' --include='*.[ch]' . | \
		grep -v '^[.]/resolver/' | grep -v '^[.]/build'); \
	if [ -n "$$bad" ]; then \
		echo "c-ares named outside resolver/: $$bad" >&2; exit 1; fi
	@bad=$$({ grep -nE 'struct probe \*' reports/*.c | \
		grep -v 'const struct probe'; \
		grep -nE '(probes|controls)\[[^]]*\]->[a-z_.]+(\[[^]]*\])? *([-+*/|&]?=[^=]|\+\+|--)' \
		reports/*.c; }); \
	if [ -n "$$bad" ]; then echo "$$bad" >&2; \
		echo "reports/ must not write into a probe" >&2; exit 1; fi

print-shell-scripts:
	@printf '%s\n' $(SHELL_SCRIPTS)

FORMAT_SRC = $(LIB_SRC) $(UNIT_SRC) smtpprobe.c $(wildcard */*.h) pipeline.h \
	job.h input.h

format:
	clang-format -i $(FORMAT_SRC)

# make lint fails where make format would change a file.
format-check:
	clang-format --dry-run -Werror $(FORMAT_SRC)

clean:
	rm -rf build build-san smtpprobe

-include $(DEPS)

# --- Fuzzing: libFuzzer harnesses in tests/fuzz/ (see its README.md) ---
#   make fuzz         build each harness into build-fuzz/ with clang, run
#                     each for FUZZ_SECONDS (60); stops at the first crash
#   make fuzz-smoke   the same for 10 seconds each
#   make fuzz-build   only build them
# The committed seeds are copied into build-fuzz/corpus/, which keeps what
# the runs find; crashes land in build-fuzz/crashes/.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_B := build-fuzz
FUZZ_NAMES := reply caps records target sanitize
FUZZ_BIN := $(FUZZ_NAMES:%=$(FUZZ_B)/fuzz_%)
FUZZ_RUN := $(FUZZ_NAMES:%=fuzz-run-%)
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(FUZZ_B)/%.o)
# UBSan must abort, or libFuzzer never sees its reports as crashes.
FUZZ_SAN := address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fno-omit-frame-pointer -D_GNU_SOURCE -I. \
	$(filter-out -Werror,$(WARN)) $(PKG_CFLAGS)
FUZZ_FLAGS := -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -timeout=25 \
	-print_final_stats=1
.PHONY: fuzz fuzz-smoke fuzz-build clean-fuzz $(FUZZ_RUN)

fuzz: $(FUZZ_RUN)

fuzz-smoke:
	$(MAKE) fuzz FUZZ_SECONDS=10

fuzz-build: $(FUZZ_BIN)

# The library with coverage but no libFuzzer main; a harness links only
# the members it needs.
$(FUZZ_B)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $<"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,$(FUZZ_SAN) \
		-MMD -MP -c -o $@ $<

$(FUZZ_B)/libsmtpprobe.a: $(FUZZ_LIB_OBJ)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(FUZZ_B)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_B)/libsmtpprobe.a
	@echo "  FUZZLD  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer,$(FUZZ_SAN) -MMD -MP \
		-o $@ $< $(FUZZ_B)/libsmtpprobe.a $(LIBS)

$(FUZZ_RUN): fuzz-run-%: $(FUZZ_B)/fuzz_%
	@mkdir -p $(FUZZ_B)/corpus/$* $(FUZZ_B)/crashes
	$(if $(wildcard tests/fuzz/crashes/$*-*),$< $(wildcard tests/fuzz/crashes/$*-*))
	cp tests/fuzz/corpus/$*/* $(FUZZ_B)/corpus/$*/
	$< $(FUZZ_FLAGS) -artifact_prefix=$(FUZZ_B)/crashes/$*- \
		$(addprefix -dict=,$(wildcard tests/fuzz/$*.dict)) \
		$(FUZZ_B)/corpus/$*

clean-fuzz:
	rm -rf $(FUZZ_B)

-include $(FUZZ_LIB_OBJ:.o=.d) $(FUZZ_BIN:=.d)

# --- Replay: every harness on the committed corpora and crash reproducers,
# built with CC (and SAN under make sanitize), no libFuzzer needed. ---
.PHONY: fuzz-replay
fuzz-replay: $(FUZZ_NAMES:%=$(B)/replay_%)
	@for n in $(FUZZ_NAMES); do \
		$(B)/replay_$$n tests/fuzz/corpus/$$n/* \
			$$(ls tests/fuzz/crashes/$$n-* 2>/dev/null) || exit 1; \
	done

$(B)/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(B)/libsmtpprobe.a
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)
