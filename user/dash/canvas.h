/* SPDX-License-Identifier: GPL-2.0 */
/*
 * canvas.h - a grid of character cells the panels draw on.
 *
 * Panels never call ncurses: they draw on a canvas, and ui.c copies the
 * canvas to the terminal.  The same canvas printed as text is what the
 * unit tests compare and what docs/dashboard.md shows, so "what a panel
 * shows" is testable without a terminal.
 *
 * Invariants: every write is clipped to the canvas (a panel can never draw
 * outside it, whatever the terminal size); a cell holds one Unicode code
 * point and one attribute; text comes in as UTF-8, and a malformed byte
 * becomes '?'.
 */
#ifndef HVLAB_DASH_CANVAS_H
#define HVLAB_DASH_CANVAS_H

#include <stdint.h>

/* Attributes: a role the terminal maps to colours, or a VGA attribute. */
enum canvas_attr {
	CA_NORMAL = 0,
	CA_TITLE,	/* the top bar */
	CA_TAB,		/* the selected panel in the top bar */
	CA_HEADER,	/* column headings */
	CA_HILITE,	/* changed values, the selected line */
	CA_DIM,		/* secondary text */
	CA_ALERT,	/* errors, faults, lost records */
	CA_KEY,		/* the help line */
	CA_GOOD,	/* a translation that succeeded */
	CA_NR_ROLES,
	CA_VGA = 0x100,	/* CA_VGA | attribute byte of a VGA text cell */
};

struct cell {
	uint32_t ch;
	uint16_t attr;
};

struct canvas {
	int w, h;
	struct cell *cells;
};

#define CANVAS_MAX_W	1000
#define CANVAS_MAX_H	500

/* NULL when out of memory; sizes are clamped to 1..CANVAS_MAX_*. */
struct canvas *canvas_new(int w, int h);
void canvas_free(struct canvas *c);
void canvas_clear(struct canvas *c);
void canvas_put(struct canvas *c, int y, int x, uint32_t ch, uint16_t attr);
/* Prints UTF-8 at (y, x), clipped; returns the column after the text. */
int canvas_text(struct canvas *c, int y, int x, uint16_t attr, const char *s);
int canvas_printf(struct canvas *c, int y, int x, uint16_t attr, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Sets the attribute of a whole row (the selected line). */
void canvas_fill_attr(struct canvas *c, int y, uint16_t attr);
/* The canvas as UTF-8 text, trailing blanks trimmed; caller frees. */
char *canvas_to_text(const struct canvas *c);
/* Number of code points in a UTF-8 string (columns it takes). */
int utf8_width(const char *s);

#endif
