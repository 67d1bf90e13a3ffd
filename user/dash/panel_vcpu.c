// SPDX-License-Identifier: GPL-2.0
/*
 * panel_vcpu.c - the registers of one vCPU at the last snapshot, with the
 * values that changed since the snapshot before in highlight, and what
 * they mean: the CPU mode (SDM Vol. 3 2.2: real, protected, long) and the
 * paging mode (SDM Vol. 3 4.1.1), plus which second stage the hypervisor
 * uses (EPT, or shadow page tables when the VM was made with
 * HVLAB_VM_SHADOW_PAGING).
 */
#include <stdio.h>
#include <string.h>

#include "dash/view.h"

#define CR0_PE	(1ull << 0)
#define CR0_PG	(1ull << 31)
#define CR4_PAE	(1ull << 5)
#define CR4_LA57 (1ull << 12)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)

static const char *cpu_mode(const struct hvlab_sregs *s)
{
	if (!(s->cr0 & CR0_PE))
		return "real mode (16-bit)";
	if (s->efer & EFER_LMA)
		return s->cs.l ? "long mode (64-bit)" : "long mode (compatibility)";
	return s->cs.db ? "protected mode (32-bit)" : "protected mode (16-bit)";
}

static const char *paging_mode(const struct hvlab_sregs *s)
{
	if (!(s->cr0 & CR0_PG))
		return "off";
	if (!(s->cr4 & CR4_PAE))
		return "32-bit";
	if (s->efer & EFER_LMA)
		return (s->cr4 & CR4_LA57) ? "5-level" : "4-level";
	return "PAE";
}

static void flags(char *buf, size_t len, uint64_t v, const char *const *names, int n)
{
	size_t pos = 0;

	buf[0] = 0;
	for (int i = 0; i < n; i++)
		if (names[i] && (v >> i) & 1 && pos + strlen(names[i]) + 2 < len)
			pos += snprintf(buf + pos, len - pos, "%s%s", pos ? " " : "", names[i]);
}

void panel_vcpu(const struct dash_model *m, const struct dash_view *v,
		struct canvas *c, int top, int rows)
{
	static const char *const gpr[16] = {
		"RAX", "RBX", "RCX", "RDX", "RSI", "RDI", "RSP", "RBP",
		"R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15",
	};
	static const char *const rfl[22] = {
		"CF", NULL, "PF", NULL, "AF", NULL, "ZF", "SF", "TF", "IF", "DF", "OF",
		[14] = "NT", [16] = "RF", [17] = "VM", [18] = "AC", [21] = "ID",
	};
	static const char *const cr0n[32] = {
		"PE", "MP", "EM", "TS", "ET", "NE", [16] = "WP", [18] = "AM",
		[29] = "NW", [30] = "CD", [31] = "PG",
	};
	static const char *const cr4n[24] = {
		"VME", "PVI", "TSD", "DE", "PSE", "PAE", "MCE", "PGE", "PCE", "OSFXSR",
		"OSXMMEXCPT", "UMIP", "LA57", "VMXE", "SMXE", [16] = "FSGSBASE",
		[17] = "PCIDE", [18] = "OSXSAVE", [20] = "SMEP", [21] = "SMAP",
	};
	static const char *const efern[12] = {
		"SCE", [8] = "LME", [10] = "LMA", [11] = "NXE",
	};
	const struct model_vcpu *cpu = &m->vcpu[v->vcpu < TRACE_MAX_VCPUS ? v->vcpu : 0];
	const struct hvlab_regs *r = &cpu->regs, *p = &cpu->prev_regs;
	const struct hvlab_sregs *s = &cpu->sregs, *ps = &cpu->prev_sregs;
	const __u64 *now = &r->rax, *was = &p->rax;	/* the 16 GPRs are contiguous */
	int y = top, cols = c->w >= 100 ? 4 : 3;
	char f[128];

#define CHG(a, b) (cpu->has_prev && (a) != (b) ? CA_HILITE : CA_NORMAL)
	canvas_printf(c, y++, 0, CA_HEADER, "vCPU state   vCPU %u of %u   snapshot at %.6f s",
		      v->vcpu, m->cfg.nr_vcpus, cpu->time_ns / 1e9);
	if (!cpu->valid) {
		canvas_text(c, y, 1, CA_DIM, "no register snapshot yet");
		return;
	}
	canvas_printf(c, y++, 1, CA_NORMAL, "mode %s   paging %s, second stage %s",
		      cpu_mode(s), paging_mode(s),
		      (m->cfg.vm_flags & HVLAB_VM_SHADOW_PAGING) ? "shadow page tables" : "EPT");
	flags(f, sizeof(f), r->rflags, rfl, 22);
	canvas_printf(c, y, 1, CHG(r->rip, p->rip), "RIP    %016llx", (unsigned long long)r->rip);
	canvas_printf(c, y++, 26, CHG(r->rflags, p->rflags), "RFLAGS %016llx %s",
		      (unsigned long long)r->rflags, f);
	for (int i = 0; i < 16 && y < top + rows; i += cols, y++)
		for (int k = 0; k < cols && i + k < 16; k++)
			canvas_printf(c, y, 1 + k * 25, CHG(now[i + k], was[i + k]), "%-3s %016llx",
				      gpr[i + k], (unsigned long long)now[i + k]);
	flags(f, sizeof(f), s->cr0, cr0n, 32);
	canvas_printf(c, y++, 1, CHG(s->cr0, ps->cr0), "CR0  %016llx %s",
		      (unsigned long long)s->cr0, f);
	canvas_printf(c, y, 1, CHG(s->cr3, ps->cr3), "CR3  %016llx", (unsigned long long)s->cr3);
	canvas_printf(c, y++, 27, CHG(s->cr2, ps->cr2), "CR2  %016llx", (unsigned long long)s->cr2);
	flags(f, sizeof(f), s->cr4, cr4n, 24);
	canvas_printf(c, y++, 1, CHG(s->cr4, ps->cr4), "CR4  %016llx %s",
		      (unsigned long long)s->cr4, f);
	flags(f, sizeof(f), s->efer, efern, 12);
	canvas_printf(c, y++, 1, CHG(s->efer, ps->efer), "EFER %016llx %s",
		      (unsigned long long)s->efer, f);
	if (y < top + rows)
		canvas_text(c, y++, 1, CA_HEADER, "seg sel  base             limit    type dpl flags");
	{
		const struct hvlab_segment *seg[6] = { &s->cs, &s->ds, &s->ss, &s->es, &s->fs, &s->gs };
		static const char *const sn[6] = { "CS", "DS", "SS", "ES", "FS", "GS" };

		for (int i = 0; i < 6 && y < top + rows; i++, y++)
			canvas_printf(c, y, 1, CA_NORMAL, "%s  %04x %016llx %08x %2u   %u  %s%s%s%s",
				      sn[i], seg[i]->selector, (unsigned long long)seg[i]->base,
				      seg[i]->limit, seg[i]->type, seg[i]->dpl,
				      seg[i]->present ? "P " : "",
				      seg[i]->l ? "L " : "", seg[i]->db ? "D/B " : "",
				      seg[i]->unusable ? "unusable" : "");
	}
	if (y < top + rows)
		canvas_printf(c, y, 1, CA_NORMAL, "GDT %llx/%x  IDT %llx/%x",
			      (unsigned long long)s->gdt.base, s->gdt.limit,
			      (unsigned long long)s->idt.base, s->idt.limit);
#undef CHG
}
