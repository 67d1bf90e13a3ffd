// SPDX-License-Identifier: GPL-2.0
/*
 * replay.c - `hvlab replay FILE`: the dashboard on a recorded trace, with
 * no module and no VT-x.
 *
 * The trace is indexed once (the byte offset and time of every record).
 * "Position N" means the first N records have been applied to the model;
 * stepping forward applies one more.  Stepping back or seeking backwards
 * restarts from the nearest model checkpoint at or before the target (a
 * copy of the model every REPLAY_CHECKPOINT records, taken the first time
 * the replay passes there), so going back costs at most that many records.
 * Playing follows the recorded time stamps at the chosen speed.
 *
 * A trace that is corrupt or cut short is indexed up to the last good
 * record; the error says where it broke.  Without --partial the command
 * then stops with that error (exit 1); with it, the readable part opens.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "dash/decode.h"
#include "dash/demo.h"
#include "dash/replay.h"
#include "dash/ui.h"
#include "exit_names.h"

static uint64_t wall_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + t.tv_nsec;
}

void replay_free(struct replay *rp)
{
	if (!rp)
		return;
	model_free(rp->m);
	for (size_t i = 0; i < rp->nr_ckpt; i++)
		model_free(rp->ckpt[i]);
	free(rp->ckpt);
	trace_free(rp->r);
	free(rp->off);
	free(rp->time);
	free(rp);
}

struct replay *replay_open(const char *path, char *err, size_t errlen)
{
	struct replay *rp = calloc(1, sizeof(*rp));
	struct trace_event ev;
	size_t cap = 0;
	int ret;

	if (!rp) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	rp->path = path;
	rp->r = trace_open(path);
	if (!rp->r) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(rp);
		return NULL;
	}
	while ((ret = trace_next(rp->r, &ev)) == 1) {
		if (rp->n == cap) {
			size_t ncap = cap ? cap * 2 : 1024;
			uint64_t *o = realloc(rp->off, ncap * sizeof(*o));
			uint64_t *t = o ? realloc(rp->time, ncap * sizeof(*t)) : NULL;

			if (o)
				rp->off = o;
			if (!o || !t) {
				snprintf(err, errlen, "out of memory indexing %s", path);
				replay_free(rp);
				return NULL;
			}
			rp->time = t;
			cap = ncap;
		}
		rp->off[rp->n] = ev.offset;
		rp->time[rp->n++] = ev.time_ns;
		if (ev.type == TRACE_EXIT)
			rp->nr_exits++;
	}
	if (ret < 0)
		rp->error = trace_error(rp->r);
	rp->m = model_new(trace_config(rp->r));
	if (!rp->m) {
		snprintf(err, errlen, "out of memory");
		replay_free(rp);
		return NULL;
	}
	rp->speed = 1.0;
	return rp;
}

/* Checkpoint k holds the model at position (k + 1) * REPLAY_CHECKPOINT. */
static void checkpoint(struct replay *rp)
{
	size_t k = rp->pos / REPLAY_CHECKPOINT;
	struct dash_model **c;

	if (rp->pos % REPLAY_CHECKPOINT || k == 0 || k - 1 != rp->nr_ckpt)
		return;
	c = realloc(rp->ckpt, (rp->nr_ckpt + 1) * sizeof(*c));
	if (!c)
		return;		/* no checkpoint: seeking back is just slower */
	rp->ckpt = c;
	c[rp->nr_ckpt] = model_new(NULL);
	if (!c[rp->nr_ckpt])
		return;
	*c[rp->nr_ckpt] = *rp->m;
	rp->nr_ckpt++;
}

static void apply_one(struct replay *rp)
{
	struct trace_event ev;

	if (trace_read_at(rp->r, rp->off[rp->pos], &ev) == 0)
		model_apply(rp->m, &ev);
	rp->pos++;
	checkpoint(rp);
}

void replay_seek(struct replay *rp, size_t target)
{
	if (target > rp->n)
		target = rp->n;
	if (target < rp->pos) {
		size_t k = target / REPLAY_CHECKPOINT;

		if (k > rp->nr_ckpt)
			k = rp->nr_ckpt;
		if (k) {
			*rp->m = *rp->ckpt[k - 1];
			rp->pos = k * REPLAY_CHECKPOINT;
		} else {
			model_reset(rp->m);
			rp->pos = 0;
		}
	}
	while (rp->pos < target)
		apply_one(rp);
	/* the rates of the second that ends at this record */
	model_tick(rp->m, rp->m->now_ns);
}

/* Applies the records whose time has come, when playing. */
void replay_tick(struct replay *rp, uint64_t now)
{
	uint64_t target;

	if (!rp->playing)
		return;
	target = rp->play_trace0 + (uint64_t)((double)(now - rp->play_wall0) * rp->speed);
	while (rp->pos < rp->n && rp->time[rp->pos] <= target)
		apply_one(rp);
	if (rp->pos == rp->n)
		rp->playing = false;
}

static void start_playing(struct replay *rp, uint64_t now)
{
	if (rp->pos == rp->n)
		replay_seek(rp, 0);
	rp->playing = true;
	rp->play_wall0 = now;
	rp->play_trace0 = rp->pos < rp->n ? rp->time[rp->pos] : 0;
	/* Skip the silence before the next record. */
	if (rp->pos > 0 && rp->time[rp->pos - 1] < rp->play_trace0)
		rp->play_trace0 = rp->time[rp->pos - 1];
}

bool replay_key(struct replay *rp, struct dash_view *v, int key, uint64_t now)
{
	size_t p = rp->pos;

	if (v->input != INPUT_NONE)
		return false;
	switch (key) {
	case ' ':
	case 'p':
		if (rp->playing)
			rp->playing = false;
		else
			start_playing(rp, now);
		return true;
	case '.':
	case 's':
	case DK_RIGHT:
		rp->playing = false;
		replay_seek(rp, p + 1);
		return true;
	case ',':
	case DK_LEFT:
		rp->playing = false;
		replay_seek(rp, p ? p - 1 : 0);
		return true;
	case ']':
		replay_seek(rp, p + 10);
		return true;
	case '[':
		replay_seek(rp, p > 10 ? p - 10 : 0);
		return true;
	case DK_PGDN:
	case DK_PGUP:
		/* In the scrolling panels these scroll; elsewhere they seek by 100. */
		if (v->panel == PANEL_LOG || v->panel == PANEL_IO || v->panel == PANEL_CONSOLE)
			return false;
		replay_seek(rp, key == DK_PGDN ? p + 100 : (p > 100 ? p - 100 : 0));
		return true;
	case DK_HOME:
		rp->playing = false;
		replay_seek(rp, 0);
		return true;
	case DK_END:
		rp->playing = false;
		replay_seek(rp, rp->n);
		return true;
	case 'g':
		rp->playing = false;
		view_begin_input(v, INPUT_SEEK);
		return true;
	case '+':
	case '=':
		if (rp->speed < 1024)
			rp->speed *= 2;
		if (rp->playing)
			start_playing(rp, now);
		return true;
	case '-':
		if (rp->speed > 1.0 / 64)
			rp->speed /= 2;
		if (rp->playing)
			start_playing(rp, now);
		return true;
	default:
		return false;
	}
}

void replay_status(const struct replay *rp, struct dash_view *v)
{
	const char *name = strrchr(rp->path, '/') ? strrchr(rp->path, '/') + 1 : rp->path;
	char speed[16];

	if (rp->speed >= 1)
		snprintf(speed, sizeof(speed), "%gx", rp->speed);
	else
		snprintf(speed, sizeof(speed), "1/%gx", 1 / rp->speed);
	snprintf(v->status, sizeof(v->status), " %s  record %zu/%zu  t=%.3fs  %s %s%s",
		 name, rp->pos, rp->n, rp->pos ? rp->time[rp->pos - 1] / 1e9 : 0.0,
		 rp->playing ? "PLAYING" : "PAUSED", speed,
		 rp->error ? "  [TRACE CUT SHORT: see --info]" : "");
	v->keys = "space play . , step [] g seek";
}

/* ---- the command -------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
"usage: hvlab replay [OPTIONS] FILE\n"
"\n"
"Opens the dashboard on a trace recorded with 'hvlab run --record FILE'.\n"
"Needs no module and no VT-x: any Linux terminal will do.\n"
"\n"
"options:\n"
"  -i, --info            check the trace and print what it holds, then exit\n"
"  -a, --at N|end        start at record N (paused); default: record 0, playing\n"
"  -x, --speed X         play at X times the recorded speed (default 1)\n"
"      --partial         open a corrupt or truncated trace up to its last good record\n"
"  -d, --dump            print panels as text instead of opening the terminal UI\n"
"  -p, --panel NAME      with --dump: exits, log, vcpu, walk, io, console, irq,\n"
"                        net, help (repeatable; default: all but net and help)\n"
"  -s, --size WxH        with --dump: screen size (default 80x24)\n"
"  -w, --walk GVA        show the page walk of GVA (hex)\n"
"  -f, --filter REASON   show only this exit reason in the exit log\n"
"      --vga             show the VGA text screen in the console panel\n"
"      --write-demo      write the demo trace to FILE and exit\n"
"  -h, --help            this text\n"
"\n"
"keys:\n"
"  1-7 panels (exits, exit log, vCPU, page walk, device I/O, console,\n"
"      interrupts; i also shows them)  Tab next\n"
"  space play/pause   . or Right  step one record   , or Left  back one record\n"
"  ] [  10 records on/back   PgDn PgUp  100 (outside the logs)   Home End\n"
"  g go to record   + - speed   f filter the exit log   w walk a GVA\n"
"  v serial/VGA   Up/Down scroll   c next vCPU   ? help   q quit\n"
"\n"
"exit status: 0 on success, 1 if the trace cannot be read (or is corrupt,\n"
"without --partial), 2 on a usage error.\n");
}

/*
 * An AMD trace: the exits again by SVM EXITCODE, each with the common
 * reason it was counted under above.
 */
static void print_svm_codes(struct replay *rp)
{
	static uint64_t count[0x100 + 5];	/* 0..0xff, 0x400..0x403, -1 */
	struct trace_event ev;
	const struct trace_config *cfg = trace_config(rp->r);

	memset(count, 0, sizeof(count));
	for (size_t i = 0; i < rp->n; i++) {
		uint32_t c;

		if (trace_read_at(rp->r, rp->off[i], &ev) || ev.type != TRACE_EXIT)
			continue;
		c = ev.exit.reason;
		count[c < 0x100 ? c : c >= 0x400 && c <= 0x403 ? 0x100 + (c - 0x400) : 0x104]++;
	}
	printf("exits by SVM exit code\n");
	for (unsigned i = 0; i < 0x105; i++) {
		struct hvlab_exit_record e = { .reason = i < 0x100 ? i : i < 0x104 ?
					       0x400 + (i - 0x100) : 0xffffffffu };
		int common;

		if (!count[i])
			continue;
		common = decode_common_reason(cfg->vendor, &e);
		printf("  %-26s 0x%-4x %-18s %llu\n", svm_exit_name(e.reason), e.reason,
		       common >= 0 ? decode_reason_name((unsigned)common) : "-",
		       (unsigned long long)count[i]);
	}
}

static int print_info(struct replay *rp)
{
	const struct trace_config *cfg = trace_config(rp->r);
	uint64_t types[TRACE_NR_TYPES] = { 0 }, lost = 0;
	unsigned major, minor;
	struct trace_event ev;

	trace_version(rp->r, &major, &minor);
	printf("trace       %s\n", rp->path);
	printf("format      version %u.%u\n", major, minor);
	printf("vendor      %s\n", cfg->vendor == TRACE_VENDOR_AMD ?
	       "AMD SVM (exit reasons are EXITCODEs, APM Vol. 2 App. C)" :
	       "Intel VMX (exit reasons of SDM Vol. 3 App. C)");
	printf("image       %s\n", cfg->image[0] ? cfg->image : "(unknown)");
	printf("vm          %u vCPU(s), %llu MiB, flags 0x%x%s%s%s\n", cfg->nr_vcpus,
	       (unsigned long long)(cfg->mem_size >> 20), cfg->vm_flags,
	       cfg->vm_flags & HVLAB_VM_TRAP_CR3 ? " trap-cr3" : "",
	       cfg->vm_flags & HVLAB_VM_SHADOW_PAGING ? " shadow-paging" : "",
	       cfg->vm_flags & HVLAB_VM_TRAP_EXCEPTIONS ? " trap-exceptions" : "");
	for (size_t i = 0; i < rp->n; i++)
		if (trace_read_at(rp->r, rp->off[i], &ev) == 0 && ev.type < TRACE_NR_TYPES) {
			types[ev.type]++;
			if (ev.type == TRACE_LOST)
				lost += ev.lost;
		}
	printf("records     %zu readable, %.3f s\n", rp->n,
	       rp->n ? rp->time[rp->n - 1] / 1e9 : 0.0);
	for (unsigned t = 1; t < TRACE_NR_TYPES; t++)
		if (types[t])
			printf("  %-9s %llu\n", trace_type_name(t), (unsigned long long)types[t]);
	/* exits the ring overwrote before the recorder read them (--record-lossy) */
	printf("exits lost  %llu\n", (unsigned long long)lost);
	replay_seek(rp, rp->n);
	printf("exits by reason\n");
	for (unsigned r = 0; r < HVLAB_NR_EXIT_REASONS; r++)
		if (rp->m->by_reason[r])
			printf("  %-22s %llu\n", decode_reason_name(r),
			       (unsigned long long)rp->m->by_reason[r]);
	if (cfg->vendor == TRACE_VENDOR_AMD)
		print_svm_codes(rp);
	if (rp->error) {
		printf("status      CORRUPT: %s\n", rp->error);
		printf("            the %zu record(s) before it are readable (--partial)\n", rp->n);
		return 1;
	}
	if (!trace_complete(rp->r)) {
		printf("status      no END record: the recording stopped early, "
		       "but every record is whole\n");
		return 0;
	}
	printf("status      complete\n");
	return 0;
}

static int dump(struct replay *rp, struct dash_view *v, const int *panels, int np, int w, int h)
{
	struct canvas *c = canvas_new(w, h);

	if (!c)
		return 1;
	for (int i = 0; i < np; i++) {
		char *text;

		v->panel = panels[i];
		replay_status(rp, v);
		view_render(rp->m, v, c);
		text = canvas_to_text(c);
		if (text)
			fputs(text, stdout);
		free(text);
		if (i + 1 < np)
			putchar('\n');
	}
	canvas_free(c);
	return 0;
}

static int interactive(struct replay *rp, struct dash_view *v)
{
	char err[200];
	struct ui *u = ui_open(err, sizeof(err));
	struct canvas *c = NULL;
	int w = 0, h = 0;

	if (!u) {
		fprintf(stderr, "hvlab replay: %s (try --dump or --info)\n", err);
		return 1;
	}
	while (!v->quit) {
		uint64_t now = wall_ns();
		int key, nw, nh;

		replay_tick(rp, now);
		ui_size(u, &nw, &nh);
		if (!c || nw != w || nh != h) {
			canvas_free(c);
			w = nw;
			h = nh;
			c = canvas_new(w, h);
			if (!c)
				break;
		}
		replay_status(rp, v);
		view_render(rp->m, v, c);
		ui_draw(u, c);
		/* 100 ms: at most 10 redraws a second, and keys answer at once. */
		key = ui_key(u, 100);
		if (key == DK_NONE || key == DK_RESIZE)
			continue;
		if (!replay_key(rp, v, key, wall_ns()))
			view_key(v, rp->m, key);
		if (v->seek_pending) {
			v->seek_pending = false;
			replay_seek(rp, v->seek_request);
		}
	}
	canvas_free(c);
	ui_close(u);
	return 0;
}

static bool parse_size(const char *s, int *w, int *h)
{
	char x;

	return sscanf(s, "%d%c%d", w, &x, h) == 3 && x == 'x' && *w >= 40 && *h >= 10 &&
	       *w <= CANVAS_MAX_W && *h <= CANVAS_MAX_H;
}

int cmd_replay(int argc, char **argv)
{
	enum { OPT_PARTIAL = 0x100, OPT_VGA, OPT_DEMO };
	static const struct option opts[] = {
		{ "info", no_argument, NULL, 'i' },
		{ "at", required_argument, NULL, 'a' },
		{ "speed", required_argument, NULL, 'x' },
		{ "partial", no_argument, NULL, OPT_PARTIAL },
		{ "dump", no_argument, NULL, 'd' },
		{ "panel", required_argument, NULL, 'p' },
		{ "size", required_argument, NULL, 's' },
		{ "walk", required_argument, NULL, 'w' },
		{ "filter", required_argument, NULL, 'f' },
		{ "vga", no_argument, NULL, OPT_VGA },
		{ "write-demo", no_argument, NULL, OPT_DEMO },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool info = false, partial = false, do_dump = false, vga = false, demo = false;
	const char *at = NULL, *walk = NULL, *filter = NULL;
	int panels[PANEL_NR], np = 0, w = 80, h = 24, opt, ret;
	double speed = 1.0;
	char err[300], *end;
	struct dash_view v;
	struct replay *rp;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "ia:x:dp:s:w:f:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'i': info = true; break;
		case 'a': at = optarg; break;
		case 'x':
			speed = strtod(optarg, &end);
			if (*end || !(speed >= 1.0 / 64 && speed <= 1024)) {
				fprintf(stderr, "hvlab replay: --speed wants 1/64..1024, not '%s'\n",
					optarg);
				return 2;
			}
			break;
		case OPT_PARTIAL: partial = true; break;
		case 'd': do_dump = true; break;
		case 'p':
			if (np == PANEL_NR || (panels[np] = panel_parse(optarg)) < 0) {
				fprintf(stderr, "hvlab replay: unknown panel '%s' (exits, log, vcpu, "
					"walk, io, console, irq, net, help)\n", optarg);
				return 2;
			}
			np++;
			break;
		case 's':
			if (!parse_size(optarg, &w, &h)) {
				fprintf(stderr, "hvlab replay: --size wants WxH, at least 40x10\n");
				return 2;
			}
			break;
		case 'w': walk = optarg; break;
		case 'f': filter = optarg; break;
		case OPT_VGA: vga = true; break;
		case OPT_DEMO: demo = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "hvlab replay: expected one trace FILE\n");
		usage(stderr);
		return 2;
	}
	if (demo) {
		ret = demo_write_trace(argv[optind]);
		if (ret) {
			fprintf(stderr, "hvlab replay: writing %s: %s\n", argv[optind], strerror(-ret));
			return 1;
		}
		return 0;
	}
	rp = replay_open(argv[optind], err, sizeof(err));
	if (!rp) {
		fprintf(stderr, "hvlab replay: %s\n", err);
		return 1;
	}
	if (info) {
		ret = print_info(rp);
		replay_free(rp);
		return ret;
	}
	if (rp->error && !partial) {
		fprintf(stderr, "hvlab replay: %s: %s\n", rp->path, rp->error);
		fprintf(stderr, "hvlab replay: %zu record(s) before that are readable; "
			"--partial opens them, --info lists them\n", rp->n);
		replay_free(rp);
		return 1;
	}
	view_init(&v, "replay");
	v.show_vga = vga;
	if (filter && (v.filter = decode_reason_parse(filter)) < 0) {
		fprintf(stderr, "hvlab replay: unknown exit reason '%s'\n", filter);
		replay_free(rp);
		return 2;
	}
	rp->speed = speed;
	if (at) {
		unsigned long long n = strcmp(at, "end") ? strtoull(at, &end, 0) : rp->n;

		if (strcmp(at, "end") && *end) {
			fprintf(stderr, "hvlab replay: --at wants a record number or 'end'\n");
			replay_free(rp);
			return 2;
		}
		replay_seek(rp, n);
	} else if (do_dump) {
		replay_seek(rp, rp->n);
	} else {
		start_playing(rp, wall_ns());
	}
	if (walk) {
		unsigned long long gva = strtoull(walk, &end, 16);

		if (*end || !*walk) {
			fprintf(stderr, "hvlab replay: --walk wants a hex address\n");
			replay_free(rp);
			return 2;
		}
		view_set_walk(&v, gva);
		v.panel = PANEL_WALK;
	}
	if (do_dump) {
		if (!np)
			for (np = 0; np < PANEL_HELP; np++)
				panels[np] = np;
		ret = dump(rp, &v, panels, np, w, h);
	} else {
		ret = interactive(rp, &v);
	}
	replay_free(rp);
	return ret;
}
