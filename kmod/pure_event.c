// SPDX-License-Identifier: GPL-2.0
/*
 * pure_event.c - the double-fault rules of SDM Vol. 3 6.15, table 6-5
 * (see pure_event.h).
 */
#include "pure_event.h"

#define EXC_DE	0
#define EXC_DF	8
#define EXC_TS	10
#define EXC_GP	13
#define EXC_PF	14

/* Divide error, invalid TSS, segment not present, stack fault, #GP. */
static int contributory(__u8 v)
{
	return v == EXC_DE || (v >= EXC_TS && v <= EXC_GP);
}

enum hv_exc_merge hv_exception_merge(__u8 first, __u8 second)
{
	int bad_second = contributory(second) || second == EXC_PF;

	if (first == EXC_DF && bad_second)
		return HV_EXC_TRIPLE;
	if (contributory(first) && contributory(second))
		return HV_EXC_DOUBLE;
	if (first == EXC_PF && bad_second)
		return HV_EXC_DOUBLE;
	return HV_EXC_SERIAL;
}
