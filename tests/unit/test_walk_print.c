// SPDX-License-Identifier: GPL-2.0
/*
 * test_walk_print.c - the walk printer (user/walk_print.c) on walks made by
 * the pure walkers, compared byte for byte with the text docs/memory.md
 * shows.  The seed's example: VA 0x1000 -> GPA 0x2000 (guest tables at
 * 0x5000..0x8000) -> host frame 0x102000 (EPT, or shadow tables).
 */
#include "kselftest_harness.h"
#include "test_walk_mem.h"
#include "walk_print.h"

static struct fakemem G, H;
static struct hvlab_pmem gops, hops;
static struct hvlab_translation t;
static char out[4096];

/* The guest walk of VA 0x1000, then the EPT walk of its GPA. */
static void ept_example(__u64 gva)
{
	struct hvlab_gwalk_ctx ctx;
	struct hvlab_ept_ctx ectx;
	struct hvlab_gwalk gw;
	struct hvlab_ept_walk ew;
	__u64 pml4;

	fm_init(&G, &gops, 0, 0x10000);
	fm_init(&H, &hops, 0x100000, 0x40000);
	build_example_4level(&G);
	ctx_4level(&ctx, &gops);
	if (fm_alloc(&H, &pml4))
		abort();
	hvlab_ept_map(&hops, pml4, 0x2000,
		      hvlab_ept_leaf(0x102000, 1, HVLAB_EPT_RWX), 1);
	memset(&ectx, 0, sizeof(ectx));
	ectx.eptp = hvlab_ept_make_eptp(pml4, 0);
	ectx.maxphyaddr = 39;
	ectx.mem = &hops;

	memset(&t, 0, sizeof(t));
	hvlab_gwalk(&ctx, gva, 0, &gw);
	hvlab_gwalk_to_translation(&gw, &t);
	if (gw.status != HVLAB_GW_OK)
		return;
	hvlab_ept_walk(&ectx, gw.gpa, HVLAB_EPT_ACC_READ, &ew);
	hvlab_ept_walk_to_translation(&ew, &t);
}

static const char ept_text[] =
	"GVA 0x1000, 4-level paging\n"
	"  PML4[0]     @ gpa 0x5000 = 0x6007  P W U\n"
	"  PDPT[0]     @ gpa 0x6000 = 0x7007  P W U\n"
	"  PD[0]       @ gpa 0x7000 = 0x8007  P W U\n"
	"  PT[1]       @ gpa 0x8000 = 0x2007  P W U\n"
	"  \xe2\x86\x92 GPA 0x2000\n"
	"  EPT PML4[0] @ hpa 0x120000 = 0x121007  R W X\n"
	"  EPT PDPT[0] @ hpa 0x121000 = 0x122007  R W X\n"
	"  EPT PD[0]   @ hpa 0x122000 = 0x123007  R W X\n"
	"  EPT PT[2]   @ hpa 0x123000 = 0x102037  R W X WB\n"
	"  \xe2\x86\x92 HPA 0x102000\n";

TEST(seed_example_with_ept)
{
	size_t n;

	ept_example(0x1000);
	n = walk_format(&t, out, sizeof(out), 0);
	EXPECT_STREQ(ept_text, out);
	EXPECT_EQ(strlen(ept_text), n);
}

TEST(seed_example_ascii)
{
	ept_example(0x1000);
	walk_format(&t, out, sizeof(out), WALK_FMT_ASCII);
	EXPECT_NE(NULL, strstr(out, "  -> GPA 0x2000\n"));
	EXPECT_NE(NULL, strstr(out, "  -> HPA 0x102000\n"));
	EXPECT_EQ(NULL, strstr(out, "\xe2\x86\x92"));
}

TEST(seed_example_with_shadow_paging)
{
	static const char text[] =
		"GVA 0x1000, 4-level paging, shadow paging\n"
		"  PML4[0]     @ gpa 0x5000 = 0x6007  P W U\n"
		"  PDPT[0]     @ gpa 0x6000 = 0x7007  P W U\n"
		"  PD[0]       @ gpa 0x7000 = 0x8007  P W U\n"
		"  PT[1]       @ gpa 0x8000 = 0x2007  P W U\n"
		"  -> GPA 0x2000\n"
		"  SPT PML4[0] @ hpa 0x120000 = 0x121027  P W U A\n"
		"  SPT PDPT[0] @ hpa 0x121000 = 0x122027  P W U A\n"
		"  SPT PD[0]   @ hpa 0x122000 = 0x123027  P W U A\n"
		"  SPT PT[1]   @ hpa 0x123000 = 0x102065  P U A D\n"
		"  -> HPA 0x102000\n";
	struct hvlab_gwalk_ctx ctx;
	struct hvlab_gwalk gw, sw;
	__u64 root;

	fm_init(&G, &gops, 0, 0x10000);
	fm_init(&H, &hops, 0x100000, 0x40000);
	build_example_4level(&G);
	ctx_4level(&ctx, &gops);
	ASSERT_EQ(0, fm_alloc(&H, &root));
	ASSERT_EQ(HVLAB_GW_OK, hvlab_gwalk(&ctx, 0x1000, 0, &gw));
	hvlab_shadow_map(&hops, root, 4, 0x1000,
			 hvlab_shadow_pte(&gw, 0x102000, 0, HVLAB_SPTE_NX));
	ASSERT_EQ(HVLAB_GW_OK, hvlab_shadow_walk(&hops, root, 4, 0x1000, &sw));
	memset(&t, 0, sizeof(t));
	hvlab_gwalk_to_translation(&gw, &t);
	hvlab_shadow_walk_to_translation(&sw, &t);
	walk_format(&t, out, sizeof(out), WALK_FMT_ASCII);
	EXPECT_STREQ(text, out);
}

TEST(guest_fault_not_present)
{
	static const char text[] =
		"GVA 0x3000, 4-level paging\n"
		"  PML4[0]     @ gpa 0x5000 = 0x6007  P W U\n"
		"  PDPT[0]     @ gpa 0x6000 = 0x7007  P W U\n"
		"  PD[0]       @ gpa 0x7000 = 0x8007  P W U\n"
		"  PT[3]       @ gpa 0x8000 = 0x0  not present\n"
		"  #PF at PT (level 1): entry not present\n";

	ept_example(0x3000);
	walk_format(&t, out, sizeof(out), WALK_FMT_ASCII);
	EXPECT_STREQ(text, out);
}

TEST(ept_violation)
{
	ept_example(0x1000);
	/* pretend the EPT PT entry were missing */
	t.second_steps = 4;
	t.second[3].entry = 0;
	t.fault = HVLAB_WALK_EPT_FAULT;
	t.fault_level = 1;
	t.hpa = 0;
	walk_format(&t, out, sizeof(out), WALK_FMT_ASCII);
	EXPECT_NE(NULL, strstr(out, "  EPT PT[2]   @ hpa 0x123000 = 0x0  not present\n"
				    "  EPT violation at PT (level 1)\n"));
	EXPECT_EQ(NULL, strstr(out, "HPA"));
}

TEST(paging_off_and_large_pages)
{
	memset(&t, 0, sizeof(t));
	t.gva = t.gpa = t.hpa = 0x1000;
	walk_format(&t, out, sizeof(out), WALK_FMT_ASCII);
	EXPECT_STREQ("GVA 0x1000, paging off (GPA = GVA)\n"
		     "  -> GPA 0x1000\n  -> HPA 0x1000\n", out);
	/* a 32-bit 4 MiB page: 10-bit index, PS shown, no XD in 32-bit */
	memset(&t, 0, sizeof(t));
	t.gva = 0x401234;
	t.gpa = 0x801234;
	t.hpa = 0x801234;
	t.paging_mode = 2;
	t.guest_steps = 1;
	t.guest[0].level = 2;
	t.guest[0].table = 0x5000;
	t.guest[0].entry = 0x008000e7ull | (1ull << 63);
	walk_format(&t, out, sizeof(out), WALK_FMT_ASCII);
	EXPECT_NE(NULL, strstr(out, "GVA 0x401234, 32-bit paging\n"
			       "  PD[1]       @ gpa 0x5000 = 0x80000000008000e7  P W U A D PS\n"));
	/* PAE PDPTE: index from bits 31:30, no W/U shown */
	t.paging_mode = 3;
	t.gva = 0xc0001000;
	t.guest[0].level = 3;
	t.guest[0].entry = 0x6001;
	walk_format(&t, out, sizeof(out), WALK_FMT_ASCII);
	EXPECT_NE(NULL, strstr(out, "  PDPT[3]     @ gpa 0x5000 = 0x6001  P\n"));
}

TEST(no_slot)
{
	ept_example(0x1000);
	t.fault = HVLAB_WALK_NO_SLOT;
	t.second_steps = 0;
	walk_format(&t, out, sizeof(out), WALK_FMT_ASCII);
	EXPECT_NE(NULL, strstr(out, "  -> GPA 0x2000\n"
				    "  GPA 0x2000 is in no memory slot (MMIO)\n"));
}

TEST(bad_input_never_crashes)
{
	size_t n;

	memset(&t, 0xff, sizeof(t));
	n = walk_format(&t, out, sizeof(out), 0);
	EXPECT_GT(n, 0);
	EXPECT_LT(strlen(out), sizeof(out));
	/* a tiny buffer: truncated, terminated, full length returned */
	ept_example(0x1000);
	memset(out, 'x', sizeof(out));
	n = walk_format(&t, out, 10, 0);
	EXPECT_EQ(strlen(ept_text), n);
	EXPECT_EQ(9, strlen(out));
	EXPECT_EQ('x', out[10]);
	EXPECT_EQ(strlen(ept_text), walk_format(&t, NULL, 0, 0));
}

TEST(fprint_indents_each_line)
{
	FILE *f = tmpfile();
	char line[256];
	int lines = 0;

	ASSERT_NE(NULL, f);
	ept_example(0x1000);
	ASSERT_EQ(0, walk_fprint(f, "[vcpu0] ", &t, WALK_FMT_ASCII));
	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		EXPECT_EQ(0, strncmp(line, "[vcpu0] ", 8));
		lines++;
	}
	EXPECT_EQ(11, lines);
	fclose(f);
}

TEST_HARNESS_MAIN
