// SPDX-License-Identifier: GPL-2.0
/*
 * idt.c - a minimal IDT for the 32 exception vectors, and exception
 * fixups.
 *
 * Gates are interrupt gates to isr.S (SDM Vol. 3 6.11, 6.14.1).  An
 * exception either hits an entry of the .ex_table (built by ASM_SAFE in
 * x86.h: "the instruction at A may fault, resume at B"), which records the
 * vector in this vCPU's guest_cpu and resumes, or it is unexpected and
 * becomes a failed assertion naming the vector and the faulting RIP.  So a
 * test can expect #GP from RDMSR of an unknown MSR, and a stray exception
 * never turns into a silent triple fault.
 *
 * The table has room for all 256 vectors; above 31 only the gates a guest
 * installs with idt_set_irq are present, so an interrupt nobody expects
 * raises #NP, which is unexpected and fails the test.
 */
#include "guest.h"

struct ex_frame {
#ifdef __x86_64__
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
#else
	uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax;
#endif
	unsigned long vector, error_code, ip, cs, flags;
};

struct ex_entry {
	unsigned long insn, fixup;
};

#ifdef __x86_64__
struct idt_gate {
	uint16_t off_lo, sel;
	uint8_t ist, type;
	uint16_t off_mid;
	uint32_t off_hi, zero;
};
#define CODE_SEL 0x18
#else
struct idt_gate {
	uint16_t off_lo, sel;
	uint8_t zero, type;
	uint16_t off_hi;
};
#define CODE_SEL 0x08
#endif

struct __attribute__((packed)) idt_ptr {
	uint16_t limit;
	unsigned long base;
};

extern const unsigned long isr_table[32];
extern const struct ex_entry __ex_table_start[], __ex_table_end[];

static struct idt_gate idt[256] __attribute__((aligned(16)));

static const char *const names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
	"#DF", "#CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "#15",
	"#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
};

const char *exception_name(unsigned int vector)
{
	return vector < 32 && names[vector] ? names[vector] : "#?";
}

static void set_gate(unsigned int v, unsigned long a)
{
	idt[v].off_lo = a & 0xffff;
	idt[v].sel = CODE_SEL;
	idt[v].type = 0x8e;	/* present, DPL 0, interrupt gate */
#ifdef __x86_64__
	idt[v].off_mid = (a >> 16) & 0xffff;
	idt[v].off_hi = (uint32_t)(a >> 32);
#else
	idt[v].off_hi = a >> 16;
#endif
}

void idt_init(void)
{
	for (int v = 0; v < 32; v++)
		set_gate(v, isr_table[v]);
}

void idt_set_irq(unsigned int vector, void (*handler)(void))
{
	if (vector >= 32 && vector < 256)
		set_gate(vector, (unsigned long)handler);
}

void idt_load(void)
{
	struct idt_ptr p = { sizeof(idt) - 1, (unsigned long)idt };

	asm volatile("lidt %0" : : "m"(p));
}

void exception_handler(struct ex_frame *f);
void exception_handler(struct ex_frame *f)
{
	struct guest_cpu *c = guest_cpu();

	for (const struct ex_entry *e = __ex_table_start; e < __ex_table_end; e++) {
		if (e->insn == f->ip) {
			c->fault_error_code = f->error_code;
			c->fault_vector = (unsigned int)f->vector;
			f->ip = e->fixup;
			return;
		}
	}
	guest_assert_fail(__FILE__, __LINE__,
			  "unexpected exception %lu (%s) at RIP 0x%lx, error code 0x%lx",
			  f->vector, exception_name(f->vector), f->ip, f->error_code);
}

int rdmsr_safe(uint32_t msr, uint64_t *val)
{
	struct guest_cpu *c = guest_cpu();
	uint32_t lo = 0, hi = 0;

	c->fault_vector = 0;
	asm volatile(ASM_SAFE("rdmsr") : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");
	*val = ((uint64_t)hi << 32) | lo;
	return c->fault_vector;
}

int wrmsr_safe(uint32_t msr, uint64_t val)
{
	struct guest_cpu *c = guest_cpu();

	c->fault_vector = 0;
	asm volatile(ASM_SAFE("wrmsr") : : "c"(msr), "a"((uint32_t)val),
		     "d"((uint32_t)(val >> 32)) : "memory");
	return c->fault_vector;
}

int xsetbv_safe(uint32_t index, uint64_t val)
{
	struct guest_cpu *c = guest_cpu();

	c->fault_vector = 0;
	asm volatile(ASM_SAFE("xsetbv") : : "c"(index), "a"((uint32_t)val),
		     "d"((uint32_t)(val >> 32)) : "memory");
	return c->fault_vector;
}

int vmcall_safe(unsigned long nr, unsigned long a0, unsigned long a1,
		unsigned long a2, unsigned long a3, unsigned long *ret)
{
	struct guest_cpu *c = guest_cpu();

	c->fault_vector = 0;
	asm volatile(ASM_SAFE("vmcall")
		     : "+a"(nr), "+b"(a0), "+c"(a1), "+d"(a2), "+S"(a3) : : "memory");
	*ret = nr;
	return c->fault_vector;
}
