// SPDX-License-Identifier: GPL-2.0
/*
 * smp.c - waking application processors the way firmware expects
 * (SDM Vol. 3 8.4.4.1, the INIT-SIPI-SIPI sequence), for QEMU only.
 *
 * hvlab starts every vCPU at the guest's entry point, so a guest on hvlab
 * never calls this.  Under QEMU the APs wait for a startup IPI: vCPU 0
 * copies trampoline.S to TRAMPOLINE (4 KiB aligned, below 1 MiB), then
 * sends INIT and two SIPIs whose vector is the trampoline's page number.
 */
#include "guest.h"

#define TRAMPOLINE	0x7000u

extern const char trampoline_start[], trampoline_end[];

static void delay(unsigned long n)
{
	for (volatile unsigned long i = 0; i < n; i++)
		cpu_relax();
}

static void send_ipi(unsigned int apic_id, uint32_t lo)
{
	lapic_write(LAPIC_ICR_HI, apic_id << 24);
	lapic_write(LAPIC_ICR_LO, lo);
	/* Wait for delivery status (bit 12) to clear. */
	for (int i = 0; i < 100000 && (lapic_read(LAPIC_ICR_LO) & (1u << 12)); i++)
		cpu_relax();
}

void smp_wake_aps_qemu(unsigned int apic_id)
{
	memcpy((void *)(uintptr_t)TRAMPOLINE, trampoline_start,
	       trampoline_end - trampoline_start);
	lapic_write(LAPIC_SVR, lapic_read(LAPIC_SVR) | 0x100);	/* APIC on */
	send_ipi(apic_id, 0x00004500);		/* INIT, assert */
	delay(100000);
	for (int i = 0; i < 2; i++) {
		send_ipi(apic_id, 0x00004600 | (TRAMPOLINE >> 12));	/* SIPI */
		delay(10000);
	}
}
