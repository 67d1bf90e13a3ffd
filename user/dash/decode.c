// SPDX-License-Identifier: GPL-2.0
/*
 * decode.c - turns an exit record into the sentence a student reads in
 * the exit log.
 *
 * The words come from three places: the basic exit reason (SDM Vol. 3
 * Appendix C), the exit qualification (SDM Vol. 3 27.2.1, decoded bit by
 * bit below with the table it comes from), and the `info`/`value`
 * conventions of struct hvlab_exit_record in the uapi header.  Where the
 * module leaves the qualification 0 for I/O, the port/size/direction packed
 * in `info` are used instead.  Conventions this file assumes beyond the
 * header: VMCALL has value = RAX (the hypercall number); EXCEPTION_NMI and
 * EXTERNAL_INTERRUPT may carry the VM-exit interruption information
 * (SDM 24.9.2) in `info` (bit 31 = valid), and an exception with an error
 * code (info bit 11) has it in `value`.
 *
 * Reason names come from exit_names.c (the names KVM uses, so the
 * vocabulary carries over to kvm_stat).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dash/decode.h"
#include "dash/trace.h"
#include "exit_names.h"

const char *decode_reason_name(unsigned reason)
{
	static __thread char buf[24];

	const char *name = vmx_exit_name(reason);

	if (strcmp(name, "UNKNOWN"))
		return name;
	snprintf(buf, sizeof(buf), "reason_%u", reason);
	return buf;
}

int decode_reason_parse(const char *s)
{
	char *end;
	long n;

	if (!s || !*s)
		return -1;
	n = strtol(s, &end, 0);
	if (!*end)
		return (n >= 0 && n < HVLAB_NR_EXIT_REASONS) ? (int)n : -1;
	n = vmx_exit_from_name(s);
	return (n >= 0 && n < HVLAB_NR_EXIT_REASONS) ? (int)n : -1;
}

const char *decode_gpr_name(unsigned n)
{
	/* The GPR numbering of SDM Table 27-3 (bits 11:8). */
	static const char *const names[16] = {
		"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
		"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
	};
	return names[n & 15];
}

const char *decode_msr_name(uint32_t index)
{
	switch (index) {
	case 0x10:	 return "IA32_TIME_STAMP_COUNTER";
	case 0x1b:	 return "IA32_APIC_BASE";
	case 0x3a:	 return "IA32_FEATURE_CONTROL";
	case 0x174:	 return "IA32_SYSENTER_CS";
	case 0x175:	 return "IA32_SYSENTER_ESP";
	case 0x176:	 return "IA32_SYSENTER_EIP";
	case 0x1a0:	 return "IA32_MISC_ENABLE";
	case 0x1d9:	 return "IA32_DEBUGCTL";
	case 0x277:	 return "IA32_PAT";
	case 0xc0000080: return "IA32_EFER";
	case 0xc0000081: return "IA32_STAR";
	case 0xc0000082: return "IA32_LSTAR";
	case 0xc0000084: return "IA32_FMASK";
	case 0xc0000100: return "IA32_FS_BASE";
	case 0xc0000101: return "IA32_GS_BASE";
	case 0xc0000102: return "IA32_KERNEL_GS_BASE";
	case 0xc0000103: return "IA32_TSC_AUX";
	default:	 return NULL;
	}
}

void decode_cr_qual(uint64_t q, struct cr_qual *out)
{
	out->cr = q & 0xf;
	out->type = (q >> 4) & 3;
	out->lmsw_mem = (q >> 6) & 1;
	out->gpr = (q >> 8) & 0xf;
	out->lmsw_data = (q >> 16) & 0xffff;
}

void decode_io_qual(uint64_t q, struct io_qual *out)
{
	/* Bits 2:0 hold size - 1: 0 = byte, 1 = word, 3 = dword. */
	out->size = (q & 7) + 1;
	out->in = (q >> 3) & 1;
	out->string = (q >> 4) & 1;
	out->rep = (q >> 5) & 1;
	out->imm = (q >> 6) & 1;
	out->port = (q >> 16) & 0xffff;
}

void decode_ept_qual(uint64_t q, struct ept_qual *out)
{
	out->read = q & 1;
	out->write = (q >> 1) & 1;
	out->fetch = (q >> 2) & 1;
	out->ent_r = (q >> 3) & 1;
	out->ent_w = (q >> 4) & 1;
	out->ent_x = (q >> 5) & 1;
	out->gla_valid = (q >> 7) & 1;
	/* Bit 8 is defined only when bit 7 is set. */
	out->translated = out->gla_valid && ((q >> 8) & 1);
	out->nmi_unblocking = (q >> 12) & 1;
}

/* The I/O qualification, or the fields packed in `info` when it is 0. */
static void io_of(const struct hvlab_exit_record *e, struct io_qual *io)
{
	if (e->qualification || !e->info) {
		decode_io_qual(e->qualification, io);
		return;
	}
	memset(io, 0, sizeof(*io));
	io->port = e->info & 0xffff;
	io->size = (e->info >> 16) & 0xff;
	io->in = (e->info >> 24) & 1;
	if (io->size != 1 && io->size != 2 && io->size != 4)
		io->size = 1;
}

static uint64_t ept_bits(const struct hvlab_exit_record *e)
{
	return e->qualification ? e->qualification : e->info;
}

/* A value as the guest's access size shows it: 0x0a, 0x1234, 0x80000000. */
static int fmt_sized(char *buf, size_t len, uint64_t v, unsigned size)
{
	if (size > 8)
		size = 8;
	if (size < 8)
		v &= (1ull << (size * 8)) - 1;
	return snprintf(buf, len, "0x%0*llx", (int)size * 2, (unsigned long long)v);
}

/* Appends with snprintf, never past len. */
struct out {
	char *buf;
	size_t len, pos;
};

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->pos >= o->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->pos, o->len - o->pos, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	o->pos += (size_t)n;
	if (o->pos >= o->len)
		o->pos = o->len - 1;
}

static void words_io(struct out *o, const struct hvlab_exit_record *e)
{
	static const char sfx[5] = { 0, 'B', 'W', 0, 'D' };
	struct io_qual io;
	char v[24];

	io_of(e, &io);
	if (io.string) {
		put(o, "%s%s%c 0x%x", io.rep ? "REP " : "", io.in ? "INS" : "OUTS",
		    io.size <= 4 && sfx[io.size] ? sfx[io.size] : '?', io.port);
		return;
	}
	if (!io.in && io.size == 1 && (e->value & 0xff) >= 0x20 && (e->value & 0xff) < 0x7f) {
		put(o, "OUT 0x%x ← '%c'", io.port, (char)(e->value & 0xff));
		return;
	}
	if (!io.in && io.size == 1 && (e->value & 0xff) == '\n') {
		put(o, "OUT 0x%x ← '\\n'", io.port);
		return;
	}
	fmt_sized(v, sizeof(v), e->value, io.size);
	if (io.in)
		put(o, "IN 0x%x → %s", io.port, v);
	else
		put(o, "OUT 0x%x ← %s", io.port, v);
}

static void words_cr(struct out *o, const struct hvlab_exit_record *e)
{
	struct cr_qual c;

	decode_cr_qual(e->qualification, &c);
	switch (c.type) {
	case CR_ACCESS_MOV_TO:
		put(o, "MOV to CR%u ← 0x%llx", c.cr, (unsigned long long)e->value);
		break;
	case CR_ACCESS_MOV_FROM:
		put(o, "MOV from CR%u → %s", c.cr, decode_gpr_name(c.gpr));
		if (e->value)
			put(o, " = 0x%llx", (unsigned long long)e->value);
		break;
	case CR_ACCESS_CLTS:
		put(o, "CLTS (clear CR0.TS)");
		break;
	default:
		put(o, "LMSW ← 0x%x", c.lmsw_data);
		break;
	}
}

static void words_ept(struct out *o, const struct hvlab_exit_record *e)
{
	struct ept_qual q;
	const char *sep = " ";

	decode_ept_qual(ept_bits(e), &q);
	put(o, "EPT violation GPA 0x%llx", (unsigned long long)e->gpa);
	if (q.read) {
		put(o, "%sread", sep);
		sep = "+";
	}
	if (q.write) {
		put(o, "%swrite", sep);
		sep = "+";
	}
	if (q.fetch)
		put(o, "%sfetch", sep);
	if (!q.ent_r && !q.ent_w && !q.ent_x)
		put(o, " (not mapped)");
}

static void words_exception(struct out *o, const struct hvlab_exit_record *e)
{
	unsigned vec = e->info & 0xff, type = (e->info >> 8) & 7;

	if (!(e->info & (1u << 31))) {
		put(o, "Exception or NMI");
		return;
	}
	if (type == 2) {	/* SDM 24.9.2: interruption type 2 = NMI */
		put(o, "NMI");
		return;
	}
	put(o, "Exception #%s (vector %u)", exception_mnemonic(vec), vec);
	if (e->info & (1u << 11))	/* SDM 24.9.2: an error code was pushed */
		put(o, " error 0x%llx", (unsigned long long)e->value);
	if (vec == 14)	/* #PF: the qualification is the faulting address */
		put(o, " addr 0x%llx", (unsigned long long)e->qualification);
}

size_t decode_exit(const struct hvlab_exit_record *e, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };
	const char *msr;

	if (!len)
		return 0;
	buf[0] = 0;
	switch (e->reason) {
	case HVLAB_VMX_EXIT_EXCEPTION_NMI:
		words_exception(&o, e);
		break;
	case HVLAB_VMX_EXIT_EXTERNAL_INT:
		put(&o, "External interrupt");
		if (e->info & (1u << 31))
			put(&o, " vector 0x%x", e->info & 0xff);
		break;
	case HVLAB_VMX_EXIT_TRIPLE_FAULT:
		put(&o, "Triple fault (the guest shuts down)");
		break;
	case HVLAB_VMX_EXIT_INTR_WINDOW:
		put(&o, "Interrupt window open");
		break;
	case HVLAB_VMX_EXIT_NMI_WINDOW:
		put(&o, "NMI window open");
		break;
	case HVLAB_VMX_EXIT_TASK_SWITCH: {
		static const char *const src[4] = { "CALL", "IRET", "JMP", "IDT gate" };

		put(&o, "Task switch to TSS 0x%llx (%s)",
		    (unsigned long long)(e->qualification & 0xffff), src[(e->qualification >> 30) & 3]);
		break;
	}
	case HVLAB_VMX_EXIT_CPUID:
		put(&o, "CPUID leaf 0x%x", e->info);
		if (e->value)
			put(&o, " subleaf 0x%llx", (unsigned long long)e->value);
		break;
	case HVLAB_VMX_EXIT_HLT:
		put(&o, "HLT");
		break;
	case HVLAB_VMX_EXIT_INVLPG:
		put(&o, "INVLPG 0x%llx", (unsigned long long)e->qualification);
		break;
	case HVLAB_VMX_EXIT_VMCALL:
		put(&o, "VMCALL nr %llu", (unsigned long long)e->value);
		if (e->value == HVLAB_HC_WALK)
			put(&o, " (walk)");
		else if (e->value == HVLAB_HC_NOP)
			put(&o, " (nop)");
		break;
	case HVLAB_VMX_EXIT_CR_ACCESS:
		words_cr(&o, e);
		break;
	case HVLAB_VMX_EXIT_DR_ACCESS: {
		unsigned dr = e->qualification & 7, gpr = (e->qualification >> 8) & 15;

		if ((e->qualification >> 4) & 1)
			put(&o, "MOV from DR%u → %s", dr, decode_gpr_name(gpr));
		else
			put(&o, "MOV to DR%u ← 0x%llx", dr, (unsigned long long)e->value);
		break;
	}
	case HVLAB_VMX_EXIT_IO:
		words_io(&o, e);
		break;
	case HVLAB_VMX_EXIT_RDMSR:
	case HVLAB_VMX_EXIT_WRMSR:
		msr = decode_msr_name(e->info);
		put(&o, "%s 0x%x", e->reason == HVLAB_VMX_EXIT_RDMSR ? "RDMSR" : "WRMSR", e->info);
		if (msr)
			put(&o, " (%s)", msr);
		if (e->reason == HVLAB_VMX_EXIT_WRMSR)
			put(&o, " ← 0x%llx", (unsigned long long)e->value);
		break;
	case HVLAB_VMX_EXIT_INVALID_STATE:
		put(&o, "VM entry failed: invalid guest state");
		break;
	case HVLAB_VMX_EXIT_MSR_LOAD_FAIL:
		put(&o, "VM entry failed: MSR loading");
		break;
	case HVLAB_VMX_EXIT_MTF:
		put(&o, "Monitor trap flag (one instruction stepped)");
		break;
	case HVLAB_VMX_EXIT_APIC_ACCESS: {
		static const char *const t[16] = {
			"read", "write", "fetch", "event delivery", [10] = "phys. event",
			[15] = "phys. fetch",
		};
		unsigned type = (e->qualification >> 12) & 15;

		put(&o, "APIC access offset 0x%llx %s",
		    (unsigned long long)(e->qualification & 0xfff), t[type] ? t[type] : "?");
		break;
	}
	case HVLAB_VMX_EXIT_GDTR_IDTR:
		put(&o, "LGDT/LIDT/SGDT/SIDT");
		break;
	case HVLAB_VMX_EXIT_LDTR_TR:
		put(&o, "LLDT/LTR/SLDT/STR");
		break;
	case HVLAB_VMX_EXIT_EPT_VIOLATION:
		words_ept(&o, e);
		break;
	case HVLAB_VMX_EXIT_EPT_MISCONFIG:
		put(&o, "EPT misconfiguration GPA 0x%llx", (unsigned long long)e->gpa);
		break;
	case HVLAB_VMX_EXIT_PREEMPTION_TIMER:
		put(&o, "Preemption timer expired");
		break;
	default:
		put(&o, "%s", decode_reason_name(e->reason));
		break;
	}
	return o.pos;
}

int decode_exit_fields(const struct hvlab_exit_record *e, char lines[][96], int max)
{
	int n = 0;

#define LINE(...) do { if (n < max) snprintf(lines[n++], 96, __VA_ARGS__); } while (0)
	LINE("qualif.     0x%llx", (unsigned long long)e->qualification);
	switch (e->reason) {
	case HVLAB_VMX_EXIT_CR_ACCESS: {
		static const char *const types[4] = {
			"MOV to CR", "MOV from CR", "CLTS", "LMSW" };
		struct cr_qual c;

		decode_cr_qual(e->qualification, &c);
		LINE("  3:0   CR number    %u", c.cr);
		LINE("  5:4   access type  %u = %s", c.type, types[c.type]);
		if (c.type == CR_ACCESS_LMSW) {
			LINE("  6     operand      %s", c.lmsw_mem ? "memory" : "register");
			LINE("  31:16 LMSW data    0x%x", c.lmsw_data);
		} else {
			LINE("  11:8  register     %u = %s", c.gpr, decode_gpr_name(c.gpr));
		}
		LINE("value       0x%llx", (unsigned long long)e->value);
		break;
	}
	case HVLAB_VMX_EXIT_IO: {
		struct io_qual io;

		io_of(e, &io);
		LINE("  2:0   size         %u byte(s)", io.size);
		LINE("  3     direction    %s", io.in ? "IN" : "OUT");
		LINE("  4     string       %s", io.string ? "yes (INS/OUTS)" : "no");
		LINE("  5     REP prefix   %s", io.rep ? "yes" : "no");
		LINE("  6     operand      %s", io.imm ? "immediate" : "DX");
		LINE("  31:16 port         0x%x", io.port);
		LINE("value       0x%llx", (unsigned long long)e->value);
		break;
	}
	case HVLAB_VMX_EXIT_EPT_VIOLATION: {
		struct ept_qual q;

		decode_ept_qual(ept_bits(e), &q);
		LINE("  0-2   access       %s%s%s", q.read ? "R" : "-", q.write ? "W" : "-",
		     q.fetch ? "X" : "-");
		LINE("  3-5   EPT allows   %s%s%s", q.ent_r ? "R" : "-", q.ent_w ? "W" : "-",
		     q.ent_x ? "X" : "-");
		LINE("  7     GLA valid    %s", q.gla_valid ? "yes" : "no");
		if (q.gla_valid)
			LINE("  8     access to    %s", q.translated ?
			     "the final page" : "a guest paging-structure entry");
		LINE("gpa         0x%llx", (unsigned long long)e->gpa);
		break;
	}
	default:
		LINE("info        0x%x", e->info);
		LINE("value       0x%llx", (unsigned long long)e->value);
		if (e->gpa)
			LINE("gpa         0x%llx", (unsigned long long)e->gpa);
		break;
	}
	LINE("cycles      %llu (host TSC, handling)", (unsigned long long)e->cycles);
#undef LINE
	return n;
}

size_t decode_pte_flags(uint64_t entry, bool leaf_ok, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };

	if (!len)
		return 0;
	buf[0] = 0;
	/* SDM Vol. 3 Table 4-19/4-20: bits of a 4-level paging entry. */
	if (!(entry & 1)) {
		put(&o, "not present");
		return o.pos;
	}
	put(&o, "P");
	if (entry & (1ull << 1))
		put(&o, " RW");
	if (entry & (1ull << 2))
		put(&o, " US");
	if (entry & (1ull << 3))
		put(&o, " PWT");
	if (entry & (1ull << 4))
		put(&o, " PCD");
	if (entry & (1ull << 5))
		put(&o, " A");
	if (entry & (1ull << 6))
		put(&o, " D");
	if (leaf_ok && (entry & (1ull << 7)))
		put(&o, " PS");
	if (entry & (1ull << 8))
		put(&o, " G");
	if (entry & (1ull << 63))
		put(&o, " NX");
	return o.pos;
}

size_t decode_ept_flags(uint64_t entry, char *buf, size_t len)
{
	static const char *const mt[8] = { "UC", "WC", "?", "?", "WT", "WP", "WB", "?" };
	struct out o = { buf, len, 0 };
	unsigned type = (entry >> 3) & 7;

	if (!len)
		return 0;
	buf[0] = 0;
	/* SDM Vol. 3 29.3.2: bits 2:0 R/W/X, 5:3 memory type of a leaf, 7 large page. */
	if (!(entry & 7)) {
		put(&o, "not present");
		return o.pos;
	}
	put(&o, "%s%s%s", entry & 1 ? "R" : "-", entry & 2 ? "W" : "-", entry & 4 ? "X" : "-");
	if (type)
		put(&o, " %s", mt[type]);
	if (entry & (1ull << 7))
		put(&o, " PS");
	if (entry & (1ull << 8))
		put(&o, " A");
	if (entry & (1ull << 9))
		put(&o, " D");
	return o.pos;
}

/* ---- AMD SVM ------------------------------------------------------ */

void decode_svm_io(uint64_t q, struct svm_io_info *out)
{
	unsigned sz = (q >> 4) & 7, a = (q >> 7) & 7;

	out->in = q & 1;
	out->string = (q >> 2) & 1;
	out->rep = (q >> 3) & 1;
	/* one-hot fields: the lowest bit set wins, none set reads 0 */
	out->size = sz & 1 ? 1 : sz & 2 ? 2 : sz & 4 ? 4 : 0;
	out->addr_bits = a & 1 ? 16 : a & 2 ? 32 : a & 4 ? 64 : 0;
	out->seg = (q >> 10) & 7;
	out->port = q >> 16;
}

void decode_svm_npf(uint64_t q, struct svm_npf_info *out)
{
	out->present = q & 1;
	out->write = (q >> 1) & 1;
	out->user = (q >> 2) & 1;
	out->reserved = (q >> 3) & 1;
	out->fetch = (q >> 4) & 1;
	out->final = (q >> 32) & 1;
	out->table = (q >> 33) & 1;
}

int decode_common_reason(unsigned vendor, const struct hvlab_exit_record *e)
{
	if (vendor == TRACE_VENDOR_AMD)
		return svm_exit_common(e->reason, e->qualification);
	return e->reason < HVLAB_NR_EXIT_REASONS ? (int)e->reason : -1;
}

const char *decode_record_name(unsigned vendor, const struct hvlab_exit_record *e)
{
	if (vendor == TRACE_VENDOR_AMD)
		return svm_exit_name(e->reason);
	return decode_reason_name(e->reason);
}

static void svm_words_io(struct out *o, const struct hvlab_exit_record *e)
{
	static const char sfx[5] = { '?', 'B', 'W', '?', 'D' };
	struct svm_io_info io;

	decode_svm_io(e->qualification, &io);
	if (io.string)
		put(o, "%s%s%c 0x%x", io.rep ? "REP " : "", io.in ? "INS" : "OUTS",
		    sfx[io.size], io.port);
	else
		put(o, "%s 0x%x, %u byte%s", io.in ? "IN" : "OUT", io.port, io.size,
		    io.size == 1 ? "" : "s");
}

static void svm_words_npf(struct out *o, const struct hvlab_exit_record *e)
{
	struct svm_npf_info f;

	decode_svm_npf(e->qualification, &f);
	put(o, "nested page fault GPA 0x%llx %s%s%s", (unsigned long long)e->gpa,
	    f.fetch ? "fetch" : f.write ? "write" : "read",
	    f.present ? " (protection)" : " (not present)", f.reserved ? " reserved bit" : "");
	if (f.table)
		put(o, ", walking guest tables");
	else if (f.final)
		put(o, ", final address");
}

static size_t decode_svm(const struct hvlab_exit_record *e, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };
	int common = svm_exit_common(e->reason, e->qualification);

	if (!len)
		return 0;
	buf[0] = 0;
	put(&o, "%s: ", svm_exit_name(e->reason));
	switch (e->reason) {
	case 0x72:	/* CPUID */
		put(&o, "CPUID leaf 0x%x", e->info);
		if (e->value)
			put(&o, " subleaf 0x%llx", (unsigned long long)e->value);
		break;
	case 0x7b:	/* IOIO */
		svm_words_io(&o, e);
		break;
	case 0x400:	/* NPF */
		svm_words_npf(&o, e);
		break;
	case 0x7c:	/* MSR: info the index (the module's), EXITINFO1 bit 0 the direction */
		put(&o, "%s 0x%x", e->qualification & 1 ? "WRMSR" : "RDMSR", e->info);
		if (decode_msr_name(e->info))
			put(&o, " (%s)", decode_msr_name(e->info));
		break;
	case 0x81:	/* VMMCALL: info the hypercall number */
		put(&o, "VMMCALL nr %u", e->info);
		break;
	case 0x78:
		put(&o, "HLT");
		break;
	case 0x7f:
		put(&o, "shutdown (a triple fault)");
		break;
	default:
		if (e->reason >= 0x40 && e->reason < 0x60)
			put(&o, "exception #%s (vector %u)", exception_mnemonic(e->reason - 0x40),
			    e->reason - 0x40);
		else if (common >= 0)
			put(&o, "%s", decode_reason_name((unsigned)common));
		else
			put(&o, "no VMX counterpart");
		break;
	}
	return o.pos;
}

size_t decode_exit_vendor(unsigned vendor, const struct hvlab_exit_record *e, char *buf,
			  size_t len)
{
	return vendor == TRACE_VENDOR_AMD ? decode_svm(e, buf, len) : decode_exit(e, buf, len);
}

int decode_exit_fields_vendor(unsigned vendor, const struct hvlab_exit_record *e,
			      char lines[][96], int max)
{
	int n = 0, common;

	if (vendor != TRACE_VENDOR_AMD)
		return decode_exit_fields(e, lines, max);
	common = svm_exit_common(e->reason, e->qualification);
#define LINE(...) do { if (n < max) snprintf(lines[n++], 96, __VA_ARGS__); } while (0)
	LINE("EXITCODE    0x%x %s (common: %s)", e->reason, svm_exit_name(e->reason),
	     common >= 0 ? decode_reason_name((unsigned)common) : "none");
	LINE("EXITINFO1   0x%llx", (unsigned long long)e->qualification);
	switch (e->reason) {
	case 0x7b: {	/* APM Vol. 2 15.10.2, Figure 15-2 */
		static const char *const segs[8] = { "ES", "CS", "SS", "DS", "FS", "GS", "?", "?" };
		struct svm_io_info io;

		decode_svm_io(e->qualification, &io);
		LINE("  0     direction    %s", io.in ? "IN" : "OUT");
		LINE("  2     string       %s", io.string ? "yes (INS/OUTS)" : "no");
		LINE("  3     REP prefix   %s", io.rep ? "yes" : "no");
		LINE("  6:4   size         %u byte(s)", io.size);
		if (io.string) {
			LINE("  9:7   address size %u bits", io.addr_bits);
			LINE("  12:10 segment      %s", segs[io.seg]);
		}
		LINE("  31:16 port         0x%x", io.port);
		LINE("EXITINFO2   0x%llx (the next RIP)", (unsigned long long)e->gpa);
		break;
	}
	case 0x400: {	/* APM Vol. 2 15.25.6 */
		struct svm_npf_info f;

		decode_svm_npf(e->qualification, &f);
		LINE("  0     present      %s", f.present ? "yes (a protection fault)" : "no");
		LINE("  1     write        %s", f.write ? "yes" : "no (read)");
		LINE("  2     user         %s", f.user ? "yes" : "no");
		LINE("  3     reserved bit %s", f.reserved ? "set" : "no");
		LINE("  4     fetch        %s", f.fetch ? "yes" : "no");
		LINE("  32    final addr.  %s", f.final ? "yes (the guest's own access)" : "no");
		LINE("  33    table walk   %s", f.table ? "yes (reading a guest page table)" : "no");
		LINE("EXITINFO2   0x%llx (the GPA)", (unsigned long long)e->gpa);
		break;
	}
	default:
		LINE("EXITINFO2   0x%llx", (unsigned long long)e->gpa);
		LINE("info        0x%x", e->info);
		LINE("value       0x%llx", (unsigned long long)e->value);
		break;
	}
	LINE("cycles      %llu (host TSC, handling)", (unsigned long long)e->cycles);
#undef LINE
	return n;
}
