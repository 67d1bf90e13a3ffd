// SPDX-License-Identifier: GPL-2.0
/*
 * test_shadow.c - the shadow-paging core (kmod/pure_shadow.c).
 *
 * Guest memory G: GPA 0..64 KiB, with the seed's tables (VA 0x1000 ->
 * GPA 0x2000).  The memory slots: GPA [0, 64K) -> HPA 0x100000 + GPA, so
 * GPA 0x2000 lives in host frame 0x102000; GPA [64K, 128K) is a read-only
 * slot at HPA 0x200000; anything above is not RAM (MMIO).  Host memory H
 * holds the shadow tables.  The CPU's part (walking the shadow tables on an
 * access) is played by hvlab_shadow_walk().
 */
#include "kselftest_harness.h"
#include "test_walk_mem.h"

static struct fakemem G, H;
static struct hvlab_pmem gops, hops;
static struct hvlab_gwalk_ctx ctx;
static struct hvlab_gwalk w;
static struct hvlab_spf f;

static int slot_lookup(void *opaque, __u64 gpa, __u64 *hpa, int *ro)
{
	(void)opaque;
	if (gpa < 0x10000) {
		*hpa = 0x100000 + gpa;
		*ro = 0;
		return 0;
	}
	if (gpa < 0x20000) {
		*hpa = 0x200000 + gpa - 0x10000;
		*ro = 1;
		return 0;
	}
	return -1;
}

static const struct hvlab_slots slots = { .gpa_to_hpa = slot_lookup };

static void setup(void)
{
	fm_init(&G, &gops, 0, 0x10000);
	fm_init(&H, &hops, 0x100000, 0x40000);
	build_example_4level(&G);
	ctx_4level(&ctx, &gops);
	ctx.flags = HVLAB_GW_SET_AD;
}

TEST(spte_for_the_seed_example)
{
	setup();
	ASSERT_EQ(HVLAB_GW_OK, hvlab_gwalk(&ctx, 0x1000, HVLAB_ACC_READ, &w));
	/* guest D=0: the shadow stays read-only until the first write */
	EXPECT_EQ(0x102000ull | HVLAB_PTE_P | HVLAB_PTE_U | HVLAB_PTE_A |
		  HVLAB_PTE_D, hvlab_shadow_pte(&w, 0x102000, 0, 0));
	ASSERT_EQ(HVLAB_GW_OK, hvlab_gwalk(&ctx, 0x1000, HVLAB_ACC_WRITE, &w));
	EXPECT_EQ(0x102067ull, hvlab_shadow_pte(&w, 0x102000,
						HVLAB_ACC_WRITE, 0));
	/* ... and the guest sees its D bit */
	EXPECT_EQ(0x2067, get64(&G, 0x8008));
	/* read-only slot or write-protected table: never W */
	EXPECT_EQ(0x102065ull, hvlab_shadow_pte(&w, 0x102000, 0,
						HVLAB_SPTE_RO));
	/* offset bits of hpa are dropped */
	EXPECT_EQ(0x102067ull, hvlab_shadow_pte(&w, 0x102abc, 0, 0));
}

TEST(spte_never_grants_more_than_the_guest)
{
	setup();
	put64(&G, 0x8008, 0x2065 | HVLAB_PTE_XD);	/* P U A D, read-only */
	put64(&G, 0x5000, 0x6003);			/* PML4E supervisor */
	ASSERT_EQ(HVLAB_GW_OK, hvlab_gwalk(&ctx, 0x1000, 0, &w));
	EXPECT_EQ(0x102061ull | HVLAB_PTE_XD,
		  hvlab_shadow_pte(&w, 0x102000, 0, HVLAB_SPTE_NX));
	/* no NX in the real EFER: bit 63 would be reserved, leave it out */
	EXPECT_EQ(0x102061ull, hvlab_shadow_pte(&w, 0x102000, 0, 0));
	/* guest CR0.WP=0: supervisor write to a read-only page */
	setup();
	put64(&G, 0x8008, 0x2005);
	ctx.cr0 &= ~HVLAB_CR0_WP;
	ASSERT_EQ(HVLAB_GW_OK, hvlab_gwalk(&ctx, 0x1000, HVLAB_ACC_WRITE, &w));
	EXPECT_EQ(0x102063ull, hvlab_shadow_pte(&w, 0x102000,
						HVLAB_ACC_WRITE, 0));
	/* a read gets the user view back, read-only */
	ASSERT_EQ(HVLAB_GW_OK, hvlab_gwalk(&ctx, 0x1000, 0, &w));
	EXPECT_EQ(0x102065ull, hvlab_shadow_pte(&w, 0x102000, 0, 0));
}

TEST(spte_caching_attributes)
{
	setup();
	put64(&G, 0x8008, 0x2007 | HVLAB_PTE_PCD | HVLAB_PTE_PWT |
	      HVLAB_PTE_PS | HVLAB_PTE_G);		/* PAT bit of a PTE */
	hvlab_gwalk(&ctx, 0x1000, 0, &w);
	EXPECT_EQ(0x1020fdull, hvlab_shadow_pte(&w, 0x102000, 0, 0));
	/* a 2 MiB guest page: PAT is bit 12 there, bit 7 in the 4K shadow */
	setup();
	put64(&G, 0x7008, 0x400087 | HVLAB_PTE_PAT_LARGE);
	hvlab_gwalk(&ctx, 0x201000, 0, &w);
	EXPECT_EQ(0x401000, w.gpa);
	EXPECT_EQ(0x1020e5ull, hvlab_shadow_pte(&w, 0x102000, 0, 0));
}

TEST(table_entries)
{
	EXPECT_EQ(0x121027ull, hvlab_shadow_table_entry(0x121000, 0));
	EXPECT_EQ(0x121001ull, hvlab_shadow_table_entry(0x121000, 1));
}

TEST(fault_reflected_to_the_guest)
{
	setup();
	put64(&G, 0x8008, 0);			/* the guest unmapped 0x1000 */
	ASSERT_EQ(HVLAB_SPF_REFLECT, hvlab_shadow_page_fault(&ctx, &slots, NULL,
		  0x1abc, HVLAB_PFERR_W, HVLAB_SPTE_NX, &f));
	EXPECT_EQ(HVLAB_PFERR_W, f.error_code);
	EXPECT_EQ(0x1abc, f.cr2);
	/* user write to a supervisor page: the guest's error code */
	setup();
	put64(&G, 0x7000, 0x8003);
	ASSERT_EQ(HVLAB_SPF_REFLECT, hvlab_shadow_page_fault(&ctx, &slots, NULL,
		  0x1000, HVLAB_PFERR_W | HVLAB_PFERR_U, 0, &f));
	EXPECT_EQ(HVLAB_PFERR_P | HVLAB_PFERR_W | HVLAB_PFERR_U,
		  f.error_code);
	EXPECT_EQ(2, f.walk.fault_level);
	/* reserved bits in a guest PDE: RSVD in the guest's #PF */
	setup();
	put64(&G, 0x7000, 0x8007 | (1ull << 45));
	ASSERT_EQ(HVLAB_SPF_REFLECT, hvlab_shadow_page_fault(&ctx, &slots, NULL,
		  0x1000, 0, 0, &f));
	EXPECT_EQ(HVLAB_PFERR_P | HVLAB_PFERR_RSVD, f.error_code);
}

TEST(shadow_miss_is_filled)
{
	setup();
	/* hardware says "not present" (the shadow is empty): fill */
	ASSERT_EQ(HVLAB_SPF_FILL, hvlab_shadow_page_fault(&ctx, &slots, NULL,
		  0x1000, 0, HVLAB_SPTE_NX, &f));
	EXPECT_EQ(0x2000, f.gpa);
	EXPECT_EQ(0x102000, f.hpa);
	EXPECT_EQ(0x102065ull, f.spte);
	EXPECT_EQ(0x2027, get64(&G, 0x8008));	/* guest A set */
	/* the write then hits a read-only shadow entry: still a fill */
	ASSERT_EQ(HVLAB_SPF_FILL, hvlab_shadow_page_fault(&ctx, &slots, NULL,
		  0x1000, HVLAB_PFERR_P | HVLAB_PFERR_W, HVLAB_SPTE_NX, &f));
	EXPECT_EQ(0x102067ull, f.spte);
	EXPECT_EQ(0x2067, get64(&G, 0x8008));	/* guest D set */
}

TEST(mmio_and_read_only_slots)
{
	setup();
	put64(&G, 0x8018, 0x30007);		/* VA 0x3000 -> GPA 0x30000 */
	put64(&G, 0x8020, 0x10007);		/* VA 0x4000 -> GPA 0x10000 */
	ASSERT_EQ(HVLAB_SPF_MMIO, hvlab_shadow_page_fault(&ctx, &slots, NULL,
		  0x3004, 0, 0, &f));
	EXPECT_EQ(0x30004, f.gpa);
	/* a write to the read-only slot goes to userspace like MMIO */
	EXPECT_EQ(HVLAB_SPF_MMIO, hvlab_shadow_page_fault(&ctx, &slots, NULL,
		  0x4000, HVLAB_PFERR_W, 0, &f));
	ASSERT_EQ(HVLAB_SPF_FILL, hvlab_shadow_page_fault(&ctx, &slots, NULL,
		  0x4000, 0, 0, &f));
	EXPECT_EQ(0x200000, f.hpa);
	EXPECT_EQ(0, f.spte & HVLAB_PTE_W);
}

TEST(guest_tables_outside_memory_are_an_error)
{
	setup();
	put64(&G, 0x6000, 0x7fff0007);
	EXPECT_EQ(HVLAB_SPF_ERROR, hvlab_shadow_page_fault(&ctx, &slots, NULL,
		  0x1000, 0, 0, &f));
	EXPECT_EQ(HVLAB_GW_MEM_ERROR, f.walk.status);
	setup();
	G.race = 100;
	EXPECT_EQ(HVLAB_SPF_RETRY, hvlab_shadow_page_fault(&ctx, &slots, NULL,
		  0x1000, 0, 0, &f));
}

TEST(writes_to_tracked_guest_tables)
{
	struct hvlab_sroot_cache c;
	unsigned int i;
	int slot;

	setup();
	hvlab_sroot_init(&c);
	slot = hvlab_sroot_victim(&c);
	hvlab_sroot_claim(&c, slot, ctx.cr3, hvlab_sroot_role(&ctx));
	ASSERT_EQ(HVLAB_SPF_FILL, hvlab_shadow_page_fault(&ctx, &slots, &c,
		  0x1000, 0, 0, &f));
	for (i = 0; i < f.walk.nsteps; i++)
		hvlab_sroot_note_table(&c, slot, f.walk.steps[i].table >> 12);
	EXPECT_EQ(1, hvlab_sroot_tracks_gfn(&c, 0x8));
	/* the guest maps its own PT (GPA 0x8000) at VA 0x5000 */
	put64(&G, 0x8028, 0x8067);
	ASSERT_EQ(HVLAB_SPF_FILL, hvlab_shadow_page_fault(&ctx, &slots, &c,
		  0x5000, 0, 0, &f));
	EXPECT_EQ(0, f.spte & HVLAB_PTE_W);	/* write-protected */
	ASSERT_EQ(HVLAB_SPF_PT_WRITE, hvlab_shadow_page_fault(&ctx, &slots,
		  &c, 0x5008, HVLAB_PFERR_P | HVLAB_PFERR_W, 0, &f));
	EXPECT_EQ(0x8008, f.gpa);
	EXPECT_EQ(0x108008, f.hpa);
	EXPECT_EQ(HVLAB_PTE_W, f.spte & HVLAB_PTE_W);	/* once unsynced */
	/* the loaded root is unsynced, not freed: nothing to free */
	EXPECT_EQ(0, hvlab_sroot_invalidate_gfn(&c, f.gpa >> 12, slot));
	EXPECT_EQ(0, hvlab_sroot_tracks_gfn(&c, 0x8));
	EXPECT_EQ(-1, hvlab_sroot_peek(&c, ctx.cr3, hvlab_sroot_role(&ctx)));
	ASSERT_EQ(HVLAB_SPF_FILL, hvlab_shadow_page_fault(&ctx, &slots, &c,
		  0x5008, HVLAB_PFERR_P | HVLAB_PFERR_W, 0, &f));
	EXPECT_EQ(HVLAB_PTE_W, f.spte & HVLAB_PTE_W);
	/* an unsynced slot tracks nothing more */
	EXPECT_EQ(0, hvlab_sroot_note_table(&c, slot, 0x9));
	EXPECT_EQ(0, hvlab_sroot_tracks_gfn(&c, 0x9));
}

TEST(write_protect_finds_every_mapping)
{
	__u64 root;

	setup();
	ASSERT_EQ(0, fm_alloc(&H, &root));
	/* two GVAs map host frame 0x102000 writable, one maps it read-only */
	ASSERT_EQ(0, hvlab_shadow_map(&hops, root, 4, 0x1000,
				      0x102000 | HVLAB_PTE_P | HVLAB_PTE_W));
	ASSERT_EQ(0, hvlab_shadow_map(&hops, root, 4, 0x7fff0000,
				      0x102000 | HVLAB_PTE_P | HVLAB_PTE_W));
	ASSERT_EQ(0, hvlab_shadow_map(&hops, root, 4, 0x3000,
				      0x102000 | HVLAB_PTE_P));
	ASSERT_EQ(0, hvlab_shadow_map(&hops, root, 4, 0x4000,
				      0x104000 | HVLAB_PTE_P | HVLAB_PTE_W));
	EXPECT_EQ(2, hvlab_shadow_write_protect(&hops, root, 4, 0x102000));
	EXPECT_EQ(0, hvlab_shadow_write_protect(&hops, root, 4, 0x102000));
	ASSERT_EQ(HVLAB_GW_OK, hvlab_shadow_walk(&hops, root, 4, 0x7fff0000,
						 &w));
	EXPECT_EQ(0, w.leaf & HVLAB_PTE_W);
	ASSERT_EQ(HVLAB_GW_OK, hvlab_shadow_walk(&hops, root, 4, 0x4000, &w));
	EXPECT_EQ(HVLAB_PTE_W, w.leaf & HVLAB_PTE_W);
	/* PAE format: a 4-entry root */
	setup();
	ASSERT_EQ(0, fm_alloc(&H, &root));
	ASSERT_EQ(0, hvlab_shadow_map(&hops, root, 3, 0xc0001000,
				      0x102000 | HVLAB_PTE_P | HVLAB_PTE_W));
	EXPECT_EQ(1, hvlab_shadow_write_protect(&hops, root, 3, 0x102000));
	EXPECT_EQ(-1, hvlab_shadow_write_protect(&hops, root, 2, 0x102000));
}

TEST(shadow_tables_map_walk_zap)
{
	struct hvlab_translation t;
	__u64 root;

	setup();
	ASSERT_EQ(0, fm_alloc(&H, &root));
	ASSERT_EQ(HVLAB_GW_PAGE_FAULT, hvlab_shadow_walk(&hops, root, 4,
							 0x1000, &w));
	EXPECT_EQ(4, w.fault_level);
	ASSERT_EQ(0, hvlab_shadow_map(&hops, root, 4, 0x1000, 0x102067));
	ASSERT_EQ(HVLAB_GW_OK, hvlab_shadow_walk(&hops, root, 4, 0x1abc, &w));
	EXPECT_EQ(0x102abc, w.gpa);
	EXPECT_EQ(4, w.nsteps);
	EXPECT_EQ(root, w.steps[0].table);
	memset(&t, 0, sizeof(t));
	hvlab_shadow_walk_to_translation(&w, &t);
	EXPECT_EQ(1, t.shadow);
	EXPECT_EQ(0x102abc, t.hpa);
	EXPECT_EQ(4, t.second_steps);
	EXPECT_EQ(0x102067ull, t.second[3].entry);
	EXPECT_EQ(1, hvlab_shadow_zap(&hops, root, 4, 0x1000));
	EXPECT_EQ(0, hvlab_shadow_zap(&hops, root, 4, 0x1000));
	EXPECT_EQ(0, hvlab_shadow_zap(&hops, root, 4, 0x7f0000000000ull));
	ASSERT_EQ(HVLAB_GW_PAGE_FAULT, hvlab_shadow_walk(&hops, root, 4,
							 0x1000, &w));
	EXPECT_EQ(1, w.fault_level);
	hvlab_shadow_walk_to_translation(&w, &t);
	EXPECT_EQ(HVLAB_WALK_EPT_FAULT, t.fault);
	/* PAE-format shadow: the root's PDPTEs hold P only */
	ASSERT_EQ(0, fm_alloc(&H, &root));
	ASSERT_EQ(0, hvlab_shadow_map(&hops, root, 3, 0xc0001000, 0x102063));
	EXPECT_EQ(1, get64(&H, root + 3 * 8) & 0xfff);
	ASSERT_EQ(HVLAB_GW_OK, hvlab_shadow_walk(&hops, root, 3, 0xc0001000,
						 &w));
	EXPECT_EQ(0x102000, w.gpa);
	EXPECT_EQ(-1, hvlab_shadow_map(&hops, root, 6, 0x1000, 0x102063));
}

/*
 * The inspector test, natively: VA 0x1000 -> GPA 0x2000 -> host
 * frame 0x102000; the guest remaps 0x1000 to GPA 0x3000 and INVLPGs; the
 * next access follows to host frame 0x103000.
 */
TEST(seed_example_end_to_end_with_invlpg)
{
	__u64 root;

	setup();
	ASSERT_EQ(0, fm_alloc(&H, &root));
	/* the guest touches 0x1000: the CPU finds no shadow entry */
	ASSERT_EQ(HVLAB_GW_PAGE_FAULT, hvlab_shadow_walk(&hops, root, 4,
							 0x1000, &w));
	ASSERT_EQ(HVLAB_SPF_FILL, hvlab_shadow_page_fault(&ctx, &slots, NULL,
		  0x1000, w.error_code, HVLAB_SPTE_NX, &f));
	ASSERT_EQ(0, hvlab_shadow_map(&hops, root, 4, 0x1000, f.spte));
	ASSERT_EQ(HVLAB_GW_OK, hvlab_shadow_walk(&hops, root, 4, 0x1000, &w));
	EXPECT_EQ(0x102000, w.gpa);
	/* the backing frame is exactly the slot's frame for GPA 0x2000 */
	EXPECT_EQ(f.hpa, w.gpa);
	/* remap + INVLPG */
	put64(&G, 0x8008, 0x3007);
	EXPECT_EQ(1, hvlab_shadow_zap(&hops, root, 4, 0x1000));
	ASSERT_EQ(HVLAB_GW_PAGE_FAULT, hvlab_shadow_walk(&hops, root, 4,
							 0x1000, &w));
	ASSERT_EQ(HVLAB_SPF_FILL, hvlab_shadow_page_fault(&ctx, &slots, NULL,
		  0x1000, w.error_code, HVLAB_SPTE_NX, &f));
	ASSERT_EQ(0, hvlab_shadow_map(&hops, root, 4, 0x1000, f.spte));
	ASSERT_EQ(HVLAB_GW_OK, hvlab_shadow_walk(&hops, root, 4, 0x1000, &w));
	EXPECT_EQ(0x103000, w.gpa);
}

TEST(root_cache_hits_and_misses)
{
	struct hvlab_sroot_cache c;
	int slot;

	hvlab_sroot_init(&c);
	EXPECT_EQ(-1, hvlab_sroot_lookup(&c, 0x5000, 4));
	slot = hvlab_sroot_victim(&c);
	hvlab_sroot_claim(&c, slot, 0x5000, 4);
	EXPECT_EQ(slot, hvlab_sroot_lookup(&c, 0x5000, 4));
	/* PCID / PWT / PCD bits of CR3 do not make a different root */
	EXPECT_EQ(slot, hvlab_sroot_lookup(&c, 0x5018, 4));
	/* another role (e.g. CR0.WP changed) is another root */
	EXPECT_EQ(-1, hvlab_sroot_lookup(&c, 0x5000, 4 | 8));
	EXPECT_EQ(2, c.hits);
	EXPECT_EQ(2, c.misses);
	/* peek neither counts nor reorders */
	EXPECT_EQ(slot, hvlab_sroot_peek(&c, 0x5000, 4));
	EXPECT_EQ(2, c.hits);
	/* PAE keys keep CR3 bits 11:5 */
	hvlab_sroot_claim(&c, hvlab_sroot_victim(&c), 0x5020, HVLAB_PG_PAE);
	EXPECT_EQ(-1, hvlab_sroot_lookup(&c, 0x5040, HVLAB_PG_PAE));
	EXPECT_LE(0, hvlab_sroot_lookup(&c, 0x5020, HVLAB_PG_PAE));
	/* an unsynced root is never a hit */
	hvlab_sroot_unsync(&c, slot);
	EXPECT_EQ(-1, hvlab_sroot_lookup(&c, 0x5000, 4));
}

TEST(root_cache_lru_eviction)
{
	struct hvlab_sroot_cache c;
	int i, s[HVLAB_SROOT_SLOTS];

	hvlab_sroot_init(&c);
	for (i = 0; i < HVLAB_SROOT_SLOTS; i++) {
		s[i] = hvlab_sroot_victim(&c);
		EXPECT_EQ(i, s[i]);
		hvlab_sroot_claim(&c, s[i], 0x10000 * (i + 1), 4);
	}
	EXPECT_EQ(0, c.evictions);
	/* touch the oldest: the second oldest is now the LRU */
	EXPECT_EQ(s[0], hvlab_sroot_lookup(&c, 0x10000, 4));
	EXPECT_EQ(s[1], hvlab_sroot_victim(&c));
	hvlab_sroot_claim(&c, s[1], 0x900000, 4);
	EXPECT_EQ(-1, hvlab_sroot_lookup(&c, 0x20000, 4));
	EXPECT_EQ(s[1], hvlab_sroot_lookup(&c, 0x900000, 4));
	EXPECT_EQ(s[2], hvlab_sroot_victim(&c));
	EXPECT_EQ(2, c.evictions);
	/* a dropped slot is the next victim, and no eviction */
	hvlab_sroot_drop(&c, s[5]);
	EXPECT_EQ(s[5], hvlab_sroot_victim(&c));
	EXPECT_EQ(2, c.evictions);
}

TEST(root_cache_invalidation)
{
	struct hvlab_sroot_cache c;
	int a, b, d, i;

	hvlab_sroot_init(&c);
	a = hvlab_sroot_victim(&c);
	hvlab_sroot_claim(&c, a, 0x5000, 4);
	b = hvlab_sroot_victim(&c);
	hvlab_sroot_claim(&c, b, 0x9000, 4);
	d = hvlab_sroot_victim(&c);
	hvlab_sroot_claim(&c, d, 0xd000, 4);
	/* roots A and B share the guest table at GFN 0x7 */
	EXPECT_EQ(1, hvlab_sroot_note_table(&c, a, 0x6));
	EXPECT_EQ(1, hvlab_sroot_note_table(&c, a, 0x7));
	EXPECT_EQ(0, hvlab_sroot_note_table(&c, a, 0x7));	/* again */
	EXPECT_EQ(0, hvlab_sroot_note_table(&c, b, 0x7));	/* shared */
	EXPECT_EQ(1, hvlab_sroot_note_table(&c, d, 0xe));
	EXPECT_EQ(0, hvlab_sroot_note_table(&c, 7, 0xf));	/* unused */
	EXPECT_EQ(0, hvlab_sroot_note_table(&c, 99, 0xf));	/* no slot */
	EXPECT_EQ(1, hvlab_sroot_tracks_gfn(&c, 0x7));
	EXPECT_EQ(0, hvlab_sroot_tracks_gfn(&c, 0x1234));
	/* exact: no Bloom false positive survives, whatever the hash */
	for (i = 0; i < 100000; i++)
		if (i != 6 && i != 7 && i != 0xe)
			ASSERT_EQ(0, hvlab_sroot_tracks_gfn(&c, i));
	/* a write to 0x7 while B is loaded: A freed, B unsynced, D kept */
	EXPECT_EQ(1u << a, hvlab_sroot_invalidate_gfn(&c, 0x7, b));
	EXPECT_EQ(-1, hvlab_sroot_lookup(&c, 0x5000, 4));
	EXPECT_EQ(-1, hvlab_sroot_lookup(&c, 0x9000, 4));
	EXPECT_EQ(d, hvlab_sroot_lookup(&c, 0xd000, 4));
	EXPECT_EQ(0, hvlab_sroot_tracks_gfn(&c, 0x6));
	EXPECT_EQ(0, hvlab_sroot_tracks_gfn(&c, 0x7));
	EXPECT_EQ(1, hvlab_sroot_tracks_gfn(&c, 0xe));
	EXPECT_EQ(2, c.invalidations);
	EXPECT_EQ(0, hvlab_sroot_invalidate_gfn(&c, 0x7, -1));
	/* too many tables: the root stops being cacheable */
	for (i = 1; i < HVLAB_SROOT_TABLES; i++)	/* 0xe is the first */
		hvlab_sroot_note_table(&c, d, 0x100 + i);
	EXPECT_EQ(d, hvlab_sroot_peek(&c, 0xd000, 4));
	EXPECT_EQ(0, hvlab_sroot_note_table(&c, d, 0x999));
	EXPECT_EQ(-1, hvlab_sroot_peek(&c, 0xd000, 4));
	EXPECT_EQ(0, hvlab_sroot_tracks_gfn(&c, 0xe));
}

TEST(root_role)
{
	setup();
	EXPECT_EQ(HVLAB_PG_4LEVEL | 8 | 16, hvlab_sroot_role(&ctx));
	ctx.cr0 &= ~HVLAB_CR0_WP;
	EXPECT_EQ(HVLAB_PG_4LEVEL | 16, hvlab_sroot_role(&ctx));
}

TEST_HARNESS_MAIN
