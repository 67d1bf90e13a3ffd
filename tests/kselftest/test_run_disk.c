// SPDX-License-Identifier: GPL-2.0
/*
 * test_run_disk.c - `hvlab run --disk` on the real module: the bare-metal
 * guest tests/guests/ata.c drives hvlab's ATA controller (user/hw/ata.c)
 * by polled PIO like an unmodified OS's IDE driver, and this program
 * checks the image file afterwards.
 *
 * Each test makes its images in /tmp of the VM with `hvlab disk create`,
 * puts the 0x5a pattern in sectors 0-127 itself (pwrite on a raw file; for
 * a VDI, a raw file converted with `hvlab disk convert -O vdi`, since
 * qemu-io is not in the VM), runs the guest with
 *   --append "sectors=32768 rlba=0 rcount=128 rpat=0x5a wlba=8192 wpat=0xc3"
 * (IDENTIFY must report exactly the 16 MiB image; READ SECTORS of 0-127
 * finds the pattern; WRITE SECTORS of 8 sectors of 0xc3 at LBA 8192, FLUSH
 * CACHE, READ SECTORS EXT back), then reads LBA 8191-8200 from the file
 * (raw: pread; VDI: `hvlab disk convert -O raw`, then pread) and runs
 * `hvlab disk check`.  tests/native/ata_qemu.sh runs the same guest under
 * QEMU's IDE, so a failure here is hvlab's, not the guest's.
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "hvlab_test.h"
#include "kselftest_harness.h"
#include "../guests/run_fixture.h"

#define DISK_MB		16
#define DISK_SECTORS	(DISK_MB * 2048)
#define GUEST_ARGS	"sectors=32768 rlba=0 rcount=128 rpat=0x5a wlba=8192 wpat=0xc3"
#define WLBA		8192
#define WCOUNT		8

/* `hvlab ARGS` through sh -c, output dropped; returns its exit status. */
static int hv(const char *fmt, const char *a, const char *b)
{
	char cmd[600];
	int st;

	snprintf(cmd, sizeof(cmd), "%s ", guest_env("HVLAB_BIN", "hvlab"));
	snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), fmt, a, b);
	strncat(cmd, " >/tmp/hv-disk.log 2>&1", sizeof(cmd) - strlen(cmd) - 1);
	st = system(cmd);
	if (st != 0) {
		FILE *f = fopen("/tmp/hv-disk.log", "r");
		char line[256];

		fprintf(stderr, "# $ %s: status %d\n", cmd, st);
		while (f && fgets(line, sizeof(line), f))
			fprintf(stderr, "#   %s", line);
		if (f)
			fclose(f);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* A fresh raw image of DISK_MB MiB with 0x5a in sectors 0-127. */
static int make_raw(const char *path)
{
	char pat[64 * 1024];
	int fd, ok;

	unlink(path);
	if (hv("disk create -f raw %s %sM", path, "16"))
		return -1;
	memset(pat, 0x5a, sizeof(pat));
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	ok = pwrite(fd, pat, sizeof(pat), 0) == (ssize_t)sizeof(pat);
	return close(fd) == 0 && ok ? 0 : -1;
}

/*
 * Sectors from..to (inclusive) of a raw file: how many of them are not
 * all `byte`.  -1 if the file cannot be read.
 */
static int sectors_not(const char *path, unsigned from, unsigned to, uint8_t byte)
{
	uint8_t s[512];
	int fd = open(path, O_RDONLY), bad = 0;

	if (fd < 0)
		return -1;
	for (unsigned lba = from; lba <= to; lba++) {
		if (pread(fd, s, sizeof(s), (off_t)lba * 512) != (ssize_t)sizeof(s)) {
			close(fd);
			return -1;
		}
		for (unsigned i = 0; i < sizeof(s); i++)
			if (s[i] != byte) {
				bad++;
				break;
			}
	}
	close(fd);
	return bad;
}

/* What every successful run of the guest prints and counts. */
#define EXPECT_GUEST_OK()							\
	do {									\
		EXPECT_EQ(0, R->status);					\
		EXPECT_TRUE(HAS(R->out, "ata: model 'hvlab virtual ATA disk', "	\
				"32768 sectors (LBA28), 32768 (LBA48)"));	\
		EXPECT_TRUE(HAS(R->out, "ata: read 128 sectors of 0x5a at LBA 0"));\
		EXPECT_TRUE(HAS(R->out, "ata: identify, read, write, flush, read ext, abort ok"));\
		/* IDENTIFY, READ, WRITE, FLUSH, READ EXT, the unknown one */	\
		EXPECT_TRUE(HAS(R->err, "ATA primary channel (--disk): 6 commands, 1 errors"));\
		EXPECT_FALSE(HAS(R->err, "unclaimed port 0x1f"));		\
	} while (0)

/* A raw image: the guest's writes are at byte WLBA * 512 of the file. */
TEST_F(run, raw_disk)
{
	const char *img = "/tmp/ata.raw";

	ASSERT_EQ(0, make_raw(img));
	RUN(RUN_TIMEOUT * 2, NULL, "--stats", "--disk", img, "--append", GUEST_ARGS,
	    G("ata.elf"));
	EXPECT_GUEST_OK();
	EXPECT_EQ(0, sectors_not(img, WLBA, WLBA + WCOUNT - 1, 0xc3));
	EXPECT_EQ(0, sectors_not(img, WLBA - 1, WLBA - 1, 0));
	EXPECT_EQ(0, sectors_not(img, WLBA + WCOUNT, WLBA + WCOUNT, 0));
	EXPECT_EQ(0, sectors_not(img, 0, 127, 0x5a));	/* reads changed nothing */
	unlink(img);
}

/* A dynamic VDI: the write allocates a block; the map must stay sound. */
TEST_F(run, vdi_disk)
{
	const char *raw = "/tmp/ata-src.raw", *vdi = "/tmp/ata.vdi", *back = "/tmp/ata-back.raw";
	char spec[64];

	ASSERT_EQ(0, make_raw(raw));
	unlink(vdi);
	ASSERT_EQ(0, hv("disk convert -O vdi %s %s", raw, vdi));
	snprintf(spec, sizeof(spec), "%s,format=vdi", vdi);
	RUN(RUN_TIMEOUT * 2, NULL, "--stats", "--disk", spec, "--append", GUEST_ARGS,
	    G("ata.elf"));
	EXPECT_GUEST_OK();
	EXPECT_EQ(0, hv("disk check %s%s", vdi, ""));
	unlink(back);
	ASSERT_EQ(0, hv("disk convert -O raw %s %s", vdi, back));
	EXPECT_EQ(0, sectors_not(back, WLBA, WLBA + WCOUNT - 1, 0xc3));
	EXPECT_EQ(0, sectors_not(back, WLBA - 1, WLBA - 1, 0));
	EXPECT_EQ(0, sectors_not(back, WLBA + WCOUNT, WLBA + WCOUNT, 0));
	EXPECT_EQ(0, sectors_not(back, 0, 127, 0x5a));
	unlink(raw);
	unlink(vdi);
	unlink(back);
}

/* ,readonly: the guest's WRITE SECTORS is aborted (its assertion, status 2). */
TEST_F(run, readonly_disk)
{
	const char *img = "/tmp/ata-ro.raw";
	char spec[64];

	ASSERT_EQ(0, make_raw(img));
	snprintf(spec, sizeof(spec), "%s,readonly", img);
	RUN(RUN_TIMEOUT * 2, NULL, "--stats", "--disk", spec, "--append", GUEST_ARGS,
	    G("ata.elf"));
	EXPECT_EQ(2, R->status);
	EXPECT_TRUE(HAS(R->out, "ata: read 128 sectors of 0x5a at LBA 0"));
	EXPECT_TRUE(HAS(R->err, "guest assertion failed: ata.c:"));
	EXPECT_EQ(0, sectors_not(img, WLBA, WLBA + WCOUNT - 1, 0));
	unlink(img);
}

/* IDENTIFY reports what the file holds: a 16 MiB image is not 8 MiB. */
TEST_F(run, identify_size_mismatch_fails)
{
	const char *img = "/tmp/ata-sz.raw";

	ASSERT_EQ(0, make_raw(img));
	RUN(RUN_TIMEOUT * 2, NULL, "--disk", img, "--append",
	    "sectors=16384 rlba=0 rcount=1 rpat=0x5a", G("ata.elf"));
	EXPECT_EQ(2, R->status);
	EXPECT_TRUE(HAS(R->out, "32768 sectors (LBA28)"));
	unlink(img);
}

/* No --disk: nothing answers at 0x1f0-0x1f7, the guest sees all-ones. */
TEST_F(run, no_disk_no_controller)
{
	RUN(RUN_TIMEOUT * 2, NULL, "--strict", "--append", GUEST_ARGS, G("ata.elf"));
	EXPECT_EQ(5, R->status);
	EXPECT_TRUE(HAS(R->err, "unclaimed port 0x1f7"));
}

TEST_HARNESS_MAIN
