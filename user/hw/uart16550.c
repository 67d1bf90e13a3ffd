// SPDX-License-Identifier: GPL-2.0
/*
 * uart16550.c - a 16550A UART (COM1 at 0x3F8, IRQ 4) whose transmitter is
 * always ready: every byte written to THR goes straight to the output
 * callback (stdout in hvlab run), so LSR.THRE and LSR.TEMT are always set
 * and a guest polling "wait until THRE" never waits.  Received bytes come
 * from uart16550_input() (the host terminal) into a 16-byte FIFO.
 *
 * Register map (offset from the base; TI PC16550D datasheet, table II):
 *   0  RBR (read) / THR (write), DLL when LCR.DLAB = 1
 *   1  IER, DLM when LCR.DLAB = 1
 *   2  IIR (read) / FCR (write)
 *   3  LCR    4  MCR    5  LSR    6  MSR    7  SCR (scratch)
 *
 * Interrupts (datasheet table IV), highest priority first, as IIR reports
 * them: receiver line status (LSR.OE, ELSI), received data (ERBFI: at the
 * FIFO's trigger level, or "character timeout" below it - given at once
 * here rather than after four character times), THR empty (ETBEI), modem
 * status (a delta bit in MSR, EDSSI).  The THR-empty interrupt is raised
 * when ETBEI is set with THR empty and each time a written byte has gone
 * (at once); it is cleared by reading IIR while it is the reported source
 * or by writing THR.  Linux's 8250 driver checks exactly this at start-up
 * (serial8250_do_startup: THRE must re-assert when ETBEI is re-enabled).
 *
 * The IRQ output reaches the interrupt controller only while MCR.OUT2 is
 * set and loopback is off, as on a PC, where OUT2 gates the ISA line and
 * loopback disconnects the chip's outputs.  In loopback (MCR bit 4) THR
 * bytes come back through the receive FIFO and the modem outputs appear
 * as modem inputs (DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD), which is what
 * Linux's autoconfig probes.
 *
 * Locking: one mutex; the IRQ line is set with it held, only when its
 * level changes (lock order: device lock, then the interrupt controller's).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "hw/irq.h"	/* before devices.h: see its lapic.c entry */
#include "hw/devices.h"

#define LCR_DLAB	0x80
#define MCR_OUT2	0x08
#define MCR_LOOP	0x10
#define LSR_DR		0x01
#define LSR_OE		0x02
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define LSR_ERRORS	0x1E	/* OE, PE, FE, BI: the line status interrupt */
#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02
#define IER_ERBFI	0x01
#define IER_ETBEI	0x02
#define IER_ELSI	0x04
#define IER_EDSSI	0x08
#define IIR_NONE	0x01
#define IIR_MSR		0x00
#define IIR_THRE	0x02
#define IIR_RDA		0x04
#define IIR_LSR		0x06
#define IIR_TIMEOUT	0x0C
#define RX_FIFO		16

struct uart {
	struct hv_device dev;
	pthread_mutex_t lock;
	uint16_t base;
	uart_output_fn out;
	void *ctx;
	struct irq_line line;
	bool level;
	uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
	uint8_t lsr_err;	/* OE/PE/FE/BI until LSR is read */
	uint8_t msr_delta;	/* MSR bits 3:0 until MSR is read */
	uint8_t msr_in;		/* the last modem inputs, MSR bits 7:4 */
	bool thr_ipending;
	uint8_t rx[RX_FIFO];
	unsigned rx_head, rx_count;
};

static unsigned rx_trigger(const struct uart *u)
{
	static const unsigned level[4] = { 1, 4, 8, 14 };

	return (u->fcr & FCR_ENABLE) ? level[u->fcr >> 6] : 1;
}

/* The FIFO holds 16 bytes, or one with the FIFOs disabled (16450 mode). */
static unsigned rx_capacity(const struct uart *u)
{
	return (u->fcr & FCR_ENABLE) ? RX_FIFO : 1;
}

/* The highest-priority interrupt pending, IIR bits 3:0.  Lock held. */
/* LAB 8: BEGIN iir */
static uint8_t uart_iir(const struct uart *u)
{
	if ((u->ier & IER_ELSI) && (u->lsr_err & LSR_ERRORS))
		return IIR_LSR;
	if ((u->ier & IER_ERBFI) && u->rx_count)
		return u->rx_count >= rx_trigger(u) ? IIR_RDA : IIR_TIMEOUT;
	if ((u->ier & IER_ETBEI) && u->thr_ipending)
		return IIR_THRE;
	if ((u->ier & IER_EDSSI) && u->msr_delta)
		return IIR_MSR;
	return IIR_NONE;
}
/* LAB 8: END iir */

/* Follow the interrupt state with the line.  Lock held. */
static void uart_update_irq(struct uart *u)
{
	bool level = uart_iir(u) != IIR_NONE && (u->mcr & MCR_OUT2) && !(u->mcr & MCR_LOOP);

	if (level != u->level) {
		u->level = level;
		irq_line_set(&u->line, level);
	}
}

/* The modem inputs, MSR bits 7:4: a connected terminal, or the loopback. */
static uint8_t modem_inputs(const struct uart *u)
{
	if (u->mcr & MCR_LOOP)	/* DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD */
		return (uint8_t)(((u->mcr & 0x02) << 3) | ((u->mcr & 0x01) << 5) |
				 ((u->mcr & 0x04) << 4) | ((u->mcr & 0x08) << 4));
	return 0xB0;		/* DCD, DSR and CTS */
}

/* The modem inputs may have changed: set the delta bits.  Lock held. */
static void modem_update(struct uart *u)
{
	uint8_t now = modem_inputs(u), changed = now ^ u->msr_in;

	/* CTS, DSR, DCD: any change; RI: trailing edge only (TERI) */
	u->msr_delta |= (uint8_t)((changed & 0xB0) >> 4);
	if ((changed & 0x40) && !(now & 0x40))
		u->msr_delta |= 0x04;
	u->msr_in = now;
}

/* LAB 8: BEGIN fifo */
static bool rx_push(struct uart *u, uint8_t byte)
{
	if (u->rx_count >= rx_capacity(u)) {
		u->lsr_err |= LSR_OE;
		return false;
	}
	u->rx[(u->rx_head + u->rx_count) % RX_FIFO] = byte;
	u->rx_count++;
	return true;
}

static uint8_t rx_pop(struct uart *u)
{
	uint8_t b;

	if (!u->rx_count)
		return 0;
	b = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % RX_FIFO;
	u->rx_count--;
	return b;
}
/* LAB 8: END fifo */

static uint8_t uart_read(struct uart *u, unsigned reg)
{
	uint8_t v;

	switch (reg) {
	case 0:
		if (u->lcr & LCR_DLAB)
			return u->dll;
		return rx_pop(u);
	case 1:
		return (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
	case 2:
		v = uart_iir(u);
		if (v == IIR_THRE)
			u->thr_ipending = false;	/* reading IIR acknowledges THRE */
		/* bits 7:6 = FIFOs enabled */
		return (uint8_t)(v | ((u->fcr & FCR_ENABLE) ? 0xC0 : 0));
	case 3:
		return u->lcr;
	case 4:
		return u->mcr;
	case 5:
		v = (uint8_t)(LSR_THRE | LSR_TEMT | u->lsr_err | (u->rx_count ? LSR_DR : 0));
		u->lsr_err = 0;
		return v;
	case 6:
		v = (uint8_t)(modem_inputs(u) | u->msr_delta);
		u->msr_delta = 0;
		return v;
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
			break;
		}
		if (u->mcr & MCR_LOOP)
			rx_push(u, v);
		else if (u->out)
			u->out(u->ctx, v);
		/* writing THR clears THRE; the byte leaves at once, so it is empty again */
		u->thr_ipending = true;
		break;
	case 1:
		if (u->lcr & LCR_DLAB) {
			u->dlm = v;
			break;
		}
		/* enabling ETBEI with THR empty raises THRE (datasheet, IIR) */
		if ((v & IER_ETBEI) && !(u->ier & IER_ETBEI))
			u->thr_ipending = true;
		u->ier = v & 0x0F;
		break;
	case 2:
		if ((v ^ u->fcr) & FCR_ENABLE || (v & FCR_CLEAR_RX))
			u->rx_head = u->rx_count = 0;	/* toggling the FIFOs empties them */
		u->fcr = v & 0xC9;	/* bits 1-2 (reset FIFOs) self-clear */
		break;
	case 3:
		u->lcr = v;
		break;
	case 4:
		u->mcr = v & 0x1F;
		modem_update(u);
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

	pthread_mutex_lock(&u->lock);
	for (unsigned i = 0; i < size; i++)
		p[i] = uart_read(u, (unsigned)(port - u->base + i) & 7);
	uart_update_irq(u);
	pthread_mutex_unlock(&u->lock);
}

static void uart_out(struct hv_device *dev, uint16_t port, const void *data, unsigned size)
{
	struct uart *u = dev->priv;
	const uint8_t *p = data;

	pthread_mutex_lock(&u->lock);
	for (unsigned i = 0; i < size; i++)
		uart_write(u, (unsigned)(port - u->base + i) & 7, p[i]);
	uart_update_irq(u);
	pthread_mutex_unlock(&u->lock);
}

size_t uart16550_input(struct hv_device *dev, const uint8_t *buf, size_t n)
{
	struct uart *u = dev->priv;
	size_t taken = 0;

	pthread_mutex_lock(&u->lock);
	/* in loopback the receiver hears only the transmitter */
	if (!(u->mcr & MCR_LOOP))
		while (taken < n && rx_push(u, buf[taken]))
			taken++;
	uart_update_irq(u);
	pthread_mutex_unlock(&u->lock);
	return taken;
}

static void uart_destroy(struct hv_device *dev)
{
	struct uart *u = dev->priv;

	pthread_mutex_destroy(&u->lock);
	free(u);
}

static const struct hv_device_ops uart_ops = {
	.pio_in = uart_in,
	.pio_out = uart_out,
	.destroy = uart_destroy,
};

struct hv_device *uart16550_attach(struct bus *bus, uint16_t base, const struct irq_line *line,
				   uart_output_fn out, void *ctx)
{
	struct uart *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	u->dev = (struct hv_device){ .name = "uart16550", .ops = &uart_ops, .priv = u };
	pthread_mutex_init(&u->lock, NULL);
	u->base = base;
	if (line)
		u->line = *line;
	u->out = out;
	u->ctx = ctx;
	u->lcr = 0x03;		/* 8N1, the reset value firmware leaves */
	u->mcr = 0x08;		/* OUT2 */
	u->msr_in = modem_inputs(u);
	if (bus_register_pio(bus, base, 8, &u->dev)) {
		pthread_mutex_destroy(&u->lock);
		free(u);
		return NULL;
	}
	return &u->dev;
}
