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
#include <string.h>
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

/*
 * AMD APM Vol. 2 Appendix C, "SVM Intercept Exit Codes".  The ranges of
 * sixteen (CR and DR reads and writes, CR write traps) and thirty-two
 * (exceptions) are spelt out by the macros.
 */
#define SVM_X16(base, pre, post) \
	[(base) + 0] = pre "0" post, [(base) + 1] = pre "1" post, \
	[(base) + 2] = pre "2" post, [(base) + 3] = pre "3" post, \
	[(base) + 4] = pre "4" post, [(base) + 5] = pre "5" post, \
	[(base) + 6] = pre "6" post, [(base) + 7] = pre "7" post, \
	[(base) + 8] = pre "8" post, [(base) + 9] = pre "9" post, \
	[(base) + 10] = pre "10" post, [(base) + 11] = pre "11" post, \
	[(base) + 12] = pre "12" post, [(base) + 13] = pre "13" post, \
	[(base) + 14] = pre "14" post, [(base) + 15] = pre "15" post

static const char *const svm_names[] = {
	SVM_X16(0x00, "VMEXIT_CR", "_READ"),
	SVM_X16(0x10, "VMEXIT_CR", "_WRITE"),
	SVM_X16(0x20, "VMEXIT_DR", "_READ"),
	SVM_X16(0x30, "VMEXIT_DR", "_WRITE"),
	SVM_X16(0x40, "VMEXIT_EXCP", ""),
	[0x50] = "VMEXIT_EXCP16", [0x51] = "VMEXIT_EXCP17", [0x52] = "VMEXIT_EXCP18", [0x53] = "VMEXIT_EXCP19",
	[0x54] = "VMEXIT_EXCP20", [0x55] = "VMEXIT_EXCP21", [0x56] = "VMEXIT_EXCP22", [0x57] = "VMEXIT_EXCP23",
	[0x58] = "VMEXIT_EXCP24", [0x59] = "VMEXIT_EXCP25", [0x5a] = "VMEXIT_EXCP26", [0x5b] = "VMEXIT_EXCP27",
	[0x5c] = "VMEXIT_EXCP28", [0x5d] = "VMEXIT_EXCP29", [0x5e] = "VMEXIT_EXCP30", [0x5f] = "VMEXIT_EXCP31",
	[0x60] = "VMEXIT_INTR",
	[0x61] = "VMEXIT_NMI",
	[0x62] = "VMEXIT_SMI",
	[0x63] = "VMEXIT_INIT",
	[0x64] = "VMEXIT_VINTR",
	[0x65] = "VMEXIT_CR0_SEL_WRITE",
	[0x66] = "VMEXIT_IDTR_READ",
	[0x67] = "VMEXIT_GDTR_READ",
	[0x68] = "VMEXIT_LDTR_READ",
	[0x69] = "VMEXIT_TR_READ",
	[0x6a] = "VMEXIT_IDTR_WRITE",
	[0x6b] = "VMEXIT_GDTR_WRITE",
	[0x6c] = "VMEXIT_LDTR_WRITE",
	[0x6d] = "VMEXIT_TR_WRITE",
	[0x6e] = "VMEXIT_RDTSC",
	[0x6f] = "VMEXIT_RDPMC",
	[0x70] = "VMEXIT_PUSHF",
	[0x71] = "VMEXIT_POPF",
	[0x72] = "VMEXIT_CPUID",
	[0x73] = "VMEXIT_RSM",
	[0x74] = "VMEXIT_IRET",
	[0x75] = "VMEXIT_SWINT",
	[0x76] = "VMEXIT_INVD",
	[0x77] = "VMEXIT_PAUSE",
	[0x78] = "VMEXIT_HLT",
	[0x79] = "VMEXIT_INVLPG",
	[0x7a] = "VMEXIT_INVLPGA",
	[0x7b] = "VMEXIT_IOIO",
	[0x7c] = "VMEXIT_MSR",
	[0x7d] = "VMEXIT_TASK_SWITCH",
	[0x7e] = "VMEXIT_FERR_FREEZE",
	[0x7f] = "VMEXIT_SHUTDOWN",
	[0x80] = "VMEXIT_VMRUN",
	[0x81] = "VMEXIT_VMMCALL",
	[0x82] = "VMEXIT_VMLOAD",
	[0x83] = "VMEXIT_VMSAVE",
	[0x84] = "VMEXIT_STGI",
	[0x85] = "VMEXIT_CLGI",
	[0x86] = "VMEXIT_SKINIT",
	[0x87] = "VMEXIT_RDTSCP",
	[0x88] = "VMEXIT_ICEBP",
	[0x89] = "VMEXIT_WBINVD",
	[0x8a] = "VMEXIT_MONITOR",
	[0x8b] = "VMEXIT_MWAIT",
	[0x8c] = "VMEXIT_MWAIT_CONDITIONAL",
	[0x8d] = "VMEXIT_XSETBV",
	[0x8e] = "VMEXIT_RDPRU",
	[0x8f] = "VMEXIT_EFER_WRITE_TRAP",
	SVM_X16(0x90, "VMEXIT_CR", "_WRITE_TRAP"),
	[0xa0] = "VMEXIT_INVLPGB",
	[0xa1] = "VMEXIT_INVLPGB_ILLEGAL",
	[0xa2] = "VMEXIT_INVPCID",
	[0xa3] = "VMEXIT_MCOMMIT",
	[0xa4] = "VMEXIT_TLBSYNC",
};

/* The codes above the table: nested paging and AVIC, and the failed VMRUN. */
#define SVM_EXIT_NPF		0x400
#define SVM_EXIT_INVALID	0xffffffffu	/* -1: VMRUN found bad state */

const char *svm_exit_name(uint32_t exitcode)
{
	switch (exitcode) {
	case SVM_EXIT_NPF:	return "VMEXIT_NPF";
	case 0x401:		return "VMEXIT_AVIC_INCOMPLETE_IPI";
	case 0x402:		return "VMEXIT_AVIC_NOACCEL";
	case 0x403:		return "VMEXIT_VMGEXIT";
	case SVM_EXIT_INVALID:	return "VMEXIT_INVALID";
	}
	return lookup(svm_names, ARRAY_SIZE(svm_names), exitcode, "VMEXIT_UNKNOWN");
}

int svm_exit_known(uint32_t exitcode)
{
	return strcmp(svm_exit_name(exitcode), "VMEXIT_UNKNOWN") != 0;
}

int svm_exit_common(uint32_t code, uint64_t exitinfo1)
{
	if (code < 0x20)			/* CR0..15 read and write */
		return HVLAB_VMX_EXIT_CR_ACCESS;
	if (code < 0x40)
		return HVLAB_VMX_EXIT_DR_ACCESS;
	if (code < 0x60)			/* exceptions */
		return HVLAB_VMX_EXIT_EXCEPTION_NMI;
	if (code >= 0x90 && code < 0xa0)	/* CR write traps */
		return HVLAB_VMX_EXIT_CR_ACCESS;
	switch (code) {
	case 0x60: return HVLAB_VMX_EXIT_EXTERNAL_INT;
	case 0x61: return HVLAB_VMX_EXIT_EXCEPTION_NMI;	/* VMX: NMI is reason 0 */
	case 0x63: return HVLAB_VMX_EXIT_INIT;
	case 0x64: return HVLAB_VMX_EXIT_INTR_WINDOW;
	case 0x65: return HVLAB_VMX_EXIT_CR_ACCESS;
	case 0x66: case 0x67: case 0x6a: case 0x6b:
		return HVLAB_VMX_EXIT_GDTR_IDTR;
	case 0x68: case 0x69: case 0x6c: case 0x6d:
		return HVLAB_VMX_EXIT_LDTR_TR;
	case 0x6e: return HVLAB_VMX_EXIT_RDTSC;
	case 0x6f: return HVLAB_VMX_EXIT_RDPMC;
	case 0x72: return HVLAB_VMX_EXIT_CPUID;
	case 0x73: return HVLAB_VMX_EXIT_RSM;
	case 0x74: return HVLAB_VMX_EXIT_NMI_WINDOW;	/* an NMI handler's IRET */
	case 0x76: return HVLAB_VMX_EXIT_INVD;
	case 0x77: return HVLAB_VMX_EXIT_PAUSE;
	case 0x78: return HVLAB_VMX_EXIT_HLT;
	case 0x79: return HVLAB_VMX_EXIT_INVLPG;
	case 0x7b: return HVLAB_VMX_EXIT_IO;
	case 0x7c: /* EXITINFO1 bit 0: 0 RDMSR, 1 WRMSR (APM 15.11) */
		return exitinfo1 & 1 ? HVLAB_VMX_EXIT_WRMSR : HVLAB_VMX_EXIT_RDMSR;
	case 0x7d: return HVLAB_VMX_EXIT_TASK_SWITCH;
	case 0x7f: return HVLAB_VMX_EXIT_TRIPLE_FAULT;
	case 0x81: return HVLAB_VMX_EXIT_VMCALL;
	case 0x87: return HVLAB_VMX_EXIT_RDTSCP;
	case 0x89: return HVLAB_VMX_EXIT_WBINVD;
	case 0x8a: return HVLAB_VMX_EXIT_MONITOR;
	case 0x8b: case 0x8c: return HVLAB_VMX_EXIT_MWAIT;
	case 0x8d: return HVLAB_VMX_EXIT_XSETBV;
	case 0xa2: return HVLAB_VMX_EXIT_INVPCID;
	case SVM_EXIT_NPF: return HVLAB_VMX_EXIT_EPT_VIOLATION;
	case SVM_EXIT_INVALID: return HVLAB_VMX_EXIT_INVALID_STATE;
	}
	return -1;
}
