// SPDX-License-Identifier: GPL-2.0
/*
 * ptbench - the seed's "translation overhead", measured (make bench).
 *
 * M address spaces (M page directories) each map N pages at guest-virtual
 * 0x40000000.. to frames of their own.  R rounds: for each space, MOV to
 * CR3 then touch (read and write) its N pages.  The guest prints the
 * guest-TSC cycles of the whole loop, of the first round, and of each
 * later round.  Under EPT the CR3 writes and the touches run at native
 * speed once the EPT is filled.  Under shadow paging every CR3 write
 * exits; in the first round every first touch is a #PF exit that hvlab
 * fills by walking the guest's tables in software, and in later rounds
 * the kept shadow roots (kmod/shadow.c) make the touches native again -
 * unless hvlab throws them away.  m=, n=, r= on the command line.
 */
#include "guest.h"

#define VA0		0x40000000u
#define MAX_M		4
#define MAX_N		64

static uint32_t pd[MAX_M][1024] __attribute__((aligned(4096)));
static uint32_t pt[MAX_M][1024] __attribute__((aligned(4096)));
static uint8_t frames[MAX_M][MAX_N][4096] __attribute__((aligned(4096)));

void guest_main(void)
{
	uint32_t m = guest_cmdline_uint("m", MAX_M);
	uint32_t n = guest_cmdline_uint("n", 32);
	uint32_t r = guest_cmdline_uint("r", 10);
	uint64_t t0, t1 = 0, t2;

	if (guest_cpu_id())
		return;
	GUEST_ASSERT(m >= 1 && m <= MAX_M && n >= 1 && n <= MAX_N && r >= 1);
	for (uint32_t s = 0; s < m; s++) {
		pt32_identity(pd[s]);
		for (uint32_t i = 0; i < n; i++)
			pt32_map_4k(pd[s], pt[s], VA0 + i * 4096,
				    (uintptr_t)frames[s][i]);
	}
	paging32_enable(pd[0]);

	t0 = rdtsc();
	for (uint32_t round = 0; round < r; round++) {
		if (round == 1)
			t1 = rdtsc();
		for (uint32_t s = 0; s < m; s++) {
			write_cr3((uintptr_t)pd[s]);
			for (uint32_t i = 0; i < n; i++) {
				volatile uint8_t *p =
					(volatile uint8_t *)(uintptr_t)(VA0 + i * 4096);

				*p = *p + 1;
			}
		}
	}
	t2 = rdtsc();
	if (r == 1)
		t1 = t2;
	/* every page of every space was touched r times: check one */
	GUEST_ASSERT_EQ(frames[m - 1][n - 1][0], (uint8_t)r);
	GUEST_PRINTF("ptbench %u spaces x %u pages x %u rounds: %u cycles, first round %u, later rounds %u each",
		     m, n, r, (uint32_t)(t2 - t0), (uint32_t)(t1 - t0),
		     r > 1 ? (uint32_t)(t2 - t1) / (r - 1) : 0);
}
