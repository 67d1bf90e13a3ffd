/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pure_event.h - what the CPU does when delivering one exception raises
 * another, as pure logic (no kernel API, no libc), unit-tested natively by
 * tests/unit/test_event.c and built into the module unchanged.
 *
 * A VM exit can interrupt the delivery of an event: the exit's
 * IDT-vectoring information names the event being delivered (the first)
 * and the exit itself may be an exception that delivery raised (the
 * second).  When hvlab hands that second exception back to the guest it
 * must do what the CPU would have done without the exit: SDM Vol. 3 6.15
 * (interrupt 8, table 6-5) sorts exceptions into benign, contributory and
 * page faults; two contributory faults, or a page fault followed by a
 * contributory fault or another page fault, become a double fault (#DF,
 * error code 0); any of those during the delivery of a #DF shuts the
 * processor down (triple fault).  Everything else is handled serially:
 * the second exception is delivered and the first is raised again when
 * its instruction runs again (or, for an external interrupt, is lost, as
 * on real hardware, where it was already acknowledged).
 */
#ifndef HVLAB_PURE_EVENT_H
#define HVLAB_PURE_EVENT_H

#include <linux/types.h>

enum hv_exc_merge {
	HV_EXC_SERIAL,		/* deliver the second exception */
	HV_EXC_DOUBLE,		/* deliver #DF(0) instead */
	HV_EXC_TRIPLE,		/* shutdown */
};

/*
 * first: vector of a hardware exception being delivered; second: vector
 * of the exception its delivery raised.
 */
enum hv_exc_merge hv_exception_merge(__u8 first, __u8 second);

#endif
