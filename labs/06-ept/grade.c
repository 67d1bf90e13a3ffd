// SPDX-License-Identifier: GPL-2.0
/*
 * grade.c - lab 6's native checks: the EPT walk, guest-physical to
 * host-physical (kmod/pure_ept.c, ept_walk_once), which the translation
 * inspector (kmod/walk.c) runs and which tells what an EPT violation's exit
 * qualification says.  The other half of the lab, ept_leaf() in
 * kmod/ept.c, builds the real EPT on violations and is checked in the VM.
 *
 * EPT tables for random GPAs, random host frames, random page sizes and
 * random rights are built in a byte array standing for host memory with
 * the reference builders (hvlab_ept_map, hvlab_ept_leaf); each walk is
 * checked against what the SDM says the CPU does (Vol. 3 29.3.2-29.3.3,
 * the qualification in 28.2.1, table 28-7).
 */
#include "grade.h"
#include "test_walk_mem.h"

#define MEM_BASE	0x100000ull

static struct fakemem fm;
static struct hvlab_pmem pm;
static struct hvlab_ept_ctx ctx;

struct emap {
	uint64_t gpa, hpa;
	unsigned int level, perm;
};

static struct emap maps[64];
static unsigned int nmaps;

static const unsigned int perms[] = {
	HVLAB_EPT_R, HVLAB_EPT_R | HVLAB_EPT_W, HVLAB_EPT_R | HVLAB_EPT_X, HVLAB_EPT_RWX,
	HVLAB_EPT_X,
};

static unsigned int shift_of(unsigned int level)
{
	return 12 + 9 * (level - 1);
}

static void build(void)
{
	__u64 pml4 = 0;

	fm_init(&fm, &pm, MEM_BASE, 1u << 20);
	fm_alloc(&fm, &pml4);
	memset(&ctx, 0, sizeof(ctx));
	ctx.eptp = hvlab_ept_make_eptp(pml4, (int)(rnd() & 1));
	ctx.maxphyaddr = 40;
	ctx.mem = &pm;
	nmaps = 0;
	for (int tries = 0; tries < 200 && nmaps < 64; tries++) {
		unsigned int r = (unsigned int)rnd_range(0, 9);
		unsigned int level = r < 7 ? 1 : r < 9 ? 2 : 3;
		uint64_t mask = ~((1ull << shift_of(level)) - 1);
		uint64_t gpa = rnd() & 0xffffffffffull & mask;
		uint64_t hpa = rnd() & 0xffffffffffull & mask;
		unsigned int perm = perms[rnd() % 5];
		int clash = 0;

		for (unsigned int k = 0; k < nmaps; k++) {
			unsigned int s = shift_of(level > maps[k].level ? level : maps[k].level) + 9;

			/* keep mappings apart: no two share a leaf table */
			if (!((gpa ^ maps[k].gpa) >> s))
				clash = 1;
		}
		if (clash)
			continue;
		if (hvlab_ept_map(&pm, pml4, gpa, hvlab_ept_leaf(hpa, level, perm), level))
			continue;
		maps[nmaps++] = (struct emap){ gpa, hpa, level, perm };
	}
}

static unsigned int access_bits(unsigned int a)
{
	return a & (HVLAB_EPT_ACC_READ | HVLAB_EPT_ACC_WRITE | HVLAB_EPT_ACC_FETCH);
}

LAB_TEST(ept_walk_random_maps)
{
	for (int round = 0; round < 20; round++) {
		build();
		for (unsigned int i = 0; i < nmaps; i++) {
			const struct emap *m = &maps[i];
			static const unsigned int accs[] = { HVLAB_EPT_ACC_READ, HVLAB_EPT_ACC_WRITE,
							     HVLAB_EPT_ACC_FETCH };
			unsigned int a = accs[rnd() % 3];
			unsigned int eff = m->perm | ((m->perm & HVLAB_EPT_W) ? HVLAB_EPT_R : 0);
			uint64_t off = rnd() & ((1ull << shift_of(m->level)) - 1);
			struct hvlab_ept_walk w;
			int allowed = !!(eff & a);	/* R, W, X sit at the same bits */

			hvlab_ept_walk(&ctx, m->gpa + off, a, &w);
			CHECK(w.nsteps == 5 - m->level, "GPA %#llx (level-%u leaf): %u steps, want %u",
			      (unsigned long long)(m->gpa + off), m->level, w.nsteps, 5 - m->level);
			if (allowed) {
				CHECK(w.status == HVLAB_EPT_OK && w.hpa == m->hpa + off,
				      "GPA %#llx access %u: status %d HPA %#llx, want OK and HPA %#llx",
				      (unsigned long long)(m->gpa + off), a, w.status,
				      (unsigned long long)w.hpa, (unsigned long long)(m->hpa + off));
				CHECK(w.page_shift == shift_of(m->level) && w.memtype == HVLAB_MT_WB,
				      "page_shift %u memtype %u, want %u and WB (6)", w.page_shift,
				      w.memtype, shift_of(m->level));
			} else {
				uint64_t q = access_bits(a) | (uint64_t)eff << 3;

				CHECK(w.status == HVLAB_EPT_VIOLATION && w.fault_level == m->level,
				      "GPA %#llx rights %#x access %u: status %d at level %u, want an "
				      "EPT violation at level %u", (unsigned long long)(m->gpa + off),
				      eff, a, w.status, w.fault_level, m->level);
				CHECK(w.qual == q, "qualification %#llx, want %#llx",
				      (unsigned long long)w.qual, (unsigned long long)q);
			}
		}
	}
}

LAB_TEST(ept_violation_on_holes)
{
	for (int round = 0; round < 20; round++) {
		build();
		for (int k = 0; k < 40; k++) {
			uint64_t gpa = rnd() & 0xffffffffffull;
			int covered = 0;
			struct hvlab_ept_walk w;
			unsigned int a = HVLAB_EPT_ACC_READ |
					 ((rnd() & 1) ? HVLAB_EPT_ACC_GLA_VALID : 0);

			for (unsigned int i = 0; i < nmaps; i++)
				if (!((gpa ^ maps[i].gpa) >> shift_of(maps[i].level)))
					covered = 1;
			if (covered)
				continue;
			hvlab_ept_walk(&ctx, gpa, a, &w);
			CHECK(w.status == HVLAB_EPT_VIOLATION, "unmapped GPA %#llx: status %d, want a "
			      "violation", (unsigned long long)gpa, w.status);
			CHECK(w.nsteps >= 1 && w.fault_level == w.steps[w.nsteps - 1].level &&
			      !(w.steps[w.nsteps - 1].entry & HVLAB_EPT_RWX),
			      "unmapped GPA %#llx: the walk must stop at the first entry that is not "
			      "present (stopped at level %u after %u steps)", (unsigned long long)gpa,
			      w.fault_level, w.nsteps);
			CHECK(w.qual == (HVLAB_EPTQ_READ | ((a & HVLAB_EPT_ACC_GLA_VALID) ?
							    HVLAB_EPTQ_GLA_VALID : 0)),
			      "unmapped GPA %#llx: qualification %#llx", (unsigned long long)gpa,
			      (unsigned long long)w.qual);
		}
	}
}

/* A writable-not-readable leaf is a misconfiguration, not a violation. */
LAB_TEST(ept_misconfig_is_not_a_violation)
{
	for (int round = 0; round < 20; round++) {
		struct hvlab_ept_walk w;
		const struct emap *m;
		uint64_t ea;

		build();
		m = &maps[rnd() % nmaps];
		hvlab_ept_walk(&ctx, m->gpa, HVLAB_EPT_ACC_READ, &w);
		CHECK(w.nsteps >= 1, "GPA %#llx: no steps", (unsigned long long)m->gpa);
		ea = w.steps[w.nsteps - 1].entry_addr;
		put64(&fm, ea, (get64(&fm, ea) & ~HVLAB_EPT_RWX) | HVLAB_EPT_W);
		hvlab_ept_walk(&ctx, m->gpa, HVLAB_EPT_ACC_READ, &w);
		CHECK(w.status == HVLAB_EPT_MISCONFIG && w.fault_level == m->level,
		      "W-only leaf at level %u: status %d at level %u, want a misconfiguration",
		      m->level, w.status, w.fault_level);
	}
}

/* The essay's example, second stage: GPA 0x2000 -> a host frame. */
LAB_TEST(essay_gpa_0x2000)
{
	__u64 pml4 = 0;
	uint64_t hpa = (rnd() & 0xfffffff000ull) | 0x1000;
	struct hvlab_ept_walk w;

	fm_init(&fm, &pm, MEM_BASE, 1u << 20);
	fm_alloc(&fm, &pml4);
	memset(&ctx, 0, sizeof(ctx));
	ctx.eptp = hvlab_ept_make_eptp(pml4, 0);
	ctx.maxphyaddr = 40;
	ctx.mem = &pm;
	CHECK(!hvlab_ept_map(&pm, pml4, 0x2000, hvlab_ept_leaf(hpa, 1, HVLAB_EPT_RWX), 1), "map");
	hvlab_ept_walk(&ctx, 0x2abc, HVLAB_EPT_ACC_WRITE, &w);
	CHECK(w.status == HVLAB_EPT_OK && w.hpa == hpa + 0xabc,
	      "GPA 0x2abc: status %d HPA %#llx, want %#llx", w.status,
	      (unsigned long long)w.hpa, (unsigned long long)(hpa + 0xabc));
	CHECK(w.nsteps == 4 && w.steps[3].entry_addr == w.steps[3].table + 2 * 8,
	      "the PTE of GPA 0x2000 is entry 2 of its table (0x2000 >> 12)");
}
