// SPDX-License-Identifier: GPL-2.0
/*
 * bench.c - what one VM exit costs, measured by the guest in its own TSC
 * cycles (make bench).  Each workload runs N times between two RDTSCs and
 * the guest prints the average per iteration, minus the cost of an empty
 * iteration measured the same way:
 *
 *   cpuid    CPUID leaf 0: an exit handled entirely in the module
 *   vmcall   VMCALL HVLAB_HC_NOP: the cheapest in-module hypercall
 *            (VMMCALL when CPUID's vendor is AuthenticAMD: on AMD, VMCALL
 *            is #UD and VMMCALL is the hypercall, APM Vol. 3)
 *   out      OUT to port 0x99, which no device claims: an exit all the way
 *            to userspace (hvlab run) and back
 *   cr3      MOV to CR3 of the current value: no exit under EPT; under
 *            --paging shadow an exit that switches to a kept shadow root
 *   floor    CPUID leaf HVLAB_CPUID_BENCH_FLOOR in a VM made with
 *            `hvlab run --bench-floor`: the leanest exit path the module
 *            has (exit, CPUID answered, RIP advanced, entry), the yardstick
 *            of every other figure.  Printed only when the module answers
 *            with HVLAB_BENCH_FLOOR_SIG, i.e. when the floor path is on.
 *   timer-spin, timer-hlt  (only=6, only=7; never in the default run)
 *            interrupt-delivery latency: the local APIC timer, one-shot,
 *            fires SAMPLES times (samples=, default 20) while the guest
 *            spins with interrupts enabled (timer-spin) or sits in HLT
 *            (timer-hlt).  Each sample is the host TSC at which hvlab's
 *            timer model raised the interrupt (user/hw/lapic.c, fetched
 *            with the ucall TIMER_TSC) subtracted from the TSC the
 *            handler reads at its third instruction (after saving EAX and
 *            EDX).  The guest's TSC is the host's: hvlab applies no TSC
 *            offset unless the guest writes IA32_TSC.  A sample whose
 *            stamps are out of order (a firing from before the arming)
 *            is counted as unpaired and left out.
 *
 * Under Bochs with `clock: sync=none` the TSC advances with emulated
 * instructions, so the figures are repeatable, and are in effect the length
 * of the host's handling path in instructions.  n=ITERATIONS on the
 * command line overrides the default 2000; only=W runs workload W alone
 * (1 cpuid, 2 vmcall, 3 out, 4 cr3, 5 floor: a test's way to make many
 * exits; 6 timer-spin, 7 timer-hlt).
 */
#include "guest.h"
#include <uapi/hvlab.h>

#define BENCH_PORT	0x99

/* the local APIC's timer registers (SDM Vol. 3 11.5.4) */
#define LAPIC_EOI	0xb0
#define LAPIC_LVT_TIMER	0x320
#define LAPIC_TMICT	0x380
#define LAPIC_TDCR	0x3e0
#define TDCR_DIV1	0xb
#define TIMER_VECTOR	0xec

/*
 * The timer's handler: the TSC as early as it can be read, a count the
 * waiting loop watches, then EOI.  32-bit code: bench is a lib32 guest.
 */
volatile uint32_t isr_tsc_lo, isr_tsc_hi, isr_count;
void timer_isr(void);
asm(".pushsection .text\n"
    ".globl timer_isr\n"
    "timer_isr:\n"
    "	pushl %eax\n"
    "	pushl %edx\n"
    "	rdtsc\n"
    "	movl %eax, isr_tsc_lo\n"
    "	movl %edx, isr_tsc_hi\n"
    "	incl isr_count\n"
    "	movl $0, 0xfee000b0\n"	/* EOI */
    "	popl %edx\n"
    "	popl %eax\n"
    "	iret\n"
    ".popsection\n");

/* CPUID leaf 0's vendor is "AuthenticAMD": the hypercall is VMMCALL */
static bool amd;

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
			if (amd)
				asm volatile("vmmcall" : "+a"(a) : : "memory");
			else
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

/*
 * One timer interrupt: arm the one-shot timer COUNT ns ahead, wait for the
 * handler (spinning with IF=1, or in HLT), and return the cycles from the
 * firing to the handler; 0 when the two stamps do not pair up.
 */
static uint32_t timer_sample(bool halt, uint32_t count)
{
	uint32_t seen = isr_count;
	uint64_t armed, fired, handled;

	cli();
	armed = rdtsc();
	lapic_write(LAPIC_TMICT, count);
	if (halt) {
		/* STI's interrupt shadow: no interrupt slips in before the HLT */
		while (isr_count == seen)
			asm volatile("sti; hlt; cli" : : : "memory");
	} else {
		asm volatile("sti" : : : "memory");
		while (isr_count == seen)
			cpu_relax();
		cli();
	}
	handled = (uint64_t)isr_tsc_hi << 32 | isr_tsc_lo;
	ucall(UCALL_TIMER_TSC, 0, 0);
	fired = guest_cpu()->uc.args[0];
	if (isr_count != seen + 1 || fired <= armed || handled <= fired)
		return 0;
	return (uint32_t)(handled - fired);
}

static void timer_bench(const char *name, bool halt, unsigned int samples)
{
	static uint32_t lat[256];
	unsigned int i, bad = 0;

	if (samples > 256)
		samples = 256;
	idt_set_irq(TIMER_VECTOR, timer_isr);
	lapic_write(LAPIC_SVR, 0x100 | 0xff);	/* software-enabled */
	lapic_write(LAPIC_TDCR, TDCR_DIV1);	/* 1 GHz: a count is 1 ns */
	lapic_write(LAPIC_LVT_TIMER, TIMER_VECTOR);	/* one-shot, unmasked */
	timer_sample(halt, 50000);		/* warm up: the first exits of each kind */
	for (i = 0; i < samples; i++) {
		lat[i] = timer_sample(halt, 50000);
		bad += !lat[i];
	}
	/* printed afterwards, so that no sample waits behind a ucall's output */
	for (i = 0; i < samples; i++)
		if (lat[i])
			GUEST_PRINTF("bench %s sample: %u cycles from the timer firing to the handler\n",
				     name, lat[i]);
	GUEST_PRINTF("bench %s: %u samples, %u unpaired\n", name, samples, bad);
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
	amd = cpuid(0, 0).ebx == 0x68747541;	/* "Auth" */
	if (only == 6 || only == 7) {
		timer_bench(only == 6 ? "timer-spin" : "timer-hlt", only == 7,
			    guest_cmdline_uint("samples", 20));
		return;
	}
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
