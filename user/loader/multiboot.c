// SPDX-License-Identifier: GPL-2.0
/*
 * multiboot.c - the multiboot-1 side of booting (Multiboot Specification
 * 0.6.96): finding and checking the header, loading a non-ELF kernel by
 * the header's address fields, and building the information structure the
 * kernel finds in EBX.
 *
 * The header: a 4-byte aligned {magic 0x1BADB002, flags, checksum} in the
 * first 8 KiB with magic + flags + checksum == 0 (mod 2^32).  Flag bits
 * 0-15 are requirements: hvlab satisfies 0 (page-aligned modules, always
 * done), 1 (memory information, always given) and accepts 2 (a video mode
 * is only a preference: no framebuffer is offered); any other bit in 0-15
 * is refused, as the spec asks.  Bit 16 (the "a.out kludge") says where
 * to load a file that is not ELF; for ELF files the program headers win.
 *
 * The information structure and everything it points to lives in
 * [BOOTINFO_BASE, BOOTINFO_END):
 *   +0x000  struct multiboot_info (flags: memory, cmdline, mods, mmap, name)
 *   +0x080  memory map, 24-byte entries (size field excludes itself)
 *   +0x200  module list, 16 bytes per module
 *   +0x300  boot loader name "hvlab"
 *   +0x400  strings: the command line, then the module names
 * Modules go after the image, page aligned, never below 1 MiB.
 */
#include <stdio.h>
#include <string.h>

#include "guestmem.h"
#include "loader/loader.h"

#define INFO_MMAP	0x080
#define INFO_MODS	0x200
#define INFO_NAME	0x300
#define INFO_STRINGS	0x400

/* struct multiboot_info, as offsets (spec 3.3), all u32. */
enum {
	MBI_FLAGS = 0, MBI_MEM_LOWER = 4, MBI_MEM_UPPER = 8, MBI_CMDLINE = 16,
	MBI_MODS_COUNT = 20, MBI_MODS_ADDR = 24, MBI_MMAP_LENGTH = 44,
	MBI_MMAP_ADDR = 48, MBI_LOADER_NAME = 64, MBI_SIZE = 120,
};

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);	/* x86 host and guest: little-endian */
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

long multiboot_find_header(const void *buf, size_t len, struct multiboot_header *hdr)
{
	const uint8_t *p = buf;
	size_t end = len < MULTIBOOT_SEARCH ? len : MULTIBOOT_SEARCH;

	for (size_t off = 0; off + 12 <= end; off += 4) {
		uint32_t magic = get32(p + off), flags, sum;

		if (magic != MULTIBOOT_HEADER_MAGIC)
			continue;
		flags = get32(p + off + 4);
		sum = get32(p + off + 8);
		if ((uint32_t)(magic + flags + sum) != 0)
			continue;
		memset(hdr, 0, sizeof(*hdr));
		hdr->magic = magic;
		hdr->flags = flags;
		hdr->checksum = sum;
		if (flags & MB_HDR_AOUT_KLUDGE) {
			if (off + 32 > len)
				return -1;
			hdr->header_addr = get32(p + off + 12);
			hdr->load_addr = get32(p + off + 16);
			hdr->load_end_addr = get32(p + off + 20);
			hdr->bss_end_addr = get32(p + off + 24);
			hdr->entry_addr = get32(p + off + 28);
		}
		return (long)off;
	}
	return -1;
}

int multiboot_load_kludge(struct guest_mem *gm, const void *buf, size_t len,
			  struct boot_image *img, char *err, size_t errlen)
{
	struct multiboot_header h;
	long off = multiboot_find_header(buf, len, &h);
	uint64_t ram = gmem_ram_size(gm), file_start, load_len, end, mem_end;
	uint8_t *dst;

	if (off < 0)
		return loader_error(err, errlen,
				    "not an ELF file and no multiboot header in the first 8 KiB; for a raw binary use --flat ADDR");
	if (!(h.flags & MB_HDR_AOUT_KLUDGE))
		return loader_error(err, errlen,
				    "not an ELF file, and its multiboot header has no load addresses (flag bit 16); for a raw binary use --flat ADDR");
	if (h.flags & 0xFFF8u)
		return loader_error(err, errlen,
				    "multiboot header requires features hvlab lacks (flags 0x%x)",
				    h.flags);
	/* the header's own file offset anchors the mapping file -> memory */
	if (h.load_addr > h.header_addr || h.header_addr - h.load_addr > (uint64_t)off)
		return loader_error(err, errlen,
				    "multiboot header: load_addr 0x%x does not fit header_addr 0x%x at file offset 0x%lx",
				    h.load_addr, h.header_addr, off);
	file_start = (uint64_t)off - (h.header_addr - h.load_addr);
	if (h.load_end_addr == 0) {
		load_len = len - file_start;
	} else {
		if (h.load_end_addr < h.load_addr)
			return loader_error(err, errlen,
					    "multiboot header: load_end_addr below load_addr");
		load_len = h.load_end_addr - h.load_addr;
		if (load_len > len - file_start)
			return loader_error(err, errlen,
					    "multiboot header: load_end_addr 0x%x is beyond the end of the file",
					    h.load_end_addr);
	}
	end = h.load_addr + load_len;
	mem_end = end;
	if (h.bss_end_addr) {
		if (h.bss_end_addr < end)
			return loader_error(err, errlen,
					    "multiboot header: bss_end_addr below load_end_addr");
		mem_end = h.bss_end_addr;
	}
	if (loader_check_range(ram, h.load_addr, mem_end - h.load_addr, true, "the image",
			       err, errlen))
		return -1;
	if (h.entry_addr < h.load_addr || h.entry_addr >= mem_end)
		return loader_error(err, errlen, "entry point 0x%x is outside the loaded image",
				    h.entry_addr);
	dst = gmem_ptr(gm, h.load_addr, mem_end - h.load_addr);
	if (!dst)
		return loader_error(err, errlen, "image is not inside one memory slot");
	memcpy(dst, (const uint8_t *)buf + file_start, load_len);
	memset(dst + load_len, 0, mem_end - end);
	memset(img, 0, sizeof(*img));
	img->entry = h.entry_addr;
	img->lo = h.load_addr;
	img->hi = mem_end;
	img->mb_flags = h.flags;
	return 0;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* One memory-map entry: u32 size (20, not counting itself), u64 base, u64 length, u32 type. */
static uint8_t *mmap_entry(uint8_t *p, uint64_t base, uint64_t length, uint32_t type)
{
	put32(p, 20);
	put64(p + 4, base);
	put64(p + 12, length);
	put32(p + 20, type);
	return p + 24;
}

int multiboot_build_info(struct guest_mem *gm, struct boot_image *img, const char *cmdline,
			 const struct boot_module *mods, unsigned nmods, char *err, size_t errlen)
{
	uint64_t ram = gmem_ram_size(gm), next, str;
	uint8_t *info = gmem_ptr(gm, BOOTINFO_BASE, BOOTINFO_END - BOOTINFO_BASE);
	uint8_t *p;
	size_t need;

	if (!info || ram < LOADER_MIN_RAM)
		return loader_error(err, errlen, "not enough memory: a multiboot boot needs at least %llu MiB",
				    LOADER_MIN_RAM >> 20);
	if (nmods > MULTIBOOT_MAX_MODULES)
		return loader_error(err, errlen, "too many modules (at most %d)",
				    MULTIBOOT_MAX_MODULES);
	if (!cmdline)
		cmdline = "";
	need = INFO_STRINGS + strlen(cmdline) + 1;
	for (unsigned i = 0; i < nmods; i++)
		need += strlen(mods[i].name) + 1;
	if (need > BOOTINFO_END - BOOTINFO_BASE)
		return loader_error(err, errlen,
				    "the command line and module names are too long (%zu bytes, at most %llu)",
				    need - INFO_STRINGS, BOOTINFO_END - BOOTINFO_BASE - INFO_STRINGS);

	/* modules: validate all placements before writing anything */
	next = align_up(img->hi > HIMEM_START ? img->hi : HIMEM_START, PAGE_SIZE_4K);
	for (unsigned i = 0; i < nmods; i++) {
		char what[300];

		snprintf(what, sizeof(what), "module %s", mods[i].name);
		if (loader_check_range(ram, next, mods[i].len ? mods[i].len : 1, true, what,
				       err, errlen))
			return -1;
		next = align_up(next + mods[i].len, PAGE_SIZE_4K);
	}

	memset(info, 0, BOOTINFO_END - BOOTINFO_BASE);
	str = BOOTINFO_BASE + INFO_STRINGS;
	put32(info + MBI_FLAGS, MB_INFO_MEMORY | MB_INFO_CMDLINE | MB_INFO_MODS |
		MB_INFO_MEM_MAP | MB_INFO_LOADER_NAME);
	put32(info + MBI_MEM_LOWER, LOWMEM_END >> 10);		/* KiB below 640 K */
	put32(info + MBI_MEM_UPPER, (uint32_t)((ram - HIMEM_START) >> 10)); /* KiB above 1 MiB */
	put32(info + MBI_CMDLINE, (uint32_t)str);
	strcpy((char *)info + (str - BOOTINFO_BASE), cmdline);
	str += strlen(cmdline) + 1;
	memcpy(info + INFO_NAME, "hvlab", 6);
	put32(info + MBI_LOADER_NAME, (uint32_t)(BOOTINFO_BASE + INFO_NAME));

	/* memory map: what is RAM (type 1) and what is not (type 2) */
	p = mmap_entry(info + INFO_MMAP, 0, LOWMEM_END, 1);
	p = mmap_entry(p, LOWMEM_END, HIMEM_START - LOWMEM_END, 2);
	p = mmap_entry(p, HIMEM_START, ram - HIMEM_START, 1);
	p = mmap_entry(p, 0xFEE00000ull, PAGE_SIZE_4K, 2);		/* local APIC */
	put32(info + MBI_MMAP_ADDR, (uint32_t)(BOOTINFO_BASE + INFO_MMAP));
	put32(info + MBI_MMAP_LENGTH, (uint32_t)(p - (info + INFO_MMAP)));

	/* modules: {mod_start, mod_end (exclusive), string, reserved} */
	next = align_up(img->hi > HIMEM_START ? img->hi : HIMEM_START, PAGE_SIZE_4K);
	for (unsigned i = 0; i < nmods; i++) {
		uint8_t *m = info + INFO_MODS + 16 * i;

		if (mods[i].len)
			memcpy(gmem_ptr(gm, next, mods[i].len), mods[i].data, mods[i].len);
		put32(m, (uint32_t)next);
		put32(m + 4, (uint32_t)(next + mods[i].len));
		put32(m + 8, (uint32_t)str);
		strcpy((char *)info + (str - BOOTINFO_BASE), mods[i].name);
		str += strlen(mods[i].name) + 1;
		next = align_up(next + mods[i].len, PAGE_SIZE_4K);
		img->modules_end = next;
	}
	put32(info + MBI_MODS_COUNT, nmods);
	put32(info + MBI_MODS_ADDR, (uint32_t)(BOOTINFO_BASE + INFO_MODS));
	if (!nmods)
		img->modules_end = img->hi;
	img->info = (uint32_t)BOOTINFO_BASE;
	return 0;
}
