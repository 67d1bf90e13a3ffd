/* SPDX-License-Identifier: GPL-2.0 */
/*
 * e1000.h - the Intel 82540EM model (e1000.c) as the network layer sees
 * it: a PCI device that hands transmitted frames to a callback and takes
 * received ones from e1000_receive().
 *
 * Threads: register accesses arrive from vCPU threads (under the bus
 * lock), e1000_receive() from the NIC's receive thread (net/netdev.c);
 * the model serialises both with a mutex of its own.  The transmit
 * callback is called with that mutex held: it must not call back into
 * the model (queue the frame instead, as every backend does).
 */
#ifndef HVLAB_HW_E1000_H
#define HVLAB_HW_E1000_H

#include <stddef.h>
#include <stdint.h>

struct guest_mem;
struct pci_host;
struct e1000;

typedef void (*e1000_tx_fn)(void *ctx, const uint8_t *frame, size_t len);
/* Called (mutex held) when receive descriptors may have become available. */
typedef void (*e1000_rx_ready_fn)(void *ctx);

struct e1000_stats {
	uint64_t tx_frames, tx_bytes, rx_frames, rx_bytes;
	uint64_t rx_filtered;		/* not for us (address filters) */
	uint64_t rx_no_desc;		/* ring full or receiver off: dropped or retried */
	uint64_t tx_dropped;		/* malformed or too long */
	uint64_t dma_errors;		/* a descriptor or buffer outside guest RAM */
	uint64_t irqs;			/* rising edges of INTA# */
	uint64_t rx_wraps, tx_wraps;	/* head pointer wrapped to 0 */
	uint64_t tso_segments;
	uint64_t reg_accesses;		/* BAR reads and writes: one exit each */
};

#define E1000_MAX_FRAME		16384	/* what one receive may carry */
#define E1000_TX_MAX		65536	/* the largest frame (TSO) assembled */

/* slot < 0: the first free PCI slot.  NULL on failure. */
struct e1000 *e1000_create(struct pci_host *h, int slot, const struct guest_mem *gm,
			   const uint8_t mac[6], e1000_tx_fn tx, void *ctx);
void e1000_set_rx_ready(struct e1000 *e, e1000_rx_ready_fn fn, void *ctx);
void e1000_free(struct e1000 *e);	/* after the bus (and so the PCI bridge) is gone */

/*
 * Puts one frame (without FCS) into the receive ring.  0: delivered, or
 * dropped for good (filtered, receiver disabled, bad length, DMA error);
 * -1: no free descriptor now; the caller may retry after rx_ready.
 */
int e1000_receive(struct e1000 *e, const uint8_t *frame, size_t len);
void e1000_get_stats(struct e1000 *e, struct e1000_stats *s);
struct pci_dev *e1000_pci(struct e1000 *e);
/* For tests: a register as the guest would read it, without side effects. */
uint32_t e1000_peek(struct e1000 *e, uint32_t reg);

#endif
