/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcap.h - writing frames in the classic libpcap file format that tcpdump
 * and Wireshark read (https://wiki.wireshark.org/Development/LibpcapFileFormat):
 * a 24-byte global header (magic 0xa1b2c3d4 in host order, version 2.4,
 * snapshot length 65535, link type 1 = Ethernet), then per frame a
 * 16-byte record header (seconds, microseconds, captured and original
 * length) and the frame without its FCS.  Safe to call from several
 * threads (the NIC's transmit and receive sides share one file).
 */
#ifndef HVLAB_NET_PCAP_H
#define HVLAB_NET_PCAP_H

#include <stddef.h>
#include <stdint.h>

#define PCAP_MAGIC		0xa1b2c3d4u
#define PCAP_SNAPLEN		65535u
#define PCAP_LINKTYPE_ETHERNET	1u

struct pcap_writer;

/* NULL with errno set when the file cannot be created. */
struct pcap_writer *pcap_open(const char *path);
/* One record; ts_ns is the time of the frame (CLOCK_REALTIME) in ns. */
int pcap_write(struct pcap_writer *w, const uint8_t *frame, size_t len, uint64_t ts_ns);
void pcap_close(struct pcap_writer *w);
uint64_t pcap_frames(struct pcap_writer *w);

#endif
