// SPDX-License-Identifier: GPL-2.0
/*
 * bench.c - what one VM exit costs, measured by the guest in its own TSC
 * cycles (make bench).  Each workload runs N times between two RDTSCs and
 * the guest prints the average per iteration, minus the cost of an empty
 * iteration measured the same way:
 *
 *   cpuid    CPUID leaf 0: an exit handled entirely in the module
 *   vmcall   VMCALL HVLAB_HC_NOP: the cheapest in-module hypercall
 *   out      OUT to port 0x99, which no device claims: an exit all the way
 *            to userspace (hvlab run) and back
 *   cr3      MOV to CR3 of the current value: no exit under EPT; under
 *            --paging shadow an exit that switches to a kept shadow root
 *   floor    CPUID leaf HVLAB_CPUID_BENCH_FLOOR in a VM made with
 *            `hvlab run --bench-floor`: the leanest exit path the module
 *            has (exit, CPUID answered, RIP advanced, entry), the yardstick
 *            of every other figure.  Printed only when the module answers
 *            with HVLAB_BENCH_FLOOR_SIG, i.e. when the floor path is on.
 *
 * Under Bochs with `clock: sync=none` the TSC advances with emulated
 * instructions, so the figures are repeatable, and are in effect the length
 * of the host's handling path in instructions.  n=ITERATIONS on the
 * command line overrides the default 2000; only=W runs workload W alone
 * (1 cpuid, 2 vmcall, 3 out, 4 cr3, 5 floor: a test's way to make many
 * exits).
 */
#include "guest.h"
#include <uapi/hvlab.h>

#define BENCH_PORT	0x99

static uint64_t measure(int what, unsigned int n)
{
	uint64_t t0, t1;
	unsigned int i;
	uint32_t a, b, c, d;

	t0 = rdtsc();
	for (i = 0; i < n; i++) {
		switch (what) {
		case 0:
			asm volatile("" ::: "memory");
			break;
		case 1:
			asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
				     : "a"(0), "c"(0));
			break;
		case 2:
			a = 0;	/* HVLAB_HC_NOP */
			asm volatile("vmcall" : "+a"(a) : : "memory");
			break;
		case 3:
			outb(BENCH_PORT, 0);
			break;
		case 4:
			write_cr3(read_cr3());
			break;
		case 5:
			asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
				     : "a"(HVLAB_CPUID_BENCH_FLOOR), "c"(0));
			break;
		}
	}
	t1 = rdtsc();
	return t1 - t0;
}

/* Does this VM take the floor path (hvlab run --bench-floor)? */
static bool floor_on(void)
{
	uint32_t a, b, c, d;

	asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
		     : "a"(HVLAB_CPUID_BENCH_FLOOR), "c"(0));
	return a == HVLAB_BENCH_FLOOR_SIG;
}

void guest_main(void)
{
	static const char *const names[] = { "empty", "cpuid", "vmcall", "out",
					     "cr3", "floor" };
	unsigned int n = guest_cmdline_uint("n", 2000);
	unsigned int only = guest_cmdline_uint("only", 0);
	uint64_t base, t;
	int w;

	if (guest_cpu_id())
		return;
	measure(1, 10);		/* warm up: fault in code and stack pages */
	base = measure(0, n);
	for (w = 1; w < 6; w++) {
		if (only && w != (int)only)
			continue;
		if (w == 5 && !floor_on())
			continue;
		t = measure(w, n);
		/* 32-bit guest, no libgcc: the per-iteration cost fits in 32 bits */
		GUEST_PRINTF("bench %s %u iterations: %u cycles per exit round trip\n",
			     names[w], n, (uint32_t)(t - base) / n);
	}
}
