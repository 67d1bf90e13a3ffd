// SPDX-License-Identifier: GPL-2.0
/*
 * backend.c - choosing a backend by its mode string, and the reader
 * thread the fd-based backends share (see backend.h).
 *
 * The reader sleeps in poll() on the backend's fd and the read end of a
 * pipe; net_reader_stop() writes the pipe, so stopping needs no signal
 * and never races with a read in progress.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "net/backend.h"

struct net_backend *net_backend_open(const char *mode, net_rx_fn rx, void *ctx,
				     char *err, size_t errlen)
{
	struct net_backend *b = NULL;

	if (!strncmp(mode, "internal:", 9))
		b = net_internal_open(mode + 9, err, errlen);
	else if (!strncmp(mode, "bridged:", 8))
		b = net_tap_open(mode + 8, err, errlen);
	else if (!strcmp(mode, "nat") || !strncmp(mode, "nat,", 4))
		b = net_slirp_open(mode + 3 + (mode[3] == ','), err, errlen);
	else
		snprintf(err, errlen, "'%s' is not a network mode: nat[,hostfwd=tcp::H-:G], bridged:IFNAME or internal:NAME",
			 mode);
	if (!b && !strchr(mode, ':') && strncmp(mode, "nat", 3))
		errno = EINVAL;
	if (!b)
		return NULL;
	snprintf(b->what, sizeof(b->what), "%s", mode);
	b->rx = rx;
	b->rx_ctx = ctx;
	if (net_backend_start(b)) {
		snprintf(err, errlen, "%s: cannot start its thread: %s", mode, strerror(errno));
		b->ops->close(b);
		return NULL;
	}
	return b;
}

int net_backend_start(struct net_backend *b)
{
	return b->ops->start ? b->ops->start(b) : 0;
}

void net_backend_close(struct net_backend *b)
{
	if (b)
		b->ops->close(b);
}

static void *reader_main(void *arg)
{
	struct net_reader *r = arg;
	struct pollfd p[2] = {
		{ .fd = r->fd, .events = POLLIN },
		{ .fd = r->stop_pipe[0], .events = POLLIN },
	};

	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents)
			break;
		if (p[0].revents & POLLIN)
			r->readfn(r->arg);
		else if (p[0].revents & (POLLERR | POLLHUP | POLLNVAL))
			break;
	}
	return NULL;
}

int net_reader_start(struct net_reader *r, int fd, void (*readfn)(void *), void *arg)
{
	r->fd = fd;
	r->readfn = readfn;
	r->arg = arg;
	if (pipe2(r->stop_pipe, O_CLOEXEC))
		return -1;
	if (pthread_create(&r->thread, NULL, reader_main, r)) {
		close(r->stop_pipe[0]);
		close(r->stop_pipe[1]);
		return -1;
	}
	r->running = true;
	return 0;
}

void net_reader_stop(struct net_reader *r)
{
	if (!r->running)
		return;
	if (write(r->stop_pipe[1], "x", 1) < 0)
		perror("hvlab: stopping a network reader");
	pthread_join(r->thread, NULL);
	close(r->stop_pipe[0]);
	close(r->stop_pipe[1]);
	r->running = false;
}
