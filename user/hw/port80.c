// SPDX-License-Identifier: GPL-2.0
/*
 * port80.c - the POST-code port 0x80.  Firmware and old drivers write to
 * it as a tiny delay or a progress code; hvlab accepts the writes quietly
 * (so they are not logged as unclaimed), keeps the last value for the
 * dashboard and reads back that value.
 */
#include <stdlib.h>
#include <string.h>

#include "hw/devices.h"

struct port80 {
	struct hv_device dev;
	uint8_t last;
};

static void port80_in(struct hv_device *dev, uint16_t port, void *data, unsigned size)
{
	struct port80 *p = dev->priv;

	(void)port;
	memset(data, p->last, size);
}

static void port80_out(struct hv_device *dev, uint16_t port, const void *data, unsigned size)
{
	struct port80 *p = dev->priv;

	(void)port;
	(void)size;
	p->last = *(const uint8_t *)data;
}

static void port80_destroy(struct hv_device *dev)
{
	free(dev->priv);
}

static const struct hv_device_ops port80_ops = {
	.pio_in = port80_in,
	.pio_out = port80_out,
	.destroy = port80_destroy,
};

struct hv_device *port80_attach(struct bus *bus)
{
	struct port80 *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->dev = (struct hv_device){ .name = "port80", .ops = &port80_ops, .priv = p };
	if (bus_register_pio(bus, 0x80, 1, &p->dev)) {
		free(p);
		return NULL;
	}
	return &p->dev;
}

uint8_t port80_last(const struct hv_device *dev)
{
	return ((const struct port80 *)dev->priv)->last;
}
