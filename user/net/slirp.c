// SPDX-License-Identifier: GPL-2.0
/*
 * slirp.c - the nat backend: a user-mode TCP/IP stack (libslirp) between
 * the guest's Ethernet and the host's sockets, as QEMU's -netdev user and
 * VirtualBox's NAT do.  The guest sees the network 10.0.2.0/24: gateway
 * (and the host) 10.0.2.2, DNS 10.0.2.3, its own address 10.0.2.15 by
 * DHCP.  Its TCP connections and UDP datagrams become host sockets; ICMP
 * echo works where the host allows unprivileged ping sockets.
 *
 * Options (comma-separated after "nat"):
 *   hostfwd=tcp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT   (or udp:)
 *     a host port forwarded to the guest; HOSTADDR defaults to
 *     127.0.0.1 (not every interface: a lab VM stays private unless
 *     asked), GUESTADDR to 10.0.2.15.  Repeatable.
 *
 * libslirp is not thread-safe: one mutex covers every call into it.  Its
 * own thread (slirp_main) sleeps in poll() on the sockets libslirp asks
 * for plus a pipe; frames from the guest (slirp_send, on a vCPU thread)
 * enter under the mutex and poke the pipe so new sockets are polled at
 * once.  Timers (libslirp's timer_new/timer_mod, in milliseconds of
 * clock_get_ns) are a short list the thread checks after each poll.
 * Frames for the guest come out of libslirp's send_packet callback, on
 * whichever thread is inside libslirp, and go to the NIC's queue.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libslirp.h>

#include "net/backend.h"

#define MAX_POLL	256
#define MAX_TIMERS	16

struct slirp_timer {
	SlirpTimerCb cb;
	void *cb_opaque;
	int64_t expire_ms;	/* -1: not armed */
	bool used;
};

struct nat {
	struct net_backend b;
	Slirp *slirp;
	pthread_mutex_t lock;
	pthread_t thread;
	bool running;
	int wake[2];
	volatile bool stop;
	struct pollfd pfd[MAX_POLL];
	unsigned npfd;
	struct slirp_timer timer[MAX_TIMERS];
	uint64_t guest_errors, poll_overflow;
	char fwd[256];		/* the forwards, for --stats */
};

static int64_t clock_ns(void *opaque)
{
	struct timespec t;

	(void)opaque;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static ssize_t send_packet(const void *buf, size_t len, void *opaque)
{
	struct nat *n = opaque;

	n->b.rx(n->b.rx_ctx, buf, len);
	return (ssize_t)len;
}

static void guest_error(const char *msg, void *opaque)
{
	struct nat *n = opaque;

	(void)msg;
	n->guest_errors++;
}

static void *timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
	struct nat *n = opaque;

	for (int i = 0; i < MAX_TIMERS; i++)
		if (!n->timer[i].used) {
			n->timer[i] = (struct slirp_timer){ cb, cb_opaque, -1, true };
			return &n->timer[i];
		}
	return NULL;
}

static void timer_free(void *timer, void *opaque)
{
	struct slirp_timer *t = timer;

	(void)opaque;
	if (t)
		t->used = false;
}

static void timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
	struct slirp_timer *t = timer;

	(void)opaque;
	if (t)
		t->expire_ms = expire_ms;
}

static void no_fd(int fd, void *opaque)
{
	(void)fd;
	(void)opaque;
}

static void notify(void *opaque)
{
	struct nat *n = opaque;

	if (write(n->wake[1], "x", 1) < 0 && errno != EAGAIN)
		n->guest_errors++;
}

static const SlirpCb callbacks = {
	.send_packet = send_packet,
	.guest_error = guest_error,
	.clock_get_ns = clock_ns,
	.timer_new = timer_new,
	.timer_free = timer_free,
	.timer_mod = timer_mod,
	.register_poll_fd = no_fd,
	.unregister_poll_fd = no_fd,
	.notify = notify,
};

static short to_poll(int ev)
{
	return (short)((ev & SLIRP_POLL_IN ? POLLIN : 0) | (ev & SLIRP_POLL_OUT ? POLLOUT : 0) |
		       (ev & SLIRP_POLL_PRI ? POLLPRI : 0));
}

static int add_poll(int fd, int events, void *opaque)
{
	struct nat *n = opaque;

	if (n->npfd >= MAX_POLL) {
		n->poll_overflow++;
		return -1;
	}
	n->pfd[n->npfd] = (struct pollfd){ .fd = fd, .events = to_poll(events) };
	return (int)n->npfd++;
}

static int get_revents(int idx, void *opaque)
{
	struct nat *n = opaque;
	short r;

	if (idx < 0 || (unsigned)idx >= n->npfd)
		return 0;
	r = n->pfd[idx].revents;
	return (r & POLLIN ? SLIRP_POLL_IN : 0) | (r & POLLOUT ? SLIRP_POLL_OUT : 0) |
	       (r & POLLPRI ? SLIRP_POLL_PRI : 0) | (r & POLLERR ? SLIRP_POLL_ERR : 0) |
	       (r & POLLHUP ? SLIRP_POLL_HUP : 0);
}

static void *slirp_main(void *arg)
{
	struct nat *n = arg;
	char drain[64];

	while (!n->stop) {
		uint32_t timeout = 1000;
		int64_t now;
		int ret;

		pthread_mutex_lock(&n->lock);
		n->npfd = 0;
		add_poll(n->wake[0], SLIRP_POLL_IN, n);
		slirp_pollfds_fill(n->slirp, &timeout, add_poll, n);
		now = clock_ns(NULL) / 1000000;
		for (int i = 0; i < MAX_TIMERS; i++)
			if (n->timer[i].used && n->timer[i].expire_ms >= 0) {
				int64_t d = n->timer[i].expire_ms - now;

				if (d < (int64_t)timeout)
					timeout = d < 0 ? 0 : (uint32_t)d;
			}
		pthread_mutex_unlock(&n->lock);

		ret = poll(n->pfd, n->npfd, (int)(timeout > 1000 ? 1000 : timeout));
		if (n->pfd[0].revents & POLLIN)
			while (read(n->wake[0], drain, sizeof(drain)) > 0)
				;

		pthread_mutex_lock(&n->lock);
		slirp_pollfds_poll(n->slirp, ret < 0, get_revents, n);
		now = clock_ns(NULL) / 1000000;
		for (int i = 0; i < MAX_TIMERS; i++) {
			struct slirp_timer *t = &n->timer[i];

			if (t->used && t->expire_ms >= 0 && t->expire_ms <= now) {
				t->expire_ms = -1;
				t->cb(t->cb_opaque);
			}
		}
		pthread_mutex_unlock(&n->lock);
	}
	return NULL;
}

static int nat_start(struct net_backend *b)
{
	struct nat *n = (struct nat *)b;

	if (pthread_create(&n->thread, NULL, slirp_main, n))
		return -1;
	n->running = true;
	return 0;
}

static int nat_send(struct net_backend *b, const uint8_t *frame, size_t len)
{
	struct nat *n = (struct nat *)b;

	pthread_mutex_lock(&n->lock);
	slirp_input(n->slirp, frame, (int)len);
	pthread_mutex_unlock(&n->lock);
	notify(n);
	return 0;
}

static void nat_describe(struct net_backend *b, char *buf, size_t len)
{
	struct nat *n = (struct nat *)b;

	snprintf(buf, len, "nat 10.0.2.0/24, gateway 10.0.2.2, DNS 10.0.2.3, guest 10.0.2.15%s%s; %llu guest errors",
		 n->fwd[0] ? ", " : "", n->fwd, (unsigned long long)n->guest_errors);
}

static void nat_close(struct net_backend *b)
{
	struct nat *n = (struct nat *)b;

	n->stop = true;
	if (n->running) {
		notify(n);
		pthread_join(n->thread, NULL);
	}
	if (n->slirp)
		slirp_cleanup(n->slirp);
	close(n->wake[0]);
	close(n->wake[1]);
	pthread_mutex_destroy(&n->lock);
	free(n);
}

static const struct net_backend_ops nat_ops = {
	.start = nat_start,
	.send = nat_send,
	.describe = nat_describe,
	.close = nat_close,
};

/* "tcp:[ADDR]:PORT-[ADDR]:PORT" (after "hostfwd=") */
static int parse_hostfwd(const char *s, size_t len, bool *udp, struct in_addr *haddr,
			 int *hport, struct in_addr *gaddr, int *gport)
{
	char buf[128], *h, *g, *c;
	char *end;
	long v;

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = 0;
	if (!strncmp(buf, "tcp:", 4))
		*udp = false;
	else if (!strncmp(buf, "udp:", 4))
		*udp = true;
	else
		return -1;
	h = buf + 4;
	g = strchr(h, '-');
	if (!g)
		return -1;
	*g++ = 0;
	/* each side is [ADDR]:PORT */
	c = strrchr(h, ':');
	if (!c)
		return -1;
	*c = 0;
	haddr->s_addr = htonl(0x7f000001);
	if (*h && !inet_aton(h, haddr))
		return -1;
	v = strtol(c + 1, &end, 10);
	if (*end || v < 1 || v > 65535)
		return -1;
	*hport = (int)v;
	c = strrchr(g, ':');
	if (!c)
		return -1;
	*c = 0;
	inet_aton("10.0.2.15", gaddr);
	if (*g && !inet_aton(g, gaddr))
		return -1;
	v = strtol(c + 1, &end, 10);
	if (*end || v < 1 || v > 65535)
		return -1;
	*gport = (int)v;
	return 0;
}

struct net_backend *net_slirp_open(const char *opts, char *err, size_t errlen)
{
	SlirpConfig cfg = { .version = 1, .in_enabled = true };
	struct nat *n = calloc(1, sizeof(*n));
	const char *p = opts;

	if (!n || pipe2(n->wake, O_CLOEXEC | O_NONBLOCK)) {
		snprintf(err, errlen, "nat: %s", strerror(errno));
		free(n);
		return NULL;
	}
	pthread_mutex_init(&n->lock, NULL);
	n->b.ops = &nat_ops;
	inet_aton("10.0.2.0", &cfg.vnetwork);
	inet_aton("255.255.255.0", &cfg.vnetmask);
	inet_aton("10.0.2.2", &cfg.vhost);
	inet_aton("10.0.2.15", &cfg.vdhcp_start);
	inet_aton("10.0.2.3", &cfg.vnameserver);
	cfg.vhostname = "hvlab";
	n->slirp = slirp_new(&cfg, &callbacks, n);
	if (!n->slirp) {
		snprintf(err, errlen, "nat: libslirp could not start");
		nat_close(&n->b);
		return NULL;
	}
	while (*p) {
		size_t len = strcspn(p, ",");
		struct in_addr ha, ga;
		int hp, gp;
		bool udp;

		if (len > 8 && !strncmp(p, "hostfwd=", 8) &&
		    !parse_hostfwd(p + 8, len - 8, &udp, &ha, &hp, &ga, &gp)) {
			if (slirp_add_hostfwd(n->slirp, udp, ha, hp, ga, gp) < 0) {
				snprintf(err, errlen, "nat: hostfwd %.*s: host port %d is in use or not permitted",
					 (int)len - 8, p + 8, hp);
				nat_close(&n->b);
				return NULL;
			}
			snprintf(n->fwd + strlen(n->fwd), sizeof(n->fwd) - strlen(n->fwd), "%s%.*s",
				 n->fwd[0] ? " " : "", (int)len - 8, p + 8);
		} else if (len) {
			snprintf(err, errlen, "nat: '%.*s' is not an option; nat[,hostfwd=tcp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT]",
				 (int)len, p);
			nat_close(&n->b);
			errno = EINVAL;
			return NULL;
		}
		p += len + (p[len] == ',');
	}
	return &n->b;
}
