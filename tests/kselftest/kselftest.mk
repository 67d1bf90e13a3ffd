# tests/kselftest/kselftest.mk - the in-VM kernel tests (included by Makefile).
#
# Every tests/kselftest/test_*.c is one program built with the kernel's
# kselftest_harness.h into build/vm/bin/.  tests/vm/run-suite.sh copies that
# folder into the VM's initramfs and runs every binary in it, so adding a
# test program means adding one file here and nothing else.
#
#   make vm-tests      build every program into build/vm/bin/
#
# The programs are ordinary dynamic executables (the harness copies the
# shared libraries they need into the initramfs), built with the same
# warnings as the rest of the tool (minus sign-compare: the harness's
# EXPECT_* macros compare values of mixed types by design).

VMT_SRCS := $(sort $(wildcard tests/kselftest/test_*.c))
VMT_BINS := $(patsubst tests/kselftest/%.c,$(BUILD)/vm/bin/%,$(VMT_SRCS))
VMT_HDRS := $(wildcard tests/kselftest/*.h tests/guests/*.h)

.PHONY: vm-tests
vm-tests: $(VMT_BINS)

# rm first: a program that no longer compiles must not run in its old form
$(BUILD)/vm/bin/%: tests/kselftest/%.c $(VMT_HDRS) include/uapi/hvlab.h $(KSFT_HDR)
	@mkdir -p $(@D)
	@rm -f $@
	$(CC) $(CFLAGS) $(HV_CFLAGS) -Wno-unused-parameter -Wno-sign-compare -I$(KSFT_DIR) \
		-Itests/kselftest -o $@ $<
