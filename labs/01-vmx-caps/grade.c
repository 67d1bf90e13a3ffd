// SPDX-License-Identifier: GPL-2.0
/*
 * grade.c - lab 1's checks: decoding the VMX control capability MSRs
 * (kmod/pure_caps.c, split and may) through hvlab_caps_decode, and
 * computing a control field's value from them (kmod/vmcs.c, adjust).
 *
 * The MSR values are random per run (within what a CPU may report: every
 * allowed-0 bit is also an allowed-1 bit), and the expected answers are
 * computed here from the SDM's rules (Vol. 3 A.3-A.5, A.2 for the TRUE
 * MSRs), so only code that decodes the bits passes.
 */
#include "grade.h"
#include "../../kmod/pure_caps.h"

/* A control MSR a CPU could report: allowed-0 within allowed-1. */
static __u64 ctl_msr(void)
{
	__u32 hi = (__u32)rnd() | (__u32)rnd();	/* most controls allowed */
	__u32 lo = (__u32)rnd() & (__u32)rnd() & (__u32)rnd() & hi;

	return (__u64)hi << 32 | lo;
}

static void random_msrs(struct hvlab_vmx_msrs *m, int true_ctls)
{
	memset(m, 0, sizeof(*m));
	m->feature_control = HV_FEAT_CTL_LOCKED | HV_FEAT_CTL_VMX_OUTSIDE_SMX;
	m->basic = rnd_range(1, 0x7fffffff) | rnd_range(1, 4096) << 32 |
		   (__u64)MEMTYPE_WB << 50 | HV_VMX_BASIC_INOUT |
		   (true_ctls ? HV_VMX_BASIC_TRUE_CTLS : 0);
	m->pinbased = ctl_msr();
	m->procbased = ctl_msr();
	m->exit = ctl_msr();
	m->entry = ctl_msr();
	m->procbased2 = ctl_msr();
	m->true_pinbased = ctl_msr();
	m->true_procbased = ctl_msr();
	m->true_exit = ctl_msr();
	m->true_entry = ctl_msr();
	m->ept_vpid_cap = rnd();
	m->misc = rnd() & 0xffffffffull;
}

static void check_ctl(const char *what, const struct hvlab_ctl_caps *c, __u64 msr)
{
	CHECK(c->must_be_1 == (__u32)msr && c->may_be_1 == (__u32)(msr >> 32),
	      "%s: MSR %#018llx decoded as must_be_1 %#010x may_be_1 %#010x", what,
	      (unsigned long long)msr, c->must_be_1, c->may_be_1);
}

LAB_TEST(controls_split_random)
{
	for (int i = 0; i < 64; i++) {
		struct hvlab_caps c = { 0 };
		int t = i & 1;
		const struct hvlab_vmx_msrs *m = &c.msr;

		random_msrs(&c.msr, t);
		hvlab_caps_decode(&c, CPUID1_ECX_VMX);
		check_ctl("pin-based", &c.pin, t ? m->true_pinbased : m->pinbased);
		BAIL();
		check_ctl("processor-based", &c.proc, t ? m->true_procbased : m->procbased);
		BAIL();
		check_ctl("VM-exit", &c.exit, t ? m->true_exit : m->exit);
		BAIL();
		check_ctl("VM-entry", &c.entry, t ? m->true_entry : m->entry);
		BAIL();
		/* IA32_VMX_PROCBASED_CTLS2 counts only if "secondary" may be 1 */
		check_ctl("secondary", &c.proc2,
			  (t ? m->true_procbased : m->procbased) >> 32 & PROC_SECONDARY ?
			  m->procbased2 : 0);
		BAIL();
	}
}

/* One feature bit against the allowed-1 bit it stands for. */
#define FEAT(cap, word, bit) \
	CHECK(!!(c.features & (cap)) == !!((__u32)((word) >> 32) & (bit)), \
	      "%s: allowed-1 %#010x gives %s", #cap, (__u32)((word) >> 32), \
	      (c.features & (cap)) ? "the feature" : "no feature")

LAB_TEST(features_follow_allowed1)
{
	for (int i = 0; i < 64; i++) {
		struct hvlab_caps c = { 0 };
		const struct hvlab_vmx_msrs *m = &c.msr;
		__u64 proc2;

		random_msrs(&c.msr, 1);
		c.msr.true_procbased |= (__u64)PROC_SECONDARY << 32;
		hvlab_caps_decode(&c, CPUID1_ECX_VMX);
		proc2 = m->procbased2;
		FEAT(HVLAB_CAP_PREEMPTION_TIMER, m->true_pinbased, PIN_PREEMPTION_TIMER);
		FEAT(HVLAB_CAP_POSTED_INTERRUPTS, m->true_pinbased, PIN_POSTED_INTR);
		FEAT(HVLAB_CAP_MSR_BITMAPS, m->true_procbased, PROC_USE_MSR_BITMAPS);
		FEAT(HVLAB_CAP_IO_BITMAPS, m->true_procbased, PROC_USE_IO_BITMAPS);
		FEAT(HVLAB_CAP_MONITOR_TRAP_FLAG, m->true_procbased, PROC_MTF);
		FEAT(HVLAB_CAP_EPT, proc2, PROC2_EPT);
		FEAT(HVLAB_CAP_VPID, proc2, PROC2_VPID);
		FEAT(HVLAB_CAP_RDTSCP, proc2, PROC2_RDTSCP);
		FEAT(HVLAB_CAP_VMCS_SHADOWING, proc2, PROC2_SHADOW_VMCS);
		CHECK(!!(c.features & HVLAB_CAP_UNRESTRICTED_GUEST) ==
		      !!((proc2 >> 32) & PROC2_UNRESTRICTED && (proc2 >> 32) & PROC2_EPT),
		      "unrestricted guest needs its allowed-1 bit and EPT (secondary %#018llx)",
		      (unsigned long long)proc2);
	}
}

/*
 * The student's adjust(), the region of kmod/vmcs.c that the Makefile
 * extracts (labs/01-vmx-caps/grade.mk): the value written into a control
 * field from the decoded caps.  It uses the kernel's integer types.
 */
typedef int64_t s64;
typedef uint32_t u32;
#include "adjust.inc"

/* adjust() alone, on masks drawn here: the exact value, or a refusal. */
LAB_TEST(adjust_wanted_optional_forced)
{
	for (int i = 0; i < 500; i++) {
		struct hvlab_ctl_caps c;
		__u32 want, opt;
		long long v, expect;

		c.may_be_1 = (__u32)rnd() | (__u32)rnd();
		c.must_be_1 = (__u32)rnd() & (__u32)rnd() & c.may_be_1;
		want = (__u32)rnd() & c.may_be_1;
		opt = (__u32)rnd();
		if (i % 4 == 3 && ~c.may_be_1)	/* one control the CPU lacks */
			want |= ~c.may_be_1 & -~c.may_be_1;
		expect = want & ~c.may_be_1 ? -1 :
			 (long long)(want | (opt & c.may_be_1) | c.must_be_1);
		v = adjust(&c, want, opt);
		CHECK(v == expect,
		      "must-be-1 %#010x may-be-1 %#010x want %#010x optional %#010x: got %#llx, want %#llx",
		      c.must_be_1, c.may_be_1, want, opt, v, expect);
	}
}

LAB_TEST(adjusted_controls_are_legal)
{
	for (int i = 0; i < 200; i++) {
		struct hvlab_caps c = { 0 };
		__u64 msr;
		__u32 lo, hi, want, opt;
		long long v;

		random_msrs(&c.msr, 1);
		hvlab_caps_decode(&c, CPUID1_ECX_VMX);
		msr = c.msr.true_procbased;
		lo = (__u32)msr;
		hi = (__u32)(msr >> 32);
		want = (__u32)rnd() & hi & 0x00ff00ffu;
		if (!want)
			want = hi & -hi;	/* one bit the CPU allows */
		opt = (__u32)rnd();
		v = adjust(&c.proc, want, opt);
		CHECK(v >= 0, "wanted %#010x is within allowed-1 %#010x, yet refused", want, hi);
		CHECK(((__u32)v & lo) == lo && ((__u32)v & ~hi) == 0 && ((__u32)v & want) == want,
		      "adjusted %#010llx breaks MSR %#018llx (want %#010x)", v,
		      (unsigned long long)msr, want);
		/* a control the CPU cannot set must be refused */
		if (~hi) {
			__u32 bad = ~hi & -~hi;

			CHECK(adjust(&c.proc, want | bad, 0) < 0,
			      "control %#010x is not in allowed-1 %#010x, yet accepted", bad, hi);
		}
	}
}

LAB_TEST(bochs_skylake_is_usable)
{
	struct hvlab_caps c = { 0 };
	struct hvlab_vmx_msrs *m = &c.msr;

	/* Bochs 2.7 corei7_skylake_x, as tests/unit/test_caps.c records it */
	m->feature_control = 0x5ull;
	m->basic = 0x00d810000000002bull;
	m->pinbased = 0x0000007f00000016ull;
	m->procbased = 0xf7f9fffe0401e172ull;
	m->exit = 0x007fffff00036dffull;
	m->entry = 0x0000ffff000011ffull;
	m->misc = 0x00000000600401e0ull;
	m->procbased2 = 0x02177fff00000000ull;
	m->ept_vpid_cap = 0x00000f0106334141ull;
	m->true_pinbased = 0x0000007f00000016ull;
	m->true_procbased = 0xf7f9fffe04006172ull;
	m->true_exit = 0x007fffff00036dfbull;
	m->true_entry = 0x0000ffff000011fbull;
	hvlab_caps_decode(&c, CPUID1_ECX_VMX);
	CHECK(c.status == HVLAB_STATUS_OK, "status %u, want HVLAB_STATUS_OK (0)", c.status);
	CHECK(c.proc.must_be_1 == 0x04006172u, "TRUE controls: must_be_1 %#x", c.proc.must_be_1);
}
