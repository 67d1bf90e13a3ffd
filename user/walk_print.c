// SPDX-License-Identifier: GPL-2.0
/*
 * walk_print.c - the translation inspector's answer as text.
 *
 * A struct hvlab_translation holds up to two walks: the guest's own tables
 * (GVA -> GPA, table addresses are guest-physical) and the second stage
 * (GPA -> HPA through EPT, or GVA -> HPA through the shadow tables when
 * t->shadow is 1; table addresses are host-physical).  Each step becomes
 * one line: the table and index the CPU used, the table's address, the
 * entry's value, and the entry's bits decoded.  For the seed's example:
 *
 *   GVA 0x1000, 4-level paging
 *     PML4[0]     @ gpa 0x5000 = 0x6007  P W U
 *     ...
 *     PT[1]       @ gpa 0x8000 = 0x2007  P W U
 *     → GPA 0x2000
 *     EPT PML4[0] @ hpa ...
 *     → HPA 0x102000
 *
 * Invariants: the text depends only on *t (no locale, no global state), so
 * tests can compare it byte for byte; nothing in *t is trusted - step
 * counts are clamped to HVLAB_WALK_MAX_STEPS and unknown levels, modes and
 * fault codes are printed as numbers.  Bit names follow SDM Vol. 3 4.3-4.5
 * (x86 entries) and tables 29-1..29-6 (EPT entries).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "walk_print.h"
#include "../kmod/pure_walk.h"
#include "../kmod/pure_ept.h"

/* An snprintf that appends and remembers the length it would need. */
struct wbuf {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct wbuf *o, const char *fmt, ...)
{
	va_list ap;
	size_t room = o->len < o->size ? o->size - o->len : 0;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

const char *walk_mode_name(unsigned int paging_mode)
{
	switch (paging_mode) {
	case HVLAB_PG_OFF:
		return "paging off";
	case HVLAB_PG_32:
		return "32-bit paging";
	case HVLAB_PG_PAE:
		return "PAE paging";
	case HVLAB_PG_4LEVEL:
		return "4-level paging";
	case HVLAB_PG_5LEVEL:
		return "5-level paging";
	default:
		return "unknown paging mode";
	}
}

const char *walk_level_name(unsigned int level)
{
	static const char *const names[] = {
		[1] = "PT", [2] = "PD", [3] = "PDPT", [4] = "PML4", [5] = "PML5",
	};

	return level >= 1 && level <= 5 ? names[level] : "L?";
}

/* Index the CPU used at `level`; 32-bit and PAE-PDPT tables differ. */
static unsigned int step_index(unsigned int mode, unsigned int level,
			       uint64_t va)
{
	if (level < 1 || level > 5)
		return 0;
	if (mode == HVLAB_PG_32 && level > 2)
		return 0;
	return hvlab_pt_index((int)mode, level, va);
}

static void name_cell(struct wbuf *o, const char *prefix, unsigned int level,
		      unsigned int index, int width)
{
	char cell[32];

	if (level >= 1 && level <= 5)
		snprintf(cell, sizeof(cell), "%s%s[%u]", prefix,
			 walk_level_name(level), index);
	else
		snprintf(cell, sizeof(cell), "%sL%u", prefix, level);
	put(o, "  %-*s", width, cell);
}

/* Bits of an x86 paging entry (guest tables and shadow tables). */
static void x86_bits(struct wbuf *o, uint64_t e, unsigned int level,
		     unsigned int mode)
{
	int large = level > 1 && (e & HVLAB_PTE_PS);

	if (!(e & HVLAB_PTE_P)) {
		put(o, "  not present");
		return;
	}
	put(o, "  P");
	/* PAE PDPTEs have no R/W, U/S, A (SDM Vol. 3 table 4-8) */
	if (!(mode == HVLAB_PG_PAE && level == 3)) {
		if (e & HVLAB_PTE_W)
			put(o, " W");
		if (e & HVLAB_PTE_U)
			put(o, " U");
	}
	if (e & HVLAB_PTE_PWT)
		put(o, " PWT");
	if (e & HVLAB_PTE_PCD)
		put(o, " PCD");
	if (e & HVLAB_PTE_A)
		put(o, " A");
	if (e & HVLAB_PTE_D)
		put(o, " D");
	if (large)
		put(o, " PS");
	if ((level == 1 && (e & HVLAB_PTE_PS)) ||
	    (large && (e & HVLAB_PTE_PAT_LARGE)))
		put(o, " PAT");
	if ((level == 1 || large) && (e & HVLAB_PTE_G))
		put(o, " G");
	if (mode != HVLAB_PG_32 && (e & HVLAB_PTE_XD))
		put(o, " XD");
}

static const char *memtype_name(unsigned int mt)
{
	switch (mt) {
	case HVLAB_MT_UC:
		return "UC";
	case HVLAB_MT_WC:
		return "WC";
	case HVLAB_MT_WT:
		return "WT";
	case HVLAB_MT_WP:
		return "WP";
	case HVLAB_MT_WB:
		return "WB";
	default:
		return "MT?";
	}
}

/* Bits of an EPT entry. */
static void ept_bits(struct wbuf *o, uint64_t e, unsigned int level)
{
	int leaf = level == 1 || ((level == 2 || level == 3) &&
				  (e & HVLAB_EPT_PS));

	if (!(e & HVLAB_EPT_RWX)) {
		put(o, "  not present");
		return;
	}
	put(o, " ");
	if (e & HVLAB_EPT_R)
		put(o, " R");
	if (e & HVLAB_EPT_W)
		put(o, " W");
	if (e & HVLAB_EPT_X)
		put(o, " X");
	if (e & HVLAB_EPT_A)
		put(o, " A");
	if (e & HVLAB_EPT_D)
		put(o, " D");
	if (leaf) {
		if (level > 1)
			put(o, " PS");
		put(o, " %s",
		    memtype_name((e >> HVLAB_EPT_MT_SHIFT) & 7));
		if (e & HVLAB_EPT_IPAT)
			put(o, " IPAT");
	}
}

static unsigned int clamp_steps(unsigned int n)
{
	return n > HVLAB_WALK_MAX_STEPS ? HVLAB_WALK_MAX_STEPS : n;
}

/* Why the guest walk stopped, in words, from the entry it stopped on. */
static void guest_fault(struct wbuf *o, const struct hvlab_translation *t,
			unsigned int nsteps)
{
	const struct hvlab_walk_step *last = nsteps ? &t->guest[nsteps - 1] :
						      NULL;

	put(o, "  #PF at %s (level %u): ", walk_level_name(t->fault_level),
	    t->fault_level);
	if (last && last->level == t->fault_level &&
	    !(last->entry & HVLAB_PTE_P))
		put(o, "entry not present\n");
	else
		put(o, "the entries forbid this access (rights or reserved bits)\n");
}

size_t walk_format(const struct hvlab_translation *t, char *buf, size_t size,
		   unsigned int flags)
{
	const char *arrow = (flags & WALK_FMT_ASCII) ? "->" : "\xe2\x86\x92";
	struct wbuf o = { .buf = buf, .size = size, .len = 0 };
	unsigned int ng = clamp_steps(t->guest_steps);
	unsigned int ns = clamp_steps(t->second_steps);
	unsigned int i, mode = t->paging_mode;
	const char *sp = t->shadow ? "SPT " : "EPT ";

	if (size)
		buf[0] = '\0';
	put(&o, "GVA 0x%llx, %s", (unsigned long long)t->gva,
	    walk_mode_name(mode));
	if (mode == HVLAB_PG_OFF)
		put(&o, " (GPA = GVA)");
	else if (mode != 2 && mode != 3 && mode != 4 && mode != 5)
		put(&o, " %u", mode);
	if (t->shadow)
		put(&o, ", shadow paging");
	put(&o, "\n");

	for (i = 0; i < ng; i++) {
		const struct hvlab_walk_step *s = &t->guest[i];

		name_cell(&o, "", s->level, step_index(mode, s->level, t->gva),
			  12);
		put(&o, "@ gpa 0x%llx = 0x%llx", (unsigned long long)s->table,
		    (unsigned long long)s->entry);
		x86_bits(&o, s->entry, s->level, mode);
		put(&o, "\n");
	}
	if (t->fault == HVLAB_WALK_GUEST_FAULT) {
		guest_fault(&o, t, ng);
		return o.len;
	}
	if (t->fault == HVLAB_WALK_NO_SLOT && t->gpa == 0 && ng &&
	    t->fault_level) {
		put(&o, "  the table below %s (level %u) is outside guest memory\n",
		    walk_level_name(t->fault_level), t->fault_level);
		return o.len;
	}
	put(&o, "  %s GPA 0x%llx\n", arrow, (unsigned long long)t->gpa);
	if (t->fault == HVLAB_WALK_NO_SLOT) {
		put(&o, "  GPA 0x%llx is in no memory slot (MMIO)\n",
		    (unsigned long long)t->gpa);
		return o.len;
	}

	for (i = 0; i < ns; i++) {
		const struct hvlab_walk_step *s = &t->second[i];
		unsigned int idx;

		if (t->shadow)
			idx = step_index(ns == 3 ? HVLAB_PG_PAE :
					 HVLAB_PG_4LEVEL, s->level, t->gva);
		else
			idx = s->level >= 1 && s->level <= 5 ?
			      hvlab_ept_index(t->gpa, s->level) : 0;
		name_cell(&o, sp, s->level, idx, 12);
		put(&o, "@ hpa 0x%llx = 0x%llx", (unsigned long long)s->table,
		    (unsigned long long)s->entry);
		if (t->shadow)
			x86_bits(&o, s->entry, s->level,
				 ns == 3 ? HVLAB_PG_PAE : HVLAB_PG_4LEVEL);
		else
			ept_bits(&o, s->entry, s->level);
		put(&o, "\n");
	}
	if (t->fault == HVLAB_WALK_EPT_FAULT) {
		if (t->shadow)
			put(&o, "  no shadow entry at %s (level %u): filled on the next access\n",
			    walk_level_name(t->fault_level), t->fault_level);
		else
			put(&o, "  EPT violation at %s (level %u)\n",
			    walk_level_name(t->fault_level), t->fault_level);
		return o.len;
	}
	if (t->fault != HVLAB_WALK_OK) {
		put(&o, "  stopped: unknown fault code %u at level %u\n",
		    t->fault, t->fault_level);
		return o.len;
	}
	put(&o, "  %s HPA 0x%llx\n", arrow, (unsigned long long)t->hpa);
	return o.len;
}

int walk_fprint(FILE *f, const char *indent, const struct hvlab_translation *t,
		unsigned int flags)
{
	char text[4096];
	const char *line = text, *nl;

	walk_format(t, text, sizeof(text), flags);
	while (*line) {
		nl = strchr(line, '\n');
		if (!nl)
			nl = line + strlen(line);
		if (fprintf(f, "%s%.*s\n", indent ? indent : "",
			    (int)(nl - line), line) < 0)
			return -1;
		line = *nl ? nl + 1 : nl;
	}
	return 0;
}
