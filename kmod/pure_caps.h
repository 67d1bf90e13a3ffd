/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pure_caps.h - bit positions of the VMX capability and control MSRs that
 * hvlab decodes or sets (SDM Vol. 3 Appendix A and chapter 25).  Shared by
 * pure_caps.c and the VMCS set-up; plain constants, no kernel API.
 */
#ifndef HVLAB_PURE_CAPS_H
#define HVLAB_PURE_CAPS_H

#include <uapi/hvlab.h>

#define CPUID1_ECX_VMX			(1u << 5)

#define MSR_FEATURE_CONTROL		0x0000003a
#define MSR_VMX_BASIC			0x00000480
#define MSR_VMX_PINBASED		0x00000481
#define MSR_VMX_PROCBASED		0x00000482
#define MSR_VMX_EXIT			0x00000483
#define MSR_VMX_ENTRY			0x00000484
#define MSR_VMX_MISC			0x00000485
#define MSR_VMX_CR0_FIXED0		0x00000486
#define MSR_VMX_CR0_FIXED1		0x00000487
#define MSR_VMX_CR4_FIXED0		0x00000488
#define MSR_VMX_CR4_FIXED1		0x00000489
#define MSR_VMX_VMCS_ENUM		0x0000048a
#define MSR_VMX_PROCBASED2		0x0000048b
#define MSR_VMX_EPT_VPID_CAP		0x0000048c
#define MSR_VMX_TRUE_PINBASED		0x0000048d
#define MSR_VMX_TRUE_PROCBASED		0x0000048e
#define MSR_VMX_TRUE_EXIT		0x0000048f
#define MSR_VMX_TRUE_ENTRY		0x00000490
#define MSR_VMX_VMFUNC			0x00000491

#define HV_FEAT_CTL_LOCKED			(1ull << 0)
#define HV_FEAT_CTL_VMX_OUTSIDE_SMX	(1ull << 2)

#define HV_VMX_BASIC_32BIT_ADDR		(1ull << 48)
#define HV_VMX_BASIC_INOUT			(1ull << 54)
#define HV_VMX_BASIC_TRUE_CTLS		(1ull << 55)
#define MEMTYPE_WB			6

/* Pin-based VM-execution controls (SDM 25.6.1) */
#define PIN_EXT_INTR_EXITING		(1u << 0)
#define PIN_NMI_EXITING			(1u << 3)
#define PIN_VIRTUAL_NMIS		(1u << 5)
#define PIN_PREEMPTION_TIMER		(1u << 6)
#define PIN_POSTED_INTR			(1u << 7)

/* Primary processor-based controls (SDM 25.6.2, table 25-6) */
#define PROC_INTR_WINDOW_EXITING	(1u << 2)
#define PROC_TSC_OFFSETTING		(1u << 3)
#define PROC_HLT_EXITING		(1u << 7)
#define PROC_INVLPG_EXITING		(1u << 9)
#define PROC_MWAIT_EXITING		(1u << 10)
#define PROC_RDPMC_EXITING		(1u << 11)
#define PROC_RDTSC_EXITING		(1u << 12)
#define PROC_CR3_LOAD_EXITING		(1u << 15)
#define PROC_CR3_STORE_EXITING		(1u << 16)
#define PROC_CR8_LOAD_EXITING		(1u << 19)
#define PROC_CR8_STORE_EXITING		(1u << 20)
#define PROC_TPR_SHADOW			(1u << 21)
#define PROC_NMI_WINDOW_EXITING		(1u << 22)
#define PROC_MOV_DR_EXITING		(1u << 23)
#define PROC_UNCOND_IO_EXITING		(1u << 24)
#define PROC_USE_IO_BITMAPS		(1u << 25)
#define PROC_MTF			(1u << 27)
#define PROC_USE_MSR_BITMAPS		(1u << 28)
#define PROC_MONITOR_EXITING		(1u << 29)
#define PROC_PAUSE_EXITING		(1u << 30)
#define PROC_SECONDARY			(1u << 31)

/* Secondary processor-based controls (SDM 25.6.2, table 25-7) */
#define PROC2_VIRT_APIC_ACCESS		(1u << 0)
#define PROC2_EPT			(1u << 1)
#define PROC2_DESC_TABLE_EXITING	(1u << 2)
#define PROC2_RDTSCP			(1u << 3)
#define PROC2_VPID			(1u << 5)
#define PROC2_WBINVD_EXITING		(1u << 6)
#define PROC2_UNRESTRICTED		(1u << 7)
#define PROC2_INVPCID			(1u << 12)
#define PROC2_VMFUNC			(1u << 13)
#define PROC2_SHADOW_VMCS		(1u << 14)
#define PROC2_XSAVES			(1u << 20)

/* VM-exit controls (SDM 25.7.1) */
#define EXIT_SAVE_DEBUG_CTLS		(1u << 2)
#define EXIT_HOST_ADDR_SPACE_SIZE	(1u << 9)
#define EXIT_ACK_INTR_ON_EXIT		(1u << 15)
#define EXIT_SAVE_PAT			(1u << 18)
#define EXIT_LOAD_PAT			(1u << 19)
#define EXIT_SAVE_EFER			(1u << 20)
#define EXIT_LOAD_EFER			(1u << 21)
#define EXIT_SAVE_PREEMPTION_TIMER	(1u << 22)

/* VM-entry controls (SDM 25.8.1) */
#define ENTRY_LOAD_DEBUG_CTLS		(1u << 2)
#define ENTRY_IA32E_MODE		(1u << 9)
#define ENTRY_LOAD_PAT			(1u << 14)
#define ENTRY_LOAD_EFER			(1u << 15)

/* IA32_VMX_EPT_VPID_CAP (SDM A.10) */
#define EPT_CAP_EXEC_ONLY		(1ull << 0)
#define EPT_CAP_WALK4			(1ull << 6)
#define EPT_CAP_WALK5			(1ull << 7)
#define EPT_CAP_UC			(1ull << 8)
#define EPT_CAP_WB			(1ull << 14)
#define EPT_CAP_2M			(1ull << 16)
#define EPT_CAP_1G			(1ull << 17)
#define EPT_CAP_INVEPT			(1ull << 20)
#define EPT_CAP_AD			(1ull << 21)
#define EPT_CAP_INVEPT_SINGLE		(1ull << 25)
#define EPT_CAP_INVEPT_ALL		(1ull << 26)
#define VPID_CAP_INVVPID		(1ull << 32)
#define VPID_CAP_INVVPID_SINGLE		(1ull << 41)
#define VPID_CAP_INVVPID_ALL		(1ull << 42)

/* What hvlab cannot run without: EPT (4-level, WB) for unrestricted guest */
#define HVLAB_REQUIRED_FEATURES (HVLAB_CAP_SECONDARY_CONTROLS | \
				 HVLAB_CAP_EPT | HVLAB_CAP_EPT_4LEVEL | \
				 HVLAB_CAP_EPT_WB | \
				 HVLAB_CAP_UNRESTRICTED_GUEST | \
				 HVLAB_CAP_IO_BITMAPS | HVLAB_CAP_MSR_BITMAPS | \
				 HVLAB_CAP_LOAD_EFER)

void hvlab_caps_decode(struct hvlab_caps *caps, __u32 cpuid1_ecx);

#endif
