// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_trace.c - libFuzzer target over the trace reader and everything
 * that trusts what it returns.
 *
 * Each input is a whole trace file.  The reader walks it to the end or to
 * its first error; every record it accepted is decoded again by offset
 * (trace_read_at, as the replay does), applied to a dashboard model, and
 * every panel (the network panel's frame decoder included) is rendered at
 * 80x24 with a page walk selected.  The reader must never read outside the
 * input (ASan), every error must come with a message, and what it accepted
 * must be usable by the model and panels without any sanitizer report.
 *
 * Seeds: when HVLAB_FUZZ_SEED_DIR is set and holds no seed yet,
 * LLVMFuzzerInitialize writes a small trace with one record of every type
 * there, plus the first 4 KiB of the demo trace, and an AMD trace (the
 * vendor field of format 2.0, SVM exit codes) when that one is missing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dash/canvas.h"
#include "dash/demo.h"
#include "dash/model.h"
#include "dash/trace.h"
#include "dash/view.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void seed_small(const char *path)
{
	struct trace_config cfg = { .mem_size = 1 << 20, .nr_vcpus = 2, .image = "seed" };
	struct trace_writer *w = trace_create(path, &cfg);
	struct hvlab_exit_record e = { .reason = 28, .qualification = 3, .value = 0x5000 };
	struct hvlab_regs r = { .rip = 0x1000 };
	struct hvlab_sregs s = { .cr0 = 0x80000011, .cr3 = 0x5000 };
	struct hvlab_translation t = { .gva = 0x1000, .gpa = 0x1000, .hpa = 0x2000,
				       .paging_mode = 4, .guest_steps = 1, .second_steps = 1,
				       .guest = { { .level = 1, .table = 0x8000, .entry = 0x1003 } },
				       .second = { { .level = 1, .table = 0x9000, .entry = 0x2007 } } };
	struct trace_io io = { .addr = 0xb8000, .value = 0x1f41, .size = 2,
			       .flags = TRACE_IO_WRITE | TRACE_IO_MMIO };
	uint8_t vga[4] = { 'h', 7, 'i', 7 };
	/* an IPv4 TCP SYN, for the network panel's decoder */
	static const uint8_t tcp[54] = {
		0x52, 0x55, 10, 0, 2, 2, 0x52, 0x56, 0, 0, 0, 1, 0x08, 0x00,
		0x45, 0, 0, 40, 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 0, 2, 15, 10, 0, 2, 2,
		0xa0, 0x28, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0,
	};

	if (!w)
		return;
	trace_set_time(w, 1);
	io.dev = trace_device_id(w, "vga");
	trace_write_exit(w, 1, &e);
	trace_write_regs(w, 0, &r, &s);
	trace_write_io(w, &io);
	trace_write_console(w, 0, "hello\n", 6);
	trace_write_walk(w, 0, &t);
	trace_write_marker(w, "seed");
	trace_write_vga(w, 0, vga, 4);
	trace_write_lost(w, 1);
	trace_write_frame(w, 1, TRACE_FRAME_IN,
			  "\xff\xff\xff\xff\xff\xff\x52\x56\0\0\0\1\x08\x06", 14);
	trace_write_frame(w, 0, TRACE_FRAME_OUT, tcp, sizeof(tcp));
	trace_close(w);
}

/*
 * A trace recorded on AMD (format 2.0, vendor 1 at header offset 112): SVM
 * EXITCODEs as reasons, so mutations reach the vendor field, the SVM
 * range checks of the reader and the SVM decoders of the panels.
 */
static void seed_amd(const char *path)
{
	struct trace_config cfg = { .mem_size = 1 << 20, .nr_vcpus = 1, .image = "amd",
				    .vendor = TRACE_VENDOR_AMD };
	struct trace_writer *w = trace_create(path, &cfg);
	static const struct hvlab_exit_record e[] = {
		{ .reason = 0x72, .info = 1 },					/* CPUID */
		{ .reason = 0x7b, .qualification = 0x3f8ull << 16 | 0x10 },	/* OUT */
		{ .reason = 0x7b, .qualification = 0x1f0ull << 16 | 0x12d },	/* REP INSW */
		{ .reason = 0x400, .qualification = 1ull << 33 | 6, .gpa = 0x5000 },	/* NPF */
		{ .reason = 0x7c, .qualification = 1, .info = 0x10 },		/* WRMSR */
		{ .reason = 0x4e, .qualification = 2 },				/* #PF */
		{ .reason = 0x80 },						/* VMRUN */
		{ .reason = 0xffffffffu },					/* INVALID */
	};
	struct hvlab_translation t = { .gva = 0x1000, .gpa = 0x1000, .hpa = 0x2000,
				       .paging_mode = 4, .guest_steps = 1, .second_steps = 1,
				       .guest = { { .level = 1, .table = 0x8000, .entry = 0x1003 } },
				       .second = { { .level = 1, .table = 0x9000, .entry = 0x2007 } } };

	if (!w)
		return;
	trace_set_time(w, 1);
	for (size_t i = 0; i < sizeof(e) / sizeof(e[0]); i++)
		trace_write_exit(w, 0, &e[i]);
	trace_write_walk(w, 0, &t);
	trace_close(w);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("HVLAB_FUZZ_SEED_DIR");
	char path[4096], demo[4096];
	FILE *in, *out;

	(void)argc;
	(void)argv;
	if (!dir)
		return 0;
	/* seeds added later go into a directory that already has the first */
	snprintf(path, sizeof(path), "%s/seed-trace-amd", dir);
	if (access(path, F_OK) != 0)
		seed_amd(path);
	snprintf(path, sizeof(path), "%s/seed-trace-small", dir);
	if (access(path, F_OK) == 0)
		return 0;
	seed_small(path);
	/* the demo's first 4 KiB: a real mix of records, cut mid-record */
	snprintf(demo, sizeof(demo), "%s/.demo-full.tmp", dir);
	if (demo_write_trace(demo) == 0 && (in = fopen(demo, "rb"))) {
		static uint8_t buf[4096];
		size_t n = fread(buf, 1, sizeof(buf), in);

		fclose(in);
		snprintf(path, sizeof(path), "%s/seed-trace-demo-4k", dir);
		out = fopen(path, "wb");
		if (out) {
			fwrite(buf, 1, n, out);
			fclose(out);
		}
	}
	unlink(demo);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dash_model *m;
	static struct canvas *c;
	static uint64_t offs[4096];
	struct trace_reader *r;
	struct trace_event ev;
	struct dash_view v;
	size_t n = 0;
	int ret;

	if (!m) {
		m = model_new(NULL);
		c = canvas_new(80, 24);
		if (!m || !c)
			abort();
	}
	r = trace_open_mem(data, size);
	if (!r)
		abort();
	m->cfg = *trace_config(r);
	model_reset(m);
	while ((ret = trace_next(r, &ev)) == 1) {
		if (n < sizeof(offs) / sizeof(offs[0]))
			offs[n++] = ev.offset;
		model_apply(m, &ev);
	}
	/* an error always says what went wrong */
	if (ret < 0 && (!trace_error(r) || !trace_error(r)[0]))
		abort();
	/* records accepted once decode the same way again */
	for (size_t i = 0; i < n; i++) {
		if (trace_read_at(r, offs[i], &ev) != 0)
			abort();
		(void)trace_device_name(r, ev.io.dev);
	}
	view_init(&v, "fuzz");
	v.walk_set = true;
	v.walk_gva = m->nr_walks ? m->walks[0].gva : 0x1000;
	for (int p = 0; p < PANEL_NR; p++) {
		v.panel = p;
		v.show_vga = p & 1;
		view_render(m, &v, c);
	}
	trace_free(r);
	return 0;
}
