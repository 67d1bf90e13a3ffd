/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pure_walk.h - the guest page-table walker: GVA -> GPA the way an x86 CPU
 * does it (SDM Vol. 3 chapter 4), as pure logic.
 *
 * "Pure" means: no kernel API and no libc.  Every memory access goes through
 * struct hvlab_pmem callbacks, so the same code walks a real guest's tables
 * in the module (the callbacks map GPA -> HPA through the memory slots) and a
 * byte array standing for guest memory in the native unit tests
 * (tests/unit/test_walk.c).  pure_ept.c and pure_shadow.c build on it.
 */
#ifndef HVLAB_PURE_WALK_H
#define HVLAB_PURE_WALK_H

#include <linux/types.h>
#include <uapi/hvlab.h>

/* linux/types.h gives NULL in the kernel but not in userspace */
#ifndef NULL
#define NULL ((void *)0)
#endif

/*
 * Physical memory as a walker sees it (guest-physical for the guest walker,
 * host-physical for the EPT and shadow walkers).  Sizes are 4 or 8 bytes,
 * little endian, naturally aligned.  Each callback returns 0 on success and
 * -1 if the address is not backed by memory; they must never touch anything
 * outside the memory they stand for, whatever address they are given.
 */
struct hvlab_pmem {
	void *opaque;
	int (*read)(void *opaque, __u64 pa, unsigned int size, __u64 *val);
	/*
	 * Compare-exchange: store nval only if the value at pa is still old.
	 * 0 = stored, 1 = the value had changed (nothing stored), -1 = error.
	 * May be NULL: then no accessed/dirty bit is ever written.
	 */
	int (*cmpxchg)(void *opaque, __u64 pa, unsigned int size, __u64 old,
		       __u64 nval);
	/* Plain store, used only by the table builders; may be NULL. */
	int (*write)(void *opaque, __u64 pa, unsigned int size, __u64 val);
	/* Hands out a zeroed 4 KiB table; builders only; may be NULL. */
	int (*alloc_table)(void *opaque, __u64 *pa);
	/* Takes back a table alloc_table gave; may be NULL (nothing freed). */
	void (*free_table)(void *opaque, __u64 pa);
};

/* Control-register bits the walker looks at (SDM Vol. 3 2.5, 2.2.1). */
#define HVLAB_CR0_WP		(1ULL << 16)
#define HVLAB_CR0_PG		(1ULL << 31)
#define HVLAB_CR4_PSE		(1ULL << 4)
#define HVLAB_CR4_PAE		(1ULL << 5)
#define HVLAB_CR4_LA57		(1ULL << 12)
#define HVLAB_CR4_SMEP		(1ULL << 20)
#define HVLAB_CR4_SMAP		(1ULL << 21)
#define HVLAB_EFER_LME		(1ULL << 8)
#define HVLAB_EFER_LMA		(1ULL << 10)
#define HVLAB_EFER_NXE		(1ULL << 11)

/* Paging-structure entry bits (SDM Vol. 3 4.3-4.5). */
#define HVLAB_PTE_P		(1ULL << 0)
#define HVLAB_PTE_W		(1ULL << 1)
#define HVLAB_PTE_U		(1ULL << 2)
#define HVLAB_PTE_PWT		(1ULL << 3)
#define HVLAB_PTE_PCD		(1ULL << 4)
#define HVLAB_PTE_A		(1ULL << 5)
#define HVLAB_PTE_D		(1ULL << 6)
#define HVLAB_PTE_PS		(1ULL << 7)	/* PAT in a 4 KiB PTE */
#define HVLAB_PTE_G		(1ULL << 8)
#define HVLAB_PTE_PAT_LARGE	(1ULL << 12)	/* PAT in a 2M/4M/1G leaf */
#define HVLAB_PTE_XD		(1ULL << 63)

/* Page-fault error code bits (SDM Vol. 3 4.7). */
#define HVLAB_PFERR_P		(1u << 0)	/* 0 = not present */
#define HVLAB_PFERR_W		(1u << 1)	/* the access was a write */
#define HVLAB_PFERR_U		(1u << 2)	/* the access was CPL 3 */
#define HVLAB_PFERR_RSVD	(1u << 3)	/* a reserved bit was set */
#define HVLAB_PFERR_I		(1u << 4)	/* instruction fetch */

/*
 * The access being translated.  WRITE, USER and FETCH sit where the #PF
 * error code puts them, so a hardware error code is also an access.
 */
#define HVLAB_ACC_READ		0u
#define HVLAB_ACC_WRITE		HVLAB_PFERR_W
#define HVLAB_ACC_USER		HVLAB_PFERR_U
#define HVLAB_ACC_FETCH		HVLAB_PFERR_I
#define HVLAB_ACC_AC		(1u << 8)	/* EFLAGS.AC=1: SMAP waived */
#define HVLAB_ACC_IMPLICIT	(1u << 9)	/* implicit supervisor access */

/* Paging modes; the value is the number of levels, as in hvlab_translation. */
#define HVLAB_PG_OFF		0
#define HVLAB_PG_32		2
#define HVLAB_PG_PAE		3
#define HVLAB_PG_4LEVEL		4
#define HVLAB_PG_5LEVEL		5
#define HVLAB_PG_INVALID	(-1)

/* hvlab_gwalk_ctx.flags */
#define HVLAB_GW_SET_AD		(1u << 0)	/* update A/D bits (cmpxchg) */
#define HVLAB_GW_PSE36		(1u << 1)	/* CPU has PSE-36 */
#define HVLAB_GW_NO_1G		(1u << 2)	/* no 1 GiB pages: PS reserved */

struct hvlab_gwalk_ctx {
	__u64 cr0, cr3, cr4, efer;	/* the guest's values */
	unsigned int maxphyaddr;	/* CPUID.80000008H:EAX[7:0]; 0 = 52 */
	unsigned int flags;		/* HVLAB_GW_* */
	const struct hvlab_pmem *mem;	/* guest-physical memory */
};

/* hvlab_gwalk.status */
#define HVLAB_GW_OK		0
#define HVLAB_GW_PAGE_FAULT	1	/* #PF: error_code, fault_level */
#define HVLAB_GW_MEM_ERROR	2	/* a table is not in guest memory */
#define HVLAB_GW_NONCANONICAL	3	/* the CPU would raise #GP, not #PF */
#define HVLAB_GW_BAD_MODE	4	/* CR0/CR4/EFER inconsistent */
#define HVLAB_GW_BAD_PDPTE	5	/* PAE PDPTE reserved bits: #GP at CR3 */
#define HVLAB_GW_RETRY		6	/* A/D update kept losing races */

/* Effective rights of a translation (AND/OR over all levels). */
#define HVLAB_PERM_W		(1u << 0)
#define HVLAB_PERM_U		(1u << 1)
#define HVLAB_PERM_X		(1u << 2)

struct hvlab_gwalk_step {
	unsigned int level;		/* 5..1 */
	__u64 table;			/* GPA of the table */
	__u64 entry_addr;		/* GPA of the entry itself */
	__u64 entry;			/* value read (before A/D updates) */
};

struct hvlab_gwalk {
	int status;			/* HVLAB_GW_* */
	int mode;			/* HVLAB_PG_* */
	__u64 gva;
	__u64 gpa;			/* valid when status == OK */
	__u32 error_code;		/* valid when status == PAGE_FAULT */
	unsigned int fault_level;	/* level that stopped the walk */
	unsigned int page_shift;	/* 12, 21, 22 or 30 */
	unsigned int perm;		/* HVLAB_PERM_* of the translation */
	unsigned int dirty;		/* leaf D after the walk (1 = set) */
	unsigned int wp;		/* guest CR0.WP at the walk */
	unsigned int nxe;		/* guest EFER.NXE at the walk */
	__u64 leaf;			/* the leaf entry after A/D updates */
	unsigned int nsteps;
	struct hvlab_gwalk_step steps[HVLAB_WALK_MAX_STEPS];
};

/* The paging mode selected by CR0.PG, CR4.PAE, CR4.LA57 and EFER.LMA. */
int hvlab_paging_mode(__u64 cr0, __u64 cr4, __u64 efer);

/*
 * Translates gva for the access (HVLAB_ACC_*).  Always fills *w; returns
 * w->status.  Terminates on any table contents: it reads at most one entry
 * per level and restarts at most a few times after a lost A/D race.
 */
int hvlab_gwalk(const struct hvlab_gwalk_ctx *c, __u64 gva,
		unsigned int access, struct hvlab_gwalk *w);

/*
 * Translates gva for the access like hvlab_gwalk, given w: an earlier
 * successful walk in the same context whose leaf table (a page table, or
 * the directory of a large page) also holds gva's leaf: the same bits of
 * gva above that table's reach.  Only that one entry is read: the levels
 * above are w's as they were, with the A bits its walk set.  Not a
 * neighbour (or an entry there that is no leaf), or w not a successful
 * walk: HVLAB_GW_BAD_MODE.  A lost A/D race is HVLAB_GW_RETRY at once.
 */
int hvlab_gwalk_neighbour(const struct hvlab_gwalk_ctx *c,
			  const struct hvlab_gwalk *w, __u64 gva,
			  unsigned int access, struct hvlab_gwalk *out);

/*
 * Copies n steps of a walk (at most HVLAB_WALK_MAX_STEPS) into one of the
 * inspector's step arrays: the guest, EPT and shadow walks share the step
 * format, so hvlab_ept_walk_to_translation and the shadow one use it too.
 */
void hvlab_walk_copy_steps(struct hvlab_walk_step *dst,
			   const struct hvlab_gwalk_step *src, unsigned int n);

/*
 * Copies a walk into the inspector's answer: gva, gpa, paging_mode, the
 * guest[] steps, and fault/fault_level when the guest's tables fault.
 */
void hvlab_gwalk_to_translation(const struct hvlab_gwalk *w,
				struct hvlab_translation *t);

/* Index of va into the table of `level` in `mode` (PAE PDPT: 2 bits). */
unsigned int hvlab_pt_index(int mode, unsigned int level, __u64 va);

#endif
