// SPDX-License-Identifier: GPL-2.0
/*
 * grade.c - lab 5's checks: the software page walker (kmod/pure_walk.c,
 * hvlab_pt_index and walk_once) in 32-bit, PAE and 4-level paging.
 *
 * Each check builds page tables for random guest-virtual addresses,
 * pointing at random guest-physical frames with random page sizes, in a
 * byte array standing for guest memory (tests/unit/test_walk_mem.h).  The
 * builder here is written from the SDM's formats (Vol. 3 4.3-4.5), not from
 * the walker, and the walk must find every mapping, report its steps (the
 * entry addresses a CPU would read), and fault where nothing is mapped.
 */
#include "grade.h"
#include "test_walk_mem.h"

#define MEM_BASE	0x100000ull	/* tables live in [1 MiB, 2 MiB) */
#define MAX_MAPS	48

static struct fakemem fm;
static struct hvlab_pmem pm;

struct map {
	uint64_t gva, gpa;
	unsigned int level;		/* of the leaf: 1, 2 (or 3 in 4-level) */
	uint64_t steps[5];		/* entry addresses, top level first */
};

static struct map maps[MAX_MAPS];
static unsigned int nmaps;

static uint64_t new_table(void)
{
	__u64 pa = 0;

	if (fm_alloc(&fm, &pa))
		return 0;
	return pa;
}

static unsigned int shift_of(int mode, unsigned int level)
{
	if (mode == HVLAB_PG_32)
		return level == 2 ? 22 : 12;
	return 12 + 9 * (level - 1);
}

static uint64_t index_of(int mode, unsigned int level, uint64_t va)
{
	if (mode == HVLAB_PG_32)
		return (va >> shift_of(mode, level)) & 0x3ff;
	if (mode == HVLAB_PG_PAE && level == 3)
		return (va >> 30) & 3;
	return (va >> shift_of(mode, level)) & 0x1ff;
}

static uint64_t rd(int mode, uint64_t pa)
{
	return mode == HVLAB_PG_32 ? get32(&fm, pa) : get64(&fm, pa);
}

static void wr(int mode, uint64_t pa, uint64_t v)
{
	if (mode == HVLAB_PG_32)
		put32(&fm, pa, (uint32_t)v);
	else
		put64(&fm, pa, v);
}

/*
 * Maps gva -> gpa with a leaf at `level`, creating tables as needed.
 * Returns 0 when the mapping would clash with an earlier one.
 */
static int map(int mode, uint64_t root, uint64_t gva, uint64_t gpa, unsigned int level)
{
	unsigned int esz = mode == HVLAB_PG_32 ? 4 : 8, l;
	uint64_t table = root, ea, e;
	struct map *m = &maps[nmaps];

	for (l = mode; ; l--) {
		ea = table + index_of(mode, l, gva) * esz;
		m->steps[mode - l] = ea;
		e = rd(mode, ea);
		if (l == level) {
			if (e & HVLAB_PTE_P)
				return 0;
			break;
		}
		if (e & HVLAB_PTE_P) {
			if (l != 3 || mode != HVLAB_PG_PAE)
				if (e & HVLAB_PTE_PS)
					return 0;	/* a large page is there */
			table = e & (mode == HVLAB_PG_32 ? 0xfffff000ull : 0xffffffffff000ull);
			continue;
		}
		table = new_table();
		if (!table)
			return 0;
		/* PAE PDPTEs have P and little else (4.4.1) */
		wr(mode, ea, table | HVLAB_PTE_P |
		   (mode == HVLAB_PG_PAE && l == 3 ? 0 : HVLAB_PTE_W | HVLAB_PTE_U));
	}
	gpa &= ~((1ull << shift_of(mode, level)) - 1);
	wr(mode, ea, gpa | HVLAB_PTE_P | HVLAB_PTE_W | HVLAB_PTE_U |
	   (level > 1 ? HVLAB_PTE_PS : 0));
	m->gva = gva;
	m->gpa = gpa | (gva & ((1ull << shift_of(mode, level)) - 1));
	m->level = level;
	nmaps++;
	return 1;
}

static void ctx_for(int mode, uint64_t root, struct hvlab_gwalk_ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->cr0 = HVLAB_CR0_PG | HVLAB_CR0_WP;
	c->cr3 = root;
	c->maxphyaddr = 40;
	c->mem = &pm;
	if (mode == HVLAB_PG_32) {
		c->cr4 = HVLAB_CR4_PSE;
	} else if (mode == HVLAB_PG_PAE) {
		c->cr4 = HVLAB_CR4_PAE;
	} else {
		c->cr4 = HVLAB_CR4_PAE;
		c->efer = HVLAB_EFER_LME | HVLAB_EFER_LMA;
	}
}

static uint64_t random_gva(int mode)
{
	uint64_t va = rnd();

	if (mode != HVLAB_PG_4LEVEL)
		return va & 0xffffffffull;
	/* canonical: bits 63:47 all equal */
	return (va & (1ull << 47)) ? va | 0xffff800000000000ull : va & 0x00007fffffffffffull;
}

static uint64_t random_gpa(int mode)
{
	/* below MAXPHYADDR (40 here): higher bits are reserved */
	return rnd() & (mode == HVLAB_PG_4LEVEL ? 0xfffffff000ull : 0xfffff000ull);
}

/* Builds tables for up to MAX_MAPS random mappings; returns the root. */
static uint64_t build(int mode)
{
	uint64_t root;

	fm_init(&fm, &pm, MEM_BASE, 1u << 20);
	fm.next_table = MEM_BASE + 0x1000;
	nmaps = 0;
	/* PAE: the PDPT is 32-byte aligned, anywhere in its page */
	root = new_table() + (mode == HVLAB_PG_PAE ? rnd_range(0, 127) * 32 : 0);
	for (int tries = 0; nmaps < MAX_MAPS && tries < 4 * MAX_MAPS; tries++) {
		unsigned int r = (unsigned int)rnd_range(0, 9), level = 1;

		if (r >= 7)
			level = 2;
		if (r == 9 && mode == HVLAB_PG_4LEVEL)
			level = 3;
		map(mode, root, random_gva(mode), random_gpa(mode), level);
	}
	return root;
}

static void check_maps(int mode, uint64_t root)
{
	struct hvlab_gwalk_ctx c;
	struct hvlab_gwalk w;

	ctx_for(mode, root, &c);
	for (unsigned int i = 0; i < nmaps; i++) {
		const struct map *m = &maps[i];
		unsigned int acc = rnd() & 1 ? HVLAB_ACC_WRITE : HVLAB_ACC_READ;

		hvlab_gwalk(&c, m->gva, acc, &w);
		CHECK(w.status == HVLAB_GW_OK, "GVA %#llx: status %d, want OK (mapped to GPA %#llx)",
		      (unsigned long long)m->gva, w.status, (unsigned long long)m->gpa);
		CHECK(w.gpa == m->gpa, "GVA %#llx: GPA %#llx, want %#llx",
		      (unsigned long long)m->gva, (unsigned long long)w.gpa,
		      (unsigned long long)m->gpa);
		CHECK(w.page_shift == shift_of(mode, m->level), "GVA %#llx: page_shift %u, want %u",
		      (unsigned long long)m->gva, w.page_shift, shift_of(mode, m->level));
		CHECK(w.nsteps == (unsigned int)mode - m->level + 1,
		      "GVA %#llx: %u steps, want %u", (unsigned long long)m->gva, w.nsteps,
		      mode - m->level + 1);
		for (unsigned int s = 0; s < w.nsteps; s++)
			CHECK(w.steps[s].entry_addr == m->steps[s] &&
			      w.steps[s].level == (unsigned int)mode - s,
			      "GVA %#llx step %u: level %u entry at %#llx, want level %u at %#llx",
			      (unsigned long long)m->gva, s, w.steps[s].level,
			      (unsigned long long)w.steps[s].entry_addr, mode - s,
			      (unsigned long long)m->steps[s]);
	}
}

/* Random addresses that no mapping covers must fault, not present. */
static void check_holes(int mode, uint64_t root)
{
	struct hvlab_gwalk_ctx c;
	struct hvlab_gwalk w;
	unsigned int checked = 0;

	ctx_for(mode, root, &c);
	for (int i = 0; i < 2000 && checked < 32; i++) {
		uint64_t va = random_gva(mode);
		unsigned int acc = (unsigned int)(rnd() & (HVLAB_ACC_WRITE | HVLAB_ACC_USER));
		int covered = 0;

		for (unsigned int k = 0; k < nmaps; k++)
			if (!((va ^ maps[k].gva) >> shift_of(mode, maps[k].level)))
				covered = 1;
		if (covered)
			continue;
		checked++;
		hvlab_gwalk(&c, va, acc, &w);
		CHECK(w.status == HVLAB_GW_PAGE_FAULT,
		      "unmapped GVA %#llx: status %d, want a page fault (%d)",
		      (unsigned long long)va, w.status, HVLAB_GW_PAGE_FAULT);
		CHECK(w.error_code == acc, "unmapped GVA %#llx, access %#x: error code %#x, want %#x",
		      (unsigned long long)va, acc, w.error_code, acc);
		CHECK(w.fault_level == w.steps[w.nsteps - 1].level && w.nsteps >= 1,
		      "unmapped GVA %#llx: fault at level %u", (unsigned long long)va,
		      w.fault_level);
	}
}

static void mode_check(int mode)
{
	for (int round = 0; round < 4; round++) {
		uint64_t root = build(mode);

		check_maps(mode, root);
		BAIL();
		check_holes(mode, root);
		BAIL();
	}
}

LAB_TEST(walk_32bit_random)
{
	mode_check(HVLAB_PG_32);
}

LAB_TEST(walk_pae_random)
{
	mode_check(HVLAB_PG_PAE);
}

LAB_TEST(walk_4level_random)
{
	mode_check(HVLAB_PG_4LEVEL);
}

/* The essay's example in each mode: guest VA 0x1000 -> GPA 0x2000. */
LAB_TEST(essay_va_0x1000_in_every_mode)
{
	static const int modes[] = { HVLAB_PG_32, HVLAB_PG_PAE, HVLAB_PG_4LEVEL };

	for (unsigned int i = 0; i < 3; i++) {
		struct hvlab_gwalk_ctx c;
		struct hvlab_gwalk w;
		uint64_t root;

		fm_init(&fm, &pm, MEM_BASE, 1u << 20);
		fm.next_table = MEM_BASE + 0x1000 * rnd_range(1, 64);
		nmaps = 0;
		root = new_table();
		CHECK(map(modes[i], root, 0x1000, 0x2000, 1), "building the tables");
		ctx_for(modes[i], root, &c);
		hvlab_gwalk(&c, 0x1abc, HVLAB_ACC_READ, &w);
		CHECK(w.status == HVLAB_GW_OK && w.gpa == 0x2abc,
		      "%d-level paging: GVA 0x1abc gives status %d GPA %#llx, want GPA 0x2abc",
		      modes[i], w.status, (unsigned long long)w.gpa);
	}
}

/*
 * Rights combine over the levels (4.6): a user access through one
 * supervisor-only entry anywhere in the walk faults, with P set in the
 * error code, at that level.
 */
LAB_TEST(supervisor_entry_stops_user_access)
{
	for (int round = 0; round < 32; round++) {
		int mode = (int)rnd_range(2, 4);
		struct hvlab_gwalk_ctx c;
		struct hvlab_gwalk w;
		uint64_t root = build(mode), ea;
		const struct map *m = &maps[rnd() % nmaps];
		unsigned int l = (unsigned int)rnd_range(m->level, mode);

		if (mode == HVLAB_PG_PAE && l == 3)
			l = 2 >= m->level ? 2 : 1;
		ea = m->steps[mode - l];
		wr(mode, ea, rd(mode, ea) & ~HVLAB_PTE_U);
		ctx_for(mode, root, &c);
		hvlab_gwalk(&c, m->gva, HVLAB_ACC_USER, &w);
		CHECK(w.status == HVLAB_GW_PAGE_FAULT,
		      "%d-level: user read of GVA %#llx through a supervisor entry at level %u: status %d",
		      mode, (unsigned long long)m->gva, l, w.status);
		CHECK(w.error_code == (HVLAB_PFERR_P | HVLAB_PFERR_U) && w.fault_level == l,
		      "error code %#x at level %u, want %#x at level %u", w.error_code,
		      w.fault_level, HVLAB_PFERR_P | HVLAB_PFERR_U, l);
		hvlab_gwalk(&c, m->gva, HVLAB_ACC_READ, &w);
		CHECK(w.status == HVLAB_GW_OK, "the supervisor may still read GVA %#llx",
		      (unsigned long long)m->gva);
	}
}
