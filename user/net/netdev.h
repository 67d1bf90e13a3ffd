/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netdev.h - one network card of a VM (--net): an e1000 on the PCI bus,
 * the backend of its mode, the queue and thread between them, the
 * optional pcap file and the counters --stats prints.
 *
 *   guest driver -> TX ring -> e1000.c -> netdev_tx -> pcap, backend->send
 *   backend thread -> netdev_rx -> pcap, frameq -> rx thread -> e1000_receive
 *                                                  -> RX ring -> INTA#
 *
 * The receive thread holds a frame while the guest has no free receive
 * descriptor and retries when RDT moves (e1000's rx_ready), for up to
 * NETDEV_RX_HOLD_MS; a frame still not taken then is dropped and counted,
 * as a NIC's FIFO overflows.
 */
#ifndef HVLAB_NET_NETDEV_H
#define HVLAB_NET_NETDEV_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct guest_mem;
struct pci_host;
struct netdev;

#define NETDEV_QUEUE		256	/* frames waiting for the guest */
#define NETDEV_RX_HOLD_MS	1000

struct netdev_config {
	const char *mode;		/* "nat...", "bridged:IF", "internal:NAME" */
	uint8_t mac[6];
	bool mac_set;			/* else netdev_default_mac() */
	const char *pcap;		/* NULL: no capture */
};

struct netdev_stats {
	uint64_t tx_frames, tx_bytes, rx_frames, rx_bytes;
	uint64_t irqs, rx_wraps, tx_wraps;
	uint64_t reg_accesses;		/* the guest's register reads and writes */
	uint64_t drops;			/* every kind, detailed below */
	uint64_t rx_queue_full, rx_no_desc, rx_filtered, tx_dropped, dma_errors;
};

/*
 * A locally administered unicast MAC unique among the VMs running on this
 * host: 52:56:PP:PP:PP:NN, PP the process ID (below 2^22 on Linux), NN the
 * NIC's index.
 */
void netdev_default_mac(uint8_t mac[6], unsigned index);
/* "52:54:00:12:34:56" -> 0; the multicast bit set, or malformed: -1. */
int netdev_parse_mac(const char *s, uint8_t mac[6]);

/* The NIC in the first free PCI slot; NULL with a message in err. */
struct netdev *netdev_create(struct pci_host *h, const struct guest_mem *gm,
			     const struct netdev_config *cfg, unsigned index,
			     char *err, size_t errlen);
/* Stops the threads and the backend (before the bus goes)... */
void netdev_stop(struct netdev *nd);
/* ...then frees the rest (after bus_free, which holds the PCI device). */
void netdev_free(struct netdev *nd);

/*
 * Every frame, as pcap sees it (dir 0: sent by the guest, 1: arrived for
 * it), to fn: the dashboard's network panel and --record.  Called on the
 * vCPU or backend thread, with the card's locks held: fn must be quick.
 */
typedef void (*netdev_frame_fn)(void *ctx, unsigned nic, unsigned dir, const uint8_t *frame,
				size_t len);
void netdev_set_observer(struct netdev *nd, netdev_frame_fn fn, void *ctx);

void netdev_get_stats(struct netdev *nd, struct netdev_stats *st);
void netdev_print_stats(struct netdev *nd, FILE *f);
const char *netdev_mode(const struct netdev *nd);
const uint8_t *netdev_mac(const struct netdev *nd);

#endif
