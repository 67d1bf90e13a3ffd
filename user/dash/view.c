// SPDX-License-Identifier: GPL-2.0
/*
 * view.c - the keys every dashboard mode shares, the bars around the
 * panels, and the help panel (layout in view.h).
 *
 * Typing (a GVA for the walk, a reason for the filter, a record number to
 * seek to) is a small modal prompt on the help line: printable keys go to
 * the buffer, Enter applies, Esc cancels.  Nothing here blocks: the caller
 * reads keys with a timeout and redraws at most ten times a second.
 *
 * Attached (`hvlab top`), the panels fed by the run process (registers,
 * walks, device I/O, console) are replaced by a note saying why they are
 * empty: an empty panel would look like a guest that does nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dash/decode.h"
#include "dash/view.h"

static const char *const titles[PANEL_NR] = {
	[PANEL_EXITS] = "Exits by reason", [PANEL_LOG] = "Exit log",
	[PANEL_VCPU] = "vCPU state", [PANEL_WALK] = "Page walk",
	[PANEL_IO] = "Device I/O", [PANEL_CONSOLE] = "Guest console",
	[PANEL_IRQ] = "Interrupts", [PANEL_HELP] = "Help", [PANEL_NET] = "Network",
};
static const char *const tabs[PANEL_NR] = {
	"Exits", "Log", "vCPU", "Walk", "I/O", "Console", "IRQ", "Help", "Net",
};
static const char *const names[PANEL_NR] = {
	"exits", "log", "vcpu", "walk", "io", "console", "irq", "help", "net",
};

const char *panel_title(enum dash_panel p)
{
	return p < PANEL_NR ? titles[p] : "?";
}

int panel_parse(const char *name)
{
	for (int i = 0; i < PANEL_NR; i++)
		if (!strcmp(name, names[i]))
			return i;
	if (!strcmp(name, "interrupts"))
		return PANEL_IRQ;
	if (!strcmp(name, "network"))
		return PANEL_NET;
	if (name[0] >= '1' && name[0] <= '7' && !name[1])
		return name[0] - '1';
	return -1;
}

void view_init(struct dash_view *v, const char *mode)
{
	memset(v, 0, sizeof(*v));
	v->mode = mode;
	v->filter = -1;
	v->panel = PANEL_EXITS;
	v->keys = "";
}

void view_set_walk(struct dash_view *v, uint64_t gva)
{
	v->walk_set = true;
	v->walk_gva = gva;
	v->walk_live_ok = false;
	v->walk_live_err = 0;
	if (v->translate) {
		int r = v->translate(v->translate_ctx, gva, &v->walk_live);

		v->walk_live_ok = r == 0;
		v->walk_live_err = r;
	}
}

void view_begin_input(struct dash_view *v, enum view_input what)
{
	v->input = what;
	v->input_buf[0] = 0;
	v->message[0] = 0;
}

static void finish_input(struct dash_view *v)
{
	char *end;
	const char *s = v->input_buf;
	unsigned long long n;
	int r;

	switch (v->input) {
	case INPUT_GVA:
		errno = 0;
		n = strtoull(s, &end, 16);
		if (!*s || *end || errno) {
			snprintf(v->message, sizeof(v->message), "not a hex address: '%s'", s);
			break;
		}
		view_set_walk(v, n);
		break;
	case INPUT_NETFILTER:
		snprintf(v->net_filter, sizeof(v->net_filter), "%s", s);
		v->net_back = 0;
		break;
	case INPUT_FILTER:
		if (!*s) {
			v->filter = -1;
			break;
		}
		r = decode_reason_parse(s);
		if (r < 0) {
			snprintf(v->message, sizeof(v->message),
				 "unknown exit reason '%s' (e.g. CR_ACCESS or 28)", s);
			break;
		}
		v->filter = r;
		v->log_back = 0;
		break;
	case INPUT_SEEK:
		errno = 0;
		n = strtoull(s, &end, 0);
		if (!*s || *end || errno) {
			snprintf(v->message, sizeof(v->message), "not a record number: '%s'", s);
			break;
		}
		v->seek_request = n;
		v->seek_pending = true;
		break;
	default:
		break;
	}
	v->input = INPUT_NONE;
}

static bool input_key(struct dash_view *v, int key)
{
	size_t n = strlen(v->input_buf);

	if (key == DK_ENTER || key == '\r') {
		finish_input(v);
	} else if (key == DK_ESC) {
		v->input = INPUT_NONE;
	} else if (key == DK_BACKSPACE || key == 8) {
		if (n)
			v->input_buf[n - 1] = 0;
	} else if (key >= 0x20 && key < 0x7f && n + 1 < sizeof(v->input_buf)) {
		v->input_buf[n] = key;
		v->input_buf[n + 1] = 0;
	}
	return true;		/* while typing, every key is ours */
}

static void show(struct dash_view *v, enum dash_panel p)
{
	if (p != v->panel)
		v->prev_panel = v->panel;
	v->panel = p;
}

static void scroll(uint64_t *back, int delta, uint64_t max)
{
	if (delta < 0 && (uint64_t)-delta > *back)
		*back = 0;
	else if (delta > 0 && *back + delta > max)
		*back = max;
	else
		*back += delta;
}

bool view_key(struct dash_view *v, const struct dash_model *m, int key)
{
	uint64_t maxlog = m->exit_seq ? m->exit_seq - 1 : 0, maxio = m->io_total ? m->io_total - 1 : 0;
	int step = 0;

	if (v->input != INPUT_NONE)
		return input_key(v, key);
	v->message[0] = 0;
	if (key >= '1' && key <= '7') {
		show(v, key - '1');
		return true;
	}
	switch (key) {
	case 'q':
	case 'Q':
		v->quit = true;
		return true;
	case DK_TAB:
		show(v, v->panel == PANEL_NET ? PANEL_EXITS : (v->panel + 1) % PANEL_HELP);
		return true;
	case '?':
	case 'h':
	case DK_F1:
		show(v, v->panel == PANEL_HELP ? v->prev_panel : PANEL_HELP);
		return true;
	case 'f':
		if (v->panel == PANEL_NET) {
			view_begin_input(v, INPUT_NETFILTER);
			return true;
		}
		show(v, PANEL_LOG);
		view_begin_input(v, INPUT_FILTER);
		return true;
	case 'F':
		if (v->panel == PANEL_NET)
			v->net_filter[0] = 0;
		else
			v->filter = -1;
		return true;
	case 'w':
	case '/':
		show(v, PANEL_WALK);
		view_begin_input(v, INPUT_GVA);
		return true;
	case 'v':
		show(v, PANEL_CONSOLE);
		v->show_vga = !v->show_vga;
		return true;
	case 'i':
		show(v, PANEL_IRQ);
		return true;
	case 'n':
		show(v, PANEL_NET);
		return true;
	case 'c':
		v->vcpu = (v->vcpu + 1) % (m->cfg.nr_vcpus ? m->cfg.nr_vcpus : 1);
		return true;
	case DK_UP:
		step = 1;
		break;
	case DK_DOWN:
		step = -1;
		break;
	case DK_PGUP:
		step = 10;
		break;
	case DK_PGDN:
		step = -10;
		break;
	default:
		return false;
	}
	/* Up/down scroll the panel on screen. */
	switch (v->panel) {
	case PANEL_LOG:
		scroll(&v->log_back, step, maxlog);
		return true;
	case PANEL_IO:
		scroll(&v->io_back, step, maxio);
		return true;
	case PANEL_NET:
		scroll(&v->net_back, step, m->frame_seq ? m->frame_seq - 1 : 0);
		return true;
	case PANEL_CONSOLE:
		v->vga_top -= step;
		if (v->vga_top < 0)
			v->vga_top = 0;
		if (v->vga_top > TRACE_VGA_ROWS - 1)
			v->vga_top = TRACE_VGA_ROWS - 1;
		return true;
	default:
		return false;
	}
}

void panel_help(const struct dash_model *m, const struct dash_view *v,
		struct canvas *c, int top, int rows)
{
	static const char *const lines[] = {
		"Panels",
		"  1 exits by reason   2 exit log   3 vCPU state   4 page walk",
		"  5 device I/O        6 guest console (serial; v = VGA text)",
		"  7 or i  interrupts: lines raised, vectors injected, per vCPU",
		"  n  network: frames per --net card, the newest decoded (f: filter)",
		"  Tab next panel      ? or h  this help (again: back)     q quit",
		"In the panels",
		"  Up/Down PgUp/PgDn  scroll the exit log, the I/O log, the VGA screen",
		"  f  filter the exit log by reason (name or number; empty = all)",
		"  F  clear the filter       w or /  type a guest-virtual address to walk",
		"  v  serial output / VGA text screen       c  next vCPU",
		"Replay",
		"  space  play / pause     . or Right  step one record   , or Left  back one",
		"  ] [  10 records on/back   PgUp/PgDn in Exits: 100   Home End  start / end",
		"  g  go to record number    + -  play faster / slower",
		"Live",
		"  p  pause / resume the guest     s  single-step one instruction (MTF)",
		"hvlab top (attached to another process's VM, read-only)",
		"  panels 1 and 2 only: pause, step, walks, registers are hvlab run's",
	};

	(void)m;
	(void)v;
	canvas_text(c, top, 0, CA_HEADER, "Help: the keys of the dashboard");
	for (int i = 0; i < (int)(sizeof(lines) / sizeof(lines[0])) && i + 1 < rows; i++)
		canvas_text(c, top + 1 + i, 1, lines[i][0] == ' ' ? CA_NORMAL : CA_HEADER,
			    lines[i]);
}

static void title_bar(const struct dash_view *v, struct canvas *c)
{
	int x;

	canvas_fill_attr(c, 0, CA_TITLE);
	x = canvas_printf(c, 0, 0, CA_TITLE, " hvlab %s ", v->mode);
	for (int i = 0; i < PANEL_HELP; i++) {
		bool on = v->panel == (enum dash_panel)i;
		char t[24];

		/* brackets as well as colour: the choice shows in a text capture too */
		snprintf(t, sizeof(t), "%c%d %s%c", on ? '[' : ' ', i + 1, tabs[i], on ? ']' : ' ');
		x = canvas_text(c, 0, x, on ? CA_TAB : CA_TITLE, t);
	}
	if (x + 9 <= c->w)
		canvas_text(c, 0, c->w - 8, v->panel == PANEL_HELP ? CA_TAB : CA_TITLE,
			    v->panel == PANEL_HELP ? "[? help]" : " ? help");
}

static void help_line(const struct dash_view *v, struct canvas *c)
{
	static const char *const prompts[] = {
		[INPUT_GVA] = "guest-virtual address (hex): ",
		[INPUT_FILTER] = "show exit reason (name/number, empty = all): ",
		[INPUT_SEEK] = "go to record number: ",
		[INPUT_NETFILTER] = "show frames whose line contains (empty = all): ",
	};
	int y = c->h - 1;

	canvas_fill_attr(c, y, CA_KEY);
	if (v->input != INPUT_NONE) {
		int x = canvas_text(c, y, 0, CA_KEY, prompts[v->input]);

		x = canvas_text(c, y, x, CA_KEY, v->input_buf);
		canvas_put(c, y, x, '_', CA_KEY);
		return;
	}
	if (v->message[0]) {
		canvas_text(c, y, 0, CA_ALERT, v->message);
		return;
	}
	canvas_printf(c, y, 0, CA_KEY, "%s 1-7 panel f filter w walk v vga ? help q quit", v->keys);
}

/* hvlab top: why this panel is empty; false for the panels that work. */
static bool panel_unavailable(const struct dash_view *v, struct canvas *c, int top, int rows)
{
	static const char *const why[PANEL_NR][3] = {
		[PANEL_VCPU] = {
			"The registers are read with HVLAB_GET_REGS, and the module answers",
			"vCPU ioctls only to the process that created the VM (hvlab run).",
		},
		[PANEL_WALK] = {
			"A walk is HVLAB_TRANSLATE on the vCPU fd, an ioctl the module",
			"refuses to every process but the VM's creator (hvlab run).",
		},
		[PANEL_IO] = {
			"The devices are emulated inside hvlab run; the module only sees",
			"the exits: port I/O and MMIO are in the exit log (2) as",
			"IO_INSTRUCTION and EPT_VIOLATION.",
		},
		[PANEL_CONSOLE] = {
			"The guest's serial output is hvlab run's standard output (or its",
			"--dashboard); the guest's memory is not shared with hvlab top.",
		},
		[PANEL_NET] = {
			"The network cards are modelled inside hvlab run; the module sees",
			"their register accesses as exits, never the frames.",
		},
		[PANEL_IRQ] = {
			"The interrupt controllers are modelled inside hvlab run, which",
			"counts the interrupts; the module's statistics page has only the",
			"exits (EXTERNAL_INTERRUPT there is the host's, not the guest's).",
		},
	};
	static const char *const tail[] = {
		"hvlab top reads only the statistics page the module maps for each",
		"vCPU: exits by reason (1) and the exit log (2).  For the rest, use",
		"hvlab run --dashboard, or hvlab run --record FILE + hvlab replay FILE.",
	};
	int y = top, end = top + rows;

	if (!v->attached || v->panel >= PANEL_NR || !why[v->panel][0])
		return false;
	canvas_printf(c, y++, 0, CA_HEADER, "%s: not available in hvlab top", titles[v->panel]);
	for (int i = 0; i < 3 && why[v->panel][i] && y < end; i++)
		canvas_text(c, y++, 1, CA_NORMAL, why[v->panel][i]);
	y++;
	for (int i = 0; i < 3 && y < end; i++)
		canvas_text(c, y++, 1, CA_DIM, tail[i]);
	return true;
}

void view_render(const struct dash_model *m, const struct dash_view *v, struct canvas *c)
{
	static void (*const panels[PANEL_NR])(const struct dash_model *, const struct dash_view *,
					      struct canvas *, int, int) = {
		panel_exits, panel_log, panel_vcpu, panel_walk, panel_io, panel_console,
		panel_irq, panel_help, panel_net,
	};
	int x;

	canvas_clear(c);
	if (c->w < 40 || c->h < 10) {
		canvas_text(c, 0, 0, CA_ALERT, "terminal too small:");
		canvas_text(c, 1, 0, CA_ALERT, "hvlab needs 40x10");
		return;
	}
	title_bar(v, c);
	x = canvas_text(c, 1, 0, CA_DIM, v->status);
	if (m->marker[0] && x + 4 < c->w)
		canvas_printf(c, 1, x + 2, CA_HILITE, "« %s »", m->marker);
	if (!panel_unavailable(v, c, 2, c->h - 3))
		panels[v->panel < PANEL_NR ? v->panel : PANEL_EXITS](m, v, c, 2, c->h - 3);
	help_line(v, c);
}
