// SPDX-License-Identifier: GPL-2.0
/*
 * test_loader.c - the image loaders (user/loader/) and the boot state of a
 * vCPU, natively.  Every ELF image is generated here, byte by byte, so the
 * test states exactly what each malformed file gets wrong:
 *
 *   offset 0x000  ELF header, then the program headers
 *   offset 0x100  the multiboot header (unless a test removes it)
 *   offset 0x1000 segment 0's file bytes (a recognisable pattern)
 *   offset 0x2000 segment 1's file bytes
 *
 * Guest RAM sits between two inaccessible pages, and the randomly damaged
 * images end right where one begins, so a loader that reads or writes out
 * of bounds crashes the test instead of passing it.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "guestmem.h"
#include "loader/loader.h"
#include "vm.h"

#pragma GCC diagnostic ignored "-Wsign-compare"

#define IMG_SIZE	0x3000
#define MB_OFF		0x100
#define RAM		(8ull << 20)

struct seg {
	uint32_t type;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

struct image {
	uint8_t b[IMG_SIZE];
	size_t len;
};

static void put_mb_header(uint8_t *p, uint32_t flags)
{
	uint32_t h[3] = { MULTIBOOT_HEADER_MAGIC, flags, -(MULTIBOOT_HEADER_MAGIC + flags) };

	memcpy(p, h, sizeof(h));
}

/* An ELF32 or ELF64 executable with the given segments and entry point. */
static void build_elf(struct image *img, bool is64, uint16_t machine, uint64_t entry,
		      const struct seg *segs, int n)
{
	memset(img, 0, sizeof(*img));
	img->len = IMG_SIZE;
	for (int i = 0x1000; i < IMG_SIZE; i++)
		img->b[i] = (uint8_t)(i * 7 + 1);
	put_mb_header(img->b + MB_OFF, MB_HDR_PAGE_ALIGN | MB_HDR_MEMORY_INFO);
	if (is64) {
		Elf64_Ehdr *eh = (Elf64_Ehdr *)img->b;
		Elf64_Phdr *ph = (Elf64_Phdr *)(img->b + sizeof(*eh));

		memcpy(eh->e_ident, ELFMAG, SELFMAG);
		eh->e_ident[EI_CLASS] = ELFCLASS64;
		eh->e_ident[EI_DATA] = ELFDATA2LSB;
		eh->e_ident[EI_VERSION] = EV_CURRENT;
		eh->e_type = ET_EXEC;
		eh->e_machine = machine;
		eh->e_version = EV_CURRENT;
		eh->e_entry = entry;
		eh->e_phoff = sizeof(*eh);
		eh->e_ehsize = sizeof(*eh);
		eh->e_phentsize = sizeof(*ph);
		eh->e_phnum = (uint16_t)n;
		for (int i = 0; i < n; i++)
			ph[i] = (Elf64_Phdr){ .p_type = segs[i].type, .p_offset = segs[i].offset,
				.p_vaddr = segs[i].vaddr, .p_paddr = segs[i].paddr,
				.p_filesz = segs[i].filesz, .p_memsz = segs[i].memsz,
				.p_flags = PF_R | PF_X, .p_align = 0x1000 };
	} else {
		Elf32_Ehdr *eh = (Elf32_Ehdr *)img->b;
		Elf32_Phdr *ph = (Elf32_Phdr *)(img->b + sizeof(*eh));

		memcpy(eh->e_ident, ELFMAG, SELFMAG);
		eh->e_ident[EI_CLASS] = ELFCLASS32;
		eh->e_ident[EI_DATA] = ELFDATA2LSB;
		eh->e_ident[EI_VERSION] = EV_CURRENT;
		eh->e_type = ET_EXEC;
		eh->e_machine = machine;
		eh->e_version = EV_CURRENT;
		eh->e_entry = (uint32_t)entry;
		eh->e_phoff = sizeof(*eh);
		eh->e_ehsize = sizeof(*eh);
		eh->e_phentsize = sizeof(*ph);
		eh->e_phnum = (uint16_t)n;
		for (int i = 0; i < n; i++)
			ph[i] = (Elf32_Phdr){ .p_type = segs[i].type,
				.p_offset = (uint32_t)segs[i].offset,
				.p_vaddr = (uint32_t)segs[i].vaddr,
				.p_paddr = (uint32_t)segs[i].paddr,
				.p_filesz = (uint32_t)segs[i].filesz,
				.p_memsz = (uint32_t)segs[i].memsz,
				.p_flags = PF_R | PF_X, .p_align = 0x1000 };
	}
}

/* The usual kernel: text at 1 MiB from file offset 0x1000, BSS after it. */
static const struct seg kernel_segs[] = {
	{ PT_LOAD, 0x1000, 0x100000, 0x100000, 0x1000, 0x1000 },
	{ PT_LOAD, 0x2000, 0x101000, 0x101000, 0x800, 0x3000 },
};

FIXTURE(ld) {
	struct guest_mem gm;
	uint8_t *ram;
	struct boot_image bi;
	struct image img;
	char err[512];
};

/* len bytes, then an inaccessible page (PROT_NONE); unmap with unguard() */
static uint8_t *guarded(size_t len)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t room = (len + pg - 1) / pg * pg;
	uint8_t *p = mmap(NULL, room + pg, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || mprotect(p + room, pg, PROT_NONE))
		abort();
	return p + room - len;
}

static void unguard(uint8_t *copy, size_t len)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t room = (len + pg - 1) / pg * pg;

	munmap(copy + len - room, room + pg);
}

FIXTURE_SETUP(ld)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *map = mmap(NULL, RAM + 2 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	memset(&self->gm, 0, sizeof(self->gm));
	ASSERT_NE(MAP_FAILED, map);
	self->ram = map + pg;		/* RAM, with an inaccessible page either side */
	ASSERT_EQ(0, mprotect(self->ram, RAM, PROT_READ | PROT_WRITE));
	memset(self->ram, 0xcc, RAM);		/* so zeroing is visible */
	ASSERT_EQ(0, gmem_add(&self->gm, 0, RAM, self->ram, false));
	self->err[0] = '\0';
}

FIXTURE_TEARDOWN(ld)
{
	long pg = sysconf(_SC_PAGESIZE);

	munmap(self->ram - pg, RAM + 2 * pg);
}

static int load(struct __test_metadata *_metadata, FIXTURE_DATA(ld) *self)
{
	int r = elf_load(&self->gm, self->img.b, self->img.len, &self->bi, self->err,
			 sizeof(self->err));

	if (r)
		TH_LOG("loader said: %s", self->err);
	return r;
}

static bool ram_untouched(const uint8_t *ram)
{
	for (uint64_t i = 0; i < RAM; i += 512)
		if (ram[i] != 0xcc)
			return false;
	return true;
}

TEST_F(ld, elf32_kernel_loads_segments_and_zeroes_bss)
{
	build_elf(&self->img, false, EM_386, 0x100010, kernel_segs, 2);
	ASSERT_EQ(0, load(_metadata, self));
	EXPECT_EQ(0x100010, self->bi.entry);
	EXPECT_EQ(0x100000, self->bi.lo);
	EXPECT_EQ(0x104000, self->bi.hi);
	EXPECT_TRUE(self->bi.elf);
	EXPECT_FALSE(self->bi.elf64);
	EXPECT_EQ(0, memcmp(self->ram + 0x100000, self->img.b + 0x1000, 0x1000));
	EXPECT_EQ(0, memcmp(self->ram + 0x101000, self->img.b + 0x2000, 0x800));
	for (uint64_t a = 0x101800; a < 0x104000; a++)
		ASSERT_EQ(0, self->ram[a]);
	EXPECT_EQ(0xcc, self->ram[0x104000]);		/* nothing past memsz */
	EXPECT_EQ(0xcc, self->ram[0xfffff]);
}

TEST_F(ld, elf64_higher_half_loads_physically)
{
	const struct seg s[] = {
		{ PT_LOAD, 0x1000, 0xffffffff80100000ull, 0x100000, 0x1000, 0x2000 },
	};

	build_elf(&self->img, true, EM_X86_64, 0xffffffff80100040ull, s, 1);
	ASSERT_EQ(0, load(_metadata, self));
	EXPECT_TRUE(self->bi.elf64);
	EXPECT_EQ(0x100040, self->bi.entry);
	EXPECT_EQ(0, memcmp(self->ram + 0x100000, self->img.b + 0x1000, 0x1000));
	EXPECT_EQ(0, self->ram[0x101fff]);
}

TEST_F(ld, elf32_holding_64bit_code_is_accepted)
{
	build_elf(&self->img, false, EM_X86_64, 0x100000, kernel_segs, 2);
	ASSERT_EQ(0, load(_metadata, self));
	build_elf(&self->img, true, EM_386, 0x100000, kernel_segs, 2);
	ASSERT_EQ(0, load(_metadata, self));
}

TEST_F(ld, non_load_segments_are_ignored)
{
	const struct seg s[] = {
		{ PT_NOTE, 0x100, 0, 0, 0x10, 0x10 },		/* would hit page 0 */
		{ PT_LOAD, 0x1000, 0x200000, 0x200000, 0x100, 0x100 },
		{ PT_LOAD, 0x1000, 0x0, 0x0, 0, 0 },		/* empty: skipped */
	};

	build_elf(&self->img, false, EM_386, 0x200000, s, 3);
	ASSERT_EQ(0, load(_metadata, self));
	EXPECT_EQ(0xcc, self->ram[0]);
}

TEST_F(ld, truncated_files_are_refused)
{
	build_elf(&self->img, false, EM_386, 0x100000, kernel_segs, 2);
	self->img.len = 20;				/* inside the ELF header */
	EXPECT_EQ(-1, load(_metadata, self));
	EXPECT_NE('\0', self->err[0]);
	self->img.len = 0x2400;				/* segment 1 cut short */
	EXPECT_EQ(-1, load(_metadata, self));
	EXPECT_NE(NULL, strstr(self->err, "outside the file"));
	EXPECT_TRUE(ram_untouched(self->ram));		/* segment 0 not written */
	self->img.len = 3;
	EXPECT_EQ(-1, load(_metadata, self));
}

TEST_F(ld, bad_magic_is_not_elf)
{
	build_elf(&self->img, false, EM_386, 0x100000, kernel_segs, 2);
	self->img.b[1] = 'X';
	EXPECT_FALSE(elf_is_elf(self->img.b, self->img.len));
	EXPECT_EQ(-1, load(_metadata, self));
	EXPECT_NE(NULL, strstr(self->err, "not an ELF file"));
	/* the generic path then looks for a multiboot a.out kludge */
	EXPECT_EQ(-1, multiboot_load_kludge(&self->gm, self->img.b, self->img.len, &self->bi,
					    self->err, sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "--flat"));
}

TEST_F(ld, program_headers_outside_the_file)
{
	build_elf(&self->img, false, EM_386, 0x100000, kernel_segs, 2);
	((Elf32_Ehdr *)self->img.b)->e_phoff = 0x2ff0;
	EXPECT_EQ(-1, load(_metadata, self));
	((Elf32_Ehdr *)self->img.b)->e_phoff = 0xfffffff0;
	EXPECT_EQ(-1, load(_metadata, self));
	build_elf(&self->img, true, EM_X86_64, 0x100000, kernel_segs, 2);
	((Elf64_Ehdr *)self->img.b)->e_phnum = 0xffff;
	EXPECT_EQ(-1, load(_metadata, self));
	EXPECT_TRUE(ram_untouched(self->ram));
}

TEST_F(ld, segment_file_bytes_outside_the_file)
{
	struct seg s[] = { { PT_LOAD, 0x2800, 0x100000, 0x100000, 0x1000, 0x1000 } };

	build_elf(&self->img, false, EM_386, 0x100000, s, 1);
	EXPECT_EQ(-1, load(_metadata, self));
	EXPECT_NE(NULL, strstr(self->err, "outside the file"));
	s[0].offset = 0xffffffffffffff00ull;		/* offset + size wraps */
	build_elf(&self->img, true, EM_X86_64, 0x100000, s, 1);
	EXPECT_EQ(-1, load(_metadata, self));
}

TEST_F(ld, segment_overlapping_page_0)
{
	const struct seg s[] = { { PT_LOAD, 0x1000, 0x800, 0x800, 0x100, 0x1000 } };

	build_elf(&self->img, false, EM_386, 0x800, s, 1);
	EXPECT_EQ(-1, load(_metadata, self));
	EXPECT_NE(NULL, strstr(self->err, "page 0"));
	EXPECT_TRUE(ram_untouched(self->ram));
}

TEST_F(ld, segments_in_reserved_memory)
{
	struct seg s[] = { { PT_LOAD, 0x1000, 0x8f000, 0x8f000, 0x100, 0x2000 } };

	build_elf(&self->img, false, EM_386, 0x8f000, s, 1);	/* into the boot info */
	EXPECT_EQ(-1, load(_metadata, self));
	EXPECT_NE(NULL, strstr(self->err, "reserved memory"));
	s[0].vaddr = s[0].paddr = 0xb8000;			/* the VGA hole */
	build_elf(&self->img, false, EM_386, 0xb8000, s, 1);
	EXPECT_EQ(-1, load(_metadata, self));
	EXPECT_NE(NULL, strstr(self->err, "VGA/BIOS"));
	s[0].vaddr = s[0].paddr = 0x10000;			/* low memory is fine */
	build_elf(&self->img, false, EM_386, 0x10000, s, 1);
	EXPECT_EQ(0, load(_metadata, self));
}

TEST_F(ld, segment_beyond_ram)
{
	struct seg s[] = { { PT_LOAD, 0x1000, 0x7ff000, 0x7ff000, 0x1000, 0x2000 } };

	build_elf(&self->img, false, EM_386, 0x7ff000, s, 1);
	EXPECT_EQ(-1, load(_metadata, self));
	EXPECT_NE(NULL, strstr(self->err, "not enough memory"));
	EXPECT_NE(NULL, strstr(self->err, "-m"));
	s[0].paddr = s[0].vaddr = 0x40000000;			/* 1 GiB, RAM is 8 MiB */
	build_elf(&self->img, false, EM_386, 0x40000000, s, 1);
	EXPECT_EQ(-1, load(_metadata, self));
	EXPECT_TRUE(ram_untouched(self->ram));
}

TEST_F(ld, huge_memsz_is_refused_without_overflow)
{
	struct seg s[] = { { PT_LOAD, 0x1000, 0x100000, 0x100000, 0x1000, 0xfffffffffff00000ull } };

	build_elf(&self->img, true, EM_X86_64, 0x100000, s, 1);
	EXPECT_EQ(-1, load(_metadata, self));
	s[0].memsz = 0xffffffff;
	build_elf(&self->img, false, EM_386, 0x100000, s, 1);
	EXPECT_EQ(-1, load(_metadata, self));
	s[0].paddr = 0xfffffffffffff000ull;
	s[0].memsz = 0x2000;
	build_elf(&self->img, true, EM_X86_64, 0x100000, s, 1);
	EXPECT_EQ(-1, load(_metadata, self));
	EXPECT_TRUE(ram_untouched(self->ram));
}

TEST_F(ld, filesz_larger_than_memsz)
{
	const struct seg s[] = { { PT_LOAD, 0x1000, 0x100000, 0x100000, 0x1000, 0x800 } };

	build_elf(&self->img, false, EM_386, 0x100000, s, 1);
	EXPECT_EQ(-1, load(_metadata, self));
	EXPECT_NE(NULL, strstr(self->err, "exceeds memory size"));
}

TEST_F(ld, multiboot_header_required_and_checked)
{
	build_elf(&self->img, false, EM_386, 0x100000, kernel_segs, 2);
	memset(self->img.b + MB_OFF, 0, 12);
	EXPECT_EQ(-1, load(_metadata, self));
	EXPECT_NE(NULL, strstr(self->err, "no multiboot header"));
	put_mb_header(self->img.b + MB_OFF, 0);
	self->img.b[MB_OFF + 8] ^= 1;				/* bad checksum */
	EXPECT_EQ(-1, load(_metadata, self));
	put_mb_header(self->img.b + MB_OFF + 2, 0);		/* not 4-byte aligned */
	EXPECT_EQ(-1, load(_metadata, self));
	memset(self->img.b + MB_OFF, 0, 16);
	put_mb_header(self->img.b + 0x2000, 0);			/* beyond 8 KiB */
	EXPECT_EQ(-1, load(_metadata, self));
	memset(self->img.b + 0x2000, 0, 12);
	put_mb_header(self->img.b + MB_OFF, 1u << 5);		/* a requirement we lack */
	EXPECT_EQ(-1, load(_metadata, self));
	EXPECT_NE(NULL, strstr(self->err, "requires features"));
	put_mb_header(self->img.b + MB_OFF, 0x7);		/* video mode: a preference */
	EXPECT_EQ(0, load(_metadata, self));
}

TEST_F(ld, entry_must_be_inside_a_segment)
{
	build_elf(&self->img, false, EM_386, 0x500000, kernel_segs, 2);
	EXPECT_EQ(-1, load(_metadata, self));
	EXPECT_NE(NULL, strstr(self->err, "entry point"));
}

TEST_F(ld, wrong_type_machine_or_endianness)
{
	build_elf(&self->img, false, EM_386, 0x100000, kernel_segs, 2);
	((Elf32_Ehdr *)self->img.b)->e_type = ET_DYN;
	EXPECT_EQ(-1, load(_metadata, self));
	EXPECT_NE(NULL, strstr(self->err, "ET_EXEC"));
	build_elf(&self->img, false, EM_ARM, 0x100000, kernel_segs, 2);
	EXPECT_EQ(-1, load(_metadata, self));
	build_elf(&self->img, false, EM_386, 0x100000, kernel_segs, 2);
	self->img.b[EI_DATA] = ELFDATA2MSB;
	EXPECT_EQ(-1, load(_metadata, self));
	build_elf(&self->img, false, EM_386, 0x100000, kernel_segs, 0);
	EXPECT_EQ(-1, load(_metadata, self));
}

/*
 * Random damage to a good image: the loader never reads past the image's
 * end or writes outside RAM (either crashes the test on a guard page),
 * never loads into page 0, and either refuses the image with a message or
 * returns a boot image whose entry point lies inside what it loaded.
 */
TEST_F(ld, mutated_images_never_crash)
{
	struct image good;
	int loaded = 0, refused = 0;

	build_elf(&good, true, EM_X86_64, 0x100000, kernel_segs, 2);
	srand(4);
	for (int round = 0; round < 3000; round++) {
		size_t len = (round % 5) ? IMG_SIZE : (size_t)(rand() % IMG_SIZE);
		uint8_t *copy = guarded(len);
		int r;

		self->img = good;
		for (int k = 0; k < 1 + rand() % 4; k++)
			self->img.b[rand() % 0x100] = (uint8_t)rand();
		memcpy(copy, self->img.b, len);
		self->err[0] = '\0';
		memset(&self->bi, 0, sizeof(self->bi));
		r = elf_load(&self->gm, copy, len, &self->bi, self->err, sizeof(self->err));
		unguard(copy, len);
		if (r == 0) {
			loaded++;
			ASSERT_LE(0x1000, self->bi.lo);
			ASSERT_LE(self->bi.hi, RAM);
			ASSERT_LE(self->bi.lo, self->bi.entry);
			ASSERT_GT(self->bi.hi, self->bi.entry);
		} else {
			refused++;
			ASSERT_EQ(-1, r);
			ASSERT_NE('\0', self->err[0]);
		}
	}
	for (int a = 0; a < 0x1000; a++)
		ASSERT_EQ(0xcc, self->ram[a]);
	TH_LOG("%d damaged images loaded, %d refused", loaded, refused);
	EXPECT_LT(100, loaded);
	EXPECT_LT(100, refused);
}

/* ---- the a.out kludge --------------------------------------------- */

static void build_kludge(struct image *img, uint32_t load, uint32_t load_end, uint32_t bss_end,
			 uint32_t entry)
{
	uint32_t flags = MB_HDR_AOUT_KLUDGE | MB_HDR_PAGE_ALIGN;
	uint32_t h[8] = { MULTIBOOT_HEADER_MAGIC, flags, -(MULTIBOOT_HEADER_MAGIC + flags),
			  load + 0x40, load, load_end, bss_end, entry };

	memset(img, 0, sizeof(*img));
	img->len = 0x1000;
	for (int i = 0; i < 0x1000; i++)
		img->b[i] = (uint8_t)(i | 1);
	memcpy(img->b + 0x40, h, sizeof(h));
}

TEST_F(ld, aout_kludge_loads_by_header_addresses)
{
	build_kludge(&self->img, 0x200000, 0x200800, 0x202000, 0x200080);
	ASSERT_EQ(0, multiboot_load_kludge(&self->gm, self->img.b, self->img.len, &self->bi,
					   self->err, sizeof(self->err)));
	EXPECT_EQ(0x200080, self->bi.entry);
	EXPECT_EQ(0x202000, self->bi.hi);
	EXPECT_EQ(0, memcmp(self->ram + 0x200000, self->img.b, 0x800));
	EXPECT_EQ(0, self->ram[0x200800]);
	EXPECT_EQ(0, self->ram[0x201fff]);
	EXPECT_EQ(0xcc, self->ram[0x202000]);
}

TEST_F(ld, aout_kludge_errors)
{
	build_kludge(&self->img, 0x200000, 0x210000, 0, 0x200080);	/* past EOF */
	EXPECT_EQ(-1, multiboot_load_kludge(&self->gm, self->img.b, self->img.len, &self->bi,
					    self->err, sizeof(self->err)));
	build_kludge(&self->img, 0x200000, 0, 0, 0x300000);		/* entry outside */
	EXPECT_EQ(-1, multiboot_load_kludge(&self->gm, self->img.b, self->img.len, &self->bi,
					    self->err, sizeof(self->err)));
	build_kludge(&self->img, 0x100, 0, 0, 0x180);			/* page 0 */
	EXPECT_EQ(-1, multiboot_load_kludge(&self->gm, self->img.b, self->img.len, &self->bi,
					    self->err, sizeof(self->err)));
	EXPECT_TRUE(ram_untouched(self->ram));
}

/* ---- flat binaries ------------------------------------------------ */

TEST_F(ld, flat_binary_at_an_address)
{
	static const uint8_t code[] = { 0xfa, 0xf4 };	/* cli; hlt */

	ASSERT_EQ(0, flat_load(&self->gm, code, sizeof(code), 0x8000, &self->bi, self->err,
			       sizeof(self->err)));
	EXPECT_TRUE(self->bi.flat);
	EXPECT_EQ(0x8000, self->bi.entry);
	EXPECT_EQ(0xfa, self->ram[0x8000]);
	EXPECT_EQ(0xf4, self->ram[0x8001]);
	EXPECT_EQ(-1, flat_load(&self->gm, code, 2, 0x8001, &self->bi, self->err, sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "16-byte aligned"));
	EXPECT_EQ(-1, flat_load(&self->gm, code, 2, 0x100000, &self->bi, self->err, sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "1 MiB"));
	EXPECT_EQ(-1, flat_load(&self->gm, code, 2, 0x0, &self->bi, self->err, sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "page 0"));
	EXPECT_EQ(-1, flat_load(&self->gm, self->ram, 0x1000, 0x9f800, &self->bi, self->err,
				sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "VGA/BIOS"));
	EXPECT_EQ(-1, flat_load(&self->gm, code, 0, 0x8000, &self->bi, self->err, sizeof(self->err)));
	/* flat boots have no multiboot info, so 0x90000 is usable */
	EXPECT_EQ(0, flat_load(&self->gm, code, 2, 0x90000, &self->bi, self->err, sizeof(self->err)));
}

/* ---- the multiboot information ------------------------------------ */

static uint32_t rd32(const uint8_t *ram, uint64_t gpa)
{
	uint32_t v;

	memcpy(&v, ram + gpa, 4);
	return v;
}

static uint64_t rd64(const uint8_t *ram, uint64_t gpa)
{
	uint64_t v;

	memcpy(&v, ram + gpa, 8);
	return v;
}

TEST_F(ld, multiboot_info_memory_cmdline_modules_mmap)
{
	static const char m1[] = "first module", m2[] = "second";
	const struct boot_module mods[] = {
		{ "initrd.img", m1, sizeof(m1) }, { "/boot/extra arg=1", m2, sizeof(m2) },
	};
	uint32_t info, mods_addr, mmap_addr, mmap_len, first_mod;

	build_elf(&self->img, false, EM_386, 0x100000, kernel_segs, 2);
	ASSERT_EQ(0, load(_metadata, self));
	ASSERT_EQ(0, multiboot_build_info(&self->gm, &self->bi, "console=ttyS0 quiet", mods, 2,
					  self->err, sizeof(self->err)));
	info = self->bi.info;
	EXPECT_EQ(BOOTINFO_BASE, info);
	EXPECT_EQ(MB_INFO_MEMORY | MB_INFO_CMDLINE | MB_INFO_MODS | MB_INFO_MEM_MAP |
		  MB_INFO_LOADER_NAME, rd32(self->ram, info));
	EXPECT_EQ(640, rd32(self->ram, info + 4));			/* mem_lower, KiB */
	EXPECT_EQ((RAM - 0x100000) / 1024, rd32(self->ram, info + 8));	/* mem_upper */
	EXPECT_STREQ("console=ttyS0 quiet", (char *)self->ram + rd32(self->ram, info + 16));
	EXPECT_STREQ("hvlab", (char *)self->ram + rd32(self->ram, info + 64));

	EXPECT_EQ(2, rd32(self->ram, info + 20));
	mods_addr = rd32(self->ram, info + 24);
	first_mod = rd32(self->ram, mods_addr);
	EXPECT_EQ(0, first_mod & 0xfff);				/* page aligned */
	EXPECT_GE(first_mod, self->bi.hi);				/* after the image */
	EXPECT_EQ(first_mod + sizeof(m1), rd32(self->ram, mods_addr + 4));
	EXPECT_STREQ(m1, (char *)self->ram + first_mod);
	EXPECT_STREQ("initrd.img", (char *)self->ram + rd32(self->ram, mods_addr + 8));
	EXPECT_EQ(0, rd32(self->ram, mods_addr + 16) & 0xfff);
	EXPECT_GT(rd32(self->ram, mods_addr + 16), first_mod);
	EXPECT_STREQ(m2, (char *)self->ram + rd32(self->ram, mods_addr + 16));
	EXPECT_STREQ("/boot/extra arg=1", (char *)self->ram + rd32(self->ram, mods_addr + 24));

	mmap_addr = rd32(self->ram, info + 48);
	mmap_len = rd32(self->ram, info + 44);
	EXPECT_EQ(4 * 24, mmap_len);
	EXPECT_EQ(20, rd32(self->ram, mmap_addr));			/* size field */
	EXPECT_EQ(0, rd64(self->ram, mmap_addr + 4));
	EXPECT_EQ(0xa0000, rd64(self->ram, mmap_addr + 12));
	EXPECT_EQ(1, rd32(self->ram, mmap_addr + 20));			/* available */
	EXPECT_EQ(2, rd32(self->ram, mmap_addr + 24 + 20));		/* VGA/BIOS hole */
	EXPECT_EQ(0x100000, rd64(self->ram, mmap_addr + 48 + 4));
	EXPECT_EQ(RAM - 0x100000, rd64(self->ram, mmap_addr + 48 + 12));
	EXPECT_EQ(0xcc, self->ram[0]);					/* page 0 free */
}

TEST_F(ld, cmdline_is_always_a_valid_string)
{
	uint32_t p;

	build_elf(&self->img, false, EM_386, 0x100000, kernel_segs, 2);
	ASSERT_EQ(0, load(_metadata, self));
	ASSERT_EQ(0, multiboot_build_info(&self->gm, &self->bi, NULL, NULL, 0, self->err,
					  sizeof(self->err)));
	p = rd32(self->ram, self->bi.info + 16);
	EXPECT_NE(0, p);
	EXPECT_STREQ("", (char *)self->ram + p);
	EXPECT_EQ(0, rd32(self->ram, self->bi.info + 20));		/* no modules */
}

TEST_F(ld, modules_must_fit_in_ram)
{
	struct boot_module m = { "big", self->ram, RAM - 0x100000 };

	build_elf(&self->img, false, EM_386, 0x100000, kernel_segs, 2);
	ASSERT_EQ(0, load(_metadata, self));
	EXPECT_EQ(-1, multiboot_build_info(&self->gm, &self->bi, "", &m, 1, self->err,
					   sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "module big"));
	EXPECT_NE(NULL, strstr(self->err, "not enough memory"));
}

TEST_F(ld, an_overlong_cmdline_is_refused)
{
	char *cmd = malloc(0x9000);

	memset(cmd, 'a', 0x8fff);
	cmd[0x8fff] = '\0';
	build_elf(&self->img, false, EM_386, 0x100000, kernel_segs, 2);
	ASSERT_EQ(0, load(_metadata, self));
	EXPECT_EQ(-1, multiboot_build_info(&self->gm, &self->bi, cmd, NULL, 0, self->err,
					   sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "too long"));
	free(cmd);
}

/* ---- from files (boot_load) --------------------------------------- */

TEST_F(ld, boot_load_from_a_file_and_missing_files)
{
	char path[] = "/tmp/hvlab-test-loader-XXXXXX";
	struct boot_config cfg = { .image = path, .cmdline = "x" };
	int fd = mkstemp(path);

	ASSERT_GE(fd, 0);
	build_elf(&self->img, true, EM_X86_64, 0x100000, kernel_segs, 2);
	ASSERT_EQ((ssize_t)self->img.len, write(fd, self->img.b, self->img.len));
	close(fd);
	EXPECT_EQ(0, boot_load(&self->gm, &cfg, &self->bi, self->err, sizeof(self->err)));
	EXPECT_EQ(BOOTINFO_BASE, self->bi.info);
	cfg.modules[0] = "/nonexistent/module";
	cfg.nmodules = 1;
	EXPECT_EQ(-1, boot_load(&self->gm, &cfg, &self->bi, self->err, sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "/nonexistent/module"));
	unlink(path);
	cfg.nmodules = 0;
	EXPECT_EQ(-1, boot_load(&self->gm, &cfg, &self->bi, self->err, sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "cannot open"));
	cfg.image = "/";
	EXPECT_EQ(-1, boot_load(&self->gm, &cfg, &self->bi, self->err, sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "not a regular file"));
}

TEST(range_check_does_not_wrap)
{
	char err[256];

	EXPECT_EQ(-1, loader_check_range(RAM, ~0ull - 1, 4, false, "x", err, sizeof(err)));
	EXPECT_EQ(-1, loader_check_range(RAM, 0x100000, ~0ull, false, "x", err, sizeof(err)));
	EXPECT_EQ(0, loader_check_range(RAM, 0x100000, RAM - 0x100000, true, "x", err, sizeof(err)));
	EXPECT_EQ(-1, loader_check_range(RAM, 0x100000, RAM - 0x100000 + 1, true, "x", err,
					 sizeof(err)));
	EXPECT_EQ(0, loader_check_range(RAM, 0x90000, 0x100, false, "x", err, sizeof(err)));
	EXPECT_EQ(-1, loader_check_range(RAM, 0x90000, 0x100, true, "x", err, sizeof(err)));
}

/* ---- the state a vCPU starts in ----------------------------------- */

TEST(multiboot_entry_state)
{
	struct boot_image bi = { .entry = 0x100010, .info = BOOTINFO_BASE };
	struct hvlab_regs r;
	struct hvlab_sregs s;

	boot_vcpu_state(&bi, 0, &r, &s);
	EXPECT_EQ(MULTIBOOT_BOOT_MAGIC, r.rax);
	EXPECT_EQ(BOOTINFO_BASE, r.rbx);
	EXPECT_EQ(0x100010, r.rip);
	EXPECT_EQ(0x2, r.rflags);				/* IF = 0 */
	EXPECT_EQ(1, s.cr0 & 1);				/* PE */
	EXPECT_EQ(0, s.cr0 & (1ull << 31));			/* PG = 0 */
	EXPECT_EQ(0, s.efer);
	EXPECT_EQ(0, s.cs.base);
	EXPECT_EQ(0xffffffffu, s.cs.limit);
	EXPECT_EQ(0xb, s.cs.type);				/* execute/read */
	EXPECT_TRUE(s.cs.db && s.cs.g && s.cs.s && s.cs.present);
	EXPECT_EQ(0x3, s.ss.type);				/* read/write */
	EXPECT_TRUE(s.ds.db && s.ss.db && s.ss.present);
	EXPECT_EQ(0xffffffffu, s.es.limit);
	EXPECT_TRUE(s.ldt.unusable);
	EXPECT_EQ(0xb, s.tr.type);
	EXPECT_FALSE(s.tr.s);
	EXPECT_EQ(0xfee00000ull | (1 << 11) | (1 << 8), s.apic_base);	/* BSP */
	EXPECT_EQ(BOOT_STACKS_BASE + 0x1000, r.rsp);
	boot_vcpu_state(&bi, 3, &r, &s);
	EXPECT_EQ(0xfee00000ull | (1 << 11), s.apic_base);	/* an AP */
	EXPECT_EQ(BOOT_STACKS_BASE + 0x4000, r.rsp);
	EXPECT_LE(r.rsp, LOWMEM_END);
}

TEST(flat_entry_state_is_real_mode)
{
	struct boot_image bi = { .entry = 0x8000, .flat = true };
	struct hvlab_regs r;
	struct hvlab_sregs s;

	boot_vcpu_state(&bi, 0, &r, &s);
	EXPECT_EQ(0x800, s.cs.selector);
	EXPECT_EQ(0x8000, s.cs.base);
	EXPECT_EQ(0xffff, s.cs.limit);
	EXPECT_EQ(0, r.rip);
	EXPECT_EQ(0x10, s.cr0);					/* ET only */
	EXPECT_FALSE(s.cs.db || s.cs.g);
	EXPECT_EQ(0xffff, s.ds.limit);
	EXPECT_EQ(0, s.ds.base);
	EXPECT_EQ(0x3ff, s.idt.limit);
	EXPECT_EQ(0, r.rax);
}

TEST_HARNESS_MAIN
