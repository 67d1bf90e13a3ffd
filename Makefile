# hvlab - top-level Makefile.
#
#   make            build kmod/hvlab.ko and user/hvlab
#   make check      native unit tests, then the VM suite (Bochs when no VT-x)
#                   on Debian's 6.1 (EPT, shadow) and 6.12 (EPT) kernels;
#                   KVER=VERSION runs the VM passes on that kernel instead
#   make vmtest     the VM suite once (KVER=VERSION, default Debian's kernel)
#   make demo       load hvlab and run a guest (inside Bochs when no VT-x)
#   make bench      exit-cost benchmarks (in the VM)
#   make fuzz       longer fuzzing runs
#   make fuzz-kernel  the kernel fuzzer in the VM, a long run
#   make deps       install the Debian packages everything needs (root)
#   make checkpatch run the kernel's checkpatch.pl over kmod/
#
# The lab course (labs/README.md):
#   make lab-tree LAB=n DEST=DIR   the student tree of lab n
#   make grade LAB=n [VM=1]        grade lab n (VM=1: also its VM checks,
#                                  natively where VT-x is usable, else in Bochs)
#   make grade-vm [LAB="n m"]      the VM checks of several labs, one boot
#   make handin LAB=n              pack the diff, the grade and a trace
#   make grade-selftest            each lab: reference full marks, starter 0
#   make vm-shell                  a shell in the Bochs VM with this tree's
#                                  hvlab.ko and hvlab (Ctrl-A x leaves)
#   make clean
#
# Installing (docs/install.md):
#   make install        user/hvlab, man pages, bash completion under PREFIX
#                       (default /usr/local; DESTDIR is honoured)
#   make uninstall
#   make load           insmod kmod/hvlab.ko, explaining a Secure Boot refusal
#   make dkms-install   register the module with DKMS and install it for KVER
#                       (default: the running kernel); rebuilt on kernel upgrades
#   make dkms-remove
#   make install-udev   /dev/hvlab for the 'hvlab' group (udev/60-hvlab.rules)
#   make uninstall-udev
#
# KDIR: the kernel build tree the module is built against.  By default the
# running kernel's, else the newest installed Debian linux-headers-*-amd64.
# The VM suite builds its own copy against the kernel it boots (KVER; see
# tests/vm/run-suite.sh --kver).
#
# Kernel versions are compared as versions (sort -V, as the VM suite does):
# 6.1.0-9 < 6.1.0-57 < 6.12.118, where $(sort) would put 6.1.0-9 last.
#
# Targets that install their own dependencies (check, demo, bench) run
# tests/tools/deps.sh first and build in a sub-make: KDIR is computed when
# a make starts, so on a machine that had no headers yet, only a make
# started after deps.sh finds the ones it installed.  That is also why KDIR
# is not exported: the sub-make must compute it afresh (a KDIR the user
# set, on the command line or in the environment, still reaches it).

SHELL      := /bin/bash
TOP        := $(CURDIR)
BUILD      := $(TOP)/build

newest_version = $(lastword $(shell printf '%s\n' $(1) | sort -V))
DEB_KDIR   := $(call newest_version,$(wildcard /usr/src/linux-headers-*-amd64))
RUN_KDIR   := $(wildcard /lib/modules/$(shell uname -r)/build)
KDIR       ?= $(if $(RUN_KDIR),$(RUN_KDIR),$(DEB_KDIR))

CC         ?= cc
CFLAGS     ?= -O2 -g
HV_CFLAGS  := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I$(TOP)/include -I$(TOP)/user
HV_LIBS    := -lelf -lncursesw -lpthread
# libslirp (--net nat).  Its .pc file requires glib-2.0's; without
# libglib2.0-dev, pkg-config refuses, so fall back to the plain paths.
SLIRP_CFLAGS := $(or $(shell pkg-config --cflags slirp 2>/dev/null),-I/usr/include/slirp)
SLIRP_LIBS   := $(or $(shell pkg-config --libs slirp 2>/dev/null),-lslirp)
HV_CFLAGS  += $(SLIRP_CFLAGS)
HV_LIBS    += $(SLIRP_LIBS)

# All userspace sources but main.c form libhvlab.a, which the unit tests link.
USER_SRCS  := $(sort $(wildcard user/*.c user/*/*.c))
USER_LIB_SRCS := $(filter-out user/main.c,$(USER_SRCS))
USER_OBJS  := $(patsubst %.c,$(BUILD)/%.o,$(USER_LIB_SRCS))
# Pure-logic files of the module that also compile (and are tested) natively.
KPURE_SRCS := $(sort $(wildcard kmod/pure_*.c))
KPURE_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(KPURE_SRCS))

UNIT_SRCS  := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRCS))

KSFT_DIR   := $(BUILD)/ksft
KSFT_HDR   := $(KSFT_DIR)/kselftest_harness.h
LINUX_SRC_TAR := $(call newest_version,$(wildcard /usr/src/linux-source-*.tar.xz))

.PHONY: all kmod user unit unit-bins clean check demo bench fuzz fuzz-kernel deps checkpatch vmtest
.PHONY: install uninstall load dkms-install dkms-remove install-udev uninstall-udev
all: kmod user

kmod:
	@test -n "$(KDIR)" || { echo "no kernel build tree: run 'make deps' (installs linux-headers-amd64)"; exit 1; }
	$(MAKE) -C $(KDIR) M=$(TOP) modules

user: user/hvlab

user/hvlab: $(BUILD)/user/main.o $(BUILD)/libhvlab.a
	$(CC) $(CFLAGS) -o $@ $^ $(HV_LIBS)

$(BUILD)/libhvlab.a: $(USER_OBJS) $(KPURE_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(HV_CFLAGS) -MMD -MP -c -o $@ $<

# kselftest_harness.h and checkpatch.pl come from Debian's linux-source.
$(KSFT_HDR):
	@test -n "$(LINUX_SRC_TAR)" || { echo "linux-source-6.1 missing: run 'make deps'"; exit 1; }
	tests/tools/extract-linux-tools.sh "$(LINUX_SRC_TAR)" $(KSFT_DIR)

# kselftest_harness.h compares signed and unsigned in its EXPECT macros.
# (rm first: a test that no longer compiles must not run in its old form)
$(BUILD)/unit/%: tests/unit/%.c $(BUILD)/libhvlab.a $(KSFT_HDR) $(wildcard tests/unit/*.h)
	@mkdir -p $(@D)
	@rm -f $@
	$(CC) $(CFLAGS) $(HV_CFLAGS) -Wno-unused-parameter -Wno-sign-compare -I$(KSFT_DIR) -Itests/unit -o $@ $< $(BUILD)/libhvlab.a $(HV_LIBS)

unit-bins: $(UNIT_BINS) user/hvlab

unit: $(UNIT_BINS) user/hvlab
	tests/tools/run-unit.sh $(UNIT_BINS)

# The labs' native checks: labs/NN-topic/grade.c, one binary per lab.
LAB_GRADE_BINS := $(patsubst %.c,$(BUILD)/%,$(sort $(wildcard labs/*/grade.c)))

$(BUILD)/labs/%/grade: labs/%/grade.c labs/tools/grade.h $(BUILD)/libhvlab.a $(wildcard tests/unit/*.h)
	@mkdir -p $(@D)
	@rm -f $@
	$(CC) $(CFLAGS) $(HV_CFLAGS) -Ilabs/tools -Itests/unit -I$(@D) -o $@ $< $(BUILD)/libhvlab.a \
		$(LAB_GRADE_LDFLAGS) $(HV_LIBS)

# A lab's own additions to its grade binary (labs/NN-topic/grade.mk): a
# region of a kernel file extracted to compile natively (lab_region), link
# options (target-specific LAB_GRADE_LDFLAGS).
LAB_GRADE_LDFLAGS :=
# $(call lab_region,LAB,NAME,FILE): the text of region NAME of lab LAB in
# FILE, markers included, with a #line so that errors point at FILE
lab_region = awk '/LAB $(1): BEGIN $(2)( |\*|$$)/ { f = 1; printf "\#line %d \"%s\"\n", FNR, FILENAME } \
	f { print } /LAB $(1): END $(2)( |\*|$$)/ { f = 0 }' $(3)
-include $(sort $(wildcard labs/*/grade.mk))

.PHONY: lab-tree grade grade-vm handin grade-selftest lab-bins vm-shell
lab-bins: $(LAB_GRADE_BINS)

lab-tree:
	@test -n "$(LAB)" -a -n "$(DEST)" || { echo "usage: make lab-tree LAB=n DEST=DIR"; exit 2; }
	labs/tools/lab.sh tree '$(LAB)' '$(DEST)'

grade:
	@test -n "$(LAB)" || { echo "usage: make grade LAB=n [VM=1]"; exit 2; }
	@labs/tools/lab.sh grade '$(LAB)' $(if $(filter 1,$(VM)),--vm)

handin:
	@test -n "$(LAB)" || { echo "usage: make handin LAB=n"; exit 2; }
	@labs/tools/lab.sh handin '$(LAB)'

grade-selftest:
	@labs/tools/lab.sh selftest $(LAB)

grade-vm:
	@labs/tools/lab.sh grade-vm $(LAB)

# builds what it boots: the module for the VM's kernel, hvlab, the guests
vm-shell:
	tests/vm/run-suite.sh --shell $(if $(KVER),--kver '$(KVER)')

-include tests/guests/guests.mk
-include tests/kselftest/kselftest.mk

deps:
	tests/tools/deps.sh

# check.sh runs deps.sh, then a new make (see KDIR above), as its first
# stages.  KVER (a command-line variable, so also in the scripts'
# environment) picks the VM kernel.
check:
	@tests/tools/check.sh

vmtest: all
	tests/vm/run-suite.sh $(if $(KVER),--kver '$(KVER)')

# demo.sh installs the packages and builds itself, one line per stage
demo:
	tests/tools/demo.sh $(if $(KVER),--kver '$(KVER)')

bench:
	tests/tools/deps.sh
	$(MAKE) all
	tests/tools/bench.sh

fuzz: $(BUILD)/libhvlab.a
	tests/tools/fuzz.sh long

# The kernel fuzzer (tests/kselftest/test_fuzz_kernel.c) alone in one VM
# pass, 20 times the calls and guests of its run in `make check`;
# HVLAB_FUZZ_SEED=N replays a run, HVLAB_FUZZ_SCALE=N sizes it.
fuzz-kernel: all
	HVLAB_FUZZ_SCALE=$${HVLAB_FUZZ_SCALE:-20} \
	HVLAB_PROG_TIMEOUT=$${HVLAB_PROG_TIMEOUT:-400} tests/vm/run-suite.sh \
		--pass fuzz --only test_fuzz_kernel --timeout 14400 \
		$(if $(KVER),--kver '$(KVER)')

# Errors and warnings fail; CHECKPATCH_FLAGS=--strict also lists style checks.
checkpatch: $(KSFT_HDR)
	$(KSFT_DIR)/scripts/checkpatch.pl --no-tree --terse $(CHECKPATCH_FLAGS) -f \
		$(filter-out %.mod.c,$(wildcard kmod/*.c)) kmod/*.h include/uapi/hvlab.h

# ---- installing --------------------------------------------------------

PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
MANDIR      ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
UDEVRULESDIR ?= /etc/udev/rules.d
MAN_PAGES   := $(sort $(wildcard docs/man/*.1))

install: user/hvlab
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR)
	install -m 0755 user/hvlab $(DESTDIR)$(BINDIR)/hvlab
	install -m 0644 $(MAN_PAGES) $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 completion/hvlab.bash $(DESTDIR)$(BASHCOMPDIR)/hvlab

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/hvlab $(DESTDIR)$(BASHCOMPDIR)/hvlab
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MAN_PAGES)))

# insmod, and on a refusal say why (Secure Boot: docs/secure-boot.md).
load: kmod
	tests/tools/load.sh kmod/hvlab.ko

# The group is created on the machine itself, never inside a DESTDIR.
install-udev:
	install -D -m 0644 udev/60-hvlab.rules $(DESTDIR)$(UDEVRULESDIR)/60-hvlab.rules
	@if [ -z "$(DESTDIR)" ]; then \
		getent group hvlab >/dev/null || groupadd --system hvlab; \
		if command -v udevadm >/dev/null && [ -d /run/udev ]; then \
			udevadm control --reload && udevadm trigger --subsystem-match=misc --sysname-match=hvlab; \
		fi; \
		echo "add users with: usermod -aG hvlab USER (they log in again)"; \
	fi

uninstall-udev:
	rm -f $(DESTDIR)$(UDEVRULESDIR)/60-hvlab.rules

# DKMS: the module's sources go to $(DKMS_SRC), DKMS builds and installs
# them for KVER and rebuilds them whenever a new kernel's headers arrive.
DKMS        ?= dkms
DKMS_VER    := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
DKMS_SRC    ?= /usr/src/hvlab-$(DKMS_VER)
DKMS_KVER    = $(or $(KVER),$(shell uname -r))

dkms-install:
	@test -n "$(DKMS_VER)" || { echo "dkms.conf has no PACKAGE_VERSION"; exit 1; }
	@test -d /lib/modules/$(DKMS_KVER)/build || { echo "no headers for $(DKMS_KVER) (/lib/modules/$(DKMS_KVER)/build): apt-get install linux-headers-$(DKMS_KVER), or pass KVER=..."; exit 1; }
	-$(DKMS) remove -m hvlab -v $(DKMS_VER) --all >/dev/null 2>&1
	rm -rf $(DKMS_SRC)
	install -d $(DKMS_SRC)/kmod $(DKMS_SRC)/include/uapi
	install -m 0644 dkms.conf Kbuild $(DKMS_SRC)/
	install -m 0644 $(wildcard kmod/*.[chS]) $(DKMS_SRC)/kmod/
	install -m 0644 include/uapi/hvlab.h $(DKMS_SRC)/include/uapi/
	rm -f $(DKMS_SRC)/kmod/hvlab.mod.c
	$(DKMS) add -m hvlab -v $(DKMS_VER)
	$(DKMS) install -m hvlab -v $(DKMS_VER) -k $(DKMS_KVER)

dkms-remove:
	-$(DKMS) remove -m hvlab -v $(DKMS_VER) --all
	rm -rf $(DKMS_SRC)

clean:
	-[ -n "$(KDIR)" ] && $(MAKE) -C $(KDIR) M=$(TOP) clean
	rm -rf $(BUILD) user/hvlab

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
