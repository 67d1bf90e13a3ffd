// SPDX-License-Identifier: GPL-2.0
/*
 * mmio - proves that guest-physical addresses outside every memory slot
 * become MMIO exits to userspace devices:
 *  - the local-APIC stub at 0xFEE00000: ID (offset 0x20) says 0 on
 *    vCPU 0, VERSION (0x30) is an integrated APIC's (0x10..0x15, SDM Vol. 3
 *    11.4.8) with at least 3 LVT entries;
 *  - an unmapped GPA, 0xC0000000, that no device claims: 32-bit and 8-bit
 *    reads return all-ones, a write is dropped (it still reads all-ones).
 * Paging is off: every access below goes straight to the GPA.  With `qemu`
 * the unmapped range is only accessed, not checked: QEMU reads it as 0.
 */
#include "guest.h"

#define UNMAPPED 0xc0000000u

void guest_main(void)
{
	uint32_t ver = lapic_read(LAPIC_VERSION);
	uint32_t id = lapic_read(LAPIC_ID);
	uint32_t v;

	GUEST_PRINTF("lapic: id 0x%08x version 0x%08x", id, ver);
	GUEST_ASSERT_EQ(id >> 24, 0);
	GUEST_ASSERT((ver & 0xff) >= 0x10 && (ver & 0xff) <= 0x15);
	GUEST_ASSERT(((ver >> 16) & 0xff) >= 2);	/* max LVT entry */

	v = mmio_read32(UNMAPPED);
	GUEST_PRINTF("read32 0x%x: 0x%08x", UNMAPPED, v);
	if (!guest_on_qemu) {
		GUEST_ASSERT_EQ(v, 0xffffffff);
		GUEST_ASSERT_EQ(mmio_read8(UNMAPPED + 5), 0xff);
	}
	mmio_write32(UNMAPPED, 0x12345678);
	v = mmio_read32(UNMAPPED);
	GUEST_PRINTF("after write: 0x%08x", v);
	if (!guest_on_qemu)
		GUEST_ASSERT_EQ(v, 0xffffffff);
	GUEST_DONE();
}
