// SPDX-License-Identifier: GPL-2.0
/*
 * test_svm_io.c - the decode of an SVM IOIO intercept's EXITINFO1
 * (kmod/pure_svm_io.c), natively, on named instructions.
 *
 * The EXITINFO1 values are written out bit by bit after APM Vol. 2
 * 15.10.2 (figure 15-2), for instructions the guests of tests/guests/
 * run (OUT to the UART, IN from PCI and fw_cfg, REP OUTSB) and a few
 * that exercise the rest (INSW, an FS override, port 0xffff).  Lab 13's
 * grader (labs/13-svm-ioio/grade.c) draws the same fields at random.
 */
#include <string.h>

#include "kselftest_harness.h"
#include "../../kmod/pure_svm_io.h"

#define SZ8	(1u << 4)
#define SZ16	(1u << 5)
#define SZ32	(1u << 6)
#define A16	(1u << 7)
#define A32	(1u << 8)
#define A64	(1u << 9)
#define SEG(n)	((__u32)(n) << 10)
#define PORT(p)	((__u32)(p) << 16)

/* OUT DX, AL to the UART's THR (0x3f8) from 64-bit code */
TEST(out_byte)
{
	struct hv_svm_io io;

	ASSERT_EQ(0, hv_svm_ioio_decode(PORT(0x3f8) | A64 | SZ8, &io));
	EXPECT_EQ(0x3f8, io.port);
	EXPECT_EQ(1, io.size);
	EXPECT_EQ(0, io.in);
	EXPECT_EQ(0, io.str);
	EXPECT_EQ(0, io.rep);
	EXPECT_EQ(0, io.addr_mask);
}

/* IN EAX, DX from PCI's CONFIG_DATA (0xcfc); REP and SEG mean nothing here */
TEST(in_dword_ignores_string_fields)
{
	struct hv_svm_io io;

	ASSERT_EQ(0, hv_svm_ioio_decode(PORT(0xcfc) | SEG(3) | A32 | SZ32 |
					SVM_IOIO_REP | SVM_IOIO_IN, &io));
	EXPECT_EQ(0xcfc, io.port);
	EXPECT_EQ(4, io.size);
	EXPECT_EQ(1, io.in);
	EXPECT_EQ(0, io.str);
	EXPECT_EQ(0, io.rep);
	EXPECT_EQ(0, io.seg);
	EXPECT_EQ(0, io.addr_mask);
}

/* IN AX, DX from fw_cfg's data port (0x511), 16-bit code */
TEST(in_word_port_0x511)
{
	struct hv_svm_io io;

	ASSERT_EQ(0, hv_svm_ioio_decode(PORT(0x511) | A16 | SZ16 | SVM_IOIO_IN, &io));
	EXPECT_EQ(0x511, io.port);
	EXPECT_EQ(2, io.size);
	EXPECT_EQ(1, io.in);
}

/* REP OUTSB with an FS override, 32-bit addresses: ESI, ECX */
TEST(rep_outsb_fs_a32)
{
	struct hv_svm_io io;

	ASSERT_EQ(0, hv_svm_ioio_decode(PORT(0x3f8) | SEG(4) | A32 | SZ8 |
					SVM_IOIO_REP | SVM_IOIO_STR, &io));
	EXPECT_EQ(1, io.str);
	EXPECT_EQ(1, io.rep);
	EXPECT_EQ(0, io.in);
	EXPECT_EQ(4, io.seg);
	EXPECT_EQ(0xffffffffull, io.addr_mask);
}

/* INSW: always ES:rDI, whatever bits 12:10 hold; 64-bit addresses */
TEST(insw_is_es)
{
	struct hv_svm_io io;

	ASSERT_EQ(0, hv_svm_ioio_decode(PORT(0x1f0) | SEG(5) | A64 | SZ16 |
					SVM_IOIO_STR | SVM_IOIO_IN, &io));
	EXPECT_EQ(0, io.seg);
	EXPECT_EQ(0, io.rep);
	EXPECT_EQ(~0ull, io.addr_mask);
	EXPECT_EQ(2, io.size);
}

/* The highest port, 16-bit addresses */
TEST(port_0xffff_a16)
{
	struct hv_svm_io io;

	ASSERT_EQ(0, hv_svm_ioio_decode(PORT(0xffff) | A16 | SZ8 | SVM_IOIO_STR, &io));
	EXPECT_EQ(0xffff, io.port);
	EXPECT_EQ(0xffffull, io.addr_mask);
}

/* Not one-hot, or a segment above GS: -1 and *io untouched */
TEST(refused)
{
	static const __u32 bad[] = {
		PORT(0x80) | A64,				/* no size */
		PORT(0x80) | A64 | SZ8 | SZ16,			/* two sizes */
		PORT(0x80) | A64 | SZ8 | SZ16 | SZ32,		/* three */
		PORT(0x80) | SZ8 | SVM_IOIO_STR,		/* OUTS, no A* */
		PORT(0x80) | A16 | A64 | SZ8 | SVM_IOIO_STR,	/* two A* */
		PORT(0x80) | SEG(6) | A64 | SZ8 | SVM_IOIO_STR,	/* OUTS from 6 */
		PORT(0x80) | SEG(7) | A64 | SZ8 | SVM_IOIO_STR,	/* and 7 */
	};
	struct hv_svm_io io, before;

	memset(&io, 0xa5, sizeof(io));
	before = io;
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-1, hv_svm_ioio_decode(bad[i], &io)) {
			TH_LOG("EXITINFO1 %#x accepted", bad[i]);
		}
		EXPECT_EQ(0, memcmp(&io, &before, sizeof(io)));
	}
}

TEST_HARNESS_MAIN
