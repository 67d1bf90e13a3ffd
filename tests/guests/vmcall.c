// SPDX-License-Identifier: GPL-2.0
/*
 * vmcall - proves the hypercall ABI (docs/hypercalls.md): VMCALL with
 * RAX = number, RBX, RCX, RDX, RSI = arguments, result in RAX.
 *  - HVLAB_HC_NOP (0) is answered inside the module: RAX comes back 0;
 *  - HVLAB_HC_USER_BASE + 1 (0x101) is not the module's: it exits to
 *    userspace as a hypercall exit with the four arguments (1, 2, 3, 4);
 *    whatever `hvlab run` answers, the guest resumes after the VMCALL.
 * Both must return without an exception (#UD would mean VMCALL was not
 * handled).  Under QEMU (`qemu`), which has no hypervisor behind VMCALL,
 * the guest only checks that VMCALL raises #UD there.
 */
#include <uapi/hvlab.h>

#include "guest.h"

void guest_main(void)
{
	unsigned long ret = 0xdead;
	int vec;

	vec = vmcall_safe(HVLAB_HC_NOP, 0, 0, 0, 0, &ret);
	GUEST_PRINTF("vmcall nop: vector %d, rax 0x%lx", vec, ret);
	if (guest_on_qemu) {
		GUEST_ASSERT_EQ(vec, X86_UD);
		GUEST_DONE();
	}
	GUEST_ASSERT_EQ(vec, 0);
	GUEST_ASSERT_EQ(ret, 0);

	vec = vmcall_safe(HVLAB_HC_USER_BASE + 1, 1, 2, 3, 4, &ret);
	GUEST_PRINTF("vmcall 0x%x: vector %d, rax 0x%lx", HVLAB_HC_USER_BASE + 1, vec, ret);
	GUEST_ASSERT_EQ(vec, 0);
	GUEST_DONE();
}
