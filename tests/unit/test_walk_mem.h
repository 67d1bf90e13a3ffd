/* SPDX-License-Identifier: GPL-2.0 */
/*
 * test_walk_mem.h - a byte array standing for physical memory, with the
 * struct hvlab_pmem callbacks the pure walkers use.  Shared by
 * test_walk.c, test_ept.c, test_shadow.c and test_walk_print.c.
 *
 * The memory covers [base, base + size); any access outside it (or
 * misaligned) fails, which is how "a guest table pointing outside guest
 * memory" looks to the walkers.  Tables for the builders come from a bump
 * allocator starting at `next_table`.  `race` makes that many
 * compare-exchanges report "changed" (as if another vCPU wrote the entry).
 */
#ifndef TEST_WALK_MEM_H
#define TEST_WALK_MEM_H

#include <stdint.h>
#include <string.h>

#include "../../kmod/pure_walk.h"
#include "../../kmod/pure_ept.h"
#include "../../kmod/pure_shadow.h"

#define FM_MAX	(1u << 20)

struct fakemem {
	uint64_t base, size;
	uint64_t next_table;
	unsigned int reads, cmpxchgs, writes, race;
	uint8_t bytes[FM_MAX];
};

static inline int fm_ok(struct fakemem *m, uint64_t pa, unsigned int size)
{
	return (size == 4 || size == 8) && pa % size == 0 && pa >= m->base &&
	       pa - m->base <= m->size - size;
}

static inline int fm_read(void *o, __u64 pa, unsigned int size, __u64 *val)
{
	struct fakemem *m = o;
	uint64_t v = 0;

	m->reads++;
	if (!fm_ok(m, pa, size))
		return -1;
	memcpy(&v, m->bytes + (pa - m->base), size);
	*val = v;
	return 0;
}

static inline int fm_write(void *o, __u64 pa, unsigned int size, __u64 val)
{
	struct fakemem *m = o;

	m->writes++;
	if (!fm_ok(m, pa, size))
		return -1;
	memcpy(m->bytes + (pa - m->base), &val, size);
	return 0;
}

static inline int fm_cmpxchg(void *o, __u64 pa, unsigned int size, __u64 old,
		      __u64 nval)
{
	struct fakemem *m = o;
	uint64_t cur = 0;

	m->cmpxchgs++;
	if (!fm_ok(m, pa, size))
		return -1;
	if (m->race) {
		m->race--;
		return 1;
	}
	memcpy(&cur, m->bytes + (pa - m->base), size);
	if (cur != old)
		return 1;
	memcpy(m->bytes + (pa - m->base), &nval, size);
	return 0;
}

static inline int fm_alloc(void *o, __u64 *pa)
{
	struct fakemem *m = o;

	if (!fm_ok(m, m->next_table, 8) ||
	    m->next_table + 4096 > m->base + m->size)
		return -1;
	*pa = m->next_table;
	memset(m->bytes + (m->next_table - m->base), 0, 4096);
	m->next_table += 4096;
	return 0;
}

static inline void fm_init(struct fakemem *m, struct hvlab_pmem *ops, uint64_t base,
		    uint64_t size)
{
	memset(m, 0, sizeof(*m));
	m->base = base;
	m->size = size > FM_MAX ? FM_MAX : size;
	m->next_table = base + m->size / 2;
	ops->opaque = m;
	ops->read = fm_read;
	ops->cmpxchg = fm_cmpxchg;
	ops->write = fm_write;
	ops->alloc_table = fm_alloc;
}

static inline void put64(struct fakemem *m, uint64_t pa, uint64_t v)
{
	memcpy(m->bytes + (pa - m->base), &v, 8);
}

static inline void put32(struct fakemem *m, uint64_t pa, uint32_t v)
{
	memcpy(m->bytes + (pa - m->base), &v, 4);
}

static inline uint64_t get64(struct fakemem *m, uint64_t pa)
{
	uint64_t v;

	memcpy(&v, m->bytes + (pa - m->base), 8);
	return v;
}

static inline uint32_t get32(struct fakemem *m, uint64_t pa)
{
	uint32_t v;

	memcpy(&v, m->bytes + (pa - m->base), 4);
	return v;
}

/*
 * The seed's example in 4-level paging: CR3 = 0x5000, PML4 -> 0x6000 ->
 * 0x7000 -> PT at 0x8000 whose entry 1 maps VA 0x1000 to GPA 0x2000.
 * All entries P|W|U (0x7).
 */
#define EX_CR3	0x5000ull
static inline void build_example_4level(struct fakemem *g)
{
	put64(g, 0x5000, 0x6007);		/* PML4[0] */
	put64(g, 0x6000, 0x7007);		/* PDPT[0] */
	put64(g, 0x7000, 0x8007);		/* PD[0] */
	put64(g, 0x8000 + 1 * 8, 0x2007);	/* PT[1]: VA 0x1000 */
}

static inline void ctx_4level(struct hvlab_gwalk_ctx *c, const struct hvlab_pmem *mem)
{
	memset(c, 0, sizeof(*c));
	c->cr0 = HVLAB_CR0_PG | HVLAB_CR0_WP | 1;
	c->cr4 = HVLAB_CR4_PAE;
	c->efer = HVLAB_EFER_LME | HVLAB_EFER_LMA | HVLAB_EFER_NXE;
	c->cr3 = EX_CR3;
	c->maxphyaddr = 39;
	c->mem = mem;
}

#endif
