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

/*
 * SMAP: a supervisor read of a user page is filled only when the guest's
 * EFLAGS.AC allowed it (the caller adds HVLAB_ACC_AC; an implicit access
 * never is).  Refused, it is the guest's #PF, with the hardware's bits.
 */
TEST(smap_waived_by_eflags_ac)
{
	setup();
	ctx.cr4 |= HVLAB_CR4_SMAP;
	ASSERT_EQ(HVLAB_SPF_REFLECT, hvlab_shadow_page_fault(&ctx, &slots, NULL,
		  0x1000, 0, 0, &f));
	EXPECT_EQ(HVLAB_PFERR_P, f.error_code);
	ASSERT_EQ(HVLAB_SPF_FILL, hvlab_shadow_page_fault(&ctx, &slots, NULL,
		  0x1000, HVLAB_ACC_AC, 0, &f));
	EXPECT_EQ(0x102065ull, f.spte);		/* U kept: the CPU checks too */
	ASSERT_EQ(HVLAB_SPF_REFLECT, hvlab_shadow_page_fault(&ctx, &slots, NULL,
		  0x1000, HVLAB_ACC_AC | HVLAB_ACC_IMPLICIT | HVLAB_PFERR_W, 0,
		  &f));
	EXPECT_EQ(HVLAB_PFERR_P | HVLAB_PFERR_W, f.error_code);
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

/* ---- kept roots across guest writes to their tables ------------------ */

static unsigned int freed_tables;

static void count_free(void *o, __u64 pa)
{
	(void)o;
	(void)pa;
	freed_tables++;
}

/* Which GVA ranges hvlab_sroot_table_written asked to clear, per slot. */
static struct zap_call {
	int slot;
	__u64 start, last;
} zaps[16];
static unsigned int nzaps;

static void record_zap(void *o, int slot, __u64 start, __u64 last)
{
	(void)o;
	if (nzaps < 16)
		zaps[nzaps] = (struct zap_call){ slot, start, last };
	nzaps++;
}

TEST(zap_range_clears_exactly_the_range)
{
	__u64 root, va[] = { 0x1000, 0x2000, 0x200000, 0x40000000,
			     0xffffffff81000000ull };
	unsigned int i;

	setup();
	hops.free_table = count_free;
	freed_tables = 0;
	ASSERT_EQ(0, fm_alloc(&H, &root));
	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, hvlab_shadow_map(&hops, root, 4, va[i], 0x102063));
	/* one leaf inside a table: only that leaf, no table freed */
	EXPECT_EQ(1, hvlab_shadow_zap_range(&hops, root, 4, 0x2000, 0x1fffff));
	EXPECT_EQ(0u, freed_tables);
	EXPECT_EQ(HVLAB_GW_OK, hvlab_shadow_walk(&hops, root, 4, 0x1000, &w));
	EXPECT_EQ(HVLAB_GW_PAGE_FAULT,
		  hvlab_shadow_walk(&hops, root, 4, 0x2000, &w));
	/* 0..1 GiB: one PDPT entry, with the PD and both PTs below it */
	EXPECT_EQ(1, hvlab_shadow_zap_range(&hops, root, 4, 0, 0x3fffffff));
	EXPECT_EQ(3u, freed_tables);
	EXPECT_EQ(HVLAB_GW_PAGE_FAULT,
		  hvlab_shadow_walk(&hops, root, 4, 0x1000, &w));
	EXPECT_EQ(HVLAB_GW_PAGE_FAULT,
		  hvlab_shadow_walk(&hops, root, 4, 0x200000, &w));
	EXPECT_EQ(HVLAB_GW_OK,
		  hvlab_shadow_walk(&hops, root, 4, 0x40000000, &w));
	EXPECT_EQ(HVLAB_GW_OK,
		  hvlab_shadow_walk(&hops, root, 4, 0xffffffff81000000ull, &w));
	/* the kernel half, given as canonical or as 48-bit addresses */
	EXPECT_EQ(1, hvlab_shadow_zap_range(&hops, root, 4,
					    0xffff800000000000ull, ~0ull));
	EXPECT_EQ(3u + 3u, freed_tables);	/* PDPT, PD, PT below it */
	EXPECT_EQ(HVLAB_GW_PAGE_FAULT,
		  hvlab_shadow_walk(&hops, root, 4, 0xffffffff81000000ull, &w));
	EXPECT_EQ(0, hvlab_shadow_zap_range(&hops, root, 4, 0x5000, 0x4fff));
	/* PAE format: the four PDPTEs stay, what is below them goes */
	ASSERT_EQ(0, fm_alloc(&H, &root));
	ASSERT_EQ(0, hvlab_shadow_map(&hops, root, 3, 0xc0001000, 0x102063));
	EXPECT_EQ(1, hvlab_shadow_zap_range(&hops, root, 3, 0xc0000000,
					    0xffffffff));
	EXPECT_EQ(1, get64(&H, root + 3 * 8) & 1);
	EXPECT_EQ(HVLAB_GW_PAGE_FAULT,
		  hvlab_shadow_walk(&hops, root, 3, 0xc0001000, &w));
	EXPECT_EQ(-1, hvlab_shadow_zap_range(&hops, root, 6, 0, 1));
	hops.free_table = NULL;
}

/* Notes every table of a walk of gva as used by slot. */
static void note_walk(struct hvlab_sroot_cache *c, int slot, __u64 gva)
{
	unsigned int i;

	if (hvlab_gwalk(&ctx, gva, HVLAB_ACC_READ, &w) != HVLAB_GW_OK)
		return;
	for (i = 0; i < w.nsteps; i++)
		hvlab_sroot_note_use(c, slot, w.mode, &w.steps[i], gva);
}

TEST(written_table_names_the_ranges_that_changed)
{
	static struct hvlab_sroot_cache c;
	static uint8_t old[4096];
	int a;

	setup();
	hvlab_sroot_init(&c);
	a = hvlab_sroot_victim(&c);
	hvlab_sroot_claim(&c, a, EX_CR3, hvlab_sroot_role(&ctx));
	note_walk(&c, a, 0x1000);
	note_walk(&c, a, 0x1000);		/* the same uses: no more */
	EXPECT_EQ(4, c.e[a].ntables);
	EXPECT_EQ(1, hvlab_sroot_tracks_gfn(&c, 0x8));
	/* nothing changed: nothing to clear */
	memcpy(old, G.bytes + 0x8000, 4096);
	nzaps = 0;
	EXPECT_EQ(0u, hvlab_sroot_table_written(&c, 0x8, old, G.bytes + 0x8000,
						record_zap, NULL));
	EXPECT_EQ(0u, nzaps);
	/* PT entry 1 (VA 0x1000) and entries 3..4: two runs */
	put64(&G, 0x8008, 0x3007);
	put64(&G, 0x8018, 0x4007);
	put64(&G, 0x8020, 0x5007);
	EXPECT_EQ(0u, hvlab_sroot_table_written(&c, 0x8, old, G.bytes + 0x8000,
						record_zap, NULL));
	ASSERT_EQ(2u, nzaps);
	EXPECT_EQ(a, zaps[0].slot);
	EXPECT_EQ(0x1000, zaps[0].start);
	EXPECT_EQ(0x1fff, zaps[0].last);
	EXPECT_EQ(0x3000, zaps[1].start);
	EXPECT_EQ(0x4fff, zaps[1].last);
	/* A or D set (by the CPU's walker or hvlab's): nothing to clear */
	memcpy(old, G.bytes + 0x8000, 4096);
	put64(&G, 0x8008, 0x3067);
	nzaps = 0;
	hvlab_sroot_table_written(&c, 0x8, old, G.bytes + 0x8000, record_zap,
				  NULL);
	EXPECT_EQ(0u, nzaps);
	/* ... but cleared, it is a change */
	memcpy(old, G.bytes + 0x8000, 4096);
	put64(&G, 0x8008, 0x3027);
	hvlab_sroot_table_written(&c, 0x8, old, G.bytes + 0x8000, record_zap,
				  NULL);
	EXPECT_EQ(1u, nzaps);
	/* the last PML4 entry: the top of the 48-bit space */
	memcpy(old, G.bytes + 0x5000, 4096);
	put64(&G, 0x5ff8, 0x6007);
	nzaps = 0;
	hvlab_sroot_table_written(&c, 0x5, old, G.bytes + 0x5000, record_zap,
				  NULL);
	ASSERT_EQ(1u, nzaps);
	EXPECT_EQ(0xff8000000000ull, zaps[0].start);
	EXPECT_EQ(0xffffffffffffull, zaps[0].last);
	/* unknown contents (a string IN into the page): all of it */
	nzaps = 0;
	hvlab_sroot_table_written(&c, 0x7, NULL, NULL, record_zap, NULL);
	ASSERT_EQ(1u, nzaps);
	EXPECT_EQ(0, zaps[0].start);
	EXPECT_EQ(0x3fffffffull, zaps[0].last);
	/* a page no root was built from */
	nzaps = 0;
	EXPECT_EQ(0u, hvlab_sroot_table_written(&c, 0x9, NULL, NULL,
						record_zap, NULL));
	EXPECT_EQ(0u, nzaps);
	/* the roots stay kept through all of it */
	EXPECT_EQ(a, hvlab_sroot_peek(&c, EX_CR3, hvlab_sroot_role(&ctx)));
	/* a use of unknown place: that root is freed instead */
	EXPECT_EQ(0, hvlab_sroot_note_table(&c, a, 0x8));
	EXPECT_EQ(1u << a, hvlab_sroot_table_written(&c, 0x8, NULL, NULL,
						     record_zap, NULL));
	EXPECT_EQ(-1, hvlab_sroot_peek(&c, EX_CR3, hvlab_sroot_role(&ctx)));
}

/* 32-bit tables: 4-byte entries, 4 MiB per directory entry; PAE PDPT. */
TEST(written_table_32bit_and_pae)
{
	static struct hvlab_sroot_cache c;
	static uint8_t old[4096];
	struct hvlab_gwalk_ctx g32;
	int a;

	setup();
	put32(&G, 0x4000, 0x6007);		/* PD[0] -> PT 0x6000 */
	put32(&G, 0x6004, 0x2007);		/* PT[1]: VA 0x1000 */
	memset(&g32, 0, sizeof(g32));
	g32.cr0 = HVLAB_CR0_PG | 1;
	g32.cr3 = 0x4000;
	g32.maxphyaddr = 32;
	g32.mem = &gops;
	hvlab_sroot_init(&c);
	a = hvlab_sroot_victim(&c);
	hvlab_sroot_claim(&c, a, 0x4000, hvlab_sroot_role(&g32));
	ASSERT_EQ(HVLAB_GW_OK, hvlab_gwalk(&g32, 0x1000, 0, &w));
	ASSERT_EQ(2u, w.nsteps);
	hvlab_sroot_note_use(&c, a, w.mode, &w.steps[0], 0x1000);
	hvlab_sroot_note_use(&c, a, w.mode, &w.steps[1], 0x1000);
	memcpy(old, G.bytes + 0x6000, 4096);
	put32(&G, 0x6004, 0x3007);
	nzaps = 0;
	hvlab_sroot_table_written(&c, 0x6, old, G.bytes + 0x6000, record_zap,
				  NULL);
	ASSERT_EQ(1u, nzaps);
	EXPECT_EQ(0x1000, zaps[0].start);
	EXPECT_EQ(0x1fff, zaps[0].last);
	memcpy(old, G.bytes + 0x4000, 4096);
	put32(&G, 0x4004, 0x6007);		/* PD[1]: 4..8 MiB */
	nzaps = 0;
	hvlab_sroot_table_written(&c, 0x4, old, G.bytes + 0x4000, record_zap,
				  NULL);
	ASSERT_EQ(1u, nzaps);
	EXPECT_EQ(0x400000, zaps[0].start);
	EXPECT_EQ(0x7fffff, zaps[0].last);
	/* PAE: a PDPT at byte 0x20 of its page, 1 GiB per entry */
	put64(&G, 0x9020 + 3 * 8, 0xa001);	/* PDPT[3] -> PD 0xa000 */
	put64(&G, 0xa000, 0xb007);		/* PD[0] -> PT 0xb000 */
	put64(&G, 0xb008, 0x2007);		/* VA 0xc0001000 */
	g32.cr4 = HVLAB_CR4_PAE;
	g32.cr3 = 0x9020;
	hvlab_sroot_init(&c);
	hvlab_sroot_claim(&c, a, 0x9020, hvlab_sroot_role(&g32));
	ASSERT_EQ(HVLAB_GW_OK, hvlab_gwalk(&g32, 0xc0001000, 0, &w));
	ASSERT_EQ(3u, w.nsteps);
	hvlab_sroot_note_use(&c, a, w.mode, &w.steps[0], 0xc0001000);
	memcpy(old, G.bytes + 0x9000, 4096);
	put64(&G, 0x9000, 0x1234001);		/* outside the PDPT: ignored */
	put64(&G, 0x9020 + 3 * 8, 0xc001);
	nzaps = 0;
	hvlab_sroot_table_written(&c, 0x9, old, G.bytes + 0x9000, record_zap,
				  NULL);
	ASSERT_EQ(1u, nzaps);
	EXPECT_EQ(0xc0000000, zaps[0].start);
	EXPECT_EQ(0xffffffff, zaps[0].last);
}

static struct hvlab_sroot_cache kc;
static __u64 kroot[HVLAB_SROOT_SLOTS];

static void zap_root(void *o, int slot, __u64 start, __u64 last)
{
	(void)o;
	hvlab_shadow_zap_range(&hops, kroot[slot], 4, start, last);
}

/* Fills gva in slot's root as shadow.c does: walk, map, note the tables. */
static __u64 touch(int slot, __u64 gva)
{
	unsigned int i;

	if (hvlab_shadow_walk(&hops, kroot[slot], 4, gva, &w) == HVLAB_GW_OK)
		return w.gpa;
	if (hvlab_shadow_page_fault(&ctx, &slots, &kc, gva, w.error_code,
				    HVLAB_SPTE_NX, &f) != HVLAB_SPF_FILL ||
	    hvlab_shadow_map(&hops, kroot[slot], 4, gva, f.spte))
		return 0;
	for (i = 0; i < f.walk.nsteps; i++)
		hvlab_sroot_note_use(&kc, slot, f.walk.mode, &f.walk.steps[i],
				     gva);
	return f.hpa;
}

/*
 * Two kept roots share the guest's page table; the guest remaps VA 0x1000
 * (GPA 0x2000 -> 0x3000).  The write is a PT_WRITE; once it has happened,
 * both roots lose exactly that entry (the old frame is gone), stay kept,
 * and the next access in either follows the new entry.
 */
TEST(kept_roots_follow_a_guest_pte_write)
{
	static uint8_t old[4096];
	__u32 role;
	int a, b;

	setup();
	role = hvlab_sroot_role(&ctx);
	hvlab_sroot_init(&kc);
	a = hvlab_sroot_victim(&kc);
	hvlab_sroot_claim(&kc, a, EX_CR3, role);
	b = hvlab_sroot_victim(&kc);
	hvlab_sroot_claim(&kc, b, 0xf000, role);
	put64(&G, 0xf000, 0x6007);		/* B shares A's lower tables */
	ASSERT_EQ(0, fm_alloc(&H, &kroot[a]));
	ASSERT_EQ(0, fm_alloc(&H, &kroot[b]));
	put64(&G, 0x8010, 0x4007);		/* VA 0x2000: a bystander */
	EXPECT_EQ(0x102000, touch(a, 0x1000));
	EXPECT_EQ(0x104000, touch(a, 0x2000));
	ctx.cr3 = 0xf000;
	EXPECT_EQ(0x102000, touch(b, 0x1000));
	/* the guest's write to its PT (GPA 0x8008, through VA 0x8008) */
	put64(&G, 0x8040, 0x8007);
	EXPECT_EQ(HVLAB_SPF_PT_WRITE,
		  hvlab_shadow_page_fault(&ctx, &slots, &kc, 0x8008,
					  HVLAB_ACC_WRITE, 0, &f));
	memcpy(old, G.bytes + 0x8000, 4096);
	put64(&G, 0x8008, 0x3007);
	EXPECT_EQ(0u, hvlab_sroot_table_written(&kc, 0x8, old,
						G.bytes + 0x8000, zap_root,
						NULL));
	/* both roots kept; the old frame is gone from both */
	EXPECT_EQ(a, hvlab_sroot_peek(&kc, EX_CR3, role));
	EXPECT_EQ(b, hvlab_sroot_peek(&kc, 0xf000, role));
	EXPECT_EQ(HVLAB_GW_PAGE_FAULT,
		  hvlab_shadow_walk(&hops, kroot[a], 4, 0x1000, &w));
	EXPECT_EQ(HVLAB_GW_PAGE_FAULT,
		  hvlab_shadow_walk(&hops, kroot[b], 4, 0x1000, &w));
	/* the bystander's entry was not touched */
	EXPECT_EQ(HVLAB_GW_OK,
		  hvlab_shadow_walk(&hops, kroot[a], 4, 0x2000, &w));
	/* the next access follows the new entry */
	EXPECT_EQ(0x103000, touch(b, 0x1000));
	ctx.cr3 = EX_CR3;
	EXPECT_EQ(0x103000, touch(a, 0x1000));
	/* a PD entry changes in A's tables: the whole 2 MiB goes from both */
	memcpy(old, G.bytes + 0x7000, 4096);
	put64(&G, 0x7000, 0);
	hvlab_sroot_table_written(&kc, 0x7, old, G.bytes + 0x7000, zap_root,
				  NULL);
	EXPECT_EQ(HVLAB_GW_PAGE_FAULT,
		  hvlab_shadow_walk(&hops, kroot[a], 4, 0x2000, &w));
	EXPECT_EQ(HVLAB_GW_PAGE_FAULT,
		  hvlab_shadow_walk(&hops, kroot[b], 4, 0x1000, &w));
	EXPECT_EQ(HVLAB_SPF_REFLECT,
		  hvlab_shadow_page_fault(&ctx, &slots, &kc, 0x1000, 0, 0, &f));
}

static __u64 pf_gva[16], pf_spte[16];
static unsigned int npf;

static int record_install(void *o, __u64 gva, __u64 gpa, __u64 spte)
{
	(void)o;
	(void)gpa;
	if (npf < 16) {
		pf_gva[npf] = gva;
		pf_spte[npf] = spte;
	}
	npf++;
	return 1;
}

/*
 * After a fill of VA 0x1000: its neighbours in the guest's page table are
 * mapped too (A set in the guest as a prefetching CPU may, never D), the
 * not-present, supervisor-only (for a user fault) and MMIO ones are not.
 */
TEST(prefetch_maps_the_neighbours_the_guest_allows)
{
	setup();
	put64(&G, 0x8010, 0x3007);			/* VA 0x2000 */
	put64(&G, 0x8018, 0x4047);			/* VA 0x3000, D set */
	put64(&G, 0x8020, 0x5003);			/* VA 0x4000, kernel */
	put64(&G, 0x8030, 0x30007);			/* VA 0x6000: MMIO */
	put64(&G, 0x8080, 0x6007);			/* VA 0x10000: other group */
	ASSERT_EQ(HVLAB_SPF_FILL, hvlab_shadow_page_fault(&ctx, &slots, NULL,
		  0x1000, HVLAB_ACC_USER, HVLAB_SPTE_NX, &f));
	npf = 0;
	EXPECT_EQ(2, hvlab_shadow_prefetch(&ctx, &slots, NULL, &f.walk,
					   HVLAB_ACC_USER, HVLAB_SPTE_NX, 16,
					   record_install, NULL));
	ASSERT_EQ(2u, npf);
	EXPECT_EQ(0x2000, pf_gva[0]);
	EXPECT_EQ(0x103000ull | HVLAB_PTE_P | HVLAB_PTE_U | HVLAB_PTE_A |
		  HVLAB_PTE_D, pf_spte[0]);		/* read-only: D clear */
	EXPECT_EQ(0x3000, pf_gva[1]);
	EXPECT_EQ(0x104067ull, pf_spte[1]);		/* writable: D was set */
	/* the guest sees A on what was prefetched, and no new D */
	EXPECT_EQ(0x3027ull, get64(&G, 0x8010));
	EXPECT_EQ(0x4067ull, get64(&G, 0x8018));
	EXPECT_EQ(0x5003ull, get64(&G, 0x8020));
	EXPECT_EQ(0x6007ull, get64(&G, 0x8080));
	/* a supervisor fault may take the kernel page too */
	npf = 0;
	EXPECT_EQ(3, hvlab_shadow_prefetch(&ctx, &slots, NULL, &f.walk, 0,
					   HVLAB_SPTE_NX, 16, record_install,
					   NULL));
	/* a group of 1, a non-power of two, a large page: nothing */
	EXPECT_EQ(0, hvlab_shadow_prefetch(&ctx, &slots, NULL, &f.walk, 0, 0,
					   1, record_install, NULL));
	EXPECT_EQ(0, hvlab_shadow_prefetch(&ctx, &slots, NULL, &f.walk, 0, 0,
					   12, record_install, NULL));
	f.walk.page_shift = 21;
	EXPECT_EQ(0, hvlab_shadow_prefetch(&ctx, &slots, NULL, &f.walk, 0, 0,
					   16, record_install, NULL));
}

/*
 * The prefetch's walk of a neighbour reads its leaf entry only, and agrees
 * with a full walk of the same address: frame, rights, A set, D left.
 */
TEST(neighbour_walk_reads_the_leaf_only)
{
	struct hvlab_gwalk full, nb;
	unsigned int reads;

	setup();
	put64(&G, 0x8010, 0x3005);			/* VA 0x2000, read-only */
	put64(&G, 0x8020, 0x5003);			/* VA 0x4000, kernel */
	put64(&G, 0x8028, 0x0008000000005007ull);	/* VA 0x5000: RSVD */
	ASSERT_EQ(HVLAB_GW_OK, hvlab_gwalk(&ctx, 0x1000, HVLAB_ACC_USER, &w));
	reads = G.reads;
	ASSERT_EQ(HVLAB_GW_OK, hvlab_gwalk_neighbour(&ctx, &w, 0x2000,
						     HVLAB_ACC_USER, &nb));
	EXPECT_EQ(1u, G.reads - reads);
	EXPECT_EQ(0x3025ull, get64(&G, 0x8010));	/* A, no D */
	EXPECT_EQ(HVLAB_PERM_U | HVLAB_PERM_X, nb.perm);
	ASSERT_EQ(HVLAB_GW_OK, hvlab_gwalk(&ctx, 0x2000, HVLAB_ACC_USER,
					   &full));
	EXPECT_EQ(full.gpa, nb.gpa);
	EXPECT_EQ(full.perm, nb.perm);
	EXPECT_EQ(full.leaf, nb.leaf);
	EXPECT_EQ(full.nsteps, nb.nsteps);
	EXPECT_EQ(full.dirty, nb.dirty);
	/* what the full walk refuses, the neighbour walk refuses the same */
	EXPECT_EQ(HVLAB_GW_PAGE_FAULT, hvlab_gwalk_neighbour(&ctx, &w, 0x4000,
							     HVLAB_ACC_USER,
							     &nb));
	EXPECT_EQ(HVLAB_PFERR_P | HVLAB_PFERR_U, nb.error_code);
	EXPECT_EQ(HVLAB_GW_PAGE_FAULT, hvlab_gwalk_neighbour(&ctx, &w, 0x5000,
							     0, &nb));
	EXPECT_EQ(HVLAB_PFERR_P | HVLAB_PFERR_RSVD, nb.error_code);
	EXPECT_EQ(HVLAB_GW_PAGE_FAULT, hvlab_gwalk_neighbour(&ctx, &w, 0x7000,
							     0, &nb));
	/* another leaf table is no neighbour */
	EXPECT_EQ(HVLAB_GW_BAD_MODE, hvlab_gwalk_neighbour(&ctx, &w, 0x200000,
							   0, &nb));
}

/* Under a large page the leaf is the directory entry: 2 MiB pages here. */
TEST(neighbour_walk_of_large_pages)
{
	struct hvlab_gwalk full, nb;
	unsigned int reads;

	setup();
	put64(&G, 0x7008, 0x200087);			/* VA 2M: 2 MiB page */
	put64(&G, 0x7010, 0x400087);			/* VA 4M: 2 MiB page */
	ASSERT_EQ(HVLAB_GW_OK, hvlab_gwalk(&ctx, 0x200000, 0, &w));
	ASSERT_EQ(21u, w.page_shift);
	reads = G.reads;
	ASSERT_EQ(HVLAB_GW_OK, hvlab_gwalk_neighbour(&ctx, &w, 0x4ff123,
						     HVLAB_ACC_WRITE, &nb));
	EXPECT_EQ(1u, G.reads - reads);
	EXPECT_EQ(0x4ff123ull, nb.gpa);
	EXPECT_EQ(21u, nb.page_shift);
	EXPECT_EQ(1u, nb.dirty);
	EXPECT_EQ(0x4000e7ull, get64(&G, 0x7010));	/* A and D */
	ASSERT_EQ(HVLAB_GW_OK, hvlab_gwalk(&ctx, 0x4ff123, 0, &full));
	EXPECT_EQ(full.gpa, nb.gpa);
	EXPECT_EQ(full.leaf, nb.leaf);
	/* PD[0] points to a page table: the walk would go on, no neighbour */
	EXPECT_EQ(HVLAB_GW_BAD_MODE, hvlab_gwalk_neighbour(&ctx, &w, 0x1000,
							   0, &nb));
	/* another directory */
	EXPECT_EQ(HVLAB_GW_BAD_MODE, hvlab_gwalk_neighbour(&ctx, &w,
							   0x40000000, 0,
							   &nb));
}

TEST(map_new_leaves_a_present_entry_alone)
{
	__u64 root;

	setup();
	ASSERT_EQ(0, fm_alloc(&H, &root));
	EXPECT_EQ(1, hvlab_shadow_map_new(&hops, root, 4, 0x1000, 0x102067));
	EXPECT_EQ(0, hvlab_shadow_map_new(&hops, root, 4, 0x1000, 0x105065));
	ASSERT_EQ(HVLAB_GW_OK, hvlab_shadow_walk(&hops, root, 4, 0x1000, &w));
	EXPECT_EQ(0x102000, w.gpa);
	EXPECT_EQ(-1, hvlab_shadow_map_new(&hops, root, 7, 0x1000, 0x102067));
}

/* The leaf's address for fill_near: where it is, never a new table. */
TEST(shadow_leaf_finds_without_allocating)
{
	__u64 root, leaf, next;

	setup();
	ASSERT_EQ(0, fm_alloc(&H, &root));
	EXPECT_EQ(1, hvlab_shadow_leaf(&hops, root, 4, 0x1000, &leaf));
	next = H.next_table;
	EXPECT_EQ(1, hvlab_shadow_leaf(&hops, root, 4, 0x1000, &leaf));
	EXPECT_EQ(next, H.next_table);
	ASSERT_EQ(0, hvlab_shadow_map(&hops, root, 4, 0x3000, 0x102067));
	ASSERT_EQ(0, hvlab_shadow_leaf(&hops, root, 4, 0x1000, &leaf));
	EXPECT_EQ(0ull, get64(&H, leaf));
	ASSERT_EQ(0, hvlab_shadow_leaf(&hops, root, 4, 0x3000, &leaf));
	EXPECT_EQ(0x102067ull, get64(&H, leaf));
	EXPECT_EQ(-1, hvlab_shadow_leaf(&hops, root, 7, 0x3000, &leaf));
}

TEST_HARNESS_MAIN
