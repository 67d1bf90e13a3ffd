// SPDX-License-Identifier: GPL-2.0
/*
 * bus.c - the port-I/O and MMIO range registry (see bus.h).
 *
 * Two tables of [base, base + len) ranges, one for ports and one for
 * guest-physical addresses, each kept sorted by base so a look-up is a
 * binary search.  A device may own several ranges (the PIC owns 0x20 and
 * 0xA0); it is destroyed once, by bus_free().
 *
 * Locking: one mutex per bus serialises every access, so device models
 * never see two vCPUs at once and need no locks of their own.  Device
 * accesses are rare and short next to a VM exit, so the big lock costs
 * nothing measurable.  The observer is called under the same lock, after
 * the device, so it sees the value a read returned.
 *
 * One access skips the lock and the search: a port inside no registered
 * range.  `pio_used` has a bit for every port some range covers, set when
 * the range is registered and never cleared, so a clear bit means no
 * device can answer, whatever the table holds; a guest polling a port
 * nobody owns (bench.elf's OUT, a probe of absent hardware) pays neither
 * the lock nor the search, watched or not: the observer hears of such an
 * access without the lock (the dashboard's and the recorder's observers
 * push onto a lock-free queue, and take their own locks otherwise).  A
 * range registered while such an access is on its way is a race the
 * locked path has too.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "hw/bus.h"
#include "hw/devices.h"

struct bus_range {
	uint64_t base, len;
	struct hv_device *dev;
};

struct bus_table {
	struct bus_range *r;
	size_t n, cap;
};

struct bus {
	pthread_mutex_t lock;
	struct bus_table pio, mmio;
	struct hv_device **devs;	/* each registered device once */
	size_t ndevs;
	bus_observer_fn observer;
	void *observer_ctx;
	uint8_t pio_used[0x10000 / 8];	/* ports some range covers (see the top) */
};

struct bus *bus_new(void)
{
	struct bus *bus = calloc(1, sizeof(*bus));

	if (bus)
		pthread_mutex_init(&bus->lock, NULL);
	return bus;
}

void bus_free(struct bus *bus)
{
	if (!bus)
		return;
	for (size_t i = 0; i < bus->ndevs; i++)
		if (bus->devs[i]->ops->destroy)
			bus->devs[i]->ops->destroy(bus->devs[i]);
	free(bus->devs);
	free(bus->pio.r);
	free(bus->mmio.r);
	pthread_mutex_destroy(&bus->lock);
	free(bus);
}

static int remember_device(struct bus *bus, struct hv_device *dev)
{
	struct hv_device **d;

	for (size_t i = 0; i < bus->ndevs; i++)
		if (bus->devs[i] == dev)
			return 0;
	d = realloc(bus->devs, (bus->ndevs + 1) * sizeof(*d));
	if (!d)
		return -ENOMEM;
	bus->devs = d;
	bus->devs[bus->ndevs++] = dev;
	return 0;
}

static int table_insert(struct bus_table *t, uint64_t base, uint64_t len, struct hv_device *dev)
{
	size_t i;

	if (len == 0 || base + len < base)
		return -EINVAL;
	for (i = 0; i < t->n; i++) {
		const struct bus_range *r = &t->r[i];

		if (base < r->base + r->len && r->base < base + len)
			return -EEXIST;
		if (r->base > base)
			break;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 16;
		struct bus_range *nr = realloc(t->r, cap * sizeof(*nr));

		if (!nr)
			return -ENOMEM;
		t->r = nr;
		t->cap = cap;
	}
	memmove(&t->r[i + 1], &t->r[i], (t->n - i) * sizeof(t->r[0]));
	t->r[i] = (struct bus_range){ base, len, dev };
	t->n++;
	return 0;
}

static struct hv_device *table_find(const struct bus_table *t, uint64_t addr)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct bus_range *r = &t->r[mid];

		if (addr < r->base)
			hi = mid;
		else if (addr - r->base >= r->len)
			lo = mid + 1;
		else
			return r->dev;
	}
	return NULL;
}

static int do_register(struct bus *bus, struct bus_table *t, uint64_t base, uint64_t len,
		       struct hv_device *dev)
{
	int err;

	if (!dev || !dev->ops)
		return -EINVAL;
	pthread_mutex_lock(&bus->lock);
	err = remember_device(bus, dev);
	if (!err)
		err = table_insert(t, base, len, dev);
	if (!err && t == &bus->pio)
		for (uint64_t p = base; p < base + len; p++)
			__atomic_fetch_or(&bus->pio_used[p >> 3], (uint8_t)(1u << (p & 7)),
					  __ATOMIC_RELEASE);
	pthread_mutex_unlock(&bus->lock);
	return err;
}

int bus_register_pio(struct bus *bus, uint16_t base, uint32_t len, struct hv_device *dev)
{
	if ((uint32_t)base + len > 0x10000)
		return -EINVAL;
	return do_register(bus, &bus->pio, base, len, dev);
}

int bus_register_mmio(struct bus *bus, uint64_t base, uint64_t len, struct hv_device *dev)
{
	return do_register(bus, &bus->mmio, base, len, dev);
}

void bus_set_observer(struct bus *bus, bus_observer_fn fn, void *ctx)
{
	pthread_mutex_lock(&bus->lock);
	/* the context first: bus_pio reads the pair without the lock */
	__atomic_store_n(&bus->observer_ctx, ctx, __ATOMIC_RELAXED);
	__atomic_store_n(&bus->observer, fn, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&bus->lock);
}

static uint64_t le_value(const void *data, unsigned size)
{
	uint64_t v = 0;

	memcpy(&v, data, size > 8 ? 8 : size);	/* x86 is little-endian */
	return v;
}

static bool dispatch(struct bus *bus, bool is_mmio, uint64_t addr, bool is_write,
		     void *data, unsigned size)
{
	struct hv_device *dev;
	bool claimed = false;

	pthread_mutex_lock(&bus->lock);
	dev = table_find(is_mmio ? &bus->mmio : &bus->pio, addr);
	if (dev && dev->ops->claims && !dev->ops->claims(dev, addr, is_mmio))
		dev = NULL;
	if (dev) {
		const struct hv_device_ops *ops = dev->ops;

		if (is_write) {
			if (is_mmio && ops->mmio_write)
				ops->mmio_write(dev, addr, data, size);
			else if (!is_mmio && ops->pio_out)
				ops->pio_out(dev, (uint16_t)addr, data, size);
			dev->writes++;
		} else {
			/* a device without a read hook reads as all-ones */
			memset(data, 0xff, size);
			if (is_mmio && ops->mmio_read)
				ops->mmio_read(dev, addr, data, size);
			else if (!is_mmio && ops->pio_in)
				ops->pio_in(dev, (uint16_t)addr, data, size);
			dev->reads++;
		}
		claimed = true;
	} else if (!is_write) {
		memset(data, 0xff, size);
	}
	if (bus->observer) {
		const struct hv_device *who = dev && dev->ops->target ?
					      dev->ops->target(dev, addr, is_mmio) : NULL;
		struct bus_access a = {
			.dev = who ? who : dev, .addr = addr, .value = le_value(data, size),
			.size = (uint8_t)size, .is_write = is_write, .is_mmio = is_mmio,
		};

		bus->observer(bus->observer_ctx, &a);
	}
	pthread_mutex_unlock(&bus->lock);
	return claimed;
}

bool bus_pio(struct bus *bus, uint16_t port, bool is_write, void *data, unsigned size)
{
	if (size != 1 && size != 2 && size != 4) {
		if (!is_write && size <= 8)
			memset(data, 0xff, size);
		return false;
	}
	/* nobody owns the port: no lock, no search (see the top) */
	if (!(__atomic_load_n(&bus->pio_used[port >> 3], __ATOMIC_ACQUIRE) & (1u << (port & 7)))) {
		bus_observer_fn fn = __atomic_load_n(&bus->observer, __ATOMIC_ACQUIRE);

		if (!is_write)
			memset(data, 0xff, size);
		if (fn) {
			struct bus_access a = {
				.addr = port, .value = le_value(data, size), .size = (uint8_t)size,
				.is_write = is_write,
			};

			fn(__atomic_load_n(&bus->observer_ctx, __ATOMIC_RELAXED), &a);
		}
		return false;
	}
	return dispatch(bus, false, port, is_write, data, size);
}

bool bus_mmio(struct bus *bus, uint64_t addr, bool is_write, void *data, unsigned len)
{
	if (len != 1 && len != 2 && len != 4 && len != 8) {
		if (!is_write && len <= 8)
			memset(data, 0xff, len);
		return false;
	}
	return dispatch(bus, true, addr, is_write, data, len);
}

/* The vCPU of the calling thread, for devices with per-vCPU state. */
static _Thread_local int current_vcpu;

void hw_set_current_vcpu(int id)
{
	current_vcpu = id;
}

int hw_current_vcpu(void)
{
	return current_vcpu;
}
