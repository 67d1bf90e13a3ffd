// SPDX-License-Identifier: GPL-2.0
/*
 * test_bzimage.c - the Linux bzImage loader (user/loader/bzimage.c) and
 * the 64-bit state vCPU 0 starts in, natively.  The bzImage is built here:
 *
 *   0x000 - 0x9ff   boot sector + 4 setup sectors; the setup header at
 *                   0x1f1 ends at 0x26c (jump byte 0x6a), protocol 2.15
 *   0x1ef, 0x290    0xff bytes that must not reach the zero page: only
 *                   the setup header is copied
 *   0xa00 -         the "protected-mode kernel", a recognisable pattern
 *
 * Guest RAM has an inaccessible page on either side and starts filled
 * with 0xcc, so an out-of-bounds access crashes the test and a write
 * before validation shows.  If the machine has /boot/vmlinuz-*, the real
 * Debian kernels (and their initrds, when readable) are loaded too.
 */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "guestmem.h"
#include "hw/board.h"
#include "hw/irq.h"
#include "loader/loader.h"
#include "vm.h"

#define RAM		(32ull << 20)
#define SETUP_SECTS	4
#define PM_OFF		((SETUP_SECTS + 1) * 512)
#define PM_LEN		0x1000
#define IMG_LEN		(PM_OFF + PM_LEN)
#define INIT_SIZE	0x400000u
#define PREF_ADDR	0x1000000ull
#define CMDLINE_SIZE	2047

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static uint16_t get16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

/* A minimal but complete bzImage of boot protocol 2.15. */
static void build_bzimage(uint8_t *b)
{
	memset(b, 0, IMG_LEN);
	for (int i = PM_OFF; i < IMG_LEN; i++)
		b[i] = (uint8_t)(i * 13 + 5);
	b[0x1ef] = 0xff;			/* outside the header: not copied */
	b[0x290] = 0xff;
	b[0x1f1] = SETUP_SECTS;
	put32(b + 0x1f4, PM_LEN / 16);		/* syssize */
	put16(b + 0x1fa, 0xfffd);		/* vid_mode: "ask", the loader says normal */
	put16(b + 0x1fe, 0xaa55);
	b[0x200] = 0xeb;			/* jmp short, to 0x202 + 0x6a */
	b[0x201] = 0x6a;
	memcpy(b + 0x202, "HdrS", 4);
	put16(b + 0x206, 0x020f);
	b[0x211] = 0x01;			/* LOADED_HIGH */
	put32(b + 0x22c, 0x7fffffff);		/* initrd_addr_max */
	put32(b + 0x230, 0x200000);		/* kernel_alignment */
	b[0x234] = 1;				/* relocatable */
	put16(b + 0x236, 0x3);			/* XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G */
	put32(b + 0x238, CMDLINE_SIZE);
	put64(b + 0x258, PREF_ADDR);
	put32(b + 0x260, INIT_SIZE);
}

FIXTURE(bz) {
	struct guest_mem gm;
	uint8_t *ram;
	struct boot_image bi;
	uint8_t img[IMG_LEN];
	char err[512];
};

FIXTURE_SETUP(bz)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *map = mmap(NULL, RAM + 2 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	memset(&self->gm, 0, sizeof(self->gm));
	ASSERT_NE(MAP_FAILED, map);
	self->ram = map + pg;
	ASSERT_EQ(0, mprotect(self->ram, RAM, PROT_READ | PROT_WRITE));
	memset(self->ram, 0xcc, RAM);
	ASSERT_EQ(0, gmem_add(&self->gm, 0, RAM, self->ram, false));
	build_bzimage(self->img);
	self->err[0] = '\0';
}

FIXTURE_TEARDOWN(bz)
{
	munmap(self->ram - sysconf(_SC_PAGESIZE), RAM + 2 * sysconf(_SC_PAGESIZE));
}

static int load(FIXTURE_DATA(bz) *self, const char *cmdline, const void *rd, size_t rdlen)
{
	return bzimage_load(&self->gm, self->img, IMG_LEN, cmdline, rd, rdlen, 1, &self->bi,
			    self->err, sizeof(self->err));
}

static bool ram_untouched(const uint8_t *ram, uint64_t size)
{
	for (uint64_t i = 0; i < size; i += 64)
		if (ram[i] != 0xcc)
			return false;
	return true;
}

/* The e820 table of the zero page: sorted, no overlaps, RAM where RAM is. */
static void check_e820(struct __test_metadata *_metadata, const uint8_t *bp, uint64_t ram)
{
	unsigned n = bp[0x1e8];
	uint64_t prev_end = 0, ram_total = 0;
	bool low_ram = false, high_ram = false;

	ASSERT_GE(n, 3);
	ASSERT_LE(n, 128);
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *e = bp + 0x2d0 + 20 * i;
		uint64_t a = get64(e), s = get64(e + 8);
		uint32_t t = get32(e + 16);

		EXPECT_GT(s, 0);
		EXPECT_GE(a, prev_end);			/* sorted, not overlapping */
		prev_end = a + s;
		if (t == 1) {
			ram_total += s;
			EXPECT_LE(a + s, ram);
			/* never RAM: the VGA/BIOS hole with the ACPI tables */
			EXPECT_TRUE(a + s <= 0xa0000 || a >= 0x100000);
			low_ram |= a == 0 && s >= 0x9f000;
			high_ram |= a == 0x100000 && a + s == ram;
		}
	}
	EXPECT_TRUE(low_ram);
	EXPECT_TRUE(high_ram);
	EXPECT_LE(ram_total, ram);
}

TEST_F(bz, loads_kernel_zero_page_cmdline_initrd)
{
	static const char cmd[] = "console=ttyS0 rdinit=/bin/sh";
	size_t rdlen = 10000;
	uint8_t *rd = malloc(rdlen);
	const uint8_t *bp = self->ram + BZ_BOOT_PARAMS;
	uint32_t rdaddr;

	for (size_t i = 0; i < rdlen; i++)
		rd[i] = (uint8_t)(i * 3);
	ASSERT_EQ(0, load(self, cmd, rd, rdlen)) TH_LOG("%s", self->err);
	/* the protected-mode kernel at 1 MiB, nothing after it */
	EXPECT_EQ(0, memcmp(self->ram + 0x100000, self->img + PM_OFF, PM_LEN));
	EXPECT_EQ(0xcc, self->ram[0x100000 + PM_LEN]);
	EXPECT_EQ(0x100200, self->bi.entry);
	EXPECT_EQ(0x100000, self->bi.lo);
	EXPECT_EQ(0x100000 + PM_LEN, self->bi.hi);
	EXPECT_TRUE(self->bi.linux64);
	EXPECT_EQ(BZ_BOOT_PARAMS, self->bi.boot_params);

	/* the setup header was copied, and only it */
	EXPECT_EQ(0, memcmp(bp + 0x202, "HdrS", 4));
	EXPECT_EQ(0x020f, get16(bp + 0x206));
	EXPECT_EQ(INIT_SIZE, get32(bp + 0x260));
	EXPECT_EQ(PREF_ADDR, get64(bp + 0x258));
	EXPECT_EQ(0, bp[0x1ef]);		/* the sentinel stays zero */
	EXPECT_EQ(0, bp[0x290]);
	/* the loader's fields */
	EXPECT_EQ(0xff, bp[0x210]);		/* type_of_loader */
	EXPECT_EQ(0xffff, get16(bp + 0x1fa));	/* vid_mode normal */
	EXPECT_EQ(ACPI_RSDP_ADDR, get64(bp + 0x070));
	EXPECT_EQ(0, memcmp(self->ram + ACPI_RSDP_ADDR, "RSD PTR ", 8));
	EXPECT_EQ(0, memcmp(self->ram + MPTABLE_ADDR, "_MP_", 4));
	/* the command line */
	EXPECT_EQ(BZ_CMDLINE, get32(bp + 0x228));
	EXPECT_EQ(0, get32(bp + 0x0c8));
	EXPECT_STREQ(cmd, (const char *)self->ram + get32(bp + 0x228));
	/* the initrd: high, page-aligned, above the decompression area, intact */
	rdaddr = get32(bp + 0x218);
	EXPECT_EQ(rdlen, get32(bp + 0x21c));
	EXPECT_EQ(0, get32(bp + 0x0c0));
	EXPECT_EQ(0, get32(bp + 0x0c4));
	EXPECT_EQ(0, rdaddr & 0xfff);
	EXPECT_GE(rdaddr, PREF_ADDR + INIT_SIZE);
	EXPECT_LE(rdaddr + rdlen, RAM);
	EXPECT_GT(rdaddr + rdlen + 0x1000, RAM);	/* as high as it goes */
	EXPECT_EQ(0, memcmp(self->ram + rdaddr, rd, rdlen));
	EXPECT_EQ(rdaddr, self->bi.initrd);
	EXPECT_EQ(rdlen, self->bi.initrd_len);
	check_e820(_metadata, bp, RAM);
	free(rd);
}

TEST_F(bz, no_initrd_and_no_cmdline)
{
	const uint8_t *bp = self->ram + BZ_BOOT_PARAMS;

	ASSERT_EQ(0, load(self, NULL, NULL, 0)) TH_LOG("%s", self->err);
	EXPECT_EQ(0, get32(bp + 0x218));
	EXPECT_EQ(0, get32(bp + 0x21c));
	EXPECT_EQ(0, self->bi.initrd_len);
	EXPECT_STREQ("", (const char *)self->ram + get32(bp + 0x228));
	/* setup_sects 0 means 4, the same layout */
	self->img[0x1f1] = 0;
	memset(self->ram + 0x100000, 0, PM_LEN);
	ASSERT_EQ(0, load(self, "", NULL, 0)) TH_LOG("%s", self->err);
	EXPECT_EQ(0, memcmp(self->ram + 0x100000, self->img + PM_OFF, PM_LEN));
}

/* A 4-level walk of the loader's page tables: the physical address, or -1. */
static uint64_t walk(const uint8_t *ram, uint64_t cr3, uint64_t va)
{
	uint64_t e = get64(ram + (cr3 & ~0xfffull) + ((va >> 39) & 511) * 8);

	if (!(e & 1))
		return ~0ull;
	e = get64(ram + (e & 0xffffffffff000ull) + ((va >> 30) & 511) * 8);
	if (!(e & 1))
		return ~0ull;
	e = get64(ram + (e & 0xffffffffff000ull) + ((va >> 21) & 511) * 8);
	if (!(e & 1) || !(e & 0x80))
		return ~0ull;
	return (e & 0xfffffffe00000ull) | (va & 0x1fffff);
}

TEST_F(bz, vcpu0_starts_in_64bit_mode)
{
	struct hvlab_regs r;
	struct hvlab_sregs s;
	uint64_t code, data;

	ASSERT_EQ(0, load(self, "x", NULL, 0)) TH_LOG("%s", self->err);
	boot_vcpu_state(&self->bi, 0, &r, &s);
	EXPECT_EQ(0x100200, r.rip);
	EXPECT_EQ(BZ_BOOT_PARAMS, r.rsi);
	EXPECT_EQ(0, r.rflags & (1 << 9));		/* IF = 0 */
	EXPECT_EQ(0x10, s.cs.selector);
	EXPECT_EQ(1, s.cs.l);
	EXPECT_EQ(0, s.cs.db);				/* L = 1 needs D = 0 */
	EXPECT_EQ(0xb, s.cs.type);
	EXPECT_EQ(0x18, s.ds.selector);
	EXPECT_EQ(0x18, s.es.selector);
	EXPECT_EQ(0x18, s.ss.selector);
	EXPECT_EQ(0x3, s.ss.type);
	EXPECT_EQ(0x80000001, s.cr0 & 0x80000001);	/* PG | PE */
	EXPECT_EQ(0x20, s.cr4 & 0x20);			/* PAE */
	EXPECT_EQ(0x500, s.efer);			/* LMA | LME */
	EXPECT_EQ(BZ_PML4, s.cr3);
	EXPECT_EQ(BZ_GDT, s.gdt.base);
	EXPECT_EQ(0x1f, s.gdt.limit);
	EXPECT_EQ(0xfee00000ull | (1 << 11) | (1 << 8), s.apic_base);
	/* the GDT in memory agrees with the hidden parts */
	code = get64(self->ram + BZ_GDT + 0x10);
	data = get64(self->ram + BZ_GDT + 0x18);
	EXPECT_TRUE((code >> 47) & 1);			/* P */
	EXPECT_TRUE((code >> 53) & 1);			/* L */
	EXPECT_FALSE((code >> 54) & 1);			/* D */
	EXPECT_EQ(0xb, (code >> 40) & 0xf);
	EXPECT_EQ(0x3, (data >> 40) & 0xf);
	EXPECT_TRUE((data >> 47) & 1);
	/* identity map: the kernel, the zero page, the APIC, the top of 4 GiB */
	EXPECT_EQ(0x100200, walk(self->ram, s.cr3, 0x100200));
	EXPECT_EQ(BZ_BOOT_PARAMS, walk(self->ram, s.cr3, BZ_BOOT_PARAMS));
	EXPECT_EQ(PREF_ADDR + INIT_SIZE - 1, walk(self->ram, s.cr3, PREF_ADDR + INIT_SIZE - 1));
	EXPECT_EQ(0xfee00000, walk(self->ram, s.cr3, 0xfee00000));
	EXPECT_EQ(0xffffffff, walk(self->ram, s.cr3, 0xffffffff));
	EXPECT_EQ(~0ull, walk(self->ram, s.cr3, 0x100000000ull));
	/* an AP waits for INIT/SIPI: not started in 64-bit mode */
	boot_vcpu_state(&self->bi, 1, &r, &s);
	EXPECT_EQ(0, s.efer);
	EXPECT_EQ(0xfee00000ull | (1 << 11), s.apic_base);
}

/* Each broken image: one sentence, and guest RAM untouched. */
struct hostile {
	const char *what;
	void (*damage)(uint8_t *b);
	size_t len;			/* 0: IMG_LEN */
	const char *expect;
};

static void no_signature(uint8_t *b) { memcpy(b + 0x202, "HdrX", 4); }
static void bad_boot_flag(uint8_t *b) { put16(b + 0x1fe, 0x55aa); }
static void old_protocol(uint8_t *b) { put16(b + 0x206, 0x020a); }
static void absurd_setup_sects(uint8_t *b) { b[0x1f1] = 200; }
static void setup_beyond_file(uint8_t *b) { b[0x1f1] = 60; }
static void syssize_beyond_file(uint8_t *b) { put32(b + 0x1f4, PM_LEN / 16 + 1); }
static void init_size_beyond_ram(uint8_t *b) { put32(b + 0x260, 0xf0000000u); }
static void init_size_too_small(uint8_t *b) { put32(b + 0x260, 0x100); }
static void no_64bit_entry(uint8_t *b) { put16(b + 0x236, 0x2); }
static void loads_low(uint8_t *b) { b[0x211] = 0; }
static void bad_alignment(uint8_t *b) { put32(b + 0x230, 0x300000); }
static void pref_below_1m(uint8_t *b) { put64(b + 0x258, 0x1000); }
static void header_too_short(uint8_t *b) { b[0x201] = 0x20; }
static void header_too_long(uint8_t *b) { b[0x201] = 0xff; }
static void nothing(uint8_t *b) { (void)b; }

static const struct hostile hostile[] = {
	{ "no HdrS", no_signature, 0, "no bzImage setup header" },
	{ "boot_flag", bad_boot_flag, 0, "boot_flag is 0x55aa" },
	{ "protocol 2.10", old_protocol, 0, "boot protocol 2.10 is too old" },
	{ "setup_sects 200", absurd_setup_sects, 0, "setup_sects 200 is absurd" },
	{ "setup past the end", setup_beyond_file, 0, "truncated" },
	{ "syssize past the end", syssize_beyond_file, 0, "syssize says" },
	{ "init_size > RAM", init_size_beyond_ram, 0, "not enough memory" },
	{ "init_size < kernel", init_size_too_small, 0, "smaller than the kernel" },
	{ "32-bit only", no_64bit_entry, 0, "no 64-bit entry point" },
	{ "zImage", loads_low, 0, "zImage" },
	{ "alignment", bad_alignment, 0, "not a power of two" },
	{ "pref_address", pref_below_1m, 0, "pref_address 0x1000" },
	{ "short header", header_too_short, 0, "implausible" },
	{ "long header", header_too_long, 0, "implausible" },
	{ "truncated in the header", nothing, 0x220, "ends inside its setup header" },
	{ "truncated before the entry", nothing, PM_OFF + 0x100, "truncated" },
	{ "truncated at 0x100", nothing, 0x100, "no bzImage setup header" },
};

TEST_F(bz, hostile_images_each_get_a_sentence_and_write_nothing)
{
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		const struct hostile *h = &hostile[i];

		build_bzimage(self->img);
		h->damage(self->img);
		self->err[0] = '\0';
		EXPECT_EQ(-1, bzimage_load(&self->gm, self->img, h->len ? h->len : IMG_LEN,
					   "x", NULL, 0, 1, &self->bi, self->err,
					   sizeof(self->err))) TH_LOG("%s", h->what);
		EXPECT_NE(NULL, strstr(self->err, h->expect))
			TH_LOG("%s: said \"%s\", wanted \"%s\"", h->what, self->err, h->expect);
		EXPECT_EQ(NULL, strchr(self->err, '\n'));
		ASSERT_TRUE(ram_untouched(self->ram, RAM)) TH_LOG("%s wrote to RAM", h->what);
	}
}

TEST_F(bz, bad_cmdline_initrd_or_cpus_write_nothing)
{
	char *cmd = malloc(5000);
	size_t big = RAM - PREF_ADDR - INIT_SIZE + 1;
	uint8_t *rd = calloc(1, big);

	memset(cmd, 'a', 4999);
	cmd[4999] = '\0';
	cmd[CMDLINE_SIZE + 1] = '\0';
	EXPECT_EQ(-1, load(self, cmd, NULL, 0));
	EXPECT_NE(NULL, strstr(self->err, "takes at most 2047")) TH_LOG("%s", self->err);
	put32(self->img + 0x238, 100000);	/* a kernel taking more than hvlab passes */
	cmd[CMDLINE_SIZE + 1] = 'a';
	EXPECT_EQ(-1, load(self, cmd, NULL, 0));
	EXPECT_NE(NULL, strstr(self->err, "hvlab passes at most")) TH_LOG("%s", self->err);
	build_bzimage(self->img);
	EXPECT_EQ(-1, load(self, "x", rd, big));
	EXPECT_NE(NULL, strstr(self->err, "initrd")) TH_LOG("%s", self->err);
	/* initrd_addr_max below the kernel's end: nowhere to go */
	put32(self->img + 0x22c, 0x00ffffff);
	EXPECT_EQ(-1, load(self, "x", rd, 4096));
	EXPECT_NE(NULL, strstr(self->err, "does not fit")) TH_LOG("%s", self->err);
	build_bzimage(self->img);
	EXPECT_EQ(-1, bzimage_load(&self->gm, self->img, IMG_LEN, "x", NULL, 0, 9, &self->bi,
				   self->err, sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "vCPUs")) TH_LOG("%s", self->err);
	EXPECT_TRUE(ram_untouched(self->ram, RAM));
	/* the largest initrd that fits does */
	EXPECT_EQ(0, load(self, "x", rd, big - 1)) TH_LOG("%s", self->err);
	free(rd);
	free(cmd);
}

/* Random damage to the header never crashes the loader (guarded RAM and image). */
TEST_F(bz, mutated_headers_never_crash)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t room = (IMG_LEN + pg - 1) / pg * pg;
	uint8_t *map = mmap(NULL, room + pg, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *copy;
	unsigned seed = 12345, ok = 0;

	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, mprotect(map + room, pg, PROT_NONE));
	copy = map + room - IMG_LEN;		/* ends at the inaccessible page */
	for (int round = 0; round < 3000; round++) {
		build_bzimage(copy);
		for (int k = 0; k < 4; k++) {
			seed = seed * 1103515245 + 12345;
			copy[0x1f1 + (seed >> 8) % (0x270 - 0x1f1)] = (uint8_t)(seed >> 20);
		}
		if (bzimage_load(&self->gm, copy, IMG_LEN, "x", NULL, 0, 2, &self->bi, self->err,
				 sizeof(self->err)) == 0)
			ok++;
		else
			ASSERT_NE(0, self->err[0]);
	}
	TH_LOG("%u of 3000 mutated images still loaded", ok);
	munmap(map, room + pg);
}

TEST_F(bz, boot_load_picks_bzimage_and_checks_options)
{
	char path[] = "/tmp/hvlab-test-bz-XXXXXX", rdpath[] = "/tmp/hvlab-test-rd-XXXXXX";
	struct boot_config cfg = { .image = path, .cmdline = "quiet", .initrd = rdpath,
				   .ncpus = 2 };
	int fd = mkstemp(path), rfd = mkstemp(rdpath);

	ASSERT_GE(fd, 0);
	ASSERT_GE(rfd, 0);
	ASSERT_EQ(IMG_LEN, write(fd, self->img, IMG_LEN));
	ASSERT_EQ(5, write(rfd, "hello", 5));
	close(fd);
	close(rfd);
	EXPECT_TRUE(bzimage_file_is_bzimage(path));
	EXPECT_FALSE(bzimage_file_is_bzimage(rdpath));
	EXPECT_FALSE(bzimage_file_is_bzimage("/nonexistent"));
	ASSERT_EQ(0, boot_load(&self->gm, &cfg, &self->bi, self->err, sizeof(self->err)))
		TH_LOG("%s", self->err);
	EXPECT_TRUE(self->bi.linux64);
	EXPECT_EQ(5, self->bi.initrd_len);
	EXPECT_EQ(0, memcmp(self->ram + self->bi.initrd, "hello", 5));
	/* a bzImage takes --initrd, not --module */
	cfg.modules[0] = rdpath;
	cfg.nmodules = 1;
	EXPECT_EQ(-1, boot_load(&self->gm, &cfg, &self->bi, self->err, sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "not --module")) TH_LOG("%s", self->err);
	cfg.nmodules = 0;
	/* --initrd with anything but a bzImage is refused */
	cfg.image = rdpath;
	EXPECT_EQ(-1, boot_load(&self->gm, &cfg, &self->bi, self->err, sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "--initrd needs a Linux bzImage")) TH_LOG("%s", self->err);
	cfg.flat = true;
	cfg.flat_addr = 0x8000;
	EXPECT_EQ(-1, boot_load(&self->gm, &cfg, &self->bi, self->err, sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "not --flat")) TH_LOG("%s", self->err);
	/* a missing initrd names itself */
	cfg.flat = false;
	cfg.image = path;
	cfg.initrd = "/nonexistent/initrd";
	EXPECT_EQ(-1, boot_load(&self->gm, &cfg, &self->bi, self->err, sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "/nonexistent/initrd")) TH_LOG("%s", self->err);
	unlink(path);
	unlink(rdpath);
}

/* The machine's own Debian kernels, with their initrds when readable. */
TEST(real_debian_kernels_load)
{
	const uint64_t ram = 256ull << 20;
	glob_t g;
	struct guest_mem gm = { 0 };
	uint8_t *mem;
	unsigned loaded = 0;

	if (glob("/boot/vmlinuz-*", 0, NULL, &g) || g.gl_pathc == 0)
		SKIP(return, "no /boot/vmlinuz-* on this machine");
	mem = mmap(NULL, ram, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	ASSERT_EQ(0, gmem_add(&gm, 0, ram, mem, false));
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *k = g.gl_pathv[i];
		char rdpath[512], err[512];
		struct boot_config cfg = { .image = k, .cmdline = "console=ttyS0", .ncpus = 2 };
		struct boot_image bi;

		if (access(k, R_OK)) {
			TH_LOG("%s is not readable, not loaded", k);
			continue;
		}
		snprintf(rdpath, sizeof(rdpath), "/boot/initrd.img-%s", k + strlen("/boot/vmlinuz-"));
		if (!access(rdpath, R_OK))
			cfg.initrd = rdpath;
		EXPECT_TRUE(bzimage_file_is_bzimage(k));
		ASSERT_EQ(0, boot_load(&gm, &cfg, &bi, err, sizeof(err))) TH_LOG("%s: %s", k, err);
		EXPECT_TRUE(bi.linux64);
		EXPECT_EQ(0x100200, bi.entry);
		EXPECT_EQ(0xff, mem[BZ_BOOT_PARAMS + 0x210]);
		if (cfg.initrd)
			EXPECT_LE(bi.initrd + bi.initrd_len, ram);
		TH_LOG("%s loaded%s%s", k, cfg.initrd ? " with " : "", cfg.initrd ? rdpath : "");
		loaded++;
	}
	globfree(&g);
	munmap(mem, ram);
	if (!loaded)
		SKIP(return, "no readable /boot/vmlinuz-*");
}

TEST_HARNESS_MAIN
