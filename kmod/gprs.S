/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gprs.S - the guest's general-purpose registers in and out of the CPU,
 * for the two entry stubs (vmenter.S, svm_enter.S), which include it.
 * Macros only: Kbuild does not assemble it on its own.
 *
 * Neither a VM entry nor VMRUN loads RCX..R15 (SDM Vol. 3 27.5; APM
 * 15.5.1): the stub loads them from gprs[] (hardware numbering, SDM Vol. 2
 * table 2-2) just before entering and stores them back right after the
 * exit.  RSP is never here (the VMCS or the VMCB holds it), nor RAX,
 * which VMX has the stub swap and SVM keeps in the VMCB.
 *
 * HV_LOAD_GPRS: RDI holds &gprs[0]; the guest's RDI is loaded last.
 * HV_STORE_GPRS: RDI holds &gprs[0] and the guest's RDI is on top of the
 * stack; it is popped into its slot.
 */
#ifndef HVLAB_GPRS_S
#define HVLAB_GPRS_S

#define GPR(n)		((n) * 8)

.macro HV_LOAD_GPRS
	mov	GPR(1)(%rdi), %rcx
	mov	GPR(2)(%rdi), %rdx
	mov	GPR(3)(%rdi), %rbx
	mov	GPR(5)(%rdi), %rbp
	mov	GPR(6)(%rdi), %rsi
	mov	GPR(8)(%rdi), %r8
	mov	GPR(9)(%rdi), %r9
	mov	GPR(10)(%rdi), %r10
	mov	GPR(11)(%rdi), %r11
	mov	GPR(12)(%rdi), %r12
	mov	GPR(13)(%rdi), %r13
	mov	GPR(14)(%rdi), %r14
	mov	GPR(15)(%rdi), %r15
	mov	GPR(7)(%rdi), %rdi
.endm

.macro HV_STORE_GPRS
	mov	%rcx, GPR(1)(%rdi)
	mov	%rdx, GPR(2)(%rdi)
	mov	%rbx, GPR(3)(%rdi)
	mov	%rbp, GPR(5)(%rdi)
	mov	%rsi, GPR(6)(%rdi)
	mov	%r8, GPR(8)(%rdi)
	mov	%r9, GPR(9)(%rdi)
	mov	%r10, GPR(10)(%rdi)
	mov	%r11, GPR(11)(%rdi)
	mov	%r12, GPR(12)(%rdi)
	mov	%r13, GPR(13)(%rdi)
	mov	%r14, GPR(14)(%rdi)
	mov	%r15, GPR(15)(%rdi)
	popq	GPR(7)(%rdi)
.endm

#endif
