// SPDX-License-Identifier: GPL-2.0
/*
 * panel_console.c - what the guest shows its user: the bytes it wrote to
 * the serial port, or (key v) the VGA text screen, 80x25 cells of
 * (character, attribute) at guest-physical 0xB8000, drawn as a PC would:
 * code page 437 characters, foreground colour in bits 3:0 of the
 * attribute, background in bits 6:4.
 *
 * Serial output is drawn the way a terminal would: '\n' starts a line,
 * '\r' returns to column 0, backspace steps back, other control bytes
 * are dropped; long lines wrap at the panel width.
 */
#include <stdio.h>
#include <string.h>

#include "dash/view.h"

/* Code page 437, 0x80-0xff, as Unicode (the glyphs of the VGA ROM font). */
static const uint16_t cp437_high[128] = {
	0xc7, 0xfc, 0xe9, 0xe2, 0xe4, 0xe0, 0xe5, 0xe7, 0xea, 0xeb, 0xe8, 0xef, 0xee, 0xec, 0xc4, 0xc5,
	0xc9, 0xe6, 0xc6, 0xf4, 0xf6, 0xf2, 0xfb, 0xf9, 0xff, 0xd6, 0xdc, 0xa2, 0xa3, 0xa5, 0x20a7, 0x192,
	0xe1, 0xed, 0xf3, 0xfa, 0xf1, 0xd1, 0xaa, 0xba, 0xbf, 0x2310, 0xac, 0xbd, 0xbc, 0xa1, 0xab, 0xbb,
	0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556, 0x2555, 0x2563, 0x2551, 0x2557,
	0x255d, 0x255c, 0x255b, 0x2510,
	0x2514, 0x2534, 0x252c, 0x251c, 0x2500, 0x253c, 0x255e, 0x255f, 0x255a, 0x2554, 0x2569, 0x2566,
	0x2560, 0x2550, 0x256c, 0x2567,
	0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256b, 0x256a, 0x2518, 0x250c, 0x2588,
	0x2584, 0x258c, 0x2590, 0x2580,
	0x3b1, 0xdf, 0x393, 0x3c0, 0x3a3, 0x3c3, 0xb5, 0x3c4, 0x3a6, 0x398, 0x3a9, 0x3b4, 0x221e, 0x3c6,
	0x3b5, 0x2229,
	0x2261, 0xb1, 0x2265, 0x2264, 0x2320, 0x2321, 0xf7, 0x2248, 0xb0, 0x2219, 0xb7, 0x221a, 0x207f,
	0xb2, 0x25a0, 0xa0,
};

/* Code page 437, 0x01-0x1f: the symbols a VGA draws for control codes. */
static const uint16_t cp437_low[32] = {
	0x20, 0x263a, 0x263b, 0x2665, 0x2666, 0x2663, 0x2660, 0x2022, 0x25d8, 0x25cb, 0x25d9, 0x2642,
	0x2640, 0x266a, 0x266b, 0x263c, 0x25ba, 0x25c4, 0x2195, 0x203c, 0xb6, 0xa7, 0x25ac, 0x21a8,
	0x2191, 0x2193, 0x2192, 0x2190, 0x221f, 0x2194, 0x25b2, 0x25bc,
};

static uint32_t vga_glyph(uint8_t ch)
{
	if (ch >= 0x80)
		return cp437_high[ch - 0x80];
	if (ch < 0x20)
		return cp437_low[ch];
	return ch == 0x7f ? 0x2302 : ch;
}

static void draw_vga(const struct dash_model *m, const struct dash_view *v,
		     struct canvas *c, int y, int end)
{
	int shown = end - y, first = v->vga_top;

	if (first > TRACE_VGA_ROWS - shown)
		first = TRACE_VGA_ROWS - shown > 0 ? TRACE_VGA_ROWS - shown : 0;
	for (int row = first; row < TRACE_VGA_ROWS && y < end; row++, y++)
		for (int col = 0; col < TRACE_VGA_COLS; col++) {
			const uint8_t *cell = &m->vga[(row * TRACE_VGA_COLS + col) * 2];

			canvas_put(c, y, col, vga_glyph(cell[0]), CA_VGA | cell[1]);
		}
}

static void draw_serial(const struct dash_model *m, struct canvas *c, int y, int end)
{
	uint64_t have = m->console_len < MODEL_CONSOLE ? m->console_len : MODEL_CONSOLE;
	uint64_t start = m->console_len - have;
	int w = c->w, rows = end - y, lines = 0, col = 0;
	static uint32_t grid[CANVAS_MAX_H][CANVAS_MAX_W / 4];
	int maxw = w < CANVAS_MAX_W / 4 ? w : CANVAS_MAX_W / 4;

	if (rows <= 0)
		return;
	/*
	 * Lay the text out into a ring of `rows` lines; what scrolls off the
	 * top is forgotten, exactly as on a terminal.
	 */
	for (int i = 0; i < rows; i++)
		for (int k = 0; k < maxw; k++)
			grid[i][k] = ' ';
	for (uint64_t i = start; i < m->console_len; i++) {
		unsigned char ch = m->console[i % MODEL_CONSOLE];

		if (ch == '\n' || col >= maxw) {
			lines++;
			col = 0;
			for (int k = 0; k < maxw; k++)
				grid[lines % rows][k] = ' ';
			if (ch == '\n')
				continue;
		}
		if (ch == '\r') {
			col = 0;
		} else if (ch == '\b') {
			if (col)
				col--;
		} else if (ch == '\t') {
			col = (col + 8) & ~7;
		} else if (ch >= 0x20 && ch < 0x7f) {
			grid[lines % rows][col++] = ch;
		} else if (ch >= 0x80) {
			grid[lines % rows][col++] = '?';	/* not UTF-8-aware: say so */
		}
	}
	for (int i = 0; i < rows; i++) {
		int line = lines - rows + 1 + i;

		if (line < 0)
			continue;
		for (int k = 0; k < maxw; k++)
			canvas_put(c, y + i, k, grid[line % rows][k], CA_NORMAL);
	}
}

void panel_console(const struct dash_model *m, const struct dash_view *v,
		   struct canvas *c, int top, int rows)
{
	int y = top;

	if (v->show_vga) {
		canvas_printf(c, y++, 0, CA_HEADER,
			      "Guest console: VGA text 80x25 at 0xB8000%s   (v: serial)",
			      rows - 1 < TRACE_VGA_ROWS ? ", Up/Down scroll" : "");
		if (!m->vga_valid) {
			canvas_text(c, y, 1, CA_DIM, "the guest has not written to the VGA screen");
			return;
		}
		draw_vga(m, v, c, y, top + rows);
		return;
	}
	canvas_printf(c, y++, 0, CA_HEADER, "Guest console: serial output, %llu bytes   (v: VGA)",
		      (unsigned long long)m->console_len);
	if (!m->console_len) {
		canvas_text(c, y, 1, CA_DIM, "no console output yet");
		return;
	}
	draw_serial(m, c, y, top + rows);
}
