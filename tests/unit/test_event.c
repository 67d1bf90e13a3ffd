// SPDX-License-Identifier: GPL-2.0
/*
 * test_event.c - the double-fault table of SDM Vol. 3 6.15 (table 6-5),
 * kmod/pure_event.c, natively: every pair of the 32 exception vectors.
 */
#include "kselftest_harness.h"
#include "../../kmod/pure_event.h"

/* The SDM's classes, written out independently of the code under test. */
enum cls { BENIGN, CONTRIB, PF, DF };

static enum cls cls_of(int v)
{
	switch (v) {
	case 0: case 10: case 11: case 12: case 13:
		return CONTRIB;
	case 14:
		return PF;
	case 8:
		return DF;
	default:
		return BENIGN;
	}
}

TEST(table_6_5_every_pair)
{
	int a, b;

	for (a = 0; a < 32; a++)
		for (b = 0; b < 32; b++) {
			enum cls ca = cls_of(a), cb = cls_of(b);
			enum hv_exc_merge want = HV_EXC_SERIAL;

			if (ca == DF && (cb == CONTRIB || cb == PF))
				want = HV_EXC_TRIPLE;
			else if (ca == CONTRIB && cb == CONTRIB)
				want = HV_EXC_DOUBLE;
			else if (ca == PF && (cb == CONTRIB || cb == PF))
				want = HV_EXC_DOUBLE;
			EXPECT_EQ(want, hv_exception_merge(a, b))
				TH_LOG("first %d second %d", a, b);
		}
}

TEST(the_cases_a_kernel_meets)
{
	EXPECT_EQ(HV_EXC_DOUBLE, hv_exception_merge(14, 14));	/* #PF on #PF's stack */
	EXPECT_EQ(HV_EXC_DOUBLE, hv_exception_merge(13, 11));	/* #GP, gate not present */
	EXPECT_EQ(HV_EXC_SERIAL, hv_exception_merge(13, 14));	/* #PF delivering #GP */
	EXPECT_EQ(HV_EXC_TRIPLE, hv_exception_merge(8, 14));
	EXPECT_EQ(HV_EXC_SERIAL, hv_exception_merge(8, 1));	/* #DB is benign */
	EXPECT_EQ(HV_EXC_SERIAL, hv_exception_merge(6, 13));	/* #UD is benign */
}

TEST_HARNESS_MAIN
