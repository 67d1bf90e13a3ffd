// SPDX-License-Identifier: GPL-2.0
/*
 * acpi_pm.c - the ACPI fixed hardware registers of hvlab's PC at
 * ACPI_PM_BASE (board.h), which the FADT points to (ACPI 6.4, 4.8):
 *   +0  PM1a_STS  16 bits, write 1 to clear: TMR_STS (bit 0) is set each
 *                 time bit 23 of the PM timer changes
 *   +2  PM1a_EN   16 bits, kept as written
 *   +4  PM1a_CNT  16 bits: SCI_EN (bit 0) always reads 1, SLP_TYP (bits
 *                 12:10) and SLP_EN (bit 13, write-only)
 *   +8  PM_TMR    32 bits, read-only: a 24-bit counter at 3.579545 MHz
 * The rest of the 16-byte block reads as 0 and ignores writes.
 *
 * The FADT has no SMI_CMD port, so the OS finds the machine already in
 * ACPI mode (SCI_EN set) and never asks for the transition.  Writing
 * SLP_EN with SLP_TYP = ACPI_SLP_TYP_S5 (the value the DSDT's \_S5
 * package gives) powers the machine off: the run ends through the
 * hw_stop_fn given at attach, with its status.  Other sleep types (S1-S4,
 * which the DSDT does not offer) are ignored and the guest goes on.
 *
 * The PM timer is computed from hw_clock_ns() and never stored.  Nothing
 * raises the SCI (IRQ 9): TMR_STS is visible to a polling OS but the
 * timer-carry interrupt (TMR_EN) and the button events are not modelled;
 * the line is kept for them.  Locking: one mutex for STS/EN/CNT; the stop
 * callback is called with it released.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "hw/board.h"
#include "hw/clock.h"
#include "hw/irq.h"	/* before devices.h: see its lapic.c entry */
#include "hw/devices.h"

#define PM1_TMR_STS	0x0001
#define PM1_SCI_EN	0x0001
#define PM1_SLP_TYP(v)	(((v) >> 10) & 7)

struct acpi_pm {
	struct hv_device dev;
	pthread_mutex_t lock;
	struct irq_line sci;
	hw_stop_fn stop;
	void *ctx;
	int status;
	uint64_t start_ns;	/* the PM timer counts from here */
	uint64_t tmr_epoch;	/* timer >> 23 when TMR_STS was last cleared */
	uint16_t sts, en, cnt;
};

static uint64_t pm_ticks(const struct acpi_pm *pm)
{
	return hw_ns_to_ticks(hw_clock_ns() - pm->start_ns, ACPI_PM_TMR_HZ);
}

/* The 16 bytes of the block as a read sees them.  Lock held. */
static void pm_image(struct acpi_pm *pm, uint8_t img[ACPI_PM_LEN])
{
	uint64_t t = pm_ticks(pm);
	uint16_t sts = pm->sts;
	uint16_t cnt = (uint16_t)((pm->cnt & ~ACPI_SLP_EN) | PM1_SCI_EN);
	uint32_t tmr = (uint32_t)(t & 0xFFFFFF);

	if ((t >> 23) != pm->tmr_epoch)
		sts |= PM1_TMR_STS;
	memset(img, 0, ACPI_PM_LEN);
	memcpy(img + 0, &sts, 2);
	memcpy(img + 2, &pm->en, 2);
	memcpy(img + 4, &cnt, 2);
	memcpy(img + 8, &tmr, 4);
}

static void pm_in(struct hv_device *dev, uint16_t port, void *data, unsigned size)
{
	struct acpi_pm *pm = dev->priv;
	uint8_t img[ACPI_PM_LEN], *b = data;
	unsigned off = (unsigned)(port - ACPI_PM_BASE);

	pthread_mutex_lock(&pm->lock);
	pm_image(pm, img);
	pthread_mutex_unlock(&pm->lock);
	for (unsigned i = 0; i < size; i++)
		b[i] = off + i < ACPI_PM_LEN ? img[off + i] : 0xff;
}

static void pm_out(struct hv_device *dev, uint16_t port, const void *data, unsigned size)
{
	struct acpi_pm *pm = dev->priv;
	const uint8_t *b = data;
	unsigned off = (unsigned)(port - ACPI_PM_BASE);
	bool poweroff = false;

	pthread_mutex_lock(&pm->lock);
	for (unsigned i = 0; i < size; i++) {
		unsigned r = off + i;
		unsigned shift = (r & 1) * 8;
		uint16_t v = (uint16_t)(b[i] << shift), mask = (uint16_t)(0xFF << shift);

		switch (r & ~1u) {
		case 0:		/* PM1_STS: write 1 to clear */
			pm->sts &= (uint16_t)~v;
			if (v & PM1_TMR_STS)
				pm->tmr_epoch = pm_ticks(pm) >> 23;
			break;
		case 2:
			pm->en = (uint16_t)((pm->en & ~mask) | v);
			break;
		case 4:
			pm->cnt = (uint16_t)((pm->cnt & ~mask) | v);
			if ((pm->cnt & ACPI_SLP_EN) && PM1_SLP_TYP(pm->cnt) == ACPI_SLP_TYP_S5)
				poweroff = true;
			pm->cnt &= (uint16_t)~ACPI_SLP_EN;	/* write-only */
			break;
		default:	/* PM_TMR is read-only; the rest is reserved */
			break;
		}
	}
	pthread_mutex_unlock(&pm->lock);
	if (poweroff && pm->stop)
		pm->stop(pm->ctx, pm->status, false, "the guest powered off (ACPI S5)");
}

static void pm_destroy(struct hv_device *dev)
{
	struct acpi_pm *pm = dev->priv;

	pthread_mutex_destroy(&pm->lock);
	free(pm);
}

static const struct hv_device_ops pm_ops = {
	.pio_in = pm_in,
	.pio_out = pm_out,
	.destroy = pm_destroy,
};

struct hv_device *acpi_pm_attach(struct bus *bus, const struct irq_line *sci,
				 hw_stop_fn poweroff, void *ctx, int status)
{
	struct acpi_pm *pm = calloc(1, sizeof(*pm));

	if (!pm)
		return NULL;
	pm->dev = (struct hv_device){ .name = "acpi-pm", .ops = &pm_ops, .priv = pm };
	pthread_mutex_init(&pm->lock, NULL);
	if (sci)
		pm->sci = *sci;
	pm->stop = poweroff;
	pm->ctx = ctx;
	pm->status = status;
	pm->start_ns = hw_clock_ns();
	if (bus_register_pio(bus, ACPI_PM_BASE, ACPI_PM_LEN, &pm->dev)) {
		pthread_mutex_destroy(&pm->lock);
		free(pm);
		return NULL;
	}
	return &pm->dev;
}
