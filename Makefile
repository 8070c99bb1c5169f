# SPDX-License-Identifier: GPL-2.0
#
# anonleak: build, test and check.
#
#   make                       deps, module, userspace, tests
#   make module KVER=6.12      the module for another installed kernel
#                              ("6.1", "6.12" or a full version)
#   make unit                  host unit tests
#   make check                 everything: build, unit, style, sparse, the
#                              selftests in a QEMU guest per CHECK_KERNELS
#                              and bench-smoke; ends with "N passed, N
#                              failed, N skipped"
#   make demo                  tests/demo.sh in a 6.1 guest
#   make fleet-consumers       the 6.1 guest's fleet outputs read back by
#                              go tool pprof, promtool, node_exporter and
#                              Chromium (after a guest run of the suite)
#   make deb                   the Debian packages anonleak and anonleak-dkms
#                              into build/deb (from a clean copy of the tree)
#   make check-deb             build them, lintian, install into a Debian 12
#                              chroot (DKMS builds the module for the 6.1
#                              guest kernel), purge, smoke test in a guest
#   make bench                 the benchmark (bench/RESULTS.md, ~30 min)
#   make bench-smoke           a quick run of it (~1 min): does it still work
#   make debug-kernel          build (or reuse) the debug guest kernel:
#                              KASAN, kmemleak, lockdep, UBSAN, failslab...
#   make check-debug           the selftests on it (part of "make check"
#                              unless DEBUG_LANE=0; see below)
#   make style | sparse | clean | help

SHELL := /bin/bash

CHECK_KERNELS ?= 5.10 6.1 6.12 7.3
# Kernels of other Debian suites, built in chroots of their own
# (tests/vm/kernels.sh); the others are installed on the host by deps.
CHROOT_KERNELS := 5.10 7.3
# Percent of the selftests' iteration counts on each lane: the whole suite,
# every kind of check, on every kernel; full counts on the main one (6.1),
# fewer on the others so that make check fits its time budget.
CHECK_MAIN_KERNEL ?= 6.1
CHECK_EXTRA_SCALE ?= 25
# The module's kernel: the running one if it has headers, else the newest
# installed 6.1. Short names are resolved to installed versions.
KVER ?= $(if $(wildcard /lib/modules/$(shell uname -r)/build),$(shell uname -r),6.1)
override KVER := $(shell tests/vm/kver.sh --build '$(KVER)' 2>/dev/null || echo '$(KVER)')
KDIR ?= /lib/modules/$(KVER)/build
# A 6.12 guest needs the backports kernel.
DEPS_FLAGS ?= $(if $(filter 6.12%,$(CHECK_KERNELS) $(KVER)),--all)

BUILD := $(CURDIR)/build
KO_DIR := $(BUILD)/ko/$(KVER)

# The kselftest harness and checkpatch come from Debian's kernel source.
LINUX_SRC_TAR ?= /usr/src/linux-source-6.1.tar.xz
LINUX_SRC := $(BUILD)/linux-src
LINUX_SRC_STAMP := $(LINUX_SRC)/.extracted
LINUX_SRC_FILES := tools/testing/selftests/kselftest_harness.h \
		   tools/testing/selftests/kselftest.h \
		   scripts/checkpatch.pl scripts/spelling.txt \
		   scripts/const_structs.checkpatch
KSFT_INC := $(LINUX_SRC)/tools/testing/selftests
# YNL (the kernel's netlink spec tooling) and its schemas, from 6.12's source:
# the protocol spec is validated and exercised against the module with them.
LINUX_SRC_612_TAR ?= /usr/src/linux-source-6.12.tar.xz
LINUX_SRC_612 := $(BUILD)/linux-src-6.12
LINUX_SRC_612_STAMP := $(LINUX_SRC_612)/.extracted
SPEC := Documentation/netlink/specs/anonleak.yaml
CHECKPATCH := $(LINUX_SRC)/scripts/checkpatch.pl

STYLE_FILES = $(filter-out %.mod.c,$(wildcard module/*.c module/*.h \
		include/uapi/linux/anonleak.h))
# What kbuild leaves in module/: removed when switching kernels.
KBUILD_PRODUCTS := -name '*.o' -o -name '*.ko' -o -name '*.mod' -o \
		   -name '*.mod.c' -o -name '.*.cmd' -o -name '.*.d' -o \
		   -name modules.order -o -name Module.symvers
STAGE := scripts/check-stage.sh

# The debug-kernel lane. tests/debug/build-kernel.sh builds linux-source-6.1
# from allnoconfig plus tests/debug/config and caches it outside the clone,
# in $(DEBUG_KERNEL_CACHE)/<hash of the config>; the selftests then run on
# it at DEBUG_SCALE percent of their iteration counts (a 4 KiB mmap+munmap
# costs ~7.6 ms there), with kmemleak scans after every program.
# DEBUG_LANE=1 always adds the lane to "make check", 0 never; auto (the
# default) adds it when the kernel is cached or the machine has 2+ CPUs and
# the disk space for a build (~2.5 GB). Measured on 2 idle cores: a fresh
# build 327 s (1,139 s once with other guests sharing the cores), the lane
# ~750 s; the whole "make check" from a clean clone with a fresh debug
# kernel took 26 min (20 min with the kernel cached). A build that takes
# longer than DEBUG_BUILD_TIMEOUT seconds (the 25 minutes the
# lane is allowed) fails its stage rather than the whole budget.
DEBUG_LANE ?= auto
DEBUG_KERNEL_CACHE ?= /var/cache/anonleak/kernels
DEBUG_SCALE ?= 5
DEBUG_MANY_MAPPINGS ?= 10000
DEBUG_MANY_SITES ?= 5000
DEBUG_BUILD_TIMEOUT ?= 1500
DEBUG_VM_TIMEOUT ?= 3000
# The module's slab caches are marked for failslab's cache filter.
DEBUG_APPEND := slub_debug=A,al_range,al_site_*
DEBUG_BUILD := ANONLEAK_KERNEL_CACHE=$(DEBUG_KERNEL_CACHE) tests/debug/build-kernel.sh

.PHONY: all build deps module module-prep userspace tests unit check demo fleet-consumers \
	debug-kernel module-debug check-debug check-debug-run debug-lane-wanted \
	style sparse spec clean help deb check-deb lane-deb

all: deps
	$(MAKE) build

# Separate from "all" so that KVER is resolved after deps installed kernels.
build: module userspace tests

deps:
	scripts/deps.sh $(DEPS_FLAGS)

# Kbuild objects of another kernel must not be reused.
module-prep:
	@test -d $(KDIR) || { echo "No kernel headers in $(KDIR):" \
		"run scripts/deps.sh (--all for 6.12)" >&2; exit 1; }
	@mkdir -p $(BUILD)
	@if [ "$$(cat $(BUILD)/.module-kver 2>/dev/null)" != "$(KVER)" ]; then \
		find module Module.symvers modules.order .*.cmd \
			\( $(KBUILD_PRODUCTS) \) -type f -delete 2>/dev/null; \
		echo "$(KVER)" >$(BUILD)/.module-kver; \
	fi; true

ifneq ($(filter $(KVER),$(CHROOT_KERNELS)),)
# In the chroot of the kernel's suite, on a copy of the sources.
module:
	tests/vm/kernels.sh prepare $(KVER)
	tests/vm/kernels.sh build $(KVER) \
		--out $(BUILD)/ko/$$(tests/vm/kernels.sh kver $(KVER)) -- modules
else
module: module-prep
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules
	mkdir -p $(KO_DIR)
	cp module/anonleak.ko $(KO_DIR)/anonleak.ko
endif

userspace:
	$(MAKE) -C userspace

$(LINUX_SRC_STAMP): $(LINUX_SRC_TAR)
	rm -rf $(LINUX_SRC) && mkdir -p $(LINUX_SRC)
	top=$$(basename $(LINUX_SRC_TAR) .tar.xz) && \
	tar -xJf $(LINUX_SRC_TAR) -C $(LINUX_SRC) --strip-components=1 \
		--occurrence=1 $(addprefix $$top/,$(LINUX_SRC_FILES))
	touch $@

$(LINUX_SRC_612_STAMP):
	@test -f $(LINUX_SRC_612_TAR) || { echo "$(LINUX_SRC_612_TAR) missing:" \
		"run scripts/deps.sh --all" >&2; exit 1; }
	rm -rf $(LINUX_SRC_612) && mkdir -p $(LINUX_SRC_612)
	top=$$(basename $(LINUX_SRC_612_TAR) .tar.xz) && \
	tar -xJf $(LINUX_SRC_612_TAR) -C $(LINUX_SRC_612) --strip-components=1 \
		$$top/tools/net/ynl/lib $$top/tools/net/ynl/cli.py \
		$$top/Documentation/netlink/genetlink-c.yaml
	touch $@

tests: $(LINUX_SRC_STAMP) $(LINUX_SRC_612_STAMP) $(BUILD)/tools/speed
	$(MAKE) -C tests KSFT_INC=$(KSFT_INC) OUT=$(BUILD)/tests

# The machine's speed, for time limits that follow it (scripts/time-factor.sh,
# tests/run-guest.sh).
$(BUILD)/tools/speed: tests/vm/speed.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -o $@ $<

# The YNL spec against the kernel's schema for its protocol.
spec: $(LINUX_SRC_612_STAMP)
	/usr/bin/python3 scripts/check-spec.py $(SPEC) \
		$(LINUX_SRC_612)/Documentation/netlink

unit: $(LINUX_SRC_STAMP)
	$(MAKE) -C userspace test KSFT_INC=$(KSFT_INC) OUT=$(BUILD)/unit

style: $(LINUX_SRC_STAMP)
	@test -n "$(STYLE_FILES)" || { echo "style: no sources to check" >&2; exit 1; }
	$(CHECKPATCH) --strict --no-tree --show-types --no-summary -f $(STYLE_FILES)
	@echo "style: clean ($(words $(STYLE_FILES)) files)"

# Sparse on every module source; any warning or error in our files fails.
sparse: module-prep
	set -o pipefail; $(MAKE) -C $(KDIR) M=$(CURDIR) C=2 modules 2>&1 | \
		tee $(BUILD)/sparse.log
	@if grep -E '^($(CURDIR)/)?(module|include)/[^:]*:[0-9]+(:[0-9]+)?: (warning|error):' \
			$(BUILD)/sparse.log; then \
		echo "sparse: warnings in anonleak's sources (above)" >&2; exit 1; \
	fi
	@echo "sparse: clean"

# Every stage runs and is recorded; the summary decides the exit status.
# The quick host stages run first, one after the other; then the lanes (one
# per guest kernel, the debug lane, bench-smoke) run side by side,
# CHECK_SLOTS at a time (default: one per CPU; each guest is one host
# thread), longest first on a fresh machine (the debug kernel's build, the
# package chroot's and the other suites' chroots are part of their lanes),
# the short bench-smoke last. The modules of the host's kernels are built
# before the lanes start: they share module/. The lanes' time limits follow
# the machine's measured speed (scripts/time-factor.sh).
CHECK_SLOTS ?= $(shell nproc 2>/dev/null || echo 1)
CHECK_LANE_ORDER := debug 6.1 deb 7.3 5.10 6.12 bench-smoke
check:
	@rm -rf $(BUILD)/check && mkdir -p $(BUILD)/check && : >$(BUILD)/check.log
	@$(STAGE) --gate deps -- $(MAKE) --no-print-directory deps || true
	@$(STAGE) --gate build -- $(MAKE) --no-print-directory build || true
	@$(STAGE) unit -- $(MAKE) --no-print-directory unit || true
	@$(STAGE) style -- $(MAKE) --no-print-directory style || true
	@$(STAGE) sparse -- $(MAKE) --no-print-directory sparse || true
	@$(STAGE) spec -- $(MAKE) --no-print-directory spec || true
	@for k in $(filter-out $(CHROOT_KERNELS),$(CHECK_KERNELS)); do \
		$(STAGE) --gate module-$$k -- \
			$(MAKE) --no-print-directory module KVER=$$k || true; \
	done
	@want=$$($(MAKE) --no-print-directory -s debug-lane-wanted); \
	[ "$$want" = yes ] || echo "debug lane: skipped ($${want#no: })" | \
		tee -a $(BUILD)/check.log; \
	lanes=; for l in $(CHECK_LANE_ORDER); do \
		case " $(CHECK_KERNELS) deb bench-smoke $$( [ "$$want" = yes ] && echo debug) " in \
		*" $$l "*) lanes="$$lanes lane-$$l" ;; esac; \
	done; \
	for k in $(CHECK_KERNELS); do \
		case " $(CHECK_LANE_ORDER) " in *" $$k "*) ;; *) lanes="$$lanes lane-$$k" ;; esac; \
	done; \
	ANONLEAK_HOST_TIME_FACTOR=$$(scripts/time-factor.sh --host) \
		scripts/check-lanes.sh --slots $(CHECK_SLOTS) -- $$lanes
	@set -o pipefail; scripts/tap-summary.sh $(BUILD)/check 2>&1 | \
		tee -a $(BUILD)/check.log

# One lane of "make check" (scripts/check-lanes.sh runs them): the guest
# suite on kernel K, the module built first for kernels of other suites
# (in their chroots, which "kernels.sh prepare" makes or reuses).
VM_LANE_TIMEOUT ?= 2400
# The guests read the host's / over 9p: "loose" lets them keep what they read
# in their page cache, so the many python3 and anonleak starts of the suite
# stop rereading every library over 9p (the suite takes about half as long).
# Safe here: the host does not change what a lane's guest reads while it runs
# (each lane builds its module and tests before it boots).
CHECK_HOST_CACHE ?= loose
lane-%:
	@k=$*; \
	case " $(CHROOT_KERNELS) " in *" $$k "*) \
		$(STAGE) --gate kernel-$$k -- tests/vm/kernels.sh prepare $$k && \
		$(STAGE) --gate module-$$k -- \
			$(MAKE) --no-print-directory module KVER=$$k || exit 0 ;; \
	esac; \
	[ -f $(BUILD)/check/module-$$k.rc ] && [ "$$(cat $(BUILD)/check/module-$$k.rc)" != 0 ] && exit 0; \
	$(STAGE) vm-$$k -- env VM_HOST_CACHE=$(CHECK_HOST_CACHE) tests/vm/run.sh --kernel $$k \
		--timeout $$(scripts/time-factor.sh --scale $(VM_LANE_TIMEOUT)) \
		-- env ANONLEAK_TEST_SCALE=$$([ $$k = $(CHECK_MAIN_KERNEL) ] && \
			echo 100 || echo $(CHECK_EXTRA_SCALE)) tests/run-guest.sh; \
	[ $$k = $(CHECK_MAIN_KERNEL) ] && $(STAGE) fleet-consumers -- \
		tests/fleet/check-consumers.sh \
		build/vm/results-$$(tests/vm/kver.sh --boot $$k)/fleet; true

# The fleet outputs the main kernel's guest suite wrote (tests/anonleak_fleet.py)
# read back by go tool pprof, promtool, node_exporter and Chromium; part of
# lane-$(CHECK_MAIN_KERNEL) in "make check" (~6 s).
fleet-consumers:
	tests/fleet/check-consumers.sh \
		build/vm/results-$$(tests/vm/kver.sh --boot $(CHECK_MAIN_KERNEL))/fleet

lane-debug:
	@$(STAGE) --gate debug-kernel -- timeout $$(scripts/time-factor.sh --scale \
		$(DEBUG_BUILD_TIMEOUT)) $(MAKE) --no-print-directory debug-kernel && \
	$(STAGE) --gate module-debug -- \
		$(MAKE) --no-print-directory module-debug && \
	$(STAGE) vm-debug -- $(MAKE) --no-print-directory check-debug-run; true

lane-bench-smoke:
	@$(STAGE) bench-smoke -- $(MAKE) --no-print-directory bench-smoke; true

# Prints "yes" if "make check" should run the debug lane (see DEBUG_LANE),
# else "no: why".
debug-lane-wanted:
	@case "$(DEBUG_LANE)" in \
	1 | yes) echo yes; exit 0 ;; \
	0 | no) echo "no: DEBUG_LANE=0"; exit 0 ;; \
	esac; \
	if $(DEBUG_BUILD) --print >/dev/null; then echo yes; exit 0; fi; \
	mkdir -p $(DEBUG_KERNEL_CACHE) 2>/dev/null; \
	free_kb=$$(df -Pk $(DEBUG_KERNEL_CACHE) 2>/dev/null | awk 'NR == 2 { print $$4 }'); \
	if [ "$$(nproc)" -ge 2 ] && [ "$${free_kb:-0}" -ge 2600000 ]; then \
		echo yes; \
	else \
		echo "no: $$(nproc) CPU(s), $${free_kb:-?} KB free in" \
			"$(DEBUG_KERNEL_CACHE); DEBUG_LANE=1 forces it"; \
	fi

debug-kernel:
	$(DEBUG_BUILD) --jobs $$(nproc)

# The module for the debug kernel, against its built tree.
module-debug:
	@dir=$$($(DEBUG_BUILD) --print) || { echo "no debug kernel built:" \
		"run 'make debug-kernel'" >&2; exit 1; }; \
	$(MAKE) --no-print-directory module KVER=$$(cat $$dir/kver) \
		KDIR=$$dir/linux $$([ -f $$dir/linux/Module.symvers ] || \
		echo KBUILD_MODPOST_WARN=1)

check-debug: debug-kernel tests
	$(MAKE) --no-print-directory module-debug
	$(MAKE) --no-print-directory check-debug-run

check-debug-run:
	@dir=$$($(DEBUG_BUILD) --print) || exit 1; \
	ANONLEAK_TEST_SCALE=$(DEBUG_SCALE) ANONLEAK_TEST_TIMEOUT=900 \
		ANONLEAK_MANY_MAPPINGS=$(DEBUG_MANY_MAPPINGS) \
		ANONLEAK_MANY_SITES=$(DEBUG_MANY_SITES) \
		VM_HOST_CACHE=$(CHECK_HOST_CACHE) tests/vm/run.sh --kernel $$dir/bzImage \
		--append '$(DEBUG_APPEND)' --timeout $$(scripts/time-factor.sh \
		--scale $(DEBUG_VM_TIMEOUT)) -- tests/run-guest.sh

# The benchmark (not a test): every configuration side by side in one 6.1
# guest with -icount, then bench/RESULTS.md. bench-smoke: a few iterations
# in an ordinary guest, no peers; checks that every stage produced a number.
.PHONY: bench bench-smoke
bench:
	bench/bench.sh full

bench-smoke:
	bench/bench.sh smoke

# The packages (debian/) from a clean copy of the tree: build/deb/*.deb.
deb:
	scripts/build-deb.sh $(BUILD)/deb

# tests/deb/check-deb.sh: the packages end to end, as root (52 s with
# the chroot cached in /var/cache/anonleak/deb, 7 min 15 s cold, measured).
check-deb:
	tests/deb/check-deb.sh --kernel $(CHECK_MAIN_KERNEL)

lane-deb:
	@$(STAGE) check-deb -- $(MAKE) --no-print-directory check-deb; true

demo: all
	$(MAKE) module KVER=6.1
	tests/vm/run.sh --kernel 6.1 -- tests/demo.sh

clean:
	-test -d $(KDIR) && $(MAKE) -C $(KDIR) M=$(CURDIR) clean
	-test -f userspace/Makefile && $(MAKE) -C userspace clean OUT=$(BUILD)/unit
	-test -f tests/Makefile && $(MAKE) -C tests clean KSFT_INC=$(KSFT_INC) OUT=$(BUILD)/tests
	rm -rf $(BUILD)

help:
	@sed -n '3,25p' Makefile | sed 's/^# \{0,1\}//'
