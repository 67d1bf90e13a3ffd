// SPDX-License-Identifier: GPL-2.0
/*
 * test_devices.c - the device bus, every device model of user/hw/, and the
 * userspace exit handling of hvlab run (user/vcpu_loop.c) fed with
 * hand-made run pages: everything hvlab run does between two HVLAB_RUNs,
 * without /dev/hvlab.
 */
/* EXPECT_EQ(0x60, uint8_t value): literals are int, registers unsigned */
#pragma GCC diagnostic ignored "-Wsign-compare"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "dash/trace.h"
#include "guestmem.h"
#include "hw/devices.h"
#include "hw/irq.h"
#include "hw/ucall.h"
#include "hw_stubs.h"
#include "hw/pci.h"
#include "vm.h"

/* ---- helpers ------------------------------------------------------ */

/* A dummy device that records what reached it. */
struct probe {
	struct hv_device dev;
	uint64_t last_addr;
	uint32_t last_value;
	int destroyed;
};

static int destroyed_count;

static void probe_in(struct hv_device *d, uint16_t port, void *data, unsigned int size)
{
	struct probe *p = d->priv;

	p->last_addr = port;
	memset(data, 0x42, size);
}

static void probe_out(struct hv_device *d, uint16_t port, const void *data, unsigned int size)
{
	struct probe *p = d->priv;

	p->last_addr = port;
	p->last_value = 0;
	memcpy(&p->last_value, data, size);
}

static void probe_mmio_write(struct hv_device *d, uint64_t addr, const void *data, unsigned int len)
{
	struct probe *p = d->priv;

	p->last_addr = addr;
	memcpy(&p->last_value, data, len > 4 ? 4 : len);
}

static void probe_destroy(struct hv_device *d)
{
	destroyed_count++;
	free(d->priv);
}

static const struct hv_device_ops probe_ops = {
	.pio_in = probe_in, .pio_out = probe_out, .mmio_write = probe_mmio_write,
	.destroy = probe_destroy,
};

static struct probe *probe_new(const char *name)
{
	struct probe *p = calloc(1, sizeof(*p));

	p->dev = (struct hv_device){ .name = name, .ops = &probe_ops, .priv = p };
	return p;
}

struct seen {
	int n;
	struct bus_access last;
};

static void observer(void *ctx, const struct bus_access *a)
{
	struct seen *s = ctx;

	s->n++;
	s->last = *a;
}

/* ---- the bus ------------------------------------------------------ */

TEST(bus_dispatches_by_range_with_absolute_addresses)
{
	struct bus *bus = bus_new();
	struct probe *a = probe_new("a"), *b = probe_new("b");

	ASSERT_EQ(0, bus_register_pio(bus, 0x100, 8, &a->dev));
	ASSERT_EQ(0, bus_register_pio(bus, 0x108, 8, &b->dev));	/* adjacent is fine */
	out(bus, 0x10a, 0x1234, 2);
	EXPECT_EQ(0x10a, b->last_addr);
	EXPECT_EQ(0x1234, b->last_value);
	EXPECT_EQ(0x42424242u, in(bus, 0x107, 4));
	EXPECT_EQ(0x107, a->last_addr);
	EXPECT_EQ(1, (int)a->dev.reads);
	EXPECT_EQ(1, (int)b->dev.writes);
	bus_free(bus);
}

TEST(bus_refuses_overlapping_ranges)
{
	struct bus *bus = bus_new();
	struct probe *a = probe_new("a"), *b = probe_new("b");

	ASSERT_EQ(0, bus_register_pio(bus, 0x3f8, 8, &a->dev));
	EXPECT_EQ(-EEXIST, bus_register_pio(bus, 0x3ff, 1, &b->dev));
	EXPECT_EQ(-EEXIST, bus_register_pio(bus, 0x3f0, 9, &b->dev));
	EXPECT_EQ(-EEXIST, bus_register_pio(bus, 0x3f0, 0x100, &b->dev));
	EXPECT_EQ(-EINVAL, bus_register_pio(bus, 0xfff0, 0x20, &b->dev));	/* past 0xffff */
	EXPECT_EQ(-EINVAL, bus_register_pio(bus, 0x10, 0, &b->dev));
	ASSERT_EQ(0, bus_register_mmio(bus, 0xfee00000, 0x1000, &a->dev));
	EXPECT_EQ(-EEXIST, bus_register_mmio(bus, 0xfee00ff0, 0x100, &b->dev));
	EXPECT_EQ(-EINVAL, bus_register_mmio(bus, ~0ull - 4, 0x100, &b->dev));	/* wraps */
	ASSERT_EQ(0, bus_register_pio(bus, 0x2f8, 8, &b->dev));
	destroyed_count = 0;
	bus_free(bus);		/* a has two ranges: destroyed once */
	EXPECT_EQ(2, destroyed_count);
}

TEST(unclaimed_accesses_read_all_ones)
{
	struct bus *bus = bus_new();
	uint64_t v = 0;

	EXPECT_EQ(0xffu, in(bus, 0x1234, 1));
	EXPECT_EQ(0xffffu, in(bus, 0x1234, 2));
	EXPECT_EQ(0xffffffffu, in(bus, 0x1234, 4));
	EXPECT_FALSE(bus_pio(bus, 0x1234, false, &v, 4));
	EXPECT_FALSE(bus_pio(bus, 0x1234, true, &v, 4));
	EXPECT_FALSE(bus_mmio(bus, 0xd0000000, false, &v, 8));
	EXPECT_EQ(~0ull, v);
	v = 0;
	EXPECT_FALSE(bus_pio(bus, 0x80, false, &v, 3));		/* bad size */
	bus_free(bus);
}

/* An unclaimed port skips the lock; a range registered later answers. */
TEST(a_port_registered_after_unclaimed_accesses_answers)
{
	struct bus *bus = bus_new();
	struct probe *a = probe_new("a");

	EXPECT_EQ(0xffu, in(bus, 0x510, 1));
	ASSERT_EQ(0, bus_register_pio(bus, 0x50e, 4, &a->dev));
	EXPECT_EQ(0x42424242u, in(bus, 0x511, 4));
	EXPECT_EQ(0x511, a->last_addr);
	EXPECT_EQ(0xffu, in(bus, 0x512, 1));		/* past the range: still unclaimed */
	EXPECT_EQ(1, (int)a->dev.reads);
	bus_free(bus);
}

TEST(observer_sees_every_access)
{
	struct bus *bus = bus_new();
	struct probe *a = probe_new("a");
	struct seen s = { 0 };

	ASSERT_EQ(0, bus_register_mmio(bus, 0x10000000, 0x100, &a->dev));
	bus_set_observer(bus, observer, &s);
	mmio_wr(bus, 0x10000010, 0xcafe);
	EXPECT_EQ(1, s.n);
	EXPECT_EQ(&a->dev, s.last.dev);
	EXPECT_EQ(0x10000010, s.last.addr);
	EXPECT_EQ(0xcafe, s.last.value);
	EXPECT_TRUE(s.last.is_write && s.last.is_mmio);
	in(bus, 0x4321, 2);
	EXPECT_EQ(2, s.n);
	EXPECT_EQ(NULL, s.last.dev);		/* unclaimed, still reported */
	EXPECT_EQ(0xffff, s.last.value);
	EXPECT_FALSE(s.last.is_write || s.last.is_mmio);
	bus_free(bus);
}

/* ---- UART --------------------------------------------------------- */

FIXTURE(uart) {
	struct bus *bus;
	struct sink sink;
};

FIXTURE_SETUP(uart)
{
	memset(&self->sink, 0, sizeof(self->sink));
	self->bus = bus_new();
	ASSERT_NE(NULL, uart16550_attach(self->bus, 0x3f8, NULL, sink_out, &self->sink));
}

FIXTURE_TEARDOWN(uart)
{
	bus_free(self->bus);
}

TEST_F(uart, thr_goes_to_the_output_and_thre_is_always_set)
{
	EXPECT_EQ(0x60, in(self->bus, 0x3fd, 1) & 0x60);
	for (const char *p = "Hi!\n"; *p; p++) {
		EXPECT_EQ(0x20, in(self->bus, 0x3fd, 1) & 0x20);
		out(self->bus, 0x3f8, (uint8_t)*p, 1);
	}
	EXPECT_EQ(0x60, in(self->bus, 0x3fd, 1) & 0x61);	/* no data ready */
	EXPECT_STREQ("Hi!\n", self->sink.buf);
}

TEST_F(uart, divisor_latch_does_not_transmit)
{
	out(self->bus, 0x3fb, 0x80, 1);		/* DLAB */
	out(self->bus, 0x3f8, 0x01, 1);		/* DLL = 1: 115200 baud */
	out(self->bus, 0x3f9, 0x00, 1);
	EXPECT_EQ(0x01, in(self->bus, 0x3f8, 1));
	out(self->bus, 0x3fb, 0x03, 1);		/* 8N1, DLAB off */
	EXPECT_EQ(0, self->sink.n);
	out(self->bus, 0x3f8, 'x', 1);
	EXPECT_EQ(1, self->sink.n);
	EXPECT_EQ(0x03, in(self->bus, 0x3fb, 1));
}

TEST_F(uart, scratch_iir_and_loopback)
{
	out(self->bus, 0x3ff, 0x5a, 1);
	EXPECT_EQ(0x5a, in(self->bus, 0x3ff, 1));
	EXPECT_EQ(0x01, in(self->bus, 0x3fa, 1));	/* no interrupt pending */
	out(self->bus, 0x3fa, 0x07, 1);			/* FIFOs on */
	EXPECT_EQ(0xc1, in(self->bus, 0x3fa, 1));
	out(self->bus, 0x3fc, 0x1f, 1);			/* loopback, all modem outputs */
	out(self->bus, 0x3f8, 'L', 1);
	EXPECT_EQ(0, self->sink.n);			/* looped back, not sent */
	EXPECT_EQ(0x01, in(self->bus, 0x3fd, 1) & 0x01);
	EXPECT_EQ('L', in(self->bus, 0x3f8, 1));
	EXPECT_EQ(0xf0, in(self->bus, 0x3fe, 1));
}

/* ---- debug-exit, port 0x80 ---------------------------------------- */

struct stop_rec {
	int calls, status;
	bool quiet;
	char why[512];
};

static void record_stop(void *ctx, int status, bool quiet, const char *why)
{
	struct stop_rec *r = ctx;

	r->calls++;
	r->status = status;
	r->quiet = quiet;
	snprintf(r->why, sizeof(r->why), "%s", why ? why : "");
}

TEST(debug_exit_status_is_v_shifted_or_one)
{
	struct bus *bus = bus_new();
	struct stop_rec r = { 0 };

	ASSERT_NE(NULL, debugexit_attach(bus, DEBUGEXIT_PORT, record_stop, &r));
	out(bus, 0xf4, 0, 4);
	EXPECT_EQ(1, r.calls);
	EXPECT_EQ(1, r.status);
	EXPECT_TRUE(r.quiet);
	EXPECT_NE(NULL, strstr(r.why, "guest wrote 0 to debug-exit port"));
	out(bus, 0xf4, 5, 4);
	EXPECT_EQ(11, r.status);
	out(bus, 0xf4, 0x21, 1);
	EXPECT_EQ(0x43, r.status);
	EXPECT_EQ(0xff, debugexit_status(0x7f));
	EXPECT_EQ(0, in(bus, 0xf4, 4));
	bus_free(bus);
}

TEST(port80_is_claimed_and_keeps_the_last_code)
{
	struct bus *bus = bus_new();
	struct hv_device *d = port80_attach(bus);
	uint8_t v = 0x55;

	ASSERT_NE(NULL, d);
	EXPECT_TRUE(bus_pio(bus, 0x80, true, &v, 1));
	EXPECT_EQ(0x55, port80_last(d));
	EXPECT_EQ(0x55, in(bus, 0x80, 1));
	bus_free(bus);
}

/* ---- fw_cfg ------------------------------------------------------- */

static void fwcfg_read(struct bus *bus, uint16_t key, void *buf, size_t n)
{
	out(bus, FWCFG_PORT_SEL, key, 2);
	for (size_t i = 0; i < n; i++)
		((uint8_t *)buf)[i] = (uint8_t)in(bus, FWCFG_PORT_DATA, 1);
}

TEST(fwcfg_signature_cpus_ram_cmdline)
{
	struct bus *bus = bus_new();
	char sig[5] = { 0 }, cmd[32] = { 0 }, hv[8];
	uint64_t ram = 0;
	uint16_t cpus = 0;
	uint32_t id = 0, cmdlen = 0;

	ASSERT_NE(NULL, fwcfg_attach(bus, 3, 256ull << 20, "console=ttyS0"));
	fwcfg_read(bus, FWCFG_SIGNATURE, sig, 4);
	EXPECT_STREQ("QEMU", sig);
	fwcfg_read(bus, FWCFG_ID, &id, 4);
	EXPECT_EQ(1u, id);
	fwcfg_read(bus, FWCFG_NB_CPUS, &cpus, 2);
	EXPECT_EQ(3, cpus);
	fwcfg_read(bus, FWCFG_RAM_SIZE, &ram, 8);
	EXPECT_EQ(256ull << 20, ram);
	fwcfg_read(bus, FWCFG_CMDLINE_SIZE, &cmdlen, 4);
	EXPECT_EQ(14u, cmdlen);
	fwcfg_read(bus, FWCFG_CMDLINE_DATA, cmd, cmdlen);
	EXPECT_STREQ("console=ttyS0", cmd);
	fwcfg_read(bus, FWCFG_HVLAB_SIGNATURE, hv, 8);
	EXPECT_EQ(0, memcmp(hv, "HVLAB\0\0\0", 8));
	/* past the end and unknown keys read 0; a new select rewinds */
	EXPECT_EQ(0, in(bus, FWCFG_PORT_DATA, 1));
	out(bus, FWCFG_PORT_SEL, 0x1234, 2);
	EXPECT_EQ(0, in(bus, FWCFG_PORT_DATA, 1));
	out(bus, FWCFG_PORT_SEL, FWCFG_SIGNATURE, 2);
	EXPECT_EQ('Q', in(bus, FWCFG_PORT_DATA, 1));
	EXPECT_EQ(0x00554d45u, in(bus, FWCFG_PORT_DATA, 4));	/* "EMU", then 0 */
	bus_free(bus);
}

TEST(fwcfg_without_cmdline_gives_an_empty_string)
{
	struct bus *bus = bus_new();
	uint32_t cmdlen = 0;

	ASSERT_NE(NULL, fwcfg_attach(bus, 1, 1 << 21, NULL));
	fwcfg_read(bus, FWCFG_CMDLINE_SIZE, &cmdlen, 4);
	EXPECT_EQ(1u, cmdlen);
	out(bus, FWCFG_PORT_SEL, FWCFG_CMDLINE_DATA, 2);
	EXPECT_EQ(0, in(bus, FWCFG_PORT_DATA, 1));
	bus_free(bus);
}

/* ---- PIC ---------------------------------------------------------- */

TEST(pic_init_sequence_and_masks)
{
	struct bus *bus = bus_new();
	struct pic *pic = pic_new();

	ASSERT_NE(NULL, pic);
	ASSERT_EQ(0, pic_attach(pic, bus));
	EXPECT_EQ(0xff, in(bus, 0x21, 1));		/* masked until programmed */
	EXPECT_FALSE(pic_ready(pic, 0));
	/* the classic remap: master to 0x20, slave to 0x28 */
	out(bus, 0x20, 0x11, 1);			/* ICW1: edge, cascade, ICW4 */
	EXPECT_EQ(0x00, in(bus, 0x21, 1));		/* ICW1 clears the mask */
	out(bus, 0xa0, 0x11, 1);
	out(bus, 0x21, 0x20, 1);			/* ICW2 */
	out(bus, 0xa1, 0x28, 1);
	out(bus, 0x21, 0x04, 1);			/* ICW3: slave on IRQ2 */
	out(bus, 0xa1, 0x02, 1);
	EXPECT_FALSE(pic_ready(pic, 0));
	out(bus, 0x21, 0x01, 1);			/* ICW4: 8086 mode */
	out(bus, 0xa1, 0x01, 1);
	EXPECT_TRUE(pic_ready(pic, 0));
	EXPECT_TRUE(pic_ready(pic, 1));
	EXPECT_EQ(0x20, pic_vector_base(pic, 0));
	EXPECT_EQ(0x28, pic_vector_base(pic, 1));
	out(bus, 0x21, 0xfb, 1);			/* OCW1: all but the cascade */
	out(bus, 0xa1, 0xff, 1);
	EXPECT_EQ(0xfb, in(bus, 0x21, 1));
	EXPECT_EQ(0xff, in(bus, 0xa1, 1));
	EXPECT_EQ(0xfb, pic_imr(pic, 0));
	out(bus, 0x20, 0x20, 1);			/* EOI leaves the mask alone */
	out(bus, 0x20, 0x0b, 1);			/* OCW3: read ISR */
	EXPECT_EQ(0x00, in(bus, 0x20, 1));
	EXPECT_EQ(0xfb, in(bus, 0x21, 1));
	bus_free(bus);
	pic_free(pic);
}

TEST(pic_single_mode_skips_icw3)
{
	struct bus *bus = bus_new();
	struct pic *pic = pic_new();

	ASSERT_NE(NULL, pic);
	ASSERT_EQ(0, pic_attach(pic, bus));
	out(bus, 0x20, 0x13, 1);	/* single, ICW4 */
	out(bus, 0x21, 0x08, 1);	/* ICW2 */
	out(bus, 0x21, 0x01, 1);	/* ICW4, no ICW3 */
	EXPECT_TRUE(pic_ready(pic, 0));
	out(bus, 0x21, 0xaa, 1);
	EXPECT_EQ(0xaa, pic_imr(pic, 0));
	EXPECT_EQ(0x08, pic_vector_base(pic, 0));
	bus_free(bus);
	pic_free(pic);
}

/* ---- PCI ---------------------------------------------------------- */

TEST(pci_config_answers_no_device)
{
	struct bus *bus = bus_new();

	ASSERT_NE(NULL, pci_attach(bus, NULL));
	out(bus, 0xcf8, 0x80001000u, 4);		/* bus 0, dev 2, fn 0, reg 0 */
	EXPECT_EQ(0x80001000u, in(bus, 0xcf8, 4));
	EXPECT_EQ(0xffffu, in(bus, 0xcfc, 2));		/* vendor ID: nobody */
	EXPECT_EQ(0xffffffffu, in(bus, 0xcfc, 4));
	EXPECT_EQ(0xffu, in(bus, 0xcfe, 1));
	out(bus, 0xcf8, 0x80001800u, 4);		/* device 3 */
	out(bus, 0xcfc, 0x12345678u, 4);		/* dropped */
	EXPECT_EQ(0xffffffffu, in(bus, 0xcfc, 4));
	out(bus, 0xcf9, 0x06, 1);			/* not an address write */
	EXPECT_EQ(0x80001800u, in(bus, 0xcf8, 4));
	bus_free(bus);
}

/* ---- local APIC --------------------------------------------------- */

#define APIC(off) (LAPIC_BASE + (off))

TEST(lapic_registers)
{
	struct bus *bus = bus_new();
	struct lapic *l = lapic_new(2, NULL, NULL);

	ASSERT_NE(NULL, l);
	ASSERT_EQ(0, lapic_attach(l, bus, LAPIC_BASE));
	hw_set_current_vcpu(0);
	EXPECT_EQ(0u, mmio_rd(bus, APIC(0x20)));
	EXPECT_EQ(0x14u, mmio_rd(bus, APIC(0x30)) & 0xff);	/* integrated APIC */
	EXPECT_EQ(5u, (mmio_rd(bus, APIC(0x30)) >> 16) & 0xff);	/* max LVT */
	EXPECT_EQ(0xffu, mmio_rd(bus, APIC(0xf0)));		/* SPIV reset */
	mmio_wr(bus, APIC(0xf0), 0x1ff);			/* software enable */
	EXPECT_EQ(0x1ffu, mmio_rd(bus, APIC(0xf0)));
	mmio_wr(bus, APIC(0x80), 0x1230);			/* TPR: 8 bits */
	EXPECT_EQ(0x30u, mmio_rd(bus, APIC(0x80)));
	EXPECT_EQ(0x30u, mmio_rd(bus, APIC(0xa0)));		/* PPR follows */
	mmio_wr(bus, APIC(0xb0), 0);
	mmio_wr(bus, APIC(0xb0), 0);
	EXPECT_EQ(2u, lapic_eoi_count(l, 0));
	EXPECT_EQ(0x10000u, mmio_rd(bus, APIC(0x320)));		/* LVT timer masked */
	mmio_wr(bus, APIC(0x20), 0x5000000);			/* ID is writable */
	EXPECT_EQ(0x5000000u, mmio_rd(bus, APIC(0x20)));
	bus_free(bus);
	lapic_free(l);
}

TEST(lapic_id_is_the_vcpu_index_and_state_is_per_vcpu)
{
	struct bus *bus = bus_new();
	struct lapic *l = lapic_new(2, NULL, NULL);

	ASSERT_NE(NULL, l);
	ASSERT_EQ(0, lapic_attach(l, bus, LAPIC_BASE));
	hw_set_current_vcpu(1);
	EXPECT_EQ(1u << 24, mmio_rd(bus, APIC(0x20)));
	mmio_wr(bus, APIC(0x80), 0x20);
	hw_set_current_vcpu(0);
	EXPECT_EQ(0u, mmio_rd(bus, APIC(0x20)));
	EXPECT_EQ(0u, mmio_rd(bus, APIC(0x80)));
	hw_set_current_vcpu(1);
	EXPECT_EQ(0x20u, mmio_rd(bus, APIC(0x80)));
	bus_free(bus);
	lapic_free(l);
}

TEST(lapic_icr_delivery_status_always_clear)
{
	struct bus *bus = bus_new();
	struct lapic *l = lapic_new(2, NULL, NULL);

	ASSERT_NE(NULL, l);
	ASSERT_EQ(0, lapic_attach(l, bus, LAPIC_BASE));
	hw_set_current_vcpu(0);
	mmio_wr(bus, APIC(0x310), 1u << 24);			/* destination 1 */
	mmio_wr(bus, APIC(0x300), 0x4500 | (1u << 12));		/* INIT, "pending" */
	EXPECT_EQ(0u, mmio_rd(bus, APIC(0x300)) & (1u << 12));
	EXPECT_EQ(0x4500u, mmio_rd(bus, APIC(0x300)));
	EXPECT_EQ(1u << 24, mmio_rd(bus, APIC(0x310)));
	EXPECT_EQ((1ull << 56) | 0x4500, lapic_last_icr(l, 0));
	bus_free(bus);
	lapic_free(l);
}

TEST(lapic_odd_accesses_are_harmless)
{
	struct bus *bus = bus_new();
	uint64_t v = ~0ull;
	uint8_t b = 0xff;
	struct lapic *l = lapic_new(1, NULL, NULL);

	ASSERT_NE(NULL, l);
	ASSERT_EQ(0, lapic_attach(l, bus, LAPIC_BASE));
	hw_set_current_vcpu(7);					/* beyond ncpus */
	EXPECT_EQ(0u, mmio_rd(bus, APIC(0x20)));
	EXPECT_TRUE(bus_mmio(bus, APIC(0x22), false, &b, 1));	/* unaligned */
	EXPECT_EQ(0, b);
	EXPECT_TRUE(bus_mmio(bus, APIC(0x30), false, &v, 8));
	EXPECT_EQ(0ull, v);
	EXPECT_FALSE(bus_mmio(bus, APIC(0x1000), false, &v, 4));	/* past the page */
	bus_free(bus);
	lapic_free(l);
}

/* ---- ucall -------------------------------------------------------- */

FIXTURE(ucall) {
	struct bus *bus;
	struct guest_mem gm;
	void *ram;
	struct stop_rec r;
	char *text;
	size_t textlen;
	FILE *out;
	struct hv_device *dev;
};

FIXTURE_SETUP(ucall)
{
	memset(&self->gm, 0, sizeof(self->gm));
	memset(&self->r, 0, sizeof(self->r));
	self->ram = calloc(1, 1 << 20);
	ASSERT_EQ(0, gmem_add(&self->gm, 0, 1 << 20, self->ram, false));
	self->out = open_memstream(&self->text, &self->textlen);
	self->bus = bus_new();
	self->dev = ucall_attach(self->bus, &self->gm, record_stop, &self->r, self->out, false);
	ASSERT_NE(NULL, self->dev);
}

FIXTURE_TEARDOWN(ucall)
{
	bus_free(self->bus);
	fclose(self->out);
	free(self->text);
	free(self->ram);
}

static struct ucall *uc_at(void *ram, uint32_t gpa, uint64_t cmd)
{
	struct ucall *uc = (struct ucall *)((char *)ram + gpa);

	memset(uc, 0, sizeof(*uc));
	uc->cmd = cmd;
	return uc;
}

TEST_F(ucall, done_stops_with_status_0)
{
	uc_at(self->ram, 0x5000, UCALL_DONE);
	out(self->bus, UCALL_PORT, 0x5000, 4);
	EXPECT_EQ(1, self->r.calls);
	EXPECT_EQ(0, self->r.status);
}

TEST_F(ucall, assert_reports_file_line_text_with_status_2)
{
	struct ucall *uc = uc_at(self->ram, 0x6000, UCALL_ASSERT);

	strcpy(uc->file, "tests/guests/cr3.c");
	uc->line = 42;
	strcpy(uc->text, "writes == 3");
	out(self->bus, UCALL_PORT, 0x6000, 4);
	EXPECT_EQ(2, self->r.status);
	EXPECT_FALSE(self->r.quiet);
	EXPECT_STREQ("guest assertion failed: tests/guests/cr3.c:42: writes == 3", self->r.why);
}

TEST_F(ucall, print_and_sync_let_the_guest_go_on)
{
	struct ucall *uc = uc_at(self->ram, 0x100, UCALL_PRINT);

	strcpy(uc->text, "vcpu 0: saw vcpu 1");
	out(self->bus, UCALL_PORT, 0x100, 4);
	uc = uc_at(self->ram, 0x100, UCALL_SYNC);
	uc->args[0] = 7;
	out(self->bus, UCALL_PORT, 0x100, 4);
	fflush(self->out);
	EXPECT_STREQ("vcpu 0: saw vcpu 1\n", self->text);
	EXPECT_EQ(0, self->r.calls);
}

static uint64_t stamp_of(void *ctx, int cpu)
{
	return *(uint64_t *)ctx + (uint64_t)cpu;
}

TEST_F(ucall, timer_tsc_writes_the_stamp_into_args_0)
{
	struct ucall *uc = uc_at(self->ram, 0x4000, UCALL_TIMER_TSC);
	uint64_t base = 0x123456789aull;

	out(self->bus, UCALL_PORT, 0x4000, 4);		/* no stamp source: 0 */
	EXPECT_EQ(0ull, uc->args[0]);
	ucall_set_stamp(self->dev, stamp_of, &base);
	uc->args[0] = 7;
	uc->args[1] = 8;
	out(self->bus, UCALL_PORT, 0x4000, 4);
	EXPECT_EQ(base + (uint64_t)hw_current_vcpu(), uc->args[0]);
	EXPECT_EQ(8ull, uc->args[1]);			/* nothing else written */
	EXPECT_EQ(UCALL_TIMER_TSC, uc->cmd);
	EXPECT_EQ(0, self->r.calls);			/* the guest goes on */
	out(self->bus, UCALL_PORT, (1u << 20) - 8, 4);	/* straddles the end */
	EXPECT_EQ(2, self->r.status);
}

TEST_F(ucall, unterminated_strings_are_cut)
{
	struct ucall *uc = uc_at(self->ram, 0x2000, UCALL_ASSERT);

	memset(uc->file, 'f', sizeof(uc->file));
	memset(uc->text, 't', sizeof(uc->text));
	out(self->bus, UCALL_PORT, 0x2000, 4);
	EXPECT_EQ(2, self->r.status);
	EXPECT_LT(strlen(self->r.why), 64u + UCALL_TEXT_MAX + 64u);
}

TEST_F(ucall, addresses_outside_guest_memory_are_rejected)
{
	out(self->bus, UCALL_PORT, 0xfffffff0u, 4);
	EXPECT_EQ(2, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.why, "outside guest memory"));
	self->r.calls = 0;
	out(self->bus, UCALL_PORT, (1u << 20) - 8, 4);	/* straddles the end */
	EXPECT_EQ(1, self->r.calls);
	uc_at(self->ram, 0x3000, 99);
	out(self->bus, UCALL_PORT, 0x3000, 4);
	EXPECT_NE(NULL, strstr(self->r.why, "unknown command 99"));
}

/* ---- the exit handling of hvlab run, with fake run pages ------------ */

FIXTURE(run) {
	struct vm vm;
	struct vcpu *v;
	struct hvlab_run *run;
	char *console;
	size_t conlen;
	FILE *con;
};

FIXTURE_SETUP(run)
{
	struct vm_options opt = { .ram_size = 4 << 20, .ncpus = 1 };

	self->con = open_memstream(&self->console, &self->conlen);
	opt.console = self->con;
	ASSERT_EQ(0, vm_init(&self->vm, &opt));
	self->run = aligned_alloc(4096, 2 * 4096);
	memset(self->run, 0, 2 * 4096);
	self->v = &self->vm.vcpu[0];
	self->v->vm = &self->vm;
	self->v->run = self->run;
	self->v->mmap_size = 2 * 4096;
	self->vm.ncpus = 1;
}

FIXTURE_TEARDOWN(run)
{
	vm_destroy(&self->vm);
	free(self->run);
	fclose(self->con);
	free(self->console);
}

static void set_io(struct hvlab_run *run, int dir, uint16_t port, unsigned size,
		   unsigned count, const void *data)
{
	run->exit_reason = HVLAB_EXIT_IO;
	run->io.direction = (uint8_t)dir;
	run->io.port = port;
	run->io.size = (uint8_t)size;
	run->io.count = count;
	run->io.data_offset = offsetof(struct hvlab_run, io_data);
	if (data)
		memcpy(run->io_data, data, (size_t)size * count);
	else
		memset(run->io_data, 0, sizeof(run->io_data));
}

TEST_F(run, uart_out_reaches_the_console)
{
	set_io(self->run, HVLAB_IO_OUT, 0x3f8, 1, 1, "H");
	EXPECT_EQ(VCPU_CONTINUE, vcpu_handle_exit(self->v));
	set_io(self->run, HVLAB_IO_OUT, 0x3f8, 1, 6, "ello!\n");	/* REP OUTSB */
	EXPECT_EQ(VCPU_CONTINUE, vcpu_handle_exit(self->v));
	fflush(self->con);
	EXPECT_STREQ("Hello!\n", self->console);
	EXPECT_FALSE(vm_stopping(&self->vm));
}

TEST_F(run, rep_ins_fills_every_element)
{
	set_io(self->run, HVLAB_IO_IN, 0x3fd, 1, 4, NULL);	/* REP INSB from LSR */
	EXPECT_EQ(VCPU_CONTINUE, vcpu_handle_exit(self->v));
	for (int i = 0; i < 4; i++)
		EXPECT_EQ(0x60, self->run->io_data[i]);
}

TEST_F(run, unclaimed_port_reads_all_ones_and_goes_on)
{
	set_io(self->run, HVLAB_IO_IN, 0x1234, 4, 1, NULL);
	EXPECT_EQ(VCPU_CONTINUE, vcpu_handle_exit(self->v));
	EXPECT_EQ(0xff, self->run->io_data[0]);
	EXPECT_EQ(0xff, self->run->io_data[3]);
	EXPECT_FALSE(vm_stopping(&self->vm));
	EXPECT_TRUE(self->vm.port_seen[0x1234 >> 3] & (1 << (0x1234 & 7)));
}

TEST_F(run, strict_makes_unclaimed_accesses_fatal)
{
	self->vm.opt.strict = true;
	set_io(self->run, HVLAB_IO_OUT, 0x1234, 1, 1, "x");
	EXPECT_EQ(VCPU_STOP, vcpu_handle_exit(self->v));
	EXPECT_TRUE(vm_stopping(&self->vm));
	EXPECT_EQ(VM_EXIT_STRICT, self->vm.exit_status);
}

/* Said once, however often; a port already said is still fatal under --strict. */
TEST_F(run, an_unclaimed_port_is_logged_once)
{
	FILE *log = tmpfile();
	int saved = dup(2), n = 0;
	char line[256];

	ASSERT_NE(NULL, log);
	fflush(stderr);
	dup2(fileno(log), 2);		/* vm_log writes to stderr */
	for (int i = 0; i < 3; i++) {
		memset(self->run->io_data, 0, 4);
		set_io(self->run, HVLAB_IO_IN, 0x1234, 2, 1, NULL);
		EXPECT_EQ(VCPU_CONTINUE, vcpu_handle_exit(self->v));
		EXPECT_EQ(0xff, self->run->io_data[1]);
	}
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(log);
	while (fgets(line, sizeof(line), log))
		n += strstr(line, "port 0x1234") != NULL;
	fclose(log);
	EXPECT_EQ(1, n);
	self->vm.opt.strict = true;
	set_io(self->run, HVLAB_IO_OUT, 0x1234, 1, 1, "x");
	EXPECT_EQ(VCPU_STOP, vcpu_handle_exit(self->v));
	EXPECT_EQ(VM_EXIT_STRICT, self->vm.exit_status);
}

TEST_F(run, debug_exit_ends_the_run_with_an_odd_status)
{
	uint32_t v = 0;

	set_io(self->run, HVLAB_IO_OUT, 0xf4, 4, 1, &v);
	vcpu_handle_exit(self->v);
	EXPECT_TRUE(vm_stopping(&self->vm));
	EXPECT_EQ(1, self->vm.exit_status);
	v = 3;				/* the first stop wins */
	set_io(self->run, HVLAB_IO_OUT, 0xf4, 4, 1, &v);
	vcpu_handle_exit(self->v);
	EXPECT_EQ(1, self->vm.exit_status);
}

TEST_F(run, ucall_assert_ends_the_run_with_status_2)
{
	struct ucall *uc = (struct ucall *)((char *)self->vm.ram + 0x7000);
	uint32_t gpa = 0x7000;

	memset(uc, 0, sizeof(*uc));
	uc->cmd = UCALL_ASSERT;
	set_io(self->run, HVLAB_IO_OUT, UCALL_PORT, 4, 1, &gpa);
	vcpu_handle_exit(self->v);
	EXPECT_EQ(VM_EXIT_ASSERT, self->vm.exit_status);
}

TEST_F(run, io_data_outside_the_run_page_is_an_internal_error)
{
	set_io(self->run, HVLAB_IO_OUT, 0x3f8, 4, 1, NULL);
	self->run->io.data_offset = 4094;
	EXPECT_EQ(VCPU_STOP, vcpu_handle_exit(self->v));
	EXPECT_EQ(VM_EXIT_VMX_ERROR, self->vm.exit_status);
}

TEST_F(run, io_with_a_bad_size_is_an_internal_error)
{
	set_io(self->run, HVLAB_IO_OUT, 0x3f8, 3, 1, NULL);
	EXPECT_EQ(VCPU_STOP, vcpu_handle_exit(self->v));
	EXPECT_EQ(VM_EXIT_VMX_ERROR, self->vm.exit_status);
}

TEST_F(run, mmio_read_of_the_lapic_fills_the_run_page)
{
	hw_set_current_vcpu(0);
	self->run->exit_reason = HVLAB_EXIT_MMIO;
	self->run->mmio.phys_addr = LAPIC_BASE + 0x30;
	self->run->mmio.len = 4;
	EXPECT_EQ(VCPU_CONTINUE, vcpu_handle_exit(self->v));
	EXPECT_EQ(0x14, self->run->mmio.data[0]);
	EXPECT_EQ(0x05, self->run->mmio.data[2]);
}

TEST_F(run, unclaimed_mmio_reads_all_ones)
{
	self->run->exit_reason = HVLAB_EXIT_MMIO;
	self->run->mmio.phys_addr = 0xd0000000;
	self->run->mmio.len = 8;
	EXPECT_EQ(VCPU_CONTINUE, vcpu_handle_exit(self->v));
	for (int i = 0; i < 8; i++)
		EXPECT_EQ(0xff, self->run->mmio.data[i]);
	self->run->mmio.len = 9;		/* impossible length */
	EXPECT_EQ(VCPU_STOP, vcpu_handle_exit(self->v));
}

TEST_F(run, hlt_of_the_only_vcpu_ends_the_run_with_0)
{
	self->run->exit_reason = HVLAB_EXIT_HLT;
	EXPECT_EQ(VCPU_HALTED, vcpu_handle_exit(self->v));
	EXPECT_TRUE(vm_stopping(&self->vm));
	EXPECT_EQ(VM_EXIT_OK, self->vm.exit_status);
}

TEST_F(run, hlt_of_one_vcpu_of_two_does_not)
{
	self->vm.ncpus = 2;
	self->run->exit_reason = HVLAB_EXIT_HLT;
	EXPECT_EQ(VCPU_HALTED, vcpu_handle_exit(self->v));
	EXPECT_FALSE(vm_stopping(&self->vm));
}

TEST_F(run, triple_fault_is_status_3)
{
	self->run->exit_reason = HVLAB_EXIT_SHUTDOWN;
	self->run->guest_rip = 0x100123;
	EXPECT_EQ(VCPU_STOP, vcpu_handle_exit(self->v));
	EXPECT_EQ(VM_EXIT_TRIPLE_FAULT, self->vm.exit_status);
}

TEST_F(run, entry_failure_and_internal_error_are_status_4)
{
	self->run->exit_reason = HVLAB_EXIT_FAIL_ENTRY;
	self->run->fail_entry.hardware_entry_failure_reason = 0x80000021;
	self->run->fail_entry.vm_instruction_error = 7;
	memset(self->run->fail_entry.check, 'x', sizeof(self->run->fail_entry.check));
	EXPECT_EQ(VCPU_STOP, vcpu_handle_exit(self->v));
	EXPECT_EQ(VM_EXIT_VMX_ERROR, self->vm.exit_status);
}

TEST_F(run, internal_error_with_garbage_ndata_is_safe)
{
	self->run->exit_reason = HVLAB_EXIT_INTERNAL_ERROR;
	self->run->internal.suberror = HVLAB_INTERNAL_UNEXPECTED_EXIT;
	self->run->internal.ndata = 1000;
	self->run->internal.data[0] = HVLAB_VMX_EXIT_GETSEC;
	EXPECT_EQ(VCPU_STOP, vcpu_handle_exit(self->v));
	EXPECT_EQ(VM_EXIT_VMX_ERROR, self->vm.exit_status);
}

TEST_F(run, unknown_hypercall_returns_minus_one)
{
	self->run->exit_reason = HVLAB_EXIT_HYPERCALL;
	self->run->hypercall.nr = 0x1234;
	EXPECT_EQ(VCPU_CONTINUE, vcpu_handle_exit(self->v));
	EXPECT_EQ((uint64_t)-1, self->run->hypercall.ret);
}

TEST_F(run, intr_debug_and_cr3_just_go_round)
{
	self->run->exit_reason = HVLAB_EXIT_INTR;
	EXPECT_EQ(VCPU_CONTINUE, vcpu_handle_exit(self->v));
	self->run->exit_reason = HVLAB_EXIT_CR3;
	self->run->cr3.new_cr3 = 0x5000;
	EXPECT_EQ(VCPU_CONTINUE, vcpu_handle_exit(self->v));
	EXPECT_FALSE(vm_stopping(&self->vm));
	self->run->exit_reason = 77;
	EXPECT_EQ(VCPU_STOP, vcpu_handle_exit(self->v));
	EXPECT_EQ(VM_EXIT_VMX_ERROR, self->vm.exit_status);
}

/*
 * vm_run's threads, with /dev/null standing in for the vCPU fds: HVLAB_RUN
 * fails with ENOTTY at once, the first vCPU to see it stops the VM, and
 * vm_run must join every thread and return status 4 rather than hang.
 */
TEST_F(run, vm_run_joins_every_vcpu_thread_when_run_fails)
{
	struct hvlab_run *run2 = aligned_alloc(4096, 2 * 4096);

	memset(run2, 0, 2 * 4096);
	self->vm.ncpus = 2;
	self->vm.vcpu[1] = (struct vcpu){ .vm = &self->vm, .id = 1, .run = run2,
					  .mmap_size = 2 * 4096 };
	self->v->fd = open("/dev/null", O_RDWR);
	self->vm.vcpu[1].fd = open("/dev/null", O_RDWR);
	ASSERT_GE(self->v->fd, 0);
	EXPECT_EQ(VM_EXIT_VMX_ERROR, vm_run(&self->vm));
	EXPECT_TRUE(atomic_load(&self->vm.vcpu[0].done));
	EXPECT_TRUE(atomic_load(&self->vm.vcpu[1].done));
	close(self->v->fd);
	close(self->vm.vcpu[1].fd);
	self->v->fd = self->vm.vcpu[1].fd = -1;
	self->vm.vcpu[1].run = NULL;
	free(run2);
}

/* --record: the guest's console and every device access land in the trace. */
TEST_F(run, record_keeps_console_bytes_and_device_accesses)
{
	char path[] = "/tmp/hvlab-test-record-XXXXXX";
	struct trace_config tc = { .mem_size = 4 << 20, .nr_vcpus = 1 };
	struct trace_reader *r;
	struct trace_event ev;
	int fd = mkstemp(path), console = 0, io = 0;

	ASSERT_GE(fd, 0);
	close(fd);
	self->vm.rec = trace_create(path, &tc);
	ASSERT_NE(NULL, self->vm.rec);
	bus_set_observer(self->vm.bus, trace_on_io, self->vm.rec);
	set_io(self->run, HVLAB_IO_OUT, 0x3f8, 1, 1, "A");
	EXPECT_EQ(VCPU_CONTINUE, vcpu_handle_exit(self->v));
	EXPECT_EQ(0, trace_close(self->vm.rec));
	self->vm.rec = NULL;
	fflush(self->con);
	EXPECT_STREQ("A", self->console);		/* stdout still gets it */
	r = trace_open(path);
	ASSERT_NE(NULL, r);
	while (trace_next(r, &ev) == 1) {
		if (ev.type == TRACE_CONSOLE && ev.len == 1 && ev.data[0] == 'A')
			console++;
		if (ev.type == TRACE_IO && ev.io.addr == 0x3f8 && ev.io.value == 'A')
			io++;
	}
	EXPECT_EQ(NULL, trace_error(r));
	EXPECT_EQ(1, console);
	EXPECT_EQ(1, io);
	trace_free(r);
	unlink(path);
}

TEST_HARNESS_MAIN
