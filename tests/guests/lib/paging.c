// SPDX-License-Identifier: GPL-2.0
/*
 * paging.c - page-table builders for the 32-bit guests (32-bit paging,
 * SDM Vol. 3 4.3).  The 64-bit guests get their identity tables from
 * start64.S.
 *
 * A page directory from pt32_identity() maps all 4 GiB to itself with
 * 4 MiB pages (CR4.PSE), so MMIO (the local APIC, VGA text memory, the
 * unmapped hole) stays where the guest expects it once paging is on.
 * pt32_map_4k() then splits the 4 MiB region around one address into a
 * 4 KiB page table, identity-mapped except for that one page: this is how a
 * guest builds the seed's example, guest virtual 0x1000 -> physical 0x2000.
 * Tables must be 4 KiB aligned; changing a live mapping needs INVLPG or a
 * CR3 write.
 */
#include "guest.h"

void pt32_identity(uint32_t *pd)
{
	for (uint32_t i = 0; i < 1024; i++)
		pd[i] = (i << 22) | PTE_PS | PTE_W | PTE_P;
}

void pt32_map_4k(uint32_t *pd, uint32_t *pt, uint32_t va, uint32_t pa)
{
	uint32_t pdi = va >> 22, pti = (va >> 12) & 0x3ff;

	if ((pd[pdi] & PTE_PS) || !(pd[pdi] & PTE_P) ||
	    (pd[pdi] & ~0xfffu) != (uint32_t)(uintptr_t)pt) {
		for (uint32_t i = 0; i < 1024; i++)
			pt[i] = (pdi << 22) | (i << 12) | PTE_W | PTE_P;
		pd[pdi] = (uint32_t)(uintptr_t)pt | PTE_W | PTE_P;
	}
	pt[pti] = (pa & ~0xfffu) | PTE_W | PTE_P;
}

/* One CR3 write, then CR4.PSE and CR0.PG (which must come last). */
void paging32_enable(uint32_t *pd)
{
	write_cr3((uintptr_t)pd);
	write_cr4(read_cr4() | X86_CR4_PSE);
	write_cr0(read_cr0() | X86_CR0_PG);
}
