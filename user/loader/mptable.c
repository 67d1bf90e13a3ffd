// SPDX-License-Identifier: GPL-2.0
/*
 * mptable.c - the MultiProcessor Specification 1.4 tables of hvlab's PC:
 * the older description of the same processors and interrupt wiring the
 * MADT gives (acpi.c).  An OS with ACPI prefers the MADT; this one is what
 * it reads when ACPI is off (Linux: acpi=off).
 *
 * At MPTABLE_ADDR (hw/board.h), inside 0xF0000-0xFFFFF where the OS scans:
 *   +0x00  the MP floating pointer structure (16 bytes, MP spec 4.1):
 *          "_MP_", the configuration table's address, revision 1.4,
 *          feature bytes 0 (a configuration table follows; IMCR absent, so
 *          virtual-wire mode: the 8259 reaches the CPU through LINT0)
 *   +0x10  the configuration table (4.2): "PCMP", then entries in the
 *          order the spec asks: processors, the buses (PCI bus 0 with
 *          bus ID 0, since an OS looks PCI interrupts up by bus number;
 *          ISA with ID 1), the IOAPIC, I/O interrupt assignments, local
 *          interrupt assignments
 * Wiring (hw/irq.h): ISA IRQ n on IOAPIC pin n, except IRQ 0 on pin 2 and
 * IRQ 2 (the cascade) nowhere; IRQ 9 (SCI) level-triggered, active high;
 * INTA# of PCI slot s (source IRQ s << 2, D.3) on pin 11 (s odd) or 10
 * (s even), level-triggered, active low, as pci.c routes it (for
 * acpi=off: Linux's IO_APIC_get_PCI_irq_vector reads these);
 * the 8259's INTR on LINT0 (ExtINT), NMI on LINT1, of every processor.
 * Both structures checksum to zero.
 */
#include <string.h>

#include <uapi/hvlab.h>

#include "guestmem.h"
#include "hw/board.h"
#include "hw/irq.h"
#include "loader/acpi.h"
#include "loader/loader.h"

#define MPC_OFF			0x10	/* the configuration table, after the pointer */
#define MPC_HDR_LEN		44
#define MP_PROC_LEN		20
#define MP_SHORT_LEN		8	/* bus, IOAPIC, interrupt entries */
#define MP_ISA_IRQS		16
#define MP_PCI_SLOTS		32	/* slots 1..31 have an INTA# entry */
#define MP_BUS_PCI		0
#define MP_BUS_ISA		1
#define MP_FLAGS_PCI		0x000f	/* level (3 << 2), active low (3) */
#define MP_MAX_LEN		(MPC_OFF + MPC_HDR_LEN + HVLAB_MAX_VCPUS * MP_PROC_LEN + \
				 (3 + MP_ISA_IRQS + MP_PCI_SLOTS + 2) * MP_SHORT_LEN)

enum { MP_PROCESSOR, MP_BUS, MP_IOAPIC, MP_IOINTR, MP_LINTR };
enum { MP_INT, MP_NMI, MP_SMI, MP_EXTINT };	/* interrupt types (Table 4-9) */

_Static_assert((MPTABLE_ADDR & 15) == 0 && MPTABLE_ADDR >= 0xF0000 &&
	       MPTABLE_ADDR + MP_MAX_LEN <= 0x100000, "the MP table must be where the scan looks");

static uint8_t checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum += *p++;
	return (uint8_t)-sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* An I/O or local interrupt entry (4.3.4, 4.3.5): both have the same shape. */
static uint8_t *intr(uint8_t *p, uint8_t kind, uint8_t type, uint16_t flags, uint8_t bus,
		     uint8_t irq, uint8_t dest, uint8_t pin)
{
	p[0] = kind;
	p[1] = type;
	put16(p + 2, flags);	/* polarity bits 1:0, trigger bits 3:2; 0 = as the bus */
	p[4] = bus;		/* source bus ID */
	p[5] = irq;
	p[6] = dest;		/* IOAPIC ID, or local APIC ID (0xFF: all) */
	p[7] = pin;		/* INTIN# or LINTIN# */
	return p + MP_SHORT_LEN;
}

int mptable_build(struct guest_mem *gm, unsigned ncpus, char *err, size_t errlen)
{
	uint8_t *mpf = gmem_ptr(gm, MPTABLE_ADDR, MP_MAX_LEN), *c, *p;
	uint16_t entries = 0;

	if (ncpus < 1 || ncpus > HVLAB_MAX_VCPUS)
		return loader_error(err, errlen, "the MP table describes 1 to %d vCPUs, not %u",
				    HVLAB_MAX_VCPUS, ncpus);
	if (!mpf)
		return loader_error(err, errlen, "guest RAM does not cover the MP table at 0x%x",
				    MPTABLE_ADDR);
	memset(mpf, 0, MP_MAX_LEN);
	c = mpf + MPC_OFF;
	p = c + MPC_HDR_LEN;

	for (unsigned i = 0; i < ncpus; i++, p += MP_PROC_LEN, entries++) {
		p[0] = MP_PROCESSOR;
		p[1] = (uint8_t)i;		/* local APIC ID */
		p[2] = 0x14;			/* local APIC version: integrated xAPIC */
		p[3] = 1 | (i == 0 ? 2 : 0);	/* enabled; the BSP is vCPU 0 */
		put32(p + 4, 0x600);		/* CPU signature: family 6 */
		put32(p + 8, (1u << 9) | 1);	/* CPUID.1:EDX: APIC, FPU */
	}
	p[0] = MP_BUS;
	p[1] = MP_BUS_PCI;
	memcpy(p + 2, "PCI   ", 6);
	p += MP_SHORT_LEN;
	p[0] = MP_BUS;
	p[1] = MP_BUS_ISA;
	memcpy(p + 2, "ISA   ", 6);
	p += MP_SHORT_LEN;
	entries += 2;
	p[0] = MP_IOAPIC;
	p[1] = (uint8_t)ncpus;			/* the same ID as in the MADT */
	p[2] = 0x11;				/* IOAPIC version */
	p[3] = 1;				/* enabled */
	put32(p + 4, (uint32_t)IOAPIC_BASE);
	p += MP_SHORT_LEN;
	entries++;
	for (unsigned irq = 0; irq < MP_ISA_IRQS; irq++) {
		if (irq == 2)			/* the cascade: no device behind it */
			continue;
		p = intr(p, MP_IOINTR, MP_INT, irq == IRQ_SCI ? MADT_ISO_FLAGS_SCI : 0, MP_BUS_ISA,
			 (uint8_t)irq, (uint8_t)ncpus,
			 (uint8_t)(irq == IRQ_PIT ? IOAPIC_PIT_PIN : irq));
		entries++;
	}
	for (unsigned slot = 1; slot < MP_PCI_SLOTS; slot++, entries++)
		p = intr(p, MP_IOINTR, MP_INT, MP_FLAGS_PCI, MP_BUS_PCI, (uint8_t)(slot << 2),
			 (uint8_t)ncpus, slot & 1 ? PCI_INTX_IRQ_ODD : PCI_INTX_IRQ_EVEN);
	p = intr(p, MP_LINTR, MP_EXTINT, 0, 0, 0, 0xff, 0);	/* the 8259 on LINT0 */
	p = intr(p, MP_LINTR, MP_NMI, 0, 0, 0, 0xff, 1);
	entries += 2;

	memcpy(c, "PCMP", 4);
	put16(c + 4, (uint16_t)(p - c));	/* base table length */
	c[6] = 4;				/* spec revision 1.4 */
	memcpy(c + 8, "HVLAB   ", 8);
	memcpy(c + 16, "HVLABPC     ", 12);
	put16(c + 34, entries);
	put32(c + 36, (uint32_t)LAPIC_BASE);
	c[7] = checksum(c, (size_t)(p - c));

	memcpy(mpf, "_MP_", 4);
	put32(mpf + 4, MPTABLE_ADDR + MPC_OFF);
	mpf[8] = 1;				/* length in 16-byte units */
	mpf[9] = 4;				/* spec revision 1.4 */
	mpf[10] = checksum(mpf, 16);
	return 0;
}
