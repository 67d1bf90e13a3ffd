// SPDX-License-Identifier: GPL-2.0
/*
 * ptcache - tries to catch a kept shadow root out of date.
 *
 * Under shadow paging hvlab keeps one shadow root per guest address space
 * (kmod/shadow.c) and relies on write-protecting the guest's page tables
 * to know when a kept root no longer mirrors them.  This guest edits its
 * tables in every way that could leave a stale root behind and checks,
 * through guest-virtual 0x1000, that it always sees the frame its tables
 * name at that moment (the architecture's rule: an edit counts after
 * INVLPG of the page or after any MOV to CR3, SDM Vol. 3 4.10.4):
 *   1. edit space A's page table while space B is loaded, go back to A;
 *   2. edit A's table while A is loaded, no INVLPG, leave and come back;
 *   3. the same with INVLPG, then leave and come back;
 *   4. edit A's page directory (the level above) while B is loaded;
 *   5. edit a page table two spaces share, reload CR3 with the same value;
 *   6. rotate through a few spaces, then more than hvlab keeps roots for.
 * Under EPT the CPU does all of this itself: the same guest passes there.
 * Prints "ptcache: 6 checks passed"; with forever=1 on its command line it
 * then goes on remapping and switching spaces until it is stopped.
 */
#include "guest.h"

#define VA	0x1000u
#define SPACES	10

static uint32_t pd[SPACES][1024] __attribute__((aligned(4096)));
static uint32_t pt[SPACES][1024] __attribute__((aligned(4096)));
static uint8_t frame[SPACES][4096] __attribute__((aligned(4096)));

static volatile uint8_t *const p = (volatile uint8_t *)(uintptr_t)VA;

static void space(unsigned int s)
{
	write_cr3((uintptr_t)pd[s]);
}

/* Points VA at frame f in page table t (the PDE is already there). */
static void remap(uint32_t *t, unsigned int f)
{
	t[VA >> 12] = (uint32_t)(uintptr_t)frame[f] | PTE_W | PTE_P;
}

void guest_main(void)
{
	bool forever = guest_cmdline_uint("forever", 0);
	unsigned int s, round;

	if (guest_cpu_id())
		return;
	for (s = 0; s < SPACES; s++) {
		frame[s][0] = 'a' + s;
		pt32_identity(pd[s]);
		pt32_map_4k(pd[s], pt[s], VA, (uintptr_t)frame[s]);
	}
	paging32_enable(pd[0]);
	GUEST_ASSERT_EQ(*p, 'a');
	space(1);
	GUEST_ASSERT_EQ(*p, 'b');
	space(0);
	GUEST_ASSERT_EQ(*p, 'a');	/* a kept root, if hvlab keeps them */

	/* 1 */
	space(1);
	GUEST_ASSERT_EQ(*p, 'b');
	remap(pt[0], 2);
	space(0);
	GUEST_ASSERT_EQ(*p, 'c');

	/* 2 */
	remap(pt[0], 3);
	space(1);
	GUEST_ASSERT_EQ(*p, 'b');
	space(0);
	GUEST_ASSERT_EQ(*p, 'd');

	/* 3 */
	remap(pt[0], 4);
	invlpg(p);
	GUEST_ASSERT_EQ(*p, 'e');
	space(1);
	GUEST_ASSERT_EQ(*p, 'b');
	space(0);
	GUEST_ASSERT_EQ(*p, 'e');

	/* 4: A's PDE for 0..4 MiB now names B's page table */
	space(1);
	GUEST_ASSERT_EQ(*p, 'b');
	pd[0][0] = (uint32_t)(uintptr_t)pt[1] | PTE_W | PTE_P;
	space(0);
	GUEST_ASSERT_EQ(*p, 'b');

	/* 5: A and B share pt[1]; edit it, reload the same CR3 */
	space(1);
	GUEST_ASSERT_EQ(*p, 'b');
	space(0);
	remap(pt[1], 5);
	space(0);
	GUEST_ASSERT_EQ(*p, 'f');
	space(1);
	GUEST_ASSERT_EQ(*p, 'f');
	pd[0][0] = (uint32_t)(uintptr_t)pt[0] | PTE_W | PTE_P;
	remap(pt[0], 0);
	remap(pt[1], 1);
	space(0);
	GUEST_ASSERT_EQ(*p, 'a');
	space(1);
	GUEST_ASSERT_EQ(*p, 'b');

	/* 6: twice within what hvlab keeps (8), then more spaces than that */
	for (round = 0; round < 3; round++) {
		for (s = 0; s < (round < 2 ? 6u : SPACES); s++) {
			if (round == 2 && s >= 2)
				remap(pt[s], s);	/* same frame, a write */
			space(s);
			if (*p != 'a' + s)
				GUEST_ASSERT_EQ(*p, 'a' + s);
		}
	}
	GUEST_PRINTF("ptcache: 6 checks passed");
	/*
	 * forever=1: go on editing tables and switching spaces until stopped
	 * from outside (test_run_paging: SIGINT must still end hvlab).  A
	 * PAUSE per round, as any spinning loop has: under nested paging the
	 * loop never exits otherwise, and on Bochs's SVM model only PAUSE
	 * filtering then brings the vCPU back to the host (docs/svm.md).
	 */
	for (round = 0; forever; round++) {
		unsigned int f = (round / SPACES + round) % SPACES;

		cpu_relax();

		s = round % SPACES;
		remap(pt[s], f);
		space(s);
		if (*p != 'a' + f)
			GUEST_ASSERT_EQ(*p, 'a' + f);
	}
	GUEST_DONE();
}
