/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svm.h - AMD SVM: the VMCB layout, intercept bits and exit codes.
 *
 * Everything here is from the AMD64 Architecture Programmer's Manual,
 * Vol. 2, chapter 15 and appendix B (the VMCB layout) and C (the
 * EXITCODEs).  The VMCB is one 4 KiB page: the control area at offset 0
 * (intercepts, ASID, the exit code and its information), the save area
 * at 0x400 (the guest's registers).  Unlike a VMCS it is ordinary memory
 * the host reads and writes directly; the "clean bits" say what the CPU
 * may keep cached, and hvlab sets none of them.
 */
#ifndef HVLAB_SVM_H
#define HVLAB_SVM_H

#include <linux/types.h>

#define MSR_VM_CR_HV		0xc0010114	/* bit 4: SVMDIS */
#define MSR_VM_HSAVE_PA_HV	0xc0010117
#define VM_CR_SVMDIS		(1u << 4)

/* CPUID 0x8000000A:EDX, the SVM features (APM Vol. 3, appendix E.4.9) */
#define SVM_FEAT_NPT		(1u << 0)
#define SVM_FEAT_NRIP		(1u << 3)
#define SVM_FEAT_FLUSH_ASID	(1u << 6)
#define SVM_FEAT_DECODE		(1u << 7)
#define SVM_FEAT_PAUSE_FILTER	(1u << 10)

/* intercept word 3 (VMCB offset 0x0c) */
#define SVM_I3_INTR		(1u << 0)
#define SVM_I3_NMI		(1u << 1)
#define SVM_I3_SMI		(1u << 2)
#define SVM_I3_INIT		(1u << 3)
#define SVM_I3_VINTR		(1u << 4)
#define SVM_I3_CPUID		(1u << 18)
#define SVM_I3_IRET		(1u << 20)
#define SVM_I3_INVD		(1u << 22)
#define SVM_I3_PAUSE		(1u << 23)
#define SVM_I3_HLT		(1u << 24)
#define SVM_I3_INVLPG		(1u << 25)
#define SVM_I3_INVLPGA		(1u << 26)
#define SVM_I3_IOIO		(1u << 27)
#define SVM_I3_MSR		(1u << 28)
#define SVM_I3_TASK_SWITCH	(1u << 29)
#define SVM_I3_SHUTDOWN		(1u << 31)
/* intercept word 4 (offset 0x10): every SVM instruction is the host's */
#define SVM_I4_VMRUN		(1u << 0)
#define SVM_I4_VMMCALL		(1u << 1)
#define SVM_I4_VMLOAD		(1u << 2)
#define SVM_I4_VMSAVE		(1u << 3)
#define SVM_I4_STGI		(1u << 4)
#define SVM_I4_CLGI		(1u << 5)
#define SVM_I4_SKINIT		(1u << 6)
#define SVM_I4_RDTSCP		(1u << 7)
#define SVM_I4_WBINVD		(1u << 9)
#define SVM_I4_MONITOR		(1u << 10)
#define SVM_I4_MWAIT		(1u << 11)
#define SVM_I4_XSETBV		(1u << 13)

/* EXITCODEs (APM Vol. 2, appendix C) */
#define SVM_EXIT_READ_CR0	0x000	/* + n: MOV from CRn (SMSW: CR0) */
#define SVM_EXIT_WRITE_CR0	0x010	/* + n: MOV to CRn (CLTS, LMSW: CR0) */
#define SVM_EXIT_READ_DR0	0x020	/* + n: MOV from DRn */
#define SVM_EXIT_WRITE_DR0	0x030	/* + n: MOV to DRn */
#define SVM_EXIT_EXCP_BASE	0x040
#define SVM_EXIT_INTR		0x060
#define SVM_EXIT_NMI		0x061
#define SVM_EXIT_SMI		0x062
#define SVM_EXIT_INIT		0x063
#define SVM_EXIT_VINTR		0x064
#define SVM_EXIT_CPUID		0x072
#define SVM_EXIT_IRET		0x074
#define SVM_EXIT_INVD		0x076
#define SVM_EXIT_PAUSE		0x077
#define SVM_EXIT_HLT		0x078
#define SVM_EXIT_INVLPG		0x079
#define SVM_EXIT_IOIO		0x07b
#define SVM_EXIT_MSR		0x07c
#define SVM_EXIT_SHUTDOWN	0x07f
#define SVM_EXIT_VMRUN		0x080
#define SVM_EXIT_VMMCALL	0x081
#define SVM_EXIT_RDTSCP		0x087
#define SVM_EXIT_WBINVD		0x089
#define SVM_EXIT_MONITOR	0x08a
#define SVM_EXIT_MWAIT		0x08b
#define SVM_EXIT_XSETBV		0x08d
#define SVM_EXIT_NPF		0x400
#define SVM_EXIT_INVALID	((u64)-1)

/* CR intercepts: reads in bits 15:0, writes in 31:16 (APM 15.9) */
#define SVM_CR_READ(n)		(1u << (n))
#define SVM_CR_WRITE(n)		(1u << (16 + (n)))
/* a MOV CR's EXITINFO1 with decode assists: bit 63, GPR in 3:0 (15.33.1) */
#define SVM_CR_INFO_MOV		(1ull << 63)

/* IOIO's EXITINFO1 (APM 15.10.2): pure_svm_io.h */

/* EVENTINJ and EXITINTINFO (APM 15.20) */
#define SVM_EVT_VALID		(1u << 31)
#define SVM_EVT_ERR		(1u << 11)
#define SVM_EVT_INTR		(0u << 8)
#define SVM_EVT_NMI		(2u << 8)
#define SVM_EVT_EXC		(3u << 8)

/* V_INTR (offset 0x60) */
#define SVM_VINTR_IRQ		(1ull << 8)
#define SVM_VINTR_IGN_TPR	(1ull << 20)
#define SVM_VINTR_MASKING	(1ull << 24)

struct vmcb_seg {
	u16 selector;
	u16 attrib;	/* type, S, DPL, P, then AVL, L, D/B, G: APM 15.5.1 */
	u32 limit;
	u64 base;
} __packed;

struct vmcb_control {
	u32 intercept_cr;		/* 0x000: reads 15:0, writes 31:16 */
	u32 intercept_dr;		/* 0x004 */
	u32 intercept_exc;		/* 0x008 */
	u32 intercept3;			/* 0x00c */
	u32 intercept4;			/* 0x010 */
	u32 intercept5;			/* 0x014 */
	u8 reserved1[0x3c - 0x18];
	u16 pause_threshold;		/* 0x03c */
	u16 pause_count;		/* 0x03e */
	u64 iopm_base_pa;		/* 0x040 */
	u64 msrpm_base_pa;		/* 0x048 */
	u64 tsc_offset;			/* 0x050 */
	u32 asid;			/* 0x058 */
	u8 tlb_control;			/* 0x05c */
	u8 reserved2[3];
	u64 v_intr;			/* 0x060 */
	u64 int_state;			/* 0x068: bit 0 interrupt shadow */
	u64 exit_code;			/* 0x070 */
	u64 exit_info1;			/* 0x078 */
	u64 exit_info2;			/* 0x080 */
	u64 exit_int_info;		/* 0x088 */
	u64 np_enable;			/* 0x090 */
	u8 reserved3[0xa8 - 0x98];
	u64 event_inj;			/* 0x0a8 */
	u64 n_cr3;			/* 0x0b0 */
	u64 lbr_virt;			/* 0x0b8 */
	u32 clean;			/* 0x0c0 */
	u32 reserved4;
	u64 next_rip;			/* 0x0c8 */
	u8 insn_len;			/* 0x0d0 */
	u8 insn_bytes[15];		/* 0x0d1 */
	u8 reserved5[0x400 - 0xe0];
} __packed;

struct vmcb_save {
	struct vmcb_seg es, cs, ss, ds, fs, gs;	/* 0x400 .. 0x45f */
	struct vmcb_seg gdtr, ldtr, idtr, tr;	/* 0x460 .. 0x49f */
	u8 reserved1[0x4cb - 0x4a0];
	u8 cpl;				/* 0x4cb */
	u32 reserved2;
	u64 efer;			/* 0x4d0 */
	u8 reserved3[0x548 - 0x4d8];
	u64 cr4;			/* 0x548 */
	u64 cr3;			/* 0x550 */
	u64 cr0;			/* 0x558 */
	u64 dr7;			/* 0x560 */
	u64 dr6;			/* 0x568 */
	u64 rflags;			/* 0x570 */
	u64 rip;			/* 0x578 */
	u8 reserved4[0x5d8 - 0x580];
	u64 rsp;			/* 0x5d8 */
	u8 reserved5[0x5f8 - 0x5e0];
	u64 rax;			/* 0x5f8 */
	u64 star, lstar, cstar, sfmask;	/* 0x600 */
	u64 kernel_gs_base;		/* 0x620 */
	u64 sysenter_cs, sysenter_esp, sysenter_eip;	/* 0x628 */
	u64 cr2;			/* 0x640 */
	u8 reserved6[0x668 - 0x648];
	u64 g_pat;			/* 0x668 */
	u64 dbgctl;			/* 0x670 */
} __packed;

struct vmcb {
	struct vmcb_control c;
	struct vmcb_save s;
} __packed;

/* svm_enter.S: VMLOAD, VMRUN, VMSAVE of the guest; GPRs in and out */
void hv_svm_vmrun(unsigned long *gprs, unsigned long vmcb_pa,
		  unsigned long host_save_pa);

#endif
