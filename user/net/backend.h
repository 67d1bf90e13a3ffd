/* SPDX-License-Identifier: GPL-2.0 */
/*
 * backend.h - where a NIC's frames go and come from: one backend per
 * --net, chosen by its mode (VirtualBox's names):
 *
 *   nat[,hostfwd=tcp::HOST-:GUEST]...  user-mode NAT through libslirp (slirp.c)
 *   bridged:IFNAME                     a TAP interface (tap.c)
 *   internal:NAME                      a segment shared by VMs (internal.c, netsw.h)
 *
 * Direction "out" (guest to world): the NIC's transmit path calls
 * ops->send(); it must not block and must not call back into the NIC.
 * Direction "in": the backend's own thread calls rx(rx_ctx, frame, len)
 * for every frame for the guest; the NIC side queues it (netdev.c).
 */
#ifndef HVLAB_NET_BACKEND_H
#define HVLAB_NET_BACKEND_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef void (*net_rx_fn)(void *ctx, const uint8_t *frame, size_t len);

struct net_backend;

struct net_backend_ops {
	int (*start)(struct net_backend *b);	/* its receive thread, rx now set */
	int (*send)(struct net_backend *b, const uint8_t *frame, size_t len);
	/* One line of backend-specific counters for --stats, may be NULL. */
	void (*describe)(struct net_backend *b, char *buf, size_t len);
	void (*close)(struct net_backend *b);	/* stops its thread, frees it */
};

struct net_backend {
	const struct net_backend_ops *ops;
	net_rx_fn rx;
	void *rx_ctx;
	char what[128];		/* the mode as the user gave it, for messages */
};

/*
 * Opens the backend for `mode` ("nat...", "bridged:IF", "internal:NAME").
 * NULL with a one-line reason (and what to do) in err.
 */
struct net_backend *net_backend_open(const char *mode, net_rx_fn rx, void *ctx,
				     char *err, size_t errlen);
void net_backend_close(struct net_backend *b);

/* ---- the modes (each file) ----------------------------------------- */
struct net_backend *net_internal_open(const char *name, char *err, size_t errlen);
struct net_backend *net_tap_open(const char *ifname, char *err, size_t errlen);
struct net_backend *net_slirp_open(const char *opts, char *err, size_t errlen);
/* Starts the backend's thread once rx is set (net_backend_open does it). */
int net_backend_start(struct net_backend *b);

/*
 * A thread that waits for `fd` to be readable and calls readfn(arg) then,
 * until net_reader_stop(); the shared receive loop of tap.c and internal.c.
 */
struct net_reader {
	pthread_t thread;
	int fd, stop_pipe[2];
	void (*readfn)(void *arg);
	void *arg;
	bool running;
};
int net_reader_start(struct net_reader *r, int fd, void (*readfn)(void *), void *arg);
void net_reader_stop(struct net_reader *r);

#endif
