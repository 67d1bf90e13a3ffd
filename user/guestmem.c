// SPDX-License-Identifier: GPL-2.0
/*
 * guestmem.c - look-ups in the guest-physical memory map.
 *
 * hvlab run gives a guest one RAM slot starting at GPA 0; the map is kept
 * general (several slots) because the module's ABI is.  Every look-up is
 * overflow-safe: a guest may hand us any 64-bit address and length.
 */
#include "guestmem.h"

int gmem_add(struct guest_mem *gm, uint64_t gpa, uint64_t size, void *hva, bool readonly)
{
	if (gm->nslots >= HVLAB_MAX_MEMSLOTS || size == 0 || gpa + size < gpa)
		return -1;
	for (unsigned i = 0; i < gm->nslots; i++) {
		const struct gmem_slot *s = &gm->slot[i];

		if (gpa < s->gpa + s->size && s->gpa < gpa + size)
			return -1;
	}
	gm->slot[gm->nslots++] = (struct gmem_slot){ gpa, size, hva, readonly };
	return 0;
}

void *gmem_ptr(const struct guest_mem *gm, uint64_t gpa, uint64_t len)
{
	for (unsigned i = 0; i < gm->nslots; i++) {
		const struct gmem_slot *s = &gm->slot[i];

		/* written so that no addition can wrap around */
		if (gpa < s->gpa || gpa - s->gpa >= s->size)
			continue;
		if (len > s->size - (gpa - s->gpa))
			return NULL;
		return (char *)s->hva + (gpa - s->gpa);
	}
	return NULL;
}

uint64_t gmem_ram_size(const struct guest_mem *gm)
{
	for (unsigned i = 0; i < gm->nslots; i++)
		if (gm->slot[i].gpa == 0)
			return gm->slot[i].size;
	return 0;
}
