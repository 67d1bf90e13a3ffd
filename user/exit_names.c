// SPDX-License-Identifier: GPL-2.0
/*
 * exit_names.c - the tables behind exit_names.h.
 *
 * Names follow the SDM's wording, shortened to identifiers in the style
 * KVM uses in its tracepoints, so a student meets the same words in
 * `perf kvm stat` later.  Tables are indexed by number with designated
 * initialisers; holes (reasons the SDM leaves unused) are NULL and read as
 * "UNKNOWN".
 */
#include <stddef.h>
#include <strings.h>

#include <uapi/hvlab.h>

#include "exit_names.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* SDM Vol. 3 Appendix C, "VMX Basic Exit Reasons". */
static const char *const vmx_names[] = {
	[0] = "EXCEPTION_NMI",
	[1] = "EXTERNAL_INTERRUPT",
	[2] = "TRIPLE_FAULT",
	[3] = "INIT_SIGNAL",
	[4] = "SIPI",
	[5] = "IO_SMI",
	[6] = "OTHER_SMI",
	[7] = "INTERRUPT_WINDOW",
	[8] = "NMI_WINDOW",
	[9] = "TASK_SWITCH",
	[10] = "CPUID",
	[11] = "GETSEC",
	[12] = "HLT",
	[13] = "INVD",
	[14] = "INVLPG",
	[15] = "RDPMC",
	[16] = "RDTSC",
	[17] = "RSM",
	[18] = "VMCALL",
	[19] = "VMCLEAR",
	[20] = "VMLAUNCH",
	[21] = "VMPTRLD",
	[22] = "VMPTRST",
	[23] = "VMREAD",
	[24] = "VMRESUME",
	[25] = "VMWRITE",
	[26] = "VMXOFF",
	[27] = "VMXON",
	[28] = "CR_ACCESS",
	[29] = "DR_ACCESS",
	[30] = "IO_INSTRUCTION",
	[31] = "MSR_READ",
	[32] = "MSR_WRITE",
	[33] = "INVALID_STATE",
	[34] = "MSR_LOAD_FAIL",
	[36] = "MWAIT_INSTRUCTION",
	[37] = "MONITOR_TRAP_FLAG",
	[39] = "MONITOR_INSTRUCTION",
	[40] = "PAUSE_INSTRUCTION",
	[41] = "MCE_DURING_VMENTRY",
	[43] = "TPR_BELOW_THRESHOLD",
	[44] = "APIC_ACCESS",
	[45] = "EOI_INDUCED",
	[46] = "GDTR_IDTR",
	[47] = "LDTR_TR",
	[48] = "EPT_VIOLATION",
	[49] = "EPT_MISCONFIG",
	[50] = "INVEPT",
	[51] = "RDTSCP",
	[52] = "PREEMPTION_TIMER",
	[53] = "INVVPID",
	[54] = "WBINVD",
	[55] = "XSETBV",
	[56] = "APIC_WRITE",
	[57] = "RDRAND",
	[58] = "INVPCID",
	[59] = "VMFUNC",
	[60] = "ENCLS",
	[61] = "RDSEED",
	[62] = "PML_FULL",
	[63] = "XSAVES",
	[64] = "XRSTORS",
	[65] = "PCONFIG",
	[66] = "SPP_EVENT",
	[67] = "UMWAIT",
	[68] = "TPAUSE",
	[69] = "LOADIWKEY",
	[70] = "ENCLV",
	[72] = "ENQCMD_PASID_FAIL",
	[73] = "ENQCMDS_PASID_FAIL",
	[74] = "BUS_LOCK",
	[75] = "NOTIFY",
	[76] = "SEAMCALL",
	[77] = "TDCALL",
	[78] = "RDMSRLIST",
	[79] = "WRMSRLIST",
};

static const char *const hvlab_names[] = {
	[HVLAB_EXIT_UNKNOWN] = "UNKNOWN",
	[HVLAB_EXIT_IO] = "IO",
	[HVLAB_EXIT_MMIO] = "MMIO",
	[HVLAB_EXIT_HLT] = "HLT",
	[HVLAB_EXIT_SHUTDOWN] = "SHUTDOWN",
	[HVLAB_EXIT_HYPERCALL] = "HYPERCALL",
	[HVLAB_EXIT_FAIL_ENTRY] = "FAIL_ENTRY",
	[HVLAB_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
	[HVLAB_EXIT_INTR] = "INTR",
	[HVLAB_EXIT_DEBUG] = "DEBUG",
	[HVLAB_EXIT_CR3] = "CR3",
	[HVLAB_EXIT_RING_FULL] = "RING_FULL",
	[HVLAB_EXIT_IRQ_WINDOW_OPEN] = "IRQ_WINDOW_OPEN",
	[HVLAB_EXIT_EXCEPTION] = "EXCEPTION",
};

/* SDM Vol. 3 6.3.1, table 6-1 (vectors 9 and 15 are reserved). */
static const char *const exc_mnemonics[32] = {
	"DE", "DB", "NMI", "BP", "OF", "BR", "UD", "NM", "DF", "?", "TS",
	"NP", "SS", "GP", "PF", "?", "MF", "AC", "MC", "XM", "VE", "CP",
};

const char *exception_mnemonic(unsigned vector)
{
	return vector < 32 && exc_mnemonics[vector] ? exc_mnemonics[vector] : "?";
}

/* SDM Vol. 3 31.4, "VM Instruction Error Numbers". */
static const char *const vmi_errors[] = {
	[1] = "VMCALL executed in VMX root operation",
	[2] = "VMCLEAR with invalid physical address",
	[3] = "VMCLEAR with VMXON pointer",
	[4] = "VMLAUNCH with non-clear VMCS",
	[5] = "VMRESUME with non-launched VMCS",
	[6] = "VMRESUME after VMXOFF",
	[7] = "VM entry with invalid control field(s)",
	[8] = "VM entry with invalid host-state field(s)",
	[9] = "VMPTRLD with invalid physical address",
	[10] = "VMPTRLD with VMXON pointer",
	[11] = "VMPTRLD with incorrect VMCS revision identifier",
	[12] = "VMREAD/VMWRITE from/to unsupported VMCS component",
	[13] = "VMWRITE to read-only VMCS component",
	[15] = "VMXON executed in VMX root operation",
	[16] = "VM entry with invalid executive-VMCS pointer",
	[17] = "VM entry with non-launched executive VMCS",
	[18] = "VM entry with executive-VMCS pointer not VMXON pointer",
	[19] = "VMCALL with non-clear VMCS",
	[20] = "VMCALL with invalid VM-exit control fields",
	[22] = "VMCALL with incorrect MSEG revision identifier",
	[23] = "VMXOFF under dual-monitor treatment of SMIs and SMM",
	[24] = "VMCALL with invalid SMM-monitor features",
	[25] = "VM entry with invalid VM-execution control fields in executive VMCS",
	[26] = "VM entry with events blocked by MOV SS",
	[28] = "invalid operand to INVEPT/INVVPID",
};

static const char *const suberrors[] = {
	[HVLAB_INTERNAL_UNEXPECTED_EXIT] = "unexpected VM exit",
	[HVLAB_INTERNAL_EMULATION] = "instruction emulation failed",
	[HVLAB_INTERNAL_VMX_INSTRUCTION] = "VMX instruction failed",
	[HVLAB_INTERNAL_MMIO_DECODE] = "MMIO by an instruction hvlab does not emulate",
	[HVLAB_INTERNAL_DELIVERY_EV] = "access outside RAM while delivering an event",
};

static const char *lookup(const char *const *t, size_t n, uint32_t i, const char *dflt)
{
	return (i < n && t[i]) ? t[i] : dflt;
}

const char *vmx_exit_name(uint32_t basic_reason)
{
	return lookup(vmx_names, ARRAY_SIZE(vmx_names), basic_reason, "UNKNOWN");
}

int vmx_exit_from_name(const char *name)
{
	if (!name)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(vmx_names); i++)
		if (vmx_names[i] && !strcasecmp(vmx_names[i], name))
			return (int)i;
	return -1;
}

const char *hvlab_exit_name(uint32_t exit_reason)
{
	return lookup(hvlab_names, ARRAY_SIZE(hvlab_names), exit_reason, "UNKNOWN");
}

const char *vm_instruction_error_name(uint32_t error)
{
	return lookup(vmi_errors, ARRAY_SIZE(vmi_errors), error, "unknown error");
}

const char *internal_suberror_name(uint32_t suberror)
{
	return lookup(suberrors, ARRAY_SIZE(suberrors), suberror, "unknown error");
}
