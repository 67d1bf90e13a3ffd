// SPDX-License-Identifier: GPL-2.0
/*
 * pure_svm_io.c - what an SVM IOIO intercept's EXITINFO1 says about the
 * I/O instruction that exited (AMD APM Vol. 2 15.10.2); the layout is in
 * pure_svm_io.h.  svm.c's handle_ioio turns the result into the
 * backend-neutral I/O exit (run->io) that exit_io.c fills on VMX.
 *
 * Invariants:
 *  - A size field must have exactly one bit set: SZ8/16/32 give 1, 2 or 4
 *    bytes, A16/32/64 a 16-, 32- or 64-bit rSI/rDI/rCX.  Anything else is
 *    not an instruction the CPU could have run, and is refused.
 *  - *io is written only when the decode succeeds.
 */
#include <linux/types.h>
#include "pure_svm_io.h"

int hv_svm_ioio_decode(__u32 info, struct hv_svm_io *io)
{
	/* LAB 13: BEGIN svm_ioio_decode */
	struct hv_svm_io d = { 0 };
	__u32 sz = (info >> SVM_IOIO_SIZE_SHIFT) & 7;
	__u32 asz = (info >> SVM_IOIO_ASIZE_SHIFT) & 7;

	/* SZ8, SZ16, SZ32 are bits 4, 5, 6: the field is the byte count */
	if (sz != 1 && sz != 2 && sz != 4)
		return -1;
	d.port = info >> SVM_IOIO_PORT_SHIFT;
	d.size = sz;
	d.in = !!(info & SVM_IOIO_IN);
	d.str = !!(info & SVM_IOIO_STR);
	if (d.str) {
		/* REP matters only to INS/OUTS (an IN with F3 is plain IN) */
		d.rep = !!(info & SVM_IOIO_REP);
		if (asz == 1)
			d.addr_mask = 0xffff;
		else if (asz == 2)
			d.addr_mask = 0xffffffff;
		else if (asz == 4)
			d.addr_mask = ~0ull;
		else
			return -1;
		/* INS stores to ES:rDI, no override (SDM Vol. 2, INS) */
		d.seg = d.in ? 0 : (info >> SVM_IOIO_SEG_SHIFT) & 7;
		if (d.seg > 5)
			return -1;
	}
	*io = d;
	return 0;
	/* LAB 13: END svm_ioio_decode */
}
