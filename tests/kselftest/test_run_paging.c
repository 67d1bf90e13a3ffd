// SPDX-License-Identifier: GPL-2.0
/*
 * test_run_paging.c - `hvlab run` on the guests that use paging: the
 * seed's example of a CR3 write intercepted by the hypervisor (with
 * --trap-cr3, exactly one CR3 exit per MOV to CR3, and none without it
 * under EPT), INVLPG, and the dashboard's demo guest running to its end.
 */
#include "hvlab_test.h"
#include "kselftest_harness.h"
#include "../guests/run_fixture.h"

static int count_lines(const char *s, const char *what)
{
	int n = 0;

	while ((s = strstr(s, what))) {
		n++;
		s += strlen(what);
	}
	return n;
}

/* n=100 MOVs to CR3 under --trap-cr3: 100 counted, 100 logged. */
TEST_F_TIMEOUT(run, cr3_trapped_100, 60)
{
	RUN(RUN_TIMEOUT * 2, NULL, "--trap-cr3", "--stats", "--append", "n=100", G("cr3.elf"));
	EXPECT_EQ(0, R->status);
	EXPECT_TRUE(HAS(R->out, "cr3 writes: 100\n"));
	EXPECT_EQ(100, guest_stat(R, "CR3_WRITES"));
	EXPECT_EQ(100, count_lines(R->err, ": MOV to CR3 0x"));
}

/* The count follows the guest's n, not a constant. */
TEST_F(run, cr3_trapped_7)
{
	RUN(RUN_TIMEOUT, NULL, "--trap-cr3", "--stats", "--append", "n=7", G("cr3.elf"));
	EXPECT_EQ(0, R->status);
	EXPECT_TRUE(HAS(R->out, "cr3 writes: 7\n"));
	EXPECT_EQ(7, guest_stat(R, "CR3_WRITES"));
}

/*
 * A count drawn at random (HVLAB_LAB_SEED replays it): the exits follow
 * the guest's n, whatever n is, in both paging modes.
 */
TEST_F_TIMEOUT(run, cr3_trapped_random, 60)
{
	unsigned int seed = hvlab_seed(), state = seed, n;
	char arg[32];

	n = 2 + hvlab_rand(&state) % 59;
	TH_LOG("seed %u (HVLAB_LAB_SEED): n=%u", seed, n);
	snprintf(arg, sizeof(arg), "n=%u", n);
	RUN(RUN_TIMEOUT * 2, NULL, "--trap-cr3", "--stats", "--append", arg, G("cr3.elf"));
	EXPECT_EQ(0, R->status);
	snprintf(arg, sizeof(arg), "cr3 writes: %u\n", n);
	EXPECT_TRUE(HAS(R->out, arg));
	EXPECT_EQ(n, guest_stat(R, "CR3_WRITES"));
	EXPECT_EQ(n, count_lines(R->err, ": MOV to CR3 0x"));
}

/* Without --trap-cr3, EPT lets CR3 writes through: none counted. */
TEST_F(run, cr3_not_trapped)
{
	const char *paging = getenv("HVLAB_PAGING");

	if (paging && !strcmp(paging, "shadow"))
		SKIP(return, "shadow paging must intercept CR3 anyway");
	RUN(RUN_TIMEOUT, NULL, "--stats", "--append", "n=20", G("cr3.elf"));
	EXPECT_EQ(0, R->status);
	EXPECT_TRUE(HAS(R->out, "cr3 writes: 20\n"));
	EXPECT_EQ(0, guest_stat(R, "CR3_WRITES"));
	EXPECT_FALSE(HAS(R->err, ": MOV to CR3 0x"));
}

/* Remap VA 0x1000 in a live page table + INVLPG: the new frame is seen. */
TEST_F(run, invlpg)
{
	RUN(RUN_TIMEOUT, NULL, G("invlpg.elf"));
	EXPECT_EQ(0, R->status);
	EXPECT_TRUE(HAS(R->out, "invlpg: 4 remaps of 0x1000 seen\n"));
}

/*
 * Edits of the guest's page tables that could leave a kept shadow root
 * stale (ptcache.c lists them): the guest sees every edit.  Under shadow
 * paging the roots are really kept, edits and all: each edit of a tracked
 * table is a table write that clears the changed entries, and a root is
 * built only for a space seen for the first time or evicted (10 spaces,
 * 8 kept), never because its tables were written.
 */
TEST_F(run, ptcache_kept_roots_stay_true)
{
	const char *mode = getenv("HVLAB_PAGING");

	RUN(RUN_TIMEOUT, NULL, "--stats", G("ptcache.elf"));
	EXPECT_EQ(0, R->status);
	EXPECT_TRUE(HAS(R->out, "ptcache: 6 checks passed\n"));
	if (mode && !strcmp(mode, "shadow")) {
		TH_LOG("CR3 writes %lld, roots reused %lld, built %lld, table writes %lld",
		       guest_stat(R, "CR3_WRITES"), guest_stat(R, "ROOTS_REUSED"),
		       guest_stat(R, "ROOTS_BUILT"), guest_stat(R, "TABLE_WRITES"));
		EXPECT_EQ(39, guest_stat(R, "CR3_WRITES"));
		/* 12 edits of tracked tables; 9 builds: spaces 1..9 */
		EXPECT_LE(8, guest_stat(R, "TABLE_WRITES"));
		EXPECT_GE(10, guest_stat(R, "ROOTS_BUILT"));
		EXPECT_LE(29, guest_stat(R, "ROOTS_REUSED"));
	}
}

/*
 * A guest that edits its page tables and switches address spaces without
 * end (under shadow paging: table writes, CR3 exits and fills, most of
 * them handled in the module's exit fast path): SIGINT still stops hvlab
 * within a second, as it stops spin.elf (test_run_basic).
 */
TEST_F(run, ptcache_forever_stopped_by_sigint)
{
	RUN(RUN_TIMEOUT, "6 checks passed", "--append", "forever=1",
	    G("ptcache.elf"));
	ASSERT_TRUE(R->sigint_sent);
	EXPECT_EQ(130, R->status);
	EXPECT_GT(1.0, R->stop_seconds);
}

/* The demo guest ends by itself: 40 rounds, 41 CR3 writes with --trap-cr3. */
TEST_F_TIMEOUT(run, demo, 90)
{
	RUN(60, NULL, "--trap-cr3", "--stats", "--append", "rounds=40", G("demo.elf"));
	EXPECT_EQ(0, R->status);
	EXPECT_TRUE(HAS(R->out, "Hello from an hvlab guest! (demo)\n"));
	EXPECT_TRUE(HAS(R->out, "demo: round 40 of 40, address space A\n"));
	EXPECT_TRUE(HAS(R->out, "demo: finished\n"));
	EXPECT_EQ(41, guest_stat(R, "CR3_WRITES"));
}

TEST_HARNESS_MAIN
