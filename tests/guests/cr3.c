// SPDX-License-Identifier: GPL-2.0
/*
 * cr3 - the seed's example: a guest writes CR3 and the hypervisor
 * intercepts it.  Proves that with `hvlab run --trap-cr3` every MOV to CR3
 * exits, exactly once each, and that the guest still gets the address space
 * it asked for.
 *
 * Two page directories identity-map 4 GiB, except guest-virtual 0x1000,
 * which maps to page frame_a in one and frame_b in the other.  The guest
 * writes CR3 exactly N times (N = `n=...` on the command line, default
 * 100; the first write is the one that enables paging), alternating between
 * the two, and after each write checks through VA 0x1000 that the expected
 * frame is mapped.  It never reads CR3, so CR3 exits == N.  It reports N
 * with GUEST_SYNC(N) and prints "cr3 writes: N".
 */
#include "guest.h"

#define VA 0x1000u

static uint32_t pd_a[1024] __attribute__((aligned(4096)));
static uint32_t pd_b[1024] __attribute__((aligned(4096)));
static uint32_t pt_a[1024] __attribute__((aligned(4096)));
static uint32_t pt_b[1024] __attribute__((aligned(4096)));
static uint8_t frame_a[4096] __attribute__((aligned(4096)));
static uint8_t frame_b[4096] __attribute__((aligned(4096)));

void guest_main(void)
{
	uint32_t n = (uint32_t)guest_cmdline_uint("n", 100);
	volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)VA;

	GUEST_ASSERT(n >= 1 && n <= 1000000);
	frame_a[0] = 'A';
	frame_b[0] = 'B';
	pt32_identity(pd_a);
	pt32_identity(pd_b);
	pt32_map_4k(pd_a, pt_a, VA, (uintptr_t)frame_a);
	pt32_map_4k(pd_b, pt_b, VA, (uintptr_t)frame_b);

	paging32_enable(pd_a);			/* CR3 write 1 */
	GUEST_ASSERT_EQ(*p, 'A');
	for (uint32_t i = 2; i <= n; i++) {	/* CR3 writes 2..n */
		bool b = i % 2 == 0;

		write_cr3((uintptr_t)(b ? pd_b : pd_a));
		if (*p != (b ? 'B' : 'A'))
			GUEST_ASSERT_EQ(*p, b ? 'B' : 'A');
	}
	GUEST_SYNC(n);
	GUEST_PRINTF("cr3 writes: %u", n);
	GUEST_DONE();
}
