// SPDX-License-Identifier: GPL-2.0
/*
 * demo - the guest `make demo` boots for the dashboard: a few seconds of
 * varied, visible work that ends by itself.  Each round it
 *  - switches between two address spaces with a CR3 write (the seed's
 *    example: in space A guest-virtual 0x1000 maps to guest-physical
 *    0x2000, in space B to 0x3000) and reads through 0x1000;
 *  - does port I/O (POST code to 0x80, a fw_cfg read) and MMIO (the
 *    local-APIC version register);
 *  - executes CPUID;
 *  - writes a greeting and the round number to VGA text memory at 0xB8000
 *    (a device, RAM or an unclaimed range: the demo does not care);
 *  - every 10 rounds prints a line on the UART.
 * Once, on hvlab (not `qemu`), it asks for HVLAB_HC_WALK of 0x1000 so
 * hvlab prints the translation.  `rounds=N` (default 300) sets the length.
 * Low pages 0x2000 and 0x3000 are used as the demo's frames: the command
 * line was copied away at boot, nothing else of the loader's lives there.
 */
#include <uapi/hvlab.h>

#include "guest.h"

#define VA	0x1000u
#define FRAME_A	0x2000u
#define FRAME_B	0x3000u
#define VGA	0xb8000u

static uint32_t pd_a[1024] __attribute__((aligned(4096)));
static uint32_t pd_b[1024] __attribute__((aligned(4096)));
static uint32_t pt_a[1024] __attribute__((aligned(4096)));
static uint32_t pt_b[1024] __attribute__((aligned(4096)));

static void vga_write(int row, const char *s)
{
	volatile uint16_t *cell = (volatile uint16_t *)(uintptr_t)VGA + row * 80;

	for (int col = 0; col < 80; col++)
		cell[col] = (uint16_t)(0x1f00 | (uint8_t)(*s ? *s++ : ' '));
}

void guest_main(void)
{
	uint32_t rounds = (uint32_t)guest_cmdline_uint("rounds", 300);
	volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)VA;
	char line[80];
	unsigned long ret;

	*(volatile uint8_t *)(uintptr_t)FRAME_A = 'A';
	*(volatile uint8_t *)(uintptr_t)FRAME_B = 'B';
	pt32_identity(pd_a);
	pt32_identity(pd_b);
	pt32_map_4k(pd_a, pt_a, VA, FRAME_A);
	pt32_map_4k(pd_b, pt_b, VA, FRAME_B);
	paging32_enable(pd_a);
	GUEST_ASSERT_EQ(*p, 'A');

	vga_write(0, "Hello from an hvlab guest! (the demo guest)");
	uart_puts("Hello from an hvlab guest! (demo)\n");
	if (!guest_on_qemu)
		vmcall_safe(HVLAB_HC_WALK, VA, 0, 0, 0, &ret);

	for (uint32_t i = 1; i <= rounds; i++) {
		bool b = i % 2;
		volatile unsigned long work = 0;

		write_cr3((uintptr_t)(b ? pd_b : pd_a));
		GUEST_ASSERT_EQ(*p, b ? 'B' : 'A');
		outb(0x80, (uint8_t)i);
		outw(0x510, 0x0000);		/* fw_cfg signature */
		(void)inb(0x511);
		(void)lapic_read(LAPIC_VERSION);
		(void)cpuid(0, 0);
		snprintf(line, sizeof(line), "round %u of %u, address space %c",
			 i, rounds, b ? 'B' : 'A');
		vga_write(2, line);
		if (i % 10 == 0)
			uart_printf("demo: %s\n", line);
		for (int j = 0; j < 20000; j++)	/* some plain guest work */
			work += j;
	}
	uart_puts("demo: finished\n");
	GUEST_DONE();
}
