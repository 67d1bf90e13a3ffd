// SPDX-License-Identifier: GPL-2.0
/*
 * test_mptable.c - the MP spec 1.4 tables (user/loader/mptable.c) read
 * back as an OS without ACPI reads them: the floating pointer found by
 * scanning 0xF0000-0xFFFFF on 16-byte boundaries, both checksums, and the
 * entries checked against hw/irq.h: one enabled processor per vCPU (the
 * BSP flag on vCPU 0 only), the ISA bus, the IOAPIC, ISA IRQ 0 on pin 2,
 * the SCI level-triggered, and LINT0/LINT1 as ExtINT/NMI.
 */
#include <string.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "guestmem.h"
#include "hw/board.h"
#include "hw/irq.h"
#include "loader/loader.h"

#define RAM	(2ull << 20)

static uint16_t get16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

static uint8_t sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s;
}

static const uint8_t *find_mpf(const uint8_t *ram)
{
	for (uint64_t a = 0xf0000; a < 0x100000; a += 16)
		if (!memcmp(ram + a, "_MP_", 4) && sum(ram + a, 16 * ram[a + 8]) == 0)
			return ram + a;
	return NULL;
}

static void check(struct __test_metadata *_metadata, const uint8_t *ram, unsigned ncpus)
{
	const uint8_t *mpf = find_mpf(ram), *c, *p, *end;
	unsigned procs = 0, buses = 0, ioapics = 0, entries = 0, bsp = 0, pci_slots = 0;
	int pin_of[16];
	bool extint = false, nmi = false;

	for (int i = 0; i < 16; i++)
		pin_of[i] = -1;
	ASSERT_NE(NULL, mpf);
	EXPECT_EQ(4, mpf[9]);
	EXPECT_EQ(0, mpf[11]);			/* a configuration table, not a default one */
	c = ram + get32(mpf + 4);
	ASSERT_EQ(0, memcmp(c, "PCMP", 4));
	EXPECT_EQ(0, sum(c, get16(c + 4)));
	EXPECT_EQ(4, c[6]);
	EXPECT_EQ(LAPIC_BASE, get32(c + 36));
	end = c + get16(c + 4);
	for (p = c + 44; p < end; entries++) {
		switch (p[0]) {
		case 0:
			EXPECT_EQ(1, p[3] & 1);
			EXPECT_LT(p[1], ncpus);
			bsp += (p[3] >> 1) & 1;
			if (p[3] & 2)
				EXPECT_EQ(0, p[1]);
			procs++;
			p += 20;
			break;
		case 1:
			/* PCI bus 0 has ID 0 (looked up by bus number), ISA 1 */
			EXPECT_EQ(0, memcmp(p + 2, p[1] == 0 ? "PCI   " : "ISA   ", 6));
			buses++;
			p += 8;
			break;
		case 2:
			EXPECT_EQ(ncpus, p[1]);
			EXPECT_EQ(1, p[3] & 1);
			EXPECT_EQ(IOAPIC_BASE, get32(p + 4));
			ioapics++;
			p += 8;
			break;
		case 3:
			EXPECT_EQ(0, p[1]);		/* INT */
			EXPECT_EQ(ncpus, p[6]);
			if (p[4] == 0) {
				/* PCI: INTA# of slot p[5] >> 2, level, active low */
				EXPECT_EQ(0, p[5] & 3);
				EXPECT_EQ((p[5] >> 2) & 1 ? PCI_INTX_IRQ_ODD : PCI_INTX_IRQ_EVEN,
					  p[7]);
				EXPECT_EQ(0x000f, get16(p + 2));
				pci_slots++;
				p += 8;
				break;
			}
			EXPECT_EQ(1, p[4]);		/* ISA */
			ASSERT_LT(p[5], 16);
			pin_of[p[5]] = p[7];
			EXPECT_EQ(p[5] == IRQ_SCI ? 0x000d : 0, get16(p + 2));
			p += 8;
			break;
		case 4:
			EXPECT_EQ(0xff, p[6]);
			extint |= p[1] == 3 && p[7] == 0;
			nmi |= p[1] == 1 && p[7] == 1;
			p += 8;
			break;
		default:
			ASSERT_TRUE(false) TH_LOG("entry type %u", p[0]);
		}
	}
	EXPECT_EQ(end, p);
	EXPECT_EQ(entries, get16(c + 34));
	EXPECT_EQ(ncpus, procs);
	EXPECT_EQ(1, bsp);
	EXPECT_EQ(2, buses);
	EXPECT_EQ(31, pci_slots);
	EXPECT_EQ(1, ioapics);
	EXPECT_EQ(IOAPIC_PIT_PIN, pin_of[IRQ_PIT]);
	EXPECT_EQ(IRQ_COM1, pin_of[IRQ_COM1]);
	EXPECT_EQ(IRQ_SCI, pin_of[IRQ_SCI]);
	EXPECT_EQ(IRQ_IDE0, pin_of[IRQ_IDE0]);
	EXPECT_EQ(-1, pin_of[2]);			/* the cascade */
	EXPECT_TRUE(extint);
	EXPECT_TRUE(nmi);
}

TEST(mptable_for_1_2_and_8_cpus)
{
	static const unsigned n[] = { 1, 2, 8 };
	uint8_t *ram = mmap(NULL, RAM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct guest_mem gm = { 0 };
	char err[256];

	ASSERT_NE(MAP_FAILED, ram);
	ASSERT_EQ(0, gmem_add(&gm, 0, RAM, ram, false));
	for (unsigned i = 0; i < 3; i++) {
		memset(ram, 0xcc, RAM);
		ASSERT_EQ(0, mptable_build(&gm, n[i], err, sizeof(err))) TH_LOG("%s", err);
		check(_metadata, ram, n[i]);
	}
	memset(ram, 0xcc, RAM);
	EXPECT_EQ(-1, mptable_build(&gm, 0, err, sizeof(err)));
	EXPECT_EQ(-1, mptable_build(&gm, 9, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "vCPUs"));
	for (uint64_t a = 0; a < RAM; a += 16)
		ASSERT_EQ(0xcc, ram[a]);
	munmap(ram, RAM);
}

TEST_HARNESS_MAIN
