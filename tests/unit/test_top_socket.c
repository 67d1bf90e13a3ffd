// SPDX-License-Identifier: GPL-2.0
/*
 * test_top_socket.c - the stats socket of `hvlab run --stats-socket` and
 * `hvlab top` (user/top_socket.h), without the module: memfds the size of a
 * vCPU mapping stand in for vCPU fds, with a struct hvlab_stats filled in
 * at HVLAB_STATS_OFFSET the way the module fills it.
 *
 *  - the server code hvlab run uses hands out the hello and the fds; the
 *    client maps them and sees the same page, live; the socket is 0600;
 *    the client's end-of-file comes exactly when the server stops, and the
 *    socket file is gone then; closing the client's fds leaves the server's
 *  - `user/hvlab top --dump` on that socket prints the exit counts, the
 *    decoded exit log, and "not available" for the panels it cannot fill
 *  - errors: an existing path is never replaced, a path too long, no such
 *    socket, a regular file, nobody listening, a peer that closes without
 *    a greeting, greets with garbage, another protocol version, too few
 *    fds, and more clients than TOP_MAX_CLIENTS
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "top_socket.h"

#define MAP_SIZE	(HVLAB_STATS_OFFSET + ((sizeof(struct hvlab_stats) + 4095) & ~4095ul))
#define HV		"user/hvlab"

static struct hvlab_stats *stats_of(void *map)
{
	return (struct hvlab_stats *)((char *)map + HVLAB_STATS_OFFSET);
}

static void add_exit(struct hvlab_stats *s, unsigned reason, uint32_t info, uint64_t value)
{
	struct hvlab_exit_record e = { .rip = 0x100000 + s->head, .reason = reason,
				       .info = info, .value = value };

	s->ring[s->head % HVLAB_EXIT_RING_SIZE] = e;
	s->head++;
	s->by_reason[reason]++;
	s->exits++;
}

/* A memfd shaped like a vCPU fd: page 0 the run page, then the stats. */
static int fake_vcpu_fd(void **map)
{
	int fd = memfd_create("fake-vcpu", MFD_CLOEXEC);

	if (fd < 0 || ftruncate(fd, MAP_SIZE))
		return -1;
	*map = mmap(NULL, MAP_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	return *map == MAP_FAILED ? -1 : fd;
}

/* `hvlab ARGS` with stdout and stderr in buf; returns the exit status. */
static int hv(char *buf, size_t size, const char *args)
{
	char cmd[512];
	size_t n = 0;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", HV, args);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (n < size - 1) {
		size_t k = fread(buf + n, 1, size - 1 - n, p);

		if (!k)
			break;
		n += k;
	}
	buf[n] = 0;
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

FIXTURE(top) {
	char dir[64], path[128];
	int fd[2];
	void *map[2];
	struct top_hello hello;
	struct top_server *srv;
};

FIXTURE_SETUP(top)
{
	struct hvlab_stats *s0, *s1;

	snprintf(self->dir, sizeof(self->dir), "/tmp/hvlab-top-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->path, sizeof(self->path), "%s/stats.sock", self->dir);
	for (int i = 0; i < 2; i++) {
		self->fd[i] = fake_vcpu_fd(&self->map[i]);
		ASSERT_LE(0, self->fd[i]);
	}
	s0 = stats_of(self->map[0]);
	s1 = stats_of(self->map[1]);
	for (int i = 0; i < 40; i++)		/* OUT 0x3f8, 'A'..: IO_INSTRUCTION */
		add_exit(s0, HVLAB_VMX_EXIT_IO, 0x3f8 | 1 << 16, 'A' + i % 26);
	add_exit(s0, HVLAB_VMX_EXIT_CPUID, 1, 0);
	add_exit(s0, HVLAB_VMX_EXIT_CPUID, 1, 0);
	add_exit(s1, HVLAB_VMX_EXIT_HLT, 0, 0);
	self->hello = (struct top_hello){
		.nr_vcpus = 2, .vm_flags = HVLAB_VM_TRAP_CR3, .mem_size = 64 << 20,
		.mmap_size = MAP_SIZE, .image = "guest.elf",
	};
}

FIXTURE_TEARDOWN(top)
{
	top_server_stop(self->srv);
	for (int i = 0; i < 2; i++) {
		munmap(self->map[i], MAP_SIZE);
		close(self->fd[i]);
	}
	unlink(self->path);
	rmdir(self->dir);
}

static int start(struct _test_data_top *self, char *err, size_t len)
{
	self->srv = top_server_start(self->path, &self->hello, self->fd, err, len);
	return self->srv ? 0 : -1;
}

TEST_F(top, round_trip)
{
	struct top_conn c;
	char err[512];
	struct stat st;
	void *m;

	ASSERT_EQ(0, start(self, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, stat(self->path, &st));
	EXPECT_TRUE(S_ISSOCK(st.st_mode));
	EXPECT_EQ(0600, st.st_mode & 0777);

	ASSERT_EQ(0, top_connect(self->path, &c, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(0, memcmp(c.hello.magic, TOP_MAGIC, 8));
	EXPECT_EQ(TOP_VERSION, c.hello.version);
	EXPECT_EQ(HVLAB_API_VERSION, c.hello.api_version);
	EXPECT_EQ(2, c.hello.nr_vcpus);
	EXPECT_EQ(HVLAB_VM_TRAP_CR3, c.hello.vm_flags);
	EXPECT_EQ(64 << 20, c.hello.mem_size);
	EXPECT_EQ(MAP_SIZE, c.hello.mmap_size);
	EXPECT_STREQ("guest.elf", c.hello.image);
	EXPECT_EQ(getpid(), c.peer_pid);
	ASSERT_LE(0, c.fds[0]);
	ASSERT_LE(0, c.fds[1]);
	EXPECT_EQ(-1, c.fds[2]);
	EXPECT_NE(self->fd[0], c.fds[0]);	/* a copy, not the server's */

	/* the received fd maps the same page, read-only, and follows it live */
	m = mmap(NULL, MAP_SIZE, PROT_READ, MAP_SHARED, c.fds[0], 0);
	ASSERT_NE(MAP_FAILED, m);
	EXPECT_EQ(40, stats_of(m)->by_reason[HVLAB_VMX_EXIT_IO]);
	add_exit(stats_of(self->map[0]), HVLAB_VMX_EXIT_IO, 0x3f8 | 1 << 16, 'x');
	EXPECT_EQ(41, stats_of(m)->by_reason[HVLAB_VMX_EXIT_IO]);

	/* the client lets go of its fds: the server's still work */
	top_close_fds(&c);
	EXPECT_EQ(-1, c.fds[0]);
	EXPECT_EQ(43, stats_of(m)->head);
	EXPECT_LE(0, fcntl(self->fd[0], F_GETFD));

	EXPECT_FALSE(top_peer_gone(&c));
	top_server_stop(self->srv);		/* the run ends */
	self->srv = NULL;
	EXPECT_TRUE(top_peer_gone(&c));
	EXPECT_NE(0, access(self->path, F_OK));	/* the file is gone */
	EXPECT_EQ(41, stats_of(m)->by_reason[HVLAB_VMX_EXIT_IO]);	/* mapping stays */
	munmap(m, MAP_SIZE);
	top_disconnect(&c);
}

/* A client that goes away is forgotten; the next one is answered too. */
TEST_F(top, clients_come_and_go)
{
	struct top_conn c[TOP_MAX_CLIENTS + 1];
	char err[512];

	ASSERT_EQ(0, start(self, err, sizeof(err))) TH_LOG("%s", err);
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < TOP_MAX_CLIENTS; i++) {
			ASSERT_EQ(0, top_connect(self->path, &c[i], err, sizeof(err)))
				TH_LOG("round %d client %d: %s", round, i, err);
		}
		/* one too many: closed at once, and told why it may be */
		EXPECT_EQ(-1, top_connect(self->path, &c[TOP_MAX_CLIENTS], err, sizeof(err)));
		EXPECT_NE(NULL, strstr(err, "without a greeting")) TH_LOG("%s", err);
		EXPECT_NE(NULL, strstr(err, "attached already")) TH_LOG("%s", err);
		for (int i = 0; i < TOP_MAX_CLIENTS; i++)
			top_disconnect(&c[i]);
		usleep(100 * 1000);	/* the server notices the hang-ups */
	}
}

TEST_F(top, dump_shows_the_exits)
{
	static char out[32768];
	char err[512], args[300];

	if (access(HV, X_OK))
		SKIP(return, HV " not built");
	ASSERT_EQ(0, start(self, err, sizeof(err))) TH_LOG("%s", err);
	snprintf(args, sizeof(args), "top --dump -s 100x30 %s", self->path);
	ASSERT_EQ(0, hv(out, sizeof(out), args)) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "hvlab top")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "guest.elf  ATTACHED, read-only"));
	EXPECT_NE(NULL, strstr(out, "Exits by reason   total 43"));
	EXPECT_NE(NULL, strstr(out, " IO_INSTRUCTION                40"));
	EXPECT_NE(NULL, strstr(out, " CPUID                          2"));
	EXPECT_NE(NULL, strstr(out, " HLT                            1"));
	/* default panels: the exits, then the exit log, decoded */
	EXPECT_NE(NULL, strstr(out, "Exit log"));
	EXPECT_NE(NULL, strstr(out, "OUT 0x3f8"));
	EXPECT_NE(NULL, strstr(out, "CPUID leaf 0x1"));
	EXPECT_EQ(NULL, strstr(out, "lost"));	/* attaching loses nothing */
	if (!_metadata->passed)
		fprintf(stderr, "%s", out);

	snprintf(args, sizeof(args), "top --dump -p vcpu -p walk -p io -p console %s",
		 self->path);
	ASSERT_EQ(0, hv(out, sizeof(out), args)) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "vCPU state: not available in hvlab top"));
	EXPECT_NE(NULL, strstr(out, "Page walk: not available in hvlab top"));
	EXPECT_NE(NULL, strstr(out, "Device I/O: not available in hvlab top"));
	EXPECT_NE(NULL, strstr(out, "Guest console: not available in hvlab top"));

	/* attached after the ring wrapped: the ring is shown, nothing "lost" */
	for (int i = 0; i < 3 * HVLAB_EXIT_RING_SIZE; i++)
		add_exit(stats_of(self->map[1]), HVLAB_VMX_EXIT_RDTSC, 0, 0);
	snprintf(args, sizeof(args), "top --dump -p exits %s", self->path);
	ASSERT_EQ(0, hv(out, sizeof(out), args)) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, " RDTSC                        768"));
	EXPECT_EQ(NULL, strstr(out, "lost"));
}

TEST_F(top, cli_errors)
{
	static char out[4096];
	char args[300];
	FILE *f;

	if (access(HV, X_OK))
		SKIP(return, HV " not built");
	EXPECT_EQ(2, hv(out, sizeof(out), "top"));
	EXPECT_NE(NULL, strstr(out, "no socket PATH")) TH_LOG("%s", out);
	EXPECT_EQ(0, hv(out, sizeof(out), "top --help"));
	EXPECT_NE(NULL, strstr(out, "usage: hvlab top"));
	EXPECT_EQ(2, hv(out, sizeof(out), "top -p nosuch --dump x"));
	EXPECT_EQ(2, hv(out, sizeof(out), "top --interval 5 x"));

	snprintf(args, sizeof(args), "top --dump %s", self->path);
	EXPECT_EQ(1, hv(out, sizeof(out), args));
	EXPECT_NE(NULL, strstr(out, "no such socket")) TH_LOG("%s", out);

	f = fopen(self->path, "w");
	ASSERT_NE(NULL, f);
	fclose(f);
	EXPECT_EQ(1, hv(out, sizeof(out), args));
	EXPECT_NE(NULL, strstr(out, "is not a socket")) TH_LOG("%s", out);
}

TEST_F(top, existing_path_is_never_replaced)
{
	char err[512], longpath[200];
	struct stat st;
	FILE *f = fopen(self->path, "w");

	ASSERT_NE(NULL, f);
	fputs("precious", f);
	fclose(f);
	EXPECT_EQ(-1, start(self, err, sizeof(err)));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_NE(NULL, strstr(err, "exists")) TH_LOG("%s", err);
	ASSERT_EQ(0, stat(self->path, &st));
	EXPECT_EQ(8, st.st_size);

	memset(longpath, 'x', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = 0;
	EXPECT_EQ(NULL, top_server_start(longpath, &self->hello, self->fd, err, sizeof(err)));
	EXPECT_EQ(ENAMETOOLONG, errno);
}

/* ---- peers that are not an hvlab run ---------------------------------- */

struct peer {
	int lsock;
	const void *data;	/* sent once to the first client, then closed */
	size_t len;
	int fd;			/* attached as SCM_RIGHTS if >= 0 */
	pthread_t th;
};

static void *peer_main(void *arg)
{
	struct peer *p = arg;
	int c = accept(p->lsock, NULL, NULL);
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { (void *)p->data, p->len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (c < 0)
		return NULL;
	if (p->fd >= 0) {
		struct cmsghdr *cm;

		msg.msg_control = ctl.buf;
		msg.msg_controllen = sizeof(ctl.buf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &p->fd, sizeof(int));
	}
	if (p->len)
		sendmsg(c, &msg, MSG_NOSIGNAL);
	close(c);
	return NULL;
}

/* Listens on path; with `serve`, a thread answers one client with data. */
static int peer_start(struct peer *p, const char *path, bool serve)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	p->lsock = socket(AF_UNIX, SOCK_STREAM, 0);
	if (p->lsock < 0 || bind(p->lsock, (struct sockaddr *)&sa, sizeof(sa)))
		return -1;
	if (!serve)
		return 0;
	if (listen(p->lsock, 1))
		return -1;
	return pthread_create(&p->th, NULL, peer_main, p);
}

static void peer_stop(struct peer *p, bool serve)
{
	if (serve)
		pthread_join(p->th, NULL);
	close(p->lsock);
}

/* Connects to a peer that sends data (+ fd); returns top_connect's error. */
static const char *against(struct _test_data_top *self, const void *data, size_t len, int fd)
{
	static char err[512];
	struct peer p = { .data = data, .len = len, .fd = fd };
	struct top_conn c;

	if (peer_start(&p, self->path, true))
		return "peer_start failed";
	if (top_connect(self->path, &c, err, sizeof(err)) == 0) {
		top_disconnect(&c);
		snprintf(err, sizeof(err), "(accepted)");
	}
	peer_stop(&p, true);
	unlink(self->path);
	return err;
}

TEST_F(top, client_errors)
{
	static const char ssh[] = "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n";
	struct top_hello h = self->hello;
	struct peer p = { 0 };
	struct top_conn c;
	char err[512];
	const char *e;

	EXPECT_EQ(-1, top_connect(self->path, &c, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "no such socket")) TH_LOG("%s", err);
	EXPECT_EQ(-1, c.sock);

	/* bound, never listening: a run that was killed */
	ASSERT_EQ(0, peer_start(&p, self->path, false));
	EXPECT_EQ(-1, top_connect(self->path, &c, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "nobody is listening")) TH_LOG("%s", err);
	peer_stop(&p, false);
	unlink(self->path);

	e = against(self, NULL, 0, -1);
	EXPECT_NE(NULL, strstr(e, "without a greeting")) TH_LOG("%s", e);
	e = against(self, ssh, sizeof(ssh) - 1, -1);
	EXPECT_NE(NULL, strstr(e, "is not an hvlab stats socket")) TH_LOG("%s", e);
	e = against(self, TOP_MAGIC "\1\0\0\0", 12, -1);
	EXPECT_NE(NULL, strstr(e, "stops after 12 of 104 bytes")) TH_LOG("%s", e);

	memcpy(h.magic, TOP_MAGIC, 8);
	h.version = TOP_VERSION + 1;
	h.api_version = HVLAB_API_VERSION;
	e = against(self, &h, sizeof(h), self->fd[0]);
	EXPECT_NE(NULL, strstr(e, "speaks version 2 of the hvlab top protocol")) TH_LOG("%s", e);
	h.version = TOP_VERSION;
	h.api_version = HVLAB_API_VERSION + 100;
	e = against(self, &h, sizeof(h), self->fd[0]);
	EXPECT_NE(NULL, strstr(e, "module API")) TH_LOG("%s", e);
	h.api_version = HVLAB_API_VERSION;
	h.nr_vcpus = 99;
	e = against(self, &h, sizeof(h), self->fd[0]);
	EXPECT_NE(NULL, strstr(e, "99 vCPUs")) TH_LOG("%s", e);
	h.nr_vcpus = 2;		/* but only one fd comes */
	e = against(self, &h, sizeof(h), self->fd[0]);
	EXPECT_NE(NULL, strstr(e, "2 vCPUs announced, 1 fds came")) TH_LOG("%s", e);
	h.nr_vcpus = 1;
	e = against(self, &h, sizeof(h), self->fd[0]);
	EXPECT_STREQ("(accepted)", e);
}

TEST_HARNESS_MAIN
