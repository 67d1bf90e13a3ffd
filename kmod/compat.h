/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat.h - the kernel API differences hvlab meets between the kernels it
 * supports (Debian's 6.1 and 6.12 LTS, and anything in between).
 *
 * The rule: the code is written against the newer API, and this header
 * supplies it on older kernels.  Kbuild tells which API the headers have
 * (HVLAB_HAVE_* from a look at the headers, not from the version number,
 * since distributions backport).  Each shim says which release changed the
 * API, so a shim can go once the oldest supported kernel has it.
 */
#ifndef HVLAB_COMPAT_H
#define HVLAB_COMPAT_H

#include <linux/mm.h>
#include <linux/syscore_ops.h>
#include <linux/user-return-notifier.h>

/* 6.12 moved the unaligned-access helpers from <asm/> to <linux/>. */
#ifdef HVLAB_HAVE_LINUX_UNALIGNED_H
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/* 6.3 made vma->vm_flags read-only: changes go through vm_flags_*(). */
#ifndef HVLAB_HAVE_VM_FLAGS_SET
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}

static inline void vm_flags_clear(struct vm_area_struct *vma,
				  vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}
#endif

/*
 * User-return notifiers (msr.c) exist where CONFIG_USER_RETURN_NOTIFIER is
 * set (CONFIG_KVM selects it: Debian's 6.1 and 6.12 have it).  Without
 * them the SYSCALL MSRs are switched for each stay in the run loop.
 */
#if IS_ENABLED(CONFIG_USER_RETURN_NOTIFIER)
#define HVLAB_LAZY_USER_MSRS	1
#else
#define HVLAB_LAZY_USER_MSRS	0
static inline void
user_return_notifier_register(struct user_return_notifier *urn)
{
}

static inline void
user_return_notifier_unregister(struct user_return_notifier *urn)
{
}
#endif

/*
 * Suspend/resume hooks (vmx.c): newer kernels, Debian's 6.12.y among them,
 * register a struct syscore whose ops take a data pointer
 * (register_syscore); older ones a struct syscore_ops whose ops take
 * nothing (register_syscore_ops).  hvlab's hooks are declared with
 * HV_SYSCORE_ARGS and registered through struct hv_syscore.
 */
#ifdef HVLAB_HAVE_REGISTER_SYSCORE
#define HV_SYSCORE_ARGS	void *data
struct hv_syscore {
	struct syscore sc;
	struct syscore_ops ops;
};

static inline void hv_register_syscore(struct hv_syscore *s)
{
	s->sc.ops = &s->ops;
	register_syscore(&s->sc);
}

static inline void hv_unregister_syscore(struct hv_syscore *s)
{
	unregister_syscore(&s->sc);
}
#else
#define HV_SYSCORE_ARGS	void
struct hv_syscore {
	struct syscore_ops ops;
};

static inline void hv_register_syscore(struct hv_syscore *s)
{
	register_syscore_ops(&s->ops);
}

static inline void hv_unregister_syscore(struct hv_syscore *s)
{
	unregister_syscore_ops(&s->ops);
}
#endif

#endif
