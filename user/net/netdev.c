// SPDX-License-Identifier: GPL-2.0
/*
 * netdev.c - a VM's network card: the wiring of netdev.h between the
 * e1000 model, a backend, the receive queue and the pcap writer.
 *
 * Locks, outermost first: the bus lock and e1000's mutex (a guest register
 * write that transmits), then the backend's own (netsw, libslirp), then
 * the pcap writer's and the queue's.  e1000's rx_ready callback runs under
 * e1000's mutex and only bumps a counter under nd->lock; the receive
 * thread never holds nd->lock while it calls into e1000.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hw/e1000.h"
#include "hw/pci.h"
#include "net/backend.h"
#include "net/frameq.h"
#include "net/netdev.h"
#include "net/pcap.h"

struct netdev {
	unsigned index;
	char mode[256];
	uint8_t mac[6];
	struct e1000 *nic;
	struct net_backend *be;
	struct pcap_writer *pcap;
	struct frameq rxq;
	pthread_t rx_thread;
	bool rx_running;
	volatile bool stop;
	pthread_mutex_t lock;
	pthread_cond_t ready;
	uint64_t ready_gen;		/* bumped by every rx_ready */
	uint64_t rx_held_drops;		/* taken by nobody within NETDEV_RX_HOLD_MS */
	netdev_frame_fn observe;	/* under lock */
	void *observe_ctx;
};

static void observe(struct netdev *nd, unsigned dir, const uint8_t *frame, size_t len)
{
	pthread_mutex_lock(&nd->lock);
	if (nd->observe)
		nd->observe(nd->observe_ctx, nd->index, dir, frame, len);
	pthread_mutex_unlock(&nd->lock);
}

void netdev_set_observer(struct netdev *nd, netdev_frame_fn fn, void *ctx)
{
	pthread_mutex_lock(&nd->lock);
	nd->observe = fn;
	nd->observe_ctx = ctx;
	pthread_mutex_unlock(&nd->lock);
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

void netdev_default_mac(uint8_t mac[6], unsigned index)
{
	uint32_t pid = (uint32_t)getpid();

	mac[0] = 0x52;		/* locally administered (bit 1), unicast (bit 0 clear) */
	mac[1] = 0x56;
	mac[2] = (uint8_t)(pid >> 16);
	mac[3] = (uint8_t)(pid >> 8);
	mac[4] = (uint8_t)pid;
	mac[5] = (uint8_t)index;
}

int netdev_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char end;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
		   &end) != 6 || strlen(s) != 17)
		return -1;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return mac[0] & 1 ? -1 : 0;
}

/* e1000 -> world (e1000's mutex held) */
static void netdev_tx(void *ctx, const uint8_t *frame, size_t len)
{
	struct netdev *nd = ctx;

	if (nd->pcap)
		pcap_write(nd->pcap, frame, len, now_ns());
	observe(nd, 0, frame, len);
	if (nd->be)
		nd->be->ops->send(nd->be, frame, len);
}

/* world -> queue (the backend's thread) */
static void netdev_rx(void *ctx, const uint8_t *frame, size_t len)
{
	struct netdev *nd = ctx;

	if (nd->pcap)
		pcap_write(nd->pcap, frame, len, now_ns());
	observe(nd, 1, frame, len);
	frameq_push(&nd->rxq, frame, len);
}

static void rx_ready(void *ctx)
{
	struct netdev *nd = ctx;

	pthread_mutex_lock(&nd->lock);
	nd->ready_gen++;
	pthread_cond_broadcast(&nd->ready);
	pthread_mutex_unlock(&nd->lock);
}

/* Waits (up to ms) for e1000 to report new receive descriptors since gen. */
static void wait_ready(struct netdev *nd, uint64_t gen, int ms)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_nsec += (long)ms * 1000000L;
	while (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&nd->lock);
	while (nd->ready_gen == gen && !nd->stop)
		if (pthread_cond_timedwait(&nd->ready, &nd->lock, &t) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&nd->lock);
}

static void *rx_main(void *arg)
{
	struct netdev *nd = arg;

	while (!nd->stop) {
		const uint8_t *f;
		size_t len = frameq_peek_wait(&nd->rxq, &f, 200);
		int waited = 0;

		if (!len)
			continue;
		for (;;) {
			uint64_t gen;

			pthread_mutex_lock(&nd->lock);
			gen = nd->ready_gen;
			pthread_mutex_unlock(&nd->lock);
			if (!e1000_receive(nd->nic, f, len))
				break;
			if (nd->stop || waited >= NETDEV_RX_HOLD_MS) {
				pthread_mutex_lock(&nd->lock);
				nd->rx_held_drops++;
				pthread_mutex_unlock(&nd->lock);
				break;
			}
			wait_ready(nd, gen, 50);
			waited += 50;
		}
		frameq_drop_head(&nd->rxq);
	}
	return NULL;
}

static void print_mac(char *buf, size_t len, const uint8_t *m)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

struct netdev *netdev_create(struct pci_host *h, const struct guest_mem *gm,
			     const struct netdev_config *cfg, unsigned index,
			     char *err, size_t errlen)
{
	struct netdev *nd = calloc(1, sizeof(*nd));
	int e;

	if (!nd || frameq_init(&nd->rxq, NETDEV_QUEUE)) {
		snprintf(err, errlen, "out of memory");
		free(nd);
		errno = ENOMEM;
		return NULL;
	}
	nd->index = index;
	snprintf(nd->mode, sizeof(nd->mode), "%s", cfg->mode);
	if (cfg->mac_set)
		memcpy(nd->mac, cfg->mac, 6);
	else
		netdev_default_mac(nd->mac, index);
	pthread_mutex_init(&nd->lock, NULL);
	pthread_cond_init(&nd->ready, NULL);
	if (cfg->pcap) {
		nd->pcap = pcap_open(cfg->pcap);
		if (!nd->pcap) {
			snprintf(err, errlen, "--pcap %s: %s", cfg->pcap, strerror(errno));
			goto fail;
		}
	}
	nd->be = net_backend_open(cfg->mode, netdev_rx, nd, err, errlen);
	if (!nd->be)
		goto fail;
	nd->nic = e1000_create(h, -1, gm, nd->mac, netdev_tx, nd);
	if (!nd->nic) {
		snprintf(err, errlen, "%s: no free PCI slot or BAR space for the e1000", cfg->mode);
		goto fail;
	}
	e1000_set_rx_ready(nd->nic, rx_ready, nd);
	if (pthread_create(&nd->rx_thread, NULL, rx_main, nd)) {
		snprintf(err, errlen, "%s: cannot start the receive thread", cfg->mode);
		pci_dev_remove(e1000_pci(nd->nic));
		goto fail;
	}
	nd->rx_running = true;
	return nd;
fail:
	e = errno;		/* what the caller maps to an exit status */
	netdev_stop(nd);
	netdev_free(nd);
	errno = e;
	return NULL;
}

void netdev_stop(struct netdev *nd)
{
	if (!nd)
		return;
	nd->stop = true;
	frameq_close(&nd->rxq);
	rx_ready(nd);
	if (nd->rx_running)
		pthread_join(nd->rx_thread, NULL);
	nd->rx_running = false;
	net_backend_close(nd->be);	/* its thread ends: nothing calls netdev_rx after */
	nd->be = NULL;
}

void netdev_free(struct netdev *nd)
{
	if (!nd)
		return;
	e1000_free(nd->nic);
	pcap_close(nd->pcap);
	frameq_destroy(&nd->rxq);
	pthread_mutex_destroy(&nd->lock);
	pthread_cond_destroy(&nd->ready);
	free(nd);
}

void netdev_get_stats(struct netdev *nd, struct netdev_stats *st)
{
	struct e1000_stats e;

	memset(st, 0, sizeof(*st));
	if (nd->nic)
		e1000_get_stats(nd->nic, &e);
	else
		memset(&e, 0, sizeof(e));
	st->tx_frames = e.tx_frames;
	st->tx_bytes = e.tx_bytes;
	st->rx_frames = e.rx_frames;
	st->rx_bytes = e.rx_bytes;
	st->irqs = e.irqs;
	st->reg_accesses = e.reg_accesses;
	st->rx_wraps = e.rx_wraps;
	st->tx_wraps = e.tx_wraps;
	pthread_mutex_lock(&nd->rxq.lock);
	st->rx_queue_full = nd->rxq.dropped;
	pthread_mutex_unlock(&nd->rxq.lock);
	pthread_mutex_lock(&nd->lock);
	st->rx_no_desc = nd->rx_held_drops;
	pthread_mutex_unlock(&nd->lock);
	st->rx_filtered = e.rx_filtered;
	st->tx_dropped = e.tx_dropped;
	st->dma_errors = e.dma_errors;
	st->drops = st->rx_queue_full + st->rx_no_desc + st->tx_dropped + st->dma_errors;
}

void netdev_print_stats(struct netdev *nd, FILE *f)
{
	struct netdev_stats st;
	char mac[18], line[256] = "";

	netdev_get_stats(nd, &st);
	print_mac(mac, sizeof(mac), nd->mac);
	fprintf(f, "NIC %u (e1000, --net %s, MAC %s):\n", nd->index, nd->mode, mac);
	fprintf(f, "  %-22s %12" PRIu64 " frames %14" PRIu64 " bytes\n", "sent by the guest",
		st.tx_frames, st.tx_bytes);
	fprintf(f, "  %-22s %12" PRIu64 " frames %14" PRIu64 " bytes\n", "received by the guest",
		st.rx_frames, st.rx_bytes);
	fprintf(f, "  %-22s %12" PRIu64 "\n", "interrupts", st.irqs);
	fprintf(f, "  %-22s %12" PRIu64 " (each an exit to userspace)\n", "register accesses",
		st.reg_accesses);
	fprintf(f, "  %-22s %12" PRIu64 " receive %10" PRIu64 " transmit\n", "ring wraps",
		st.rx_wraps, st.tx_wraps);
	fprintf(f, "  %-22s %12" PRIu64 " (queue full %" PRIu64 ", no descriptor %" PRIu64
		", bad packet %" PRIu64 ", DMA outside RAM %" PRIu64 ")\n", "drops", st.drops,
		st.rx_queue_full, st.rx_no_desc, st.tx_dropped, st.dma_errors);
	fprintf(f, "  %-22s %12" PRIu64 "\n", "not for this MAC", st.rx_filtered);
	if (nd->be && nd->be->ops->describe) {
		nd->be->ops->describe(nd->be, line, sizeof(line));
		fprintf(f, "  %s\n", line);
	}
	if (nd->pcap)
		fprintf(f, "  pcap: %" PRIu64 " frames written\n", pcap_frames(nd->pcap));
}

const char *netdev_mode(const struct netdev *nd)
{
	return nd->mode;
}

const uint8_t *netdev_mac(const struct netdev *nd)
{
	return nd->mac;
}
