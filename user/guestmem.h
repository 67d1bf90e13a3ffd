/* SPDX-License-Identifier: GPL-2.0 */
/*
 * guestmem.h - guest-physical memory as userspace sees it: a short list of
 * slots, each a guest-physical range backed by a host virtual range (the
 * same list HVLAB_SET_MEMORY_REGION gives the module).
 *
 * Invariants: slots never overlap; gmem_ptr() returns a host pointer only
 * when the whole range [gpa, gpa + len) lies inside one slot, so callers
 * (the loader, the ucall device) can never be led outside guest memory by
 * a guest-controlled address or a malformed image.
 */
#ifndef HVLAB_GUESTMEM_H
#define HVLAB_GUESTMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uapi/hvlab.h>

struct gmem_slot {
	uint64_t gpa;
	uint64_t size;
	void *hva;
	bool readonly;
};

struct guest_mem {
	unsigned nslots;
	struct gmem_slot slot[HVLAB_MAX_MEMSLOTS];
};

/* Adds a slot; -1 when the table is full or the range overlaps another. */
int gmem_add(struct guest_mem *gm, uint64_t gpa, uint64_t size, void *hva, bool readonly);
/* Host pointer for [gpa, gpa + len), or NULL if not inside a single slot. */
void *gmem_ptr(const struct guest_mem *gm, uint64_t gpa, uint64_t len);
/* Size of the RAM that starts at GPA 0 (slot 0 in hvlab), 0 if none. */
uint64_t gmem_ram_size(const struct guest_mem *gm);

#endif
