# SPDX-License-Identifier: GPL-2.0
#
# anonleak: build, test and check.
#
#   make                       deps, module, userspace, tests
#   make module KVER=6.12      the module for another installed kernel
#                              ("6.1", "6.12" or a full version)
#   make unit                  host unit tests
#   make check                 everything: build, unit, style, sparse, and the
#                              selftests in a QEMU guest per CHECK_KERNELS;
#                              ends with "N passed, N failed, N skipped"
#   make demo                  tests/demo.sh in a 6.1 guest
#   make style | sparse | clean | help

SHELL := /bin/bash

CHECK_KERNELS ?= 6.1 6.12
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

.PHONY: all build deps module module-prep userspace tests unit check demo \
	style sparse spec clean help

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

module: module-prep
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules
	mkdir -p $(KO_DIR)
	cp module/anonleak.ko $(KO_DIR)/anonleak.ko

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

tests: $(LINUX_SRC_STAMP) $(LINUX_SRC_612_STAMP)
	$(MAKE) -C tests KSFT_INC=$(KSFT_INC) OUT=$(BUILD)/tests

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
check:
	@rm -rf $(BUILD)/check && mkdir -p $(BUILD)/check && : >$(BUILD)/check.log
	@$(STAGE) --gate deps -- $(MAKE) --no-print-directory deps || true
	@$(STAGE) --gate build -- $(MAKE) --no-print-directory build || true
	@$(STAGE) unit -- $(MAKE) --no-print-directory unit || true
	@$(STAGE) style -- $(MAKE) --no-print-directory style || true
	@$(STAGE) sparse -- $(MAKE) --no-print-directory sparse || true
	@$(STAGE) spec -- $(MAKE) --no-print-directory spec || true
	@for k in $(CHECK_KERNELS); do \
		$(STAGE) --gate module-$$k -- \
			$(MAKE) --no-print-directory module KVER=$$k && \
		$(STAGE) vm-$$k -- \
			tests/vm/run.sh --kernel $$k -- tests/run-guest.sh; \
	done; true
	@set -o pipefail; scripts/tap-summary.sh $(BUILD)/check 2>&1 | \
		tee -a $(BUILD)/check.log

demo: all
	$(MAKE) module KVER=6.1
	tests/vm/run.sh --kernel 6.1 -- tests/demo.sh

clean:
	-test -d $(KDIR) && $(MAKE) -C $(KDIR) M=$(CURDIR) clean
	-test -f userspace/Makefile && $(MAKE) -C userspace clean OUT=$(BUILD)/unit
	-test -f tests/Makefile && $(MAKE) -C tests clean KSFT_INC=$(KSFT_INC) OUT=$(BUILD)/tests
	rm -rf $(BUILD)

help:
	@sed -n '3,13p' Makefile | sed 's/^# \{0,1\}//'
