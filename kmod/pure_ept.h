/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pure_ept.h - EPT (the second stage, GPA -> HPA) as pure logic: the walker
 * that reproduces what the CPU decides (translation, EPT violation with its
 * exit qualification, EPT misconfiguration), and the builders that produce
 * the entries the module installs.  SDM Vol. 3 29.3 (28.3 in older
 * editions) and 25.6.11 for the EPTP.
 */
#ifndef HVLAB_PURE_EPT_H
#define HVLAB_PURE_EPT_H

#include <linux/types.h>
#include <uapi/hvlab.h>
#include "pure_walk.h"

/* EPT entry bits (SDM Vol. 3 tables 29-1..29-6). */
#define HVLAB_EPT_R		(1ULL << 0)
#define HVLAB_EPT_W		(1ULL << 1)
#define HVLAB_EPT_X		(1ULL << 2)
#define HVLAB_EPT_RWX		(HVLAB_EPT_R | HVLAB_EPT_W | HVLAB_EPT_X)
#define HVLAB_EPT_MT_SHIFT	3		/* bits 5:3, leaves only */
#define HVLAB_EPT_MT_MASK	(7ULL << 3)
#define HVLAB_EPT_IPAT		(1ULL << 6)
#define HVLAB_EPT_PS		(1ULL << 7)
#define HVLAB_EPT_A		(1ULL << 8)
#define HVLAB_EPT_D		(1ULL << 9)
#define HVLAB_EPT_UX		(1ULL << 10)	/* user exec with MBEC */

/* Memory types (SDM Vol. 3 11.11, table 11-8). */
#define HVLAB_MT_UC		0
#define HVLAB_MT_WC		1
#define HVLAB_MT_WT		4
#define HVLAB_MT_WP		5
#define HVLAB_MT_WB		6

/* EPTP (SDM Vol. 3 25.6.11). */
#define HVLAB_EPTP_MT_WB	6ULL
#define HVLAB_EPTP_WALK_4	(3ULL << 3)	/* page-walk length - 1 */
#define HVLAB_EPTP_WALK_5	(4ULL << 3)
#define HVLAB_EPTP_AD		(1ULL << 6)

/*
 * The access a GPA is translated for.  READ/WRITE/FETCH are the bits 2:0 of
 * the EPT-violation exit qualification; GLA_VALID and GLA_FINAL its bits 7
 * and 8 (a guest-linear address exists; the access was to the translated
 * page itself, not to a guest paging structure).  With EPT A/D enabled the
 * CPU's accesses to guest paging structures count as writes (29.3.5):
 * the caller passes WRITE for them.
 */
#define HVLAB_EPT_ACC_READ	(1u << 0)
#define HVLAB_EPT_ACC_WRITE	(1u << 1)
#define HVLAB_EPT_ACC_FETCH	(1u << 2)
#define HVLAB_EPT_ACC_GLA_VALID	(1u << 7)
#define HVLAB_EPT_ACC_GLA_FINAL	(1u << 8)

/* EPT-violation exit qualification bits (SDM Vol. 3 table 28-7). */
#define HVLAB_EPTQ_READ		(1ULL << 0)
#define HVLAB_EPTQ_WRITE	(1ULL << 1)
#define HVLAB_EPTQ_FETCH	(1ULL << 2)
#define HVLAB_EPTQ_READABLE	(1ULL << 3)
#define HVLAB_EPTQ_WRITABLE	(1ULL << 4)
#define HVLAB_EPTQ_EXECUTABLE	(1ULL << 5)
#define HVLAB_EPTQ_GLA_VALID	(1ULL << 7)
#define HVLAB_EPTQ_GLA_FINAL	(1ULL << 8)

/*
 * hvlab_ept_ctx.flags: what the CPU lacks (IA32_VMX_EPT_VPID_CAP); 0 means
 * a CPU like Bochs's Skylake model that has all of it.
 */
#define HVLAB_EPTF_NO_EXEC_ONLY	(1u << 0)	/* RWX = 100b misconfigured */
#define HVLAB_EPTF_NO_1G	(1u << 1)	/* PS in a PDPTE reserved */
#define HVLAB_EPTF_NO_2M	(1u << 2)	/* PS in a PDE reserved */

struct hvlab_ept_ctx {
	__u64 eptp;
	unsigned int maxphyaddr;	/* 0 = 52 */
	unsigned int flags;		/* HVLAB_EPTF_* */
	const struct hvlab_pmem *mem;	/* host-physical memory */
};

/* hvlab_ept_walk.status */
#define HVLAB_EPT_OK		0
#define HVLAB_EPT_VIOLATION	1	/* qual, fault_level */
#define HVLAB_EPT_MISCONFIG	2	/* fault_level */
#define HVLAB_EPT_MEM_ERROR	3	/* a table outside host memory given */
#define HVLAB_EPT_BAD_EPTP	4	/* VM entry would fail */

struct hvlab_ept_walk {
	int status;			/* HVLAB_EPT_* */
	__u64 gpa;
	__u64 hpa;			/* valid when status == OK */
	__u64 qual;			/* EPT-violation exit qualification */
	unsigned int fault_level;
	unsigned int page_shift;	/* 12, 21 or 30 */
	unsigned int perm;		/* HVLAB_EPT_R/W/X, ANDed over levels */
	unsigned int memtype;		/* leaf bits 5:3 */
	unsigned int ipat;
	unsigned int nsteps;
	struct hvlab_gwalk_step steps[HVLAB_WALK_MAX_STEPS];
};

/* Is this EPTP usable (memory type, walk length, reserved bits)? */
int hvlab_eptp_valid(__u64 eptp, unsigned int maxphyaddr);

/*
 * Would the CPU call this entry (at level 5..1) an EPT misconfiguration?
 * Not-present entries (bits 2:0 = 0) never are.  Returns 1 or 0.
 */
int hvlab_ept_misconfigured(__u64 e, unsigned int level,
			    unsigned int maxphyaddr, unsigned int flags);

/*
 * Translates gpa for the access (HVLAB_EPT_ACC_*).  With EPTP bit 6 set and
 * mem->cmpxchg given, a successful walk sets A in every entry used and D in
 * the leaf of a write (SDM 29.3.5).  Always fills *w; returns w->status.
 */
int hvlab_ept_walk(const struct hvlab_ept_ctx *c, __u64 gpa,
		   unsigned int access, struct hvlab_ept_walk *w);

/* Copies an EPT walk into second[], hpa and, on a fault, fault/level. */
void hvlab_ept_walk_to_translation(const struct hvlab_ept_walk *w,
				   struct hvlab_translation *t);

/* ---- builders: the values the module's ept code installs ------------ */

/* An EPTP for a 4-level table at pml4_hpa, WB, with A/D when ad != 0. */
__u64 hvlab_ept_make_eptp(__u64 pml4_hpa, int ad);
/* A non-leaf entry (PML4E, PDPTE or PDE) pointing at a table: RWX. */
__u64 hvlab_ept_table_entry(__u64 table_hpa);
/*
 * A leaf at level 1 (PTE, 4 KiB), 2 (PDE, 2 MiB) or 3 (PDPTE, 1 GiB) mapping
 * hpa (aligned to the page size) with perm (HVLAB_EPT_R/W/X) and WB.
 */
__u64 hvlab_ept_leaf(__u64 hpa, unsigned int level, unsigned int perm);
/* Index of gpa in the EPT table of `level`. */
unsigned int hvlab_ept_index(__u64 gpa, unsigned int level);

/*
 * Installs leaf at `level` for gpa in the 4-level EPT rooted at pml4_hpa,
 * allocating missing tables with mem->alloc_table.  Returns 0, -1 on a
 * memory/allocation error, -2 if a larger leaf already covers gpa.
 */
int hvlab_ept_map(const struct hvlab_pmem *mem, __u64 pml4_hpa, __u64 gpa,
		  __u64 leaf, unsigned int level);

#endif
