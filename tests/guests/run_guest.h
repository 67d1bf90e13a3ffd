/* SPDX-License-Identifier: GPL-2.0 */
/*
 * run_guest.h - runs `hvlab run` on a test guest and captures what it did,
 * for the VM-suite programs tests/kselftest/test_run_*.c (which include it
 * as "../guests/run_guest.h").
 *
 * Where things are (environment, with the VM suite's defaults):
 *   HVLAB_BIN      the hvlab tool                    (default: hvlab in PATH,
 *                                                     /usr/bin/hvlab in the VM)
 *   HVLAB_GUESTS   a copy of build/guests       (default /guests)
 *   HVLAB_PAGING   ept | shadow: passed as --paging  (default: not passed)
 *
 * guest_run() forks `hvlab run [--paging P] ARGS...`, collects its stdout
 * and stderr separately, and waits at most `timeout_s` seconds before
 * killing it (SIGKILL; r->timed_out).  With `sigint_when` set, it sends
 * SIGINT as soon as that text appears on stdout and measures how long hvlab
 * then takes to exit (r->stop_seconds).  Inside Bochs (`clock: sync=none`)
 * the clock the VM reads is guest time, so these are guest seconds.
 *
 * `--stats` output (user/vcpu_loop.c, on stderr) is parsed by
 * guest_stat(): per vCPU a header "vCPU N: ... , K CR3 writes ..." and one
 * line "  NAME  REASON  COUNT" per basic exit reason; guest_stat() sums a
 * reason over all vCPUs, and the name "CR3_WRITES" sums the headers' counts.
 */
#ifndef RUN_GUEST_H
#define RUN_GUEST_H

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define GUEST_RUN_OUT_MAX	(64 * 1024)
#define GUEST_RUN_MAX_ARGS	24

struct guest_run {
	int status;		/* exit status; 128 + signal if killed; -1: not run */
	bool timed_out;
	bool sigint_sent;
	double seconds;		/* start to exit */
	double stop_seconds;	/* SIGINT to exit */
	char cmd[512];		/* the command line, for messages */
	char out[GUEST_RUN_OUT_MAX];
	char err[GUEST_RUN_OUT_MAX];
};

static inline const char *guest_env(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

/* Path of guest file NAME ("hello.elf") in HVLAB_GUESTS, written to buf. */
static inline const char *guest_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", guest_env("HVLAB_GUESTS", "/guests"), name);
	return buf;
}

static inline double guest_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline void guest_run_append(char *buf, size_t *len, const char *data, ssize_t n)
{
	if (n <= 0)
		return;
	if (*len + (size_t)n >= GUEST_RUN_OUT_MAX)
		n = GUEST_RUN_OUT_MAX - 1 - *len;
	memcpy(buf + *len, data, (size_t)n);
	*len += (size_t)n;
	buf[*len] = 0;
}

/*
 * The command line `hvlab run [--paging $HVLAB_PAGING] ARGS`, in argv
 * (room for GUEST_RUN_MAX_ARGS + 6, NULL-terminated) and as text in
 * r->cmd.
 */
static inline void guest_run_cmdline(struct guest_run *r, const char **argv,
				    const char *const *args)
{
	const char *paging = getenv("HVLAB_PAGING");
	size_t cl = 0;
	int n = 0;

	argv[n++] = guest_env("HVLAB_BIN", "hvlab");
	argv[n++] = "run";
	if (paging && *paging) {	/* the suite's paging mode */
		argv[n++] = "--paging";
		argv[n++] = paging;
	}
	for (int i = 0; args[i] && i < GUEST_RUN_MAX_ARGS; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	for (int i = 0; i < n && cl < sizeof(r->cmd) - 1; i++)
		cl += snprintf(r->cmd + cl, sizeof(r->cmd) - cl, "%s%s", i ? " " : "", argv[i]);
}

/* args: NULL-terminated list of arguments after `hvlab run`. */
static inline int guest_run_argv(struct guest_run *r, int timeout_s, const char *sigint_when,
				 const char *const *args)
{
	const char *argv[GUEST_RUN_MAX_ARGS + 6];
	int po[2], pe[2], wstatus = 0;
	size_t lo = 0, le = 0;
	bool open_o = true, open_e = true;
	double start, deadline, sig_at = 0;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	r->status = -1;
	guest_run_cmdline(r, argv, args);

	if (pipe(po) || pipe(pe))
		return -errno;
	start = guest_now();
	deadline = start + timeout_s;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		close(po[0]);
		close(pe[0]);
		close(po[1]);
		close(pe[1]);
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	while (open_o || open_e) {
		struct pollfd p[2] = { { po[0], POLLIN, 0 }, { pe[0], POLLIN, 0 } };
		char buf[4096];
		double now = guest_now();
		int ms = (int)((deadline - now) * 1000);

		if (ms <= 0) {
			r->timed_out = true;
			kill(pid, SIGKILL);
			break;
		}
		if (!open_o)
			p[0].fd = -1;
		if (!open_e)
			p[1].fd = -1;
		if (poll(p, 2, ms > 100 ? 100 : ms) < 0 && errno != EINTR)
			break;
		if (open_o && (p[0].revents & (POLLIN | POLLHUP))) {
			ssize_t k = read(po[0], buf, sizeof(buf));

			if (k <= 0)
				open_o = false;
			guest_run_append(r->out, &lo, buf, k);
		}
		if (open_e && (p[1].revents & (POLLIN | POLLHUP))) {
			ssize_t k = read(pe[0], buf, sizeof(buf));

			if (k <= 0)
				open_e = false;
			guest_run_append(r->err, &le, buf, k);
		}
		if (sigint_when && !r->sigint_sent && strstr(r->out, sigint_when)) {
			kill(pid, SIGINT);
			r->sigint_sent = true;
			sig_at = guest_now();
		}
	}
	close(po[0]);
	close(pe[0]);
	if (waitpid(pid, &wstatus, 0) < 0)
		return -errno;
	r->seconds = guest_now() - start;
	if (r->sigint_sent)
		r->stop_seconds = guest_now() - sig_at;
	r->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
	return 0;
}

#define guest_run(r, timeout_s, sigint_when, ...)				\
	guest_run_argv(r, timeout_s, sigint_when, (const char *const[]){ __VA_ARGS__, NULL })

/* Prints what the run did, as TAP comments (for failed tests). */
static inline void guest_run_dump(const struct guest_run *r)
{
	const char *parts[2] = { r->out, r->err };

	fprintf(stderr, "# $ %s\n# exit status %d%s, %.2f s\n", r->cmd, r->status,
		r->timed_out ? " (timed out, killed)" : "", r->seconds);
	for (int i = 0; i < 2; i++) {
		const char *p = parts[i];
		int lines = 0;

		fprintf(stderr, "# --- %s\n", i ? "stderr" : "stdout");
		while (*p && lines++ < 40) {
			const char *e = strchr(p, '\n');
			int len = e ? (int)(e - p) : (int)strlen(p);

			fprintf(stderr, "#   %.*s\n", len, p);
			p += len + (e ? 1 : 0);
		}
	}
}

/*
 * Sum over vCPUs of the --stats count of exit reason NAME, or of a vCPU
 * header count: CR3_WRITES, ROOTS_REUSED, ROOTS_BUILT, TABLE_WRITES; -1 if
 * absent.
 */
static inline long long guest_stat(const struct guest_run *r, const char *name)
{
	const char *p = r->err;
	long long sum = -1;
	const char *phrase = !strcmp(name, "CR3_WRITES") ? " CR3 writes" :
			     !strcmp(name, "ROOTS_REUSED") ? " roots reused" :
			     !strcmp(name, "ROOTS_BUILT") ? " roots built" :
			     !strcmp(name, "TABLE_WRITES") ? " table writes" : NULL;
	bool cr3 = phrase != NULL;

	while (*p) {
		const char *e = strchr(p, '\n');
		size_t full = e ? (size_t)(e - p) : strlen(p), len = full;
		char line[256], word[64];
		unsigned reason;
		unsigned long long count;

		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		memcpy(line, p, len);
		line[len] = 0;
		if (cr3 && !strncmp(line, "vCPU ", 5)) {
			const char *c = strstr(line, phrase);

			if (c) {
				while (c > line && c[-1] >= '0' && c[-1] <= '9')
					c--;
				sum = (sum < 0 ? 0 : sum) + strtoll(c, NULL, 10);
			} else if (sum < 0) {
				sum = 0;	/* a vCPU header without it: 0 */
			}
		} else if (!cr3 && line[0] == ' ' &&
			   sscanf(line, " %63s %u %llu", word, &reason, &count) == 3 &&
			   !strcmp(word, name)) {
			sum = (sum < 0 ? 0 : sum) + (long long)count;
		}
		if (!e)
			break;
		p = e + 1;
	}
	return sum;
}

#endif
