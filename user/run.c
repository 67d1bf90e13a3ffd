// SPDX-License-Identifier: GPL-2.0
/*
 * run.c - `hvlab run`: parse the command line, load the image, build the
 * VM, run it, and turn how the guest ended into the process exit status.
 *
 * The order matters for the messages a student sees first: the image is
 * read and loaded into (not yet shared) guest RAM before /dev/hvlab is
 * opened, so a broken image is reported even where the module is not
 * loaded or the CPU has no VMX.  All the work is in vm.c, vcpu_loop.c and
 * loader/; this file only decides and explains.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "dash/dash.h"
#include "dash/ioq.h"
#include "dash/trace.h"
#include "loader/loader.h"
#include "top_socket.h"
#include "vm.h"

#define DEFAULT_RAM	(64ull << 20)
#define DEFAULT_RAM_LINUX	(256ull << 20)	/* a Debian kernel + initramfs */

static void usage(FILE *f)
{
	fprintf(f,
"usage: hvlab run [OPTIONS] IMAGE\n"
"\n"
"Boot IMAGE in a new VM: a 64-bit Linux bzImage (boot protocol 2.12 or newer,\n"
"entered in 64-bit mode with ACPI tables describing the PC), a multiboot-1\n"
"kernel (ELF32 or ELF64, or a file with multiboot load addresses), or with\n"
"--flat a raw binary started in real mode.\n"
"The guest's serial port (COM1, 0x3f8) is this program's standard output.\n"
"\n"
"options:\n"
"  -m, --memory SIZE     guest RAM: a number with K, M or G (default M), 2M..3G;\n"
"                        default 64M, or 256M for a bzImage\n"
"      --cpus N          vCPUs, 1..%d (default 1); all start at the entry point,\n"
"                        each reads its index in the local APIC ID register\n"
"      --module FILE     a multiboot module (repeatable, up to %d)\n"
"      --append CMDLINE  the kernel command line (multiboot info, the bzImage's\n"
"                        zero page, and fw_cfg), e.g. \"console=ttyS0\"\n"
"      --initrd FILE     the initial ramdisk of a bzImage, loaded high in RAM\n"
"      --flat ADDR       IMAGE is a raw binary: load it at ADDR (16-byte aligned,\n"
"                        below 0xa0000) and start in real mode at ADDR>>4:0000\n"
"      --trap-cr3        exit on every MOV to CR3 and log it\n"
"      --trap-exceptions every guest exception exits before the guest gets it:\n"
"                        counted by --stats, shown by --dashboard and --record\n"
"      --paging MODE     second-stage paging: ept (default) or shadow\n"
"      --bench-floor     benchmarks only: CPUID leaf 0x400000f0 takes the\n"
"                        module's leanest exit path (needs bench_floor=1 at insmod)\n"
"      --strict          an access to a port or MMIO address no device claims\n"
"                        ends the run (default: logged once, reads all-ones)\n"
"      --walk GVA        on each HVLAB_HC_WALK hypercall, also print the walk of\n"
"                        GVA (repeatable); the hypercall's own RBX is always walked\n"
"  -v, --verbose         explain how the guest ended and print exit statistics\n"
"      --stats           print exit statistics by reason at the end\n"
"      --dashboard       the live ncurses dashboard; the guest's console is shown\n"
"                        in it, messages wait until it closes ('q')\n"
"      --record FILE     record a trace (exits, device I/O, console) for\n"
"                        'hvlab replay FILE'.  With it or --dashboard no exit\n"
"                        is lost: the vCPU waits while its exit ring is unread\n"
"      --record-lossy    do not wait: exits that overwrite unread ones in the\n"
"                        ring are dropped and counted as lost (long runs)\n"
"      --stats-socket PATH\n"
"                        let 'hvlab top PATH' watch this VM's exits from another\n"
"                        terminal: a Unix socket, mode 0600, that must not exist\n"
"                        yet; removed when the run ends\n"
"      --console-log FILE  also copy the guest's console to FILE (with\n"
"                        --dashboard, the way to keep what the guest printed)\n"
"      --disk FILE[,format=raw|vdi][,readonly]\n"
"                        attach a disk image on the ATA primary channel (ports\n"
"                        0x1f0-0x1f7, 0x3f6): the first --disk is the master,\n"
"                        a second the slave; a third and fourth go to the\n"
"                        secondary channel (0x170).  format: probed from the file\n"
"                        (VDI signature, else raw) unless given; readonly: the\n"
"                        guest's writes fail with an ATA error.  A writable\n"
"                        image is locked against other writers; with --stats\n"
"                        or -v the disk commands are counted (-v: logged)\n"
"      --net MODE        add an Intel 82540EM (e1000) network card on the PCI bus\n"
"                        (repeatable, up to %d), its frames going through MODE:\n"
"                          nat[,hostfwd=tcp:[HADDR]:HPORT-[GADDR]:GPORT]...\n"
"                            user-mode NAT (libslirp): the guest is 10.0.2.15 by\n"
"                            DHCP, the host 10.0.2.2, DNS 10.0.2.3; hostfwd\n"
"                            forwards HADDR (default 127.0.0.1):HPORT to the guest\n"
"                          bridged:IFNAME  a TAP interface (created when permitted)\n"
"                          internal:NAME   a segment shared by every VM started\n"
"                            with the same NAME, no path to the host\n"
"      --mac MAC         the MAC of the last --net (default: 52:56 + this process's\n"
"                        ID + the card's index, so two VMs never share one)\n"
"      --pcap FILE       write every frame of the last --net to FILE (pcap format,\n"
"                        for tcpdump -r and Wireshark); with --stats or -v each\n"
"                        card's frames, bytes, interrupts, drops and ring wraps\n"
"                        are printed at the end (docs/network.md)\n"
"  -h, --help            this text\n"
"\n"
"exit status:\n"
"  0      the guest reported success (ucall DONE) or halted for good (HLT)\n"
"  odd    the guest wrote v to the debug-exit port 0xf4: (v << 1) | 1\n"
"         (so v = 0 gives 1, v = 1 gives 3; only the low 8 bits survive)\n"
"  2      a guest assertion failed (ucall ASSERT, message on stderr)\n"
"  3      the guest triple-faulted (shutdown)\n"
"  4      VM entry failed or the module hit an internal error\n"
"  5      --strict and the guest touched an unclaimed port or MMIO address\n"
"  64     bad command line (also: the --stats-socket PATH exists)\n"
"  65     malformed image, or it does not fit; a corrupt --disk image\n"
"  66     image, module or disk missing or unreadable\n"
"  69     module not loaded, no VMX, VMX held by another hypervisor, or a\n"
"         --disk image in use by another process\n"
"  71     out of memory or another system error\n"
"  130    interrupted with Ctrl-C (SIGINT)\n"
"\n"
"See docs/running.md.\n", HVLAB_MAX_VCPUS, MULTIBOOT_MAX_MODULES, VM_MAX_NICS);
}

/* "64M", "512k", "1G", "128" (MiB) -> bytes; -1 on a malformed size. */
int run_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 20;

	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'k': case 'K':
		shift = 10;
		end++;
		break;
	case 'm': case 'M':
		end++;
		break;
	case 'g': case 'G':
		shift = 30;
		end++;
		break;
	case '\0':
		break;
	default:
		return -1;
	}
	if (*end == 'i' || *end == 'B')	/* also accept "MiB", "MB" */
		end += (*end == 'i' && end[1] == 'B') ? 2 : 1;
	if (*end || v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

static int parse_addr(const char *s, uint64_t *out)
{
	char *end;

	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 0);
	return (errno || *end) ? -1 : 0;
}

enum {
	OPT_CPUS = 256, OPT_MODULE, OPT_APPEND, OPT_FLAT, OPT_TRAP_CR3, OPT_TRAP_EXC, OPT_PAGING,
	OPT_STRICT, OPT_WALK, OPT_STATS, OPT_DASHBOARD, OPT_RECORD, OPT_DISK,
	OPT_CONSOLE_LOG, OPT_STATS_SOCKET, OPT_RECORD_LOSSY, OPT_INITRD, OPT_NET, OPT_MAC,
	OPT_PCAP, OPT_BENCH_FLOOR,
};

static const struct option long_opts[] = {
	{ "memory", required_argument, NULL, 'm' },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "module", required_argument, NULL, OPT_MODULE },
	{ "append", required_argument, NULL, OPT_APPEND },
	{ "initrd", required_argument, NULL, OPT_INITRD },
	{ "flat", required_argument, NULL, OPT_FLAT },
	{ "trap-cr3", no_argument, NULL, OPT_TRAP_CR3 },
	{ "bench-floor", no_argument, NULL, OPT_BENCH_FLOOR },
	{ "trap-exceptions", no_argument, NULL, OPT_TRAP_EXC },
	{ "paging", required_argument, NULL, OPT_PAGING },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "walk", required_argument, NULL, OPT_WALK },
	{ "verbose", no_argument, NULL, 'v' },
	{ "stats", no_argument, NULL, OPT_STATS },
	{ "dashboard", no_argument, NULL, OPT_DASHBOARD },
	{ "record", required_argument, NULL, OPT_RECORD },
	{ "record-lossy", no_argument, NULL, OPT_RECORD_LOSSY },
	{ "console-log", required_argument, NULL, OPT_CONSOLE_LOG },
	{ "disk", required_argument, NULL, OPT_DISK },
	{ "stats-socket", required_argument, NULL, OPT_STATS_SOCKET },
	{ "net", required_argument, NULL, OPT_NET },
	{ "mac", required_argument, NULL, OPT_MAC },
	{ "pcap", required_argument, NULL, OPT_PCAP },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "hvlab run: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'hvlab run --help'.\n");
	return VM_EXIT_USAGE;
}

/*
 * --record and --dashboard: open the trace and/or the dashboard and make
 * it the bus observer.  With both, the dashboard feeds the trace, so there
 * is one reader of the exit rings.  The trace is closed by cmd_run.
 */
/*
 * Which extension the module drives (HVLAB_CAP_SVM): on AMD the exit
 * records hold SVM EXITCODEs, and the trace and the dashboard say so.
 */
static uint32_t module_vendor(const struct vm *vm)
{
	struct hvlab_caps caps;

	if (ioctl(vm->sys_fd, HVLAB_GET_CAPS, &caps) == 0 && (caps.features & HVLAB_CAP_SVM))
		return TRACE_VENDOR_AMD;
	return TRACE_VENDOR_INTEL;
}

static int start_watching(struct vm *vm, const char *image, const char *record,
			  bool dashboard, struct trace_writer **recp)
{
	struct trace_writer *rec = NULL;
	struct timespec ts;
	char err[256];

	if (record) {
		struct trace_config tc = {
			.mem_size = vm->opt.ram_size, .nr_vcpus = vm->ncpus,
			.vm_flags = vm->opt.vm_flags, .vendor = module_vendor(vm),
		};
		const char *base = strrchr(image, '/');

		clock_gettime(CLOCK_REALTIME, &ts);
		tc.start_unix_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
		snprintf(tc.image, sizeof(tc.image), "%s", base ? base + 1 : image);
		rec = trace_create(record, &tc);
		if (!rec) {
			fprintf(stderr, "hvlab run: cannot create the trace %s: %s\n", record,
				strerror(errno));
			return VM_EXIT_OSERR;
		}
		*recp = rec;
	}
	if (dashboard) {
		struct dash_config dc = {
			.image = image, .vm_flags = vm->opt.vm_flags, .vendor = module_vendor(vm),
			.mem_size = vm->opt.ram_size, .nr_vcpus = vm->ncpus,
			.vga_mem = gmem_ptr(&vm->mem, TRACE_VGA_GPA, TRACE_VGA_BYTES),
			.record = rec,
		};

		for (unsigned i = 0; i < TRACE_MAX_VCPUS; i++) {
			dc.vcpu_fd[i] = i < vm->ncpus ? vm->vcpu[i].fd : -1;
			dc.stats[i] = i < vm->ncpus ? vm->vcpu[i].stats : NULL;
			dc.ring_tail[i] = i < vm->ncpus && vm->vcpu[i].run ?
					  &vm->vcpu[i].run->ring_tail : NULL;
		}
		vm->dash = dash_open(&dc, err, sizeof(err));
		if (!vm->dash) {
			fprintf(stderr, "hvlab run: --dashboard: %s\n", err);
			return VM_EXIT_OSERR;
		}
		bus_set_observer(vm->bus, dash_on_io, vm->dash);
		if (vm->irq)	/* the interrupts panel (7) */
			dash_set_irq_source(vm->dash, vm_irq_snapshot, vm);
	} else if (rec) {
		/* the vCPU threads queue accesses; the main thread writes them */
		vm->rec_io = ioq_new();
		if (!vm->rec_io) {
			fprintf(stderr, "hvlab run: --record: out of memory\n");
			return VM_EXIT_OSERR;
		}
		vm->rec = rec;
		bus_set_observer(vm->bus, ioq_observe, vm->rec_io);
	}
	vm_watch_nics(vm);	/* the network panel, FRAME records */
	return 0;
}

/*
 * --stats-socket PATH: once the vCPUs exist, hand copies of their fds to
 * whoever connects (hvlab top; protocol in top_socket.h).  cmd_run blocks
 * SIGINT and SIGTERM before this, so a Ctrl-C before vm_run waits for its
 * sigtimedwait (a clean stop) instead of killing the process and leaving
 * the socket file behind; top_server_stop() after vm_run removes it.
 */
static int start_stats_socket(struct vm *vm, const char *image, const char *path,
			      struct top_server **srvp)
{
	struct top_hello hello = {
		.nr_vcpus = vm->ncpus, .vm_flags = vm->opt.vm_flags,
		.mem_size = vm->opt.ram_size, .mmap_size = vm->vcpu[0].mmap_size,
	};
	const char *base = strrchr(image, '/');
	int fds[HVLAB_MAX_VCPUS];
	char err[400];

	if (!vm->vcpu[0].stats) {
		fprintf(stderr, "hvlab run: --stats-socket: this module maps no statistics to share\n");
		return VM_EXIT_UNAVAILABLE;
	}
	snprintf(hello.image, sizeof(hello.image), "%s", base ? base + 1 : image);
	for (unsigned i = 0; i < vm->ncpus; i++)
		fds[i] = vm->vcpu[i].fd;
	*srvp = top_server_start(path, &hello, fds, err, sizeof(err));
	if (!*srvp) {
		fprintf(stderr, "hvlab run: --stats-socket: %s\n", err);
		return errno == EEXIST || errno == ENAMETOOLONG ? VM_EXIT_USAGE : VM_EXIT_OSERR;
	}
	if (vm->opt.verbose)
		vm_log(vm, "hvlab: 'hvlab top %s' attaches to this VM\n", path);
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct vm_options opt = { .ram_size = DEFAULT_RAM, .ncpus = 1 };
	struct boot_config cfg = { 0 };
	struct boot_image img;
	struct vm vm;
	struct trace_writer *rec = NULL;
	struct top_server *srv = NULL;
	const char *record = NULL, *console_log = NULL, *stats_socket = NULL;
	sigset_t stop_sigs, saved_mask;
	struct stat st;
	bool dashboard = false, lossy = false, ram_given = false;
	char err[512];
	uint64_t v;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "m:vh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (run_parse_size(optarg, &opt.ram_size))
				return bad_usage("-m: '%s' is not a size (e.g. 64M, 1G)", optarg);
			ram_given = true;
			break;
		case OPT_CPUS:
			if (parse_addr(optarg, &v) || v < 1 || v > HVLAB_MAX_VCPUS)
				return bad_usage("--cpus: '%s' is not a number from 1 to 8", optarg);
			opt.ncpus = (unsigned)v;
			break;
		case OPT_MODULE:
			if (cfg.nmodules == MULTIBOOT_MAX_MODULES)
				return bad_usage("--module %s: too many modules", optarg);
			cfg.modules[cfg.nmodules++] = optarg;
			break;
		case OPT_APPEND:
			cfg.cmdline = optarg;
			break;
		case OPT_INITRD:
			cfg.initrd = optarg;
			break;
		case OPT_FLAT:
			if (parse_addr(optarg, &cfg.flat_addr))
				return bad_usage("--flat: '%s' is not an address (e.g. 0x7c00)", optarg);
			cfg.flat = true;
			break;
		case OPT_TRAP_CR3:
			opt.vm_flags |= HVLAB_VM_TRAP_CR3;
			break;
		case OPT_TRAP_EXC:
			opt.vm_flags |= HVLAB_VM_TRAP_EXCEPTIONS;
			break;
		case OPT_BENCH_FLOOR:
			opt.vm_flags |= HVLAB_VM_BENCH_FLOOR;
			break;
		case OPT_PAGING:
			if (!strcmp(optarg, "shadow"))
				opt.vm_flags |= HVLAB_VM_SHADOW_PAGING;
			else if (!strcmp(optarg, "ept"))
				opt.vm_flags &= ~HVLAB_VM_SHADOW_PAGING;
			else
				return bad_usage("--paging: '%s' is neither 'ept' nor 'shadow'", optarg);
			break;
		case OPT_STRICT:
			opt.strict = true;
			break;
		case OPT_WALK:
			if (parse_addr(optarg, &v))
				return bad_usage("--walk: '%s' is not an address", optarg);
			if (opt.nwalk == VM_MAX_WALKS)
				return bad_usage("--walk %s: too many addresses", optarg);
			opt.walk[opt.nwalk++] = v;
			break;
		case 'v':
			opt.verbose = true;
			break;
		case OPT_STATS:
			opt.stats = true;
			break;
		case OPT_DASHBOARD:
			dashboard = true;
			break;
		case OPT_RECORD_LOSSY:
			lossy = true;
			break;
		case OPT_RECORD:
			record = optarg;
			break;
		case OPT_CONSOLE_LOG:
			console_log = optarg;
			break;
		case OPT_STATS_SOCKET:
			stats_socket = optarg;
			break;
		case OPT_DISK:
			if (opt.ndisks == VM_MAX_DISKS)
				return bad_usage("--disk %s: at most 4 disks (master and slave of the two ATA channels)",
						 optarg);
			opt.disk[opt.ndisks++] = optarg;
			break;
		case OPT_NET:
			if (opt.nnics == VM_MAX_NICS)
				return bad_usage("--net %s: at most 4 network cards", optarg);
			if (strcmp(optarg, "nat") && strncmp(optarg, "nat,", 4) &&
			    strncmp(optarg, "bridged:", 8) && strncmp(optarg, "internal:", 9))
				return bad_usage("--net: '%s' is not nat[,hostfwd=...], bridged:IFNAME or internal:NAME",
						 optarg);
			opt.net[opt.nnics++] = (struct netdev_config){ .mode = optarg };
			break;
		case OPT_MAC:
			if (!opt.nnics)
				return bad_usage("--mac %s: give it after the --net it is for", optarg);
			if (netdev_parse_mac(optarg, opt.net[opt.nnics - 1].mac))
				return bad_usage("--mac: '%s' is not a unicast MAC like 52:54:00:12:34:56",
						 optarg);
			opt.net[opt.nnics - 1].mac_set = true;
			break;
		case OPT_PCAP:
			if (!opt.nnics)
				return bad_usage("--pcap %s: give it after the --net it is for", optarg);
			opt.net[opt.nnics - 1].pcap = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "Try 'hvlab run --help'.\n");
			return VM_EXIT_USAGE;
		}
	}
	if (optind != argc - 1)
		return bad_usage("%s", optind >= argc ? "no IMAGE given" : "only one IMAGE, please");
	cfg.image = argv[optind];
	cfg.ncpus = opt.ncpus;
	if (!ram_given && !cfg.flat && bzimage_file_is_bzimage(cfg.image))
		opt.ram_size = DEFAULT_RAM_LINUX;
	if (opt.ram_size < LOADER_MIN_RAM || opt.ram_size > LOADER_MAX_RAM ||
	    (opt.ram_size & (PAGE_SIZE_4K - 1)))
		return bad_usage("-m: guest RAM must be 4 KiB-aligned, from 2M to 3G (%s)",
				 "it lives below the local APIC at 0xfee00000");
	opt.cmdline = cfg.cmdline;
	for (unsigned i = 0; i < opt.nnics; i++)
		for (unsigned j = 0; j < i; j++)
			if (opt.net[i].mac_set && opt.net[j].mac_set &&
			    !memcmp(opt.net[i].mac, opt.net[j].mac, 6))
				return bad_usage("--mac: two cards with one MAC (%s)", opt.net[i].mode);
	/* the socket is made later, once the VM exists; fail early if it cannot be */
	if (stats_socket && (!*stats_socket ||
			     strlen(stats_socket) >= sizeof(((struct sockaddr_un *)0)->sun_path)))
		return bad_usage("--stats-socket: '%s' is empty or too long for a socket path",
				 stats_socket);
	if (stats_socket && lstat(stats_socket, &st) == 0)
		return bad_usage(S_ISSOCK(st.st_mode) ?
				 "--stats-socket: %s exists, it is never replaced (a socket left by a killed run? remove it)" :
				 "--stats-socket: %s exists and is not a socket; it is never replaced",
				 stats_socket);

	if (access(cfg.image, R_OK)) {
		fprintf(stderr, "hvlab run: cannot read %s: %s\n", cfg.image, strerror(errno));
		return VM_EXIT_NO_IMAGE;
	}
	for (unsigned i = 0; i < cfg.nmodules; i++)
		if (access(cfg.modules[i], R_OK)) {
			fprintf(stderr, "hvlab run: cannot read module %s: %s\n", cfg.modules[i],
				strerror(errno));
			return VM_EXIT_NO_IMAGE;
		}
	if (cfg.initrd && access(cfg.initrd, R_OK)) {
		fprintf(stderr, "hvlab run: cannot read the initrd %s: %s\n", cfg.initrd,
			strerror(errno));
		return VM_EXIT_NO_IMAGE;
	}

	if (console_log) {
		opt.console_log = fopen(console_log, "w");
		if (!opt.console_log) {
			fprintf(stderr, "hvlab run: cannot create %s: %s\n", console_log,
				strerror(errno));
			return VM_EXIT_OSERR;
		}
	}
	sigemptyset(&stop_sigs);
	sigaddset(&stop_sigs, SIGINT);
	sigaddset(&stop_sigs, SIGTERM);
	pthread_sigmask(SIG_SETMASK, NULL, &saved_mask);
	ret = vm_init(&vm, &opt);
	if (ret)
		goto out;
	if (boot_load(&vm.mem, &cfg, &img, err, sizeof(err))) {
		fprintf(stderr, "hvlab run: %s\n", err);
		ret = VM_EXIT_BAD_IMAGE;
		goto out;
	}
	if (opt.verbose)
		fprintf(stderr, "hvlab: loaded %s at 0x%" PRIx64 "-0x%" PRIx64 ", entry 0x%" PRIx64 " (%s)\n",
			cfg.image, img.lo, img.hi - 1, img.entry,
			img.flat ? "flat, real mode" : img.linux64 ? "bzImage, 64-bit boot protocol" :
			img.elf64 ? "ELF64 multiboot" :
			img.elf ? "ELF32 multiboot" : "multiboot a.out kludge");
	if (opt.verbose && img.initrd_len)
		fprintf(stderr, "hvlab: initrd %s at 0x%" PRIx64 "-0x%" PRIx64 ", zero page at 0x%" PRIx64 "\n",
			cfg.initrd, img.initrd, img.initrd + img.initrd_len - 1, img.boot_params);
	ret = vm_create(&vm);
	if (!ret)
		ret = vm_set_boot_state(&vm, &img);
	if (!ret && stats_socket) {
		pthread_sigmask(SIG_BLOCK, &stop_sigs, NULL);	/* until the socket is gone */
		ret = start_stats_socket(&vm, cfg.image, stats_socket, &srv);
	}
	if (!ret)	/* last: nothing may fail between opening the dashboard and vm_run */
		ret = start_watching(&vm, cfg.image, record, dashboard, &rec);
	if (!ret)
		vm_set_lossless(&vm, (record || dashboard) && !lossy);
	if (!ret)
		ret = vm_run(&vm);	/* closes the dashboard */
	top_server_stop(srv);		/* hvlab top sees the end; PATH is removed */
	if (rec && trace_close(rec)) {
		fprintf(stderr, "hvlab run: writing the trace %s failed\n", record);
		if (!ret)
			ret = VM_EXIT_OSERR;
	}
out:
	vm_destroy(&vm);
	pthread_sigmask(SIG_SETMASK, &saved_mask, NULL);
	if (opt.console_log && fclose(opt.console_log) && !ret) {
		fprintf(stderr, "hvlab run: writing %s failed\n", console_log);
		ret = VM_EXIT_OSERR;
	}
	return ret;
}
