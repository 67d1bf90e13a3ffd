/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86.h - the handful of privileged instructions a test guest needs, as
 * inline functions, for both the 32-bit and the 64-bit guest library.
 *
 * Each wrapper is exactly one instruction so that a guest counts exits
 * precisely (a test that expects N CR3 exits must see N MOVs to CR3 and
 * no hidden MOV from CR3).  The *_safe variants run their instruction under
 * an exception fixup (idt.c): instead of reporting an unexpected exception
 * they return its vector, or 0 when the instruction completed.
 */
#ifndef GUEST_X86_H
#define GUEST_X86_H

#include <stdint.h>

#ifdef __x86_64__
#define ASM_PTR ".quad"
#else
#define ASM_PTR ".long"
#endif

/*
 * An exception fixup: an exception raised by the instruction at label 1
 * resumes at label 2, the vector in guest_cpu()->fault_vector.
 */
#define ASM_SAFE(insn)						\
	"1: " insn "\n2:\n"					\
	".pushsection .ex_table, \"a\"\n"			\
	ASM_PTR " 1b, 2b\n"					\
	".popsection\n"

/* Control register bits (SDM Vol. 3 2.5). */
#define X86_CR0_PE	(1u << 0)
#define X86_CR0_PG	(1u << 31)
#define X86_CR4_PSE	(1u << 4)
#define X86_CR4_PAE	(1u << 5)
#define X86_CR4_OSFXSR	(1u << 9)
#define X86_CR4_OSXSAVE	(1u << 18)

/* MSRs (SDM Vol. 4 2.1). */
#define MSR_IA32_TSC		0x10
#define MSR_IA32_APIC_BASE	0x1b
#define MSR_IA32_SYSENTER_CS	0x174
#define MSR_IA32_SYSENTER_ESP	0x175
#define MSR_IA32_SYSENTER_EIP	0x176
#define MSR_IA32_PAT		0x277
#define MSR_IA32_EFER		0xc0000080
#define MSR_FS_BASE		0xc0000100
#define MSR_GS_BASE		0xc0000101
#define MSR_KERNEL_GS_BASE	0xc0000102
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_CSTAR		0xc0000083
#define MSR_SYSCALL_MASK	0xc0000084
#define EFER_SCE		(1u << 0)
#define EFER_LME		(1u << 8)
#define EFER_LMA		(1u << 10)

/* Local APIC registers (SDM Vol. 3 11.4.1, 11.6.1). */
#define LAPIC_BASE	0xfee00000u
#define LAPIC_ID	0x20
#define LAPIC_VERSION	0x30
#define LAPIC_SVR	0xf0
#define LAPIC_ICR_LO	0x300
#define LAPIC_ICR_HI	0x310

static inline void outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void outw(uint16_t port, uint16_t v)
{
	asm volatile("outw %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void outl(uint16_t port, uint32_t v)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;

	asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

/* REP OUTSB: `n` bytes from `s` to one port, a single (string) I/O exit. */
static inline void outsb(uint16_t port, const void *s, unsigned long n)
{
	asm volatile("rep outsb" : "+S"(s), "+c"(n) : "d"(port) : "memory");
}

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;

	asm volatile("cpuid"
		     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
		     : "a"(leaf), "c"(subleaf) : "memory");
	return r;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr) : "memory");
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v),
		     "d"((uint32_t)(v >> 32)) : "memory");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

#define DEFINE_CR(n)							\
static inline unsigned long read_cr##n(void)				\
{									\
	unsigned long v;						\
	asm volatile("mov %%cr" #n ", %0" : "=r"(v) : : "memory");	\
	return v;							\
}									\
static inline void write_cr##n(unsigned long v)				\
{									\
	asm volatile("mov %0, %%cr" #n : : "r"(v) : "memory");		\
}
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)
#undef DEFINE_CR

static inline void invlpg(const volatile void *va)
{
	asm volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static inline uint64_t xgetbv(uint32_t index)
{
	uint32_t lo, hi;

	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(index));
	return ((uint64_t)hi << 32) | lo;
}

static inline void cpu_relax(void)
{
	asm volatile("pause" : : : "memory");
}

static inline void cli(void)
{
	asm volatile("cli" : : : "memory");
}

static inline void hlt(void)
{
	asm volatile("hlt" : : : "memory");
}

static inline uint32_t mmio_read32(uintptr_t addr)
{
	return *(volatile uint32_t *)addr;
}

static inline void mmio_write32(uintptr_t addr, uint32_t v)
{
	*(volatile uint32_t *)addr = v;
}

static inline uint8_t mmio_read8(uintptr_t addr)
{
	return *(volatile uint8_t *)addr;
}

static inline uint32_t lapic_read(uint32_t reg)
{
	return mmio_read32(LAPIC_BASE + reg);
}

static inline void lapic_write(uint32_t reg, uint32_t v)
{
	mmio_write32(LAPIC_BASE + reg, v);
}

#endif
