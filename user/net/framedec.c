// SPDX-License-Identifier: GPL-2.0
/*
 * framedec.c - the frame summary of framedec.h.  Layers understood:
 * Ethernet II (with one 802.1Q tag), ARP (RFC 826), IPv4 (RFC 791: header
 * length, fragments), IPv6 (RFC 8200, skipping hop-by-hop, routing,
 * destination options and fragment headers), ICMP (RFC 792), ICMPv6
 * (RFC 4443, 4861 names), TCP (RFC 9293: ports, flags, sequence, payload
 * length) and UDP (RFC 768: ports, length).  Anything else is named by
 * its EtherType or protocol number.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "net/framedec.h"

struct out {
	char *buf;
	size_t cap, len;
};

static void say(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->len + 1 >= o->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n < o->cap - o->len ? (size_t)n : o->cap - o->len - 1;
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)be16(p) << 16 | be16(p + 2);
}

static void mac(struct out *o, const uint8_t *m)
{
	say(o, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static void ip4(struct out *o, const uint8_t *a)
{
	say(o, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
}

static void ip6(struct out *o, const uint8_t *a)
{
	char s[INET6_ADDRSTRLEN];

	if (inet_ntop(AF_INET6, a, s, sizeof(s)))
		say(o, "%s", s);
}

static void arp(struct out *o, const uint8_t *p, size_t len)
{
	uint16_t op;

	if (len < 28) {
		say(o, "ARP [truncated]");
		return;
	}
	op = be16(p + 6);
	if (be16(p) != 1 || be16(p + 2) != 0x0800 || p[4] != 6 || p[5] != 4) {
		say(o, "ARP hw %u proto 0x%04x op %u", be16(p), be16(p + 2), op);
		return;
	}
	if (op == 1) {
		say(o, "ARP who-has ");
		ip4(o, p + 24);
		say(o, " tell ");
		ip4(o, p + 14);
	} else if (op == 2) {
		say(o, "ARP reply ");
		ip4(o, p + 14);
		say(o, " is-at ");
		mac(o, p + 8);
	} else {
		say(o, "ARP op %u", op);
	}
}

/* The transport part: after "SRC > DST" for ICMP, with ports for TCP/UDP. */
static void l4(struct out *o, unsigned proto, const uint8_t *p, size_t len, bool v6,
	       void (*addr)(struct out *, const uint8_t *), const uint8_t *src, const uint8_t *dst)
{
	if ((proto == 6 && len >= 20) || (proto == 17 && len >= 8)) {
		addr(o, src);
		say(o, v6 ? ".%u > " : ":%u > ", be16(p));
		addr(o, dst);
		say(o, v6 ? ".%u " : ":%u ", be16(p + 2));
	} else {
		addr(o, src);
		say(o, " > ");
		addr(o, dst);
		say(o, " ");
	}
	switch (proto) {
	case 6: {
		static const char fl[] = "FSRPAUEC";
		char flags[9];
		unsigned n = 0, doff;

		if (len < 20) {
			say(o, "TCP [truncated]");
			return;
		}
		for (int i = 0; i < 8; i++)
			if (p[13] & (1u << i))
				flags[n++] = fl[i];
		flags[n] = 0;
		doff = (p[12] >> 4) * 4u;
		say(o, "TCP [%s] seq %u", n ? flags : ".", be32(p + 4));
		if (p[13] & 0x10)
			say(o, " ack %u", be32(p + 8));
		if (doff < 20 || doff > len)
			say(o, " [bad header length]");
		else
			say(o, " len %zu", len - doff);
		return;
	}
	case 17:
		if (len < 8)
			say(o, "UDP [truncated]");
		else
			say(o, "UDP len %u", be16(p + 4) >= 8 ? be16(p + 4) - 8 : 0);
		return;
	case 1:
		if (len < 4) {
			say(o, "ICMP [truncated]");
		} else if ((p[0] == 8 || p[0] == 0) && len >= 8) {
			say(o, "ICMP echo %s id %u seq %u", p[0] ? "request" : "reply",
			    be16(p + 4), be16(p + 6));
		} else {
			static const char *const names[] = {
				[3] = "unreachable", [5] = "redirect", [11] = "time exceeded",
			};
			const char *nm = p[0] < 12 ? names[p[0]] : NULL;

			if (nm)
				say(o, "ICMP %s code %u", nm, p[1]);
			else
				say(o, "ICMP type %u code %u", p[0], p[1]);
		}
		return;
	case 58:
		if (len < 4) {
			say(o, "ICMPv6 [truncated]");
			return;
		}
		switch (p[0]) {
		case 128: case 129:
			say(o, "ICMPv6 echo %s", p[0] == 128 ? "request" : "reply");
			if (len >= 8)
				say(o, " id %u seq %u", be16(p + 4), be16(p + 6));
			return;
		case 133: say(o, "ICMPv6 router solicitation"); return;
		case 134: say(o, "ICMPv6 router advertisement"); return;
		case 135: say(o, "ICMPv6 neighbor solicitation"); return;
		case 136: say(o, "ICMPv6 neighbor advertisement"); return;
		case 143: say(o, "ICMPv6 multicast listener report v2"); return;
		default: say(o, "ICMPv6 type %u code %u", p[0], p[1]); return;
		}
	default:
		say(o, "proto %u len %zu", proto, len);
	}
}

static void ipv4(struct out *o, const uint8_t *p, size_t len)
{
	unsigned ihl, tot, frag;

	if (len < 20 || (p[0] >> 4) != 4) {
		say(o, "IPv4 [truncated]");
		return;
	}
	ihl = (p[0] & 15) * 4u;
	tot = be16(p + 2);
	if (ihl < 20 || ihl > len) {
		say(o, "IPv4 [bad header length]");
		return;
	}
	/* a padded frame is longer than the packet, a cut one shorter */
	if (tot >= ihl && tot < len)
		len = tot;
	frag = be16(p + 6) & 0x1fff;
	say(o, "IPv4 ");
	if (frag) {
		ip4(o, p + 12);
		say(o, " > ");
		ip4(o, p + 16);
		say(o, " fragment proto %u offset %u", p[9], frag * 8);
		return;
	}
	l4(o, p[9], p + ihl, len - ihl, false, ip4, p + 12, p + 16);
	if (tot > len)
		say(o, " [truncated]");
}

static void ipv6(struct out *o, const uint8_t *p, size_t len)
{
	unsigned nh;
	size_t off = 40, plen;

	if (len < 40 || (p[0] >> 4) != 6) {
		say(o, "IPv6 [truncated]");
		return;
	}
	plen = be16(p + 4);
	if (40 + plen < len)
		len = 40 + plen;
	nh = p[6];
	/* extension headers: at most 8, each inside the packet */
	for (int i = 0; i < 8 && (nh == 0 || nh == 43 || nh == 60 || nh == 44); i++) {
		size_t el = nh == 44 ? 8 : (off + 2 <= len ? (p[off + 1] + 1u) * 8 : 0);

		if (!el || off + el > len) {
			say(o, "IPv6 [truncated]");
			return;
		}
		if (nh == 44 && (be16(p + off + 2) & 0xfff8)) {
			say(o, "IPv6 fragment");
			return;
		}
		nh = p[off];
		off += el;
	}
	say(o, "IPv6 ");
	l4(o, nh, p + off, len - off, true, ip6, p + 8, p + 24);
}

size_t net_decode(const uint8_t *f, size_t len, char *buf, size_t cap)
{
	struct out o = { buf, cap, 0 };
	uint16_t type;
	size_t off = 14;

	if (!cap)
		return 0;
	buf[0] = 0;
	if (!f || len < 14) {
		say(&o, "runt frame, %zu bytes", len);
		return o.len;
	}
	type = be16(f + 12);
	if (type == 0x8100 && len >= 18) {
		say(&o, "VLAN %u ", be16(f + 14) & 0xfff);
		type = be16(f + 16);
		off = 18;
	}
	switch (type) {
	case 0x0806:
		arp(&o, f + off, len - off);
		break;
	case 0x0800:
		ipv4(&o, f + off, len - off);
		break;
	case 0x86dd:
		ipv6(&o, f + off, len - off);
		break;
	default:
		mac(&o, f + 6);
		say(&o, " > ");
		mac(&o, f);
		if (type < 0x0600)
			say(&o, " 802.3 length %u", type);
		else
			say(&o, " ethertype 0x%04x", type);
		say(&o, " len %zu", len);
	}
	return o.len;
}
