/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmcs.h - VMCS field encodings and the typed accessors.
 *
 * A field's encoding (SDM Vol. 3 25.11.2, Appendix B) carries its width in
 * bits 14:13 (0 = 16-bit, 1 = 64-bit, 2 = 32-bit, 3 = natural width) and
 * its type in bits 11:10 (control, read-only data, guest, host).  The
 * accessors vmcs_read16/32/64/l and vmcs_write16/32/64/l check at compile
 * time that a field is used with the accessor of its width, as KVM's do,
 * so a 16-bit selector can never be written with a 64-bit vmwrite.
 * Every accessor acts on the current VMCS of this CPU (vcpu.c loads it).
 */
#ifndef HVLAB_VMCS_H
#define HVLAB_VMCS_H

#include <linux/build_bug.h>
#include "vmx_ops.h"

enum vmcs_field {
	/* 16-bit */
	VIRTUAL_PROCESSOR_ID		= 0x00000000,
	GUEST_ES_SELECTOR		= 0x00000800,
	GUEST_CS_SELECTOR		= 0x00000802,
	GUEST_SS_SELECTOR		= 0x00000804,
	GUEST_DS_SELECTOR		= 0x00000806,
	GUEST_FS_SELECTOR		= 0x00000808,
	GUEST_GS_SELECTOR		= 0x0000080a,
	GUEST_LDTR_SELECTOR		= 0x0000080c,
	GUEST_TR_SELECTOR		= 0x0000080e,
	HOST_ES_SELECTOR		= 0x00000c00,
	HOST_CS_SELECTOR		= 0x00000c02,
	HOST_SS_SELECTOR		= 0x00000c04,
	HOST_DS_SELECTOR		= 0x00000c06,
	HOST_FS_SELECTOR		= 0x00000c08,
	HOST_GS_SELECTOR		= 0x00000c0a,
	HOST_TR_SELECTOR		= 0x00000c0c,
	/* 64-bit */
	IO_BITMAP_A			= 0x00002000,
	IO_BITMAP_B			= 0x00002002,
	MSR_BITMAP			= 0x00002004,
	VM_EXIT_MSR_STORE_ADDR		= 0x00002006,
	VM_EXIT_MSR_LOAD_ADDR		= 0x00002008,
	VM_ENTRY_MSR_LOAD_ADDR		= 0x0000200a,
	TSC_OFFSET			= 0x00002010,
	EPT_POINTER			= 0x0000201a,
	GUEST_PHYSICAL_ADDRESS		= 0x00002400,
	VMCS_LINK_POINTER		= 0x00002800,
	GUEST_IA32_DEBUGCTL		= 0x00002802,
	GUEST_IA32_PAT			= 0x00002804,
	GUEST_IA32_EFER			= 0x00002806,
	GUEST_PDPTR0			= 0x0000280a,
	GUEST_PDPTR1			= 0x0000280c,
	GUEST_PDPTR2			= 0x0000280e,
	GUEST_PDPTR3			= 0x00002810,
	HOST_IA32_PAT			= 0x00002c00,
	HOST_IA32_EFER			= 0x00002c02,
	/* 32-bit */
	PIN_BASED_VM_EXEC_CONTROL	= 0x00004000,
	CPU_BASED_VM_EXEC_CONTROL	= 0x00004002,
	EXCEPTION_BITMAP		= 0x00004004,
	PAGE_FAULT_ERROR_CODE_MASK	= 0x00004006,
	PAGE_FAULT_ERROR_CODE_MATCH	= 0x00004008,
	CR3_TARGET_COUNT		= 0x0000400a,
	VM_EXIT_CONTROLS		= 0x0000400c,
	VM_EXIT_MSR_STORE_COUNT		= 0x0000400e,
	VM_EXIT_MSR_LOAD_COUNT		= 0x00004010,
	VM_ENTRY_CONTROLS		= 0x00004012,
	VM_ENTRY_MSR_LOAD_COUNT		= 0x00004014,
	VM_ENTRY_INTR_INFO_FIELD	= 0x00004016,
	VM_ENTRY_EXCEPTION_ERROR_CODE	= 0x00004018,
	VM_ENTRY_INSTRUCTION_LEN	= 0x0000401a,
	TPR_THRESHOLD			= 0x0000401c,
	SECONDARY_VM_EXEC_CONTROL	= 0x0000401e,
	VM_INSTRUCTION_ERROR		= 0x00004400,
	VM_EXIT_REASON			= 0x00004402,
	VM_EXIT_INTR_INFO		= 0x00004404,
	VM_EXIT_INTR_ERROR_CODE		= 0x00004406,
	IDT_VECTORING_INFO_FIELD	= 0x00004408,
	IDT_VECTORING_ERROR_CODE	= 0x0000440a,
	VM_EXIT_INSTRUCTION_LEN		= 0x0000440c,
	VMX_INSTRUCTION_INFO		= 0x0000440e,
	GUEST_ES_LIMIT			= 0x00004800,
	GUEST_CS_LIMIT			= 0x00004802,
	GUEST_SS_LIMIT			= 0x00004804,
	GUEST_DS_LIMIT			= 0x00004806,
	GUEST_FS_LIMIT			= 0x00004808,
	GUEST_GS_LIMIT			= 0x0000480a,
	GUEST_LDTR_LIMIT		= 0x0000480c,
	GUEST_TR_LIMIT			= 0x0000480e,
	GUEST_GDTR_LIMIT		= 0x00004810,
	GUEST_IDTR_LIMIT		= 0x00004812,
	GUEST_ES_AR_BYTES		= 0x00004814,
	GUEST_CS_AR_BYTES		= 0x00004816,
	GUEST_SS_AR_BYTES		= 0x00004818,
	GUEST_DS_AR_BYTES		= 0x0000481a,
	GUEST_FS_AR_BYTES		= 0x0000481c,
	GUEST_GS_AR_BYTES		= 0x0000481e,
	GUEST_LDTR_AR_BYTES		= 0x00004820,
	GUEST_TR_AR_BYTES		= 0x00004822,
	GUEST_INTERRUPTIBILITY_INFO	= 0x00004824,
	GUEST_ACTIVITY_STATE		= 0x00004826,
	GUEST_SYSENTER_CS		= 0x0000482a,
	VMX_PREEMPTION_TIMER_VALUE	= 0x0000482e,
	HOST_IA32_SYSENTER_CS		= 0x00004c00,
	/* natural width */
	CR0_GUEST_HOST_MASK		= 0x00006000,
	CR4_GUEST_HOST_MASK		= 0x00006002,
	CR0_READ_SHADOW			= 0x00006004,
	CR4_READ_SHADOW			= 0x00006006,
	EXIT_QUALIFICATION		= 0x00006400,
	GUEST_LINEAR_ADDRESS		= 0x0000640a,
	GUEST_CR0			= 0x00006800,
	GUEST_CR3			= 0x00006802,
	GUEST_CR4			= 0x00006804,
	GUEST_ES_BASE			= 0x00006806,
	GUEST_CS_BASE			= 0x00006808,
	GUEST_SS_BASE			= 0x0000680a,
	GUEST_DS_BASE			= 0x0000680c,
	GUEST_FS_BASE			= 0x0000680e,
	GUEST_GS_BASE			= 0x00006810,
	GUEST_LDTR_BASE			= 0x00006812,
	GUEST_TR_BASE			= 0x00006814,
	GUEST_GDTR_BASE			= 0x00006816,
	GUEST_IDTR_BASE			= 0x00006818,
	GUEST_DR7			= 0x0000681a,
	GUEST_RSP			= 0x0000681c,
	GUEST_RIP			= 0x0000681e,
	GUEST_RFLAGS			= 0x00006820,
	GUEST_PENDING_DBG_EXCEPTIONS	= 0x00006822,
	GUEST_SYSENTER_ESP		= 0x00006824,
	GUEST_SYSENTER_EIP		= 0x00006826,
	HOST_CR0			= 0x00006c00,
	HOST_CR3			= 0x00006c02,
	HOST_CR4			= 0x00006c04,
	HOST_FS_BASE			= 0x00006c06,
	HOST_GS_BASE			= 0x00006c08,
	HOST_TR_BASE			= 0x00006c0a,
	HOST_GDTR_BASE			= 0x00006c0c,
	HOST_IDTR_BASE			= 0x00006c0e,
	HOST_IA32_SYSENTER_ESP		= 0x00006c10,
	HOST_IA32_SYSENTER_EIP		= 0x00006c12,
	HOST_RSP			= 0x00006c14,
	HOST_RIP			= 0x00006c16,
};

/* Width of a field, from its encoding (SDM 25.11.2, table 25-21). */
#define VMCS_WIDTH(f)		(((f) >> 13) & 3)
#define VMCS_W16		0
#define VMCS_W64		1
#define VMCS_W32		2
#define VMCS_WNAT		3

#define vmcs_check(f, w) \
	BUILD_BUG_ON_MSG(__builtin_constant_p(f) && VMCS_WIDTH(f) != (w), \
			 "VMCS field used with the accessor of another width")

#define vmcs_read16(f)	({ vmcs_check(f, VMCS_W16); (u16)__hv_vmread(f); })
#define vmcs_read32(f)	({ vmcs_check(f, VMCS_W32); (u32)__hv_vmread(f); })
#define vmcs_read64(f)	({ vmcs_check(f, VMCS_W64); (u64)__hv_vmread(f); })
#define vmcs_readl(f)	({ vmcs_check(f, VMCS_WNAT); __hv_vmread(f); })

#define vmcs_write16(f, v) \
	({ vmcs_check(f, VMCS_W16); __hv_vmwrite(f, (u16)(v)); })
#define vmcs_write32(f, v) \
	({ vmcs_check(f, VMCS_W32); __hv_vmwrite(f, (u32)(v)); })
#define vmcs_write64(f, v) \
	({ vmcs_check(f, VMCS_W64); __hv_vmwrite(f, (u64)(v)); })
#define vmcs_writel(f, v) \
	({ vmcs_check(f, VMCS_WNAT); __hv_vmwrite(f, (unsigned long)(v)); })

/* VM-entry interruption-information field (SDM 25.8.3) */
#define INTR_INFO_VALID			(1u << 31)
#define INTR_INFO_DELIVER_CODE		(1u << 11)
#define INTR_TYPE_EXT_INTR		(0u << 8)
#define INTR_TYPE_NMI			(2u << 8)
#define INTR_TYPE_HARD_EXCEPTION	(3u << 8)
#define INTR_TYPE_SOFT_INTR		(4u << 8)
#define INTR_TYPE_SOFT_EXCEPTION	(6u << 8)	/* INT3, INTO */

/* Guest interruptibility state (SDM 25.4.2, table 25-3) */
#define GUEST_INTR_STI			(1u << 0)
#define GUEST_INTR_MOV_SS		(1u << 1)
#define GUEST_INTR_NMI			(1u << 3)	/* blocking by NMI */
/* exit interruption info / qualification: IRET unblocked NMIs (SDM 27.2.3) */
#define HV_NMI_UNBLOCKED_BY_IRET	(1u << 12)

/* Exit reason bit 31: VM-entry failure (SDM 27.8) */
#define EXIT_REASON_ENTRY_FAIL		(1u << 31)

#endif
