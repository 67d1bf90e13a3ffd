/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmx_ops.h - the VMX instructions, one small inline wrapper each.
 *
 * Every VMX instruction reports failure through RFLAGS (SDM Vol. 3 31.2):
 * CF=1 is "VMfailInvalid" (no current VMCS / bad operand), ZF=1 is
 * "VMfailValid" (the error number is then in the VM-instruction error
 * field).  The wrappers turn both into -EIO, and a #UD/#GP (VMX not on,
 * CR4.VMXE clear) caught by the exception table into -EFAULT, so a caller
 * never has to look at flags.  Nothing here keeps state.
 */
#ifndef HVLAB_VMX_OPS_H
#define HVLAB_VMX_OPS_H

#include <linux/types.h>
#include <linux/errno.h>
#include <asm/asm.h>

/* An exception-table entry: a fault at local label 1 jumps to `to`. */
#define HV_EXTABLE(to)	_ASM_EXTABLE(1b, to)

/* VMXON with the physical address of a 4 KiB VMXON region (SDM 31.5). */
static inline int hv_vmxon(u64 pa)
{
	asm goto("1: vmxon %[pa]\n\t"
		 "jna %l[fail]\n\t"
		 HV_EXTABLE(%l[fault])
		 : : [pa] "m" (pa) : "cc", "memory" : fail, fault);
	return 0;
fail:
	return -EIO;
fault:
	return -EFAULT;
}

/* VMXOFF; a fault means we were not in VMX operation (SDM 31.6). */
static inline int hv_vmxoff(void)
{
	asm goto("1: vmxoff\n\t"
		 HV_EXTABLE(%l[fault])
		 : : : "cc", "memory" : fault);
	return 0;
fault:
	return -EFAULT;
}

static inline int hv_vmclear(u64 pa)
{
	asm goto("1: vmclear %[pa]\n\t"
		 "jna %l[fail]\n\t"
		 HV_EXTABLE(%l[fail])
		 : : [pa] "m" (pa) : "cc", "memory" : fail);
	return 0;
fail:
	return -EIO;
}

static inline int hv_vmptrld(u64 pa)
{
	asm goto("1: vmptrld %[pa]\n\t"
		 "jna %l[fail]\n\t"
		 HV_EXTABLE(%l[fail])
		 : : [pa] "m" (pa) : "cc", "memory" : fail);
	return 0;
fail:
	return -EIO;
}

/*
 * VMREAD/VMWRITE of the current VMCS.  A failure here is a bug in hvlab
 * (wrong field, no current VMCS); the value read is then 0 and the caller
 * sees it in the error count rather than in an oops.
 */
static __always_inline unsigned long __hv_vmread(unsigned long field)
{
	unsigned long value;

	asm volatile("1: vmread %[field], %[value]\n\t"
		     "ja 2f\n\t"
		     "xor %k[value], %k[value]\n\t"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : [value] "=&r" (value)
		     : [field] "r" (field)
		     : "cc");
	return value;
}

static __always_inline int __hv_vmwrite(unsigned long field,
					unsigned long value)
{
	asm goto("1: vmwrite %[value], %[field]\n\t"
		 "jna %l[fail]\n\t"
		 HV_EXTABLE(%l[fail])
		 : : [field] "r" (field), [value] "rm" (value)
		 : "cc" : fail);
	return 0;
fail:
	return -EIO;
}

/* INVEPT / INVVPID descriptors and types (SDM 31.3, "INVEPT", "INVVPID"). */
#define HV_INVEPT_SINGLE	1
#define HV_INVEPT_GLOBAL	2
#define HV_INVVPID_ADDR		0
#define HV_INVVPID_SINGLE	1
#define HV_INVVPID_ALL		2

static inline int hv_invept(unsigned long type, u64 eptp)
{
	struct { u64 eptp, rsvd; } desc = { eptp, 0 };

	asm goto("1: invept %[desc], %[type]\n\t"
		 "jna %l[fail]\n\t"
		 HV_EXTABLE(%l[fail])
		 : : [desc] "m" (desc), [type] "r" (type)
		 : "cc", "memory" : fail);
	return 0;
fail:
	return -EIO;
}

static inline int hv_invvpid(unsigned long type, u16 vpid, u64 gva)
{
	struct { u64 vpid, gva; } desc = { vpid, gva };

	asm goto("1: invvpid %[desc], %[type]\n\t"
		 "jna %l[fail]\n\t"
		 HV_EXTABLE(%l[fail])
		 : : [desc] "m" (desc), [type] "r" (type)
		 : "cc", "memory" : fail);
	return 0;
fail:
	return -EIO;
}

#endif
