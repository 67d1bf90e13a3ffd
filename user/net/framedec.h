/* SPDX-License-Identifier: GPL-2.0 */
/*
 * framedec.h - a one-line summary of an Ethernet frame, as tcpdump would
 * print it, for the dashboard's frame log, -v traces and tests:
 *   ARP who-has 10.0.2.2 tell 10.0.2.15
 *   IPv4 10.0.2.15:41000 > 10.0.2.2:80 TCP [S] seq 1 len 0
 *   IPv6 fe80::1 > ff02::1 ICMPv6 neighbor solicitation
 * A pure function of the bytes: every length is checked before a read, a
 * frame cut short says so ("[truncated]"), and the text always fits.
 */
#ifndef HVLAB_NET_FRAMEDEC_H
#define HVLAB_NET_FRAMEDEC_H

#include <stddef.h>
#include <stdint.h>

/* Writes at most outlen bytes, NUL included; returns the string's length. */
size_t net_decode(const uint8_t *frame, size_t len, char *out, size_t outlen);

#endif
