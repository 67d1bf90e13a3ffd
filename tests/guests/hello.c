// SPDX-License-Identifier: GPL-2.0
/*
 * hello - the smallest guest: proves that a multiboot image is loaded and
 * entered, that the 16550 UART at 0x3F8 reaches stdout and that a 32-bit
 * write to the debug-exit port 0xF4 ends the run.  It uses no ucall, so it
 * works before the ucall device does.
 *
 * Expected: stdout has "Hello from an hvlab guest!"; the write of 0 makes
 * `hvlab run` (and QEMU's isa-debug-exit) exit with status (0 << 1) | 1 = 1.
 */
#include "guest.h"

void guest_main(void)
{
	uart_puts("Hello from an hvlab guest!\n");
	debug_exit(0);
	guest_halt_forever();
}
