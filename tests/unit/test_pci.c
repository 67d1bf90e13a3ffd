// SPDX-License-Identifier: GPL-2.0
/*
 * test_pci.c - the PCI host bridge (hw/pci.c): configuration mechanism #1,
 * the 440FX identity at 00:00.0, BAR sizing and decode following COMMAND
 * and the BAR values, and INTx routing (slot parity to IRQ 10/11, shared
 * lines, INTX_DISABLE, STATUS.INTERRUPT).
 */
#include <string.h>

#include "kselftest_harness.h"

#include "hw_stubs.h"
#include "hw/board.h"
#include "hw/pci.h"

static uint32_t cfg_rd(struct bus *bus, unsigned slot, unsigned reg, unsigned size)
{
	out(bus, 0xcf8, 0x80000000u | slot << 11 | (reg & 0xfc), 4);
	return in(bus, (uint16_t)(0xcfc + (reg & 3)), size);
}

static void cfg_wr(struct bus *bus, unsigned slot, unsigned reg, uint32_t v, unsigned size)
{
	out(bus, 0xcf8, 0x80000000u | slot << 11 | (reg & 0xfc), 4);
	out(bus, (uint16_t)(0xcfc + (reg & 3)), v, size);
}

/* A fake device: records the last BAR access, reads back bar << 8 | offset. */
struct fake {
	int bar;
	uint64_t off;
	uint32_t val;
	unsigned reads, writes;
};

static void fake_read(void *opaque, int bar, uint64_t off, void *data, unsigned len)
{
	struct fake *f = opaque;
	uint32_t v = (uint32_t)(bar << 8) | (uint32_t)off;

	f->reads++;
	memcpy(data, &v, len > 4 ? 4 : len);
}

static void fake_write(void *opaque, int bar, uint64_t off, const void *data, unsigned len)
{
	struct fake *f = opaque;

	f->writes++;
	f->bar = bar;
	f->off = off;
	f->val = 0;
	memcpy(&f->val, data, len > 4 ? 4 : len);
}

static const struct pci_dev_ops fake_ops = { fake_read, fake_write };

FIXTURE(pci) {
	struct bus *bus;
	struct pci_host *h;
	struct line_stub irq[2];	/* IRQ 10, IRQ 11 */
	struct fake f;
	struct pci_dev *d;
};

static void two_lines(void *ctx, unsigned gsi, int level)
{
	struct line_stub *s = ctx;

	line_stub_set(&s[gsi == PCI_INTX_IRQ_ODD], gsi, level);
}

FIXTURE_SETUP(pci)
{
	struct irq_line l = { .set = two_lines, .ctx = self->irq };

	memset(self->irq, 0, sizeof(self->irq));
	memset(&self->f, 0, sizeof(self->f));
	self->bus = bus_new();
	ASSERT_NE(NULL, self->bus);
	self->h = pci_attach(self->bus, &l);
	ASSERT_NE(NULL, self->h);
	self->d = pci_dev_add(self->h, 3, 0x8086, 0x100e, 0x020000 << 8 | 3, &fake_ops, &self->f);
	ASSERT_NE(NULL, self->d);
	ASSERT_EQ(0, pci_dev_bar(self->d, 0, false, 0x20000));
	ASSERT_EQ(0, pci_dev_bar(self->d, 1, true, 0x40));
}

FIXTURE_TEARDOWN(pci)
{
	bus_free(self->bus);
}

TEST_F(pci, host_bridge_is_a_440fx_and_devices_have_their_ids)
{
	EXPECT_EQ(0x12378086u, cfg_rd(self->bus, 0, 0, 4));
	EXPECT_EQ(PCI_CLASS_HOST_BRIDGE, cfg_rd(self->bus, 0, PCI_CLASS_DEVICE, 2));
	EXPECT_EQ(0x100e8086u, cfg_rd(self->bus, 3, 0, 4));
	EXPECT_EQ(0x0200u, cfg_rd(self->bus, 3, PCI_CLASS_DEVICE, 2));
	EXPECT_EQ(3u, cfg_rd(self->bus, 3, PCI_REVISION_ID, 1));
	EXPECT_EQ(0u, cfg_rd(self->bus, 3, PCI_HEADER_TYPE, 1));
	/* IDs are read-only */
	cfg_wr(self->bus, 3, 0, 0xdeadbeef, 4);
	EXPECT_EQ(0x100e8086u, cfg_rd(self->bus, 3, 0, 4));
	/* other functions, other buses, the enable bit clear: nobody */
	out(self->bus, 0xcf8, 0x80001900u, 4);			/* 00:03.1 */
	EXPECT_EQ(0xffffffffu, in(self->bus, 0xcfc, 4));
	out(self->bus, 0xcf8, 0x80011800u, 4);			/* 01:03.0 */
	EXPECT_EQ(0xffffffffu, in(self->bus, 0xcfc, 4));
	out(self->bus, 0xcf8, 0x00001800u, 4);
	EXPECT_EQ(0xffffffffu, in(self->bus, 0xcfc, 4));
	/* a taken slot is refused, a free one found */
	EXPECT_EQ(NULL, pci_dev_add(self->h, 3, 1, 2, 0, NULL, NULL));
	EXPECT_EQ(NULL, pci_dev_add(self->h, 0, 1, 2, 0, NULL, NULL));
	EXPECT_EQ(1u, pci_dev_slot(pci_dev_add(self->h, -1, 1, 2, 0, NULL, NULL)));
}

TEST_F(pci, bar_sizing_reads_back_the_size_mask)
{
	uint32_t bar0 = cfg_rd(self->bus, 3, PCI_BAR0, 4);
	uint32_t bar1 = cfg_rd(self->bus, 3, PCI_BAR0 + 4, 4);

	/* firmware placed them inside the windows */
	EXPECT_EQ(PCI_MMIO_ASSIGN, bar0);
	EXPECT_EQ((uint32_t)PCI_IO_WINDOW | PCI_BAR_IO, bar1);
	cfg_wr(self->bus, 3, PCI_BAR0, 0xffffffff, 4);
	EXPECT_EQ(0xfffe0000u, cfg_rd(self->bus, 3, PCI_BAR0, 4));	/* 128 KiB, mem32 */
	cfg_wr(self->bus, 3, PCI_BAR0 + 4, 0xffffffff, 4);
	EXPECT_EQ(0xffffffc1u, cfg_rd(self->bus, 3, PCI_BAR0 + 4, 4));	/* 64 ports, I/O */
	/* unimplemented BARs and the ROM read zero whatever is written */
	cfg_wr(self->bus, 3, PCI_BAR0 + 8, 0xffffffff, 4);
	EXPECT_EQ(0u, cfg_rd(self->bus, 3, PCI_BAR0 + 8, 4));
	cfg_wr(self->bus, 3, 0x30, 0xffffffff, 4);
	EXPECT_EQ(0u, cfg_rd(self->bus, 3, 0x30, 4));
	/* restore; byte writes merge */
	cfg_wr(self->bus, 3, PCI_BAR0, bar0, 4);
	cfg_wr(self->bus, 3, PCI_BAR0 + 3, 0xfd, 1);
	EXPECT_EQ(0xfd000000u, cfg_rd(self->bus, 3, PCI_BAR0, 4));
	EXPECT_EQ(0xfd000000u, pci_dev_bar_base(self->d, 0));
}

TEST_F(pci, bars_decode_only_when_enabled_and_follow_moves)
{
	uint64_t mem = pci_dev_bar_base(self->d, 0);
	uint32_t v;

	/* COMMAND clear: nothing answers */
	EXPECT_EQ(0xffffffffu, mmio_rd(self->bus, mem + 0x10));
	EXPECT_EQ(0xffffffffu, in(self->bus, PCI_IO_WINDOW + 4, 4));
	EXPECT_FALSE(pci_dev_bar_enabled(self->d, 0));
	EXPECT_EQ(0u, self->f.reads);
	cfg_wr(self->bus, 3, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	EXPECT_TRUE(pci_dev_bar_enabled(self->d, 0));
	EXPECT_EQ(0x10u, mmio_rd(self->bus, mem + 0x10));		/* BAR 0, offset 0x10 */
	EXPECT_EQ(0xffffffffu, in(self->bus, PCI_IO_WINDOW + 4, 4));	/* IO still off */
	cfg_wr(self->bus, 3, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_IO, 2);
	EXPECT_EQ(0x104u, in(self->bus, PCI_IO_WINDOW + 4, 4));
	out(self->bus, PCI_IO_WINDOW + 8, 0x55, 4);
	EXPECT_EQ(1, self->f.bar);
	EXPECT_EQ(8u, self->f.off);
	EXPECT_EQ(0x55u, self->f.val);
	/* an access past the BAR's end is not decoded: unclaimed on the bus */
	EXPECT_EQ(0xffffffffu, mmio_rd(self->bus, mem + 0x20000));
	EXPECT_FALSE(bus_mmio(self->bus, PCI_MMIO_WINDOW, false, &v, 4));
	EXPECT_TRUE(bus_mmio(self->bus, mem + 0x10, false, &v, 4));
	EXPECT_TRUE(bus_pio(self->bus, 0xcfc, false, &v, 4));	/* the bridge itself */
	/* the OS moves BAR 0: the old place goes silent, the new one answers */
	cfg_wr(self->bus, 3, PCI_BAR0, 0xd0000000u, 4);
	EXPECT_EQ(0xffffffffu, mmio_rd(self->bus, mem + 0x10));
	mmio_wr(self->bus, 0xd0000000u + 0x1fffc, 0xabcd);
	EXPECT_EQ(0, self->f.bar);
	EXPECT_EQ(0x1fffcu, self->f.off);
	v = mmio_rd(self->bus, 0xd0000000u + 0x40);
	EXPECT_EQ(0x40u, v);
	/* and clearing MEMORY unmaps it */
	cfg_wr(self->bus, 3, PCI_COMMAND, PCI_COMMAND_IO, 2);
	EXPECT_EQ(0xffffffffu, mmio_rd(self->bus, 0xd0000040u));
}

TEST_F(pci, intx_reaches_the_irq_of_interrupt_line_and_lines_are_shared)
{
	struct pci_dev *d4 = pci_dev_add(self->h, 4, 1, 2, 0, &fake_ops, &self->f);
	struct pci_dev *d5 = pci_dev_add(self->h, 5, 1, 2, 0, &fake_ops, &self->f);

	ASSERT_NE(NULL, d4);
	ASSERT_NE(NULL, d5);
	EXPECT_EQ(PCI_INTX_IRQ_ODD, cfg_rd(self->bus, 3, PCI_INTERRUPT_LINE, 1));
	EXPECT_EQ(1u, cfg_rd(self->bus, 3, PCI_INTERRUPT_PIN, 1));	/* INTA# */
	EXPECT_EQ(PCI_INTX_IRQ_EVEN, cfg_rd(self->bus, 4, PCI_INTERRUPT_LINE, 1));
	EXPECT_EQ(0u, cfg_rd(self->bus, 0, PCI_INTERRUPT_PIN, 1));	/* the bridge: none */

	pci_dev_set_irq(self->d, 1);
	EXPECT_EQ(1, self->irq[1].level);
	EXPECT_EQ(PCI_INTX_IRQ_ODD, self->irq[1].gsi);
	EXPECT_EQ(0, self->irq[0].level);
	EXPECT_TRUE(cfg_rd(self->bus, 3, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	/* slot 5 shares IRQ 11: the line stays up until both release it */
	pci_dev_set_irq(d5, 1);
	pci_dev_set_irq(self->d, 0);
	EXPECT_EQ(1, self->irq[1].level);
	EXPECT_FALSE(cfg_rd(self->bus, 3, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	pci_dev_set_irq(d5, 0);
	EXPECT_EQ(0, self->irq[1].level);
	EXPECT_EQ(1u, self->irq[1].rises);
	/* INTX_DISABLE masks the pin; clearing it lets the pending level through */
	cfg_wr(self->bus, 3, PCI_COMMAND, PCI_COMMAND_INTX_DISABLE, 2);
	pci_dev_set_irq(self->d, 1);
	EXPECT_EQ(0, self->irq[1].level);
	EXPECT_TRUE(cfg_rd(self->bus, 3, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	cfg_wr(self->bus, 3, PCI_COMMAND, 0, 2);
	EXPECT_EQ(1, self->irq[1].level);
	/* the OS may rewrite INTERRUPT_LINE (it is only a note) */
	cfg_wr(self->bus, 3, PCI_INTERRUPT_LINE, 5, 1);
	EXPECT_EQ(5u, cfg_rd(self->bus, 3, PCI_INTERRUPT_LINE, 1));
}

static void remember_name(void *ctx, const struct bus_access *a)
{
	const char **name = ctx;

	*name = a->dev ? a->dev->name : NULL;
}

/* The device I/O panel names the device behind a BAR, not the bridge. */
TEST_F(pci, observers_see_the_device_behind_a_bar)
{
	const char *name = NULL;

	pci_dev_set_name(self->d, "fake");
	bus_set_observer(self->bus, remember_name, &name);
	cfg_wr(self->bus, 3, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_IO, 2);
	EXPECT_STREQ("pci", name);			/* configuration: the bridge */
	mmio_rd(self->bus, pci_dev_bar_base(self->d, 0) + 8);
	EXPECT_STREQ("fake", name);
	in(self->bus, PCI_IO_WINDOW + 4, 4);
	EXPECT_STREQ("fake", name);
	mmio_rd(self->bus, PCI_MMIO_WINDOW);		/* nothing decodes it: unclaimed */
	EXPECT_EQ(NULL, name);
}

TEST(pci_bar_declarations_are_checked)
{
	struct bus *bus = bus_new();
	struct pci_host *h = pci_attach(bus, NULL);
	struct pci_dev *d = pci_dev_add(h, 2, 1, 2, 0, &fake_ops, NULL);

	ASSERT_NE(NULL, d);
	EXPECT_EQ(-1, pci_dev_bar(d, 6, false, 0x1000));
	EXPECT_EQ(-1, pci_dev_bar(d, 0, false, 0x1800));	/* not a power of two */
	EXPECT_EQ(-1, pci_dev_bar(d, 0, false, 8));		/* below 16 bytes */
	EXPECT_EQ(-1, pci_dev_bar(d, 0, true, 0x1000));	/* I/O above 256 */
	EXPECT_EQ(0, pci_dev_bar(d, 0, false, 0x1000));
	EXPECT_EQ(0, pci_dev_bar(d, 1, false, 0x100000));	/* naturally aligned */
	EXPECT_EQ(0u, pci_dev_bar_base(d, 1) & 0xfffff);
	bus_free(bus);
}

TEST_HARNESS_MAIN
