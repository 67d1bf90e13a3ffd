// SPDX-License-Identifier: GPL-2.0
/*
 * test_trace.c - the trace format: every record type survives a write and
 * a read unchanged; a trace cut at any byte, or with any field made
 * invalid, is refused with a clear error and keeps what came before; the
 * committed fixture reads back complete; the lock-free reader of the exit
 * ring counts what it missed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "dash/ring.h"
#include "dash/trace.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n ? n : 1);
	if (buf && fread(buf, 1, n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = n;
	return buf;
}

static const struct trace_config cfg = {
	.mem_size = 64 << 20, .nr_vcpus = 2, .vm_flags = HVLAB_VM_TRAP_CR3,
	.tsc_hz = 2000000000, .start_unix_ns = 1234, .image = "guest.elf",
};

static struct hvlab_exit_record cr3_exit = {
	.tsc = 111, .rip = 0x1000, .qualification = 3, .gpa = 0, .value = 0x5000,
	.reason = HVLAB_VMX_EXIT_CR_ACCESS, .info = 7, .cycles = 950,
};

/* Writes one of each record type; returns the path. */
static void write_sample(const char *path)
{
	struct trace_writer *w = trace_create(path, &cfg);
	struct hvlab_regs r;
	struct hvlab_sregs s;
	struct hvlab_translation t = {
		.gva = 0x1000, .gpa = 0x1000, .hpa = 0x2000, .paging_mode = 4,
		.guest_steps = 2, .second_steps = 1,
		.guest = { { .level = 4, .table = 0x5000, .entry = 0x6003 },
			   { .level = 3, .table = 0x6000, .entry = 0x1083 } },
		.second = { { .level = 1, .table = 0x9000, .entry = 0x2037 } },
	};
	struct trace_io io = { .addr = 0x3f8, .value = 'H', .size = 1,
			       .flags = TRACE_IO_WRITE, .vcpu = 1 };
	uint8_t vga[4] = { 'O', 0x1f, 'K', 0x1f };

	memset(&r, 0, sizeof(r));
	memset(&s, 0, sizeof(s));
	for (int i = 0; i < 18; i++)
		((__u64 *)&r)[i] = 0x1111111111111111ull * (i % 15 + 1);
	s.cr0 = 0x80000011;
	s.cr3 = 0x5000;
	s.efer = 0x500;
	s.cs = (struct hvlab_segment){ .base = 0, .limit = 0xffffffff, .selector = 8,
				       .type = 11, .present = 1, .s = 1, .l = 1, .g = 1 };
	s.gdt.base = 0x8000;
	s.gdt.limit = 0x17;

	trace_set_time(w, 10);
	io.dev = trace_device_id(w, "uart0");
	trace_write_exit(w, 0, &cr3_exit);
	trace_set_time(w, 20);
	trace_write_regs(w, 1, &r, &s);
	trace_write_io(w, &io);
	trace_write_console(w, TRACE_CONSOLE_SERIAL, "hi\n", 3);
	trace_write_walk(w, 0, &t);
	trace_write_marker(w, "CR3 switch");
	trace_write_vga(w, 160, vga, sizeof(vga));
	trace_set_time(w, 30);
	trace_write_lost(w, 5);
	trace_close(w);
}

static char tmpl[64];

static const char *tmp_path(void)
{
	snprintf(tmpl, sizeof(tmpl), "/tmp/hvlab-test-trace-%d", getpid());
	return tmpl;
}

TEST(round_trip_every_record_type)
{
	const char *path = tmp_path();
	struct trace_reader *r;
	struct trace_event ev;
	unsigned major, minor;

	write_sample(path);
	r = trace_open(path);
	ASSERT_NE(NULL, r);
	ASSERT_EQ(NULL, trace_error(r));
	trace_version(r, &major, &minor);
	EXPECT_EQ(TRACE_VERSION_MAJOR, major);
	EXPECT_EQ(2u, trace_config(r)->nr_vcpus);
	EXPECT_EQ(64ull << 20, trace_config(r)->mem_size);
	EXPECT_EQ(HVLAB_VM_TRAP_CR3, trace_config(r)->vm_flags);
	EXPECT_STREQ("guest.elf", trace_config(r)->image);

	ASSERT_EQ(1, trace_next(r, &ev));
	EXPECT_EQ(TRACE_DEVNAME, ev.type);
	EXPECT_EQ(0, ev.id);
	EXPECT_EQ(5u, ev.len);
	EXPECT_EQ(0, memcmp(ev.data, "uart0", 5));

	ASSERT_EQ(1, trace_next(r, &ev));
	EXPECT_EQ(TRACE_EXIT, ev.type);
	EXPECT_EQ(10ull, ev.time_ns);
	EXPECT_EQ(0, memcmp(&cr3_exit, &ev.exit, sizeof(cr3_exit)));

	ASSERT_EQ(1, trace_next(r, &ev));
	EXPECT_EQ(TRACE_REGS, ev.type);
	EXPECT_EQ(1u, ev.vcpu);
	EXPECT_EQ(0x1111111111111111ull, ev.regs.regs.rax);
	EXPECT_EQ(0x3333333333333333ull, ev.regs.regs.rcx);
	EXPECT_EQ(0x5000ull, ev.regs.sregs.cr3);
	EXPECT_EQ(0x500ull, ev.regs.sregs.efer);
	EXPECT_EQ(1, ev.regs.sregs.cs.l);
	EXPECT_EQ(8, ev.regs.sregs.cs.selector);
	EXPECT_EQ(0xffffffffu, ev.regs.sregs.cs.limit);
	EXPECT_EQ(0x17, ev.regs.sregs.gdt.limit);

	ASSERT_EQ(1, trace_next(r, &ev));
	EXPECT_EQ(TRACE_IO, ev.type);
	EXPECT_EQ(0x3f8ull, ev.io.addr);
	EXPECT_EQ('H', ev.io.value);
	EXPECT_EQ(TRACE_IO_WRITE, ev.io.flags);
	EXPECT_EQ(1u, ev.io.vcpu);
	EXPECT_STREQ("uart0", trace_device_name(r, ev.io.dev));

	ASSERT_EQ(1, trace_next(r, &ev));
	EXPECT_EQ(TRACE_CONSOLE, ev.type);
	EXPECT_EQ(3u, ev.len);
	EXPECT_EQ(0, memcmp(ev.data, "hi\n", 3));

	ASSERT_EQ(1, trace_next(r, &ev));
	EXPECT_EQ(TRACE_WALK, ev.type);
	EXPECT_EQ(0x2000ull, ev.walk.hpa);
	EXPECT_EQ(2u, ev.walk.guest_steps);
	EXPECT_EQ(0x1083ull, ev.walk.guest[1].entry);
	EXPECT_EQ(0x9000ull, ev.walk.second[0].table);

	ASSERT_EQ(1, trace_next(r, &ev));
	EXPECT_EQ(TRACE_MARKER, ev.type);
	EXPECT_EQ(0, memcmp(ev.data, "CR3 switch", 10));

	ASSERT_EQ(1, trace_next(r, &ev));
	EXPECT_EQ(TRACE_VGA, ev.type);
	EXPECT_EQ(160u, ev.vga_offset);
	EXPECT_EQ(4u, ev.len);

	ASSERT_EQ(1, trace_next(r, &ev));
	EXPECT_EQ(TRACE_LOST, ev.type);
	EXPECT_EQ(5ull, ev.lost);
	EXPECT_EQ(30ull, ev.time_ns);

	ASSERT_EQ(1, trace_next(r, &ev));
	EXPECT_EQ(TRACE_END, ev.type);
	EXPECT_EQ(0, trace_next(r, &ev));
	EXPECT_TRUE(trace_complete(r));
	EXPECT_EQ(10ull, trace_records(r));
	trace_free(r);
	unlink(path);
}

/* Reads a buffer to the end; returns records read, *err the error or NULL. */
static int read_all(const void *buf, size_t len, char *err, size_t errlen)
{
	struct trace_reader *r = trace_open_mem(buf, len);
	struct trace_event ev;
	int n = 0, ret;

	while ((ret = trace_next(r, &ev)) == 1)
		n++;
	err[0] = 0;
	if (ret < 0)
		snprintf(err, errlen, "%s", trace_error(r));
	else if (trace_error(r))
		snprintf(err, errlen, "%s", trace_error(r));
	trace_free(r);
	return n;
}

TEST(every_truncation_is_reported_and_keeps_the_prefix)
{
	const char *path = tmp_path();
	size_t len, whole[16], nwhole = 0, off = TRACE_FILE_HEADER_SIZE;
	char *buf, err[300];

	write_sample(path);
	buf = slurp(path, &len);
	ASSERT_NE(NULL, buf);
	/* record boundaries, from the length fields */
	while (off < len && nwhole < 16) {
		uint32_t l;

		memcpy(&l, buf + off + 4, 4);
		off += TRACE_RECORD_HEADER + l;
		whole[nwhole++] = off;
	}
	ASSERT_EQ(len, off);
	for (size_t cut = 0; cut < len; cut++) {
		/* a copy of exactly `cut` bytes, so a read past it is caught by ASan/valgrind */
		char *copy = malloc(cut ? cut : 1);
		size_t expect = 0;
		int n;

		memcpy(copy, buf, cut);
		n = read_all(copy, cut, err, sizeof(err));
		free(copy);
		if (cut < TRACE_FILE_HEADER_SIZE) {
			EXPECT_EQ(0, n);
			EXPECT_NE(0, err[0]);
			continue;
		}
		while (expect < nwhole && whole[expect] <= cut)
			expect++;
		/* a cut on a record boundary is a clean (if END-less) file */
		if (cut == TRACE_FILE_HEADER_SIZE || (expect && whole[expect - 1] == cut)) {
			EXPECT_EQ(0, err[0]) TH_LOG("cut %zu: %s", cut, err);
		} else {
			EXPECT_NE(NULL, strstr(err, "truncated")) TH_LOG("cut %zu: '%s'", cut, err);
		}
		/* DEVNAME is returned too: all whole records come back */
		EXPECT_EQ((int)expect, n) TH_LOG("cut %zu", cut);
	}
	free(buf);
	unlink(path);
}

/* Makes the sample, patches `n` bytes at `off` from the start of record `rec`, reads. */
static void corrupt(const char *path, int rec, size_t off, const void *bytes, size_t n,
		    char *err, size_t errlen, int *readable)
{
	size_t len, pos = TRACE_FILE_HEADER_SIZE;
	char *buf;

	write_sample(path);
	buf = slurp(path, &len);
	for (int i = 0; i < rec; i++) {
		uint32_t l;

		memcpy(&l, buf + pos + 4, 4);
		pos += TRACE_RECORD_HEADER + l;
	}
	if (rec < 0)
		pos = 0;
	memcpy(buf + pos + off, bytes, n);
	*readable = read_all(buf, len, err, errlen);
	free(buf);
}

TEST(corrupt_fields_are_named)
{
	static const struct {
		int rec;		/* -1: the file header */
		size_t off;
		uint8_t bytes[4];
		size_t n;
		const char *words;
		int readable;
	} cases[] = {
		{ -1, 0, "XVLA", 4, "not an hvlab trace", 0 },
		{ -1, 8, { 3, 0, 0, 0 }, 4, "version 3.0", 0 },
		{ -1, 8, { 0, 0, 0, 0 }, 4, "version 0.0", 0 },
		{ -1, 112, { 2 }, 1, "unknown vendor 2", 0 },
		{ -1, 24, { 0, 0, 0, 0 }, 4, "vCPU count 0", 0 },
		{ -1, 28, { 0x80 }, 1, "unknown VM flags", 0 },
		{ 1, 16 + 4, { 200 }, 1, "exit reason 200 out of range", 1 },
		{ 1, 16 + 0, { 9 }, 1, "vCPU 9", 1 },
		{ 1, 4, { 0xff, 0xff, 0xff, 0x7f }, 4, "truncated", 1 },
		{ 1, 4, { 12 }, 1, "exit record has 12 bytes, expected 64", 1 },
		{ 1, 2, { 1 }, 1, "flags", 1 },
		{ 2, 8, { 1 }, 1, "time goes backwards", 2 },
		{ 3, 16 + 16, { 3 }, 1, "access size 3", 3 },
		{ 3, 16 + 17, { 0x10 }, 1, "unknown flags", 3 },
		{ 3, 16 + 8, { 0x41, 0x41 }, 2, "does not fit", 3 },
		{ 5, 16 + 48, { 7 }, 1, "at most 5", 5 },
		{ 5, 16 + 40, { 9 }, 1, "paging mode 9", 5 },
		{ 6, 16 + 2, { 7 }, 1, "control characters", 6 },
		{ 7, 16 + 0, { 0xa0, 0x0f }, 2, "past the 4000-byte screen", 7 },
		{ 9, 16 + 0, { 3 }, 1, "END record counts 3", 9 },
		{ 0, 16 + 0, { 0, 1 }, 2, "device id 256", 0 },
		{ 0, 16 + 3, { 1 }, 1, "not printable", 0 },
	};
	const char *path = tmp_path();
	char err[300];
	int n;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		corrupt(path, cases[i].rec, cases[i].off, cases[i].bytes, cases[i].n,
			err, sizeof(err), &n);
		EXPECT_NE(NULL, strstr(err, cases[i].words))
			TH_LOG("case %zu: want '%s', got '%s'", i, cases[i].words, err);
		EXPECT_EQ(cases[i].readable, n) TH_LOG("case %zu", i);
		if (cases[i].rec >= 0)
			EXPECT_NE(NULL, strstr(err, "at offset 0x")) TH_LOG("case %zu: %s", i, err);
	}
	unlink(path);
}

TEST(unknown_record_types_are_skipped_and_data_after_end_refused)
{
	const char *path = tmp_path();
	size_t len, end;
	char *buf, *big, err[300];
	uint8_t unknown[TRACE_RECORD_HEADER + 3] = { 99, 0, 0, 0, 3, 0, 0, 0, 30 };

	write_sample(path);
	buf = slurp(path, &len);
	/* insert an unknown record (type 99) before END, fixing END's count */
	big = malloc(len + sizeof(unknown) + 8);
	end = len - TRACE_RECORD_HEADER - TRACE_END_SIZE;
	memcpy(big, buf, end);
	memcpy(big + end, unknown, sizeof(unknown));
	memcpy(big + end + sizeof(unknown), buf + end, len - end);
	big[len + sizeof(unknown) - TRACE_END_SIZE] = 10;	/* 9 + unknown */
	EXPECT_EQ(10, read_all(big, len + sizeof(unknown), err, sizeof(err)));
	EXPECT_EQ(0, err[0]) TH_LOG("%s", err);
	/* and something after END */
	memcpy(big + len + sizeof(unknown), "garbage!", 8);
	read_all(big, len + sizeof(unknown) + 8, err, sizeof(err));
	EXPECT_NE(NULL, strstr(err, "after the END")) TH_LOG("%s", err);
	free(big);
	free(buf);
	unlink(path);
}

TEST(a_longer_header_from_a_newer_minor_version_is_skipped)
{
	const char *path = tmp_path();
	size_t len;
	char *buf, *big, err[300];

	write_sample(path);
	buf = slurp(path, &len);
	big = calloc(1, len + 72);
	memcpy(big, buf, TRACE_FILE_HEADER_SIZE);
	memcpy(big + TRACE_FILE_HEADER_SIZE + 72, buf + TRACE_FILE_HEADER_SIZE,
	       len - TRACE_FILE_HEADER_SIZE);
	big[10] = 7;				/* minor 7 */
	big[12] = TRACE_FILE_HEADER_SIZE + 72;	/* header size 200 */
	EXPECT_EQ(10, read_all(big, len + 72, err, sizeof(err)));
	EXPECT_EQ(0, err[0]) TH_LOG("%s", err);
	big[12] = 0x40;				/* header size 64: too small */
	EXPECT_EQ(0, read_all(big, len + 72, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "bad header size 64"));
	free(big);
	free(buf);
	unlink(path);
}

/*
 * IRQ records: sparse (one 16-byte entry per counter that is not zero),
 * read back equal; trace_record_irq skips unchanged and too-frequent
 * snapshots; bad entries are named; unknown kinds are skipped.
 */
TEST(irq_snapshots_round_trip_and_bad_entries)
{
	const char *path = tmp_path();
	struct trace_writer *w = trace_create(path, &cfg);	/* 2 vCPUs */
	struct trace_irq a = { 0 }, b, got[3];
	struct trace_reader *r;
	struct trace_event ev;
	size_t len, off = TRACE_FILE_HEADER_SIZE;
	int n = 0, ret;
	char *buf, err[300];
	uint8_t *p;

	ASSERT_NE(NULL, w);
	a.raised[0] = 1000;
	a.raised[4] = 57;
	a.raised[23] = 1;
	a.injected[0xec] = 2500;
	a.injected[0x30] = 1000;
	a.injected[0xff] = 1;
	a.ipis = 2;
	a.nmis = 1;
	a.vcpu_injected[1] = 3502;
	a.vcpu_halts[0] = 4;
	b = a;
	b.injected[0xec]++;

	trace_set_time(w, 1000);
	EXPECT_EQ(0, trace_write_irq(w, &a));			/* record 1 */
	trace_set_time(w, 2000);
	EXPECT_EQ(0, trace_record_irq(w, &a, false));		/* unchanged: nothing */
	EXPECT_EQ(0, trace_record_irq(w, &b, false));		/* changed, too soon */
	trace_set_time(w, 1000 + TRACE_IRQ_PERIOD_NS);
	EXPECT_EQ(0, trace_record_irq(w, &b, false));		/* record 2 */
	trace_set_time(w, 2000 + TRACE_IRQ_PERIOD_NS);
	b.nmis++;
	EXPECT_EQ(0, trace_record_irq(w, &b, false));		/* too soon again */
	EXPECT_EQ(0, trace_record_irq(w, &b, true));		/* forced: record 3 */
	EXPECT_EQ(0, trace_record_irq(w, &b, true));		/* unchanged even forced */
	ASSERT_EQ(0, trace_close(w));

	r = trace_open(path);
	ASSERT_NE(NULL, r);
	while ((ret = trace_next(r, &ev)) == 1 && ev.type == TRACE_IRQ) {
		ASSERT_LT(n, 3);
		/* 10 counters are not zero: 8 header bytes + 10 entries */
		EXPECT_EQ(8u + 10 * TRACE_IRQ_ENTRY_SIZE, ev.len);
		EXPECT_EQ(n == 0 ? 1000 : n == 1 ? 1000 + TRACE_IRQ_PERIOD_NS :
			  2000 + TRACE_IRQ_PERIOD_NS, ev.time_ns);
		got[n++] = *ev.irq;
	}
	EXPECT_EQ(1, ret);
	EXPECT_EQ(TRACE_END, ev.type);
	EXPECT_EQ(NULL, trace_error(r));
	ASSERT_EQ(3, n);
	EXPECT_EQ(0, memcmp(&a, &got[0], sizeof(a)));
	b.nmis--;
	EXPECT_EQ(0, memcmp(&b, &got[1], sizeof(b)));
	EXPECT_EQ(2ull, got[2].nmis);
	EXPECT_STREQ("irq", trace_type_name(TRACE_IRQ));
	trace_free(r);

	/* the entries of the first record, as bytes: GSI 0 comes first */
	buf = slurp(path, &len);
	ASSERT_NE(NULL, buf);
	p = (uint8_t *)buf + off + TRACE_RECORD_HEADER;
	EXPECT_EQ(10, p[0]);
	EXPECT_EQ(TRACE_IRQ_GSI, p[8]);
	EXPECT_EQ(0, p[10]);
	EXPECT_EQ(1000 & 0xff, p[16]);
	EXPECT_EQ(TRACE_IRQ_GSI, p[8 + 16]);
	EXPECT_EQ(4, p[8 + 16 + 2]);

	/* GSI 24 does not exist */
	p[8 + 16 + 2] = 24;
	EXPECT_EQ(0, read_all(buf, len, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "IRQ entry 1: index 24 out of range for kind 1")) TH_LOG("%s", err);
	/* an unknown kind (a newer minor version) is skipped */
	p[8 + 16] = 99;
	EXPECT_EQ(4, read_all(buf, len, err, sizeof(err)));
	EXPECT_EQ(0, err[0]) TH_LOG("%s", err);
	p[8 + 16] = TRACE_IRQ_GSI;
	p[8 + 16 + 2] = 4;
	/* vCPU 2 of a 2-vCPU trace: the last entry of the first record */
	EXPECT_EQ(TRACE_IRQ_VCPU_INJECTED, p[8 + 9 * 16]);
	EXPECT_EQ(1, p[8 + 9 * 16 + 2]);
	p[8 + 9 * 16 + 2] = 2;
	EXPECT_EQ(0, read_all(buf, len, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "index 2 out of range for kind 5")) TH_LOG("%s", err);
	p[8 + 9 * 16 + 2] = 1;
	/* non-zero padding, and a count that disagrees with the length */
	p[8 + 16 + 4] = 1;
	EXPECT_EQ(0, read_all(buf, len, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "IRQ entry 1 padding")) TH_LOG("%s", err);
	p[8 + 16 + 4] = 0;
	p[0] = 12;
	EXPECT_EQ(0, read_all(buf, len, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "for 12 entries")) TH_LOG("%s", err);
	p[0] = 10;
	EXPECT_EQ(4, read_all(buf, len, err, sizeof(err)));
	EXPECT_EQ(0, err[0]) TH_LOG("%s", err);
	free(buf);
	unlink(path);
}

/* FRAME (1.2): the head of a frame, card and direction checked */
TEST(frame_records_round_trip_and_bad_fields)
{
	const char *path = tmp_path();
	struct trace_writer *w = trace_create(path, &cfg);
	uint8_t frame[200];
	struct trace_reader *r;
	struct trace_event ev;
	size_t len;
	char *buf, err[300];
	uint8_t *p;
	int ret;

	ASSERT_NE(NULL, w);
	for (int i = 0; i < 200; i++)
		frame[i] = (uint8_t)i;
	EXPECT_EQ(-EINVAL, trace_write_frame(w, TRACE_FRAME_NICS, 0, frame, 60));
	EXPECT_EQ(-EINVAL, trace_write_frame(w, 0, 2, frame, 60));
	EXPECT_EQ(-EINVAL, trace_write_frame(w, 0, 0, frame, 0));
	trace_set_time(w, 10);
	EXPECT_EQ(0, trace_write_frame(w, 1, TRACE_FRAME_IN, frame, 60));
	EXPECT_EQ(0, trace_write_frame(w, 3, TRACE_FRAME_OUT, frame, 200));	/* head only */
	ASSERT_EQ(0, trace_close(w));

	r = trace_open(path);
	ASSERT_NE(NULL, r);
	ASSERT_EQ(1, trace_next(r, &ev));
	EXPECT_EQ(TRACE_FRAME, ev.type);
	EXPECT_EQ(1, ev.frame.nic);
	EXPECT_EQ(TRACE_FRAME_IN, ev.frame.dir);
	EXPECT_EQ(60u, ev.frame.wire_len);
	EXPECT_EQ(60u, ev.len);
	EXPECT_EQ(0, memcmp(ev.data, frame, 60));
	ASSERT_EQ(1, trace_next(r, &ev));
	EXPECT_EQ(3, ev.frame.nic);
	EXPECT_EQ(200u, ev.frame.wire_len);
	EXPECT_EQ((uint32_t)TRACE_FRAME_CAP, ev.len);
	while ((ret = trace_next(r, &ev)) == 1)
		;
	EXPECT_EQ(0, ret);
	EXPECT_EQ(NULL, trace_error(r));
	EXPECT_STREQ("frame", trace_type_name(TRACE_FRAME));
	trace_free(r);

	buf = slurp(path, &len);
	ASSERT_NE(NULL, buf);
	p = (uint8_t *)buf + TRACE_FILE_HEADER_SIZE + TRACE_RECORD_HEADER;
	p[0] = TRACE_FRAME_NICS;
	EXPECT_EQ(0, read_all(buf, len, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "frame record: card 4")) TH_LOG("%s", err);
	p[0] = 1;
	p[1] = 2;
	EXPECT_EQ(0, read_all(buf, len, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "direction 2")) TH_LOG("%s", err);
	p[1] = 1;
	p[4] = 59;			/* wire length below the bytes kept */
	EXPECT_EQ(0, read_all(buf, len, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "holds 60 bytes of a 59-byte frame")) TH_LOG("%s", err);
	p[4] = 60;
	EXPECT_EQ(3, read_all(buf, len, err, sizeof(err)));
	EXPECT_EQ(0, err[0]) TH_LOG("%s", err);
	free(buf);
	unlink(path);
}

TEST(missing_file_and_empty_file)
{
	char err[300];

	errno = 0;
	EXPECT_EQ(NULL, trace_open("/nonexistent/x.trace"));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(0, read_all("", 0, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "not an hvlab trace"));
}

TEST(the_fixture_reads_back_complete)
{
	struct trace_reader *r = trace_open("tests/fixtures/demo.trace");
	struct trace_event ev;
	uint64_t exits = 0, cr3 = 0;
	int ret;

	ASSERT_NE(NULL, r);
	while ((ret = trace_next(r, &ev)) == 1) {
		if (ev.type != TRACE_EXIT)
			continue;
		exits++;
		if (ev.exit.reason == HVLAB_VMX_EXIT_CR_ACCESS && (ev.exit.qualification & 0xf) == 3)
			cr3++;
	}
	EXPECT_EQ(0, ret);
	EXPECT_EQ(NULL, trace_error(r));
	EXPECT_TRUE(trace_complete(r));
	EXPECT_EQ(753ull, exits);
	EXPECT_EQ(2ull, cr3);	/* boot tables, then the switch to 0x5000 */
	trace_free(r);
}

TEST(writer_refuses_bad_arguments)
{
	struct trace_config bad = cfg;
	const char *path = tmp_path();
	struct trace_writer *w;
	uint8_t vga[8] = { 0 };
	static char big[10000];
	char err[300], *buf;
	size_t len;

	bad.nr_vcpus = 0;
	EXPECT_EQ(NULL, trace_create(path, &bad));
	bad = cfg;
	bad.vm_flags = 0x80;
	EXPECT_EQ(NULL, trace_create(path, &bad));
	EXPECT_EQ(NULL, trace_create("/nonexistent/dir/x.trace", &cfg));
	w = trace_create(path, &cfg);
	ASSERT_NE(NULL, w);
	EXPECT_NE(0, trace_write_vga(w, 3996, vga, 8));
	EXPECT_NE(0, trace_write_marker(w, ""));
	/* long console output is split into records the reader accepts */
	memset(big, 'x', 9999);
	EXPECT_EQ(0, trace_write_console(w, 0, big, 9999));
	EXPECT_EQ(0, trace_close(w));
	buf = slurp(path, &len);
	EXPECT_EQ(4, read_all(buf, len, err, sizeof(err)));	/* 3 console + END */
	EXPECT_EQ(0, err[0]) TH_LOG("%s", err);
	free(buf);
	unlink(path);
}

/* ---- the exit ring reader ---------------------------------------------- */

static void produce(struct hvlab_stats *s, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		s->ring[s->head % HVLAB_EXIT_RING_SIZE] =
			(struct hvlab_exit_record){ .tsc = s->head, .reason = 10 };
		s->head++;
	}
}

TEST(ring_reader_in_order_and_counts_overwrites)
{
	static struct hvlab_stats s;
	static struct hvlab_exit_record out[HVLAB_EXIT_RING_SIZE];
	uint64_t cursor = 0, lost = 0;
	size_t n;

	memset(&s, 0, sizeof(s));
	EXPECT_EQ(0u, stats_ring_read(&s, &cursor, out, HVLAB_EXIT_RING_SIZE, &lost));
	produce(&s, 10);
	n = stats_ring_read(&s, &cursor, out, HVLAB_EXIT_RING_SIZE, &lost);
	EXPECT_EQ(10u, n);
	EXPECT_EQ(0ull, out[0].tsc);
	EXPECT_EQ(9ull, out[9].tsc);
	EXPECT_EQ(0ull, lost);
	EXPECT_EQ(10ull, cursor);

	/* the writer laps the reader: the oldest 44 are gone */
	produce(&s, 300);
	n = stats_ring_read(&s, &cursor, out, HVLAB_EXIT_RING_SIZE, &lost);
	EXPECT_EQ(256u, n);
	EXPECT_EQ(44ull, lost);
	EXPECT_EQ(54ull, out[0].tsc);
	EXPECT_EQ(309ull, out[255].tsc);

	/* a small buffer reads in pieces, nothing lost */
	lost = 0;
	produce(&s, 5);
	EXPECT_EQ(3u, stats_ring_read(&s, &cursor, out, 3, &lost));
	EXPECT_EQ(310ull, out[0].tsc);
	EXPECT_EQ(2u, stats_ring_read(&s, &cursor, out, 3, &lost));
	EXPECT_EQ(313ull, out[0].tsc);
	EXPECT_EQ(0ull, lost);

	/* head going backwards (VM reset) restarts from 0 */
	s.head = 2;
	EXPECT_EQ(2u, stats_ring_read(&s, &cursor, out, HVLAB_EXIT_RING_SIZE, &lost));
}

TEST(record_stats_writes_exits_and_lost)
{
	static struct hvlab_stats s;
	const char *path = tmp_path();
	struct trace_writer *w = trace_create(path, &cfg);
	struct trace_reader *r;
	struct trace_event ev;
	uint64_t cursor = 0, exits = 0, lost = 0;

	ASSERT_NE(NULL, w);
	memset(&s, 0, sizeof(s));
	produce(&s, 300);
	EXPECT_EQ(256, trace_record_stats(w, 1, &s, &cursor));
	trace_close(w);
	r = trace_open(path);
	while (trace_next(r, &ev) == 1) {
		if (ev.type == TRACE_EXIT) {
			exits++;
			EXPECT_EQ(1u, ev.vcpu);
		}
		if (ev.type == TRACE_LOST)
			lost += ev.lost;
	}
	EXPECT_EQ(NULL, trace_error(r));
	EXPECT_EQ(256ull, exits);
	EXPECT_EQ(44ull, lost);
	trace_free(r);
	unlink(path);
}

/*
 * The vendor (2.0): an AMD trace keeps the SVM EXITCODE as the reason and
 * says AMD; an Intel trace says Intel; a 1.x trace (the bytes at 112 were
 * reserved) reads as Intel whatever they hold.
 */
TEST(vendor_round_trip_and_old_versions)
{
	struct trace_config amd = cfg;
	struct hvlab_exit_record npf = {
		.tsc = 5, .rip = 0x100000, .qualification = 1ull << 32 | 6, .gpa = 0xfee00300,
		.reason = 0x400, .cycles = 77,
	}, ioio = { .rip = 0x100010, .qualification = 0x3f8ull << 16 | 0x10, .reason = 0x7b },
	   cpuid = { .reason = 0x72, .info = 1 }, vmrun = { .reason = 0x80 };
	const char *path = tmp_path();
	struct trace_reader *r;
	struct trace_event ev;
	struct trace_writer *w;
	unsigned major, minor;
	size_t len;
	char *buf, err[300];

	amd.vendor = TRACE_VENDOR_AMD;
	w = trace_create(path, &amd);
	ASSERT_NE(NULL, w);
	trace_write_exit(w, 0, &npf);
	trace_write_exit(w, 1, &ioio);
	trace_write_exit(w, 0, &cpuid);
	trace_write_exit(w, 0, &vmrun);	/* no VMX counterpart, still an SVM exit */
	ASSERT_EQ(0, trace_close(w));
	r = trace_open(path);
	ASSERT_NE(NULL, r);
	trace_version(r, &major, &minor);
	EXPECT_EQ(2u, major);
	EXPECT_EQ(0u, minor);
	EXPECT_EQ(TRACE_VENDOR_AMD, trace_config(r)->vendor);
	ASSERT_EQ(1, trace_next(r, &ev));
	EXPECT_EQ(0, memcmp(&npf, &ev.exit, sizeof(npf)));
	ASSERT_EQ(1, trace_next(r, &ev));
	EXPECT_EQ(0, memcmp(&ioio, &ev.exit, sizeof(ioio)));
	ASSERT_EQ(1, trace_next(r, &ev));
	ASSERT_EQ(1, trace_next(r, &ev));
	EXPECT_EQ(0x80u, ev.exit.reason);
	ASSERT_EQ(1, trace_next(r, &ev));
	EXPECT_EQ(TRACE_END, ev.type);
	trace_free(r);

	/* the header bytes: vendor 1 at offset 112 */
	buf = slurp(path, &len);
	ASSERT_NE(NULL, buf);
	EXPECT_EQ(1, buf[112]);
	EXPECT_EQ(2, buf[8]);
	/* an SVM code the APM does not assign is refused, named */
	buf[TRACE_FILE_HEADER_SIZE + 16 + 4] = 0x04;	/* 0x400 -> 0x404 */
	EXPECT_EQ(0, read_all(buf, len, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "SVM exit code 0x404")) TH_LOG("%s", err);
	buf[TRACE_FILE_HEADER_SIZE + 16 + 4] = 0x00;
	/* the same file said Intel: 0x400 is no VMX reason */
	buf[112] = 0;
	EXPECT_EQ(0, read_all(buf, len, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "exit reason 1024 out of range")) TH_LOG("%s", err);
	/* as 1.2 the vendor bytes are ignored: Intel, and refused the same way */
	buf[112] = 1;
	buf[8] = 1;
	buf[10] = 2;
	r = trace_open_mem(buf, len);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(TRACE_VENDOR_INTEL, trace_config(r)->vendor);
	trace_free(r);
	EXPECT_EQ(0, read_all(buf, len, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "exit reason 1024 out of range")) TH_LOG("%s", err);
	free(buf);
	unlink(path);

	/* an Intel 2.0 trace says so */
	write_sample(path);
	r = trace_open(path);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(TRACE_VENDOR_INTEL, trace_config(r)->vendor);
	trace_free(r);
	unlink(path);
}

/* The demo trace as format 1.2 wrote it: readable, Intel, the same exits. */
TEST(a_version_1_2_trace_reads_as_intel)
{
	struct trace_reader *r = trace_open("tests/fixtures/demo-v1.2.trace");
	struct trace_event ev;
	unsigned major, minor;
	uint64_t exits = 0;
	int ret;

	ASSERT_NE(NULL, r);
	trace_version(r, &major, &minor);
	EXPECT_EQ(1u, major);
	EXPECT_EQ(2u, minor);
	EXPECT_EQ(TRACE_VENDOR_INTEL, trace_config(r)->vendor);
	while ((ret = trace_next(r, &ev)) == 1)
		exits += ev.type == TRACE_EXIT;
	EXPECT_EQ(0, ret);
	EXPECT_EQ(NULL, trace_error(r));
	EXPECT_TRUE(trace_complete(r));
	EXPECT_EQ(753ull, exits);
	trace_free(r);
}

TEST_HARNESS_MAIN
