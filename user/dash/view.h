/* SPDX-License-Identifier: GPL-2.0 */
/*
 * view.h - what the person at the dashboard has chosen to look at, the
 * keys that change it, and the screen layout around the panels.
 *
 * Screen layout (any size from 40x10 up; 80x24 is the design size):
 *   row 0        title bar: mode, the panel tabs (1..7), "? help"
 *   row 1        status: replay position / live state, last marker
 *   rows 2..h-2  the selected panel (its first row is its title)
 *   row h-1      the help line with the keys, or a prompt while typing
 *
 * Keys are the DK_* codes below (ui.c translates ncurses keys), so the
 * view can be driven by tests without a terminal.  The view handles the
 * keys every mode shares; play/pause/step/seek belong to the source (the
 * replay controller or the live dashboard) and are offered to it first.
 */
#ifndef HVLAB_DASH_VIEW_H
#define HVLAB_DASH_VIEW_H

#include <stdbool.h>
#include <stdint.h>

#include <uapi/hvlab.h>

#include "dash/canvas.h"
#include "dash/model.h"

enum dash_panel {
	PANEL_EXITS, PANEL_LOG, PANEL_VCPU, PANEL_WALK, PANEL_IO, PANEL_CONSOLE,
	PANEL_IRQ, PANEL_HELP,
	PANEL_NET,	/* no tab (the title bar is full at 80 columns): key 'n' */
	PANEL_NR
};

/* Key codes beyond ASCII. */
enum {
	DK_ENTER = '\n', DK_ESC = 27, DK_TAB = '\t', DK_BACKSPACE = 127,
	DK_UP = 0x1000, DK_DOWN, DK_LEFT, DK_RIGHT, DK_PGUP, DK_PGDN,
	DK_HOME, DK_END, DK_F1, DK_RESIZE, DK_NONE = -1,
};

enum view_input { INPUT_NONE, INPUT_GVA, INPUT_FILTER, INPUT_SEEK, INPUT_NETFILTER };

typedef int (*view_translate_fn)(void *ctx, uint64_t gva, struct hvlab_translation *out);

struct dash_view {
	enum dash_panel panel, prev_panel;
	const char *mode;		/* "replay", "live" or "top" */
	bool attached;			/* hvlab top: only the exit panels work */
	int filter;			/* exit log: reason shown, -1 = all */
	uint64_t log_back;		/* exit log: selected = newest - log_back */
	uint64_t io_back;		/* I/O log scroll */
	uint64_t net_back;		/* network frame log scroll */
	char net_filter[40];		/* network panel: frames whose summary holds it */
	unsigned vcpu;			/* vCPU panel: which vCPU */
	bool show_vga;			/* console panel: VGA instead of serial */
	int vga_top;			/* first VGA row shown */
	bool walk_set;
	uint64_t walk_gva;
	/* live: translations come from HVLAB_TRANSLATE through this */
	view_translate_fn translate;
	void *translate_ctx;
	bool walk_live_ok;
	int walk_live_err;		/* -errno of the last HVLAB_TRANSLATE */
	struct hvlab_translation walk_live;

	enum view_input input;
	char input_buf[40];
	uint64_t seek_request;		/* INPUT_SEEK result, read by the source */
	bool seek_pending;

	char status[200];		/* written by the source */
	const char *keys;		/* the source's part of the help line */
	char message[120];		/* one-shot feedback ("bad address") */
	bool quit;
};

void view_init(struct dash_view *v, const char *mode);
/*
 * Handles a key every mode shares (panels, scrolling, filter, GVA input,
 * quit).  Returns true if the key was used.
 */
bool view_key(struct dash_view *v, const struct dash_model *m, int key);
/* Starts typing a seek target (the replay offers it on 'g'). */
void view_begin_input(struct dash_view *v, enum view_input what);
/* Draws the whole screen: bars, and the selected panel. */
void view_render(const struct dash_model *m, const struct dash_view *v, struct canvas *c);
const char *panel_title(enum dash_panel p);
/* Panel name for --panel options ("exits", "log", ...), or -1. */
int panel_parse(const char *name);
/* Sets the GVA of the walk panel and, live, translates it. */
void view_set_walk(struct dash_view *v, uint64_t gva);

/* The panels: each draws rows [top, top + rows) of the canvas. */
void panel_exits(const struct dash_model *m, const struct dash_view *v,
		 struct canvas *c, int top, int rows);
void panel_log(const struct dash_model *m, const struct dash_view *v,
	       struct canvas *c, int top, int rows);
void panel_vcpu(const struct dash_model *m, const struct dash_view *v,
		struct canvas *c, int top, int rows);
void panel_walk(const struct dash_model *m, const struct dash_view *v,
		struct canvas *c, int top, int rows);
void panel_io(const struct dash_model *m, const struct dash_view *v,
	      struct canvas *c, int top, int rows);
void panel_console(const struct dash_model *m, const struct dash_view *v,
		   struct canvas *c, int top, int rows);
void panel_irq(const struct dash_model *m, const struct dash_view *v,
	       struct canvas *c, int top, int rows);
/* The ISA device wired to an interrupt line (user/hw/irq.h), "" if none. */
const char *panel_irq_line_name(unsigned gsi);
void panel_net(const struct dash_model *m, const struct dash_view *v,
	       struct canvas *c, int top, int rows);
void panel_help(const struct dash_model *m, const struct dash_view *v,
		struct canvas *c, int top, int rows);

/* The exit log's selected exit (for tests), NULL when the log is empty. */
const struct model_exit *panel_log_selected(const struct dash_model *m,
					    const struct dash_view *v);

#endif
