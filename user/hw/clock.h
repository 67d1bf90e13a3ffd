/* SPDX-License-Identifier: GPL-2.0 */
/*
 * clock.h - the platform clock and the timers of the device models.
 *
 * Every timer a PC has (the PIT's counters, the RTC's periodic interrupt,
 * the local APIC timer, the ACPI PM timer) is modelled against one clock,
 * hw_clock_ns(): the host's CLOCK_MONOTONIC while a VM runs.  A device that
 * must act at a moment (raise an interrupt when a count reaches zero)
 * arms an hw_timer; one thread per process, started by hw_timers_start(),
 * sleeps until the earliest deadline and calls the timer's function.
 *
 * Unit tests switch to a manual clock with hw_clock_manual(): time then
 * stands still until hw_clock_advance(), which fires every timer that falls
 * due, in deadline order, in the calling thread.  So a test of the PIT can
 * say "after 10 ms there were exactly 10 interrupts" without sleeping.
 *
 * Rules:
 *  - a timer fires once per arming; a periodic device re-arms it from its
 *    function (the function may call hw_timer_arm on its own timer);
 *  - the function runs with no clock lock held, so it may take its
 *    device's lock and raise interrupt lines;
 *  - hw_timer_cancel() does not wait for a function that is already
 *    running: a device checks its own state under its own lock there.
 */
#ifndef HVLAB_HW_CLOCK_H
#define HVLAB_HW_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define NSEC_PER_SEC	1000000000ull

/* Nanoseconds on the platform clock (monotonic, or the manual test clock). */
uint64_t hw_clock_ns(void);

struct hw_timer;
typedef void (*hw_timer_fn)(void *ctx);

/* A disarmed timer; NULL when out of memory. */
struct hw_timer *hw_timer_new(hw_timer_fn fn, void *ctx);
/* Fire fn once at deadline_ns (now, if that has passed); replaces any arming. */
void hw_timer_arm(struct hw_timer *t, uint64_t deadline_ns);
void hw_timer_cancel(struct hw_timer *t);
bool hw_timer_armed(const struct hw_timer *t);
uint64_t hw_timer_deadline(const struct hw_timer *t);	/* valid when armed */
void hw_timer_free(struct hw_timer *t);			/* NULL is fine */
/* Is any timer armed (could anything still happen without the guest)? */
bool hw_timers_any_armed(void);

/* The thread that fires timers while a VM runs.  0, or -errno. */
int hw_timers_start(void);
void hw_timers_stop(void);

/* Tests: time stands at start_ns until hw_clock_advance() moves it. */
void hw_clock_manual(uint64_t start_ns);
/* Move the manual clock by ns, firing every timer that falls due. */
void hw_clock_advance(uint64_t ns);

/* Counts of a frequency `hz` elapsed in `ns`, without overflow for years. */
static inline uint64_t hw_ns_to_ticks(uint64_t ns, uint64_t hz)
{
	return (uint64_t)(((unsigned __int128)ns * hz) / NSEC_PER_SEC);
}

/* Nanoseconds that `ticks` of `hz` last, rounded up. */
static inline uint64_t hw_ticks_to_ns(uint64_t ticks, uint64_t hz)
{
	return (uint64_t)(((unsigned __int128)ticks * NSEC_PER_SEC + hz - 1) / hz);
}

#endif
