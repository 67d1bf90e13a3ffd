// SPDX-License-Identifier: GPL-2.0
/*
 * grade.c - lab 7's native checks: what a #PF intercepted under shadow
 * paging means (kmod/pure_shadow.c, hvlab_shadow_page_fault), the decision
 * kmod/shadow.c acts on for every shadow miss.
 *
 * Guest page tables (4-level) for random GVAs, pointing at random GPAs with
 * random rights, live in a byte array standing for guest memory; the
 * memory slots map guest RAM to host frames at a random offset, with a
 * read-only slot and MMIO above RAM.  For random accesses the answer must
 * be what the invariants atop pure_shadow.c say: reflect the guest's own
 * faults with its error code and CR2, emulate MMIO and writes to read-only
 * memory, catch writes to tracked guest page tables, and otherwise fill a
 * shadow PTE that maps the GVA straight to the host frame with no more
 * rights than the guest's tables and the slot give.
 */
#include "grade.h"
#include "test_walk_mem.h"

#define RAM		(256ull << 20)		/* guest RAM: [0, 256 MiB) */
#define RO_LO		(192ull << 20)		/* a read-only slot inside it */
#define RO_HI		(200ull << 20)

static struct fakemem fm;
static struct hvlab_pmem pm;
static struct hvlab_gwalk_ctx g;
static uint64_t hoff;			/* host frame = GPA + hoff */

struct gmap {
	uint64_t gva, gpa;
	unsigned int rights;		/* PTE W and U of the leaf */
};

static struct gmap maps[48];
static unsigned int nmaps;

static int to_hpa(void *o, __u64 gpa, __u64 *hpa, int *ro)
{
	(void)o;
	if (gpa >= RAM)
		return -1;
	*hpa = gpa + hoff;
	*ro = gpa >= RO_LO && gpa < RO_HI;
	return 0;
}

static const struct hvlab_slots slots = { .gpa_to_hpa = to_hpa };

static uint64_t idx(unsigned int level, uint64_t va)
{
	return (va >> (12 + 9 * (level - 1))) & 0x1ff;
}

/* Maps gva -> gpa with a 4 KiB leaf; 0 if the slot is taken. */
static int map(uint64_t gva, uint64_t gpa, unsigned int rights)
{
	uint64_t table = g.cr3, ea, e;

	for (unsigned int l = 4; l > 1; l--) {
		__u64 t = 0;

		ea = table + idx(l, gva) * 8;
		e = get64(&fm, ea);
		if (e & HVLAB_PTE_P) {
			table = e & 0xffffffffff000ull;
			continue;
		}
		if (fm_alloc(&fm, &t))
			return 0;
		put64(&fm, ea, t | HVLAB_PTE_P | HVLAB_PTE_W | HVLAB_PTE_U);
		table = t;
	}
	ea = table + idx(1, gva) * 8;
	if (get64(&fm, ea) & HVLAB_PTE_P)
		return 0;
	/* A and D already set: the guest has used the page */
	put64(&fm, ea, gpa | HVLAB_PTE_P | HVLAB_PTE_A | HVLAB_PTE_D | rights);
	return 1;
}

static void build(void)
{
	__u64 root = 0;

	fm_init(&fm, &pm, 0, 1u << 20);
	fm.next_table = 0x10000;
	fm_alloc(&fm, &root);
	memset(&g, 0, sizeof(g));
	g.cr0 = HVLAB_CR0_PG | HVLAB_CR0_WP;
	g.cr4 = HVLAB_CR4_PAE;
	g.efer = HVLAB_EFER_LME | HVLAB_EFER_LMA;
	g.cr3 = root;
	g.maxphyaddr = 40;
	g.mem = &pm;
	hoff = (rnd_range(1, 1u << 20)) << 12;
	nmaps = 0;
	while (nmaps < 48) {
		uint64_t gva = rnd() & 0x00007ffffffff000ull;
		/* mostly RAM, some in the read-only slot, some MMIO above RAM */
		unsigned int r = (unsigned int)rnd_range(0, 9);
		uint64_t gpa = r < 6 ? (rnd() % (RAM >> 12)) << 12 :
			       r < 8 ? RO_LO + ((rnd() % ((RO_HI - RO_LO) >> 12)) << 12) :
			       RAM + ((rnd() & 0xffff) << 12);
		unsigned int rights = (unsigned int)(rnd() & (HVLAB_PTE_W | HVLAB_PTE_U));

		if (map(gva, gpa, rights))
			maps[nmaps++] = (struct gmap){ gva, gpa, rights };
	}
}

/* The answer the invariants ask for, from the reference walk and PTE rule. */
static int expect(uint64_t gva, unsigned int access, const struct hvlab_sroot_cache *cache,
		  struct hvlab_spf *e)
{
	__u64 hpa = 0;
	int ro = 0;
	unsigned int flags = 0;

	memset(e, 0, sizeof(*e));
	if (hvlab_gwalk(&g, gva, access, &e->walk) != HVLAB_GW_OK) {
		e->error_code = e->walk.error_code;
		e->cr2 = gva;
		return HVLAB_SPF_REFLECT;
	}
	e->gpa = e->walk.gpa;
	if (to_hpa(NULL, e->gpa, &hpa, &ro) || (ro && (access & HVLAB_ACC_WRITE)))
		return HVLAB_SPF_MMIO;
	e->hpa = hpa;
	if (ro)
		flags |= HVLAB_SPTE_RO;
	if (cache && hvlab_sroot_tracks_gfn(cache, e->gpa >> 12)) {
		if (access & HVLAB_ACC_WRITE) {
			e->spte = hvlab_shadow_pte(&e->walk, hpa, access, flags);
			return HVLAB_SPF_PT_WRITE;
		}
		flags |= HVLAB_SPTE_RO;
	}
	e->spte = hvlab_shadow_pte(&e->walk, hpa, access, flags);
	return HVLAB_SPF_FILL;
}

static const char *const names[] = { "FILL", "REFLECT", "MMIO", "PT_WRITE", "RETRY", "ERROR" };

static const char *name(int a)
{
	return a >= 0 && a <= 5 ? names[a] : "?";
}

/* One fault at gva; want_action < 0: any action, else only that one. */
static void fault(uint64_t gva, unsigned int access, const struct hvlab_sroot_cache *cache,
		  int want_action)
{
	struct hvlab_spf out, e;
	int want = expect(gva, access, cache, &e), got;

	if (want_action >= 0 && want != want_action)
		return;
	got = hvlab_shadow_page_fault(&g, &slots, cache, gva, access, HVLAB_SPTE_NX, &out);
	CHECK(got == want && out.action == want, "GVA %#llx access %#x (GPA %#llx): %s, want %s",
	      (unsigned long long)gva, access, (unsigned long long)e.gpa, name(got), name(want));
	switch (want) {
	case HVLAB_SPF_REFLECT:
		CHECK(out.error_code == e.error_code && out.cr2 == gva,
		      "GVA %#llx: reflect error code %#x CR2 %#llx, want %#x and the GVA",
		      (unsigned long long)gva, out.error_code, (unsigned long long)out.cr2,
		      e.error_code);
		break;
	case HVLAB_SPF_MMIO:
		CHECK(out.gpa == e.gpa, "MMIO at GPA %#llx, want %#llx",
		      (unsigned long long)out.gpa, (unsigned long long)e.gpa);
		break;
	default:
		CHECK(out.gpa == e.gpa && out.hpa == e.hpa,
		      "GVA %#llx: GPA %#llx HPA %#llx, want %#llx and %#llx",
		      (unsigned long long)gva, (unsigned long long)out.gpa,
		      (unsigned long long)out.hpa, (unsigned long long)e.gpa,
		      (unsigned long long)e.hpa);
		CHECK(out.spte == e.spte, "GVA %#llx access %#x: spte %#llx, want %#llx",
		      (unsigned long long)gva, access, (unsigned long long)out.spte,
		      (unsigned long long)e.spte);
	}
}

static unsigned int random_access(void)
{
	return (unsigned int)(rnd() & (HVLAB_ACC_WRITE | HVLAB_ACC_USER));
}

LAB_TEST(fill_maps_gva_to_the_host_frame)
{
	for (int round = 0; round < 20; round++) {
		build();
		for (unsigned int i = 0; i < nmaps; i++) {
			fault(maps[i].gva | (rnd() & 0xfff), random_access(), NULL, HVLAB_SPF_FILL);
			BAIL();
		}
	}
}

LAB_TEST(reflect_the_guests_own_faults)
{
	for (int round = 0; round < 20; round++) {
		build();
		for (unsigned int i = 0; i < nmaps; i++) {
			/* a user or write access the rights forbid, and a hole */
			fault(maps[i].gva, HVLAB_ACC_WRITE | HVLAB_ACC_USER, NULL, HVLAB_SPF_REFLECT);
			BAIL();
			fault(rnd() & 0x00007ffffffff000ull, random_access(), NULL, HVLAB_SPF_REFLECT);
			BAIL();
		}
	}
}

LAB_TEST(mmio_and_read_only_slots)
{
	for (int round = 0; round < 20; round++) {
		build();
		for (unsigned int i = 0; i < nmaps; i++) {
			if (maps[i].gpa < RO_LO)
				continue;
			fault(maps[i].gva, HVLAB_ACC_WRITE, NULL, -1);
			BAIL();
			fault(maps[i].gva, HVLAB_ACC_READ, NULL, -1);
			BAIL();
		}
	}
}

LAB_TEST(writes_to_tracked_guest_tables)
{
	static struct hvlab_sroot_cache cache;

	for (int round = 0; round < 20; round++) {
		build();
		hvlab_sroot_init(&cache);
		hvlab_sroot_claim(&cache, 0, g.cr3, hvlab_sroot_role(&g));
		/* half of the RAM pages the guest maps are "guest page tables" */
		for (unsigned int i = 0; i < nmaps; i++)
			if (maps[i].gpa < RO_LO && (rnd() & 1))
				hvlab_sroot_note_table(&cache, 0, maps[i].gpa >> 12);
		for (unsigned int i = 0; i < nmaps; i++) {
			fault(maps[i].gva, HVLAB_ACC_WRITE, &cache, -1);
			BAIL();
			fault(maps[i].gva, HVLAB_ACC_READ, &cache, -1);
			BAIL();
		}
	}
}

/* The essay's example end to end: GVA 0x1000 -> GPA 0x2000 -> a host frame. */
LAB_TEST(essay_gva_0x1000)
{
	struct hvlab_spf out;

	build();
	CHECK(map(0x1000, 0x2000, HVLAB_PTE_W), "map");
	hvlab_shadow_page_fault(&g, &slots, NULL, 0x1abc, HVLAB_ACC_WRITE, 0, &out);
	CHECK(out.action == HVLAB_SPF_FILL && out.gpa == 0x2abc && out.hpa == 0x2abc + hoff,
	      "GVA 0x1abc: %s GPA %#llx HPA %#llx, want FILL, 0x2abc, %#llx", name(out.action),
	      (unsigned long long)out.gpa, (unsigned long long)out.hpa,
	      (unsigned long long)(0x2abc + hoff));
	CHECK((out.spte & 0xffffffffff000ull) == 0x2000 + hoff && (out.spte & HVLAB_PTE_W),
	      "spte %#llx: the shadow PTE maps the GVA to host frame %#llx, writable",
	      (unsigned long long)out.spte, (unsigned long long)(0x2000 + hoff));
}
