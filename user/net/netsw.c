// SPDX-License-Identifier: GPL-2.0
/*
 * netsw.c - a port of the daemon-less learning switch of netsw.h.
 *
 * State per port: the socket, the peers last found in /proc/net/unix, and
 * the forwarding database (MAC -> peer name, with the time last seen).
 * Sending and receiving may happen on two threads (the NIC's transmit
 * path, the backend's receive thread): one mutex covers the tables.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "net/netsw.h"

#define ADDR_MAX	(sizeof(((struct sockaddr_un *)0)->sun_path) - 1)

struct fdb_entry {
	uint8_t mac[6];
	int peer;		/* index into peers[], -1: free */
	time_t seen;
};

struct netsw {
	int fd;
	char name[NETSW_NAME_MAX + 1];
	char self[ADDR_MAX + 1];	/* our abstract name, without the NUL */
	pthread_mutex_t lock;
	char peer[NETSW_MAX_PEERS][ADDR_MAX + 1];
	unsigned npeers;
	uint64_t scanned_ms;
	struct fdb_entry fdb[NETSW_FDB_SIZE];
	struct netsw_stats st;
};

static atomic_uint port_seq;

static uint64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

static socklen_t make_addr(struct sockaddr_un *a, const char *name)
{
	size_t n = strlen(name);

	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	memcpy(a->sun_path + 1, name, n);	/* sun_path[0] = 0: abstract */
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

static bool valid_name(const char *n)
{
	size_t len = strlen(n);

	if (!len || len > NETSW_NAME_MAX)
		return false;
	for (; *n; n++)
		if (!((*n >= 'a' && *n <= 'z') || (*n >= 'A' && *n <= 'Z') ||
		      (*n >= '0' && *n <= '9') || *n == '-' || *n == '_' || *n == '.'))
			return false;
	return true;
}

struct netsw *netsw_open(const char *name, char *err, size_t errlen)
{
	struct netsw *s;
	struct sockaddr_un a;
	socklen_t alen;
	int buf = 1 << 20;

	if (!valid_name(name)) {
		snprintf(err, errlen, "internal:%s: a segment name is 1 to %d letters, digits, '-', '_' or '.'",
			 name, NETSW_NAME_MAX);
		errno = EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(s->name, sizeof(s->name), "%s", name);
	snprintf(s->self, sizeof(s->self), NETSW_PREFIX "%s/%d.%u", name, (int)getpid(),
		 atomic_fetch_add(&port_seq, 1));
	s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	alen = make_addr(&a, s->self);
	if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&a, alen)) {
		snprintf(err, errlen, "internal:%s: cannot create the port: %s", name,
			 strerror(errno));
		if (s->fd >= 0)
			close(s->fd);
		free(s);
		return NULL;
	}
	setsockopt(s->fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	pthread_mutex_init(&s->lock, NULL);
	for (unsigned i = 0; i < NETSW_FDB_SIZE; i++)
		s->fdb[i].peer = -1;
	return s;
}

void netsw_close(struct netsw *s)
{
	if (!s)
		return;
	close(s->fd);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

int netsw_fd(const struct netsw *s)
{
	return s->fd;
}

const char *netsw_port_name(const struct netsw *s)
{
	return s->self + strlen(NETSW_PREFIX);
}

/* /proc/net/unix: the last field of a bound socket is its path, '@' for abstract. */
static void rescan(struct netsw *s)
{
	char line[512], prefix[ADDR_MAX + 1];
	FILE *f = fopen("/proc/net/unix", "r");
	size_t plen;

	char old[NETSW_MAX_PEERS][ADDR_MAX + 1];
	unsigned nold = s->npeers;

	s->scanned_ms = now_ms();
	if (!f)
		return;
	memcpy(old, s->peer, sizeof(old));
	plen = (size_t)snprintf(prefix, sizeof(prefix), "@" NETSW_PREFIX "%s/", s->name);
	s->npeers = 0;
	while (fgets(line, sizeof(line), f) && s->npeers < NETSW_MAX_PEERS) {
		char *p = strrchr(line, ' ');
		bool dup = false;

		if (!p || strncmp(p + 1, prefix, plen))
			continue;
		p[1 + strcspn(p + 1, "\n")] = 0;
		if (!strcmp(p + 2, s->self) || strlen(p + 2) > ADDR_MAX)
			continue;
		for (unsigned i = 0; i < s->npeers; i++)
			dup |= !strcmp(s->peer[i], p + 2);
		if (!dup)
			snprintf(s->peer[s->npeers++], ADDR_MAX + 1, "%s", p + 2);
	}
	fclose(f);
	/* peer indices changed: keep what was learned about peers still there */
	for (unsigned i = 0; i < NETSW_FDB_SIZE; i++) {
		struct fdb_entry *e = &s->fdb[i];
		int now = -1;

		if (e->peer < 0 || (unsigned)e->peer >= nold)
			continue;
		for (unsigned j = 0; j < s->npeers && now < 0; j++)
			if (!strcmp(s->peer[j], old[e->peer]))
				now = (int)j;
		e->peer = now;
	}
}

static int find_peer(struct netsw *s, const char *name)
{
	for (unsigned i = 0; i < s->npeers; i++)
		if (!strcmp(s->peer[i], name))
			return (int)i;
	if (s->npeers < NETSW_MAX_PEERS) {
		snprintf(s->peer[s->npeers], ADDR_MAX + 1, "%s", name);
		return (int)s->npeers++;
	}
	return -1;
}

static struct fdb_entry *fdb_slot(struct netsw *s, const uint8_t *mac)
{
	unsigned h = (mac[3] * 31u + mac[4] * 7u + mac[5]) % NETSW_FDB_SIZE;

	/* open addressing, bounded probe */
	for (unsigned i = 0; i < 8; i++) {
		struct fdb_entry *e = &s->fdb[(h + i) % NETSW_FDB_SIZE];

		if (e->peer < 0 || !memcmp(e->mac, mac, 6))
			return e;
	}
	return &s->fdb[h];	/* full: evict */
}

static bool send_to(struct netsw *s, int peer, const uint8_t *frame, size_t len)
{
	struct sockaddr_un a;
	socklen_t alen = make_addr(&a, s->peer[peer]);

	if (sendto(s->fd, frame, len, MSG_DONTWAIT, (struct sockaddr *)&a, alen) == (ssize_t)len)
		return true;
	s->st.drops++;
	if (errno == ECONNREFUSED || errno == ENOENT)
		s->scanned_ms = 0;	/* the peer is gone: look again next time */
	return false;
}

int netsw_send(struct netsw *s, const uint8_t *frame, size_t len)
{
	struct fdb_entry *e = NULL;
	time_t now = time(NULL);

	if (len < 14)
		return -1;
	pthread_mutex_lock(&s->lock);
	if (!(frame[0] & 1)) {
		e = fdb_slot(s, frame);
		if (e->peer < 0 || memcmp(e->mac, frame, 6) || now - e->seen > NETSW_AGE_S)
			e = NULL;
	}
	s->st.tx_frames++;
	s->st.tx_bytes += len;
	if (e && send_to(s, e->peer, frame, len)) {
		s->st.unicast++;
	} else {
		if (now_ms() - s->scanned_ms >= NETSW_RESCAN_MS)
			rescan(s);
		for (unsigned i = 0; i < s->npeers; i++)
			send_to(s, (int)i, frame, len);
		s->st.flooded++;
	}
	pthread_mutex_unlock(&s->lock);
	return 0;
}

ssize_t netsw_recv(struct netsw *s, uint8_t *buf, size_t cap)
{
	struct sockaddr_un a;
	socklen_t alen = sizeof(a);
	ssize_t n = recvfrom(s->fd, buf, cap, MSG_DONTWAIT, (struct sockaddr *)&a, &alen);
	size_t off = offsetof(struct sockaddr_un, sun_path);

	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	if (n < 14)
		return 0;		/* not a frame: ignored */
	pthread_mutex_lock(&s->lock);
	s->st.rx_frames++;
	s->st.rx_bytes += (uint64_t)n;
	/* learn: the source MAC is behind the sender (an abstract, named peer) */
	if (alen > off + 1 && !a.sun_path[0] && !(buf[6] & 1)) {
		char name[ADDR_MAX + 1];
		size_t nl = alen - off - 1;
		int peer;

		memcpy(name, a.sun_path + 1, nl);
		name[nl] = 0;
		peer = find_peer(s, name);
		if (peer >= 0) {
			struct fdb_entry *e = fdb_slot(s, buf + 6);

			memcpy(e->mac, buf + 6, 6);
			e->peer = peer;
			e->seen = time(NULL);
		}
	}
	pthread_mutex_unlock(&s->lock);
	return n;
}

void netsw_get_stats(struct netsw *s, struct netsw_stats *st)
{
	pthread_mutex_lock(&s->lock);
	*st = s->st;
	st->peers = s->npeers;
	st->learned = 0;
	for (unsigned i = 0; i < NETSW_FDB_SIZE; i++)
		st->learned += s->fdb[i].peer >= 0;
	pthread_mutex_unlock(&s->lock);
}
