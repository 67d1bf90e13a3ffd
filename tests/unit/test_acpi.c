// SPDX-License-Identifier: GPL-2.0
/*
 * test_acpi.c - the ACPI tables (user/loader/acpi.c) read back the way an
 * operating system reads them (ACPI 6.4, 5.2): the RSDP found by scanning
 * 0xE0000-0xFFFFF on 16-byte boundaries, every table through the XSDT and
 * the RSDT, every checksum, and what the FADT, DSDT and MADT say checked
 * against hw/board.h and hw/irq.h, the headers the devices use.  The
 * reader here knows only the specification, not the offsets acpi.c picked.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "guestmem.h"
#include "hw/board.h"
#include "hw/irq.h"
#include "loader/acpi.h"
#include "loader/loader.h"

#define RAM	(2ull << 20)

static uint16_t get16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

static uint8_t sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s;
}

FIXTURE(acpi) {
	struct guest_mem gm;
	uint8_t *ram;
	char err[256];
};

FIXTURE_SETUP(acpi)
{
	self->ram = mmap(NULL, RAM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->ram);
	memset(self->ram, 0xcc, RAM);
	memset(&self->gm, 0, sizeof(self->gm));
	ASSERT_EQ(0, gmem_add(&self->gm, 0, RAM, self->ram, false));
}

FIXTURE_TEARDOWN(acpi)
{
	munmap(self->ram, RAM);
}

/* The RSDP scan of 5.2.5.1: "RSD PTR " on a 16-byte boundary, valid checksum. */
static const uint8_t *find_rsdp(const uint8_t *ram)
{
	for (uint64_t a = 0xe0000; a < 0x100000; a += 16)
		if (!memcmp(ram + a, "RSD PTR ", 8) && sum(ram + a, 20) == 0)
			return ram + a;
	return NULL;
}

/* A table by address: header sane and checksum zero, else NULL. */
static const uint8_t *table(struct __test_metadata *_metadata, const uint8_t *ram, uint64_t a)
{
	uint32_t len;

	if (a < 0xe0000 || a >= 0x100000 - 36)
		return NULL;
	len = get32(ram + a + 4);
	EXPECT_GE(len, 36);
	EXPECT_LE(a + len, 0x100000);
	EXPECT_EQ(0, sum(ram + a, len)) TH_LOG("%.4s checksum", (const char *)ram + a);
	EXPECT_EQ(0, memcmp(ram + a + 10, "HVLAB ", 6));
	return ram + a;
}

/* The table with signature sig from the XSDT (and the same one from the RSDT). */
static const uint8_t *find_table(struct __test_metadata *_metadata, const uint8_t *ram,
				 const char *sig)
{
	const uint8_t *rsdp = find_rsdp(ram), *x, *r, *found = NULL;
	unsigned nx, nr;

	if (!rsdp)
		return NULL;
	x = table(_metadata, ram, get64(rsdp + 24));
	r = table(_metadata, ram, get32(rsdp + 16));
	if (!x || !r)
		return NULL;
	nx = (get32(x + 4) - 36) / 8;
	nr = (get32(r + 4) - 36) / 4;
	EXPECT_EQ(nx, nr);
	for (unsigned i = 0; i < nx && i < nr; i++) {
		uint64_t xa = get64(x + 36 + 8 * i);

		EXPECT_EQ(xa, get32(r + 36 + 4 * i));	/* RSDT and XSDT agree */
		if (!memcmp(ram + xa, sig, 4))
			found = table(_metadata, ram, xa);
	}
	return found;
}

TEST_F(acpi, rsdp_is_found_by_the_scan_and_checksums)
{
	const uint8_t *rsdp;

	ASSERT_EQ(0, acpi_build(&self->gm, 1, self->err, sizeof(self->err)));
	rsdp = find_rsdp(self->ram);
	ASSERT_NE(NULL, rsdp);
	EXPECT_EQ(ACPI_RSDP_ADDR, rsdp - self->ram);
	EXPECT_EQ(2, rsdp[15]);				/* revision: XSDT present */
	EXPECT_EQ(36, get32(rsdp + 20));
	EXPECT_EQ(0, sum(rsdp, 36));			/* the extended checksum */
	EXPECT_EQ(0, memcmp(rsdp + 9, "HVLAB ", 6));
	EXPECT_EQ(0, memcmp(self->ram + get32(rsdp + 16), "RSDT", 4));
	EXPECT_EQ(0, memcmp(self->ram + get64(rsdp + 24), "XSDT", 4));
	EXPECT_NE(NULL, find_table(_metadata, self->ram, "FACP"));
	EXPECT_NE(NULL, find_table(_metadata, self->ram, "APIC"));
}

TEST_F(acpi, fadt_describes_board_h)
{
	const uint8_t *f, *dsdt, *facs;
	uint32_t flags;

	ASSERT_EQ(0, acpi_build(&self->gm, 1, self->err, sizeof(self->err)));
	f = find_table(_metadata, self->ram, "FACP");
	ASSERT_NE(NULL, f);
	EXPECT_GE(get32(f + 4), 244);			/* reaches X_GPE1_BLK at least */
	EXPECT_EQ(IRQ_SCI, get16(f + 46));
	EXPECT_EQ(0, get32(f + 48));			/* SMI_CMD: already in ACPI mode */
	EXPECT_EQ(ACPI_PM1A_EVT_BLK, get32(f + 56));
	EXPECT_EQ(ACPI_PM1A_CNT_BLK, get32(f + 64));
	EXPECT_EQ(ACPI_PM_TMR_BLK, get32(f + 76));
	EXPECT_EQ(0, get32(f + 60));			/* no PM1b */
	EXPECT_EQ(4, f[88]);
	EXPECT_EQ(2, f[89]);
	EXPECT_EQ(4, f[91]);
	EXPECT_EQ(3, get16(f + 109));			/* LEGACY_DEVICES | 8042 */
	flags = get32(f + 112);
	EXPECT_TRUE(flags & (1u << 0));			/* WBINVD */
	EXPECT_TRUE(flags & (1u << 2));			/* PROC_C1 */
	EXPECT_TRUE(flags & (1u << 4));			/* PWR_BUTTON: none fixed */
	EXPECT_TRUE(flags & (1u << 5));			/* SLP_BUTTON: none fixed */
	EXPECT_TRUE(flags & (1u << 10));		/* RESET_REG_SUP */
	EXPECT_FALSE(flags & (1u << 20));		/* not HW_REDUCED_ACPI */
	EXPECT_FALSE(flags & (1u << 8));		/* TMR_VAL_EXT: 24-bit timer */
	/* reset register: system I/O 0xCF9, 8 bits, value 6 */
	EXPECT_EQ(1, f[116]);
	EXPECT_EQ(8, f[117]);
	EXPECT_EQ(PORT_RESET_CF9, get64(f + 120));
	EXPECT_EQ(6, f[128]);
	/* the 64-bit blocks say the same: system I/O, same address, same width */
	EXPECT_EQ(1, f[148]);
	EXPECT_EQ(32, f[149]);
	EXPECT_EQ(ACPI_PM1A_EVT_BLK, get64(f + 152));
	EXPECT_EQ(1, f[172]);
	EXPECT_EQ(16, f[173]);
	EXPECT_EQ(ACPI_PM1A_CNT_BLK, get64(f + 176));
	EXPECT_EQ(1, f[208]);
	EXPECT_EQ(32, f[209]);
	EXPECT_EQ(ACPI_PM_TMR_BLK, get64(f + 212));
	/* DSDT and X_DSDT, FACS */
	EXPECT_EQ(get32(f + 40), get64(f + 140));
	dsdt = table(_metadata, self->ram, get64(f + 140));
	ASSERT_NE(NULL, dsdt);
	EXPECT_EQ(0, memcmp(dsdt, "DSDT", 4));
	facs = self->ram + get32(f + 36);
	EXPECT_EQ(0, get32(f + 36) & 63);
	EXPECT_EQ(0, memcmp(facs, "FACS", 4));
	EXPECT_EQ(64, get32(facs + 4));
}

/* Decodes one AML integer (ZeroOp, OneOp, BytePrefix, WordPrefix); -1 otherwise. */
static long aml_int(const uint8_t **p)
{
	const uint8_t *q = *p;

	switch (q[0]) {
	case 0x00: *p = q + 1; return 0;
	case 0x01: *p = q + 1; return 1;
	case 0x0a: *p = q + 2; return q[1];
	case 0x0b: *p = q + 3; return get16(q + 1);
	default: return -1;
	}
}

/* \_SB.PCI0: PNP0A03 with its windows, and a _PRT routing INTA# as pci.c does */
TEST_F(acpi, dsdt_has_the_pci_host_bridge)
{
	static const uint8_t hid[] = { 0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0a, 0x03 };
	const uint8_t *f, *d, *end;
	bool pci0 = false, has_hid = false, window = false, prt = false;
	unsigned routes = 0;

	ASSERT_EQ(0, acpi_build(&self->gm, 1, self->err, sizeof(self->err)));
	f = find_table(_metadata, self->ram, "FACP");
	ASSERT_NE(NULL, f);
	d = self->ram + get64(f + 140);
	end = d + get32(d + 4);
	for (const uint8_t *q = d + 36; q + 18 < end; q++) {
		pci0 |= q[0] == 0x5b && q[1] == 0x82 && !memcmp(q + 4, "PCI0", 4);
		has_hid |= !memcmp(q, hid, sizeof(hid));
		/* DWordMemory: type 0x87, min at +10, max at +14 */
		window |= q[0] == 0x87 && get32(q + 10) == PCI_MMIO_WINDOW &&
			  get32(q + 14) == PCI_MMIO_WINDOW_END - 1;
		prt |= !memcmp(q, "_PRT", 4);
		/* Package (4) { 0xSSSSFFFF, 0, 0, GSI } */
		if (q[0] == 0x12 && q[2] == 4 && q[3] == 0x0c && get16(q + 4) == 0xffff) {
			unsigned slot = get16(q + 6);

			EXPECT_EQ(0, q[8]);			/* INTA# */
			EXPECT_EQ(0x0a, q[10]);
			EXPECT_EQ(slot & 1 ? PCI_INTX_IRQ_ODD : PCI_INTX_IRQ_EVEN, q[11]);
			routes++;
		}
	}
	EXPECT_EQ(31u, routes);
	EXPECT_TRUE(pci0);
	EXPECT_TRUE(has_hid);
	EXPECT_TRUE(window);
	EXPECT_TRUE(prt);
}

TEST_F(acpi, dsdt_has_s5_with_slp_typ_5)
{
	const uint8_t *f, *d, *p = NULL, *end;
	long v[4];

	ASSERT_EQ(0, acpi_build(&self->gm, 1, self->err, sizeof(self->err)));
	f = find_table(_metadata, self->ram, "FACP");
	ASSERT_NE(NULL, f);
	d = self->ram + get64(f + 140);
	end = d + get32(d + 4);
	for (const uint8_t *q = d + 36; q + 6 < end; q++)
		if (q[0] == 0x08 && !memcmp(q + 1, "_S5_", 4) && q[5] == 0x12)
			p = q + 6;
	ASSERT_NE(NULL, p) TH_LOG("no Name(_S5, Package) in the DSDT");
	ASSERT_LT(p[0], 0x40);				/* a one-byte PkgLength */
	EXPECT_EQ(end, p + p[0]);			/* the package ends the table */
	ASSERT_GE(p[1], 2);				/* NumElements */
	p += 2;
	for (int i = 0; i < 4; i++)
		v[i] = aml_int(&p);
	EXPECT_EQ(ACPI_SLP_TYP_S5, v[0]);
	EXPECT_EQ(ACPI_SLP_TYP_S5, v[1]);
	EXPECT_EQ(0, v[2]);
	EXPECT_EQ(0, v[3]);
}

static void check_madt(struct __test_metadata *_metadata, const uint8_t *ram, unsigned ncpus)
{
	const uint8_t *m = find_table(_metadata, ram, "APIC"), *p, *end;
	unsigned lapics = 0, ioapics = 0, nmis = 0;
	bool seen[256] = { false }, iso0 = false, iso9 = false;

	ASSERT_NE(NULL, m);
	EXPECT_EQ(LAPIC_BASE, get32(m + 36));
	EXPECT_EQ(1, get32(m + 40) & 1);		/* PCAT_COMPAT */
	end = m + get32(m + 4);
	for (p = m + 44; p < end; p += p[1]) {
		ASSERT_GE(p[1], 2);
		ASSERT_LE(p + p[1], end);
		switch (p[0]) {
		case 0:					/* processor local APIC */
			ASSERT_EQ(8, p[1]);
			EXPECT_EQ(p[2], p[3]);		/* UID = APIC ID */
			EXPECT_LT(p[3], ncpus);
			EXPECT_FALSE(seen[p[3]]);
			seen[p[3]] = true;
			EXPECT_EQ(1, get32(p + 4) & 1);	/* enabled */
			lapics++;
			break;
		case 1:					/* IOAPIC */
			ASSERT_EQ(12, p[1]);
			EXPECT_EQ(ncpus, p[2]);
			EXPECT_EQ(IOAPIC_BASE, get32(p + 4));
			EXPECT_EQ(0, get32(p + 8));
			ioapics++;
			break;
		case 2:					/* interrupt source override */
			ASSERT_EQ(10, p[1]);
			EXPECT_EQ(0, p[2]);		/* ISA */
			if (p[3] == IRQ_PIT) {
				EXPECT_EQ(IOAPIC_PIT_PIN, get32(p + 4));
				EXPECT_EQ(0, get16(p + 8));
				iso0 = true;
			} else if (p[3] == IRQ_SCI) {
				EXPECT_EQ(IRQ_SCI, get32(p + 4));
				EXPECT_EQ(0x000d, get16(p + 8));	/* level, active high */
				iso9 = true;
			}
			break;
		case 4:					/* local APIC NMI */
			ASSERT_EQ(6, p[1]);
			EXPECT_EQ(0xff, p[2]);
			EXPECT_EQ(1, p[5]);		/* LINT1 */
			nmis++;
			break;
		}
	}
	EXPECT_EQ(end, p);
	EXPECT_EQ(ncpus, lapics);
	EXPECT_EQ(1, ioapics);
	EXPECT_EQ(1, nmis);
	EXPECT_TRUE(iso0);
	EXPECT_TRUE(iso9);
}

TEST_F(acpi, madt_for_1_2_and_8_cpus)
{
	static const unsigned n[] = { 1, 2, 8 };

	for (unsigned i = 0; i < 3; i++) {
		memset(self->ram, 0xcc, RAM);
		ASSERT_EQ(0, acpi_build(&self->gm, n[i], self->err, sizeof(self->err)));
		check_madt(_metadata, self->ram, n[i]);
	}
}

TEST_F(acpi, bad_cpu_counts_and_small_ram_write_nothing)
{
	struct guest_mem small = { 0 };

	EXPECT_EQ(-1, acpi_build(&self->gm, 0, self->err, sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "vCPUs"));
	EXPECT_EQ(-1, acpi_build(&self->gm, 9, self->err, sizeof(self->err)));
	ASSERT_EQ(0, gmem_add(&small, 0, 0xe8000, self->ram, false));
	EXPECT_EQ(-1, acpi_build(&small, 1, self->err, sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "does not cover"));
	for (uint64_t a = 0; a < RAM; a += 16)
		ASSERT_EQ(0xcc, self->ram[a]);
}

TEST_HARNESS_MAIN
