// SPDX-License-Identifier: GPL-2.0
/*
 * ui.c - ncurses behind the small interface of ui.h.
 *
 * The terminal is opened with newterm() on /dev/tty rather than initscr()
 * on stdin/stdout: `hvlab run --dashboard` keeps stdout for the tool's own
 * messages, and a test can capture them.  Colour is used when the terminal
 * has it: one pair per canvas role, plus 64 pairs for the VGA text colours
 * (CGA order, mapped to curses order).  In a non-UTF-8 locale the few
 * non-ASCII glyphs (arrows, CP437 boxes) are drawn as ASCII look-alikes.
 */
#define NCURSES_WIDECHAR 1
#include <langinfo.h>
#include <poll.h>
#include <locale.h>
#include <ncurses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "dash/ui.h"
#include "dash/view.h"

#define VGA_PAIR_BASE	16

struct ui {
	FILE *tty;
	SCREEN *scr;
	bool color, vga_color, utf8;
};

struct ui *ui_open(char *err, size_t errlen)
{
	struct ui *u = calloc(1, sizeof(*u));
	const char *term = getenv("TERM");

	if (!u) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	setlocale(LC_ALL, "");
	u->utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
	u->tty = fopen("/dev/tty", "r+");
	if (!u->tty) {
		snprintf(err, errlen, "no terminal (/dev/tty): the dashboard needs one");
		free(u);
		return NULL;
	}
	u->scr = newterm(term && *term ? term : "xterm", u->tty, u->tty);
	if (!u->scr) {
		snprintf(err, errlen, "ncurses cannot drive terminal type '%s'", term ? term : "");
		fclose(u->tty);
		free(u);
		return NULL;
	}
	set_term(u->scr);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	if (has_colors()) {
		static const short role_fg[CA_NR_ROLES] = {
			[CA_TITLE] = COLOR_BLACK, [CA_TAB] = COLOR_BLACK, [CA_HEADER] = COLOR_CYAN,
			[CA_HILITE] = COLOR_YELLOW, [CA_DIM] = COLOR_BLUE, [CA_ALERT] = COLOR_RED,
			[CA_KEY] = COLOR_BLACK, [CA_GOOD] = COLOR_GREEN,
		};
		static const short role_bg[CA_NR_ROLES] = {
			[CA_TITLE] = COLOR_CYAN, [CA_TAB] = COLOR_YELLOW, [CA_KEY] = COLOR_WHITE,
		};
		static const short cga[8] = {
			COLOR_BLACK, COLOR_BLUE, COLOR_GREEN, COLOR_CYAN,
			COLOR_RED, COLOR_MAGENTA, COLOR_YELLOW, COLOR_WHITE,
		};

		start_color();
		use_default_colors();
		u->color = true;
		for (int i = 1; i < CA_NR_ROLES; i++)
			init_pair(i, role_fg[i], role_bg[i] ? role_bg[i] : -1);
		if (COLOR_PAIRS >= VGA_PAIR_BASE + 64) {
			u->vga_color = true;
			for (int fg = 0; fg < 8; fg++)
				for (int bg = 0; bg < 8; bg++)
					init_pair(VGA_PAIR_BASE + fg * 8 + bg, cga[fg], cga[bg]);
		}
	}
	return u;
}

void ui_close(struct ui *u)
{
	if (!u)
		return;
	endwin();
	delscreen(u->scr);
	fclose(u->tty);
	free(u);
}

void ui_size(struct ui *u, int *w, int *h)
{
	(void)u;
	*w = COLS;
	*h = LINES;
}

static wchar_t ascii_of(uint32_t cp)
{
	switch (cp) {
	case 0x2190: case 0xab: return '<';
	case 0x2192: case 0xbb: return '>';
	case 0x2500: case 0x2550: return '-';
	case 0x2502: case 0x2551: return '|';
	default: return cp >= 0x2500 && cp < 0x2600 ? '#' : '?';
	}
}

static attr_t attr_of(struct ui *u, uint16_t a, short *pair)
{
	*pair = 0;
	if (a & CA_VGA) {
		unsigned fg = a & 7, bg = (a >> 4) & 7;
		attr_t at = (a & 8) ? A_BOLD : A_NORMAL;

		if (u->vga_color)
			*pair = VGA_PAIR_BASE + fg * 8 + bg;
		else if (bg && !fg)
			at |= A_REVERSE;	/* dark on light: keep it visible */
		return at;
	}
	if (u->color && a < CA_NR_ROLES)
		*pair = a;
	switch (a) {
	case CA_TITLE: case CA_KEY: return u->color ? A_NORMAL : A_REVERSE;
	case CA_TAB: return u->color ? A_BOLD : A_BOLD | A_UNDERLINE;
	case CA_HEADER: case CA_GOOD: return A_BOLD;
	case CA_HILITE: return u->color ? A_BOLD : A_REVERSE;
	case CA_ALERT: return A_BOLD;
	case CA_DIM: return u->color ? A_NORMAL : A_DIM;
	default: return A_NORMAL;
	}
}

void ui_draw(struct ui *u, const struct canvas *c)
{
	int h = c->h < LINES ? c->h : LINES, w = c->w < COLS ? c->w : COLS;

	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			const struct cell *cl = &c->cells[y * c->w + x];
			wchar_t wc[2] = { cl->ch, 0 };
			cchar_t cc;
			short pair;
			attr_t at = attr_of(u, cl->attr, &pair);

			if (cl->ch >= 0x80 && !u->utf8)
				wc[0] = ascii_of(cl->ch);
			setcchar(&cc, wc, at, pair, NULL);
			/* The bottom-right cell would scroll some terminals: skip it. */
			if (y == LINES - 1 && x == COLS - 1)
				continue;
			mvadd_wch(y, x, &cc);
		}
	refresh();
}

static int key_of(int k)
{
	switch (k) {
	case ERR: return DK_NONE;
	case KEY_UP: return DK_UP;
	case KEY_DOWN: return DK_DOWN;
	case KEY_LEFT: return DK_LEFT;
	case KEY_RIGHT: return DK_RIGHT;
	case KEY_PPAGE: return DK_PGUP;
	case KEY_NPAGE: return DK_PGDN;
	case KEY_HOME: return DK_HOME;
	case KEY_END: return DK_END;
	case KEY_F(1): return DK_F1;
	case KEY_RESIZE: return DK_RESIZE;
	case KEY_ENTER: case '\r': case '\n': return DK_ENTER;
	case KEY_BACKSPACE: case 8: case 127: return DK_BACKSPACE;
	default: return k >= 0 && k < 256 ? k : DK_NONE;
	}
}

int ui_key(struct ui *u, int timeout_ms)
{
	(void)u;
	timeout(timeout_ms);
	return key_of(getch());
}

/*
 * ncurses' own wait (getch() with a timeout) restarts after a signal, so
 * the wait is ppoll() on the terminal with the caller's mask; then getch()
 * without waiting takes what arrived (or a key ncurses had buffered, or
 * KEY_RESIZE after SIGWINCH).
 */
int ui_key_sigmask(struct ui *u, int timeout_ms, const sigset_t *mask)
{
	struct pollfd p = { .fd = fileno(u->tty), .events = POLLIN };
	struct timespec ts = { timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000 };

	if (timeout_ms > 0)
		ppoll(&p, 1, &ts, mask);
	timeout(0);
	return key_of(getch());
}
