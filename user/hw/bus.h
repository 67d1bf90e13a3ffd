/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bus.h - the port-I/O and MMIO range registry every device plugs into.
 *
 * A device is an ops table plus private state.  It registers the port and
 * MMIO ranges it answers; the run loop hands each I/O or MMIO exit to
 * bus_pio()/bus_mmio(), which finds the one device whose range contains the
 * address and calls it with the offset-free absolute address.  Adding a
 * device touches no central file except the board set-up that creates it.
 *
 * Invariants: ranges never overlap (registration fails with -EEXIST);
 * accesses are 1, 2, 4 (or 8 for MMIO) bytes, little-endian in `data`;
 * an access no device claims is "unclaimed": reads return all-ones, and the
 * caller decides (log once, or fail with --strict).
 */
#ifndef HVLAB_HW_BUS_H
#define HVLAB_HW_BUS_H

#include <stdbool.h>
#include <stdint.h>

struct hv_device;

struct hv_device_ops {
	/* Port I/O.  `size` is 1, 2 or 4. */
	void (*pio_in)(struct hv_device *dev, uint16_t port, void *data, unsigned size);
	void (*pio_out)(struct hv_device *dev, uint16_t port, const void *data, unsigned size);
	/* MMIO.  `len` is 1, 2, 4 or 8. */
	void (*mmio_read)(struct hv_device *dev, uint64_t addr, void *data, unsigned len);
	void (*mmio_write)(struct hv_device *dev, uint64_t addr, const void *data, unsigned len);
	void (*destroy)(struct hv_device *dev);
	/*
	 * Optional: the device an access at addr really reached, for the
	 * observer (a bus bridge answering for the devices behind it: pci.c).
	 * NULL or absent: dev itself.
	 */
	const struct hv_device *(*target)(struct hv_device *dev, uint64_t addr, bool is_mmio);
	/*
	 * Optional: whether an address inside the device's registered range
	 * really answers (a bridge window with holes between the devices
	 * behind it).  false: the access is unclaimed, as if unregistered.
	 */
	bool (*claims)(struct hv_device *dev, uint64_t addr, bool is_mmio);
};

struct hv_device {
	const char *name;
	const struct hv_device_ops *ops;
	void *priv;
	/* statistics for the dashboard */
	uint64_t reads, writes;
};

/* One access, as the bus reports it to an observer (dashboard, trace). */
struct bus_access {
	const struct hv_device *dev;	/* NULL when unclaimed */
	uint64_t addr;			/* port or GPA */
	uint64_t value;
	uint8_t size;
	bool is_write;
	bool is_mmio;
};

/*
 * Called after the device, under the bus lock, except for a port no device
 * covers: then without any lock, possibly from several vCPU threads at once.
 */
typedef void (*bus_observer_fn)(void *ctx, const struct bus_access *a);

struct bus;

struct bus *bus_new(void);
void bus_free(struct bus *bus);		/* also destroys the devices */
int bus_register_pio(struct bus *bus, uint16_t base, uint32_t len, struct hv_device *dev);
int bus_register_mmio(struct bus *bus, uint64_t base, uint64_t len, struct hv_device *dev);
void bus_set_observer(struct bus *bus, bus_observer_fn fn, void *ctx);
/* Return true when a device claimed the access; unclaimed reads fill 0xff. */
bool bus_pio(struct bus *bus, uint16_t port, bool is_write, void *data, unsigned size);
bool bus_mmio(struct bus *bus, uint64_t addr, bool is_write, void *data, unsigned len);

#endif
