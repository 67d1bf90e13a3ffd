/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svm_enter.S - enter an SVM guest and come back (AMD APM Vol. 2, 15.5).
 *
 * void hv_svm_vmrun(unsigned long *gprs, unsigned long vmcb_pa,
 *		     unsigned long host_save_pa)
 *
 * VMRUN saves only part of the host's state (in the VM_HSAVE_PA page:
 * RIP, RSP, RAX, CS/SS/DS/ES, GDTR/IDTR, CR0/CR3/CR4, EFER, RFLAGS) and
 * loads the same part of the guest's from the VMCB.  The rest is the
 * caller's to switch (APM 15.5.2, 15.6):
 *   - the general-purpose registers other than RAX and RSP: swapped here
 *     by hand, from and into gprs[] (hardware numbering, RAX and RSP
 *     unused: they live in the VMCB);
 *   - the "hidden" state of FS, GS, TR and LDTR, KERNEL_GS_BASE and the
 *     SYSCALL/SYSENTER MSRs: VMSAVE of the host's into host_save_pa, then
 *     VMLOAD of the guest's from its VMCB before VMRUN; after the exit
 *     VMSAVE of the guest's and VMLOAD of the host's.  Until that last
 *     VMLOAD the CPU runs with the guest's GS base, so nothing between
 *     VMRUN and it may touch per-CPU data: it is all in this stub.
 *
 * Called with interrupts disabled and GIF clear (CLGI), so no interrupt,
 * NMI or SMI is taken until the caller's STGI (APM 15.17); IF is set only
 * across VMRUN itself (below).  Registers are
 * cleared on the way out so guest values do not linger in the host, and
 * the return stack buffer is overwritten before the first RET, as after a
 * VMX exit (vmenter.S).
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>

#include "gprs.S"

.text
SYM_FUNC_START(hv_svm_vmrun)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	push	%rdi		/* 16(%rsp): gprs */
	push	%rdx		/*  8(%rsp): host save area */
	push	%rsi		/*  0(%rsp): VMCB */

	mov	%rdx, %rax
	vmsave	%rax		/* the host's hidden state */

	HV_LOAD_GPRS

	mov	(%rsp), %rax
	vmload	%rax		/* the guest's hidden state */
	/*
	 * RFLAGS.IF on across VMRUN, as KVM does: with V_INTR_MASKING the
	 * host's IF, as VMRUN saves it, decides whether a physical
	 * interrupt may end the guest's run (the INTR intercept, APM
	 * 15.21.1); with it clear a guest that never exits would keep the
	 * CPU.  GIF is clear, so the host takes nothing here.
	 */
	sti
	vmrun	%rax
	cli
	/* #VMEXIT: RAX, RSP and RIP are the host's again (APM 15.6) */
	vmsave	%rax

	push	%rdi
	mov	24(%rsp), %rdi
	HV_STORE_GPRS

	mov	8(%rsp), %rax
	vmload	%rax		/* the host's GS base is back from here on */

	/* before any RET: no return may speculate to a guest's RSB entry */
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT

	xor	%eax, %eax
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d
	add	$24, %rsp
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(hv_svm_vmrun)
