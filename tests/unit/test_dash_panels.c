// SPDX-License-Identifier: GPL-2.0
/*
 * test_dash_panels.c - the panels, rendered as text from the fixed trace
 * tests/fixtures/demo.trace (see user/dash/demo.c for its story), at the
 * design size 80x24: what each panel must show at a given record, the keys
 * that change the view, replay stepping and seeking, and that no size of
 * screen makes a panel draw outside it.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "dash/canvas.h"
#include "dash/replay.h"
#include "dash/view.h"

FIXTURE(demo) {
	struct replay *rp;
	struct dash_view v;
	struct canvas *c;
	char *text;
};

FIXTURE_SETUP(demo)
{
	char err[200];

	self->rp = replay_open("tests/fixtures/demo.trace", err, sizeof(err));
	ASSERT_NE(NULL, self->rp) TH_LOG("%s", err);
	ASSERT_EQ(NULL, self->rp->error);
	replay_seek(self->rp, self->rp->n);
	view_init(&self->v, "replay");
	self->c = canvas_new(80, 24);
	self->text = NULL;
}

FIXTURE_TEARDOWN(demo)
{
	free(self->text);
	canvas_free(self->c);
	replay_free(self->rp);
}

/* Renders the panel and returns the screen as text. */
static const char *show(struct _test_data_demo *self, enum dash_panel p)
{
	free(self->text);
	self->v.panel = p;
	replay_status(self->rp, &self->v);
	view_render(self->rp->m, &self->v, self->c);
	self->text = canvas_to_text(self->c);
	return self->text;
}

static void keys(struct _test_data_demo *self, const char *s)
{
	for (; *s; s++)
		if (!replay_key(self->rp, &self->v, *s, 0))
			view_key(&self->v, self->rp->m, *s);
}

#define HAS(text, s) EXPECT_NE(NULL, strstr(text, s)) TH_LOG("missing '%s' in:\n%s", s, text)
#define HASNT(text, s) EXPECT_EQ(NULL, strstr(text, s)) TH_LOG("unexpected '%s' in:\n%s", s, text)

TEST_F(demo, exits_by_reason_sorted_with_counts)
{
	const char *t = show(self, PANEL_EXITS);
	const char *io = strstr(t, "IO_INSTRUCTION"), *cr = strstr(t, "CR_ACCESS");

	HAS(t, "Exits by reason   total 753");
	HAS(t, " IO_INSTRUCTION               742");
	HAS(t, " CR_ACCESS                      4");
	HAS(t, " EPT_VIOLATION                  1");
	ASSERT_NE(NULL, io);
	ASSERT_NE(NULL, cr);
	EXPECT_LT(io, cr);	/* sorted by total */
	HAS(t, "record 2268/2268");
}

TEST_F(demo, exit_log_decodes_and_filters)
{
	const char *t = show(self, PANEL_LOG);

	HAS(t, "Exit log   753 exits");
	HAS(t, "HLT");
	HAS(t, "OUT 0xf4 ← 0x00");
	HAS(t, "Exit #753: HLT (12)");
	keys(self, "fCR_ACCESS\n");
	EXPECT_EQ(28, self->v.filter);
	t = show(self, PANEL_LOG);
	HAS(t, "filter: CR_ACCESS");
	HAS(t, "MOV to CR3 ← 0x5000");
	HAS(t, "MOV to CR0 ← 0x80000011");
	HASNT(t, "OUT 0x3f8");
	/* the selected exit's qualification, bit by bit */
	HAS(t, "3:0   CR number    3");
	/* Up selects the one before */
	view_key(&self->v, self->rp->m, DK_UP);
	t = show(self, PANEL_LOG);
	HAS(t, "Exit #7: CR_ACCESS (28)");
	keys(self, "F");
	EXPECT_EQ(-1, self->v.filter);
	keys(self, "fnot_a_reason\n");
	HAS(show(self, PANEL_LOG), "unknown exit reason 'not_a_reason'");
}

TEST_F(demo, vcpu_state_in_long_mode_and_real_mode)
{
	const char *t = show(self, PANEL_VCPU);

	HAS(t, "mode long mode (64-bit)   paging 4-level, second stage EPT");
	HAS(t, "CR3  0000000000005000");
	HAS(t, "EFER 0000000000000500 LME LMA");
	HAS(t, "CR0  0000000080000011 PE ET PG");
	/* at the first snapshot the guest was still in real mode */
	replay_seek(self->rp, 7);
	t = show(self, PANEL_VCPU);
	HAS(t, "mode real mode (16-bit)   paging off");
	HAS(t, "RIP    0000000000007c00");
}

TEST_F(demo, page_walk_of_the_essay_address)
{
	const char *t;

	keys(self, "w1000\n");
	EXPECT_EQ(PANEL_WALK, self->v.panel);
	t = show(self, PANEL_WALK);
	HAS(t, "GVA 0x1000   4-level paging, second stage EPT");
	HAS(t, "L4 PML4 table    0x5000 [  0]");
	HAS(t, "L1 PT   table    0x8000 [  1] = 0000000000001063 P RW A D");
	HAS(t, "GVA 0x1000 -> GPA 0x1000");
	HAS(t, "GPA 0x1000 -> HPA 0x2000 (host frame 0x2000)");
	HAS(t, "Result: GVA 0x1000 -> GPA 0x1000 -> HPA 0x2000");
	/* another byte of the same page */
	keys(self, "w0x1234\n");
	HAS(show(self, PANEL_WALK), "Result: GVA 0x1234 -> GPA 0x1234 -> HPA 0x2234");
	/* the second mapping: GVA != GPA */
	keys(self, "w400000\n");
	HAS(show(self, PANEL_WALK), "Result: GVA 0x400000 -> GPA 0x3000 -> HPA 0x7000");
	/* a walk that faults in the guest's tables */
	keys(self, "wdead000\n");
	t = show(self, PANEL_WALK);
	HAS(t, "stopped at level 3");
	HASNT(t, "Result:");
	/* an address nobody walked */
	keys(self, "w9999000\n");
	t = show(self, PANEL_WALK);
	HAS(t, "no walk of GVA 0x9999000 in this recording");
	HAS(t, "recorded: 0x1000 0x400000 0xdead000");
	keys(self, "wxyz\n");
	HAS(show(self, PANEL_WALK), "not a hex address: 'xyz'");
}

TEST_F(demo, device_io_counts_and_log)
{
	const char *t = show(self, PANEL_IO);

	HAS(t, "Device I/O   743 accesses");
	HAS(t, " uart0                    0        740  0x3f8");
	HAS(t, " lapic                    0          1  0xfee00300");
	HAS(t, " (unclaimed)              1          0  0x61");
	HAS(t, "debugexit          OUT 0xf4 ← 0x00");
}

TEST_F(demo, console_serial_and_vga)
{
	const char *t = show(self, PANEL_CONSOLE);

	HAS(t, "Guest console: serial output, 740 bytes");
	HAS(t, "181 182 183");
	HAS(t, "191 192 193 194 195 196 197 198 199 200");
	keys(self, "v");
	t = show(self, PANEL_CONSOLE);
	HAS(t, "VGA text 80x25 at 0xB8000");
	HAS(t, "hvlab demo guest");
	HAS(t, "green on black    yellow on red");
	HAS(t, "counted to 200; halting");
	/* the attribute of a cell is kept: row 0 is white on blue (0x1f) */
	EXPECT_EQ(CA_VGA | 0x1f, self->c->cells[3 * 80 + 0].attr);
	EXPECT_EQ((uint32_t)'h', self->c->cells[3 * 80 + 0].ch);
	/* "Hello" was on the serial port early on */
	replay_seek(self->rp, 120);
	keys(self, "v");
	HAS(show(self, PANEL_CONSOLE), "Hello from the hvlab");
}

TEST_F(demo, replay_step_seek_and_markers)
{
	struct replay *rp = self->rp;

	keys(self, "g0\n");
	EXPECT_TRUE(self->v.seek_pending);
	replay_seek(rp, self->v.seek_request);
	EXPECT_EQ(0u, rp->pos);
	EXPECT_EQ(0ull, rp->m->total);
	HAS(show(self, PANEL_EXITS), "no exits yet");
	keys(self, "..");
	EXPECT_EQ(2u, rp->pos);
	keys(self, ",");
	EXPECT_EQ(1u, rp->pos);
	keys(self, "]");
	EXPECT_EQ(11u, rp->pos);
	HAS(show(self, PANEL_EXITS), "« switching to long mode »");
	replay_key(rp, &self->v, DK_END, 0);
	EXPECT_EQ(rp->n, rp->pos);
	HAS(show(self, PANEL_EXITS), "« guest halted »");
	EXPECT_EQ(753ull, rp->m->total);
	/* going back rebuilds the same state */
	replay_key(rp, &self->v, DK_HOME, 0);
	replay_seek(rp, rp->n);
	EXPECT_EQ(753ull, rp->m->total);
	EXPECT_EQ(742ull, rp->m->by_reason[30]);
	/* play follows the time stamps: 1 s of wall time at 1x */
	replay_key(rp, &self->v, DK_HOME, 0);
	replay_key(rp, &self->v, ' ', 1000);
	EXPECT_TRUE(rp->playing);
	replay_tick(rp, 1000 + 1000000000ull);
	EXPECT_GT(rp->pos, 0u);
	EXPECT_LT(rp->pos, rp->n);
	EXPECT_LE(rp->time[rp->pos - 1], 1000000000ull);
	replay_tick(rp, 1000 + 5000000000ull);
	EXPECT_EQ(rp->n, rp->pos);
	EXPECT_FALSE(rp->playing);
}

TEST_F(demo, panel_keys_and_help)
{
	keys(self, "2");
	EXPECT_EQ(PANEL_LOG, self->v.panel);
	keys(self, "\t");
	EXPECT_EQ(PANEL_VCPU, self->v.panel);
	keys(self, "?");
	EXPECT_EQ(PANEL_HELP, self->v.panel);
	HAS(show(self, PANEL_HELP), "single-step one instruction (MTF)");
	keys(self, "q");
	EXPECT_TRUE(self->v.quit);
}

TEST_F(demo, every_screen_size_stays_inside_the_canvas)
{
	/* the canvas clips; a panel that miscounts would crash or corrupt memory */
	for (int w = 1; w <= 130; w += 7)
		for (int h = 1; h <= 45; h += 4) {
			struct canvas *c = canvas_new(w, h);

			ASSERT_NE(NULL, c);
			self->v.show_vga = h & 1;
			self->v.walk_set = true;
			self->v.walk_gva = 0x1000;
			for (int p = 0; p < PANEL_NR; p++) {
				self->v.panel = p;
				view_render(self->rp->m, &self->v, c);
			}
			canvas_free(c);
		}
	/* too small: says so */
	{
		struct canvas *c = canvas_new(30, 8);
		char *t;

		view_render(self->rp->m, &self->v, c);
		t = canvas_to_text(c);
		HAS(t, "terminal too small");
		free(t);
		canvas_free(c);
	}
}

/* A long trace: seeking back uses checkpoints and must land on the same state. */
TEST(seek_back_through_checkpoints_is_exact)
{
	struct trace_config cfg = { .nr_vcpus = 1, .mem_size = 1 << 20 };
	const char *path = "/tmp/hvlab-test-ckpt.trace";
	struct trace_writer *w = trace_create(path, &cfg);
	struct replay *a, *b;
	char err[200];
	size_t n = 3 * REPLAY_CHECKPOINT + 123;

	ASSERT_NE(NULL, w);
	for (size_t i = 0; i < n; i++) {
		struct hvlab_exit_record e = { .reason = (i * 7) % 60, .rip = i, .value = i };

		trace_set_time(w, i * 1000);
		if (i % 3)
			trace_write_exit(w, 0, &e);
		else
			trace_write_console(w, 0, "x", 1);
	}
	ASSERT_EQ(0, trace_close(w));
	a = replay_open(path, err, sizeof(err));
	b = replay_open(path, err, sizeof(err));
	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	replay_seek(a, a->n);
	EXPECT_EQ(3u, a->nr_ckpt);
	for (size_t target = a->n; target-- > 0; target = target > 9999 ? target - 9999 : 0) {
		replay_seek(a, target);
		replay_seek(b, 0);
		replay_seek(b, target);
		EXPECT_EQ(b->pos, a->pos);
		EXPECT_EQ(b->m->total, a->m->total);
		EXPECT_EQ(b->m->exit_seq, a->m->exit_seq);
		EXPECT_EQ(b->m->console_len, a->m->console_len);
		EXPECT_EQ(b->m->now_ns, a->m->now_ns);
		EXPECT_EQ(0, memcmp(b->m->by_reason, a->m->by_reason, sizeof(a->m->by_reason)));
		EXPECT_EQ(0, memcmp(b->m->rate, a->m->rate, sizeof(a->m->rate)));
		if (a->m->exit_seq)
			EXPECT_EQ(model_exit_at(b->m, b->m->exit_seq)->e.rip,
				  model_exit_at(a->m, a->m->exit_seq)->e.rip);
		if (!target)
			break;
	}
	replay_free(a);
	replay_free(b);
	unlink(path);
}

/* The live path: device ids by name, MMIO into the VGA buffer, lost exits shown. */
TEST(model_live_events)
{
	struct trace_config cfg = { .nr_vcpus = 1 };
	struct dash_model *m = model_new(&cfg);
	struct canvas *c = canvas_new(80, 24);
	struct dash_view v;
	struct trace_event ev = { .type = TRACE_IO };
	char *t;

	ASSERT_NE(NULL, m);
	EXPECT_EQ(0u, model_device_id(m, "uart0"));
	EXPECT_EQ(1u, model_device_id(m, "vga"));
	EXPECT_EQ(0u, model_device_id(m, "uart0"));
	ev.io = (struct trace_io){ .addr = 0xb8000 + 160, .value = 0x1e41, .size = 2,
				   .flags = TRACE_IO_WRITE | TRACE_IO_MMIO, .dev = 1 };
	model_apply(m, &ev);
	EXPECT_TRUE(m->vga_valid);
	EXPECT_EQ('A', m->vga[160]);
	EXPECT_EQ(0x1e, m->vga[161]);
	EXPECT_EQ(1ull, m->devs[1].writes);
	ev = (struct trace_event){ .type = TRACE_LOST, .lost = 5 };
	model_apply(m, &ev);
	view_init(&v, "live");
	view_render(m, &v, c);
	t = canvas_to_text(c);
	EXPECT_NE(NULL, strstr(t, "lost 5")) TH_LOG("%s", t);
	free(t);
	canvas_free(c);
	model_free(m);
}

/* The interrupt counters of a Linux-like guest one second apart. */
static void irq_sample(struct trace_irq *s, uint64_t sec)
{
	memset(s, 0, sizeof(*s));
	s->raised[0] = 50 + 100 * sec;		/* PIT, until the LAPIC timer takes over */
	s->raised[4] = 7 + 30 * sec;		/* COM1 */
	s->raised[14] = 2;			/* IDE0, once, long ago */
	s->injected[0xec] = 1000 + 250 * sec;	/* local APIC timer */
	s->injected[0x30] = 50 + 100 * sec;
	s->injected[0x24] = 7 + 30 * sec;
	s->injected[0xfd] = 3;
	s->ipis = 3;
	s->vcpu_injected[0] = 1060 + 380 * sec;
	s->vcpu_injected[1] = 3;
	s->vcpu_halts[0] = 900 + 200 * sec;
	s->vcpu_halts[1] = 1;
}

static char *render(const struct dash_model *m, const struct dash_view *v, int w, int h)
{
	struct canvas *c = canvas_new(w, h);
	char *t;

	view_render(m, v, c);
	t = canvas_to_text(c);
	canvas_free(c);
	return t;
}

/* Network: per-card counts from FRAME events, the newest frames decoded. */
TEST(net_panel_counts_cards_and_decodes_frames)
{
	static const uint8_t arp[42] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x56, 0, 0, 0, 1, 0x08, 0x06,
		0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
		0x52, 0x56, 0, 0, 0, 1, 10, 0, 2, 15, 0, 0, 0, 0, 0, 0, 10, 0, 2, 2,
	};
	struct trace_config cfg = { .nr_vcpus = 1 };
	struct dash_model *m = model_new(&cfg);
	struct trace_event ev = { .type = TRACE_FRAME, .data = arp, .len = 42 };
	struct dash_view v;
	char *t;

	ASSERT_NE(NULL, m);
	view_init(&v, "live");
	EXPECT_TRUE(view_key(&v, m, 'n'));
	EXPECT_EQ(PANEL_NET, v.panel);
	EXPECT_EQ(PANEL_NET, panel_parse("net"));
	t = render(m, &v, 80, 24);
	HAS(t, "no network frames");
	free(t);

	ev.frame.nic = 0;
	ev.frame.dir = TRACE_FRAME_OUT;
	ev.frame.wire_len = 42;
	model_apply(m, &ev);
	ev.frame.nic = 2;
	ev.frame.dir = TRACE_FRAME_IN;
	ev.frame.wire_len = 60;		/* padded on the wire */
	ev.time_ns = 1500000000ull;
	model_apply(m, &ev);
	ev.frame.nic = 4;		/* no such card: ignored */
	model_apply(m, &ev);
	t = render(m, &v, 80, 24);
	HAS(t, "Network   2 frames");
	HAS(t, "    0              1           42                  0            0");
	HAS(t, "    2              0            0                  1           60");
	HAS(t, "        1  0.000000  0 out     42  ARP who-has 10.0.2.2 tell 10.0.2.15");
	HAS(t, "        2  1.500000  2 in      60  ARP who-has");
	free(t);
	/* 'f' filters the log by text */
	EXPECT_TRUE(view_key(&v, m, 'f'));
	EXPECT_EQ(INPUT_NETFILTER, v.input);
	for (const char *k = "TCP"; *k; k++)
		view_key(&v, m, *k);
	view_key(&v, m, DK_ENTER);
	t = render(m, &v, 80, 24);
	HAS(t, "[filter 'TCP']");
	HASNT(t, "ARP who-has");
	HAS(t, "Network   2 frames");		/* the counts stay */
	free(t);
	EXPECT_TRUE(view_key(&v, m, 'F'));
	t = render(m, &v, 80, 24);
	HAS(t, "ARP who-has");
	free(t);
	/* Tab leaves it for the first panel; hvlab top cannot show it */
	EXPECT_TRUE(view_key(&v, m, DK_TAB));
	EXPECT_EQ(PANEL_EXITS, v.panel);
	v.panel = PANEL_NET;
	v.attached = true;
	t = render(m, &v, 80, 24);
	HAS(t, "Network: not available in hvlab top");
	free(t);
	model_free(m);
}

/* Lines with their ISA names, vectors sorted by count, rates over the last second. */
TEST(irq_panel_lines_vectors_and_rates)
{
	struct trace_config cfg = { .nr_vcpus = 2 };
	struct dash_model *m = model_new(&cfg);
	struct trace_irq s;
	struct trace_event ev = { .type = TRACE_IRQ, .irq = &s };
	struct dash_view v;
	const char *ec, *x30, *x24, *xfd;
	char *t;

	ASSERT_NE(NULL, m);
	view_init(&v, "live");
	v.panel = PANEL_IRQ;
	t = render(m, &v, 80, 24);
	HAS(t, "no interrupt counts yet");
	HAS(t, "[7 IRQ]");
	free(t);

	irq_sample(&s, 0);
	ev.time_ns = 0;
	model_apply(m, &ev);
	irq_sample(&s, 1);
	ev.time_ns = 1000000000ull;
	model_apply(m, &ev);		/* applies, then samples the second's rates */
	t = render(m, &v, 80, 24);
	HAS(t, "Interrupts   injected 1440   rate 380/s");
	HAS(t, " IRQ 0   PIT (I/O APIC pin 2)        150        100");
	HAS(t, " IRQ 4   COM1                         37         30");
	HAS(t, " IRQ 14  IDE0                          2          0");
	HAS(t, " IPI     local APIC ICR                3          0");
	HASNT(t, "NMI");
	HASNT(t, "IRQ 8");
	HAS(t, " vCPU 0  injected 1440 (380/s)   HLT sleeps 1100 (200/s)");
	HAS(t, " vCPU 1  injected 3 (0/s)");
	HAS(t, " 0xec         1250   86.8        250");
	HAS(t, " 0x30          150   10.4        100");
	HAS(t, " 0x24           37    2.6         30");
	HAS(t, " 0xfd            3    0.2          0");
	ec = strstr(t, " 0xec");
	x30 = strstr(t, " 0x30");
	x24 = strstr(t, " 0x24");
	xfd = strstr(t, " 0xfd");
	ASSERT_TRUE(ec && x30 && x24 && xfd);
	EXPECT_LT(ec, x30);		/* by count, largest first */
	EXPECT_LT(x30, x24);
	EXPECT_LT(x24, xfd);
	free(t);

	/* a short screen keeps the top vectors and says how many it shows */
	t = render(m, &v, 80, 16);
	HAS(t, "(top 2 of 4)");
	HAS(t, " 0xec");
	HASNT(t, " 0x24");
	free(t);

	/* 'i' and '7' both show it; hvlab top explains why it cannot */
	v.panel = PANEL_EXITS;
	EXPECT_TRUE(view_key(&v, m, 'i'));
	EXPECT_EQ(PANEL_IRQ, v.panel);
	v.panel = PANEL_EXITS;
	EXPECT_TRUE(view_key(&v, m, '7'));
	EXPECT_EQ(PANEL_IRQ, v.panel);
	EXPECT_EQ(PANEL_IRQ, panel_parse("irq"));
	EXPECT_EQ(PANEL_IRQ, panel_parse("7"));
	v.attached = true;
	t = render(m, &v, 80, 24);
	HAS(t, "Interrupts: not available in hvlab top");
	free(t);
	model_free(m);
}

/* Recorded snapshots replay into the same panel; seeking back finds the older one. */
TEST(irq_snapshots_replay)
{
	struct trace_config cfg = { .nr_vcpus = 2, .mem_size = 1 << 20 };
	const char *path = "/tmp/hvlab-test-irq.trace";
	struct trace_writer *w = trace_create(path, &cfg);
	struct trace_irq s;
	struct dash_view v;
	struct replay *rp;
	char err[200], *t;

	ASSERT_NE(NULL, w);
	for (uint64_t sec = 0; sec <= 2; sec++) {
		irq_sample(&s, sec);
		trace_set_time(w, sec * 1000000000ull);
		ASSERT_EQ(0, trace_write_irq(w, &s));
	}
	ASSERT_EQ(0, trace_close(w));
	rp = replay_open(path, err, sizeof(err));
	ASSERT_NE(NULL, rp) TH_LOG("%s", err);
	ASSERT_EQ(NULL, rp->error);
	EXPECT_EQ(4u, rp->n);		/* three snapshots and END */
	view_init(&v, "replay");
	v.panel = PANEL_IRQ;
	replay_seek(rp, rp->n);
	t = render(rp->m, &v, 80, 24);
	HAS(t, " IRQ 0   PIT (I/O APIC pin 2)        250        100");
	HAS(t, " 0xec         1500");
	free(t);
	replay_seek(rp, 1);
	t = render(rp->m, &v, 80, 24);
	HAS(t, " IRQ 0   PIT (I/O APIC pin 2)         50          0");
	HAS(t, " IRQ 4   COM1                          7");
	free(t);
	replay_free(rp);
	unlink(path);
}

TEST_F(demo, irq_panel_of_a_trace_without_irq_records)
{
	const char *t = show(self, PANEL_IRQ);

	HAS(t, "[7 IRQ]");
	HAS(t, "This trace holds no interrupt counts (IRQ records)");
	HAS(t, "1-7 panel");
}

TEST(canvas_clips_and_decodes_utf8)
{
	struct canvas *c = canvas_new(10, 2);
	char *t;

	ASSERT_NE(NULL, c);
	EXPECT_EQ(12, canvas_text(c, 0, 4, 0, "← 0x5000"));
	canvas_text(c, 1, -3, 0, "abcdef\x01\xff");
	canvas_text(c, 5, 0, 0, "off the canvas");
	t = canvas_to_text(c);
	EXPECT_STREQ("    ← 0x50\ndef??\n", t);
	EXPECT_EQ(3, utf8_width("←→a"));
	free(t);
	canvas_free(c);
}

/*
 * An AMD trace's model: rows named as the APM names the exit with the
 * common reason beside, the log decoding EXITINFO1, the walk saying NPT.
 */
TEST(amd_exits_log_and_walk)
{
	struct trace_config cfg = { .nr_vcpus = 1, .vendor = TRACE_VENDOR_AMD };
	struct dash_model *m = model_new(&cfg);
	struct dash_view v;
	struct trace_event ev = { .type = TRACE_EXIT };
	struct hvlab_translation t = { .gva = 0x1000, .gpa = 0x1000, .hpa = 0x2000,
				       .paging_mode = 4, .guest_steps = 1, .second_steps = 1,
				       .guest = { { .level = 1, .table = 0x8000, .entry = 0x1003 } },
				       .second = { { .level = 1, .table = 0x9000, .entry = 0x2007 } } };
	char *txt;

	ASSERT_NE(NULL, m);
	for (int i = 0; i < 3; i++) {
		ev.exit = (struct hvlab_exit_record){ .reason = 0x7b,
						      .qualification = 0x3f8ull << 16 | 0x10 };
		model_apply(m, &ev);
	}
	ev.exit = (struct hvlab_exit_record){ .reason = 0x72, .info = 0xd };
	model_apply(m, &ev);
	ev.exit = (struct hvlab_exit_record){ .reason = 0x80 };	/* VMRUN: no VMX reason */
	model_apply(m, &ev);
	ev.exit = (struct hvlab_exit_record){ .reason = 0x400, .qualification = 1ull << 32 | 4,
					      .gpa = 0x1000 };
	model_apply(m, &ev);
	ev = (struct trace_event){ .type = TRACE_WALK, .walk = t };
	model_apply(m, &ev);
	EXPECT_EQ(6ull, m->total);
	EXPECT_EQ(3ull, m->by_reason[HVLAB_VMX_EXIT_IO]);
	EXPECT_EQ(1ull, m->by_reason[HVLAB_VMX_EXIT_EXCEPTION_NMI]);

	view_init(&v, "replay");
	v.panel = PANEL_EXITS;
	txt = render(m, &v, 80, 24);
	EXPECT_NE(NULL, strstr(txt, "Common reason")) TH_LOG("%s", txt);
	EXPECT_NE(NULL, strstr(txt, " VMEXIT_IOIO                    3   50.0          0  IO_INSTRUCTION"))
		TH_LOG("%s", txt);
	EXPECT_NE(NULL, strstr(txt, " VMEXIT_CPUID ")) TH_LOG("%s", txt);
	EXPECT_NE(NULL, strstr(txt, " VMEXIT_NPF ")) TH_LOG("%s", txt);
	EXPECT_NE(NULL, strstr(txt, "EPT_VIOLATION")) TH_LOG("%s", txt);
	EXPECT_NE(NULL, strstr(txt, " VMEXIT_VMRUN ")) TH_LOG("%s", txt);
	free(txt);

	v.panel = PANEL_LOG;
	txt = render(m, &v, 120, 30);
	EXPECT_NE(NULL, strstr(txt, "VMEXIT_NPF: nested page fault GPA 0x1000 read (not present), final address"))
		TH_LOG("%s", txt);
	EXPECT_NE(NULL, strstr(txt, "VMEXIT_IOIO: OUT 0x3f8, 1 byte")) TH_LOG("%s", txt);
	EXPECT_NE(NULL, strstr(txt, "Exit #6: VMEXIT_NPF (0x400)")) TH_LOG("%s", txt);
	EXPECT_NE(NULL, strstr(txt, "32    final addr.  yes")) TH_LOG("%s", txt);
	free(txt);
	/* the filter is by common reason */
	v.filter = HVLAB_VMX_EXIT_CPUID;
	txt = render(m, &v, 120, 30);
	EXPECT_NE(NULL, strstr(txt, "VMEXIT_CPUID: CPUID leaf 0xd")) TH_LOG("%s", txt);
	EXPECT_EQ(NULL, strstr(txt, "VMEXIT_IOIO:")) TH_LOG("%s", txt);
	free(txt);

	v.panel = PANEL_WALK;
	v.walk_set = true;
	v.walk_gva = 0x1000;
	txt = render(m, &v, 80, 24);
	EXPECT_NE(NULL, strstr(txt, "-> HPA (NPT)")) TH_LOG("%s", txt);
	EXPECT_NE(NULL, strstr(txt, "second stage NPT")) TH_LOG("%s", txt);
	EXPECT_NE(NULL, strstr(txt, "Stage 2: NPT")) TH_LOG("%s", txt);
	EXPECT_NE(NULL, strstr(txt, "P RW US")) TH_LOG("%s", txt);	/* x86 flags, not RWX */
	EXPECT_EQ(NULL, strstr(txt, "EPT")) TH_LOG("%s", txt);
	free(txt);
	model_free(m);
}

TEST_HARNESS_MAIN
