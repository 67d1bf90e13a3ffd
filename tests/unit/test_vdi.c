// SPDX-License-Identifier: GPL-2.0
/*
 * test_vdi.c - the disk-image library: VDI header checks, block-map scan,
 * create/read/write, sparse blocks, snapshot chains, locking, hostile
 * images, resize and commit.  Every test works in its own temp directory.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "disk/disk.h"
#include "disk/diskops.h"

static void good_header(struct vdi_header *h)
{
	memset(h, 0, sizeof(*h));
	strcpy(h->text, VDI_TEXT);
	h->signature = VDI_SIGNATURE;
	h->version = VDI_VERSION_1_1;
	h->header_size = VDI_HEADER_SIZE_1_1;
	h->image_type = VDI_TYPE_NORMAL;
	h->offset_bmap = 0x200;
	h->offset_data = 0x400;
	h->sector_size = 512;
	h->disk_size = 64 << 20;
	h->block_size = 1 << 20;
	h->blocks_in_image = 64;
}

TEST(header_roundtrip)
{
	struct vdi_header h, g;
	uint8_t raw[512];
	char err[200];

	good_header(&h);
	vdi_uuid_generate(&h.uuid_image);
	h.blocks_allocated = 3;
	vdi_header_encode(&h, raw);
	/* offsets from the VDI layout (and what qemu-img writes) */
	EXPECT_EQ(0x7f, raw[0x40]);
	EXPECT_EQ(0xbe, raw[0x43]);
	EXPECT_EQ(0x80, raw[0x48]);
	EXPECT_EQ(0x02, raw[0x155]);
	EXPECT_EQ(3, raw[0x184]);
	vdi_header_decode(raw, &g);
	EXPECT_EQ(0, memcmp(&h, &g, sizeof(h)));
	EXPECT_EQ(0, vdi_header_check(&g, err, sizeof(err)));
}

TEST(header_rejects_hostile_values)
{
	struct vdi_header h;
	char err[200];

	good_header(&h);
	h.signature = 0x12345678;
	EXPECT_EQ(-1, vdi_header_check(&h, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "signature"));

	good_header(&h);
	h.version = 0x00010000;
	EXPECT_EQ(-1, vdi_header_check(&h, err, sizeof(err)));

	good_header(&h);
	h.image_type = VDI_TYPE_UNDO;
	EXPECT_EQ(-1, vdi_header_check(&h, err, sizeof(err)));

	good_header(&h);
	h.block_size = 3 << 19;
	EXPECT_EQ(-1, vdi_header_check(&h, err, sizeof(err)));

	good_header(&h);
	h.disk_size = UINT64_MAX & ~511ull;	/* would overflow any offset */
	EXPECT_EQ(-1, vdi_header_check(&h, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "exceeds"));

	good_header(&h);
	h.blocks_in_image = 0xffffffff;
	EXPECT_EQ(-1, vdi_header_check(&h, err, sizeof(err)));

	good_header(&h);
	h.offset_data = 0x200;			/* data on top of the map */
	EXPECT_EQ(-1, vdi_header_check(&h, err, sizeof(err)));

	good_header(&h);
	h.offset_bmap = 0x100;			/* map on top of the header */
	EXPECT_EQ(-1, vdi_header_check(&h, err, sizeof(err)));

	good_header(&h);
	h.blocks_allocated = 65;
	EXPECT_EQ(-1, vdi_header_check(&h, err, sizeof(err)));
}

TEST(bmap_scan_finds_bad_entries)
{
	struct vdi_header h;
	struct vdi_bmap_report r;
	uint32_t map[64];
	uint8_t seen[64];

	good_header(&h);
	for (int i = 0; i < 64; i++)
		map[i] = VDI_BLOCK_FREE;
	map[0] = 0;
	map[1] = 1;
	map[2] = 1;		/* shares block 1 */
	map[3] = 1000;		/* outside the data area */
	map[4] = 5;		/* past the end of a 0x400 + 3 MiB file */
	map[5] = VDI_BLOCK_ZERO;
	vdi_bmap_scan(&h, map, 0x400 + (3 << 20), seen, true, &r);
	EXPECT_EQ(2, r.allocated);
	EXPECT_EQ(1, r.duplicate);
	EXPECT_EQ(1, r.out_of_range);
	EXPECT_EQ(1, r.past_eof);
	EXPECT_EQ(1, r.zero);
	EXPECT_EQ(2, r.first_bad);
	EXPECT_EQ(VDI_BLOCK_FREE, map[2]);	/* fixed */
	EXPECT_EQ(VDI_BLOCK_FREE, map[3]);
	EXPECT_EQ(2, r.max_index);
}

TEST(parse_size)
{
	uint64_t v;

	ASSERT_EQ(0, disk_parse_size("64M", &v));
	EXPECT_EQ(64ull << 20, v);
	ASSERT_EQ(0, disk_parse_size("1G", &v));
	EXPECT_EQ(1ull << 30, v);
	ASSERT_EQ(0, disk_parse_size("4096", &v));
	EXPECT_EQ(4096, v);
	ASSERT_EQ(0, disk_parse_size("2MiB", &v));
	EXPECT_EQ(2ull << 20, v);
	EXPECT_EQ(-1, disk_parse_size("12Q", &v));
	EXPECT_EQ(-1, disk_parse_size("-1M", &v));
	EXPECT_EQ(-1, disk_parse_size("99999999999999999T", &v));
	EXPECT_EQ(-1, disk_parse_size("", &v));
}

FIXTURE(dir)
{
	char path[64];
	char a[128], b[128], c[128];
};

FIXTURE_SETUP(dir)
{
	strcpy(self->path, "/tmp/hvlab-vdi-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->path));
	snprintf(self->a, sizeof(self->a), "%s/a.vdi", self->path);
	snprintf(self->b, sizeof(self->b), "%s/b.vdi", self->path);
	snprintf(self->c, sizeof(self->c), "%s/c.raw", self->path);
}

FIXTURE_TEARDOWN(dir)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->path);
	if (system(cmd))
		TH_LOG("cleanup failed");
}

static int create(const char *p, enum disk_format f, uint64_t size, bool fixed)
{
	struct disk_create_opts o = { .fmt = f, .size = size, .fixed = fixed };

	return disk_create(p, &o);
}

static void fill(uint8_t *b, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(i * 31 + seed);
}

TEST_F(dir, write_read_reopen)
{
	static uint8_t w[3 << 20], r[3 << 20];
	struct disk *d;

	ASSERT_EQ(0, create(self->a, DISK_FMT_VDI, 16 << 20, false));
	d = disk_open(self->a, DISK_FMT_AUTO, 0);
	ASSERT_NE(NULL, d);
	EXPECT_EQ(16 << 20, disk_size(d));
	fill(w, sizeof(w), 7);
	/* unaligned, spanning 4 blocks */
	ASSERT_EQ(0, disk_write(d, (1 << 20) - 100, w, sizeof(w)));
	ASSERT_EQ(0, disk_read(d, (1 << 20) - 100, r, sizeof(r)));
	EXPECT_EQ(0, memcmp(w, r, sizeof(w)));
	/* past the end is an error, not a write outside the disk */
	EXPECT_EQ(-1, disk_write(d, (16 << 20) - 512, w, 1024));
	EXPECT_EQ(0, disk_close(d));

	d = disk_open(self->a, DISK_FMT_AUTO, DISK_RDONLY);
	ASSERT_NE(NULL, d);
	EXPECT_EQ(4, d->img[0]->h.blocks_allocated);
	memset(r, 0, sizeof(r));
	ASSERT_EQ(0, disk_read(d, (1 << 20) - 100, r, sizeof(r)));
	EXPECT_EQ(0, memcmp(w, r, sizeof(w)));
	ASSERT_EQ(0, disk_read(d, 8 << 20, r, 4096));	/* never written */
	EXPECT_EQ(0, r[0]);
	EXPECT_EQ(-1, disk_write(d, 0, w, 512));	/* read-only */
	disk_close(d);
}

TEST_F(dir, zeros_stay_sparse)
{
	static uint8_t z[1 << 20];
	struct disk *d;

	ASSERT_EQ(0, create(self->a, DISK_FMT_VDI, 8 << 20, false));
	d = disk_open(self->a, DISK_FMT_AUTO, 0);
	ASSERT_NE(NULL, d);
	ASSERT_EQ(0, disk_write(d, 0, z, sizeof(z)));
	ASSERT_EQ(0, disk_flush(d));
	EXPECT_EQ(0, d->img[0]->h.blocks_allocated);
	disk_close(d);
}

TEST_F(dir, fixed_image)
{
	uint8_t w[4096], r[4096];
	struct disk *d;

	ASSERT_EQ(0, create(self->a, DISK_FMT_VDI, 4 << 20, true));
	d = disk_open(self->a, DISK_FMT_AUTO, 0);
	ASSERT_NE(NULL, d);
	EXPECT_EQ(VDI_TYPE_FIXED, d->img[0]->h.image_type);
	EXPECT_EQ(4, d->img[0]->h.blocks_allocated);
	fill(w, sizeof(w), 1);
	ASSERT_EQ(0, disk_write(d, 3 << 20, w, sizeof(w)));
	ASSERT_EQ(0, disk_read(d, 3 << 20, r, sizeof(r)));
	EXPECT_EQ(0, memcmp(w, r, sizeof(w)));
	disk_close(d);
}

TEST_F(dir, raw_image)
{
	uint8_t w[1024], r[1024];
	struct disk *d;

	ASSERT_EQ(0, create(self->c, DISK_FMT_RAW, 1 << 20, false));
	d = disk_open(self->c, DISK_FMT_AUTO, 0);
	ASSERT_NE(NULL, d);
	EXPECT_EQ(DISK_FMT_RAW, d->img[0]->fmt);
	fill(w, sizeof(w), 3);
	ASSERT_EQ(0, disk_write(d, 512, w, sizeof(w)));
	ASSERT_EQ(0, disk_read(d, 512, r, sizeof(r)));
	EXPECT_EQ(0, memcmp(w, r, sizeof(w)));
	disk_close(d);
}

TEST_F(dir, create_refuses_existing_file)
{
	ASSERT_EQ(0, create(self->a, DISK_FMT_VDI, 1 << 20, false));
	EXPECT_EQ(-1, create(self->a, DISK_FMT_VDI, 1 << 20, false));
	EXPECT_EQ(-1, create(self->b, DISK_FMT_VDI, 1000, false));
}

TEST_F(dir, second_writer_is_locked_out)
{
	struct disk *d, *e;

	ASSERT_EQ(0, create(self->a, DISK_FMT_VDI, 1 << 20, false));
	d = disk_open(self->a, DISK_FMT_AUTO, 0);
	ASSERT_NE(NULL, d);
	e = disk_open(self->a, DISK_FMT_AUTO, 0);
	EXPECT_EQ(NULL, e);
	EXPECT_NE(NULL, strstr(disk_error(), "in use"));
	e = disk_open(self->a, DISK_FMT_AUTO, DISK_RDONLY);
	EXPECT_EQ(NULL, e);
	disk_close(d);
	e = disk_open(self->a, DISK_FMT_AUTO, 0);
	EXPECT_NE(NULL, e);
	disk_close(e);
}

TEST_F(dir, snapshot_chain_three_deep)
{
	static uint8_t w[1 << 20], r[1 << 20];
	char s1[256], s2[256], s3[256];
	struct disk *d;

	ASSERT_EQ(0, create(self->a, DISK_FMT_VDI, 8 << 20, false));
	d = disk_open(self->a, DISK_FMT_AUTO, 0);
	ASSERT_NE(NULL, d);
	memset(w, 0xaa, sizeof(w));
	ASSERT_EQ(0, disk_write(d, 0, w, sizeof(w)));	/* block 0 = aa */
	disk_close(d);

	ASSERT_EQ(0, disk_snapshot(self->a, s1, sizeof(s1)));
	EXPECT_NE(NULL, strstr(s1, "a-snap1.vdi"));
	d = disk_open(s1, DISK_FMT_AUTO, 0);
	ASSERT_NE(NULL, d);
	EXPECT_EQ(2, d->n);
	memset(w, 0xbb, 512);
	ASSERT_EQ(0, disk_write(d, 512, w, 512));	/* copy-on-write */
	disk_close(d);

	ASSERT_EQ(0, disk_snapshot(s1, s2, sizeof(s2)));
	EXPECT_NE(NULL, strstr(s2, "a-snap2.vdi"));
	d = disk_open(s2, DISK_FMT_AUTO, 0);
	ASSERT_NE(NULL, d);
	memset(w, 0xcc, 512);
	ASSERT_EQ(0, disk_write(d, 1024, w, 512));
	disk_close(d);

	ASSERT_EQ(0, disk_snapshot(s2, s3, sizeof(s3)));
	d = disk_open(s3, DISK_FMT_AUTO, DISK_RDONLY);
	ASSERT_NE(NULL, d);
	EXPECT_EQ(4, d->n);
	ASSERT_EQ(0, disk_read(d, 0, r, sizeof(r)));
	EXPECT_EQ(0xaa, r[0]);
	EXPECT_EQ(0xbb, r[512]);
	EXPECT_EQ(0xcc, r[1024]);
	EXPECT_EQ(0xaa, r[1536]);
	disk_close(d);

	/* the base was never written under its children */
	d = disk_open(self->a, DISK_FMT_AUTO, DISK_RDONLY);
	ASSERT_NE(NULL, d);
	ASSERT_EQ(0, disk_read(d, 0, r, 2048));
	EXPECT_EQ(0xaa, r[512]);
	EXPECT_EQ(0xaa, r[1024]);
	disk_close(d);
}

TEST_F(dir, writing_a_parent_invalidates_its_child)
{
	uint8_t w[512] = { 1 };
	char s1[256];
	struct disk *d;

	ASSERT_EQ(0, create(self->a, DISK_FMT_VDI, 2 << 20, false));
	ASSERT_EQ(0, disk_snapshot(self->a, s1, sizeof(s1)));
	d = disk_open(self->a, DISK_FMT_AUTO, 0);
	ASSERT_NE(NULL, d);
	ASSERT_EQ(0, disk_write(d, 0, w, sizeof(w)));
	disk_close(d);
	d = disk_open(s1, DISK_FMT_AUTO, 0);
	EXPECT_EQ(NULL, d);
	EXPECT_NE(NULL, strstr(disk_error(), "modified after"));
}

TEST_F(dir, missing_parent_is_a_clear_error)
{
	char s1[256];
	struct disk *d;

	ASSERT_EQ(0, create(self->a, DISK_FMT_VDI, 2 << 20, false));
	ASSERT_EQ(0, disk_snapshot(self->a, s1, sizeof(s1)));
	ASSERT_EQ(0, unlink(self->a));
	d = disk_open(s1, DISK_FMT_AUTO, 0);
	EXPECT_EQ(NULL, d);
	EXPECT_NE(NULL, strstr(disk_error(), "parent"));
}

/* Patch a 32-bit field of a file. */
static void poke32(const char *path, uint64_t off, uint32_t v)
{
	int fd = open(path, O_RDWR);
	uint8_t b[4] = { v, v >> 8, v >> 16, v >> 24 };

	if (fd >= 0) {
		if (pwrite(fd, b, 4, off) != 4)
			abort();
		close(fd);
	}
}

TEST_F(dir, parent_loop_is_detected)
{
	uint8_t raw[512], braw[512];
	char s1[256];
	struct disk *d;
	int fd;

	ASSERT_EQ(0, create(self->a, DISK_FMT_VDI, 2 << 20, false));
	ASSERT_EQ(0, disk_snapshot(self->a, s1, sizeof(s1)));
	/* make the base a child of its own child */
	fd = open(s1, O_RDONLY);
	ASSERT_EQ(512, pread(fd, braw, 512, 0));
	close(fd);
	fd = open(self->a, O_RDWR);
	ASSERT_EQ(512, pread(fd, raw, 512, 0));
	raw[VDI_OFF_TYPE] = VDI_TYPE_DIFF;
	memcpy(raw + VDI_OFF_UUID_LINK, braw + VDI_OFF_UUID_IMAGE, 16);
	ASSERT_EQ(512, pwrite(fd, raw, 512, 0));
	close(fd);
	d = disk_open(s1, DISK_FMT_AUTO, DISK_RDONLY);
	EXPECT_EQ(NULL, d);
	EXPECT_NE(NULL, strstr(disk_error(), "loop"));
}

TEST_F(dir, corrupt_block_map_is_refused_and_repaired)
{
	uint8_t w[512] = { 9 };
	struct disk *d;
	FILE *devnull = fopen("/dev/null", "w");

	ASSERT_EQ(0, create(self->a, DISK_FMT_VDI, 4 << 20, false));
	d = disk_open(self->a, DISK_FMT_AUTO, 0);
	ASSERT_NE(NULL, d);
	ASSERT_EQ(0, disk_write(d, 0, w, sizeof(w)));
	ASSERT_EQ(0, disk_write(d, 1 << 20, w, sizeof(w)));
	disk_close(d);

	poke32(self->a, 0x200 + 4, 0);		/* block 1 -> data of block 0 */
	d = disk_open(self->a, DISK_FMT_AUTO, 0);
	EXPECT_EQ(NULL, d);
	EXPECT_NE(NULL, strstr(disk_error(), "corrupt block map"));
	EXPECT_EQ(1, disk_check(self->a, false, devnull));
	EXPECT_EQ(0, disk_check(self->a, true, devnull));
	EXPECT_EQ(0, disk_check(self->a, false, devnull));
	d = disk_open(self->a, DISK_FMT_AUTO, 0);
	ASSERT_NE(NULL, d);
	EXPECT_EQ(1, d->img[0]->h.blocks_allocated);
	disk_close(d);

	poke32(self->a, 0x200 + 8, 77777);	/* outside the data area */
	EXPECT_EQ(NULL, disk_open(self->a, DISK_FMT_AUTO, DISK_RDONLY));
	EXPECT_EQ(0, disk_check(self->a, true, devnull));

	poke32(self->a, VDI_OFF_SIGNATURE, 0xdeadbeef);
	EXPECT_EQ(-1, disk_check(self->a, false, devnull));
	/* the VDI text still marks it: never handed out as a raw disk */
	d = disk_open(self->a, DISK_FMT_AUTO, DISK_RDONLY);
	EXPECT_EQ(NULL, d);
	EXPECT_NE(NULL, strstr(disk_error(), "signature"));
	fclose(devnull);
}

TEST_F(dir, truncated_file_is_refused)
{
	uint8_t w[512] = { 9 };
	struct disk *d;

	ASSERT_EQ(0, create(self->a, DISK_FMT_VDI, 4 << 20, false));
	d = disk_open(self->a, DISK_FMT_AUTO, 0);
	ASSERT_NE(NULL, d);
	ASSERT_EQ(0, disk_write(d, 0, w, sizeof(w)));
	disk_close(d);
	ASSERT_EQ(0, truncate(self->a, (1 << 20) + 4096));
	EXPECT_EQ(NULL, disk_open(self->a, DISK_FMT_AUTO, DISK_RDONLY));
	EXPECT_NE(NULL, strstr(disk_error(), "past the end"));
	ASSERT_EQ(0, truncate(self->a, 300));
	EXPECT_EQ(NULL, disk_open(self->a, DISK_FMT_VDI, DISK_RDONLY));
}

TEST_F(dir, resize_grow_and_guarded_shrink)
{
	uint8_t w[512] = { 5 }, r[512];
	struct disk *d;

	ASSERT_EQ(0, create(self->a, DISK_FMT_VDI, 4 << 20, false));
	d = disk_open(self->a, DISK_FMT_AUTO, 0);
	ASSERT_NE(NULL, d);
	ASSERT_EQ(0, disk_write(d, 3 << 20, w, sizeof(w)));
	disk_close(d);
	ASSERT_EQ(0, disk_resize(self->a, 64 << 20, false));
	d = disk_open(self->a, DISK_FMT_AUTO, DISK_RDONLY);
	ASSERT_NE(NULL, d);
	EXPECT_EQ(64 << 20, disk_size(d));
	ASSERT_EQ(0, disk_read(d, 3 << 20, r, sizeof(r)));
	EXPECT_EQ(5, r[0]);
	disk_close(d);
	EXPECT_EQ(-1, disk_resize(self->a, 2 << 20, false));	/* no --shrink */
	EXPECT_EQ(-1, disk_resize(self->a, 2 << 20, true));	/* data at 3M */
	EXPECT_NE(NULL, strstr(disk_error(), "data lies beyond"));
	ASSERT_EQ(0, disk_resize(self->a, 4 << 20, true));
	d = disk_open(self->a, DISK_FMT_AUTO, DISK_RDONLY);
	ASSERT_NE(NULL, d);
	EXPECT_EQ(4 << 20, disk_size(d));
	ASSERT_EQ(0, disk_read(d, 3 << 20, r, sizeof(r)));
	EXPECT_EQ(5, r[0]);
	disk_close(d);
}

TEST_F(dir, commit_merges_and_empties_child)
{
	uint8_t w[512], r[512];
	char s1[256], parent[256];
	struct disk *d;

	ASSERT_EQ(0, create(self->a, DISK_FMT_VDI, 4 << 20, false));
	ASSERT_EQ(0, disk_snapshot(self->a, s1, sizeof(s1)));
	d = disk_open(s1, DISK_FMT_AUTO, 0);
	ASSERT_NE(NULL, d);
	memset(w, 0x42, sizeof(w));
	ASSERT_EQ(0, disk_write(d, 2 << 20, w, sizeof(w)));
	disk_close(d);
	ASSERT_EQ(0, disk_commit(s1, parent, sizeof(parent)));
	d = disk_open(self->a, DISK_FMT_AUTO, DISK_RDONLY);
	ASSERT_NE(NULL, d);
	ASSERT_EQ(0, disk_read(d, 2 << 20, r, sizeof(r)));
	EXPECT_EQ(0x42, r[0]);
	disk_close(d);
	/* the child is empty and still linked: reads come from the parent */
	d = disk_open(s1, DISK_FMT_AUTO, DISK_RDONLY);
	ASSERT_NE(NULL, d);
	EXPECT_EQ(0, d->img[0]->h.blocks_allocated);
	ASSERT_EQ(0, disk_read(d, 2 << 20, r, sizeof(r)));
	EXPECT_EQ(0x42, r[0]);
	disk_close(d);
}

TEST_F(dir, open_spec)
{
	char spec[300];
	struct disk *d;

	ASSERT_EQ(0, create(self->a, DISK_FMT_VDI, 1 << 20, false));
	snprintf(spec, sizeof(spec), "%s,readonly,format=vdi", self->a);
	d = disk_open_spec(spec);
	ASSERT_NE(NULL, d);
	EXPECT_TRUE(d->readonly);
	disk_close(d);
	snprintf(spec, sizeof(spec), "%s,format=raw", self->a);	/* forced raw */
	d = disk_open_spec(spec);
	ASSERT_NE(NULL, d);
	EXPECT_EQ(DISK_FMT_RAW, d->img[0]->fmt);
	EXPECT_FALSE(d->readonly);
	disk_close(d);
	snprintf(spec, sizeof(spec), "%s,bogus", self->a);
	EXPECT_EQ(NULL, disk_open_spec(spec));
	EXPECT_NE(NULL, strstr(disk_error(), "unknown disk option"));
	EXPECT_EQ(NULL, disk_open_spec(",readonly"));
}

TEST(snapshot_names)
{
	char n[256];

	ASSERT_EQ(0, disk_snapshot_name("/nonexistent/disk.vdi", n, sizeof(n)));
	EXPECT_STREQ("/nonexistent/disk-snap1.vdi", n);
	ASSERT_EQ(0, disk_snapshot_name("/nonexistent/disk-snap4.vdi", n, sizeof(n)));
	EXPECT_STREQ("/nonexistent/disk-snap1.vdi", n);
	ASSERT_EQ(0, disk_snapshot_name("/nonexistent/my-snapper.vdi", n, sizeof(n)));
	EXPECT_STREQ("/nonexistent/my-snapper-snap1.vdi", n);
}

TEST_HARNESS_MAIN
