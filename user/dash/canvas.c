// SPDX-License-Identifier: GPL-2.0
/*
 * canvas.c - the character grid of canvas.h: clipped writes, a small UTF-8
 * decoder, and the text dump the tests and docs use.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dash/canvas.h"

struct canvas *canvas_new(int w, int h)
{
	struct canvas *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->w = w < 1 ? 1 : w > CANVAS_MAX_W ? CANVAS_MAX_W : w;
	c->h = h < 1 ? 1 : h > CANVAS_MAX_H ? CANVAS_MAX_H : h;
	c->cells = calloc((size_t)c->w * c->h, sizeof(struct cell));
	if (!c->cells) {
		free(c);
		return NULL;
	}
	canvas_clear(c);
	return c;
}

void canvas_free(struct canvas *c)
{
	if (!c)
		return;
	free(c->cells);
	free(c);
}

void canvas_clear(struct canvas *c)
{
	for (int i = 0; i < c->w * c->h; i++)
		c->cells[i] = (struct cell){ ' ', CA_NORMAL };
}

void canvas_put(struct canvas *c, int y, int x, uint32_t ch, uint16_t attr)
{
	if (y < 0 || y >= c->h || x < 0 || x >= c->w)
		return;
	/* Control characters would move the terminal's cursor: never store them. */
	if (ch < 0x20 || ch == 0x7f || (ch >= 0x80 && ch < 0xa0))
		ch = '?';
	c->cells[y * c->w + x] = (struct cell){ ch, attr };
}

/* Decodes one UTF-8 sequence; returns its length (>= 1), '?' if malformed. */
static int utf8_next(const unsigned char *s, uint32_t *cp)
{
	int n;
	uint32_t v;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		v = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		v = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		v = s[0] & 0x07;
	} else {
		*cp = '?';
		return 1;
	}
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) {	/* also stops at the NUL */
			*cp = '?';
			return i;
		}
		v = v << 6 | (s[i] & 0x3f);
	}
	*cp = v > 0x10ffff ? '?' : v;
	return n;
}

int canvas_text(struct canvas *c, int y, int x, uint16_t attr, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;

	while (*p) {
		p += utf8_next(p, &cp);
		canvas_put(c, y, x++, cp, attr);
	}
	return x;
}

int canvas_printf(struct canvas *c, int y, int x, uint16_t attr, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return canvas_text(c, y, x, attr, buf);
}

void canvas_fill_attr(struct canvas *c, int y, uint16_t attr)
{
	if (y < 0 || y >= c->h)
		return;
	for (int x = 0; x < c->w; x++)
		c->cells[y * c->w + x].attr = attr;
}

int utf8_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	int n = 0;

	while (*p) {
		p += utf8_next(p, &cp);
		n++;
	}
	return n;
}

static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = 0xc0 | cp >> 6;
		o[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = 0xe0 | cp >> 12;
		o[1] = 0x80 | ((cp >> 6) & 0x3f);
		o[2] = 0x80 | (cp & 0x3f);
		return 3;
	}
	o[0] = 0xf0 | cp >> 18;
	o[1] = 0x80 | ((cp >> 12) & 0x3f);
	o[2] = 0x80 | ((cp >> 6) & 0x3f);
	o[3] = 0x80 | (cp & 0x3f);
	return 4;
}

char *canvas_to_text(const struct canvas *c)
{
	char *out = malloc((size_t)c->h * (c->w * 4 + 1) + 1), *o = out;

	if (!out)
		return NULL;
	for (int y = 0; y < c->h; y++) {
		char *line = o, *end = o;

		for (int x = 0; x < c->w; x++) {
			o += put_utf8(o, c->cells[y * c->w + x].ch);
			if (c->cells[y * c->w + x].ch != ' ')
				end = o;
		}
		o = end > line ? end : line;
		*o++ = '\n';
	}
	*o = 0;
	return out;
}
