// SPDX-License-Identifier: GPL-2.0
/*
 * acpi.c - the ACPI tables of hvlab's PC (ACPI 6.4, chapter 5), written
 * into the BIOS area of guest memory the way firmware would leave them.
 *
 * What the tables say, and why:
 *   RSDP (5.2.5)   revision 2, so it carries both the RSDT (32-bit) and the
 *                  XSDT (64-bit) address; at ACPI_RSDP_ADDR, 16-byte
 *                  aligned inside 0xE0000-0xFFFFF, where an OS without a
 *                  pointer from its loader scans for "RSD PTR ".
 *   RSDT, XSDT     the FADT and the MADT.
 *   FADT (5.2.9)   a full (not hardware-reduced) PC: the PM1a event and
 *                  control blocks and the PM timer at the ports of
 *                  hw/board.h, SCI on IRQ 9, and SMI_CMD = 0, which tells
 *                  the OS the machine is already in ACPI mode (no SMM
 *                  handshake).  No fixed power or sleep button, C2/C3
 *                  absent (latencies above 100 and 1000 us), the reset
 *                  register is the 0xCF9 port, and the IA-PC boot flags say
 *                  there are legacy ISA devices and an 8042.
 *   FACS (5.2.10)  required for a full-hardware FADT; all zero but the
 *                  signature, length and version (no waking vector, the
 *                  global lock is never owned).
 *   DSDT (5.2.11)  \_S5, the package whose SLP_TYP (5) the OS writes to
 *                  PM1_CNT to switch the machine off (7.4.2), and the PCI
 *                  host bridge \_SB.PCI0 with its windows (see below).
 *   MADT (5.2.12)  one enabled local APIC per vCPU (ACPI processor UID =
 *                  APIC ID = index), one IOAPIC (ID ncpus, GSI base 0), the
 *                  two ISA interrupt source overrides of hw/irq.h (IRQ 0 on
 *                  GSI 2, the SCI level-triggered active-high on GSI 9), and
 *                  LINT1 of every processor wired to NMI; PCAT_COMPAT
 *                  because the 8259 pair is there too.
 * Every table checksums to zero over its whole length (5.2.6).
 *
 * Invariant: nothing is written unless the whole area lies in guest RAM
 * and ncpus is valid, so a failing call leaves guest memory untouched.
 */
#include <string.h>

#include <uapi/hvlab.h>

#include "guestmem.h"
#include "hw/board.h"
#include "hw/irq.h"
#include "loader/acpi.h"
#include "loader/loader.h"

/* Generic Address Structure (5.2.3.2): 12 bytes. */
#define GAS_SYSTEM_IO		1
#define GAS_ACCESS_BYTE		1
#define GAS_ACCESS_WORD		2
#define GAS_ACCESS_DWORD	3

_Static_assert(ACPI_TABLES_ADDR + ACPI_MADT_OFF + 256 <= ACPI_TABLES_END,
	       "the ACPI tables must fit below ACPI_TABLES_END");
_Static_assert(ACPI_RSDP_ADDR + ACPI_RSDP_LEN <= ACPI_TABLES_ADDR, "RSDP overlaps the tables");
_Static_assert(ACPI_FADT_OFF + ACPI_FADT_LEN <= ACPI_FACS_OFF, "FADT overlaps the FACS");
_Static_assert(((ACPI_TABLES_ADDR + ACPI_FACS_OFF) & 63) == 0, "the FACS is 64-byte aligned");
_Static_assert((ACPI_RSDP_ADDR & 15) == 0 && ACPI_RSDP_ADDR >= 0xE0000 &&
	       ACPI_RSDP_ADDR < 0x100000, "the RSDP must be where the scan finds it");

static void put8(uint8_t *p, uint8_t v)
{
	*p = v;
}

static void put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);	/* x86 host and guest: little-endian */
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/* The byte that makes p[0..len) sum to zero (mod 256). */
static uint8_t checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum += *p++;
	return (uint8_t)-sum;
}

/* The common header; the checksum (offset 9) is set by seal() at the end. */
static void header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	put32(t + 4, len);
	put8(t + 8, rev);
	memcpy(t + 10, ACPI_OEM_ID, 6);
	memcpy(t + 16, ACPI_OEM_TABLE_ID, 8);
	put32(t + 24, 1);		/* OEM revision */
	memcpy(t + 28, "HVLB", 4);	/* creator ID: the tool that made the table */
	put32(t + 32, 1);		/* creator revision */
}

static void seal(uint8_t *t)
{
	uint32_t len;

	memcpy(&len, t + 4, 4);
	t[9] = 0;
	t[9] = checksum(t, len);
}

static void gas(uint8_t *p, uint8_t space, uint8_t bits, uint8_t access, uint64_t addr)
{
	put8(p, space);
	put8(p + 1, bits);
	put8(p + 2, 0);		/* bit offset */
	put8(p + 3, access);
	put64(p + 4, addr);
}

static void build_fadt(uint8_t *f, uint32_t facs, uint32_t dsdt)
{
	header(f, "FACP", ACPI_FADT_LEN, 6);
	put32(f + FADT_FIRMWARE_CTRL, facs);
	put32(f + FADT_DSDT, dsdt);
	put16(f + FADT_SCI_INT, IRQ_SCI);
	put32(f + FADT_SMI_CMD, 0);		/* no SMM: ACPI mode from the start */
	put32(f + FADT_PM1A_EVT_BLK, ACPI_PM1A_EVT_BLK);
	put32(f + FADT_PM1A_CNT_BLK, ACPI_PM1A_CNT_BLK);
	put32(f + FADT_PM_TMR_BLK, ACPI_PM_TMR_BLK);
	put8(f + FADT_PM1_EVT_LEN, 4);		/* PM1_STS + PM1_EN, 2 bytes each */
	put8(f + FADT_PM1_CNT_LEN, 2);
	put8(f + FADT_PM_TMR_LEN, 4);
	put16(f + FADT_P_LVL2_LAT, 101);	/* > 100: no C2 */
	put16(f + FADT_P_LVL3_LAT, 1001);	/* > 1000: no C3 */
	put16(f + FADT_IAPC_BOOT_ARCH, IAPC_LEGACY_DEVICES | IAPC_8042);
	put32(f + FADT_FLAGS, FADT_F_WBINVD | FADT_F_PROC_C1 | FADT_F_PWR_BUTTON |
	      FADT_F_SLP_BUTTON | FADT_F_RESET_REG_SUP);
	gas(f + FADT_RESET_REG, GAS_SYSTEM_IO, 8, GAS_ACCESS_BYTE, PORT_RESET_CF9);
	put8(f + FADT_RESET_VALUE, ACPI_RESET_VALUE);
	put8(f + FADT_MINOR_VERSION, 4);	/* FADT 6.4 */
	put64(f + FADT_X_DSDT, dsdt);
	/* the 64-bit blocks repeat the 32-bit ones: an OS may use either */
	gas(f + FADT_X_PM1A_EVT_BLK, GAS_SYSTEM_IO, 32, GAS_ACCESS_WORD, ACPI_PM1A_EVT_BLK);
	gas(f + FADT_X_PM1A_CNT_BLK, GAS_SYSTEM_IO, 16, GAS_ACCESS_WORD, ACPI_PM1A_CNT_BLK);
	gas(f + FADT_X_PM_TMR_BLK, GAS_SYSTEM_IO, 32, GAS_ACCESS_DWORD, ACPI_PM_TMR_BLK);
	seal(f);
}

/*
 * The DSDT's AML (ACPI 6.4, chapter 20), built at run time because the
 * package lengths depend on what is inside:
 *
 *   Scope (\_SB) {
 *     Device (PCI0) {
 *       Name (_HID, EisaId ("PNP0A03"))		the PCI host bridge (pci.c)
 *       Name (_UID, 0)
 *       Name (_CRS, ResourceTemplate () {		its windows (hw/board.h)
 *         WordBusNumber 0-0xFF, IO 0xCF8 (8), WordIO 0-0xCF7, WordIO 0xD00-0xFFFF,
 *         DWordMemory PCI_MMIO_WINDOW..PCI_MMIO_WINDOW_END - 1 })
 *       Name (_PRT, Package () {			INTA# of each slot -> GSI 10/11
 *         Package () { 0x0001FFFF, 0, 0, 11 }, Package () { 0x0002FFFF, 0, 0, 10 }, ... })
 *     }
 *   }
 *   Name (_S5, Package () { 5, 5, 0, 0 })
 *
 * \_S5 is { SLP_TYPa, SLP_TYPb, reserved, reserved }; hvlab has only
 * PM1a, so the b value merely repeats a.  Without \_SB.PCI0 an ACPI OS
 * never scans PCI bus 0 (Linux's pci_acpi_init leaves the scan to the
 * PNP0A03 driver).  The _PRT is what lets the OS find PCI interrupts:
 * without it Linux falls back to INTERRUPT_LINE only when built with ISA
 * or EISA support (acpi_isa_register_gsi), which x86-64 kernels are not.
 */
#define AML_NAME	0x08
#define AML_BYTE	0x0a
#define AML_DWORD	0x0c
#define AML_SCOPE	0x10
#define AML_BUFFER	0x11
#define AML_PACKAGE	0x12
#define AML_EXT		0x5b
#define AML_DEVICE	0x82	/* after AML_EXT */
#define PCI_PRT_SLOTS	32	/* _PRT entries for slots 1..31 */

/* PkgLength (20.2.4) of a body of n bytes: 1 or 2 bytes, counted in. */
static size_t aml_pkglen(uint8_t *p, size_t n)
{
	if (n + 1 < 64) {
		p[0] = (uint8_t)(n + 1);
		return 1;
	}
	n += 2;
	p[0] = (uint8_t)(0x40 | (n & 0xf));
	p[1] = (uint8_t)(n >> 4);
	return 2;
}

/* Opens [op][PkgLength][body]: the body is built at p + 3, then moved. */
static size_t aml_wrap(uint8_t *p, const uint8_t *op, size_t oplen, size_t body)
{
	uint8_t hdr[8];
	size_t n = oplen;

	memcpy(hdr, op, oplen);
	n += aml_pkglen(hdr + n, body);
	memmove(p + n, p + 8, body);
	memcpy(p, hdr, n);
	return n + body;
}

/* Word (0x88) and DWord (0x87) address space descriptors (6.4.3.5). */
static uint8_t *res_word(uint8_t *p, uint8_t type, uint8_t tflags, uint16_t min, uint16_t max)
{
	p[0] = 0x88;
	put16(p + 1, 13);
	p[3] = type;			/* 1 I/O, 2 bus number */
	p[4] = 0x0c;			/* producer, min and max fixed */
	p[5] = tflags;
	put16(p + 6, 0);		/* granularity */
	put16(p + 8, min);
	put16(p + 10, max);
	put16(p + 12, 0);		/* translation */
	put16(p + 14, (uint16_t)(max - min + 1));
	return p + 16;
}

static uint8_t *res_dword_mem(uint8_t *p, uint32_t min, uint32_t max)
{
	p[0] = 0x87;
	put16(p + 1, 23);
	p[3] = 0;			/* memory */
	p[4] = 0x0c;
	p[5] = 0x01;			/* read/write, non-cacheable */
	put32(p + 6, 0);
	put32(p + 10, min);
	put32(p + 14, max);
	put32(p + 18, 0);
	put32(p + 22, max - min + 1);
	return p + 26;
}

static size_t build_crs(uint8_t *p)
{
	uint8_t *q = p;

	q = res_word(q, 2, 0, 0, 0xff);
	/* IO (Decode16, 0xCF8, 0xCF8, 1, 8): the configuration ports */
	q[0] = 0x47;
	q[1] = 1;
	put16(q + 2, 0xcf8);
	put16(q + 4, 0xcf8);
	q[6] = 1;
	q[7] = 8;
	q += 8;
	q = res_word(q, 1, 3, 0, 0xcf7);
	q = res_word(q, 1, 3, 0xd00, 0xffff);
	q = res_dword_mem(q, (uint32_t)PCI_MMIO_WINDOW, (uint32_t)(PCI_MMIO_WINDOW_END - 1));
	q[0] = 0x79;			/* end tag, checksum 0: "sums to zero" */
	q[1] = 0;
	return (size_t)(q + 2 - p);
}

/*
 * _PRT (ACPI 6.4, 6.2.13): for each slot 1..31, INTA# (pin 0) wired to
 * the global interrupt (Source 0, SourceIndex = GSI) pci.c routes it to,
 * PCI_INTX_IRQ_ODD or _EVEN; the OS programs it level-triggered, active
 * low, the default for a _PRT entry without a link device.
 *   Package () { Package () { 0xSSSSFFFF, 0, 0, GSI }, ... }
 */
static size_t build_prt(uint8_t *p)
{
	uint8_t *b = p + 8;
	size_t n = 0;

	b[n++] = PCI_PRT_SLOTS - 1;		/* NumElements */
	for (unsigned slot = 1; slot < PCI_PRT_SLOTS; slot++) {
		uint8_t *e = b + n;
		uint32_t adr = slot << 16 | 0xffff;	/* _ADR: device, any function */

		e[0] = AML_PACKAGE;
		e[1] = 11;			/* PkgLength: itself + 10 */
		e[2] = 4;
		e[3] = AML_DWORD;
		put32(e + 4, adr);
		e[8] = 0x00;			/* pin: INTA# */
		e[9] = 0x00;			/* source: none, a GSI follows */
		e[10] = AML_BYTE;
		e[11] = slot & 1 ? PCI_INTX_IRQ_ODD : PCI_INTX_IRQ_EVEN;
		n += 12;
	}
	return aml_wrap(p, (const uint8_t[]){ AML_PACKAGE }, 1, n);
}

static size_t build_dsdt_aml(uint8_t *a)
{
	static const uint8_t s5[] = {
		AML_NAME, '_', 'S', '5', '_', AML_PACKAGE, 0x08, 0x04,
		AML_BYTE, ACPI_SLP_TYP_S5, AML_BYTE, ACPI_SLP_TYP_S5, 0x00, 0x00,
	};
	uint8_t *p = a, *dev, *b;
	size_t n, crs;

	/* build inside out: device body at a fixed scratch offset, then wrap */
	dev = p + 16;
	b = dev + 8;
	memcpy(b, "PCI0", 4);
	n = 4;
	b[n++] = AML_NAME;
	memcpy(b + n, "_HID", 4);
	n += 4;
	b[n++] = AML_DWORD;
	/* EisaId ("PNP0A03"): compressed "PNP" 0x41D0, product 0x0A03, big-endian bytes */
	b[n++] = 0x41;
	b[n++] = 0xd0;
	b[n++] = 0x0a;
	b[n++] = 0x03;
	b[n++] = AML_NAME;
	memcpy(b + n, "_UID", 4);
	n += 4;
	b[n++] = 0x00;			/* ZeroOp */
	b[n++] = AML_NAME;
	memcpy(b + n, "_CRS", 4);
	n += 4;
	/* Buffer: [0x11][PkgLength][BytePrefix size][bytes] */
	{
		uint8_t *buf = b + n;

		crs = build_crs(buf + 8 + 2);
		buf[8] = AML_BYTE;
		buf[9] = (uint8_t)crs;
		n += aml_wrap(buf, (const uint8_t[]){ AML_BUFFER }, 1, crs + 2);
	}
	b[n++] = AML_NAME;
	memcpy(b + n, "_PRT", 4);
	n += 4;
	n += build_prt(b + n);
	n = aml_wrap(dev, (const uint8_t[]){ AML_EXT, AML_DEVICE }, 2, n);
	/* Scope (\_SB) around it */
	memmove(p + 8 + 5, dev, n);
	memcpy(p + 8, "\\_SB_", 5);
	n = aml_wrap(p, (const uint8_t[]){ AML_SCOPE }, 1, n + 5);
	p += n;
	memcpy(p, s5, sizeof(s5));
	p += sizeof(s5);
	return (size_t)(p - a);
}

static size_t build_madt(uint8_t *m, unsigned ncpus)
{
	uint8_t *p = m + MADT_ENTRIES;

	put32(m + MADT_LAPIC_ADDR, (uint32_t)LAPIC_BASE);
	put32(m + MADT_FLAGS, MADT_PCAT_COMPAT);
	for (unsigned i = 0; i < ncpus; i++, p += 8) {
		put8(p, MADT_T_LAPIC);
		put8(p + 1, 8);
		put8(p + 2, (uint8_t)i);	/* ACPI processor UID */
		put8(p + 3, (uint8_t)i);	/* APIC ID */
		put32(p + 4, 1);		/* enabled */
	}
	put8(p, MADT_T_IOAPIC);
	put8(p + 1, 12);
	put8(p + 2, (uint8_t)ncpus);		/* first ID after the local APICs */
	put8(p + 3, 0);
	put32(p + 4, (uint32_t)IOAPIC_BASE);
	put32(p + 8, 0);			/* GSI base */
	p += 12;
	/* ISA IRQ 0 (PIT) is wired to IOAPIC pin 2; edge, high: conforms to ISA */
	put8(p, MADT_T_ISO);
	put8(p + 1, 10);
	put8(p + 2, 0);				/* bus: ISA */
	put8(p + 3, IRQ_PIT);
	put32(p + 4, IOAPIC_PIT_PIN);
	put16(p + 8, 0);			/* flags: conforms to the bus */
	p += 10;
	/* the SCI is level-triggered, active high (5.2.9: SCI_INT) */
	put8(p, MADT_T_ISO);
	put8(p + 1, 10);
	put8(p + 2, 0);
	put8(p + 3, IRQ_SCI);
	put32(p + 4, IRQ_SCI);
	put16(p + 8, MADT_ISO_FLAGS_SCI);
	p += 10;
	/* LINT1 of every processor (UID 0xFF) is the NMI input, as on a PC */
	put8(p, MADT_T_LAPIC_NMI);
	put8(p + 1, 6);
	put8(p + 2, 0xff);
	put16(p + 3, 0);			/* flags: conforms to the bus */
	put8(p + 5, 1);				/* LINT1 */
	p += 6;
	header(m, "APIC", (uint32_t)(p - m), 5);
	seal(m);
	return (size_t)(p - m);
}

int acpi_build(struct guest_mem *gm, unsigned ncpus, char *err, size_t errlen)
{
	uint8_t *rsdp = gmem_ptr(gm, ACPI_RSDP_ADDR, ACPI_TABLES_END - ACPI_RSDP_ADDR);
	uint8_t *t;
	const uint32_t base = ACPI_TABLES_ADDR;

	if (ncpus < 1 || ncpus > HVLAB_MAX_VCPUS)
		return loader_error(err, errlen, "the ACPI tables describe 1 to %d vCPUs, not %u",
				    HVLAB_MAX_VCPUS, ncpus);
	if (!rsdp)
		return loader_error(err, errlen,
				    "guest RAM does not cover the ACPI table area 0x%x-0x%x",
				    ACPI_RSDP_ADDR, ACPI_TABLES_END - 1);
	memset(rsdp, 0, ACPI_TABLES_END - ACPI_RSDP_ADDR);
	t = rsdp + (ACPI_TABLES_ADDR - ACPI_RSDP_ADDR);

	header(t + ACPI_RSDT_OFF, "RSDT", ACPI_HDR_LEN + 2 * 4, 1);
	put32(t + ACPI_RSDT_OFF + ACPI_HDR_LEN, base + ACPI_FADT_OFF);
	put32(t + ACPI_RSDT_OFF + ACPI_HDR_LEN + 4, base + ACPI_MADT_OFF);
	seal(t + ACPI_RSDT_OFF);

	header(t + ACPI_XSDT_OFF, "XSDT", ACPI_HDR_LEN + 2 * 8, 1);
	put64(t + ACPI_XSDT_OFF + ACPI_HDR_LEN, base + ACPI_FADT_OFF);
	put64(t + ACPI_XSDT_OFF + ACPI_HDR_LEN + 8, base + ACPI_MADT_OFF);
	seal(t + ACPI_XSDT_OFF);

	build_fadt(t + ACPI_FADT_OFF, base + ACPI_FACS_OFF, base + ACPI_DSDT_OFF);

	/* the FACS has no checksum and no common header (Table 5.14) */
	memcpy(t + ACPI_FACS_OFF, "FACS", 4);
	put32(t + ACPI_FACS_OFF + 4, 64);
	put8(t + ACPI_FACS_OFF + 32, 2);	/* version */

	header(t + ACPI_DSDT_OFF, "DSDT",
	       (uint32_t)(ACPI_HDR_LEN + build_dsdt_aml(t + ACPI_DSDT_OFF + ACPI_HDR_LEN)), 2);
	seal(t + ACPI_DSDT_OFF);

	build_madt(t + ACPI_MADT_OFF, ncpus);

	/* RSDP: the first 20 bytes (ACPI 1.0 part) and all 36 sum to zero */
	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + 9, ACPI_OEM_ID, 6);
	put8(rsdp + 15, 2);
	put32(rsdp + 16, base + ACPI_RSDT_OFF);
	put32(rsdp + 20, ACPI_RSDP_LEN);
	put64(rsdp + 24, base + ACPI_XSDT_OFF);
	rsdp[8] = checksum(rsdp, 20);
	rsdp[32] = checksum(rsdp, ACPI_RSDP_LEN);
	return 0;
}
