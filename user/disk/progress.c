// SPDX-License-Identifier: GPL-2.0
/* progress.c - the progress bar of progress.h. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "disk/progress.h"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

void progress_start(struct progress *p, const char *what, uint64_t total)
{
	p->what = what;
	p->total = total ? total : 1;
	p->tty = isatty(STDERR_FILENO);
	p->last_ms = 0;
	progress_update(p, 0);
}

void progress_update(struct progress *p, uint64_t done)
{
	enum { WIDTH = 40 };
	long long t;
	unsigned fill;

	if (!p->tty)
		return;
	t = now_ms();
	if (done && done < p->total && t - p->last_ms < 100)
		return;
	p->last_ms = t;
	fill = done >= p->total ? WIDTH : (unsigned)(done * WIDTH / p->total);
	fprintf(stderr, "\r%-10s [", p->what);
	for (unsigned i = 0; i < WIDTH; i++)
		fputc(i < fill ? '#' : '.', stderr);
	fprintf(stderr, "] %3u%%", (unsigned)(done >= p->total ? 100 :
					      done * 100 / p->total));
	fflush(stderr);
}

void progress_done(struct progress *p)
{
	if (!p->tty)
		return;
	progress_update(p, p->total);
	fprintf(stderr, "\r\033[K");
	fflush(stderr);
}
