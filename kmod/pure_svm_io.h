/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pure_svm_io.h - the decode of an SVM IOIO intercept's EXITINFO1 (AMD
 * APM Vol. 2 15.10.2, figure 15-2), as pure logic (no kernel API, no
 * libc), unit-tested natively by tests/unit/test_svm_io.c, graded by lab
 * 13 and built into the module unchanged.
 *
 * VMX describes an I/O exit in two fields: the exit qualification (size
 * minus one, direction, string, REP, port; SDM Vol. 3 28.2.1 table 28-5)
 * and, for INS/OUTS, the VM-exit instruction-information field (address
 * size, segment; 28.2.5 table 28-8).  SVM packs all of it into the 32 bits of
 * EXITINFO1, with one-hot size fields:
 *
 *   bit  0     TYPE: 1 = IN/INS, 0 = OUT/OUTS
 *   bit  2     STR: INS or OUTS
 *   bit  3     REP: a REP prefix
 *   bits 6:4   SZ32, SZ16, SZ8: the operand size, one bit set
 *   bits 9:7   A64, A32, A16: the address size, one bit set
 *   bits 12:10 SEG: OUTS's source segment (0 ES, 1 CS, ... 5 GS)
 *   bits 31:16 PORT
 *
 * The next RIP is not in EXITINFO1: with NRIP save it is in the VMCB's
 * NRIP field (APM 15.7.1), the counterpart of VMX's instruction length.
 */
#ifndef HVLAB_PURE_SVM_IO_H
#define HVLAB_PURE_SVM_IO_H

#include <linux/types.h>

/* EXITINFO1's fields (APM 15.10.2) */
#define SVM_IOIO_IN		(1u << 0)
#define SVM_IOIO_STR		(1u << 2)
#define SVM_IOIO_REP		(1u << 3)
#define SVM_IOIO_SIZE_SHIFT	4	/* bits 6:4: 1, 2 or 4 bytes */
#define SVM_IOIO_ASIZE_SHIFT	7	/* bits 9:7: A16, A32, A64 */
#define SVM_IOIO_SEG_SHIFT	10	/* bits 12:10 */
#define SVM_IOIO_PORT_SHIFT	16	/* bits 31:16 */

/* One I/O instruction, as EXITINFO1 describes it. */
struct hv_svm_io {
	__u16 port;
	__u8 size;		/* operand size in bytes: 1, 2 or 4 */
	__u8 in;		/* 1: IN or INS (the guest reads the port) */
	__u8 str;		/* 1: INS or OUTS */
	__u8 rep;		/* 1: with a REP prefix (string forms only) */
	/* the string forms only (0 otherwise): */
	__u8 seg;		/* the memory operand's segment, 0 ES .. 5 GS */
	__u64 addr_mask;	/* rSI/rDI/rCX width: 0xffff, 0xffffffff or ~0 */
};

/*
 * hv_svm_ioio_decode - EXITINFO1 of an IOIO intercept into *io.
 * Returns 0, or -1 (and *io untouched) when EXITINFO1 describes no
 * instruction: the operand size is not exactly one of SZ8/16/32, or, for
 * INS/OUTS, the address size is not exactly one of A16/32/64, or the
 * segment is above GS.  INS always writes ES:rDI (SDM Vol. 2, INS), so
 * its seg is ES whatever bits 12:10 hold.
 */
int hv_svm_ioio_decode(__u32 info, struct hv_svm_io *io);

#endif
