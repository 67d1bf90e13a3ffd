/* SPDX-License-Identifier: GPL-2.0 */
/*
 * progress.h - a one-line progress bar on stderr for long disk work.
 *
 * Drawn only when stderr is a terminal (scripts and tests see nothing), at
 * most ten times a second; progress_done() clears the line.
 */
#ifndef HVLAB_DISK_PROGRESS_H
#define HVLAB_DISK_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct progress {
	const char *what;
	uint64_t total;
	bool tty;
	long long last_ms;
};

void progress_start(struct progress *p, const char *what, uint64_t total);
void progress_update(struct progress *p, uint64_t done);
void progress_done(struct progress *p);

#endif
