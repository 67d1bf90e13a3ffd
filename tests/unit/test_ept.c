// SPDX-License-Identifier: GPL-2.0
/*
 * test_ept.c - the EPT walker and builders (kmod/pure_ept.c).
 *
 * Host memory is a byte array at HPA 0x100000; the EPT tables are built
 * with hvlab_ept_map() (tables from a bump allocator at 0x120000) and then
 * walked, so the builders are checked by the walker that mirrors the CPU.
 * The seed's GPA 0x2000 is backed by host frame 0x102000.
 */
#include "kselftest_harness.h"
#include "test_walk_mem.h"

#define HBASE	0x100000ull
#define HSIZE	0x40000ull

static struct fakemem H;
static struct hvlab_pmem hops;
static struct hvlab_ept_ctx ctx;
static struct hvlab_ept_walk w;
static __u64 pml4;

static void setup(void)
{
	fm_init(&H, &hops, HBASE, HSIZE);
	if (fm_alloc(&H, &pml4))
		abort();
	memset(&ctx, 0, sizeof(ctx));
	ctx.eptp = hvlab_ept_make_eptp(pml4, 0);
	ctx.maxphyaddr = 39;
	ctx.mem = &hops;
	hvlab_ept_map(&hops, pml4, 0x2000,
		      hvlab_ept_leaf(0x102000, 1, HVLAB_EPT_RWX), 1);
}

/* Address of the EPT entry for gpa at level (walks what setup built). */
static uint64_t entry_addr(uint64_t gpa, unsigned int level)
{
	uint64_t table = pml4;
	unsigned int l;

	for (l = 4; l > level; l--)
		table = get64(&H, table + hvlab_ept_index(gpa, l) * 8) &
			~0xfffull;
	return table + hvlab_ept_index(gpa, level) * 8;
}

TEST(builders)
{
	EXPECT_EQ(0x10005eull, hvlab_ept_make_eptp(0x100000, 1));
	EXPECT_EQ(0x10001eull, hvlab_ept_make_eptp(0x100fff, 0));
	EXPECT_EQ(0x121007ull, hvlab_ept_table_entry(0x121000));
	/* WB = 6 in bits 5:3 */
	EXPECT_EQ(0x102037ull, hvlab_ept_leaf(0x102000, 1, HVLAB_EPT_RWX));
	EXPECT_EQ(0x2000b1ull, hvlab_ept_leaf(0x200000, 2, HVLAB_EPT_R));
	EXPECT_EQ(0x400000b5ull, hvlab_ept_leaf(0x40000000, 3,
						HVLAB_EPT_R | HVLAB_EPT_X));
	/* never W without R */
	EXPECT_EQ(0x102033ull, hvlab_ept_leaf(0x102000, 1, HVLAB_EPT_W));
	EXPECT_EQ(0, hvlab_ept_leaf(0x102000, 4, HVLAB_EPT_RWX));
	EXPECT_EQ(1, hvlab_ept_index(0x1000, 1));
	EXPECT_EQ(1, hvlab_ept_index(0x8000000000ull, 4));
	EXPECT_EQ(0, hvlab_ept_misconfigured(hvlab_ept_leaf(0x200000, 2, 7),
					     2, 39, 0));
	EXPECT_EQ(0, hvlab_ept_misconfigured(hvlab_ept_table_entry(0x1000),
					     4, 39, 0));
}

TEST(gpa_0x2000_to_host_frame)
{
	setup();
	ASSERT_EQ(HVLAB_EPT_OK, hvlab_ept_walk(&ctx, 0x2abc,
					       HVLAB_EPT_ACC_READ, &w));
	EXPECT_EQ(0x102abc, w.hpa);
	EXPECT_EQ(4, w.nsteps);
	EXPECT_EQ(4, w.steps[0].level);
	EXPECT_EQ(pml4, w.steps[0].table);
	EXPECT_EQ(2, w.steps[3].entry_addr % 4096 / 8);
	EXPECT_EQ(HVLAB_MT_WB, w.memtype);
	EXPECT_EQ(HVLAB_EPT_RWX, w.perm);
	EXPECT_EQ(12, w.page_shift);
	/* the table pages came from the allocator, nothing else was used */
	EXPECT_EQ(HBASE + HSIZE / 2 + 4 * 4096, H.next_table);
}

TEST(large_leaves)
{
	setup();
	ASSERT_EQ(0, hvlab_ept_map(&hops, pml4, 0x200000,
				   hvlab_ept_leaf(0x600000, 2, 7), 2));
	ASSERT_EQ(HVLAB_EPT_OK, hvlab_ept_walk(&ctx, 0x212345, 1, &w));
	EXPECT_EQ(0x612345, w.hpa);
	EXPECT_EQ(21, w.page_shift);
	EXPECT_EQ(3, w.nsteps);
	ASSERT_EQ(0, hvlab_ept_map(&hops, pml4, 0x40000000,
				   hvlab_ept_leaf(0x80000000, 3, 7), 3));
	ASSERT_EQ(HVLAB_EPT_OK, hvlab_ept_walk(&ctx, 0x40abcdef, 1, &w));
	EXPECT_EQ(0x80abcdef, w.hpa);
	EXPECT_EQ(30, w.page_shift);
	EXPECT_EQ(2, w.nsteps);
	/* a 4 KiB map under an existing 2 MiB leaf is refused */
	EXPECT_EQ(-2, hvlab_ept_map(&hops, pml4, 0x201000,
				    hvlab_ept_leaf(0x1000, 1, 7), 1));
	/* a CPU without 1 GiB EPT pages calls that a misconfiguration */
	ctx.flags = HVLAB_EPTF_NO_1G;
	EXPECT_EQ(HVLAB_EPT_MISCONFIG, hvlab_ept_walk(&ctx, 0x40abcdef, 1, &w));
	EXPECT_EQ(3, w.fault_level);
}

TEST(violation_qualification)
{
	setup();
	/* read-only leaf, write access from the guest's final access */
	put64(&H, entry_addr(0x2000, 1), hvlab_ept_leaf(0x102000, 1,
							HVLAB_EPT_R));
	ASSERT_EQ(HVLAB_EPT_VIOLATION, hvlab_ept_walk(&ctx, 0x2000,
		  HVLAB_EPT_ACC_WRITE | HVLAB_EPT_ACC_GLA_VALID |
		  HVLAB_EPT_ACC_GLA_FINAL, &w));
	EXPECT_EQ(HVLAB_EPTQ_WRITE | HVLAB_EPTQ_READABLE |
		  HVLAB_EPTQ_GLA_VALID | HVLAB_EPTQ_GLA_FINAL, w.qual);
	EXPECT_EQ(1, w.fault_level);
	EXPECT_EQ(HVLAB_EPT_OK, hvlab_ept_walk(&ctx, 0x2000,
					       HVLAB_EPT_ACC_READ, &w));
	/* fetch from a RW page during a guest page walk (GLA, not final) */
	put64(&H, entry_addr(0x2000, 1), hvlab_ept_leaf(0x102000, 1, 3));
	ASSERT_EQ(HVLAB_EPT_VIOLATION, hvlab_ept_walk(&ctx, 0x2000,
		  HVLAB_EPT_ACC_FETCH | HVLAB_EPT_ACC_GLA_VALID, &w));
	EXPECT_EQ(HVLAB_EPTQ_FETCH | HVLAB_EPTQ_READABLE |
		  HVLAB_EPTQ_WRITABLE | HVLAB_EPTQ_GLA_VALID, w.qual);
	/* a right withheld high up: AND over levels, blame that level */
	put64(&H, entry_addr(0x2000, 3), get64(&H, entry_addr(0x2000, 3)) &
	      ~HVLAB_EPT_W);
	ASSERT_EQ(HVLAB_EPT_VIOLATION, hvlab_ept_walk(&ctx, 0x2000,
		  HVLAB_EPT_ACC_WRITE, &w));
	EXPECT_EQ(3, w.fault_level);
	EXPECT_EQ(HVLAB_EPTQ_WRITE | HVLAB_EPTQ_READABLE, w.qual);
}

TEST(not_present_at_each_level)
{
	unsigned int level;

	for (level = 4; level >= 1; level--) {
		setup();
		put64(&H, entry_addr(0x2000, level), 0);
		ASSERT_EQ(HVLAB_EPT_VIOLATION,
			  hvlab_ept_walk(&ctx, 0x2000, HVLAB_EPT_ACC_READ, &w));
		EXPECT_EQ(level, w.fault_level);
		/* bits 5:3 are 0: the not-present entry is in the AND */
		EXPECT_EQ(HVLAB_EPTQ_READ, w.qual);
		EXPECT_EQ(5 - level, w.nsteps);
	}
	/* a GPA nobody mapped */
	setup();
	ASSERT_EQ(HVLAB_EPT_VIOLATION, hvlab_ept_walk(&ctx, 0x7000000,
		  HVLAB_EPT_ACC_WRITE, &w));
	EXPECT_EQ(2, w.fault_level);
	EXPECT_EQ(HVLAB_EPTQ_WRITE, w.qual);
}

TEST(misconfigurations)
{
	uint64_t pte;

	setup();
	pte = entry_addr(0x2000, 1);
	/* W without R */
	put64(&H, pte, 0x102000 | (6 << 3) | HVLAB_EPT_W);
	ASSERT_EQ(HVLAB_EPT_MISCONFIG, hvlab_ept_walk(&ctx, 0x2000, 1, &w));
	EXPECT_EQ(1, w.fault_level);
	/* memory types 2, 3 and 7 are reserved */
	put64(&H, pte, 0x102000 | (2 << 3) | 7);
	EXPECT_EQ(HVLAB_EPT_MISCONFIG, hvlab_ept_walk(&ctx, 0x2000, 1, &w));
	put64(&H, pte, 0x102000 | (7 << 3) | 7);
	EXPECT_EQ(HVLAB_EPT_MISCONFIG, hvlab_ept_walk(&ctx, 0x2000, 1, &w));
	put64(&H, pte, 0x102000 | (HVLAB_MT_UC << 3) | 7);
	EXPECT_EQ(HVLAB_EPT_OK, hvlab_ept_walk(&ctx, 0x2000, 1, &w));
	EXPECT_EQ(HVLAB_MT_UC, w.memtype);
	/* an address bit above MAXPHYADDR */
	put64(&H, pte, (1ull << 40) | 0x102000 | (6 << 3) | 7);
	EXPECT_EQ(HVLAB_EPT_MISCONFIG, hvlab_ept_walk(&ctx, 0x2000, 1, &w));
	/* execute-only: fine if supported, misconfigured if not */
	put64(&H, pte, 0x102000 | (6 << 3) | HVLAB_EPT_X);
	EXPECT_EQ(HVLAB_EPT_OK, hvlab_ept_walk(&ctx, 0x2000,
					       HVLAB_EPT_ACC_FETCH, &w));
	EXPECT_EQ(HVLAB_EPT_VIOLATION, hvlab_ept_walk(&ctx, 0x2000,
						      HVLAB_EPT_ACC_READ, &w));
	ctx.flags = HVLAB_EPTF_NO_EXEC_ONLY;
	EXPECT_EQ(HVLAB_EPT_MISCONFIG, hvlab_ept_walk(&ctx, 0x2000,
						      HVLAB_EPT_ACC_FETCH, &w));
	ctx.flags = 0;
	/* bits 7:3 of a PML4E are reserved (memory type only in leaves) */
	setup();
	put64(&H, pml4, get64(&H, pml4) | (6 << 3));
	EXPECT_EQ(HVLAB_EPT_MISCONFIG, hvlab_ept_walk(&ctx, 0x2000, 1, &w));
	EXPECT_EQ(4, w.fault_level);
	/* a 2 MiB leaf with bit 12 set */
	setup();
	put64(&H, entry_addr(0x2000, 2), 0x200000 | (1 << 12) | 0xb7);
	EXPECT_EQ(HVLAB_EPT_MISCONFIG, hvlab_ept_walk(&ctx, 0x2000, 1, &w));
	EXPECT_EQ(2, w.fault_level);
	/* a not-present entry is never misconfigured, whatever else is set */
	EXPECT_EQ(0, hvlab_ept_misconfigured(0xfff0000000000ff8ull, 1, 39, 0));
}

TEST(bad_eptp)
{
	setup();
	EXPECT_EQ(1, hvlab_eptp_valid(ctx.eptp, 39));
	ctx.eptp = (ctx.eptp & ~7ull) | HVLAB_MT_WC;
	EXPECT_EQ(HVLAB_EPT_BAD_EPTP, hvlab_ept_walk(&ctx, 0x2000, 1, &w));
	ctx.eptp = pml4 | 6 | (1 << 3);		/* 2-level walk */
	EXPECT_EQ(HVLAB_EPT_BAD_EPTP, hvlab_ept_walk(&ctx, 0x2000, 1, &w));
	ctx.eptp = (1ull << 45) | pml4 | 0x1e;	/* above MAXPHYADDR */
	EXPECT_EQ(HVLAB_EPT_BAD_EPTP, hvlab_ept_walk(&ctx, 0x2000, 1, &w));
	EXPECT_EQ(1, hvlab_eptp_valid(pml4 | 0x26, 39));	/* 5-level */
}

TEST(accessed_dirty)
{
	setup();
	/* without EPTP bit 6, nothing is written */
	hvlab_ept_walk(&ctx, 0x2000, HVLAB_EPT_ACC_WRITE, &w);
	EXPECT_EQ(0, H.cmpxchgs);
	ctx.eptp = hvlab_ept_make_eptp(pml4, 1);
	ASSERT_EQ(HVLAB_EPT_OK, hvlab_ept_walk(&ctx, 0x2000,
					       HVLAB_EPT_ACC_READ, &w));
	EXPECT_EQ(HVLAB_EPT_A, get64(&H, pml4) & (HVLAB_EPT_A | HVLAB_EPT_D));
	EXPECT_EQ(HVLAB_EPT_A, get64(&H, entry_addr(0x2000, 1)) &
		  (HVLAB_EPT_A | HVLAB_EPT_D));
	ASSERT_EQ(HVLAB_EPT_OK, hvlab_ept_walk(&ctx, 0x2000,
					       HVLAB_EPT_ACC_WRITE, &w));
	EXPECT_EQ(HVLAB_EPT_A | HVLAB_EPT_D, get64(&H, entry_addr(0x2000, 1)) &
		  (HVLAB_EPT_A | HVLAB_EPT_D));
	EXPECT_EQ(0, get64(&H, entry_addr(0x2000, 2)) & HVLAB_EPT_D);
	/* a violation sets nothing */
	put64(&H, entry_addr(0x2000, 1), hvlab_ept_leaf(0x102000, 1, 1));
	hvlab_ept_walk(&ctx, 0x2000, HVLAB_EPT_ACC_WRITE, &w);
	EXPECT_EQ(0, get64(&H, entry_addr(0x2000, 1)) & HVLAB_EPT_A);
}

TEST(malicious_tables)
{
	setup();
	/* a PDE pointing outside host memory: a clean error */
	put64(&H, entry_addr(0x2000, 2), 0x7000000007ull);
	ASSERT_EQ(HVLAB_EPT_MEM_ERROR, hvlab_ept_walk(&ctx, 0x2000, 1, &w));
	EXPECT_EQ(1, w.fault_level);
	/* a table pointing at itself terminates after 4 reads */
	setup();
	put64(&H, pml4, pml4 | 7);
	H.reads = 0;
	hvlab_ept_walk(&ctx, 0x0, 1, &w);
	EXPECT_EQ(4, H.reads);
	/* a GPA beyond MAXPHYADDR */
	setup();
	EXPECT_EQ(HVLAB_EPT_MEM_ERROR, hvlab_ept_walk(&ctx, 1ull << 45, 1, &w));
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

TEST(random_tables_always_terminate_cleanly)
{
	uint64_t seed = 0x9e3779b97f4a7c15ull, e;
	unsigned int i, j;

	for (i = 0; i < 5000; i++) {
		setup();
		/* random entries, mostly pointing inside host memory */
		for (j = 0; j < HSIZE; j += 8) {
			e = rnd(&seed);
			e = (HBASE + (e & (HSIZE - 1) & ~0xfffull)) |
			    (e & 0xfff) | (e & (1ull << 40));
			put64(&H, HBASE + j, e);
		}
		ctx.eptp = hvlab_ept_make_eptp(HBASE + (rnd(&seed) &
						(HSIZE - 1) & ~0xfffull),
					       rnd(&seed) & 1);
		ctx.flags = rnd(&seed) & 7;
		H.reads = 0;
		hvlab_ept_walk(&ctx, rnd(&seed) & 0x7fffffffffull,
			       rnd(&seed) & 0x187, &w);
		ASSERT_LE(H.reads, 16);
		ASSERT_LE(w.nsteps, 4);
		ASSERT_LE(w.status, HVLAB_EPT_BAD_EPTP);
		if (w.status == HVLAB_EPT_VIOLATION)
			ASSERT_EQ(0, w.qual & ~0x1bfull);
		if (w.status == HVLAB_EPT_OK)
			ASSERT_EQ(0, hvlab_ept_misconfigured(
				w.steps[w.nsteps - 1].entry,
				w.steps[w.nsteps - 1].level, 39, ctx.flags));
	}
}

TEST(two_stages_va_0x1000)
{
	static struct fakemem G;
	struct hvlab_pmem gops;
	struct hvlab_gwalk_ctx gctx;
	struct hvlab_gwalk gw;
	struct hvlab_translation t;

	setup();
	fm_init(&G, &gops, 0, 0x10000);
	build_example_4level(&G);
	ctx_4level(&gctx, &gops);
	ASSERT_EQ(HVLAB_GW_OK, hvlab_gwalk(&gctx, 0x1000, 0, &gw));
	ASSERT_EQ(HVLAB_EPT_OK, hvlab_ept_walk(&ctx, gw.gpa,
		  HVLAB_EPT_ACC_READ | HVLAB_EPT_ACC_GLA_VALID |
		  HVLAB_EPT_ACC_GLA_FINAL, &w));
	memset(&t, 0, sizeof(t));
	hvlab_gwalk_to_translation(&gw, &t);
	hvlab_ept_walk_to_translation(&w, &t);
	EXPECT_EQ(0x1000, t.gva);
	EXPECT_EQ(0x2000, t.gpa);
	EXPECT_EQ(0x102000, t.hpa);
	EXPECT_EQ(0, t.shadow);
	EXPECT_EQ(4, t.second_steps);
	EXPECT_EQ(pml4, t.second[0].table);
	EXPECT_EQ(HVLAB_WALK_OK, t.fault);
	/* unmapped GPA: the inspector reports an EPT fault and its level */
	ASSERT_EQ(HVLAB_EPT_VIOLATION, hvlab_ept_walk(&ctx, 0x3000, 1, &w));
	hvlab_ept_walk_to_translation(&w, &t);
	EXPECT_EQ(HVLAB_WALK_EPT_FAULT, t.fault);
	EXPECT_EQ(1, t.fault_level);
}

TEST_HARNESS_MAIN
