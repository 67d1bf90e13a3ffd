/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ucall.h - how a test guest talks to the host ("ucall", as in KVM
 * selftests).  Shared by the guest library (tests/guests/) and the device
 * that answers it (user/hw/ucall.c); plain C, no libc needed.
 *
 * The guest fills a struct ucall in its own memory and writes the struct's
 * guest-physical address (below 4 GiB) with a 32-bit OUT to UCALL_PORT.
 * The host reads the struct through the memory slots and acts on `cmd`:
 *   UCALL_DONE    the test passed: hvlab run exits 0
 *   UCALL_ASSERT  a GUEST_ASSERT failed: message with file:line, exit 2
 *   UCALL_SYNC    a checkpoint: args[] logged, the guest continues
 *   UCALL_PRINT   `text` printed to stdout, the guest continues
 *   UCALL_TIMER_TSC  the host writes into args[0] of the guest's struct the
 *                 host TSC at which this vCPU's local APIC timer last
 *                 raised its interrupt (0: never); make bench's interrupt
 *                 latency (tests/guests/bench.c).  The guest's TSC is the
 *                 host's: hvlab leaves the TSC offset at 0 unless the guest
 *                 writes IA32_TSC.
 */
#ifndef HVLAB_UCALL_H
#define HVLAB_UCALL_H

#define UCALL_PORT	0xE0

#define UCALL_NONE	0
#define UCALL_DONE	1
#define UCALL_ASSERT	2
#define UCALL_SYNC	3
#define UCALL_PRINT	4
#define UCALL_TIMER_TSC	5

#define UCALL_TEXT_MAX	128

struct ucall {
	unsigned long long cmd;
	unsigned long long args[4];
	unsigned int line;
	unsigned int pad;
	char file[64];		/* NUL-terminated, may be truncated */
	char text[UCALL_TEXT_MAX];	/* assertion text or message */
};

#endif
