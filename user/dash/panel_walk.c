// SPDX-License-Identifier: GPL-2.0
/*
 * panel_walk.c - the two-dimensional page walk of one guest-virtual
 * address, level by level, down to the host frame.
 *
 * Stage 1 is the guest's own page tables: CR3 holds a guest-physical
 * address, and each entry points to the next table (SDM Vol. 3 4.5).
 * Stage 2 translates the resulting guest-physical address with the EPT
 * tables the hypervisor owns (SDM Vol. 3 29.3), on AMD with the nested
 * page tables (NPT, APM Vol. 2 15.25: ordinary x86-64 entries), or with
 * shadow page tables.  Every table read in stage 1 is itself a guest-physical access
 * that goes through stage 2 too: that is why the walk is called
 * two-dimensional, and why a TLB miss in a guest costs up to 24 memory
 * reads with 4-level tables on both sides.
 *
 * The walk comes from HVLAB_TRANSLATE when live (or, if that fails, from
 * the newest walk the guest asked for with VMCALL nr 1), from the newest
 * recorded TRACE_WALK record of the same page in a replay.
 */
#include <stdio.h>
#include <string.h>

#include "dash/decode.h"
#include "dash/view.h"

#define ADDR_MASK	0x000ffffffffff000ull	/* bits 51:12 of an entry */

static const char *guest_level_name(unsigned mode, unsigned level)
{
	static const char *const l4[6] = { "?", "PT", "PD", "PDPT", "PML4", "PML5" };

	if (mode == 2)		/* 32-bit paging: PD then PT */
		return level == 2 ? "PD" : level == 1 ? "PT" : "?";
	return level <= 5 ? l4[level] : "?";
}

/* The index an address selects at a level (SDM Vol. 3 Figures 4-2, 4-5, 4-8). */
static unsigned index_at(unsigned mode, unsigned level, uint64_t addr)
{
	if (mode == 2)
		return (addr >> (level == 2 ? 22 : 12)) & 0x3ff;
	if (mode == 3 && level == 3)
		return (addr >> 30) & 3;
	return (addr >> (12 + 9 * (level - 1))) & 0x1ff;
}

static const char *mode_name(unsigned mode)
{
	switch (mode) {
	case 0: return "paging off";
	case 2: return "32-bit paging";
	case 3: return "PAE paging";
	case 4: return "4-level paging";
	case 5: return "5-level paging";
	default: return "?";
	}
}

static const char *fault_name(unsigned f, bool npt)
{
	switch (f) {
	case HVLAB_WALK_GUEST_FAULT: return "the guest's tables say #PF (page fault in the guest)";
	case HVLAB_WALK_NO_SLOT: return "the GPA is in no memory slot (MMIO, or nothing)";
	case HVLAB_WALK_EPT_FAULT: return npt ? "NPT entry not present (nested page fault on access)" :
					       "EPT entry not present (EPT violation on access)";
	default: return "";
	}
}

void panel_walk(const struct dash_model *m, const struct dash_view *v,
		struct canvas *c, int top, int rows)
{
	/* AMD: the second stage is nested paging (NPT), APM Vol. 2 15.25 */
	bool npt = m->cfg.vendor == TRACE_VENDOR_AMD;
	const char *ept = npt ? "NPT" : "EPT";
	struct hvlab_translation t;
	int y = top, end = top + rows;
	char fl[64];
	bool have;

	canvas_printf(c, y++, 0, CA_HEADER, "Page walk   GVA -> GPA (guest tables) -> HPA (%s)", ept);
	if (!v->walk_set) {
		canvas_text(c, y++, 1, CA_NORMAL, "press w and type a guest-virtual address (hex)");
		if (m->nr_walks && !v->translate) {
			int x = canvas_text(c, y, 1, CA_DIM, "recorded walks:");

			for (unsigned i = 0; i < m->nr_walks && x < c->w - 20; i++)
				x = canvas_printf(c, y, x, CA_DIM, " 0x%llx",
						  (unsigned long long)m->walks[i].gva);
		}
		return;
	}
	if (v->translate && (v->walk_live_ok || !model_find_walk(m, v->walk_gva, &t))) {
		have = v->walk_live_ok;
		t = v->walk_live;
		if (!have) {
			canvas_printf(c, y++, 1, CA_ALERT, "HVLAB_TRANSLATE of 0x%llx failed: %s",
				      (unsigned long long)v->walk_gva, strerror(-v->walk_live_err));
			canvas_text(c, y, 1, CA_DIM,
				    "(a walk the guest asked for with VMCALL nr 1 is shown instead)");
			return;
		}
	} else if (v->translate) {
		have = true;	/* HVLAB_TRANSLATE failed: the walk the guest asked for */
		canvas_printf(c, y++, 1, CA_DIM, "HVLAB_TRANSLATE failed (%s): walk recorded at VMCALL",
			      strerror(-v->walk_live_err));
	} else {
		have = model_find_walk(m, v->walk_gva, &t);
		if (!have) {
			int x;

			canvas_printf(c, y++, 1, CA_ALERT, "no walk of GVA 0x%llx in this recording",
				      (unsigned long long)v->walk_gva);
			x = canvas_text(c, y, 1, CA_DIM, "recorded:");
			for (unsigned i = 0; i < m->nr_walks && x < c->w - 20; i++)
				x = canvas_printf(c, y, x, CA_DIM, " 0x%llx",
						  (unsigned long long)m->walks[i].gva);
			if (!m->nr_walks)
				canvas_text(c, y, x, CA_DIM, " none yet");
			return;
		}
	}
	canvas_printf(c, y++, 1, CA_NORMAL, "GVA 0x%llx   %s, second stage %s",
		      (unsigned long long)t.gva, mode_name(t.paging_mode),
		      t.shadow ? "shadow page tables" : ept);
	if (y < end)
		canvas_text(c, y++, 0, CA_HEADER,
			    "Stage 1: the guest's tables (addresses are guest-physical)");
	if (!t.guest_steps && y < end)
		canvas_text(c, y++, 2, CA_DIM, "paging is off: GPA = GVA");
	for (unsigned i = 0; i < t.guest_steps && y < end; i++, y++) {
		const struct hvlab_walk_step *s = &t.guest[i];
		bool last = i + 1 == t.guest_steps;

		decode_pte_flags(s->entry, s->level > 1, fl, sizeof(fl));
		canvas_printf(c, y, 2, (s->entry & 1) ? CA_NORMAL : CA_ALERT,
			      "L%u %-4s table %#9llx [%3u] = %016llx %-14s -> %#llx",
			      s->level, guest_level_name(t.paging_mode, s->level),
			      (unsigned long long)s->table, index_at(t.paging_mode, s->level, t.gva),
			      (unsigned long long)s->entry, fl,
			      (unsigned long long)(last && t.fault == HVLAB_WALK_OK ?
						   (t.gpa & ~0xfffull) : s->entry & ADDR_MASK));
	}
	if (t.fault == HVLAB_WALK_GUEST_FAULT) {
		if (y < end)
			canvas_printf(c, y++, 2, CA_ALERT, "stopped at level %u: %s", t.fault_level,
				      fault_name(t.fault, npt));
		return;
	}
	if (y < end)
		canvas_printf(c, y++, 2, CA_GOOD, "GVA 0x%llx -> GPA 0x%llx",
			      (unsigned long long)t.gva, (unsigned long long)t.gpa);
	if (y < end)
		canvas_printf(c, y++, 0, CA_HEADER,
			      "Stage 2: %s (addresses are host-physical)",
			      t.shadow ? "the shadow tables" : ept);
	for (unsigned i = 0; i < t.second_steps && y < end; i++, y++) {
		const struct hvlab_walk_step *s = &t.second[i];

		/* NPT entries are ordinary x86-64 entries (APM Vol. 2 15.25.5) */
		if (t.shadow || npt)
			decode_pte_flags(s->entry, s->level > 1, fl, sizeof(fl));
		else
			decode_ept_flags(s->entry, fl, sizeof(fl));
		canvas_printf(c, y, 2, (s->entry & (t.shadow || npt ? 1 : 7)) ? CA_NORMAL : CA_ALERT,
			      "L%u %-4s table %#9llx [%3u] = %016llx %-14s -> %#llx",
			      s->level, guest_level_name(4, s->level), (unsigned long long)s->table,
			      index_at(4, s->level, t.gpa), (unsigned long long)s->entry, fl,
			      (unsigned long long)(s->entry & ADDR_MASK));
	}
	if (t.fault != HVLAB_WALK_OK) {
		if (y < end)
			canvas_printf(c, y++, 2, CA_ALERT, "stopped%s: %s",
				      t.fault_level ? " at a level" : "", fault_name(t.fault, npt));
		return;
	}
	if (y < end)
		canvas_printf(c, y++, 2, CA_GOOD, "GPA 0x%llx -> HPA 0x%llx (host frame 0x%llx)",
			      (unsigned long long)t.gpa, (unsigned long long)t.hpa,
			      (unsigned long long)(t.hpa & ~0xfffull));
	if (y < end)
		canvas_printf(c, y++, 0, CA_GOOD, "Result: GVA 0x%llx -> GPA 0x%llx -> HPA 0x%llx",
			      (unsigned long long)t.gva, (unsigned long long)t.gpa,
			      (unsigned long long)t.hpa);
	if (y + 1 < end && t.guest_steps && !t.shadow) {
		canvas_printf(c, ++y, 0, CA_DIM,
			      "Each stage-1 table above is read at a GPA that %s translates too:", ept);
		canvas_printf(c, ++y, 0, CA_DIM,
			      "%u guest levels x (%u %s reads + 1) + %u = %u memory reads on a TLB miss.",
			      t.guest_steps, t.second_steps, ept, t.second_steps,
			      t.guest_steps * (t.second_steps + 1) + t.second_steps);
	}
}
