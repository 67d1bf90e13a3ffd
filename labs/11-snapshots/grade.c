// SPDX-License-Identifier: GPL-2.0
/*
 * grade.c - lab 11's checks: reading through a chain of differencing VDI
 * images (user/disk/disk.c, layer_read) and merging a snapshot into its
 * parent (user/disk/ops.c, disk_commit) in a crash-safe order.
 *
 * Chains of random depth get random blocks at random levels, written below
 * the code under test (dimg_vdi_write_block), and every level must read as
 * the model of what it holds plus what is below it.  Commits merge random
 * writes; one commit is made to fail half-way (the parent's file may not
 * grow past a limit: RLIMIT_FSIZE, EFBIG), after which the chain must still
 * read as before, and a second commit, without the limit, must succeed.
 */
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "grade.h"
#include "disk/disk.h"
#include "disk/diskops.h"

#define BS		(1u << 20)
#define NBLK		10u
#define VSIZE		(NBLK * BS)
#define MAXDEPTH	5

static uint8_t model[MAXDEPTH][VSIZE], back[VSIZE];

/* Random whole blocks into the image at path; the model follows. */
static void put_blocks(const char *path, uint8_t *m, unsigned int nblocks)
{
	struct dimg *img = dimg_open(path, DISK_FMT_VDI, 0);

	CHECK(img, "open %s: %s", path, disk_error());
	for (unsigned int k = 0; k < nblocks; k++) {
		uint32_t b = (uint32_t)rnd_range(0, NBLK - 1);

		for (size_t i = 0; i < BS; i += 8) {
			uint64_t r = rnd();

			memcpy(m + (size_t)b * BS + i, &r, 8);
		}
		CHECK(dimg_vdi_write_block(img, b, 0, m + (size_t)b * BS, BS, NULL) == 0,
		      "block %u of %s: %s", b, path, disk_error());
	}
	CHECK(dimg_flush(img) == 0, "flush: %s", disk_error());
	dimg_close(img);
}

static void compare_ranges(const char *path, const uint8_t *m, const char *what)
{
	struct disk *d = disk_open(path, DISK_FMT_VDI, DISK_RDONLY);

	CHECK(d, "%s: open %s: %s", what, path, disk_error());
	for (int k = 0; k < 30; k++) {
		size_t len = rnd_range(1, k < 3 ? VSIZE : 3 * BS);
		uint64_t off = k < 3 ? 0 : rnd_range(0, VSIZE - len);

		if (k < 3)
			len = VSIZE;
		CHECK(disk_read(d, off, back, len) == 0, "%s: read %llu+%zu: %s", what,
		      (unsigned long long)off, len, disk_error());
		for (size_t i = 0; i < len; i++)
			CHECK(back[i] == m[off + i], "%s: byte %llu (block %llu) reads %#04x, want %#04x",
			      what, (unsigned long long)(off + i),
			      (unsigned long long)((off + i) / BS), back[i], m[off + i]);
	}
	disk_close(d);
}

LAB_TEST(chain_read_random_depth)
{
	for (int round = 0; round < 3; round++) {
		struct disk_create_opts o = { .fmt = DISK_FMT_VDI, .size = VSIZE };
		char path[MAXDEPTH][160];
		int depth = (int)rnd_range(2, MAXDEPTH);

		lab_mkdir_tmp("lab11");
		snprintf(path[0], sizeof(path[0]), "%s/base.vdi", lab_tmpdir);
		CHECK(disk_create(path[0], &o) == 0, "create: %s", disk_error());
		memset(model[0], 0, VSIZE);
		put_blocks(path[0], model[0], (unsigned int)rnd_range(1, NBLK));
		BAIL();
		for (int l = 1; l < depth; l++) {
			CHECK(disk_snapshot(path[l - 1], path[l], sizeof(path[l])) == 0,
			      "snapshot: %s", disk_error());
			memcpy(model[l], model[l - 1], VSIZE);
			put_blocks(path[l], model[l], (unsigned int)rnd_range(0, NBLK / 2));
			BAIL();
		}
		for (int l = depth - 1; l >= 0; l--) {
			char what[64];

			snprintf(what, sizeof(what), "level %d of a chain of %d", l, depth);
			compare_ranges(path[l], model[l], what);
			BAIL();
		}
		lab_rm_tmp();
	}
}

/* A base with random blocks and a snapshot with random small writes. */
static void base_and_child(char *base, char *child, size_t n, uint8_t *pm, uint8_t *cm)
{
	struct disk_create_opts o = { .fmt = DISK_FMT_VDI, .size = VSIZE };
	struct disk *d;

	lab_mkdir_tmp("lab11");
	snprintf(base, n, "%s/base.vdi", lab_tmpdir);
	CHECK(disk_create(base, &o) == 0, "create: %s", disk_error());
	memset(pm, 0, VSIZE);
	put_blocks(base, pm, NBLK / 3);
	BAIL();
	CHECK(disk_snapshot(base, child, n) == 0, "snapshot: %s", disk_error());
	memcpy(cm, pm, VSIZE);
	d = disk_open(child, DISK_FMT_VDI, 0);
	CHECK(d, "open the child: %s", disk_error());
	for (int i = 0; i < 30; i++) {
		uint8_t buf[3000];
		size_t len = rnd_range(1, sizeof(buf));
		uint64_t off = rnd_range(0, VSIZE - len);

		for (size_t k = 0; k < len; k++)
			buf[k] = (uint8_t)rnd();
		CHECK(disk_write(d, off, buf, len) == 0, "write: %s", disk_error());
		memcpy(cm + off, buf, len);
	}
	CHECK(disk_close(d) == 0, "close: %s", disk_error());
}

static void check_empty_child(const char *child, const char *base)
{
	struct dimg *c = dimg_open(child, DISK_FMT_VDI, DISK_RDONLY);
	struct dimg *p = dimg_open(base, DISK_FMT_VDI, DISK_RDONLY);

	CHECK(c && p, "open: %s", disk_error());
	for (uint32_t b = 0; b < NBLK; b++)
		CHECK(c->bmap[b] == VDI_BLOCK_FREE, "after the commit, child block %u is %#x, want free",
		      b, c->bmap[b]);
	CHECK(vdi_uuid_equal(&c->h.uuid_parent, &p->h.uuid_modify),
	      "the child must be linked to the parent as it is after the commit");
	dimg_close(c);
	dimg_close(p);
}

LAB_TEST(commit_merges_and_empties_child)
{
	char base[160], child[160], parent[160];

	for (int round = 0; round < 2; round++) {
		base_and_child(base, child, sizeof(base), model[0], model[1]);
		BAIL();
		CHECK(disk_commit(child, parent, sizeof(parent)) == 0, "commit: %s", disk_error());
		CHECK(!strcmp(parent, base), "the parent is %s, commit said %s", base, parent);
		compare_ranges(base, model[1], "the parent after the commit");
		BAIL();
		compare_ranges(child, model[1], "the emptied child over its parent");
		BAIL();
		check_empty_child(child, base);
		BAIL();
		lab_rm_tmp();
	}
}

LAB_TEST(commit_refuses_a_modified_parent)
{
	char base[160], child[160], parent[160];
	struct disk *d;
	uint8_t junk[512];

	base_and_child(base, child, sizeof(base), model[0], model[1]);
	BAIL();
	/* the parent is written after the snapshot: a second history */
	d = disk_open(base, DISK_FMT_VDI, 0);
	CHECK(d, "open: %s", disk_error());
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)rnd();
	CHECK(disk_write(d, rnd_range(0, VSIZE - 512), junk, 512) == 0, "%s", disk_error());
	disk_close(d);
	CHECK(disk_commit(child, parent, sizeof(parent)) != 0,
	      "commit into a parent modified after the snapshot must be refused");
	/* and a good one goes through */
	lab_rm_tmp();
	base_and_child(base, child, sizeof(base), model[0], model[1]);
	BAIL();
	CHECK(disk_commit(child, parent, sizeof(parent)) == 0, "commit: %s", disk_error());
	compare_ranges(base, model[1], "the parent after the commit");
	lab_rm_tmp();
}

/*
 * A commit that fails half-way (the parent's file may grow by one block
 * only) must lose nothing: every block the child held is still in the
 * child, and every other block is still the parent's.  (The parent has
 * changed, so the child no longer opens over it: a later commit or open
 * refuses it, as docs/storage.md says; the data are all there.)  Then a
 * commit without the limit, on a fresh pair, merges everything.
 */
LAB_TEST(commit_interrupted_keeps_the_data)
{
	char base[160], child[160], parent[160];
	static uint8_t blk[BS];
	struct dimg *c;
	struct disk *p;
	struct stat st;
	pid_t pid;
	int status;

	base_and_child(base, child, sizeof(base), model[0], model[1]);
	BAIL();
	CHECK(stat(base, &st) == 0, "stat %s", base);
	pid = fork();
	if (pid == 0) {
		struct rlimit rl = { .rlim_cur = (rlim_t)st.st_size + BS,
				     .rlim_max = RLIM_INFINITY };

		signal(SIGXFSZ, SIG_IGN);
		setrlimit(RLIMIT_FSIZE, &rl);
		_exit(disk_commit(child, parent, sizeof(parent)) ? 1 : 0);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid, "fork");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 1,
	      "the commit should have failed: the parent's file could not grow enough "
	      "(status %#x)", status);
	c = dimg_open(child, DISK_FMT_VDI, DISK_RDONLY);
	p = disk_open(base, DISK_FMT_VDI, DISK_RDONLY);
	CHECK(c && p, "open after the failed commit: %s", disk_error());
	for (uint32_t b = 0; b < NBLK; b++) {
		const uint8_t *want = model[1] + (size_t)b * BS;

		if (VDI_IS_ALLOCATED(c->bmap[b])) {
			CHECK(pread(c->fd, blk, BS, (off_t)(c->h.offset_data + (uint64_t)c->bmap[b] * BS)) ==
			      (ssize_t)BS, "read the child");
			CHECK(!memcmp(blk, want, BS), "block %u: the child no longer holds its data", b);
		} else {
			CHECK(disk_read(p, (uint64_t)b * BS, blk, BS) == 0, "%s", disk_error());
			CHECK(!memcmp(blk, want, BS), "block %u is neither in the child nor in the "
			      "parent any more (the child was emptied before the parent held its data?)",
			      b);
		}
	}
	dimg_close(c);
	disk_close(p);
	lab_rm_tmp();

	base_and_child(base, child, sizeof(base), model[0], model[1]);
	BAIL();
	CHECK(disk_commit(child, parent, sizeof(parent)) == 0, "commit: %s", disk_error());
	compare_ranges(base, model[1], "the parent after the commit");
	BAIL();
	check_empty_child(child, base);
	lab_rm_tmp();
}
