// SPDX-License-Identifier: GPL-2.0
/*
 * start.c - the first C code of every vCPU, called by start32.S/start64.S
 * on its own stack.  vCPU 0 copies the multiboot command line (before any
 * guest may overwrite low memory), builds the IDT and releases the others;
 * every vCPU then loads the IDT and runs guest_main().  The command-line
 * flag `selftest-ud` makes vCPU 0 execute UD2 first, to test that an
 * unexpected exception is reported as a failed assertion.
 */
#include "guest.h"

#define MB_BOOT_MAGIC	0x2badb002
#define MB_INFO_CMDLINE	(1u << 2)

/* The first fields of the multiboot-1 information structure. */
struct multiboot_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;
};

struct guest_cpu guest_cpus[GUEST_MAX_CPUS];
uint8_t guest_stacks[GUEST_MAX_CPUS][GUEST_STACK_SIZE]
	__attribute__((aligned(GUEST_STACK_SIZE)));

static volatile int idt_ready;

void guest_cmdline_parse(void);

void guest_start(uint32_t magic, uint32_t mbi_addr);
void guest_start(uint32_t magic, uint32_t mbi_addr)
{
	unsigned int cpu = guest_cpu_id();

	if (cpu == 0) {
		const struct multiboot_info *mbi =
			(const struct multiboot_info *)(uintptr_t)mbi_addr;

		if (magic == MB_BOOT_MAGIC && mbi && (mbi->flags & MB_INFO_CMDLINE)) {
			const char *s = (const char *)(uintptr_t)mbi->cmdline;
			size_t i;

			for (i = 0; s && s[i] && i < sizeof(guest_cmdline) - 1; i++)
				guest_cmdline[i] = s[i];
			guest_cmdline[i] = 0;
		}
		guest_cmdline_parse();
		idt_init();
		idt_ready = 1;
	} else {
		while (!idt_ready)
			cpu_relax();
	}
	idt_load();
	/* Self-test of the library: an unexpected exception must be reported. */
	if (cpu == 0 && guest_cmdline_flag("selftest-ud"))
		asm volatile("ud2");
	guest_main();
	if (cpu == 0)
		GUEST_DONE();
	guest_halt_forever();
}
