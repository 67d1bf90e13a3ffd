// SPDX-License-Identifier: GPL-2.0
/*
 * slow_run.c - an LD_PRELOAD shim in front of fake_hvlab.c: every
 * HVLAB_RUN first sleeps SLOW_RUN_MS milliseconds (default 20), then goes
 * on to the next ioctl() in the chain (the fake).  The fake plays its
 * script of exits in microseconds; slowed down, a guest "runs" for seconds
 * and comes back to userspace between exits, so a test has time to press
 * keys in the dashboard while the vCPU thread passes dash_gate().
 * Preload it first: LD_PRELOAD="slow_run.so fake_hvlab.so".
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>

#include <uapi/hvlab.h>

int ioctl(int fd, unsigned long req, ...)
{
	static int (*next)(int, unsigned long, ...);
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!next)
		next = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
	if (req == HVLAB_RUN) {
		const char *e = getenv("SLOW_RUN_MS");
		long ms = e ? atol(e) : 20;
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

		nanosleep(&ts, NULL);	/* EINTR (a kick) just shortens it */
	}
	return next(fd, req, arg);
}
