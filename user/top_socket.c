// SPDX-License-Identifier: GPL-2.0
/*
 * top_socket.c - the stats socket of `hvlab run --stats-socket PATH` and
 * `hvlab top PATH` (protocol and invariants in top_socket.h).
 *
 * The server is one thread of hvlab run blocked in poll() on the listening
 * socket, the connections it answered (only to notice when a client goes
 * away) and a pipe that top_server_stop() writes to.  It runs with every
 * signal blocked, so SIGINT and SIGTERM still reach the main thread of
 * hvlab run (vm.c), which decides how the run ends.  It never touches the
 * VM: it only sends copies of the vCPU fds.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "top_socket.h"

struct top_server {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t dev;			/* of the socket file we bound: unlink */
	ino_t ino;			/* only that one */
	int lsock;
	int wake[2];			/* top_server_stop -> the thread */
	struct top_hello hello;
	int fds[TOP_MAX_VCPUS];
	int clients[TOP_MAX_CLIENTS];	/* answered, still connected */
	unsigned nclients;
	pthread_t thread;
};

/* ---- server ---------------------------------------------------------- */

static int send_hello(const struct top_server *s, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * TOP_MAX_VCPUS)];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { (void *)&s->hello, sizeof(s->hello) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf,
		.msg_controllen = CMSG_SPACE(sizeof(int) * s->hello.nr_vcpus),
	};
	struct cmsghdr *cm;

	memset(&ctl, 0, sizeof(ctl));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int) * s->hello.nr_vcpus);
	memcpy(CMSG_DATA(cm), s->fds, sizeof(int) * s->hello.nr_vcpus);
	/* 104 bytes into an empty socket buffer: all or nothing */
	return sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT) == (ssize_t)sizeof(s->hello) ? 0 : -1;
}

static void accept_one(struct top_server *s)
{
	int fd = accept4(s->lsock, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	/* full: closing at once tells the client (EOF before the hello) */
	if (s->nclients == TOP_MAX_CLIENTS || send_hello(s, fd)) {
		close(fd);
		return;
	}
	s->clients[s->nclients++] = fd;
}

/* A client spoke: it has closed (true), or sent bytes we ignore (false). */
static bool client_left(int fd)
{
	char buf[256];
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

	return n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR);
}

static void *serve(void *arg)
{
	struct top_server *s = arg;

	for (;;) {
		struct pollfd p[2 + TOP_MAX_CLIENTS];
		unsigned n = 0;

		p[n++] = (struct pollfd){ s->wake[0], POLLIN, 0 };
		p[n++] = (struct pollfd){ s->lsock, POLLIN, 0 };
		for (unsigned i = 0; i < s->nclients; i++)
			p[n++] = (struct pollfd){ s->clients[i], POLLIN, 0 };
		if (poll(p, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents)
			break;
		/* downwards, so the entry moved into slot i was already seen */
		for (unsigned i = s->nclients; i-- > 0;)
			if (p[2 + i].revents && client_left(s->clients[i])) {
				close(s->clients[i]);
				s->clients[i] = s->clients[--s->nclients];
			}
		if (p[1].revents & POLLIN)
			accept_one(s);
	}
	return NULL;
}

static void server_free(struct top_server *s)
{
	if (s->lsock >= 0)
		close(s->lsock);
	if (s->wake[0] >= 0)
		close(s->wake[0]);
	if (s->wake[1] >= 0)
		close(s->wake[1]);
	free(s);
}

struct top_server *top_server_start(const char *path, const struct top_hello *hello,
				    const int *fds, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct top_server *s;
	sigset_t all, old;
	struct stat st;
	mode_t mask;
	int e, ret;

	if (!hello->nr_vcpus || hello->nr_vcpus > TOP_MAX_VCPUS) {
		snprintf(err, errlen, "%u vCPUs: the stats socket carries 1 to %d", hello->nr_vcpus,
			 TOP_MAX_VCPUS);
		errno = EINVAL;
		return NULL;
	}
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "%s: a socket path has at most %zu bytes", path,
			 sizeof(sa.sun_path) - 1);
		errno = ENAMETOOLONG;
		return NULL;
	}
	if (lstat(path, &st) == 0) {
		snprintf(err, errlen, "%s exists; it is never replaced%s", path,
			 S_ISSOCK(st.st_mode) ? " (left by an hvlab run that was killed? remove it)" :
						": choose another path");
		errno = EEXIST;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->wake[0] = s->wake[1] = -1;
	s->lsock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->lsock < 0 || pipe2(s->wake, O_CLOEXEC)) {
		e = errno;
		snprintf(err, errlen, "cannot make a socket: %s", strerror(e));
		server_free(s);
		errno = e;
		return NULL;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	mask = umask(0177);	/* the file is born 0600: only this user connects */
	ret = bind(s->lsock, (struct sockaddr *)&sa, sizeof(sa));
	e = errno;
	umask(mask);
	if (ret) {
		if (e == EADDRINUSE)
			e = EEXIST;
		snprintf(err, errlen, "%s: %s", path,
			 e == EEXIST ? "exists; it is never replaced" : strerror(e));
		server_free(s);
		errno = e;
		return NULL;
	}
	snprintf(s->path, sizeof(s->path), "%s", path);
	if (listen(s->lsock, 8) || lstat(path, &st)) {
		e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		unlink(path);
		server_free(s);
		errno = e;
		return NULL;
	}
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	s->hello = *hello;
	memcpy(s->hello.magic, TOP_MAGIC, sizeof(s->hello.magic));
	s->hello.version = TOP_VERSION;
	s->hello.api_version = HVLAB_API_VERSION;
	s->hello.image[TOP_IMAGE_MAX - 1] = 0;
	memcpy(s->fds, fds, sizeof(int) * hello->nr_vcpus);

	/* the thread inherits this mask: no signal is ever delivered to it */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = pthread_create(&s->thread, NULL, serve, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret) {
		snprintf(err, errlen, "cannot start the stats socket thread: %s", strerror(ret));
		unlink(path);
		server_free(s);
		errno = ret;
		return NULL;
	}
	return s;
}

void top_server_stop(struct top_server *s)
{
	struct stat st;

	if (!s)
		return;
	while (write(s->wake[1], "", 1) < 0 && errno == EINTR)
		;
	pthread_join(s->thread, NULL);
	for (unsigned i = 0; i < s->nclients; i++)
		close(s->clients[i]);	/* each hvlab top sees end-of-file */
	if (lstat(s->path, &st) == 0 && st.st_dev == s->dev && st.st_ino == s->ino)
		unlink(s->path);
	server_free(s);
}

/* ---- client ---------------------------------------------------------- */

void top_close_fds(struct top_conn *c)
{
	for (unsigned i = 0; i < TOP_MAX_VCPUS; i++) {
		if (c->fds[i] >= 0)
			close(c->fds[i]);
		c->fds[i] = -1;
	}
}

void top_disconnect(struct top_conn *c)
{
	top_close_fds(c);
	if (c->sock >= 0)
		close(c->sock);
	c->sock = -1;
}

bool top_peer_gone(struct top_conn *c)
{
	struct pollfd p = { c->sock, POLLIN, 0 };

	if (c->sock < 0)
		return true;
	if (poll(&p, 1, 0) <= 0)
		return false;
	if (p.revents & (POLLHUP | POLLERR | POLLNVAL))
		return true;
	return client_left(c->sock);	/* the server never speaks again */
}

/* Takes the fds of one SCM_RIGHTS message; more than expected: -1. */
static int take_fds(struct top_conn *c, struct msghdr *msg, unsigned *nfds)
{
	int bad = 0;

	for (struct cmsghdr *cm = CMSG_FIRSTHDR(msg); cm; cm = CMSG_NXTHDR(msg, cm)) {
		size_t n;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			if (*nfds < TOP_MAX_VCPUS) {
				c->fds[(*nfds)++] = fd;
			} else {
				close(fd);
				bad = -1;
			}
		}
	}
	return bad;
}

static int fail(struct top_conn *c, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(struct top_conn *c, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	top_disconnect(c);
	return -1;
}

/* Reads the hello and its fds; 0, or -1 with err (c closed). */
static int receive_hello(struct top_conn *c, const char *path, char *err, size_t errlen)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * TOP_MAX_VCPUS)];
		struct cmsghdr align;
	} ctl;
	size_t got = 0;
	unsigned nfds = 0;
	bool too_many = false;

	while (got < sizeof(c->hello)) {
		struct pollfd p = { c->sock, POLLIN, 0 };
		struct iovec iov = { (char *)&c->hello + got, sizeof(c->hello) - got };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
				      .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
		ssize_t n;
		int r = poll(&p, 1, TOP_HELLO_TIMEOUT_MS);

		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			return fail(c, err, errlen, "%s: no greeting within %d s: not an hvlab stats socket",
				    path, TOP_HELLO_TIMEOUT_MS / 1000);
		n = r < 0 ? -1 : recvmsg(c->sock, &msg, MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail(c, err, errlen, "%s: %s", path, strerror(errno));
		if (take_fds(c, &msg, &nfds) || (msg.msg_flags & MSG_CTRUNC))
			too_many = true;
		if (n == 0 && got == 0)
			return fail(c, err, errlen,
				    "%s closed the connection without a greeting: not an hvlab stats "
				    "socket, or %d hvlab top are attached already", path, TOP_MAX_CLIENTS);
		got += (size_t)n;
		if (got >= sizeof(c->hello.magic) &&
		    memcmp(c->hello.magic, TOP_MAGIC, sizeof(c->hello.magic)))
			return fail(c, err, errlen,
				    "%s is not an hvlab stats socket (it greets with something else)", path);
		if (n == 0)
			return fail(c, err, errlen, "%s: the greeting stops after %zu of %zu bytes: "
				    "not an hvlab stats socket", path, got, sizeof(c->hello));
	}
	if (c->hello.version != TOP_VERSION)
		return fail(c, err, errlen, "%s speaks version %u of the hvlab top protocol, this "
			    "hvlab version %d: use the hvlab that runs the VM", path, c->hello.version,
			    TOP_VERSION);
	if (c->hello.api_version != HVLAB_API_VERSION)
		return fail(c, err, errlen, "%s: the run was built for module API %u, this hvlab for "
			    "%d: use the hvlab that runs the VM", path, c->hello.api_version,
			    HVLAB_API_VERSION);
	if (!c->hello.nr_vcpus || c->hello.nr_vcpus > TOP_MAX_VCPUS)
		return fail(c, err, errlen, "%s: bad greeting: %u vCPUs (1 to %d)", path,
			    c->hello.nr_vcpus, TOP_MAX_VCPUS);
	if (too_many || nfds != c->hello.nr_vcpus)
		return fail(c, err, errlen, "%s: bad greeting: %u vCPUs announced, %s%u fds came",
			    path, c->hello.nr_vcpus, too_many ? "more than " : "", nfds);
	c->hello.image[TOP_IMAGE_MAX - 1] = 0;
	return 0;
}

int top_connect(const char *path, struct top_conn *c, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct stat st;

	memset(c, 0, sizeof(*c));
	c->sock = -1;
	for (unsigned i = 0; i < TOP_MAX_VCPUS; i++)
		c->fds[i] = -1;
	if (strlen(path) >= sizeof(sa.sun_path))
		return fail(c, err, errlen, "%s: a socket path has at most %zu bytes", path,
			    sizeof(sa.sun_path) - 1);
	if (stat(path, &st))
		return fail(c, err, errlen, errno == ENOENT ?
			    "%s: no such socket (is 'hvlab run --stats-socket %s' running?)" :
			    "%s: %s", path, errno == ENOENT ? path : strerror(errno));
	if (!S_ISSOCK(st.st_mode))
		return fail(c, err, errlen, "%s is not a socket ('hvlab run --stats-socket PATH' makes one)",
			    path);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	c->sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->sock < 0)
		return fail(c, err, errlen, "cannot make a socket: %s", strerror(errno));
	if (connect(c->sock, (struct sockaddr *)&sa, sizeof(sa))) {
		int e = errno;

		if (e == ECONNREFUSED)
			return fail(c, err, errlen, "%s: nobody is listening (the hvlab run that made "
				    "it has ended or was killed; remove the file)", path);
		if (e == EACCES || e == EPERM)
			return fail(c, err, errlen, "%s: permission denied (the socket is 0600: run "
				    "hvlab top as the user who runs the VM)", path);
		return fail(c, err, errlen, "%s: %s", path, strerror(e));
	}
	if (getsockopt(c->sock, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
		c->peer_pid = cred.pid;
	return receive_hello(c, path, err, errlen);
}
