// SPDX-License-Identifier: GPL-2.0
/*
 * pci.c - PCI configuration mechanism #1 (PCI Local Bus spec 3.0, 3.2.2.3.2)
 * with an empty bus behind it.
 *
 *   0xCF8  CONFIG_ADDRESS, 32-bit only: enable bit 31, bus 23:16,
 *          device 15:11, function 10:8, register 7:2
 *   0xCFC  CONFIG_DATA, 0xCFC..0xCFF, any size
 *
 * Every configuration read returns all-ones: vendor ID 0xFFFF is how a
 * PCI scan learns "no device here".  Writes are ignored.  Byte and word
 * accesses to 0xCF8..0xCFB are not configuration cycles; they read as
 * all-ones and are ignored.  0xCF9 is not registered here: it is the reset
 * register (reset.c), a 4-byte access at 0xCF8 still arrives here whole.
 */
#include <stdlib.h>
#include <string.h>

#include "hw/devices.h"

struct pci {
	struct hv_device dev;
	uint32_t address;
};

static void pci_in(struct hv_device *dev, uint16_t port, void *data, unsigned size)
{
	struct pci *p = dev->priv;

	if (port == 0xCF8 && size == 4)
		memcpy(data, &p->address, 4);
	else
		memset(data, 0xff, size);	/* no device answers */
}

static void pci_out(struct hv_device *dev, uint16_t port, const void *data, unsigned size)
{
	struct pci *p = dev->priv;

	if (port == 0xCF8 && size == 4)
		memcpy(&p->address, data, 4);
	/* configuration writes to absent devices are dropped */
}

static void pci_destroy(struct hv_device *dev)
{
	free(dev->priv);
}

static const struct hv_device_ops pci_ops = {
	.pio_in = pci_in,
	.pio_out = pci_out,
	.destroy = pci_destroy,
};

struct hv_device *pci_attach(struct bus *bus)
{
	struct pci *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->dev = (struct hv_device){ .name = "pci-config", .ops = &pci_ops, .priv = p };
	/* 0xCF8-0xCFF but 0xCF9, the reset register (reset.c) */
	if (bus_register_pio(bus, 0xCF8, 1, &p->dev)) {
		free(p);
		return NULL;
	}
	if (bus_register_pio(bus, 0xCFA, 6, &p->dev))
		return NULL;	/* the bus already owns it and frees it */
	return &p->dev;
}
