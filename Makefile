# fulcrum build.  `make` builds build/fulcrum and build/fulcrumctl.
#   make SAN=1      ASan+UBSan build into build-san/ (what the tests run)
#   make SAN=thread ThreadSanitizer build into build-tsan/ (the proxy's threads)
#   make unit       cmocka unit tests      make fuzz   libFuzzer targets (clang)
#   make check      everything the CI runs (see tests/run-all.sh)
#   make tsan       the proxy's threads under ThreadSanitizer (tests/run-tsan.sh)
#   make demo       the quick-start demo (examples/demo.sh)

CC      ?= gcc
CSTD    := -std=gnu11
# -Wall -Wextra, less -Wunused-parameter: a callback in an ops struct or a
# keyword/command table takes the table's whole signature whether it needs
# every argument or not (HAProxy and the Linux kernel build the same way);
# less -Wmissing-field-initializers: a keyword table entry leaves out the
# slot of a keyword that has its own parser (src/kw/kw-t.h).
WARN    := -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
CFLAGS  ?= -O2 -g
CPPFLAGS += -Isrc -D_GNU_SOURCE
LDLIBS  := -lssl -lcrypto -lpcre2-8 -lbpf -lcap -licuuc -lcrypt -pthread

ifeq ($(SAN),1)
BUILD   ?= build-san
CFLAGS  := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
else ifeq ($(SAN),thread)
BUILD   ?= build-tsan
CFLAGS  := -O1 -g -fno-omit-frame-pointer -fsanitize=thread
LDFLAGS += -fsanitize=thread
else
BUILD   ?= build
endif

# Every .c under src/ except the two mains goes into the library that the
# daemon, the client, the unit tests and the fuzz targets link.
MAINS    := src/daemon/main.c src/ctl/fulcrumctl.c
LIB_SRCS := $(filter-out $(MAINS),$(shell find src -name '*.c' | sort))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)

# BPF programs (bpf/*.bpf.c): compiled by clang for the bpf target, then
# embedded in a libbpf skeleton header ($(BUILD)/bpf/NAME.skel.h) that
# src/xdp/ includes.  bpf/fulcrum_xdp.h is shared with userspace.
BPFTOOL   ?= $(shell command -v bpftool 2>/dev/null || echo /usr/sbin/bpftool)
BPF_SRCS  := $(wildcard bpf/*.bpf.c)
BPF_SKELS := $(BPF_SRCS:bpf/%.bpf.c=$(BUILD)/bpf/%.skel.h)
BPF_CFLAGS := -O2 -g -target bpf -Wall -Ibpf -I/usr/include/$(shell $(CC) -print-multiarch)
CPPFLAGS  += -Ibpf -I$(BUILD)/bpf

all: $(BUILD)/fulcrum $(BUILD)/fulcrumctl

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h)
	@mkdir -p $(dir $@)
	clang $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/bpf/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $(subst -,_,$*) > $@.tmp
	mv $@.tmp $@

# the skeletons exist before any C file that may include them is compiled
$(LIB_OBJS) $(BUILD)/obj/src/daemon/main.o $(BUILD)/obj/src/ctl/fulcrumctl.o: | $(BPF_SKELS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) $(CFLAGS) $(CPPFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libfulcrum.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/fulcrum: $(BUILD)/obj/src/daemon/main.o $(BUILD)/libfulcrum.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
	ln -sf fulcrum $(BUILD)/haproxy # run as haproxy: HAProxy's command line (src/daemon/haproxy_cli.c)

$(BUILD)/fulcrumctl: $(BUILD)/obj/src/ctl/fulcrumctl.o $(BUILD)/libfulcrum.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# a test that embeds a skeleton must be rebuilt when the BPF program changes
$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libfulcrum.a $(BPF_SKELS)
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) $(CFLAGS) $(CPPFLAGS) -Itests/unit -o $@ $< $(BUILD)/libfulcrum.a $(LDFLAGS) -lcmocka $(LDLIBS)

unit-bins: $(UNIT_BINS)

# Unit tests always run under ASan/UBSan.
unit:
	$(MAKE) SAN=1 unit-bins
	@set -e; for t in $(UNIT_SRCS:tests/unit/%.c=build-san/tests/%); do echo "== $$t"; $$t; done

# libFuzzer targets: clang, sanitizers.  The library is compiled once for
# all targets (instrumented with -fsanitize=fuzzer-no-link, -DFC_FUZZ) into
# build-fuzz/libfulcrum.a; each target is its own file linked against it.
FUZZ_SAN    := -g -O1 -fsanitize=address,undefined $(CSTD) $(CPPFLAGS) -DFC_FUZZ
FUZZ_OBJS   := $(LIB_SRCS:%.c=build-fuzz/obj/%.o)
$(FUZZ_OBJS): | $(BPF_SKELS)
build-fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_SAN) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@
build-fuzz/libfulcrum.a: $(FUZZ_OBJS)
	@rm -f $@
	ar rcs $@ $^
build-fuzz/%: tests/fuzz/%.c build-fuzz/libfulcrum.a $(BPF_SKELS)
	clang $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< build-fuzz/libfulcrum.a $(LDLIBS)

fuzz-bins: $(FUZZ_SRCS:tests/fuzz/%.c=build-fuzz/%)

# Man pages: a hand-written header (man/*.md) and a part generated from the
# keyword tables, the command table or the daemon's --help (tools/mkman.c).
MAN_PAGES := $(BUILD)/man/fulcrum.8 $(BUILD)/man/fulcrumctl.8 $(BUILD)/man/fulcrum.conf.5

$(BUILD)/mkman: tools/mkman.c $(BUILD)/libfulcrum.a
	$(CC) $(CSTD) $(WARN) $(CFLAGS) $(CPPFLAGS) -o $@ $< $(BUILD)/libfulcrum.a $(LDFLAGS) $(LDLIBS)

$(BUILD)/man/fulcrum.8: man/fulcrum.8.md $(BUILD)/mkman $(BUILD)/fulcrum
	@mkdir -p $(dir $@)
	$(BUILD)/fulcrum --help > $@.help
	$(BUILD)/fulcrum realserver --help > $@.rs-help
	$(BUILD)/mkman fulcrum.8 $< $@.help $@.rs-help > $@.tmp
	mv $@.tmp $@

$(BUILD)/man/%: man/%.md $(BUILD)/mkman
	@mkdir -p $(dir $@)
	$(BUILD)/mkman $* $< > $@.tmp
	mv $@.tmp $@

man: $(MAN_PAGES)

# Installation.  PREFIX (default /usr/local) and DESTDIR as usual; the
# configuration directory is /etc (the daemon's default file is
# /etc/fulcrum/fulcrum.conf); units go where systemd looks for them under
# PREFIX (/usr/local/lib/systemd/system; Debian: /lib/systemd/system).  A
# configuration already there is never overwritten.  doc/install.md.
PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
DOCDIR     ?= $(PREFIX)/share/doc/fulcrum
SYSCONFDIR ?= /etc
UNITDIR    ?= $(PREFIX)/lib/systemd/system
OCFDIR     ?= $(PREFIX)/lib/ocf/resource.d/fulcrum
UNITS      := fulcrum.service fulcrum-realserver@.service
DOCS       := README.md $(wildcard doc/*.md)
OCF_AGENTS := $(wildcard ocf/*)
INSTALL    ?= install

install: all man
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(SYSCONFDIR)/fulcrum
	$(INSTALL) -m 0755 $(BUILD)/fulcrum $(DESTDIR)$(SBINDIR)/fulcrum
	$(INSTALL) -m 0755 $(BUILD)/fulcrumctl $(DESTDIR)$(BINDIR)/fulcrumctl
	$(INSTALL) -m 0644 $(BUILD)/man/fulcrum.8 $(BUILD)/man/fulcrumctl.8 $(DESTDIR)$(MANDIR)/man8/
	$(INSTALL) -m 0644 $(BUILD)/man/fulcrum.conf.5 $(DESTDIR)$(MANDIR)/man5/
	$(INSTALL) -m 0644 $(DOCS) $(DESTDIR)$(DOCDIR)/
	$(INSTALL) -m 0644 examples/quickstart.conf examples/default.conf $(DESTDIR)$(DOCDIR)/examples/
	for u in $(UNITS); do \
		sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' systemd/$$u.in \
			> $(DESTDIR)$(UNITDIR)/$$u && chmod 0644 $(DESTDIR)$(UNITDIR)/$$u || exit 1; \
	done
	[ -e $(DESTDIR)$(SYSCONFDIR)/fulcrum/fulcrum.conf ] || \
		$(INSTALL) -m 0644 examples/default.conf $(DESTDIR)$(SYSCONFDIR)/fulcrum/fulcrum.conf
	$(if $(OCF_AGENTS),$(INSTALL) -d $(DESTDIR)$(OCFDIR) && \
		for a in $(OCF_AGENTS); do n=$${a#ocf/}; n=$${n#fulcrum-}; \
			$(INSTALL) -m 0755 $$a $(DESTDIR)$(OCFDIR)/$$n || exit 1; done)

# Everything install put there but the configuration (yours by then).
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/fulcrum $(DESTDIR)$(BINDIR)/fulcrumctl \
		$(DESTDIR)$(MANDIR)/man8/fulcrum.8 $(DESTDIR)$(MANDIR)/man8/fulcrumctl.8 \
		$(DESTDIR)$(MANDIR)/man5/fulcrum.conf.5 $(UNITS:%=$(DESTDIR)$(UNITDIR)/%)
	rm -rf $(DESTDIR)$(DOCDIR) $(DESTDIR)$(OCFDIR)

# The Debian package, built from a copy of the tree so that this one stays
# clean: ../fulcrum_VERSION_ARCH.deb of that copy ends in $(BUILD)/deb/.
deb:
	rm -rf $(BUILD)/deb && mkdir -p $(BUILD)/deb/src
	git ls-files -z --cached --others --exclude-standard | \
		tar --null -T - --ignore-failed-read -cf - | tar -xf - -C $(BUILD)/deb/src
	cd $(BUILD)/deb/src && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL dpkg-buildpackage -us -uc -b
	ls $(BUILD)/deb/*.deb

deps:
	./dev deps

check:
	./tests/run-all.sh

# The proxy's worker threads under ThreadSanitizer (not part of check).
tsan:
	./tests/run-tsan.sh

demo: all
	./examples/demo.sh

# Benchmarks (root; not part of check).  Each compares against its baseline
# in one run and writes its generated block into doc/benchmarks.md.
bench: all
	./bench/run.sh
bench-checks: all
	./bench/checks.sh
bench-failover: all
	./bench/failover.sh
bench-dr: all
	./bench/dr.sh
bench-all: bench bench-checks bench-failover bench-dr

format:
	clang-format -i $$(find src tests -name '*.[ch]')

clean:
	rm -rf build build-san build-fuzz

.PHONY: man install uninstall deb all unit unit-bins fuzz-bins deps check tsan demo bench bench-checks bench-failover bench-dr bench-all format clean
.SECONDARY:

-include $(shell find $(BUILD)/obj build-fuzz/obj -name '*.d' 2>/dev/null)
