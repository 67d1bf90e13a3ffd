// SPDX-License-Identifier: GPL-2.0
/*
 * invlpg - proves INVLPG works under the hypervisor: with 32-bit paging
 * on, guest-virtual 0x1000 maps to frame_a; the guest remaps it to frame_b
 * in the live page table and executes INVLPG 0x1000, after which the new
 * frame must be visible through 0x1000 (an INVLPG exit, when the
 * hypervisor intercepts it, must still invalidate).  Repeated a few times,
 * both directions.
 */
#include "guest.h"

#define VA 0x1000u

static uint32_t pd[1024] __attribute__((aligned(4096)));
static uint32_t pt[1024] __attribute__((aligned(4096)));
static uint8_t frame_a[4096] __attribute__((aligned(4096)));
static uint8_t frame_b[4096] __attribute__((aligned(4096)));

void guest_main(void)
{
	volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)VA;

	frame_a[0] = 'A';
	frame_b[0] = 'B';
	pt32_identity(pd);
	pt32_map_4k(pd, pt, VA, (uintptr_t)frame_a);
	paging32_enable(pd);
	GUEST_ASSERT_EQ(*p, 'A');		/* the TLB now holds VA -> frame_a */

	for (int i = 0; i < 4; i++) {
		uint8_t *f = i % 2 ? frame_a : frame_b;

		pt32_map_4k(pd, pt, VA, (uintptr_t)f);
		invlpg(p);
		GUEST_ASSERT_EQ(*p, f[0]);
	}
	GUEST_PRINTF("invlpg: 4 remaps of 0x%x seen", VA);
	GUEST_DONE();
}
