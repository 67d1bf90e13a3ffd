// SPDX-License-Identifier: GPL-2.0
/*
 * i8042.c - the PS/2 keyboard controller (data port 0x60, status/command
 * port 0x64), as much of it as an OS needs to find a controller with a
 * keyboard that never types, and to reset the machine through it.
 * IBM PC/AT Technical Reference, "Keyboard controller"; the command set
 * is the one Linux's drivers/input/serio/i8042.c uses.
 *
 * The controller answers through a small output queue; the status
 * register's OBF bit (and AUXB for bytes from the auxiliary port) says a
 * byte waits at 0x60.  Controller commands written to 0x64:
 *   0x20 read the command byte, 0x60 write it (the next data byte),
 *   0xAA self-test -> 0x55, 0xAB keyboard / 0xA9 aux interface test -> 0,
 *   0xAD/0xAE disable/enable the keyboard, 0xA7/0xA8 the aux port
 *   (command byte bits 4 and 5), 0xD1 write the output port (the next data
 *   byte; bit 0 clear holds the CPU in reset), 0xD2/0xD3 put the next data
 *   byte in the output queue as from the keyboard/aux port, 0xD4 send the
 *   next byte to the aux device (none: dropped), 0xFE (and any 0xF0-0xFF
 *   that pulses bit 0) pulse the reset line.
 * A reset ends the run through the hw_stop_fn given at attach, with its
 * status.  Bytes written to 0x60 with no command waiting go to the
 * keyboard, which answers 0xFA (ACK), 0xFA 0xAA to 0xFF (reset and
 * self-test), 0xFA 0xAB 0x83 to 0xF2 (identify), 0xEE to 0xEE (echo).
 *
 * IRQ 1 follows "a keyboard byte waits and command byte bit 0 enables its
 * interrupt".  There is no IRQ 12: Linux's AUX IRQ test then fails and it
 * goes on without a mouse.  Locking: one mutex; the line is set with it
 * held (device lock, then the interrupt controller's); the stop callback
 * is called with it released.
 */
#include <pthread.h>
#include <stdlib.h>

#include "hw/board.h"
#include "hw/irq.h"	/* before devices.h: see its lapic.c entry */
#include "hw/devices.h"

#define STS_OBF		0x01
#define STS_SYS		0x04
#define STS_CMD		0x08	/* the last write was to 0x64 */
#define STS_UNLOCKED	0x10	/* keyboard not inhibited */
#define STS_AUXB	0x20	/* the output byte comes from the aux port */

#define CTR_KBDINT	0x01
#define CTR_SYS		0x04
#define CTR_KBDDIS	0x10
#define CTR_AUXDIS	0x20

#define OUTQ		16

struct i8042 {
	struct hv_device dev;
	pthread_mutex_t lock;
	struct irq_line line;
	bool level;
	hw_stop_fn stop;
	void *ctx;
	int status;
	uint8_t ctr;		/* the command byte */
	uint8_t pending;	/* a command waiting for its data byte, or 0 */
	uint8_t kbd_pending;	/* a keyboard command waiting for its parameter */
	bool last_cmd;
	struct {
		uint8_t byte;
		bool aux;
	} q[OUTQ];
	unsigned qhead, qcount;
};

static void q_push(struct i8042 *k, uint8_t byte, bool aux)
{
	if (k->qcount == OUTQ)
		return;
	k->q[(k->qhead + k->qcount) % OUTQ].byte = byte;
	k->q[(k->qhead + k->qcount) % OUTQ].aux = aux;
	k->qcount++;
}

/* Lock held. */
static void kbd_update_irq(struct i8042 *k)
{
	bool level = k->qcount && !k->q[k->qhead].aux && (k->ctr & CTR_KBDINT);

	if (level != k->level) {
		k->level = level;
		irq_line_set(&k->line, level);
	}
}

static void kbd_command(struct i8042 *k, uint8_t v)
{
	if (k->kbd_pending) {		/* the parameter of 0xED, 0xF0, 0xF3 */
		k->kbd_pending = 0;
		q_push(k, 0xFA, false);
		return;
	}
	switch (v) {
	case 0xEE:			/* echo */
		q_push(k, 0xEE, false);
		break;
	case 0xED:			/* set LEDs */
	case 0xF0:			/* scan code set */
	case 0xF3:			/* typematic rate */
		k->kbd_pending = v;
		q_push(k, 0xFA, false);
		break;
	case 0xF2:			/* identify: an MF2 keyboard */
		q_push(k, 0xFA, false);
		q_push(k, 0xAB, false);
		q_push(k, 0x83, false);
		break;
	case 0xFF:			/* reset: ACK, then self-test passed */
		q_push(k, 0xFA, false);
		q_push(k, 0xAA, false);
		break;
	default:
		q_push(k, 0xFA, false);
		break;
	}
}

/* A byte to 0x60.  Returns true when it asks for a reset. */
static bool data_write(struct i8042 *k, uint8_t v)
{
	uint8_t cmd = k->pending;

	k->pending = 0;
	switch (cmd) {
	case 0x60:
		k->ctr = v;
		break;
	case 0xD1:
		return !(v & 1);	/* output port bit 0: the CPU's reset line */
	case 0xD2:
		q_push(k, v, false);
		break;
	case 0xD3:
		q_push(k, v, true);
		break;
	case 0xD4:
		break;			/* no aux device */
	default:
		if (cmd >= 0x61 && cmd <= 0x7F)
			break;		/* controller RAM: not kept */
		k->ctr &= (uint8_t)~CTR_KBDDIS;	/* writing the keyboard enables it */
		kbd_command(k, v);
		break;
	}
	return false;
}

/* A byte to 0x64.  Returns true when it asks for a reset. */
static bool command_write(struct i8042 *k, uint8_t v)
{
	k->pending = 0;
	switch (v) {
	case 0x20:
		q_push(k, k->ctr, false);
		break;
	case 0xA7:
		k->ctr |= CTR_AUXDIS;
		break;
	case 0xA8:
		k->ctr &= (uint8_t)~CTR_AUXDIS;
		break;
	case 0xA9:			/* aux interface test: no error */
	case 0xAB:			/* keyboard interface test: no error */
		q_push(k, 0x00, false);
		break;
	case 0xAA:			/* controller self-test passed */
		k->ctr |= CTR_SYS;
		q_push(k, 0x55, false);
		break;
	case 0xAD:
		k->ctr |= CTR_KBDDIS;
		break;
	case 0xAE:
		k->ctr &= (uint8_t)~CTR_KBDDIS;
		break;
	case 0x60:
	case 0xD1:
	case 0xD2:
	case 0xD3:
	case 0xD4:
		k->pending = v;
		break;
	default:
		if (v >= 0x21 && v <= 0x3F)
			q_push(k, 0, false);	/* controller RAM reads as 0 */
		else if (v >= 0x61 && v <= 0x7F)
			k->pending = v;
		else if (v >= 0xF0 && !(v & 1))
			return true;	/* pulse output port bit 0: reset */
		break;
	}
	return false;
}

static void i8042_in(struct hv_device *dev, uint16_t port, void *data, unsigned size)
{
	struct i8042 *k = dev->priv;
	uint8_t *b = data;

	pthread_mutex_lock(&k->lock);
	for (unsigned i = 0; i < size; i++) {
		if (i == 0 && port == PORT_I8042_CMD) {
			b[i] = (uint8_t)(STS_UNLOCKED | (k->ctr & CTR_SYS) |
					 (k->last_cmd ? STS_CMD : 0) |
					 (k->qcount ? STS_OBF : 0) |
					 (k->qcount && k->q[k->qhead].aux ? STS_AUXB : 0));
		} else if (i == 0 && port == PORT_I8042_DATA) {
			b[i] = k->qcount ? k->q[k->qhead].byte : 0;
			if (k->qcount) {
				k->qhead = (k->qhead + 1) % OUTQ;
				k->qcount--;
			}
		} else {
			b[i] = 0xff;
		}
	}
	kbd_update_irq(k);
	pthread_mutex_unlock(&k->lock);
}

static void i8042_out(struct hv_device *dev, uint16_t port, const void *data, unsigned size)
{
	struct i8042 *k = dev->priv;
	uint8_t v = *(const uint8_t *)data;
	bool reset;

	(void)size;		/* only the first byte reaches the one-byte port */
	pthread_mutex_lock(&k->lock);
	k->last_cmd = port == PORT_I8042_CMD;
	reset = k->last_cmd ? command_write(k, v) : data_write(k, v);
	kbd_update_irq(k);
	pthread_mutex_unlock(&k->lock);
	if (reset && k->stop)
		k->stop(k->ctx, k->status, false, "the guest reset the machine (8042)");
}

static void i8042_destroy(struct hv_device *dev)
{
	struct i8042 *k = dev->priv;

	pthread_mutex_destroy(&k->lock);
	free(k);
}

static const struct hv_device_ops i8042_ops = {
	.pio_in = i8042_in,
	.pio_out = i8042_out,
	.destroy = i8042_destroy,
};

struct hv_device *i8042_attach(struct bus *bus, const struct irq_line *kbd_line,
			       hw_stop_fn reset, void *ctx, int status)
{
	struct i8042 *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	k->dev = (struct hv_device){ .name = "i8042", .ops = &i8042_ops, .priv = k };
	pthread_mutex_init(&k->lock, NULL);
	if (kbd_line)
		k->line = *kbd_line;
	k->stop = reset;
	k->ctx = ctx;
	k->status = status;
	/* what a BIOS leaves: keyboard interrupt, system flag, translation on */
	k->ctr = CTR_KBDINT | CTR_SYS | 0x40;
	if (bus_register_pio(bus, PORT_I8042_DATA, 1, &k->dev)) {
		pthread_mutex_destroy(&k->lock);
		free(k);
		return NULL;
	}
	if (bus_register_pio(bus, PORT_I8042_CMD, 1, &k->dev))
		return NULL;	/* the bus already owns it and frees it */
	return &k->dev;
}
