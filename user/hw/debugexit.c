// SPDX-License-Identifier: GPL-2.0
/*
 * debugexit.c - QEMU's isa-debug-exit device: a write of value v to the
 * port ends the run and hvlab exits with status (v << 1) | 1.
 *
 * Bare-metal test binaries written for QEMU (`-device
 * isa-debug-exit,iobase=0xf4,iosize=0x04`) use it to report a result; the
 * status is always odd so it can never be mistaken for a clean exit 0 of
 * the emulator itself.  The 4 ports 0xF4..0xF7 are claimed, any access
 * size is accepted and the value is zero-extended.  Reads return 0.
 */
#include <stdlib.h>
#include <string.h>

#include "hw/devices.h"

struct debugexit {
	struct hv_device dev;
	hw_stop_fn stop;
	void *ctx;
};

static void debugexit_in(struct hv_device *dev, uint16_t port, void *data, unsigned size)
{
	(void)dev;
	(void)port;
	memset(data, 0, size);
}

static void debugexit_out(struct hv_device *dev, uint16_t port, const void *data, unsigned size)
{
	struct debugexit *d = dev->priv;
	uint32_t v = 0;
	char why[96];

	memcpy(&v, data, size > 4 ? 4 : size);
	snprintf(why, sizeof(why), "guest wrote %u to debug-exit port 0x%x: exit status %d",
		 v, port, debugexit_status(v));
	if (d->stop)
		d->stop(d->ctx, debugexit_status(v), true, why);
}

static void debugexit_destroy(struct hv_device *dev)
{
	free(dev->priv);
}

static const struct hv_device_ops debugexit_ops = {
	.pio_in = debugexit_in,
	.pio_out = debugexit_out,
	.destroy = debugexit_destroy,
};

struct hv_device *debugexit_attach(struct bus *bus, uint16_t port, hw_stop_fn stop, void *ctx)
{
	struct debugexit *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->dev = (struct hv_device){ .name = "debug-exit", .ops = &debugexit_ops, .priv = d };
	d->stop = stop;
	d->ctx = ctx;
	if (bus_register_pio(bus, port, 4, &d->dev)) {
		free(d);
		return NULL;
	}
	return &d->dev;
}
