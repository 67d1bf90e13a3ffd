// SPDX-License-Identifier: GPL-2.0
/*
 * grade.c - lab 13's native checks: the decode of an SVM IOIO intercept's
 * EXITINFO1 (kmod/pure_svm_io.c, hv_svm_ioio_decode).  The handler in
 * kmod/svm.c that turns it into the common I/O exit is checked in the VM,
 * on an AMD CPU (grade.list).
 *
 * Each check draws instructions at random (port, size, direction, string,
 * REP, address size, segment), encodes them the way the CPU does (APM
 * Vol. 2 15.10.2) and compares the decode with what was drawn, so a
 * decoder that knows one port or one size fails.
 */
#include "grade.h"
#include "../../kmod/pure_svm_io.h"

/* One I/O instruction, as the grader draws it. */
struct insn {
	unsigned int port, size, in, str, rep, abits, seg;
};

static struct insn random_insn(int str)
{
	static const unsigned int sizes[] = { 1, 2, 4 }, abits[] = { 16, 32, 64 };

	return (struct insn){
		.port = (unsigned int)rnd_range(0, 0xffff),
		.size = sizes[rnd() % 3],
		.in = (unsigned int)(rnd() & 1),
		.str = (unsigned int)str,
		.rep = (unsigned int)(rnd() & 1),
		.abits = abits[rnd() % 3],
		.seg = (unsigned int)rnd_range(0, 5),
	};
}

/* EXITINFO1 as the CPU writes it for i (APM Vol. 2 15.10.2, figure 15-2). */
static __u32 encode(const struct insn *i)
{
	__u32 sz = i->size == 1 ? 1u << 4 : i->size == 2 ? 1u << 5 : 1u << 6;
	__u32 a = i->abits == 16 ? 1u << 7 : i->abits == 32 ? 1u << 8 : 1u << 9;

	return (__u32)i->port << 16 | (__u32)i->seg << 10 | a | sz |
	       (i->rep ? 1u << 3 : 0) | (i->str ? 1u << 2 : 0) | (i->in ? 1u : 0);
}

static void check_one(const struct insn *i)
{
	__u32 info = encode(i);
	struct hv_svm_io io;
	__u64 mask = i->abits == 16 ? 0xffff : i->abits == 32 ? 0xffffffff : ~0ull;

	memset(&io, 0x5a, sizeof(io));
	CHECK(hv_svm_ioio_decode(info, &io) == 0, "EXITINFO1 %#010x (%s%s, %u bytes, port %#x): "
	      "refused, want 0", info, i->str ? (i->in ? "INS" : "OUTS") : (i->in ? "IN" : "OUT"),
	      i->rep ? " with REP" : "", i->size, i->port);
	CHECK(io.port == i->port, "EXITINFO1 %#010x: port %#x, want %#x", info, io.port, i->port);
	CHECK(io.size == i->size, "EXITINFO1 %#010x: size %u, want %u (bits 6:4)", info, io.size,
	      i->size);
	CHECK(io.in == i->in, "EXITINFO1 %#010x: in %u, want %u (bit 0)", info, io.in, i->in);
	CHECK(io.str == i->str, "EXITINFO1 %#010x: str %u, want %u (bit 2)", info, io.str, i->str);
	if (!i->str) {
		CHECK(io.rep == 0 && io.seg == 0 && io.addr_mask == 0, "EXITINFO1 %#010x (not a "
		      "string instruction): rep %u seg %u addr_mask %#llx, want all 0", info, io.rep,
		      io.seg, (unsigned long long)io.addr_mask);
		return;
	}
	CHECK(io.rep == i->rep, "EXITINFO1 %#010x: rep %u, want %u (bit 3)", info, io.rep, i->rep);
	CHECK(io.addr_mask == mask, "EXITINFO1 %#010x: addr_mask %#llx, want %#llx (bits 9:7, "
	      "%u-bit addresses)", info, (unsigned long long)io.addr_mask,
	      (unsigned long long)mask, i->abits);
	CHECK(io.seg == (i->in ? 0 : i->seg), "EXITINFO1 %#010x: seg %u, want %u (%s)", info,
	      io.seg, i->in ? 0 : i->seg, i->in ? "INS always writes ES:rDI" : "bits 12:10");
}

LAB_TEST(ioio_random_in_out)
{
	for (int k = 0; k < 5000; k++) {
		struct insn i = random_insn(0);

		check_one(&i);
		BAIL();
	}
}

LAB_TEST(ioio_random_string)
{
	for (int k = 0; k < 5000; k++) {
		struct insn i = random_insn(1);

		check_one(&i);
		BAIL();
	}
}

/*
 * Size fields that are not one-hot, OUTS's segments 6 and 7: -1, *io kept.
 * Each is the corruption of an instruction that must decode (a decoder
 * that refuses everything refuses these too, and fails).
 */
LAB_TEST(ioio_refuses_what_no_cpu_sends)
{
	for (int k = 0; k < 3000; k++) {
		struct insn i = random_insn((int)(rnd() & 1));
		__u32 info = encode(&i), bad;
		unsigned int what = (unsigned int)(rnd() % 3), v;
		struct hv_svm_io io, before;

		if (what == 0) {		/* SZ: none or two or three bits */
			do
				v = (unsigned int)(rnd() & 7);
			while (v == 1 || v == 2 || v == 4);
			bad = (info & ~(7u << 4)) | v << 4;
		} else if (what == 1) {		/* A16/32/64 of INS or OUTS */
			do
				v = (unsigned int)(rnd() & 7);
			while (v == 1 || v == 2 || v == 4);
			bad = (info & ~(7u << 7)) | v << 7 | 1u << 2;
		} else {			/* OUTS from segment 6 or 7 */
			bad = (info & ~(7u << 10) & ~1u) | (unsigned int)rnd_range(6, 7) << 10 |
			      1u << 2;
		}
		check_one(&i);
		BAIL();
		memset(&io, 0xa5, sizeof(io));
		before = io;
		CHECK(hv_svm_ioio_decode(bad, &io) == -1, "EXITINFO1 %#010x: accepted, want -1 (%s)",
		      bad, what == 0 ? "bits 6:4 must have exactly one bit set" :
		      what == 1 ? "a string instruction's bits 9:7 must have exactly one bit set" :
		      "OUTS's segment (bits 12:10) is 0-5, ES to GS");
		CHECK(!memcmp(&io, &before, sizeof(io)), "EXITINFO1 %#010x: refused, but *io was "
		      "written; leave it alone", bad);
	}
}
