// SPDX-License-Identifier: GPL-2.0
/*
 * cmdline.c - the multiboot command line, copied by guest_start() into
 * guest_cmdline (the loader's copy may lie in memory a guest reuses).
 * Words are separated by spaces; `key=value` gives a setting, a bare word
 * is a flag.  QEMU prefixes the kernel's file name: it is just one more
 * word.  Unknown words are ignored.
 */
#include "guest.h"

char guest_cmdline[256];
bool guest_on_qemu;

/* Finds word `w` (or `w=...` when is_key); returns what follows it. */
static const char *find_word(const char *w, bool is_key)
{
	size_t n = strlen(w);
	const char *p = guest_cmdline;

	while (*p) {
		while (*p == ' ')
			p++;
		if (!strncmp(p, w, n)) {
			char next = p[n];

			if (is_key && next == '=')
				return p + n + 1;
			if (!is_key && (next == ' ' || next == 0))
				return p + n;
		}
		while (*p && *p != ' ')
			p++;
	}
	return NULL;
}

bool guest_cmdline_flag(const char *word)
{
	return find_word(word, false) != NULL;
}

/* Decimal or 0x-hex; `def` when absent or not a number. */
uint64_t guest_cmdline_uint(const char *key, uint64_t def)
{
	const char *p = find_word(key, true);
	uint64_t v = 0;
	unsigned int base = 10, digits = 0;

	if (!p)
		return def;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	for (;; p++, digits++) {
		unsigned int d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			break;
		v = v * base + d;
	}
	return digits && (*p == ' ' || *p == 0) ? v : def;
}

void guest_cmdline_parse(void);
void guest_cmdline_parse(void)
{
	guest_on_qemu = guest_cmdline_flag("qemu");
}
