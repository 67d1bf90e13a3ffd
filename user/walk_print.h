/* SPDX-License-Identifier: GPL-2.0 */
/*
 * walk_print.h - a GVA -> GPA -> HPA walk (struct hvlab_translation, the
 * answer of HVLAB_TRANSLATE) as readable text, one line per table level.
 * Used by `hvlab run --walk GVA`, the dashboard and docs/memory.md.
 */
#ifndef HVLAB_WALK_PRINT_H
#define HVLAB_WALK_PRINT_H

#include <stddef.h>
#include <stdio.h>
#include <uapi/hvlab.h>

#define WALK_FMT_ASCII	(1u << 0)	/* "->" instead of "→" */

/*
 * Formats t into buf as snprintf does: always NUL-terminated when size > 0,
 * returns the length the whole text needs.  Lines end in '\n'.  Any value
 * of t is accepted (counts and levels out of range are shown, not trusted).
 */
size_t walk_format(const struct hvlab_translation *t, char *buf, size_t size,
		   unsigned int flags);

/* Writes walk_format's text to f, each line prefixed with `indent`. */
int walk_fprint(FILE *f, const char *indent, const struct hvlab_translation *t,
		unsigned int flags);

/* Names of the paging mode and of one table level, e.g. "PML4", "PDPT". */
const char *walk_mode_name(unsigned int paging_mode);
const char *walk_level_name(unsigned int level);

#endif
