// SPDX-License-Identifier: GPL-2.0
/*
 * top.c - `hvlab top PATH`: the dashboard on a VM that another process
 * (`hvlab run --stats-socket PATH`) runs.
 *
 * The vCPU fds come over the socket (top_socket.h).  Each is mapped once,
 * read-only, from offset 0 (the module refuses any other offset) for
 * HVLAB_STATS_OFFSET plus the statistics, and closed at once: the mapping
 * alone keeps the page alive, and closing our copy never disturbs the run,
 * which has its own fds.  The dashboard then runs with cfg.stats[] only
 * (cfg.attached; no vCPU fd): exits by reason and the exit log.
 *
 * It ends on 'q', or when the run closes the socket (the VM is gone): then
 * the terminal is given back and the last counts are printed.  Either way
 * the mappings are dropped before exit, so the VM is freed as soon as the
 * run has let go of it too.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "commands.h"
#include "dash/dash.h"
#include "dash/view.h"
#include "top_socket.h"
#include "vm.h"

#define PAGE_ALIGN_4K(x)	(((x) + 4095ul) & ~4095ul)
/* what we map of each vCPU fd: the run page(s), then the statistics */
#define TOP_MAP_SIZE	(HVLAB_STATS_OFFSET + PAGE_ALIGN_4K(sizeof(struct hvlab_stats)))

static void usage(FILE *f)
{
	fprintf(f,
"usage: hvlab top [OPTIONS] PATH\n"
"\n"
"Attaches the dashboard to a VM that another process runs, started with\n"
"'hvlab run --stats-socket PATH ...'.  It shows the module's statistics of\n"
"every vCPU, read-only: exits by reason and the exit log.  Registers, page\n"
"walks, device I/O, the console, pause and single-step belong to the process\n"
"that runs the VM ('hvlab run --dashboard') and are shown as not available.\n"
"It ends on 'q', or by itself when the VM ends; the VM is never disturbed.\n"
"\n"
"options:\n"
"  -d, --dump            print panels once as text instead of opening the\n"
"                        terminal UI, then exit\n"
"  -p, --panel NAME      with --dump: exits, log, vcpu, walk, io, console, irq, help\n"
"                        (repeatable; default: exits and log)\n"
"  -s, --size WxH        with --dump: screen size (default 80x24)\n"
"  -i, --interval MS     redraw at most every MS milliseconds, 50..60000\n"
"                        (default 100)\n"
"  -h, --help            this text\n"
"\n"
"exit status: 0 on 'q', when the VM ended, or after --dump; 1 if PATH cannot\n"
"be attached to (no such socket, permission denied, not an hvlab stats socket,\n"
"another version); 2 on a usage error.\n"
"\n"
"See docs/dashboard.md.\n");
}

static int bad_usage(const char *what)
{
	fprintf(stderr, "hvlab top: %s\nTry 'hvlab top --help'.\n", what);
	return 2;
}

static bool parse_size(const char *s, int *w, int *h)
{
	char x;

	return sscanf(s, "%d%c%d", w, &x, h) == 3 && x == 'x' && *w >= 40 && *h >= 10 &&
	       *w <= CANVAS_MAX_W && *h <= CANVAS_MAX_H;
}

/* Maps every received fd read-only and closes it; -1 with a message. */
static int map_stats(struct top_conn *c, const char *path, void *maps[TOP_MAX_VCPUS])
{
	if (c->hello.mmap_size < TOP_MAP_SIZE) {
		fprintf(stderr, "hvlab top: %s: the vCPUs map %llu bytes, the statistics need %lu "
			"(a module without statistics, or another build)\n", path,
			(unsigned long long)c->hello.mmap_size, (unsigned long)TOP_MAP_SIZE);
		return -1;
	}
	for (unsigned i = 0; i < c->hello.nr_vcpus; i++) {
		maps[i] = mmap(NULL, TOP_MAP_SIZE, PROT_READ, MAP_SHARED, c->fds[i], 0);
		if (maps[i] == MAP_FAILED) {
			maps[i] = NULL;
			fprintf(stderr, "hvlab top: %s: cannot map the statistics of vCPU %u: %s\n",
				path, i, strerror(errno));
			return -1;
		}
	}
	top_close_fds(c);	/* our copies only: the run's fds stay open */
	return 0;
}

static void unmap_stats(void *maps[TOP_MAX_VCPUS])
{
	for (unsigned i = 0; i < TOP_MAX_VCPUS; i++)
		if (maps[i])
			munmap(maps[i], TOP_MAP_SIZE);
}

/* The terminal UI until 'q' or the end of the VM (then *ended); the exit status. */
/*
 * The run being watched uses this machine's module: on AMD (HVLAB_CAP_SVM)
 * its exit records hold SVM EXITCODEs.  Without /dev/hvlab, Intel.
 */
static uint32_t module_vendor(void)
{
	struct hvlab_caps caps;
	int fd = open(HVLAB_DEVICE, O_RDWR | O_CLOEXEC);
	uint32_t v = TRACE_VENDOR_INTEL;

	if (fd < 0)
		return v;
	if (ioctl(fd, HVLAB_GET_CAPS, &caps) == 0 && (caps.features & HVLAB_CAP_SVM))
		v = TRACE_VENDOR_AMD;
	close(fd);
	return v;
}

static int watch(struct top_conn *c, const struct dash_config *cfg, const char *path,
		 unsigned interval_ms, bool *ended)
{
	int poll_ms = interval_ms < 100 ? (int)interval_ms : 100;
	char err[256];
	struct dash *d = dash_open(cfg, err, sizeof(err));

	if (!d) {
		fprintf(stderr, "hvlab top: %s (try --dump)\n", err);
		return 1;
	}
	while (dash_poll(d, poll_ms) == DASH_RUN)
		if (top_peer_gone(c)) {
			*ended = true;
			break;
		}
	dash_close(d);
	if (*ended) {
		printf("hvlab top: %s: the VM has ended", path);
		if (c->peer_pid)
			printf(" (hvlab run, pid %d, closed the socket)", c->peer_pid);
		printf("; its last counts:\n");
		for (unsigned i = 0; i < cfg->nr_vcpus; i++)
			vcpu_print_stats(cfg->stats[i], (int)i, stdout);
	}
	return 0;
}

int cmd_top(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dump", no_argument, NULL, 'd' },
		{ "panel", required_argument, NULL, 'p' },
		{ "size", required_argument, NULL, 's' },
		{ "interval", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int panels[PANEL_NR], np = 0, w = 80, h = 24, opt, ret;
	unsigned long interval = 100;
	void *maps[TOP_MAX_VCPUS] = { 0 };
	bool dump = false, ended = false;
	struct dash_config cfg = { 0 };
	struct top_conn conn;
	const char *path;
	char err[512], *end;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "dp:s:i:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			dump = true;
			break;
		case 'p':
			if (np == PANEL_NR || (panels[np] = panel_parse(optarg)) < 0)
				return bad_usage("--panel: one of exits, log, vcpu, walk, io, "
						 "console, irq, help");
			np++;
			break;
		case 's':
			if (!parse_size(optarg, &w, &h))
				return bad_usage("--size wants WxH, at least 40x10");
			break;
		case 'i':
			errno = 0;
			interval = strtoul(optarg, &end, 10);
			if (errno || *end || !*optarg || interval < 50 || interval > 60000)
				return bad_usage("--interval wants milliseconds, 50 to 60000");
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "Try 'hvlab top --help'.\n");
			return 2;
		}
	}
	if (optind != argc - 1)
		return bad_usage(optind >= argc ? "no socket PATH given" : "only one PATH, please");
	if (np && !dump)
		return bad_usage("--panel needs --dump (in the terminal UI, keys 1-7 choose)");
	path = argv[optind];

	if (top_connect(path, &conn, err, sizeof(err))) {
		fprintf(stderr, "hvlab top: %s\n", err);
		return 1;
	}
	if (map_stats(&conn, path, maps)) {
		unmap_stats(maps);
		top_disconnect(&conn);
		return 1;
	}
	cfg.image = conn.hello.image;
	cfg.vm_flags = conn.hello.vm_flags;
	cfg.vendor = module_vendor();
	cfg.mem_size = conn.hello.mem_size;
	cfg.nr_vcpus = conn.hello.nr_vcpus;
	cfg.attached = true;
	cfg.headless = dump;
	cfg.redraw_ms = (unsigned)interval;
	for (unsigned i = 0; i < TRACE_MAX_VCPUS; i++) {
		cfg.vcpu_fd[i] = -1;	/* the module answers no ioctl of ours */
		cfg.stats[i] = maps[i] ? (const struct hvlab_stats *)
					 ((const char *)maps[i] + HVLAB_STATS_OFFSET) : NULL;
	}
	if (dump) {
		struct dash *d = dash_open(&cfg, err, sizeof(err));

		if (!np) {
			panels[np++] = PANEL_EXITS;
			panels[np++] = PANEL_LOG;
		}
		ret = d && !dash_dump(d, panels, np, w, h, stdout) ? 0 : 1;
		if (ret)
			fprintf(stderr, "hvlab top: %s\n", d ? "out of memory" : err);
		dash_close(d);
	} else {
		ret = watch(&conn, &cfg, path, (unsigned)interval, &ended);
	}
	unmap_stats(maps);
	top_disconnect(&conn);
	return ret;
}
