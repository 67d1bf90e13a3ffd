// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_disk.c - `hvlab disk`: create, inspect and transform disk files.
 *
 *   hvlab disk create [-f vdi|raw] [--fixed] FILE SIZE
 *   hvlab disk info FILE
 *   hvlab disk check [--repair] FILE
 *   hvlab disk convert [-O vdi|raw] [--fixed] IN OUT
 *   hvlab disk snapshot FILE
 *   hvlab disk commit CHILD
 *   hvlab disk clone SRC DST
 *   hvlab disk resize [--shrink] FILE SIZE
 *
 * Only argument parsing and printing live here; the work is in ops.c,
 * check.c and create.c.  Exit status: 0 success, 1 failure (or damage
 * found by check), 2 bad usage.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "disk/disk.h"
#include "disk/diskops.h"

struct subcmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
	const char *help;
};

static const struct subcmd *current;

static int usage_of(const struct subcmd *s, FILE *f, int rc)
{
	fprintf(f, "usage: hvlab disk %s %s\n\n%s", s->name, s->usage, s->help);
	return rc;
}

static int fail(void)
{
	fprintf(stderr, "hvlab disk %s: %s\n", current->name, disk_error());
	return 1;
}

/*
 * Parse the options every subcommand shares plus its own, then demand
 * exactly `nargs` operands.  Returns -1 to go on, else an exit status.
 */
static int parse(int argc, char **argv, const char *shortopts,
		 const struct option *extra, int nargs,
		 int (*opt)(int c, const char *arg))
{
	struct option longopts[8] = { { "help", no_argument, NULL, 'h' } };
	int c, n = 1;

	for (const struct option *o = extra; o && o->name && n < 7; o++)
		longopts[n++] = *o;
	optind = 1;
	opterr = 1;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (c == 'h')
			return usage_of(current, stdout, 0);
		if (c == '?' || !opt || opt(c, optarg))
			return usage_of(current, stderr, 2);
	}
	if (argc - optind != nargs) {
		fprintf(stderr, "hvlab disk %s: expected %d argument%s\n",
			current->name, nargs, nargs == 1 ? "" : "s");
		return usage_of(current, stderr, 2);
	}
	return -1;
}

static enum disk_format opt_fmt;
static bool opt_fixed, opt_repair, opt_shrink;

static int parse_fmt(const char *arg)
{
	if (!strcmp(arg, "vdi"))
		opt_fmt = DISK_FMT_VDI;
	else if (!strcmp(arg, "raw"))
		opt_fmt = DISK_FMT_RAW;
	else {
		fprintf(stderr, "hvlab disk: unknown format '%s' (vdi or raw)\n", arg);
		return -1;
	}
	return 0;
}

static int common_opt(int c, const char *arg)
{
	switch (c) {
	case 'f':
	case 'O':
		return parse_fmt(arg);
	case 'F':
		opt_fixed = true;
		return 0;
	case 'r':
		opt_repair = true;
		return 0;
	case 's':
		opt_shrink = true;
		return 0;
	}
	return -1;
}

static int get_size(const char *s, uint64_t *out)
{
	if (disk_parse_size(s, out) || *out == 0) {
		fprintf(stderr, "hvlab disk %s: bad size '%s' (examples: 64M, 1G, 1048576)\n",
			current->name, s);
		return -1;
	}
	if (*out % DISK_SECTOR) {
		fprintf(stderr, "hvlab disk %s: size %s is not a multiple of 512 bytes\n",
			current->name, s);
		return -1;
	}
	return 0;
}

static const struct option fmt_opts[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "fixed", no_argument, NULL, 'F' },
	{ NULL, 0, NULL, 0 },
};

static int do_create(int argc, char **argv)
{
	struct disk_create_opts o = { 0 };
	char sz[32];
	int rc;

	opt_fmt = DISK_FMT_VDI;
	rc = parse(argc, argv, "hf:", fmt_opts, 2, common_opt);
	if (rc >= 0)
		return rc;
	if (get_size(argv[optind + 1], &o.size))
		return 2;
	o.fmt = opt_fmt;
	o.fixed = opt_fixed;
	if (disk_create(argv[optind], &o))
		return fail();
	printf("created %s: %s%s, %s\n", argv[optind],
	       o.fmt == DISK_FMT_VDI ? "vdi" : "raw",
	       o.fmt == DISK_FMT_VDI ? (o.fixed ? " (fixed)" : " (dynamic)") : "",
	       disk_fmt_size(o.size, sz, sizeof(sz)));
	return 0;
}

static void print_uuid(const char *label, const struct vdi_uuid *u)
{
	char s[37];

	vdi_uuid_format(u, s);
	printf("%-19s%s\n", label, vdi_uuid_is_null(u) ? "none" : s);
}

static void print_image(const struct dimg *m)
{
	const struct vdi_header *h = &m->h;
	struct stat st;
	char a[32], b[32];
	uint32_t n = 0;

	printf("image:             %s\n", m->path);
	if (fstat(m->fd, &st))
		st.st_blocks = 0;
	if (m->fmt == DISK_FMT_RAW) {
		printf("format:            raw\n");
		printf("virtual size:      %s (%llu bytes)\n",
		       disk_fmt_size(m->size, a, sizeof(a)), (unsigned long long)m->size);
		printf("allocated:         %s on the host\n",
		       disk_fmt_size((uint64_t)st.st_blocks * 512, b, sizeof(b)));
		return;
	}
	for (uint32_t i = 0; i < h->blocks_in_image; i++)
		n += VDI_IS_ALLOCATED(m->bmap[i]);
	printf("format:            vdi, %s (image type %u)\n",
	       vdi_type_name(h->image_type), h->image_type);
	printf("virtual size:      %s (%llu bytes)\n",
	       disk_fmt_size(h->disk_size, a, sizeof(a)),
	       (unsigned long long)h->disk_size);
	printf("allocated:         %u of %u blocks of %s; %s on the host (file %llu bytes)\n",
	       n, h->blocks_in_image, disk_fmt_size(h->block_size, a, sizeof(a)),
	       disk_fmt_size((uint64_t)st.st_blocks * 512, b, sizeof(b)),
	       (unsigned long long)m->file_size);
	printf("layout:            header v%u.%u at 0x0, block map at 0x%x, data at 0x%x\n",
	       h->version >> 16, h->version & 0xffff, h->offset_bmap, h->offset_data);
	print_uuid("uuid:", &h->uuid_image);
	print_uuid("modification uuid:", &h->uuid_modify);
	print_uuid("parent uuid:", &h->uuid_link);
	print_uuid("parent mod. uuid:", &h->uuid_parent);
}

static int do_info(int argc, char **argv)
{
	struct disk *d;
	struct dimg *m;
	int rc = parse(argc, argv, "h", NULL, 1, NULL);

	if (rc >= 0)
		return rc;
	d = disk_open(argv[optind], DISK_FMT_AUTO, DISK_RDONLY);
	if (d) {
		print_image(d->img[0]);
		printf("chain:             ");
		for (unsigned i = 0; i < d->n; i++)
			printf("%s%s", i ? " -> " : "", d->img[i]->path);
		printf("%s\n", d->n > 1 ? "" : " (no parent)");
		disk_close(d);
		return 0;
	}
	/* show what can be shown of a broken chain or image */
	fprintf(stderr, "hvlab disk info: %s\n", disk_error());
	m = dimg_open(argv[optind], DISK_FMT_AUTO, DISK_RDONLY | DISK_LENIENT);
	if (!m)
		return 1;
	print_image(m);
	dimg_close(m);
	return 1;
}

static int do_check(int argc, char **argv)
{
	static const struct option o[] = {
		{ "repair", no_argument, NULL, 'r' }, { NULL, 0, NULL, 0 } };
	int rc;

	opt_repair = false;
	rc = parse(argc, argv, "hr", o, 1, common_opt);
	if (rc >= 0)
		return rc;
	rc = disk_check(argv[optind], opt_repair, stdout);
	if (rc < 0) {
		printf("ERROR: %s\n", disk_error());
		return 2;
	}
	return rc;
}

static int do_convert(int argc, char **argv)
{
	static const struct option o[] = {
		{ "output-format", required_argument, NULL, 'O' },
		{ "fixed", no_argument, NULL, 'F' }, { NULL, 0, NULL, 0 } };
	int rc;

	opt_fmt = DISK_FMT_VDI;
	opt_fixed = false;
	rc = parse(argc, argv, "hO:", o, 2, common_opt);
	if (rc >= 0)
		return rc;
	if (disk_convert(argv[optind], argv[optind + 1], opt_fmt, opt_fixed))
		return fail();
	return 0;
}

static int do_snapshot(int argc, char **argv)
{
	char child[4096];
	int rc = parse(argc, argv, "h", NULL, 1, NULL);

	if (rc >= 0)
		return rc;
	if (disk_snapshot(argv[optind], child, sizeof(child)))
		return fail();
	printf("%s\n", child);
	return 0;
}

static int do_commit(int argc, char **argv)
{
	char parent[4096];
	int rc = parse(argc, argv, "h", NULL, 1, NULL);

	if (rc >= 0)
		return rc;
	if (disk_commit(argv[optind], parent, sizeof(parent)))
		return fail();
	printf("committed %s into %s; %s is now empty\n", argv[optind], parent,
	       argv[optind]);
	return 0;
}

static int do_clone(int argc, char **argv)
{
	int rc = parse(argc, argv, "h", NULL, 2, NULL);

	if (rc >= 0)
		return rc;
	if (disk_clone(argv[optind], argv[optind + 1]))
		return fail();
	return 0;
}

static int do_resize(int argc, char **argv)
{
	static const struct option o[] = {
		{ "shrink", no_argument, NULL, 's' }, { NULL, 0, NULL, 0 } };
	uint64_t size;
	int rc;

	opt_shrink = false;
	rc = parse(argc, argv, "h", o, 2, common_opt);
	if (rc >= 0)
		return rc;
	if (get_size(argv[optind + 1], &size))
		return 2;
	if (disk_resize(argv[optind], size, opt_shrink))
		return fail();
	return 0;
}

static const struct subcmd subcmds[] = {
	{ "create", do_create, "[-f vdi|raw] [--fixed] FILE SIZE",
	  "Create a new disk image of SIZE bytes (suffixes K, M, G, T: binary).\n"
	  "  -f, --format=FMT  vdi (default; VirtualBox format) or raw\n"
	  "      --fixed       VDI: allocate every block now (image type 2)\n" },
	{ "info", do_info, "FILE",
	  "Show format, virtual and allocated size, UUIDs and the snapshot chain.\n" },
	{ "check", do_check, "[--repair] FILE",
	  "Check a VDI's header and block map, and its snapshot chain.\n"
	  "  -r, --repair  free bad block-map entries and fix the header counts\n"
	  "Exit status: 0 clean, 1 damage found, 2 unreadable.\n" },
	{ "convert", do_convert, "[-O vdi|raw] [--fixed] IN OUT",
	  "Copy IN into a new file OUT, flattening a snapshot chain.\n"
	  "  -O, --output-format=FMT  vdi (default) or raw\n"
	  "      --fixed              a fixed (preallocated) VDI\n" },
	{ "snapshot", do_snapshot, "FILE",
	  "Create a differencing VDI on top of FILE in the same directory and\n"
	  "print its name; run the VM on that file from now on.\n" },
	{ "commit", do_commit, "CHILD",
	  "Merge the snapshot CHILD into its parent; CHILD is left empty.\n" },
	{ "clone", do_clone, "SRC DST",
	  "Full copy of SRC (its whole chain) with fresh UUIDs.\n" },
	{ "resize", do_resize, "[--shrink] FILE SIZE",
	  "Grow FILE to SIZE.  Shrinking needs --shrink and is refused when\n"
	  "data lies beyond SIZE.\n" },
};

static void disk_usage(FILE *f)
{
	fprintf(f, "usage: hvlab disk COMMAND [OPTIONS] ARGS\n\n"
		   "Manage virtual disk files: raw, and VirtualBox VDI with snapshots.\n\n"
		   "commands:\n");
	for (size_t i = 0; i < sizeof(subcmds) / sizeof(subcmds[0]); i++)
		fprintf(f, "  %-9s %s\n", subcmds[i].name, subcmds[i].usage);
	fprintf(f, "\n'hvlab disk COMMAND --help' describes one command.\n");
}

int cmd_disk(int argc, char **argv)
{
	if (argc < 2) {
		disk_usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		disk_usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(subcmds) / sizeof(subcmds[0]); i++) {
		if (!strcmp(argv[1], subcmds[i].name)) {
			current = &subcmds[i];
			return subcmds[i].fn(argc - 1, argv + 1);
		}
	}
	fprintf(stderr, "hvlab disk: unknown command '%s'\n\n", argv[1]);
	disk_usage(stderr);
	return 2;
}
