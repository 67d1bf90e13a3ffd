// SPDX-License-Identifier: GPL-2.0
/*
 * clock.c - the platform clock and the one thread that fires device timers
 * (the contract is in clock.h).
 *
 * The timers form a short list (a PC has a handful: PIT, RTC, one LAPIC
 * timer per vCPU), so finding the earliest deadline is a linear scan under
 * one mutex.  The thread waits on a condition variable with the earliest
 * deadline as its timeout; arming a timer earlier than that wakes it.
 * The condition variable uses CLOCK_MONOTONIC, the same clock as
 * hw_clock_ns(), so a change of the wall-clock time moves nothing.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "hw/clock.h"

struct hw_timer {
	hw_timer_fn fn;
	void *ctx;
	uint64_t deadline;
	bool armed;
	struct hw_timer *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake;
static pthread_once_t wake_once = PTHREAD_ONCE_INIT;
static struct hw_timer *timers;
static pthread_t thread;
static bool running, stop_thread;
static bool manual;
static uint64_t manual_now;

static void wake_init(void)
{
	pthread_condattr_t a;

	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&wake, &a);
	pthread_condattr_destroy(&a);
}

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

uint64_t hw_clock_ns(void)
{
	uint64_t now;

	if (!__atomic_load_n(&manual, __ATOMIC_ACQUIRE))
		return monotonic_ns();
	pthread_mutex_lock(&lock);
	now = manual_now;
	pthread_mutex_unlock(&lock);
	return now;
}

struct hw_timer *hw_timer_new(hw_timer_fn fn, void *ctx)
{
	struct hw_timer *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	pthread_once(&wake_once, wake_init);
	t->fn = fn;
	t->ctx = ctx;
	pthread_mutex_lock(&lock);
	t->next = timers;
	timers = t;
	pthread_mutex_unlock(&lock);
	return t;
}

void hw_timer_arm(struct hw_timer *t, uint64_t deadline_ns)
{
	pthread_mutex_lock(&lock);
	t->deadline = deadline_ns;
	t->armed = true;
	pthread_cond_signal(&wake);	/* it may be earlier than the thread's wait */
	pthread_mutex_unlock(&lock);
}

void hw_timer_cancel(struct hw_timer *t)
{
	pthread_mutex_lock(&lock);
	t->armed = false;
	pthread_mutex_unlock(&lock);
}

bool hw_timer_armed(const struct hw_timer *t)
{
	bool armed;

	pthread_mutex_lock(&lock);
	armed = t->armed;
	pthread_mutex_unlock(&lock);
	return armed;
}

uint64_t hw_timer_deadline(const struct hw_timer *t)
{
	uint64_t d;

	pthread_mutex_lock(&lock);
	d = t->deadline;
	pthread_mutex_unlock(&lock);
	return d;
}

void hw_timer_free(struct hw_timer *t)
{
	struct hw_timer **p;

	if (!t)
		return;
	pthread_mutex_lock(&lock);
	for (p = &timers; *p; p = &(*p)->next)
		if (*p == t) {
			*p = t->next;
			break;
		}
	pthread_mutex_unlock(&lock);
	free(t);
}

bool hw_timers_any_armed(void)
{
	bool any = false;

	pthread_mutex_lock(&lock);
	for (struct hw_timer *t = timers; t && !any; t = t->next)
		any = t->armed;
	pthread_mutex_unlock(&lock);
	return any;
}

/* The armed timer with the earliest deadline, or NULL.  Lock held. */
static struct hw_timer *earliest(void)
{
	struct hw_timer *best = NULL;

	for (struct hw_timer *t = timers; t; t = t->next)
		if (t->armed && (!best || t->deadline < best->deadline))
			best = t;
	return best;
}

/*
 * Fire `t`, due now: disarm it first so its function may arm it again,
 * and call the function with the lock dropped.  Lock held on entry and
 * on return.
 */
static void fire(struct hw_timer *t)
{
	hw_timer_fn fn = t->fn;
	void *ctx = t->ctx;

	t->armed = false;
	pthread_mutex_unlock(&lock);
	fn(ctx);
	pthread_mutex_lock(&lock);
}

static void *timer_thread(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	while (!stop_thread) {
		struct hw_timer *t = earliest();
		uint64_t now = monotonic_ns();

		if (t && t->deadline <= now) {
			fire(t);
			continue;
		}
		if (!t) {
			pthread_cond_wait(&wake, &lock);
		} else {
			struct timespec ts = {
				.tv_sec = (time_t)(t->deadline / NSEC_PER_SEC),
				.tv_nsec = (long)(t->deadline % NSEC_PER_SEC),
			};

			pthread_cond_timedwait(&wake, &lock, &ts);
		}
	}
	pthread_mutex_unlock(&lock);
	return NULL;
}

int hw_timers_start(void)
{
	int err = 0;

	pthread_once(&wake_once, wake_init);
	pthread_mutex_lock(&lock);
	if (!running && !manual) {
		stop_thread = false;
		err = pthread_create(&thread, NULL, timer_thread, NULL);
		running = !err;
	}
	pthread_mutex_unlock(&lock);
	return -err;
}

void hw_timers_stop(void)
{
	bool was;

	pthread_mutex_lock(&lock);
	was = running;
	stop_thread = true;
	running = false;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
	if (was)
		pthread_join(thread, NULL);
}

void hw_clock_manual(uint64_t start_ns)
{
	pthread_mutex_lock(&lock);
	manual_now = start_ns;
	__atomic_store_n(&manual, true, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&lock);
}

void hw_clock_advance(uint64_t ns)
{
	uint64_t target;

	pthread_mutex_lock(&lock);
	target = manual_now + ns;
	for (;;) {
		struct hw_timer *t = earliest();

		if (!t || t->deadline > target)
			break;
		if (t->deadline > manual_now)
			manual_now = t->deadline;	/* the function sees its own moment */
		fire(t);
	}
	manual_now = target;
	pthread_mutex_unlock(&lock);
}
