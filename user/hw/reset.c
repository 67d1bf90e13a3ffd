// SPDX-License-Identifier: GPL-2.0
/*
 * reset.c - the reset control register at 0xCF9 (PIIX3/ICH "RC"), one
 * byte: bit 1 SYS_RST (1 asks for a hard reset, 0 a soft one), bit 2
 * RST_CPU (writing 1 starts the reset), bit 3 FULL_RST.  Linux writes it
 * (reboot=pci, and as the FADT's reset register) first with bit 1 alone,
 * then with bits 1 and 2.
 *
 * A VM has one kind of reset: any write with bit 2 set ends the run
 * through the hw_stop_fn given at attach, with its status; hvlab run does
 * not restart the guest.  Bits 1 and 3 read back as written.  0xCF9 sits
 * inside the PCI configuration ports (0xCF8-0xCFF): pci.c leaves that one
 * byte to this file.
 */
#include <stdlib.h>

#include "hw/board.h"
#include "hw/devices.h"

#define RC_SYS_RST	0x02
#define RC_RST_CPU	0x04
#define RC_FULL_RST	0x08

struct reset_cf9 {
	struct hv_device dev;
	uint8_t rc;		/* written from vCPU threads: atomics, no lock */
	hw_stop_fn stop;
	void *ctx;
	int status;
};

static void rc_in(struct hv_device *dev, uint16_t port, void *data, unsigned size)
{
	struct reset_cf9 *r = dev->priv;
	uint8_t *b = data;

	(void)port;
	b[0] = __atomic_load_n(&r->rc, __ATOMIC_RELAXED);
	for (unsigned i = 1; i < size; i++)
		b[i] = 0xff;
}

static void rc_out(struct hv_device *dev, uint16_t port, const void *data, unsigned size)
{
	struct reset_cf9 *r = dev->priv;
	uint8_t v = *(const uint8_t *)data;

	(void)port;
	(void)size;
	__atomic_store_n(&r->rc, (uint8_t)(v & (RC_SYS_RST | RC_FULL_RST)), __ATOMIC_RELAXED);
	if ((v & RC_RST_CPU) && r->stop)
		r->stop(r->ctx, r->status, false, (v & RC_SYS_RST) ?
			"the guest reset the machine (0xCF9, hard)" :
			"the guest reset the machine (0xCF9, soft)");
}

static void rc_destroy(struct hv_device *dev)
{
	free(dev->priv);
}

static const struct hv_device_ops rc_ops = {
	.pio_in = rc_in,
	.pio_out = rc_out,
	.destroy = rc_destroy,
};

struct hv_device *reset_cf9_attach(struct bus *bus, hw_stop_fn reset, void *ctx, int status)
{
	struct reset_cf9 *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->dev = (struct hv_device){ .name = "reset-cf9", .ops = &rc_ops, .priv = r };
	r->stop = reset;
	r->ctx = ctx;
	r->status = status;
	if (bus_register_pio(bus, PORT_RESET_CF9, 1, &r->dev)) {
		free(r);
		return NULL;
	}
	return &r->dev;
}
