// SPDX-License-Identifier: GPL-2.0
/*
 * lapic.c - a local-APIC register stub at 0xFEE00000 (4 KiB of MMIO), one
 * register file per vCPU, chosen by the vCPU that makes the access.
 *
 * Registers are 32 bits wide at 16-byte-aligned offsets (SDM Vol. 3
 * 11.4.1, table "Local APIC Register Address Map").  What the stub does:
 *   0x020 ID         bits 31:24 = the vCPU index: each vCPU tells itself apart
 *   0x030 version    0x00050014: integrated APIC, 6 LVT entries
 *   0x080 TPR        read/write; 0x0A0 PPR reads as TPR (nothing in service)
 *   0x0B0 EOI        write-only, counted
 *   0x0D0 LDR, 0x0E0 DFR (reset all-ones), 0x0F0 SPIV (reset 0xFF)
 *   0x300/0x310 ICR  read/write; the delivery-status bit (12) always reads 0,
 *                    i.e. "sent", so IPI loops finish; the IPI is recorded,
 *                    not delivered (no interrupt injection yet)
 *   0x320..0x370 LVT entries, reset masked (bit 16); 0x380 initial count,
 *                    0x390 current count reads 0 (the timer never runs)
 *   ISR/TMR/IRR (0x100..0x270), ESR: 0.  Other offsets: plain storage.
 * Accesses that are not 4 bytes at a 16-byte boundary read 0 and are
 * dropped, as the SDM leaves them undefined.  The IA32_APIC_BASE MSR is
 * kept by the module (hvlab_sregs.apic_base).
 */
#include <stdlib.h>
#include <string.h>

#include <uapi/hvlab.h>

#include "hw/devices.h"

#define LAPIC_SIZE	0x1000
#define NREGS		(LAPIC_SIZE / 16)

enum {
	REG_ID = 0x020, REG_VERSION = 0x030, REG_TPR = 0x080, REG_APR = 0x090,
	REG_PPR = 0x0A0, REG_EOI = 0x0B0, REG_DFR = 0x0E0, REG_SPIV = 0x0F0,
	REG_ICR_LO = 0x300, REG_ICR_HI = 0x310, REG_LVT_FIRST = 0x320,
	REG_LVT_LAST = 0x370, REG_TIMER_CCR = 0x390,
};

#define ICR_DELIVERY_STATUS	(1u << 12)
#define LVT_MASKED		(1u << 16)

struct lapic_cpu {
	uint32_t reg[NREGS];
	uint64_t eoi_count;
	uint64_t last_icr;
};

struct lapic {
	struct hv_device dev;
	uint64_t base;
	unsigned ncpus;
	struct lapic_cpu cpu[HVLAB_MAX_VCPUS];
};

static struct lapic_cpu *this_cpu(struct lapic *l)
{
	int id = hw_current_vcpu();

	return &l->cpu[(id >= 0 && (unsigned)id < l->ncpus) ? id : 0];
}

static void lapic_read(struct hv_device *dev, uint64_t addr, void *data, unsigned len)
{
	struct lapic *l = dev->priv;
	struct lapic_cpu *c = this_cpu(l);
	uint32_t off = (uint32_t)(addr - l->base), v;

	memset(data, 0, len);
	if (len != 4 || (off & 15))
		return;
	switch (off) {
	case REG_ID:
		v = (uint32_t)(c - l->cpu) << 24;
		break;
	case REG_PPR:
		v = c->reg[REG_TPR / 16];
		break;
	case REG_EOI:
	case REG_TIMER_CCR:
		v = 0;
		break;
	case REG_ICR_LO:
		v = c->reg[off / 16] & ~ICR_DELIVERY_STATUS;
		break;
	default:
		v = c->reg[off / 16];
	}
	memcpy(data, &v, 4);
}

static void lapic_write(struct hv_device *dev, uint64_t addr, const void *data, unsigned len)
{
	struct lapic *l = dev->priv;
	struct lapic_cpu *c = this_cpu(l);
	uint32_t off = (uint32_t)(addr - l->base), v;

	if (len != 4 || (off & 15))
		return;
	memcpy(&v, data, 4);
	switch (off) {
	case REG_ID:		/* fixed: the ID is the vCPU index */
	case REG_VERSION:
	case REG_APR:
	case REG_PPR:
	case REG_TIMER_CCR:
		break;
	case REG_EOI:
		c->eoi_count++;
		break;
	case REG_TPR:
		c->reg[off / 16] = v & 0xFF;
		break;
	case REG_ICR_LO:
		c->reg[off / 16] = v & ~ICR_DELIVERY_STATUS;
		c->last_icr = (uint64_t)c->reg[REG_ICR_HI / 16] << 32 | c->reg[off / 16];
		break;
	default:
		/* ISR/TMR/IRR (0x100-0x270) are read-only */
		if (off >= 0x100 && off < 0x280)
			break;
		c->reg[off / 16] = v;
	}
}

static void lapic_destroy(struct hv_device *dev)
{
	free(dev->priv);
}

static const struct hv_device_ops lapic_ops = {
	.mmio_read = lapic_read,
	.mmio_write = lapic_write,
	.destroy = lapic_destroy,
};

struct hv_device *lapic_attach(struct bus *bus, uint64_t base, unsigned ncpus)
{
	struct lapic *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->dev = (struct hv_device){ .name = "lapic", .ops = &lapic_ops, .priv = l };
	l->base = base;
	l->ncpus = ncpus > HVLAB_MAX_VCPUS ? HVLAB_MAX_VCPUS : (ncpus ? ncpus : 1);
	for (unsigned i = 0; i < HVLAB_MAX_VCPUS; i++) {
		uint32_t *r = l->cpu[i].reg;

		r[REG_VERSION / 16] = 0x00050014;
		r[REG_DFR / 16] = 0xFFFFFFFF;
		r[REG_SPIV / 16] = 0xFF;
		for (unsigned off = REG_LVT_FIRST; off <= REG_LVT_LAST; off += 16)
			r[off / 16] = LVT_MASKED;
	}
	if (bus_register_mmio(bus, base, LAPIC_SIZE, &l->dev)) {
		free(l);
		return NULL;
	}
	return &l->dev;
}

uint64_t lapic_eoi_count(const struct hv_device *dev, int vcpu)
{
	return ((const struct lapic *)dev->priv)->cpu[vcpu & (HVLAB_MAX_VCPUS - 1)].eoi_count;
}

uint64_t lapic_last_icr(const struct hv_device *dev, int vcpu)
{
	return ((const struct lapic *)dev->priv)->cpu[vcpu & (HVLAB_MAX_VCPUS - 1)].last_icr;
}
