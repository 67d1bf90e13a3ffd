// SPDX-License-Identifier: GPL-2.0
/*
 * test_walk.c - the guest page-table walker (kmod/pure_walk.c) against
 * tables built by hand in a byte array standing for guest memory.
 *
 * Every mode maps the seed's VA 0x1000 to GPA 0x2000; then large pages,
 * the #PF error codes of SDM Vol. 3 4.7 for each kind of denial, reserved
 * bits, not-present entries at each level, A/D updates, and malicious
 * tables (outside guest memory, self-referencing).
 */
#include "kselftest_harness.h"
#include "test_walk_mem.h"

static struct fakemem G;		/* guest-physical memory, 64 KiB */
static struct hvlab_pmem gops;
static struct hvlab_gwalk_ctx ctx;
static struct hvlab_gwalk w;

static void setup_4level(void)
{
	fm_init(&G, &gops, 0, 0x10000);
	build_example_4level(&G);
	ctx_4level(&ctx, &gops);
}

/* 32-bit paging: PD at 0x5000, PT at 0x6000, 4-byte entries. */
static void setup_32bit(void)
{
	fm_init(&G, &gops, 0, 0x10000);
	put32(&G, 0x5000, 0x6007);		/* PD[0] */
	put32(&G, 0x6000 + 1 * 4, 0x2007);	/* PT[1]: VA 0x1000 */
	memset(&ctx, 0, sizeof(ctx));
	ctx.cr0 = HVLAB_CR0_PG | HVLAB_CR0_WP | 1;
	ctx.cr3 = 0x5000;
	ctx.maxphyaddr = 36;
	ctx.mem = &gops;
}

/* PAE: four PDPTEs at 0x5000, PD at 0x6000, PT at 0x7000. */
static void setup_pae(void)
{
	fm_init(&G, &gops, 0, 0x10000);
	put64(&G, 0x5000, 0x6001);		/* PDPTE[0]: P only */
	put64(&G, 0x6000, 0x7007);		/* PD[0] */
	put64(&G, 0x7000 + 1 * 8, 0x2007);	/* PT[1] */
	memset(&ctx, 0, sizeof(ctx));
	ctx.cr0 = HVLAB_CR0_PG | HVLAB_CR0_WP | 1;
	ctx.cr4 = HVLAB_CR4_PAE;
	ctx.efer = HVLAB_EFER_NXE;
	ctx.cr3 = 0x5000;
	ctx.maxphyaddr = 36;
	ctx.mem = &gops;
}

TEST(paging_off_is_identity)
{
	fm_init(&G, &gops, 0, 0x10000);
	memset(&ctx, 0, sizeof(ctx));
	ctx.cr0 = 1;				/* PE, no PG */
	ctx.mem = &gops;
	ASSERT_EQ(HVLAB_GW_OK, hvlab_gwalk(&ctx, 0x1000, HVLAB_ACC_WRITE, &w));
	EXPECT_EQ(HVLAB_PG_OFF, w.mode);
	EXPECT_EQ(0x1000, w.gpa);
	EXPECT_EQ(0, w.nsteps);
	EXPECT_EQ(0, G.reads);
	EXPECT_EQ(HVLAB_GW_NONCANONICAL,
		  hvlab_gwalk(&ctx, 0x100000000ull, 0, &w));
}

TEST(mode_selection)
{
	EXPECT_EQ(HVLAB_PG_OFF, hvlab_paging_mode(1, HVLAB_CR4_PAE, 0));
	EXPECT_EQ(HVLAB_PG_32, hvlab_paging_mode(HVLAB_CR0_PG, 0, 0));
	EXPECT_EQ(HVLAB_PG_PAE, hvlab_paging_mode(HVLAB_CR0_PG,
						  HVLAB_CR4_PAE, 0));
	EXPECT_EQ(HVLAB_PG_4LEVEL, hvlab_paging_mode(HVLAB_CR0_PG,
		  HVLAB_CR4_PAE, HVLAB_EFER_LMA));
	EXPECT_EQ(HVLAB_PG_5LEVEL, hvlab_paging_mode(HVLAB_CR0_PG,
		  HVLAB_CR4_PAE | HVLAB_CR4_LA57, HVLAB_EFER_LMA));
	EXPECT_EQ(HVLAB_PG_INVALID, hvlab_paging_mode(HVLAB_CR0_PG, 0,
						      HVLAB_EFER_LMA));
	setup_4level();
	ctx.cr4 = 0;
	EXPECT_EQ(HVLAB_GW_BAD_MODE, hvlab_gwalk(&ctx, 0x1000, 0, &w));
}

TEST(bit32_va_0x1000_to_gpa_0x2000)
{
	setup_32bit();
	ASSERT_EQ(HVLAB_GW_OK, hvlab_gwalk(&ctx, 0x1000, HVLAB_ACC_READ, &w));
	EXPECT_EQ(HVLAB_PG_32, w.mode);
	EXPECT_EQ(0x2000, w.gpa);
	ASSERT_EQ(2, w.nsteps);
	EXPECT_EQ(2, w.steps[0].level);
	EXPECT_EQ(0x5000, w.steps[0].table);
	EXPECT_EQ(0x6007, w.steps[0].entry);
	EXPECT_EQ(1, w.steps[1].level);
	EXPECT_EQ(0x6000, w.steps[1].table);
	EXPECT_EQ(0x6004, w.steps[1].entry_addr);
	EXPECT_EQ(12, w.page_shift);
	EXPECT_EQ(0x2abc, (hvlab_gwalk(&ctx, 0x1abc, 0, &w), w.gpa));
}

TEST(bit32_4mib_page_needs_cr4_pse)
{
	setup_32bit();
	/* PD[1] (VA 0x400000..) : a 4 MiB page at 0x800000 */
	put32(&G, 0x5004, 0x00800087);
	ctx.cr4 = HVLAB_CR4_PSE;
	ASSERT_EQ(HVLAB_GW_OK, hvlab_gwalk(&ctx, 0x401234, 0, &w));
	EXPECT_EQ(0x801234, w.gpa);
	EXPECT_EQ(22, w.page_shift);
	EXPECT_EQ(1, w.nsteps);
	/* CR4.PSE=0: PS is ignored, the PDE points at a table at 0x800000 */
	ctx.cr4 = 0;
	EXPECT_EQ(HVLAB_GW_MEM_ERROR, hvlab_gwalk(&ctx, 0x401234, 0, &w));
	EXPECT_EQ(1, w.fault_level);
}

TEST(bit32_pse36)
{
	setup_32bit();
	/* bits 20:13 hold address bits 39:32: bit 13 -> 4 GiB */
	put32(&G, 0x5004, 0x00802087);
	ctx.cr4 = HVLAB_CR4_PSE;
	ctx.flags = HVLAB_GW_PSE36;
	ctx.maxphyaddr = 40;
	ASSERT_EQ(HVLAB_GW_OK, hvlab_gwalk(&ctx, 0x400010, 0, &w));
	EXPECT_EQ(0x100800010ull, w.gpa);
	/* without PSE-36 bits 21:13 are reserved */
	ctx.flags = 0;
	ASSERT_EQ(HVLAB_GW_PAGE_FAULT, hvlab_gwalk(&ctx, 0x400010, 0, &w));
	EXPECT_EQ(HVLAB_PFERR_P | HVLAB_PFERR_RSVD, w.error_code);
	EXPECT_EQ(2, w.fault_level);
	/* with PSE-36 and MAXPHYADDR 36, bit 17 (address bit 36) is too */
	ctx.flags = HVLAB_GW_PSE36;
	ctx.maxphyaddr = 36;
	put32(&G, 0x5004, 0x00820087);
	EXPECT_EQ(HVLAB_GW_PAGE_FAULT, hvlab_gwalk(&ctx, 0x400010, 0, &w));
}

TEST(pae_va_0x1000_to_gpa_0x2000)
{
	setup_pae();
	ASSERT_EQ(HVLAB_GW_OK, hvlab_gwalk(&ctx, 0x1000, 0, &w));
	EXPECT_EQ(HVLAB_PG_PAE, w.mode);
	EXPECT_EQ(0x2000, w.gpa);
	ASSERT_EQ(3, w.nsteps);
	EXPECT_EQ(3, w.steps[0].level);
	EXPECT_EQ(0x5000, w.steps[0].table);
	EXPECT_EQ(0x7000, w.steps[2].table);
	/* PDPTE index is VA bits 31:30 */
	put64(&G, 0x5018, 0x6001);
	ASSERT_EQ(HVLAB_GW_OK, hvlab_gwalk(&ctx, 0xC0001000ull, 0, &w));
	EXPECT_EQ(0x5018, w.steps[0].entry_addr);
	EXPECT_EQ(0x2000, w.gpa);
}

TEST(pae_2mib_page_and_bad_pdpte)
{
	setup_pae();
	put64(&G, 0x6008, 0x400087);		/* PD[1]: 2 MiB at 4 MiB */
	ASSERT_EQ(HVLAB_GW_OK, hvlab_gwalk(&ctx, 0x212345, 0, &w));
	EXPECT_EQ(0x412345, w.gpa);
	EXPECT_EQ(21, w.page_shift);
	/* R/W in a PAE PDPTE is reserved: MOV CR3 would have raised #GP */
	put64(&G, 0x5000, 0x6003);
	EXPECT_EQ(HVLAB_GW_BAD_PDPTE, hvlab_gwalk(&ctx, 0x1000, 0, &w));
	EXPECT_EQ(3, w.fault_level);
	/* not present PDPTE: an ordinary #PF */
	put64(&G, 0x5000, 0x6000);
	ASSERT_EQ(HVLAB_GW_PAGE_FAULT, hvlab_gwalk(&ctx, 0x1000, 0, &w));
	EXPECT_EQ(0, w.error_code);
	EXPECT_EQ(3, w.fault_level);
}

TEST(level4_va_0x1000_to_gpa_0x2000)
{
	setup_4level();
	ASSERT_EQ(HVLAB_GW_OK, hvlab_gwalk(&ctx, 0x1000, HVLAB_ACC_USER |
					   HVLAB_ACC_WRITE, &w));
	EXPECT_EQ(HVLAB_PG_4LEVEL, w.mode);
	EXPECT_EQ(0x2000, w.gpa);
	ASSERT_EQ(4, w.nsteps);
	EXPECT_EQ(4, w.steps[0].level);
	EXPECT_EQ(0x5000, w.steps[0].table);
	EXPECT_EQ(0x6007, w.steps[0].entry);
	EXPECT_EQ(0x8000, w.steps[3].table);
	EXPECT_EQ(0x8008, w.steps[3].entry_addr);
	EXPECT_EQ(HVLAB_PERM_W | HVLAB_PERM_U | HVLAB_PERM_X, w.perm);
	EXPECT_EQ(4, G.reads);
}

TEST(level4_large_pages)
{
	setup_4level();
	put64(&G, 0x7008, 0x40000087);		/* PD[1]: 2 MiB at 1 GiB */
	ASSERT_EQ(HVLAB_GW_OK, hvlab_gwalk(&ctx, 0x2abcde, 0, &w));
	EXPECT_EQ(0x400abcde, w.gpa);
	EXPECT_EQ(21, w.page_shift);
	EXPECT_EQ(3, w.nsteps);
	put64(&G, 0x6008, 0x80000087);		/* PDPT[1]: 1 GiB at 2 GiB */
	ASSERT_EQ(HVLAB_GW_OK, hvlab_gwalk(&ctx, 0x40123456, 0, &w));
	EXPECT_EQ(0x80123456, w.gpa);
	EXPECT_EQ(30, w.page_shift);
	EXPECT_EQ(2, w.nsteps);
	/* a CPU without 1 GiB pages: PS in a PDPTE is a reserved bit */
	ctx.flags = HVLAB_GW_NO_1G;
	ASSERT_EQ(HVLAB_GW_PAGE_FAULT, hvlab_gwalk(&ctx, 0x40123456, 0, &w));
	EXPECT_EQ(HVLAB_PFERR_P | HVLAB_PFERR_RSVD, w.error_code);
	EXPECT_EQ(3, w.fault_level);
}

TEST(level5_va_0x1000_to_gpa_0x2000)
{
	setup_4level();
	put64(&G, 0x4000, 0x5007);		/* PML5[0] -> PML4 */
	ctx.cr3 = 0x4000;
	ctx.cr4 |= HVLAB_CR4_LA57;
	ASSERT_EQ(HVLAB_GW_OK, hvlab_gwalk(&ctx, 0x1000, 0, &w));
	EXPECT_EQ(HVLAB_PG_5LEVEL, w.mode);
	EXPECT_EQ(0x2000, w.gpa);
	ASSERT_EQ(5, w.nsteps);
	EXPECT_EQ(5, w.steps[0].level);
	/* 57-bit canonical: bit 56 extends, 0x0100... is not canonical */
	EXPECT_EQ(HVLAB_GW_NONCANONICAL,
		  hvlab_gwalk(&ctx, 0x0100000000000000ull, 0, &w));
	EXPECT_EQ(HVLAB_GW_PAGE_FAULT,
		  hvlab_gwalk(&ctx, 0x0000800000000000ull, 0, &w));
}

TEST(noncanonical_is_not_a_page_fault)
{
	setup_4level();
	EXPECT_EQ(HVLAB_GW_NONCANONICAL,
		  hvlab_gwalk(&ctx, 0x0000800000000000ull, 0, &w));
	EXPECT_EQ(0, G.reads);
	/* the top half is fine (and not present here) */
	EXPECT_EQ(HVLAB_GW_PAGE_FAULT,
		  hvlab_gwalk(&ctx, 0xffff800000000000ull, 0, &w));
	EXPECT_EQ(4, w.fault_level);
}

TEST(not_present_at_each_level)
{
	static const uint64_t entry[] = { 0x5000, 0x6000, 0x7000, 0x8008 };
	unsigned int i;

	for (i = 0; i < 4; i++) {
		setup_4level();
		put64(&G, entry[i], get64(&G, entry[i]) & ~1ull);
		ASSERT_EQ(HVLAB_GW_PAGE_FAULT,
			  hvlab_gwalk(&ctx, 0x1000, HVLAB_ACC_READ, &w));
		EXPECT_EQ(0, w.error_code);
		EXPECT_EQ(4 - i, w.fault_level);
		EXPECT_EQ(i + 1, w.nsteps);
		/* the error code describes the access, not the entry */
		hvlab_gwalk(&ctx, 0x1000, HVLAB_ACC_WRITE | HVLAB_ACC_USER, &w);
		EXPECT_EQ(HVLAB_PFERR_W | HVLAB_PFERR_U, w.error_code);
		hvlab_gwalk(&ctx, 0x1000, HVLAB_ACC_FETCH, &w);
		EXPECT_EQ(HVLAB_PFERR_I, w.error_code);
	}
}

TEST(user_access_to_supervisor_page)
{
	setup_4level();
	put64(&G, 0x8008, 0x2003);		/* PT[1] without U */
	ASSERT_EQ(HVLAB_GW_PAGE_FAULT,
		  hvlab_gwalk(&ctx, 0x1000, HVLAB_ACC_USER, &w));
	EXPECT_EQ(HVLAB_PFERR_P | HVLAB_PFERR_U, w.error_code);
	EXPECT_EQ(1, w.fault_level);
	hvlab_gwalk(&ctx, 0x1000, HVLAB_ACC_USER | HVLAB_ACC_WRITE, &w);
	EXPECT_EQ(0x7, w.error_code);
	/* the supervisor may */
	EXPECT_EQ(HVLAB_GW_OK, hvlab_gwalk(&ctx, 0x1000, HVLAB_ACC_WRITE, &w));
	/* U missing high up: blame the PML4E */
	setup_4level();
	put64(&G, 0x5000, 0x6003);
	hvlab_gwalk(&ctx, 0x1000, HVLAB_ACC_USER, &w);
	EXPECT_EQ(HVLAB_GW_PAGE_FAULT, w.status);
	EXPECT_EQ(4, w.fault_level);
	EXPECT_EQ(0, w.perm & HVLAB_PERM_U);
}

TEST(write_to_read_only_and_cr0_wp)
{
	setup_4level();
	put64(&G, 0x7000, 0x8005);		/* PD[0] read-only */
	ASSERT_EQ(HVLAB_GW_PAGE_FAULT, hvlab_gwalk(&ctx, 0x1000,
		  HVLAB_ACC_USER | HVLAB_ACC_WRITE, &w));
	EXPECT_EQ(HVLAB_PFERR_P | HVLAB_PFERR_W | HVLAB_PFERR_U,
		  w.error_code);
	EXPECT_EQ(2, w.fault_level);
	ASSERT_EQ(HVLAB_GW_PAGE_FAULT,
		  hvlab_gwalk(&ctx, 0x1000, HVLAB_ACC_WRITE, &w));
	EXPECT_EQ(HVLAB_PFERR_P | HVLAB_PFERR_W, w.error_code);
	EXPECT_EQ(HVLAB_GW_OK, hvlab_gwalk(&ctx, 0x1000, HVLAB_ACC_USER, &w));
	/* CR0.WP=0: the supervisor writes read-only pages, users still not */
	ctx.cr0 &= ~HVLAB_CR0_WP;
	EXPECT_EQ(HVLAB_GW_OK, hvlab_gwalk(&ctx, 0x1000, HVLAB_ACC_WRITE, &w));
	EXPECT_EQ(0, w.perm & HVLAB_PERM_W);
	EXPECT_EQ(0, w.wp);
	EXPECT_EQ(HVLAB_GW_PAGE_FAULT, hvlab_gwalk(&ctx, 0x1000,
		  HVLAB_ACC_USER | HVLAB_ACC_WRITE, &w));
}

TEST(execute_disable)
{
	setup_4level();
	put64(&G, 0x6000, 0x7007 | HVLAB_PTE_XD);	/* PDPT[0] XD */
	EXPECT_EQ(HVLAB_GW_OK, hvlab_gwalk(&ctx, 0x1000, 0, &w));
	EXPECT_EQ(HVLAB_PERM_W | HVLAB_PERM_U, w.perm);
	ASSERT_EQ(HVLAB_GW_PAGE_FAULT,
		  hvlab_gwalk(&ctx, 0x1000, HVLAB_ACC_FETCH, &w));
	EXPECT_EQ(HVLAB_PFERR_P | HVLAB_PFERR_I, w.error_code);
	EXPECT_EQ(3, w.fault_level);
	hvlab_gwalk(&ctx, 0x1000, HVLAB_ACC_FETCH | HVLAB_ACC_USER, &w);
	EXPECT_EQ(HVLAB_PFERR_P | HVLAB_PFERR_U | HVLAB_PFERR_I,
		  w.error_code);
	/* EFER.NXE=0: bit 63 is reserved, every access faults RSVD */
	ctx.efer &= ~HVLAB_EFER_NXE;
	ASSERT_EQ(HVLAB_GW_PAGE_FAULT, hvlab_gwalk(&ctx, 0x1000, 0, &w));
	EXPECT_EQ(HVLAB_PFERR_P | HVLAB_PFERR_RSVD, w.error_code);
	EXPECT_EQ(3, w.fault_level);
	/* and a not-present fetch has no I/D bit without NXE or SMEP */
	setup_4level();
	ctx.efer &= ~HVLAB_EFER_NXE;
	put64(&G, 0x8008, 0);
	hvlab_gwalk(&ctx, 0x1000, HVLAB_ACC_FETCH, &w);
	EXPECT_EQ(0, w.error_code);
}

TEST(smep_and_smap)
{
	setup_4level();
	ctx.cr4 |= HVLAB_CR4_SMEP;
	ASSERT_EQ(HVLAB_GW_PAGE_FAULT,
		  hvlab_gwalk(&ctx, 0x1000, HVLAB_ACC_FETCH, &w));
	EXPECT_EQ(HVLAB_PFERR_P | HVLAB_PFERR_I, w.error_code);
	EXPECT_EQ(HVLAB_GW_OK, hvlab_gwalk(&ctx, 0x1000, HVLAB_ACC_FETCH |
					   HVLAB_ACC_USER, &w));
	ctx.cr4 = HVLAB_CR4_PAE | HVLAB_CR4_SMAP;
	ASSERT_EQ(HVLAB_GW_PAGE_FAULT, hvlab_gwalk(&ctx, 0x1000, 0, &w));
	EXPECT_EQ(HVLAB_PFERR_P, w.error_code);
	EXPECT_EQ(HVLAB_GW_OK, hvlab_gwalk(&ctx, 0x1000, HVLAB_ACC_AC, &w));
	EXPECT_EQ(HVLAB_GW_PAGE_FAULT, hvlab_gwalk(&ctx, 0x1000,
		  HVLAB_ACC_AC | HVLAB_ACC_IMPLICIT, &w));
}

TEST(reserved_bits)
{
	/* a PDE with an address bit above MAXPHYADDR (39) */
	setup_4level();
	put64(&G, 0x7000, 0x8007 | (1ull << 40));
	ASSERT_EQ(HVLAB_GW_PAGE_FAULT, hvlab_gwalk(&ctx, 0x1000, 0, &w));
	EXPECT_EQ(HVLAB_PFERR_P | HVLAB_PFERR_RSVD, w.error_code);
	EXPECT_EQ(2, w.fault_level);
	EXPECT_EQ(3, w.nsteps);
	/* same for a user write: the access bits join RSVD */
	hvlab_gwalk(&ctx, 0x1000, HVLAB_ACC_WRITE | HVLAB_ACC_USER, &w);
	EXPECT_EQ(0xf, w.error_code);
	/* a PDE with reserved bits beats a PML4E that denies user access */
	put64(&G, 0x5000, 0x6003);
	hvlab_gwalk(&ctx, 0x1000, HVLAB_ACC_USER, &w);
	EXPECT_EQ(HVLAB_PFERR_P | HVLAB_PFERR_U | HVLAB_PFERR_RSVD,
		  w.error_code);
	/* PS in a PML4E */
	setup_4level();
	put64(&G, 0x5000, 0x6087);
	hvlab_gwalk(&ctx, 0x1000, 0, &w);
	EXPECT_EQ(HVLAB_PFERR_P | HVLAB_PFERR_RSVD, w.error_code);
	EXPECT_EQ(4, w.fault_level);
	/* 2 MiB PDE with bit 13 set; 1 GiB PDPTE with bit 29 set */
	setup_4level();
	put64(&G, 0x7000, 0x200087 | (1ull << 13));
	hvlab_gwalk(&ctx, 0x1000, 0, &w);
	EXPECT_EQ(HVLAB_PFERR_P | HVLAB_PFERR_RSVD, w.error_code);
	setup_4level();
	put64(&G, 0x6000, 0x40000087 | (1ull << 29));
	hvlab_gwalk(&ctx, 0x1000, 0, &w);
	EXPECT_EQ(HVLAB_PFERR_P | HVLAB_PFERR_RSVD, w.error_code);
	EXPECT_EQ(3, w.fault_level);
	/* bits 62:52 are ignored in 4-level paging, reserved in PAE */
	setup_4level();
	put64(&G, 0x8008, 0x2007 | (1ull << 55));
	EXPECT_EQ(HVLAB_GW_OK, hvlab_gwalk(&ctx, 0x1000, 0, &w));
	setup_pae();
	put64(&G, 0x7008, 0x2007 | (1ull << 55));
	EXPECT_EQ(HVLAB_GW_PAGE_FAULT, hvlab_gwalk(&ctx, 0x1000, 0, &w));
	EXPECT_EQ(HVLAB_PFERR_P | HVLAB_PFERR_RSVD, w.error_code);
	/* a not-present entry's other bits are never reserved */
	setup_4level();
	put64(&G, 0x7000, 0xfff0000000008006ull);
	hvlab_gwalk(&ctx, 0x1000, 0, &w);
	EXPECT_EQ(0, w.error_code);
}

TEST(accessed_and_dirty_bits)
{
	setup_4level();
	ctx.flags = HVLAB_GW_SET_AD;
	ASSERT_EQ(HVLAB_GW_OK, hvlab_gwalk(&ctx, 0x1000, HVLAB_ACC_READ, &w));
	EXPECT_EQ(0x6027, get64(&G, 0x5000));
	EXPECT_EQ(0x7027, get64(&G, 0x6000));
	EXPECT_EQ(0x8027, get64(&G, 0x7000));
	EXPECT_EQ(0x2027, get64(&G, 0x8008));
	EXPECT_EQ(0, w.dirty);
	EXPECT_EQ(0x2007, w.steps[3].entry);	/* value as read */
	ASSERT_EQ(HVLAB_GW_OK, hvlab_gwalk(&ctx, 0x1000, HVLAB_ACC_WRITE, &w));
	EXPECT_EQ(0x2067, get64(&G, 0x8008));
	EXPECT_EQ(0x8027, get64(&G, 0x7000));	/* D only in the leaf */
	EXPECT_EQ(1, w.dirty);
	EXPECT_EQ(0x2067, w.leaf);
	/* nothing left to set: no more writes */
	G.cmpxchgs = 0;
	hvlab_gwalk(&ctx, 0x1000, HVLAB_ACC_WRITE, &w);
	EXPECT_EQ(0, G.cmpxchgs);
	/* a 2 MiB leaf gets D too */
	put64(&G, 0x7008, 0x400087);
	hvlab_gwalk(&ctx, 0x200000, HVLAB_ACC_WRITE, &w);
	EXPECT_EQ(0x4000e7, get64(&G, 0x7008));
}

TEST(faulting_walk_changes_nothing)
{
	setup_4level();
	ctx.flags = HVLAB_GW_SET_AD;
	put64(&G, 0x8008, 0x2005);		/* read-only leaf */
	ASSERT_EQ(HVLAB_GW_PAGE_FAULT,
		  hvlab_gwalk(&ctx, 0x1000, HVLAB_ACC_WRITE, &w));
	EXPECT_EQ(0x6007, get64(&G, 0x5000));
	EXPECT_EQ(0x2005, get64(&G, 0x8008));
	EXPECT_EQ(0, G.cmpxchgs);
	/* and without SET_AD a good walk changes nothing either */
	ctx.flags = 0;
	hvlab_gwalk(&ctx, 0x1000, 0, &w);
	EXPECT_EQ(0x6007, get64(&G, 0x5000));
}

TEST(ad_bits_32bit_and_pae)
{
	setup_32bit();
	ctx.flags = HVLAB_GW_SET_AD;
	put32(&G, 0x6008, 0xdeadbeef);		/* the neighbour of PT[1] */
	ASSERT_EQ(HVLAB_GW_OK, hvlab_gwalk(&ctx, 0x1000, HVLAB_ACC_WRITE, &w));
	EXPECT_EQ(0x2067, get32(&G, 0x6004));
	EXPECT_EQ(0xdeadbeef, get32(&G, 0x6008));
	EXPECT_EQ(0x6027, get32(&G, 0x5000));
	/* PAE PDPTEs have no A bit: it would be reserved */
	setup_pae();
	ctx.flags = HVLAB_GW_SET_AD;
	ASSERT_EQ(HVLAB_GW_OK, hvlab_gwalk(&ctx, 0x1000, 0, &w));
	EXPECT_EQ(0x6001, get64(&G, 0x5000));
	EXPECT_EQ(0x7027, get64(&G, 0x6000));
}

TEST(ad_race_retries_then_gives_up)
{
	setup_4level();
	ctx.flags = HVLAB_GW_SET_AD;
	G.race = 1;
	ASSERT_EQ(HVLAB_GW_OK, hvlab_gwalk(&ctx, 0x1000, 0, &w));
	EXPECT_EQ(0x2027, get64(&G, 0x8008));
	setup_4level();
	ctx.flags = HVLAB_GW_SET_AD;
	G.race = 1000;
	EXPECT_EQ(HVLAB_GW_RETRY, hvlab_gwalk(&ctx, 0x1000, 0, &w));
}

TEST(malicious_table_outside_guest_memory)
{
	setup_4level();
	put64(&G, 0x6000, 0x40000007);	/* PDPTE -> 1 GiB: no RAM */
	ASSERT_EQ(HVLAB_GW_MEM_ERROR, hvlab_gwalk(&ctx, 0x1000, 0, &w));
	EXPECT_EQ(2, w.fault_level);
	EXPECT_EQ(2, w.nsteps);
	/* beyond MAXPHYADDR (39): reserved bits, the guest's own #PF */
	put64(&G, 0x6000, 0x40000000007ull);
	ASSERT_EQ(HVLAB_GW_PAGE_FAULT, hvlab_gwalk(&ctx, 0x1000, 0, &w));
	EXPECT_EQ(HVLAB_PFERR_P | HVLAB_PFERR_RSVD, w.error_code);
	/* CR3 itself outside guest memory */
	ctx.cr3 = 0x7fff000;
	EXPECT_EQ(HVLAB_GW_MEM_ERROR, hvlab_gwalk(&ctx, 0x1000, 0, &w));
	EXPECT_EQ(4, w.fault_level);
	EXPECT_EQ(0, w.nsteps);
}

TEST(malicious_self_referencing_table_terminates)
{
	setup_4level();
	/* PML4[0] points at the PML4 itself: every level reads 0x5000 */
	put64(&G, 0x5000, 0x5007);
	G.reads = 0;
	ASSERT_EQ(HVLAB_GW_OK, hvlab_gwalk(&ctx, 0x0, 0, &w));
	EXPECT_EQ(4, G.reads);
	EXPECT_EQ(0x5000, w.gpa);		/* the table maps itself */
	EXPECT_EQ(4, w.nsteps);
	G.reads = 0;
	ASSERT_EQ(HVLAB_GW_PAGE_FAULT, hvlab_gwalk(&ctx, 0x1000, 0, &w));
	EXPECT_EQ(4, G.reads);
	EXPECT_EQ(1, w.fault_level);
	/* with A/D updates too: a bounded number of tries */
	ctx.flags = HVLAB_GW_SET_AD;
	G.reads = 0;
	hvlab_gwalk(&ctx, 0x0, HVLAB_ACC_WRITE, &w);
	EXPECT_GE(16, G.reads);
}

/* xorshift64: a fixed sequence, so a failure is reproducible */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

TEST(random_tables_always_terminate_cleanly)
{
	static const uint64_t cr4s[] = {
		0, HVLAB_CR4_PSE, HVLAB_CR4_PAE, HVLAB_CR4_PAE,
		HVLAB_CR4_PAE | HVLAB_CR4_LA57,
	};
	uint64_t seed = 0x1000200030004ull, gva;
	unsigned int i, j, m;

	for (i = 0; i < 20000; i++) {
		fm_init(&G, &gops, 0, 0x10000);
		/* entries that are mostly present and point mostly inside */
		for (j = 0; j < 0x10000; j += 8)
			put64(&G, j, (rnd(&seed) & 0x800000000000ffffull &
				      ~0xff8ull) | (rnd(&seed) & 0xfff));
		memset(&ctx, 0, sizeof(ctx));
		m = rnd(&seed) % 5;
		ctx.cr0 = HVLAB_CR0_PG | (rnd(&seed) & HVLAB_CR0_WP);
		ctx.cr4 = cr4s[m] | (rnd(&seed) & (HVLAB_CR4_SMEP |
						   HVLAB_CR4_SMAP));
		ctx.efer = (m >= 3 ? HVLAB_EFER_LMA : 0) |
			   (rnd(&seed) & HVLAB_EFER_NXE);
		ctx.cr3 = rnd(&seed) & 0xf000;
		ctx.maxphyaddr = 36 + rnd(&seed) % 17;
		ctx.flags = rnd(&seed) & 7;
		ctx.mem = &gops;
		gva = rnd(&seed);
		if (m < 3)
			gva &= 0xffffffff;
		else if (rnd(&seed) & 1)
			gva &= 0x7fffffffffffull;
		G.reads = 0;
		hvlab_gwalk(&ctx, gva, rnd(&seed) & 0x316, &w);
		ASSERT_LE(G.reads, 20);
		ASSERT_LE(w.nsteps, HVLAB_WALK_MAX_STEPS);
		ASSERT_GE(w.status, HVLAB_GW_OK);
		ASSERT_LE(w.status, HVLAB_GW_RETRY);
		if (w.status == HVLAB_GW_PAGE_FAULT) {
			ASSERT_EQ(0, w.error_code & ~0x1fu);
			ASSERT_GE(w.fault_level, 1);
		}
		if (w.status == HVLAB_GW_OK)
			ASSERT_GE(w.nsteps, 1);
	}
}

TEST(walk_to_translation)
{
	struct hvlab_translation t;

	memset(&t, 0xff, sizeof(t));
	setup_4level();
	hvlab_gwalk(&ctx, 0x1000, 0, &w);
	hvlab_gwalk_to_translation(&w, &t);
	EXPECT_EQ(0x1000, t.gva);
	EXPECT_EQ(0x2000, t.gpa);
	EXPECT_EQ(HVLAB_WALK_OK, t.fault);
	EXPECT_EQ(4, t.paging_mode);
	ASSERT_EQ(4, t.guest_steps);
	EXPECT_EQ(4, t.guest[0].level);
	EXPECT_EQ(0, t.guest[0].pad);
	EXPECT_EQ(0x5000, t.guest[0].table);
	EXPECT_EQ(0x2007, t.guest[3].entry);
	put64(&G, 0x7000, 0);
	hvlab_gwalk(&ctx, 0x1000, 0, &w);
	hvlab_gwalk_to_translation(&w, &t);
	EXPECT_EQ(HVLAB_WALK_GUEST_FAULT, t.fault);
	EXPECT_EQ(2, t.fault_level);
	EXPECT_EQ(3, t.guest_steps);
	put64(&G, 0x7000, 0x40000007);
	hvlab_gwalk(&ctx, 0x1000, 0, &w);
	hvlab_gwalk_to_translation(&w, &t);
	EXPECT_EQ(HVLAB_WALK_NO_SLOT, t.fault);
}

TEST_HARNESS_MAIN
