// SPDX-License-Identifier: GPL-2.0
/*
 * pcap.c - the pcap file writer of pcap.h.  Each record is written with
 * one fwrite of header and data under the writer's mutex, and flushed, so
 * a capture read while the VM runs (tcpdump -r, tail -f | tcpdump -r -)
 * holds whole records only, and a killed hvlab loses at most the frame in
 * flight.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/pcap.h"

struct pcap_writer {
	pthread_mutex_t lock;
	FILE *f;
	uint64_t frames;
};

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);	/* host order: the magic tells readers which */
}

struct pcap_writer *pcap_open(const char *path)
{
	struct pcap_writer *w = calloc(1, sizeof(*w));
	uint8_t h[24] = { 0 };

	if (!w)
		return NULL;
	w->f = fopen(path, "wb");
	if (!w->f) {
		free(w);
		return NULL;
	}
	put32(h, PCAP_MAGIC);
	h[4] = 2;		/* version 2.4, little-endian 16-bit fields */
	h[6] = 4;
	/* thiszone 0, sigfigs 0 */
	put32(h + 16, PCAP_SNAPLEN);
	put32(h + 20, PCAP_LINKTYPE_ETHERNET);
	if (fwrite(h, sizeof(h), 1, w->f) != 1 || fflush(w->f)) {
		fclose(w->f);
		free(w);
		return NULL;
	}
	pthread_mutex_init(&w->lock, NULL);
	return w;
}

int pcap_write(struct pcap_writer *w, const uint8_t *frame, size_t len, uint64_t ts_ns)
{
	uint8_t h[16];
	size_t cap = len > PCAP_SNAPLEN ? PCAP_SNAPLEN : len;
	int ret = 0;

	if (!w)
		return -1;
	put32(h, (uint32_t)(ts_ns / 1000000000u));
	put32(h + 4, (uint32_t)(ts_ns % 1000000000u / 1000u));
	put32(h + 8, (uint32_t)cap);
	put32(h + 12, (uint32_t)len);
	pthread_mutex_lock(&w->lock);
	if (fwrite(h, sizeof(h), 1, w->f) != 1 || fwrite(frame, 1, cap, w->f) != cap || fflush(w->f))
		ret = -1;
	else
		w->frames++;
	pthread_mutex_unlock(&w->lock);
	return ret;
}

uint64_t pcap_frames(struct pcap_writer *w)
{
	uint64_t n;

	pthread_mutex_lock(&w->lock);
	n = w->frames;
	pthread_mutex_unlock(&w->lock);
	return n;
}

void pcap_close(struct pcap_writer *w)
{
	if (!w)
		return;
	fclose(w->f);
	pthread_mutex_destroy(&w->lock);
	free(w);
}
