// SPDX-License-Identifier: GPL-2.0
/*
 * test_run_dash.c - `hvlab run --record` and `hvlab run --dashboard` on the
 * real module (the native tests drive both against a fake /dev/hvlab):
 *
 *   record_demo          the demo guest recorded with --trap-cr3; `hvlab
 *                        replay --info` finds CR accesses, I/O, the
 *                        HVLAB_HC_WALK walk record and a complete trace, and
 *                        `--dump` renders the exits panel from it
 *   record_100k_lossless the bench guest makes 100,000 CPUID exits, all
 *                        handled in the module, faster than the main
 *                        thread drains the 256-entry ring; --record waits
 *                        for the drain (HVLAB_EXIT_RING_FULL), so the
 *                        trace holds every exit and "exits lost  0"
 *   dashboard_record_lossless  the same with --dashboard --record, the
 *                        bench guest's 20,000 exits each of CPUID, VMCALL
 *                        and OUT: "exits lost  0"
 *   dashboard_to_the_end the hello guest under --dashboard in a pseudo-
 *                        terminal runs to its end, the dashboard closes by
 *                        itself and the held-back message (-v) follows
 *   dashboard_q          a spinning guest, 'q': status 130
 *   dashboard_paused_sigterm  the demo guest paused with 'p' (its vCPU
 *                        waits in dash_gate), then SIGTERM: hvlab must
 *                        still end (dash_stop before pthread_join), 143
 *   stats_socket_top     the spinning guest run with --stats-socket; a
 *                        second process, `hvlab top --dump`, maps its
 *                        statistics through the passed vCPU fds and shows
 *                        its exits; SIGINT then ends the run (130) and the
 *                        socket file is gone
 *
 * The terminal is a pty made with forkpty() (no tmux or script(1) in the
 * VM), 100x30, TERM from the environment (init.sh exports vt100; the
 * suite copies its terminfo).  Keys are written to the master side, and
 * everything the child draws is collected from it.
 */
#include <fcntl.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "hvlab_test.h"
#include "kselftest_harness.h"
#include "../guests/run_fixture.h"

#define TRACE	"/tmp/demo.trace"
#define TOP_SOCK "/tmp/top.sock"
#define TOP_LOG	"/tmp/top-run.log"

/* `hvlab ARGS...` with its stdout and stderr in buf; returns the status. */
static int hv_capture(char *buf, size_t size, const char *args)
{
	char cmd[512];
	FILE *p;
	size_t n = 0;
	int st;

	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", guest_env("HVLAB_BIN", "hvlab"), args);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (n < size - 1 && !feof(p)) {
		size_t k = fread(buf + n, 1, size - 1 - n, p);

		if (!k)
			break;
		n += k;
	}
	buf[n] = 0;
	st = pclose(p);
	if (st)
		fprintf(stderr, "# $ %s: status %d\n%s", cmd, st, buf);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/*
 * One run in a pty.  When `when` appears on the screen (or at once if
 * NULL), `keys` are typed one by one, 0.3 s apart; then, if `sig`, the
 * signal is sent 1 s later.  The screen (raw bytes, escape sequences and
 * all) ends up in r->out, r->err stays empty.
 */
static int pty_run(struct guest_run *r, int timeout_s, const char *when, const char *keys,
		   int sig, const char *const *args)
{
	struct winsize ws = { .ws_row = 30, .ws_col = 100 };
	const char *argv[GUEST_RUN_MAX_ARGS + 4];
	size_t len = 0, cl = 0;
	double start = guest_now(), acted = 0, next_key = 0;
	bool triggered = !when, sig_sent = false;
	int master, n = 0, wstatus;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	r->status = -1;
	argv[n++] = guest_env("HVLAB_BIN", "hvlab");
	argv[n++] = "run";
	for (int i = 0; args[i] && i < GUEST_RUN_MAX_ARGS; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	for (int i = 0; i < n && cl < sizeof(r->cmd) - 1; i++)
		cl += snprintf(r->cmd + cl, sizeof(r->cmd) - cl, "%s%s", i ? " " : "", argv[i]);

	pid = forkpty(&master, NULL, NULL, &ws);
	if (pid < 0 && errno == ENODEV) {
		/* no devpts mounted (a bare initramfs): mount it, try again */
		mkdir("/dev/pts", 0755);
		if (mount("devpts", "/dev/pts", "devpts", 0, "ptmxmode=0666") == 0)
			pid = forkpty(&master, NULL, NULL, &ws);
	}
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (!getenv("TERM"))
			setenv("TERM", "vt100", 1);
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	for (;;) {
		struct pollfd p = { master, POLLIN, 0 };
		double now = guest_now();
		char buf[4096];
		ssize_t k;

		if (now - start > timeout_s) {
			r->timed_out = true;
			kill(pid, SIGKILL);
			break;
		}
		if (!triggered && strstr(r->out, when)) {
			triggered = true;
			acted = next_key = now;
		}
		if (triggered && keys && *keys && now >= next_key) {
			if (write(master, keys, 1) == 1)
				keys++;
			next_key = now + 0.3;
			acted = now;
		}
		if (triggered && sig && !sig_sent && (!keys || !*keys) && now - acted > 1.0) {
			kill(pid, sig);
			sig_sent = true;
		}
		if (poll(&p, 1, 100) < 0 && errno != EINTR)
			break;
		if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
			k = read(master, buf, sizeof(buf));
			if (k <= 0)
				break;	/* EIO: the child and its terminal are gone */
			guest_run_append(r->out, &len, buf, k);
		}
	}
	close(master);
	if (waitpid(pid, &wstatus, 0) < 0)
		return -errno;
	r->seconds = guest_now() - start;
	r->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
	return 0;
}

#define PTY_RUN(timeout_s, when, keys, sig, ...)					\
	do {										\
		ASSERT_EQ(0, pty_run(R, timeout_s, when, keys, sig,			\
				     (const char *const[]){ __VA_ARGS__, NULL }));	\
		ASSERT_FALSE(R->timed_out);						\
	} while (0)

/* --record: the trace holds the CR3 writes, the port I/O and the walk. */
TEST_F(run, record_demo)
{
	static char info[16384], dump[32768];

	unlink(TRACE);
	RUN(RUN_TIMEOUT * 2, NULL, "--record", TRACE, "--trap-cr3", "--append", "rounds=20",
	    G("demo.elf"));
	EXPECT_EQ(0, R->status);
	EXPECT_TRUE(HAS(R->out, "demo: round 20 of 20"));
	EXPECT_TRUE(HAS(R->out, "demo: finished"));
	ASSERT_EQ(0, hv_capture(info, sizeof(info), "replay --info " TRACE));
	EXPECT_TRUE(HAS(info, "demo.elf"));
	EXPECT_TRUE(HAS(info, "trap-cr3"));
	EXPECT_TRUE(HAS(info, "CR_ACCESS"));
	EXPECT_TRUE(HAS(info, "IO_INSTRUCTION"));
	/*
	 * the one VMCALL (HVLAB_HC_WALK) reached userspace: drained, not
	 * lost; on SVM the ring keeps the hardware's word for it, the #UD
	 * that VMCALL is there (svm.c, ud_is_vmcall)
	 */
	EXPECT_TRUE(HAS(info, hvlab_is_svm() ? "VMEXIT_EXCP6" : "VMCALL"));
	EXPECT_TRUE(HAS(info, "  walk "));
	EXPECT_TRUE(HAS(info, "  console "));
	EXPECT_TRUE(HAS(info, "status      complete"));
	ASSERT_EQ(0, hv_capture(dump, sizeof(dump),
				"replay --dump --at end -s 100x30 -p exits -p walk " TRACE));
	EXPECT_TRUE(HAS(dump, "Exits by reason"));
	EXPECT_TRUE(HAS(dump, "CR_ACCESS"));
	EXPECT_TRUE(HAS(dump, "IO_INSTRUCTION"));
	EXPECT_TRUE(HAS(dump, "recorded walks: 0x1000"));
	if (!_metadata->passed)
		for (char *l = strtok(info, "\n"); l; l = strtok(NULL, "\n"))
			fprintf(stderr, "#   info: %s\n", l);
	unlink(TRACE);
}

/* 100,000 exits recorded, none lost (lossless is the default). */
TEST_F(run, record_100k_lossless)
{
	static char info[16384];
	unsigned long long exits = 0, lost = ~0ull;
	const char *p;

	unlink(TRACE);
	RUN(RUN_TIMEOUT * 2, NULL, "--record", TRACE, "--append", "n=100000 only=1",
	    G("bench.elf"));
	EXPECT_EQ(0, R->status);
	EXPECT_TRUE(HAS(R->out, "bench cpuid 100000 iterations"));
	ASSERT_EQ(0, hv_capture(info, sizeof(info), "replay --info " TRACE));
	p = strstr(info, "\n  exit ");
	if (p)
		exits = strtoull(p + strlen("\n  exit "), NULL, 10);
	p = strstr(info, "exits lost  ");
	if (p)
		lost = strtoull(p + strlen("exits lost  "), NULL, 10);
	EXPECT_LE(100000, exits);
	EXPECT_EQ(0, lost);
	EXPECT_TRUE(HAS(info, "status      complete"));
	if (!_metadata->passed)
		for (char *l = strtok(info, "\n"); l; l = strtok(NULL, "\n"))
			fprintf(stderr, "#   info: %s\n", l);
	unlink(TRACE);
}

/*
 * The dashboard reads the rings too, and feeds the trace: 20,000 exits
 * each of CPUID and VMCALL (in the module) and OUT (to userspace) under
 * --dashboard --record, none lost.
 */
TEST_F(run, dashboard_record_lossless)
{
	static char info[16384];
	unsigned long long exits = 0, lost = ~0ull;
	const char *p;

	unlink(TRACE);
	PTY_RUN(RUN_TIMEOUT * 2, NULL, NULL, 0, "--dashboard", "--record", TRACE,
		"--append", "n=20000", G("bench.elf"));
	EXPECT_EQ(0, R->status);
	ASSERT_EQ(0, hv_capture(info, sizeof(info), "replay --info " TRACE));
	p = strstr(info, "\n  exit ");
	if (p)
		exits = strtoull(p + strlen("\n  exit "), NULL, 10);
	p = strstr(info, "exits lost  ");
	if (p)
		lost = strtoull(p + strlen("exits lost  "), NULL, 10);
	EXPECT_LE(60000, exits);
	EXPECT_EQ(0, lost);
	EXPECT_TRUE(HAS(info, "status      complete"));
	if (!_metadata->passed)
		for (char *l = strtok(info, "\n"); l; l = strtok(NULL, "\n"))
			fprintf(stderr, "#   info: %s\n", l);
	unlink(TRACE);
}

/* The guest ends: the dashboard closes itself, then the message comes. */
TEST_F(run, dashboard_to_the_end)
{
	PTY_RUN(RUN_TIMEOUT * 2, NULL, NULL, 0, "--dashboard", "-v", G("hello.elf"));
	EXPECT_EQ(1, R->status);
	EXPECT_TRUE(HAS(R->out, "hvlab live"));
	EXPECT_TRUE(HAS(R->out, "guest wrote 0 to debug-exit"));
}

/* 'q' closes the dashboard and stops a guest that would never end. */
TEST_F(run, dashboard_q)
{
	/* with IF set on SVM, as test_run_basic's spinners (docs/svm.md) */
	if (hvlab_is_svm())
		PTY_RUN(RUN_TIMEOUT * 2, "hvlab live", "q", 0, "--dashboard",
			"--append", "sti", G("spin.elf"));
	else
		PTY_RUN(RUN_TIMEOUT * 2, "hvlab live", "q", 0, "--dashboard", G("spin.elf"));
	EXPECT_EQ(130, R->status);
	EXPECT_TRUE(HAS(R->out, "dashboard closed"));
}

/*
 * Paused in the dashboard, then SIGTERM: dash_stop must wake the vCPU
 * waiting in dash_gate.  The demo guest (endless rounds) comes back to
 * userspace at every port access, so after 'p' its vCPU thread is parked
 * in the gate, not in HVLAB_RUN (where a spinning guest would stay).
 */
TEST_F(run, dashboard_paused_sigterm)
{
	PTY_RUN(RUN_TIMEOUT * 2, "hvlab live", "p", SIGTERM, "--dashboard", "--append",
		"rounds=1000000", G("demo.elf"));
	EXPECT_EQ(143, R->status);
	EXPECT_TRUE(HAS(R->out, "PAUSED"));
	EXPECT_TRUE(HAS(R->out, "terminated"));
}

/* `hvlab run ARGS` in the background, stdout and stderr to TOP_LOG. */
static pid_t run_in_background(struct guest_run *r, const char *const *args)
{
	const char *argv[GUEST_RUN_MAX_ARGS + 6];
	pid_t pid;

	guest_run_cmdline(r, argv, args);	/* as guest_run does */
	pid = fork();
	if (pid == 0) {
		int fd = open(TOP_LOG, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

/* waitpid with a deadline; the exit status as guest_run gives it, or -1. */
static int wait_status(pid_t pid, int timeout_s)
{
	double end = guest_now() + timeout_s;
	int st;

	while (guest_now() < end) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		if (r < 0)
			return -1;
		usleep(100 * 1000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return -1;
}

/*
 * hvlab top on a VM another process runs.  The spin guest's "spinning"
 * (a ucall: OUT to port 0xe0) is an IO_INSTRUCTION exit; then the guest
 * only loops, and the host's timer interrupts keep making exits.  The
 * socket appears before the guest's first instruction, so the dump is
 * repeated until that first exit shows.
 */
TEST_F(run, stats_socket_top)
{
	static char dump[32768];
	const char *total;
	double deadline;
	struct stat st;
	FILE *log;
	pid_t pid;
	bool seen = false;

	unlink(TOP_SOCK);
	pid = run_in_background(R, hvlab_is_svm() ?
		(const char *const[]){ "--stats-socket", TOP_SOCK, "--append", "sti",
				       G("spin.elf"), NULL } :
		(const char *const[]){ "--stats-socket", TOP_SOCK, G("spin.elf"), NULL });
	ASSERT_LT(0, pid);
	deadline = guest_now() + RUN_TIMEOUT * 2;
	while (stat(TOP_SOCK, &st) && guest_now() < deadline)
		usleep(200 * 1000);
	EXPECT_EQ(0, stat(TOP_SOCK, &st));
	EXPECT_TRUE(S_ISSOCK(st.st_mode));
	EXPECT_EQ(0600, st.st_mode & 0777);
	while (_metadata->passed && !seen && guest_now() < deadline) {
		if (hv_capture(dump, sizeof(dump), "top --dump -p exits -s 100x30 " TOP_SOCK))
			break;
		seen = HAS(dump, "IO_INSTRUCTION");
		if (!seen)
			usleep(500 * 1000);
	}
	EXPECT_TRUE(seen);
	EXPECT_TRUE(HAS(dump, "hvlab top"));
	EXPECT_TRUE(HAS(dump, "spin.elf  ATTACHED, read-only"));
	total = strstr(dump, "Exits by reason   total ");
	EXPECT_NE(NULL, total);
	if (total)
		EXPECT_LT(0, atol(total + strlen("Exits by reason   total ")));
	if (!_metadata->passed)
		fprintf(stderr, "# hvlab top --dump:\n%s", dump);

	kill(pid, SIGINT);
	R->status = wait_status(pid, RUN_TIMEOUT);
	EXPECT_EQ(130, R->status);
	EXPECT_NE(0, access(TOP_SOCK, F_OK));	/* removed on the way out */
	log = fopen(TOP_LOG, "r");
	if (log) {
		size_t n = fread(R->err, 1, sizeof(R->err) - 1, log);

		R->err[n] = 0;
		fclose(log);
	}
	EXPECT_TRUE(HAS(R->err, "spinning"));
	unlink(TOP_SOCK);
}

TEST_HARNESS_MAIN
