// SPDX-License-Identifier: GPL-2.0
/*
 * printf.c - a small vsnprintf and the polled 16550 UART at 0x3F8.
 *
 * Formats: %s %c %d %i %u %x %X %p %%, with an optional 0 flag, a width
 * and the l/ll/z size modifiers.  Output is always NUL-terminated and
 * truncated to the buffer.  64-bit numbers are divided by shifting, so the
 * 32-bit guests need no libgcc (__udivdi3).
 */
#include "guest.h"

#define UART_LSR	5		/* line status register */
#define UART_LSR_THRE	0x20		/* transmit holding register empty */

void uart_putc(char c)
{
	/* Poll THRE, but not forever: hvlab's UART is always ready. */
	for (int i = 0; i < 100000 && !(inb(UART_PORT + UART_LSR) & UART_LSR_THRE); i++)
		cpu_relax();
	outb(UART_PORT, (uint8_t)c);
}

void uart_puts(const char *s)
{
	while (*s)
		uart_putc(*s++);
}

void uart_printf(const char *fmt, ...)
{
	char buf[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	uart_puts(buf);
}

/* *n /= base, returns the remainder (bitwise long division). */
static unsigned int divmod(uint64_t *n, unsigned int base)
{
	uint64_t q = 0, r = 0;

	for (int i = 63; i >= 0; i--) {
		r = (r << 1) | ((*n >> i) & 1);
		if (r >= base) {
			r -= base;
			q |= 1ull << i;
		}
	}
	*n = q;
	return (unsigned int)r;
}

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_num(struct out *o, uint64_t v, unsigned int base, bool upper,
		    int width, char pad)
{
	char tmp[24];
	int n = 0;

	do {
		unsigned int d = divmod(&v, base);

		tmp[n++] = d < 10 ? '0' + d : (upper ? 'A' : 'a') + d - 10;
	} while (v);
	while (width-- > n)
		put(o, pad);
	while (n)
		put(o, tmp[--n]);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		int width = 0, lng = 0;
		char pad = ' ';
		uint64_t u;
		int64_t s;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0') {
			pad = '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z') {
			lng += *fmt == 'z' ? (sizeof(size_t) == 8 ? 2 : 0) : 1;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
		case 'i':
			s = lng >= 2 ? va_arg(ap, long long) :
			    lng == 1 ? va_arg(ap, long) : va_arg(ap, int);
			if (s < 0) {
				put(&o, '-');
				u = -(uint64_t)s;
			} else {
				u = s;
			}
			put_num(&o, u, 10, false, width, pad);
			break;
		case 'u':
		case 'x':
		case 'X':
			u = lng >= 2 ? va_arg(ap, unsigned long long) :
			    lng == 1 ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
			put_num(&o, u, *fmt == 'u' ? 10 : 16, *fmt == 'X', width, pad);
			break;
		case 'p':
			put(&o, '0');
			put(&o, 'x');
			put_num(&o, (uintptr_t)va_arg(ap, void *), 16, false, 0, ' ');
			break;
		case 'c':
			put(&o, (char)va_arg(ap, int));
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);

			if (!str)
				str = "(null)";
			while (*str)
				put(&o, *str++);
			break;
		}
		case '%':
			put(&o, '%');
			break;
		default:	/* unknown: print it as it stands */
			put(&o, '%');
			if (!*fmt)
				goto end;
			put(&o, *fmt);
		}
	}
end:
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
