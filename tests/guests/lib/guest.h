/* SPDX-License-Identifier: GPL-2.0 */
/*
 * guest.h - the library every hvlab test guest links with, in the style of
 * the KVM selftests: a guest is a C function guest_main() that reports to
 * the host with ucalls (user/hw/ucall.h).
 *
 *   GUEST_ASSERT(cond)      on failure: UCALL_ASSERT with file:line and the
 *   GUEST_ASSERT_EQ(a, b)   expression (and both values), then the guest ends
 *   GUEST_SYNC(x)           UCALL_SYNC, args[0] = x; the guest continues
 *   GUEST_PRINTF(fmt, ...)  UCALL_PRINT of a formatted line (%s %c %d %u %x
 *                           %p, l/ll sizes, width and 0 flag)
 *   GUEST_DONE()            UCALL_DONE; then a write of 0 to the debug-exit
 *                           port 0xF4, so the guest also ends where the ucall
 *                           port is ignored (QEMU)
 *
 * Boot contract (start32.S / start64.S): multiboot-1 entry, or the AP
 * trampoline.  Every vCPU enters at _start; its local-APIC ID picks its
 * stack and its struct guest_cpu.  vCPU 0 (APIC ID 0) clears the BSS, saves
 * the command line and builds the IDT; the others wait for it.  guest_main()
 * runs on every vCPU; when it returns, vCPU 0 does GUEST_DONE and the
 * others halt.
 *
 * The multiboot command line is a list of words: `key=value` settings read
 * with guest_cmdline_uint(), and flags.  The flag `qemu` says the guest runs
 * under QEMU (which ignores the ucall port): every ucall is then mirrored on
 * the UART, and guests relax checks that only hvlab can satisfy.
 */
#ifndef GUEST_H
#define GUEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "hw/ucall.h"
#include "x86.h"

#define GUEST_MAX_CPUS		8
#define GUEST_STACK_SIZE	8192	/* power of two, see guest_cpu_id() */

#define UART_PORT		0x3f8
#define DEBUG_EXIT_PORT		0xf4

/* Per-vCPU state: its own ucall struct (never shared between vCPUs). */
struct guest_cpu {
	struct ucall uc;
	volatile unsigned int fault_vector;	/* set by the fixup path */
	volatile uint64_t fault_error_code;
} __attribute__((aligned(64)));

extern struct guest_cpu guest_cpus[GUEST_MAX_CPUS];
extern uint8_t guest_stacks[GUEST_MAX_CPUS][GUEST_STACK_SIZE];

/* The guest's entry point, provided by each guest. */
void guest_main(void);

/*
 * The vCPU we run on, from the stack pointer: start*.S gave vCPU n the
 * stack guest_stacks[n], so no MMIO exit is needed to know who we are.
 */
static inline unsigned int guest_cpu_id(void)
{
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);

	return (sp - (uintptr_t)guest_stacks) / GUEST_STACK_SIZE;
}

static inline struct guest_cpu *guest_cpu(void)
{
	return &guest_cpus[guest_cpu_id()];
}

/* ucall.c */
void ucall(uint64_t cmd, uint64_t arg0, uint64_t arg1);
void ucall_print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void __attribute__((noreturn)) guest_assert_fail(const char *file, unsigned int line,
						 const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void __attribute__((noreturn)) guest_done(void);
void __attribute__((noreturn)) guest_halt_forever(void);
void debug_exit(uint32_t v);

#define GUEST_SYNC(x)		ucall(UCALL_SYNC, (uint64_t)(x), 0)
#define GUEST_SYNC2(x, y)	ucall(UCALL_SYNC, (uint64_t)(x), (uint64_t)(y))
#define GUEST_PRINTF(...)	ucall_print(__VA_ARGS__)
#define GUEST_DONE()		guest_done()

#define GUEST_ASSERT(cond)						\
	do {								\
		if (!(cond))						\
			guest_assert_fail(__FILE__, __LINE__, "%s", #cond); \
	} while (0)

#define GUEST_ASSERT_EQ(a, b)						\
	do {								\
		uint64_t __a = (uint64_t)(a), __b = (uint64_t)(b);	\
		if (__a != __b)						\
			guest_assert_fail(__FILE__, __LINE__,		\
				"%s == %s (0x%llx != 0x%llx)", #a, #b,	\
				(unsigned long long)__a,		\
				(unsigned long long)__b);		\
	} while (0)

/* printf.c: formatting and the UART (16550 at 0x3F8, polled). */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void uart_putc(char c);
void uart_puts(const char *s);
void uart_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* string.c: what gcc may call even in freestanding code. */
void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strncmp(const char *a, const char *b, size_t n);

/* cmdline.c: the multiboot command line, copied at boot. */
extern char guest_cmdline[256];
extern bool guest_on_qemu;
bool guest_cmdline_flag(const char *word);
uint64_t guest_cmdline_uint(const char *key, uint64_t def);

/* idt.c: exceptions.  Unexpected ones become assertion failures. */
void idt_init(void);
void idt_load(void);
/* An interrupt gate for VECTOR (32-255) to HANDLER, which ends in IRET. */
void idt_set_irq(unsigned int vector, void (*handler)(void));
int rdmsr_safe(uint32_t msr, uint64_t *val);
int wrmsr_safe(uint32_t msr, uint64_t val);
int xsetbv_safe(uint32_t index, uint64_t val);
/* VMCALL: RAX = nr, RBX..RSI = a0..a3; returns the vector or 0, *ret = RAX. */
int vmcall_safe(unsigned long nr, unsigned long a0, unsigned long a1,
		unsigned long a2, unsigned long a3, unsigned long *ret);
const char *exception_name(unsigned int vector);

#define X86_DE	0
#define X86_UD	6
#define X86_GP	13
#define X86_PF	14

/* paging.c */
#ifndef __x86_64__
/* 32-bit paging (SDM Vol. 3 4.3), 4 KiB tables and 4 MiB (PSE) pages. */
#define PTE_P	(1u << 0)
#define PTE_W	(1u << 1)
#define PTE_PS	(1u << 7)
void pt32_identity(uint32_t *pd);
void pt32_map_4k(uint32_t *pd, uint32_t *pt, uint32_t va, uint32_t pa);
void paging32_enable(uint32_t *pd);
#endif

/* smp.c: wake the other CPUs where firmware parks them (QEMU). */
void smp_wake_aps_qemu(unsigned int apic_id);

#endif
