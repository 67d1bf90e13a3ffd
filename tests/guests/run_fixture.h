/* SPDX-License-Identifier: GPL-2.0 */
/*
 * run_fixture.h - the kselftest fixture shared by tests/kselftest/
 * test_run_*.c: each test gets a struct guest_run (run_guest.h), the module
 * is loaded before it starts, and a failed test prints the command, its
 * exit status, stdout and stderr as TAP comments.  Include after
 * kselftest_harness.h.
 *
 *   RUN(timeout_s, sigint_when, args...)  hvlab run ARGS, result in R
 *   G("name.elf")                         path of a guest in HVLAB_GUESTS
 *   HAS(buf, text)                        strstr(buf, text) != NULL
 */
#ifndef RUN_FIXTURE_H
#define RUN_FIXTURE_H

#include "run_guest.h"

FIXTURE(run) {
	struct guest_run *r;
	char path[512];
};

FIXTURE_SETUP(run)
{
	self->r = calloc(1, sizeof(*self->r));
	ASSERT_NE(NULL, self->r);
	self->r->status = -1;
	ASSERT_EQ(0, hvlab_ensure_loaded());
}

FIXTURE_TEARDOWN(run)
{
	if (!_metadata->passed)
		guest_run_dump(self->r);
	free(self->r);
}

#define R		(self->r)
#define G(name)		guest_path(self->path, sizeof(self->path), name)
#define RUN(timeout_s, sigint_when, ...)					\
	do {									\
		ASSERT_EQ(0, guest_run(R, timeout_s, sigint_when, __VA_ARGS__));\
		ASSERT_FALSE(R->timed_out);					\
	} while (0)
#define HAS(buf, text)	(strstr(buf, text) != NULL)

/* Guest seconds a normal guest may take (Bochs: several wall seconds each). */
#define RUN_TIMEOUT	20

#endif
