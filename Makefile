# smtpprobe - hand-written GNU Makefile.
#   make             build ./smtpprobe
#   make check       unit tests, then integration tests (root: namespaces)
#   make sanitize    the same under AddressSanitizer + UBSan (build-san/)
#   make install     PREFIX=/usr/local DESTDIR=

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man

B ?= build
CC ?= cc
OPT ?= -O2 -g
SAN ?=
PKGS := gnutls libcares json-c libidn2
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS := $(shell pkg-config --libs $(PKGS))
CHECK_LIBS := $(shell pkg-config --libs check)

WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes \
	-Wmissing-prototypes -Wno-missing-field-initializers
ALL_CFLAGS := -std=gnu11 $(OPT) $(WARN) $(SAN) -D_GNU_SOURCE -I. \
	$(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS := $(SAN) $(LDFLAGS)
LIBS := $(PKG_LIBS) -lm

LIB_SRC := $(wildcard core/*.c resolver/*.c probe/*.c reports/*.c) pipeline.c
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
	format

all: smtpprobe

smtpprobe: $(B)/smtpprobe
	$(Q)cp $< $@

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

$(B)/unit-tests: $(UNIT_OBJ) $(B)/libsmtpprobe.a
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) $(CHECK_LIBS)

unit: $(B)/unit-tests
	$(B)/unit-tests

$(B)/hostile-server: $(HOSTILE_OBJ)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

integration: $(B)/smtpprobe $(B)/hostile-server
	SMTPPROBE=$(B)/smtpprobe HOSTILE=$(B)/hostile-server \
		tests/integration/run.sh

check: all lint unit integration

# One more build with the sanitizers on, and every test run against it.
# Check forks each test, so a sanitizer report fails that test.
sanitize:
	$(MAKE) B=build-san OPT="-O1 -g -fno-omit-frame-pointer" \
		SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" \
		build-san/smtpprobe unit integration

install: smtpprobe
	install -D -m 0755 smtpprobe $(DESTDIR)$(BINDIR)/smtpprobe
	install -D -m 0644 man/smtpprobe.1 $(DESTDIR)$(MANDIR)/man1/smtpprobe.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/smtpprobe $(DESTDIR)$(MANDIR)/man1/smtpprobe.1

lint:
	mandoc -Tlint -W warning man/smtpprobe.1
	shellcheck tests/integration/*.sh .ci/run

format:
	clang-format -i $(LIB_SRC) $(UNIT_SRC) smtpprobe.c \
		$(wildcard */*.h) pipeline.h

clean:
	rm -rf build build-san smtpprobe

-include $(DEPS)
