/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmenter.S - the VMX entry stub: enter the guest, come back.  (SVM's is
 * svm_enter.S; gprs.S holds the register swap the two share.)
 *
 * int hv_vmenter(unsigned long *gprs, int launched)
 *
 * The VMCS already holds the guest's RIP, RSP, RFLAGS, control registers
 * and segments; what the CPU does NOT switch are the general-purpose
 * registers, so this stub swaps them by hand (SDM Vol. 3 27.5: a VM exit
 * loads only RSP and RIP of the host, from HOST_RSP and HOST_RIP).
 *
 *   1. push the callee-saved host registers and the gprs pointer;
 *   2. HOST_RSP := current RSP, so the exit lands on this very frame;
 *   3. load the guest GPRs from gprs[] (hardware numbering, RSP unused)
 *      and VMLAUNCH (first entry after VMCLEAR) or VMRESUME;
 *   4. on a VM exit the CPU jumps to hv_vmexit (HOST_RIP) with the host
 *      RSP: store the guest GPRs back into gprs[], restore, return 0.
 *   If VMLAUNCH/VMRESUME fails (CF or ZF set, SDM 31.2) execution simply
 *   falls through: return 1 and let C read VM_INSTRUCTION_ERROR.
 *
 * Called with interrupts disabled.  Registers are cleared on the way out
 * so guest values do not linger in the host (speculation hygiene).
 *
 * Speculation hygiene follows the host kernel's own mitigation state, as
 * KVM's vmenter.S does on the same CPU: both steps are alternatives that
 * the kernel patches in when it loads the module, only where its bug
 * detection and command line ask for them.
 *   - VERW right before VMLAUNCH/VMRESUME clears the CPU's buffers (MDS,
 *     TAA, MMIO stale data, RFDS) so the guest cannot sample host data
 *     from them (X86_FEATURE_CLEAR_CPU_BUF_VM).  VERW changes ZF, so the
 *     launch-or-resume decision rides in CF (BT), which VERW leaves alone.
 *   - After the exit, before the first RET, the return stack buffer is
 *     overwritten with harmless entries so host returns cannot speculate
 *     to addresses the guest put there (X86_FEATURE_RSB_VMEXIT, or the
 *     one-entry form with eIBRS, X86_FEATURE_RSB_VMEXIT_LITE).
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>
#include <asm/unwind_hints.h>

#include "gprs.S"

#define VMCS_HOST_RSP	0x6c14

.text
SYM_FUNC_START(hv_vmenter)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	push	%rdi

	mov	$VMCS_HOST_RSP, %rax
	vmwrite	%rsp, %rax
	jna	.Lfail

	/* CF = launched; MOVs and VERW leave CF alone */
	bt	$0, %esi
	mov	GPR(0)(%rdi), %rax
	HV_LOAD_GPRS
	/* the last memory access before the guest runs: clear the buffers */
	VM_CLEAR_CPU_BUFFERS
	/* objtool: execution "resumes" at hv_vmexit with this stack state */
	UNWIND_HINT_SAVE
	jc	.Lresume
	vmlaunch
	jmp	.Lfail
.Lresume:
	vmresume
	jmp	.Lfail

SYM_INNER_LABEL(hv_vmexit, SYM_L_GLOBAL)
	UNWIND_HINT_RESTORE
	ENDBR
	push	%rdi
	mov	8(%rsp), %rdi
	mov	%rax, GPR(0)(%rdi)
	HV_STORE_GPRS
	/* before any RET: no return may speculate to a guest's RSB entry */
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT, \
			   X86_FEATURE_RSB_VMEXIT_LITE
	xor	%eax, %eax
	jmp	.Lout

.Lfail:
	mov	$1, %eax
.Lout:
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d
	add	$8, %rsp
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(hv_vmenter)
