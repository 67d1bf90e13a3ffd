// SPDX-License-Identifier: GPL-2.0
/*
 * ucall.c - the guest half of the ucall protocol of user/hw/ucall.h.
 *
 * A ucall fills this vCPU's own struct ucall and writes its guest-physical
 * address with one 32-bit OUT to UCALL_PORT; hvlab reads the struct while
 * the vCPU is stopped in the I/O exit, so the struct is never reused before
 * the host has seen it.  Identity mapping everywhere (paging off, or the
 * library's page tables) makes the address we hold the GPA.
 *
 * Under QEMU (`qemu` on the command line) the port is ignored, so each
 * ucall is also written to the UART, and the guest ends through the
 * debug-exit port: GUEST_DONE writes 0 (QEMU exit status 1), a failed
 * assertion writes 1 (status 3).
 */
#include "guest.h"

static void ucall_send(struct ucall *uc)
{
	/* The host reads the struct at the OUT: all stores must precede it. */
	asm volatile("" : : : "memory");
	outl(UCALL_PORT, (uint32_t)(uintptr_t)uc);
}

void debug_exit(uint32_t v)
{
	outl(DEBUG_EXIT_PORT, v);
}

void guest_halt_forever(void)
{
	for (;;) {
		cli();
		hlt();
	}
}

void ucall(uint64_t cmd, uint64_t arg0, uint64_t arg1)
{
	struct ucall *uc = &guest_cpu()->uc;

	memset(uc, 0, sizeof(*uc));
	uc->cmd = cmd;
	uc->args[0] = arg0;
	uc->args[1] = arg1;
	if (guest_on_qemu && cmd == UCALL_SYNC)
		uart_printf("sync[%u]: 0x%llx 0x%llx\n", guest_cpu_id(),
			    (unsigned long long)arg0, (unsigned long long)arg1);
	ucall_send(uc);
}

void ucall_print(const char *fmt, ...)
{
	struct ucall *uc = &guest_cpu()->uc;
	va_list ap;

	memset(uc, 0, sizeof(*uc));
	uc->cmd = UCALL_PRINT;
	va_start(ap, fmt);
	vsnprintf(uc->text, sizeof(uc->text), fmt, ap);
	va_end(ap);
	if (guest_on_qemu) {
		uart_puts(uc->text);
		uart_putc('\n');
	}
	ucall_send(uc);
}

void guest_done(void)
{
	struct ucall *uc = &guest_cpu()->uc;

	memset(uc, 0, sizeof(*uc));
	uc->cmd = UCALL_DONE;
	if (guest_on_qemu)
		uart_puts("guest: done\n");
	ucall_send(uc);
	debug_exit(0);
	guest_halt_forever();
}

void guest_assert_fail(const char *file, unsigned int line, const char *fmt, ...)
{
	struct ucall *uc = &guest_cpu()->uc;
	const char *base = file;
	va_list ap;

	/* Only the file's name: the host prints "FILE:LINE: TEXT". */
	for (const char *p = file; *p; p++)
		if (*p == '/')
			base = p + 1;
	memset(uc, 0, sizeof(*uc));
	uc->cmd = UCALL_ASSERT;
	uc->line = line;
	for (size_t i = 0; base[i] && i < sizeof(uc->file) - 1; i++)
		uc->file[i] = base[i];
	va_start(ap, fmt);
	vsnprintf(uc->text, sizeof(uc->text), fmt, ap);
	va_end(ap);
	if (guest_on_qemu)
		uart_printf("guest: ASSERT %s:%u: %s\n", uc->file, uc->line, uc->text);
	ucall_send(uc);
	debug_exit(1);
	guest_halt_forever();
}
