// SPDX-License-Identifier: GPL-2.0
/*
 * tap.c - the bridged:IFNAME backend: frames to and from a TAP interface
 * (Documentation/networking/tuntap.rst).  /dev/net/tun with IFF_TAP |
 * IFF_NO_PI gives one whole Ethernet frame per read() and write().
 * TUNSETIFF attaches to IFNAME, or creates it when it does not exist and
 * the process has CAP_NET_ADMIN; the interface is then set up (IFF_UP)
 * if permitted.  Put it on a bridge with the ip commands of
 * docs/network.md.  A TAP that exists but belongs to another user, or
 * no permission to create one, ends with a message saying what to run.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/backend.h"

struct tap {
	struct net_backend b;
	int fd;
	char ifname[IFNAMSIZ];
	struct net_reader rd;
	uint64_t write_errors;
	uint8_t buf[65536];
};

static void tap_read(void *arg)
{
	struct tap *t = arg;
	ssize_t n;

	while ((n = read(t->fd, t->buf, sizeof(t->buf))) > 0)
		t->b.rx(t->b.rx_ctx, t->buf, (size_t)n);
}

static int tap_start(struct net_backend *b)
{
	struct tap *t = (struct tap *)b;

	return net_reader_start(&t->rd, t->fd, tap_read, t);
}

static int tap_send(struct net_backend *b, const uint8_t *frame, size_t len)
{
	struct tap *t = (struct tap *)b;

	/* the interface down or its queue full: the frame is lost, as on a wire */
	if (write(t->fd, frame, len) != (ssize_t)len) {
		t->write_errors++;
		return -1;
	}
	return 0;
}

static void tap_describe(struct net_backend *b, char *buf, size_t len)
{
	struct tap *t = (struct tap *)b;

	snprintf(buf, len, "tap %s: %llu frames not written (interface down?)", t->ifname,
		 (unsigned long long)t->write_errors);
}

static void tap_close(struct net_backend *b)
{
	struct tap *t = (struct tap *)b;

	net_reader_stop(&t->rd);
	close(t->fd);
	free(t);
}

static const struct net_backend_ops tap_ops = {
	.start = tap_start,
	.send = tap_send,
	.describe = tap_describe,
	.close = tap_close,
};

/* Best effort: an interface we may not configure still carries frames once up. */
static void link_up(const char *ifname)
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
	if (!ioctl(s, SIOCGIFFLAGS, &ifr) && !(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	close(s);
}

struct net_backend *net_tap_open(const char *ifname, char *err, size_t errlen)
{
	struct ifreq ifr = { 0 };
	struct tap *t;
	int fd, e;

	if (!*ifname || strlen(ifname) >= IFNAMSIZ || strchr(ifname, '/') || strchr(ifname, ',')) {
		snprintf(err, errlen, "bridged:%s: an interface name is 1 to %d characters",
			 ifname, IFNAMSIZ - 1);
		errno = EINVAL;
		return NULL;
	}
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "bridged:%s: cannot open /dev/net/tun: %s%s", ifname,
			 strerror(errno), errno == ENOENT ? " (modprobe tun)" : "");
		return NULL;
	}
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		e = errno;
		close(fd);
		if (e == EPERM || e == EACCES)
			snprintf(err, errlen,
				 "bridged:%s: not permitted to create or attach TAP '%s'; create it once as root: 'ip tuntap add dev %s mode tap user %s', or run hvlab with CAP_NET_ADMIN",
				 ifname, ifname, ifname, getenv("USER") ? getenv("USER") : "$USER");
		else if (e == EBUSY)
			snprintf(err, errlen, "bridged:%s: TAP '%s' is in use by another process", ifname, ifname);
		else if (e == EINVAL)
			snprintf(err, errlen, "bridged:%s: '%s' exists and is not a TAP interface", ifname, ifname);
		else
			snprintf(err, errlen, "bridged:%s: TUNSETIFF: %s", ifname, strerror(e));
		return NULL;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	link_up(ifr.ifr_name);
	t = calloc(1, sizeof(*t));
	if (!t) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	t->fd = fd;
	snprintf(t->ifname, sizeof(t->ifname), "%s", ifr.ifr_name);
	t->b.ops = &tap_ops;
	return &t->b;
}
