// SPDX-License-Identifier: GPL-2.0
/*
 * uart16550.c - a 16550A UART (COM1 at 0x3F8) whose transmitter is always
 * ready: every byte written to THR goes straight to the output callback
 * (stdout in hvlab run), so LSR.THRE and LSR.TEMT are always set and a
 * guest polling "wait until THRE" never waits.
 *
 * Register map (offset from the base; TI PC16550D datasheet, table II):
 *   0  RBR (read) / THR (write), DLL when LCR.DLAB = 1
 *   1  IER, DLM when LCR.DLAB = 1
 *   2  IIR (read) / FCR (write)
 *   3  LCR    4  MCR    5  LSR    6  MSR    7  SCR (scratch)
 *
 * There is no receiver input yet and no interrupt line: IIR always says
 * "no interrupt pending".  Loopback (MCR bit 4) is modelled because UART
 * drivers (Linux's 8250 among them) probe for a real chip with it: THR
 * bytes come back in RBR and the modem outputs appear as modem inputs.
 */
#include <stdlib.h>
#include <string.h>

#include "hw/devices.h"

#define LCR_DLAB	0x80
#define MCR_LOOP	0x10
#define LSR_DR		0x01
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define FCR_ENABLE	0x01

struct uart {
	struct hv_device dev;
	uint16_t base;
	uart_output_fn out;
	void *ctx;
	uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
	uint8_t rbr;
	bool rbr_full;		/* only in loopback */
};

static uint8_t uart_read(struct uart *u, unsigned reg)
{
	switch (reg) {
	case 0:
		if (u->lcr & LCR_DLAB)
			return u->dll;
		u->rbr_full = false;
		return u->rbr;
	case 1:
		return (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
	case 2:
		/* bit 0 = 1: no interrupt pending; bits 7:6 = FIFOs enabled */
		return (u->fcr & FCR_ENABLE) ? 0xC1 : 0x01;
	case 3:
		return u->lcr;
	case 4:
		return u->mcr;
	case 5:
		return LSR_THRE | LSR_TEMT | (u->rbr_full ? LSR_DR : 0);
	case 6:
		if (u->mcr & MCR_LOOP)	/* DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD */
			return (uint8_t)(((u->mcr & 0x02) << 3) | ((u->mcr & 0x01) << 5) |
					 ((u->mcr & 0x04) << 4) | ((u->mcr & 0x08) << 4));
		return 0xB0;	/* DCD, DSR and CTS: a terminal is connected */
	default:
		return u->scr;
	}
}

static void uart_write(struct uart *u, unsigned reg, uint8_t v)
{
	switch (reg) {
	case 0:
		if (u->lcr & LCR_DLAB) {
			u->dll = v;
		} else if (u->mcr & MCR_LOOP) {
			u->rbr = v;
			u->rbr_full = true;
		} else if (u->out) {
			u->out(u->ctx, v);
		}
		break;
	case 1:
		if (u->lcr & LCR_DLAB)
			u->dlm = v;
		else
			u->ier = v & 0x0F;
		break;
	case 2:
		u->fcr = v & 0xC9;	/* bits 1-2 (reset FIFOs) self-clear */
		break;
	case 3:
		u->lcr = v;
		break;
	case 4:
		u->mcr = v & 0x1F;
		break;
	case 7:
		u->scr = v;
		break;
	default:		/* LSR and MSR are read-only */
		break;
	}
}

/* A 2- or 4-byte access touches consecutive registers, byte by byte. */
static void uart_in(struct hv_device *dev, uint16_t port, void *data, unsigned size)
{
	struct uart *u = dev->priv;
	uint8_t *p = data;

	for (unsigned i = 0; i < size; i++)
		p[i] = uart_read(u, (unsigned)(port - u->base + i) & 7);
}

static void uart_out(struct hv_device *dev, uint16_t port, const void *data, unsigned size)
{
	struct uart *u = dev->priv;
	const uint8_t *p = data;

	for (unsigned i = 0; i < size; i++)
		uart_write(u, (unsigned)(port - u->base + i) & 7, p[i]);
}

static void uart_destroy(struct hv_device *dev)
{
	free(dev->priv);
}

static const struct hv_device_ops uart_ops = {
	.pio_in = uart_in,
	.pio_out = uart_out,
	.destroy = uart_destroy,
};

struct hv_device *uart16550_attach(struct bus *bus, uint16_t base, uart_output_fn out, void *ctx)
{
	struct uart *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	u->dev = (struct hv_device){ .name = "uart16550", .ops = &uart_ops, .priv = u };
	u->base = base;
	u->out = out;
	u->ctx = ctx;
	u->lcr = 0x03;		/* 8N1, the reset value firmware leaves */
	u->mcr = 0x08;		/* OUT2 */
	if (bus_register_pio(bus, base, 8, &u->dev)) {
		free(u);
		return NULL;
	}
	return &u->dev;
}
