// SPDX-License-Identifier: GPL-2.0
/*
 * fwcfg.c - a QEMU-compatible fw_cfg device: the way firmware asks the
 * hypervisor about the machine.  Only the traditional I/O interface:
 *
 *   0x510  selector, a 16-bit write picks an item and rewinds it
 *   0x511  data, each 8-bit read returns the next byte of the item
 *
 * Item numbers and formats are QEMU's (docs/specs/fw_cfg.rst in QEMU), so
 * code written for QEMU works unchanged; multi-byte numbers are
 * little-endian.  Items hvlab offers:
 *
 *   0x0000 SIGNATURE     "QEMU" (4 bytes): the device is there
 *   0x0001 ID            u32 1: traditional interface, no DMA
 *   0x0003 RAM_SIZE      u64 guest RAM in bytes
 *   0x0005 NB_CPUS       u16 number of vCPUs
 *   0x000f MAX_CPUS      u16 the same
 *   0x0014 CMDLINE_SIZE  u32 length of the command line including its NUL
 *   0x0015 CMDLINE_DATA  the command line (--append), NUL-terminated
 *   0x8000 hvlab's own   "HVLAB\0\0\0": a guest can tell hvlab from QEMU
 *                        (0x8000 is the first "architecture-specific" key)
 *
 * Reading past the end of an item, or an item that does not exist, gives
 * 0 (QEMU does the same).  Data writes are ignored.
 */
#include <stdlib.h>
#include <string.h>

#include "hw/devices.h"

#define FWCFG_MAX_ITEMS	8

struct fwcfg_item {
	uint16_t key;
	uint32_t len;
	uint8_t *data;
};

struct fwcfg {
	struct hv_device dev;
	struct fwcfg_item item[FWCFG_MAX_ITEMS];
	unsigned nitems;
	const struct fwcfg_item *cur;	/* NULL: selected key does not exist */
	uint32_t offset;
};

static int fwcfg_add(struct fwcfg *f, uint16_t key, const void *data, uint32_t len)
{
	struct fwcfg_item *it = &f->item[f->nitems];

	if (f->nitems == FWCFG_MAX_ITEMS)
		return -1;
	it->data = malloc(len ? len : 1);
	if (!it->data)
		return -1;
	memcpy(it->data, data, len);
	it->key = key;
	it->len = len;
	f->nitems++;
	return 0;
}

static int fwcfg_add_le(struct fwcfg *f, uint16_t key, uint64_t v, uint32_t len)
{
	uint8_t b[8];

	for (uint32_t i = 0; i < len; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	return fwcfg_add(f, key, b, len);
}

static void fwcfg_select(struct fwcfg *f, uint16_t key)
{
	f->cur = NULL;
	f->offset = 0;
	for (unsigned i = 0; i < f->nitems; i++)
		if (f->item[i].key == key)
			f->cur = &f->item[i];
}

static void fwcfg_in(struct hv_device *dev, uint16_t port, void *data, unsigned size)
{
	struct fwcfg *f = dev->priv;
	uint8_t *p = data;

	memset(data, 0, size);
	if (port != FWCFG_PORT_DATA)
		return;		/* the selector is write-only */
	for (unsigned i = 0; i < size; i++)
		if (f->cur && f->offset < f->cur->len)
			p[i] = f->cur->data[f->offset++];
}

static void fwcfg_out(struct hv_device *dev, uint16_t port, const void *data, unsigned size)
{
	struct fwcfg *f = dev->priv;
	uint16_t key = 0;

	if (port != FWCFG_PORT_SEL)
		return;
	memcpy(&key, data, size >= 2 ? 2 : 1);
	fwcfg_select(f, key);
}

static void fwcfg_destroy(struct hv_device *dev)
{
	struct fwcfg *f = dev->priv;

	for (unsigned i = 0; i < f->nitems; i++)
		free(f->item[i].data);
	free(f);
}

static const struct hv_device_ops fwcfg_ops = {
	.pio_in = fwcfg_in,
	.pio_out = fwcfg_out,
	.destroy = fwcfg_destroy,
};

struct hv_device *fwcfg_attach(struct bus *bus, unsigned ncpus, uint64_t ram_size,
			       const char *cmdline)
{
	struct fwcfg *f = calloc(1, sizeof(*f));
	uint32_t cmdlen;

	if (!f)
		return NULL;
	f->dev = (struct hv_device){ .name = "fw_cfg", .ops = &fwcfg_ops, .priv = f };
	if (!cmdline)
		cmdline = "";
	cmdlen = (uint32_t)strlen(cmdline) + 1;
	if (fwcfg_add(f, FWCFG_SIGNATURE, "QEMU", 4) ||
	    fwcfg_add_le(f, FWCFG_ID, 1, 4) ||
	    fwcfg_add_le(f, FWCFG_RAM_SIZE, ram_size, 8) ||
	    fwcfg_add_le(f, FWCFG_NB_CPUS, ncpus, 2) ||
	    fwcfg_add_le(f, FWCFG_MAX_CPUS, ncpus, 2) ||
	    fwcfg_add_le(f, FWCFG_CMDLINE_SIZE, cmdlen, 4) ||
	    fwcfg_add(f, FWCFG_CMDLINE_DATA, cmdline, cmdlen) ||
	    fwcfg_add(f, FWCFG_HVLAB_SIGNATURE, "HVLAB\0\0\0", 8) ||
	    bus_register_pio(bus, FWCFG_PORT_SEL, 2, &f->dev)) {
		fwcfg_destroy(&f->dev);
		return NULL;
	}
	fwcfg_select(f, FWCFG_SIGNATURE);
	return &f->dev;
}
