/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pci.h - the PCI host bridge (pci.c) and how a device model plugs into it.
 *
 * A PCI device model owns a struct pci_dev: 256 bytes of configuration
 * space that pci.c keeps (ID, command, status, BARs, interrupt line/pin),
 * plus callbacks for accesses to its BARs.  The model declares its BARs
 * with pci_dev_bar(); pci.c then answers the OS's sizing (write all-ones,
 * read back ~(size - 1) | type bits), gives each BAR a first address inside
 * the bridge's window (board.h, as firmware would), and routes an access
 * to the model only while the BAR is enabled by the command register
 * (MEM or IO) and lies where the OS put it.  Offsets handed to the
 * callbacks are relative to the BAR's base.
 *
 * Interrupts: pci_dev_set_irq(dev, level) drives the device's INTA#.
 * Lines are shared (wired-OR): the ISA IRQ a pin is routed to is asserted
 * while any device on it asserts its pin and has not set
 * COMMAND.INTX_DISABLE.  STATUS.INTERRUPT reflects the device's own pin.
 *
 * Locking: configuration accesses and BAR accesses arrive under the bus
 * lock; pci_dev_set_irq may be called from any thread (the device model
 * serialises its own calls; the host's line count has its own mutex).
 */
#ifndef HVLAB_HW_PCI_H
#define HVLAB_HW_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/irq.h"

struct bus;

/* Configuration space offsets (PCI Local Bus 3.0, 6.1) used by hvlab. */
#define PCI_VENDOR_ID		0x00
#define PCI_DEVICE_ID		0x02
#define PCI_COMMAND		0x04
#define PCI_STATUS		0x06
#define PCI_REVISION_ID		0x08
#define PCI_CLASS_PROG		0x09
#define PCI_CLASS_DEVICE	0x0a
#define PCI_HEADER_TYPE		0x0e
#define PCI_BAR0		0x10
#define PCI_SUBSYSTEM_VENDOR_ID	0x2c
#define PCI_SUBSYSTEM_ID	0x2e
#define PCI_CAPABILITY_LIST	0x34
#define PCI_INTERRUPT_LINE	0x3c
#define PCI_INTERRUPT_PIN	0x3d

#define PCI_COMMAND_IO		(1u << 0)
#define PCI_COMMAND_MEMORY	(1u << 1)
#define PCI_COMMAND_MASTER	(1u << 2)
#define PCI_COMMAND_INTX_DISABLE (1u << 10)
#define PCI_STATUS_INTERRUPT	(1u << 3)

#define PCI_BAR_IO		0x1	/* bit 0 of an I/O BAR */
#define PCI_NUM_BARS		6
#define PCI_MAX_SLOTS		32

#define PCI_HOST_VENDOR		0x8086	/* Intel */
#define PCI_HOST_DEVICE		0x1237	/* 82441FX (440FX) host bridge */
#define PCI_CLASS_HOST_BRIDGE	0x0600

struct pci_dev;

/* An access to BAR `bar` at `off` bytes from its base; len 1, 2, 4 or 8. */
struct pci_dev_ops {
	void (*bar_read)(void *opaque, int bar, uint64_t off, void *data, unsigned len);
	void (*bar_write)(void *opaque, int bar, uint64_t off, const void *data, unsigned len);
};

struct pci_host;

/*
 * Creates the bridge at 0xCF8 and 0xCFA-0xCFF (0xCF9 is reset.c's), its
 * own function 00:00.0, and the MMIO and I/O windows on the bus.  `intx`
 * gives the set function and context of the interrupt lines (its gsi is
 * ignored: each slot's is PCI_INTX_IRQ_EVEN/ODD); NULL leaves them
 * unconnected.  The bus owns the bridge; NULL on failure.
 */
struct pci_host *pci_attach(struct bus *bus, const struct irq_line *intx);

/*
 * Adds a single-function device in `slot` (1..31; 0 is the bridge) or the
 * first free slot when slot < 0.  class_rev is the 24-bit class code
 * (base, sub-class, prog-if) << 8 | revision, register 0x08 as a dword.
 * NULL when the slot is taken or none is left.  The device lives as long
 * as the bridge.
 */
struct pci_dev *pci_dev_add(struct pci_host *h, int slot, uint16_t vendor, uint16_t device,
			    uint32_t class_rev, const struct pci_dev_ops *ops, void *opaque);
/* Takes a device off the bus again (set-up failed before the guest ran). */
void pci_dev_remove(struct pci_dev *d);
/* Declares BAR `bar` (0..5): a power-of-two size, I/O (>= 4) or 32-bit memory (>= 16). */
int pci_dev_bar(struct pci_dev *d, int bar, bool io, uint32_t size);
/* The name the dashboard's device I/O panel shows for accesses to its BARs. */
void pci_dev_set_name(struct pci_dev *d, const char *name);
/* Drives INTA#: 1 asserted, 0 released. */
void pci_dev_set_irq(struct pci_dev *d, int level);

/* For device models and tests. */
uint8_t *pci_dev_config(struct pci_dev *d);	/* the 256 bytes; set subsystem IDs here */
unsigned pci_dev_slot(const struct pci_dev *d);
unsigned pci_dev_irq(const struct pci_dev *d);	/* the ISA IRQ its INTA# reaches */
uint64_t pci_dev_bar_base(const struct pci_dev *d, int bar);	/* as programmed */
bool pci_dev_bar_enabled(const struct pci_dev *d, int bar);	/* decoded now */

#endif
