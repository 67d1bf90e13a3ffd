/* SPDX-License-Identifier: GPL-2.0 */
/*
 * loader.h - putting a guest image into guest memory: Linux bzImages (the
 * 64-bit boot protocol, with an initrd, the zero page and the ACPI tables),
 * multiboot-1 kernels (ELF32/ELF64 via libelf, or any file with the
 * multiboot "a.out kludge"), flat binaries at a chosen address, boot
 * modules, and the multiboot information structure.
 *
 * The guest-physical layout every loader respects (docs/running.md):
 *
 *   0x00000 - 0x00fff   page 0: never written, so null pointers fault loudly
 *                       in the guest's own page tables
 *   0x01000 - 0x8ffff   free for images (and for the guest)
 *   0x90000 - 0x97fff   multiboot information, memory map, module list,
 *                       strings (multiboot boots only), or for a bzImage:
 *     0x90000             the zero page (struct boot_params, 4 KiB; RSI)
 *     0x91000             the GDT: 0x10 = 64-bit code, 0x18 = data
 *     0x91100 - 0x91fff   the kernel command line
 *     0x92000             PML4 (CR3), 0x93000 the PDPT, 0x94000 - 0x97fff
 *                         four page directories: 0 - 4 GiB identity-mapped
 *                         with 2 MiB pages
 *   0x98000 - 0x9ffff   the initial stacks, 4 KiB per vCPU (multiboot and
 *                       the bzImage's vCPU 0)
 *   0xa0000 - 0xfffff   the legacy VGA/BIOS hole, reserved in the memory map;
 *                       the ACPI tables at 0xe0000 (hw/board.h, acpi.h),
 *                       the MP table at 0xf0000 (bzImage boots)
 *   0x100000 - RAM end  free for images; modules go after the image; a
 *                       bzImage's protected-mode part loads at 0x100000, its
 *                       initrd as high as RAM and initrd_addr_max allow
 *
 * Invariants: nothing is written to guest memory before the whole image
 * has been validated, every offset and size read from a file is checked
 * against the file length and guest RAM with overflow-safe arithmetic, and
 * every failure fills `err` with one sentence naming the file's problem.
 */
#ifndef HVLAB_LOADER_H
#define HVLAB_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct guest_mem;

#define PAGE_SIZE_4K		0x1000ull
#define BOOTINFO_BASE		0x90000ull
#define BOOTINFO_END		0x98000ull
#define BOOT_STACKS_BASE	0x98000ull	/* vCPU i: ESP = base + (i + 1) * 4K */
#define LOWMEM_END		0xA0000ull
#define HIMEM_START		0x100000ull
#define LOADER_MIN_RAM		(2ull << 20)
#define LOADER_MAX_RAM		(3ull << 30)	/* below the LAPIC and PCI hole */

#define MULTIBOOT_HEADER_MAGIC	0x1BADB002u
#define MULTIBOOT_BOOT_MAGIC	0x2BADB002u	/* EAX at entry */
#define MULTIBOOT_SEARCH	8192		/* header within the first 8 KiB */
#define MULTIBOOT_MAX_MODULES	16

/* Multiboot header flags (multiboot spec 0.6.96, 3.1.2). */
#define MB_HDR_PAGE_ALIGN	(1u << 0)
#define MB_HDR_MEMORY_INFO	(1u << 1)
#define MB_HDR_VIDEO_MODE	(1u << 2)
#define MB_HDR_AOUT_KLUDGE	(1u << 16)

/* Multiboot information flags (3.3). */
#define MB_INFO_MEMORY		(1u << 0)
#define MB_INFO_CMDLINE		(1u << 2)
#define MB_INFO_MODS		(1u << 3)
#define MB_INFO_MEM_MAP		(1u << 6)
#define MB_INFO_LOADER_NAME	(1u << 9)

struct multiboot_header {
	uint32_t magic, flags, checksum;
	/* valid when flags has MB_HDR_AOUT_KLUDGE */
	uint32_t header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr;
};

/* What a loader found; the vCPU set-up starts the guest from it. */
struct boot_image {
	uint64_t entry;		/* GPA of the first instruction */
	uint64_t lo, hi;	/* [lo, hi): memory the image occupies */
	bool flat;		/* start in real mode, CS = entry >> 4, IP = 0 */
	bool elf;
	bool elf64;
	uint32_t mb_flags;	/* multiboot header flags */
	uint32_t info;		/* GPA of the multiboot information (EBX) */
	uint64_t modules_end;	/* end of the last module, or hi */
	/* a bzImage: vCPU 0 starts at entry in 64-bit mode (boot.rst, 64-bit protocol) */
	bool linux64;
	uint64_t boot_params;	/* GPA of the zero page (RSI) */
	uint64_t page_tables;	/* GPA of the PML4 (CR3) */
	uint64_t gdt;		/* GPA of the GDT (limit BZ_GDT_LIMIT) */
	uint64_t initrd, initrd_len;	/* where the initrd went (0, 0: none) */
};

struct boot_module {
	const char *name;	/* the string the guest sees */
	const void *data;
	size_t len;
};

/*
 * Fails with a sentence in err unless [gpa, gpa + len) is inside guest RAM
 * and clear of page 0 and of the reserved areas (the multiboot ones only
 * when `multiboot`).  `what` names the thing for the message.
 */
int loader_check_range(uint64_t ram, uint64_t gpa, uint64_t len, bool multiboot,
		       const char *what, char *err, size_t errlen);
/* snprintf into err, returns -1: `return loader_error(err, n, "...")` */
int loader_error(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* multiboot.c */
/* Finds a valid header in the first 8 KiB: its file offset, or -1. */
long multiboot_find_header(const void *buf, size_t len, struct multiboot_header *hdr);
/* Loads a non-ELF file by its header's address fields (the a.out kludge). */
int multiboot_load_kludge(struct guest_mem *gm, const void *buf, size_t len,
			  struct boot_image *img, char *err, size_t errlen);
/* Places modules after the image and writes the multiboot information. */
int multiboot_build_info(struct guest_mem *gm, struct boot_image *img, const char *cmdline,
			 const struct boot_module *mods, unsigned nmods, char *err, size_t errlen);

/* elf.c: 1 if buf starts with the ELF magic. */
bool elf_is_elf(const void *buf, size_t len);
/* Loads a multiboot ELF32/ELF64 kernel by its program headers. */
int elf_load(struct guest_mem *gm, const void *buf, size_t len, struct boot_image *img,
	     char *err, size_t errlen);

/* flat.c: a raw binary at `addr` (16-byte aligned, below 1 MiB). */
int flat_load(struct guest_mem *gm, const void *buf, size_t len, uint64_t addr,
	      struct boot_image *img, char *err, size_t errlen);

/* bzimage.c: Linux's bzImage (Documentation/arch/x86/boot.rst). */
#define BZ_BOOT_PARAMS		0x90000ull	/* the zero page */
#define BZ_GDT			0x91000ull
#define BZ_GDT_LIMIT		0x1f		/* 4 descriptors: null, null, code, data */
#define BZ_CMDLINE		0x91100ull
#define BZ_CMDLINE_MAX		0xf00ull	/* bytes, with the NUL */
#define BZ_PML4			0x92000ull
#define BZ_PDPT			0x93000ull
#define BZ_PD			0x94000ull	/* 4 pages, up to 0x98000 */
#define BZ_BOOT_CS		0x10		/* __BOOT_CS */
#define BZ_BOOT_DS		0x18		/* __BOOT_DS */
#define BZ_KERNEL_ADDR		HIMEM_START	/* the protected-mode kernel */
#define BZ_MIN_VERSION		0x020c		/* boot protocol 2.12: xloadflags */
#define BZ_MAX_SETUP_SECTS	64		/* the real-mode setup is at most 32 KiB */
#define BZ_TYPE_OF_LOADER	0xff		/* "undefined" (boot.rst, type_of_loader) */

/* 1 if buf carries the bzImage setup header signature "HdrS" at 0x202. */
bool bzimage_is_bzimage(const void *buf, size_t len);
/* The same for a file; false when it cannot be read. */
bool bzimage_file_is_bzimage(const char *path);
/*
 * Loads the protected-mode kernel at BZ_KERNEL_ADDR, the initrd (may be
 * NULL) high, and builds the zero page, command line, GDT, page tables and
 * ACPI tables (for ncpus vCPUs).  Validates everything before writing.
 */
int bzimage_load(struct guest_mem *gm, const void *buf, size_t len, const char *cmdline,
		 const void *initrd, size_t initrd_len, unsigned ncpus,
		 struct boot_image *img, char *err, size_t errlen);

/*
 * mptable.c: the MP spec 1.4 floating pointer and configuration table at
 * MPTABLE_ADDR for ncpus vCPUs (the MADT's wiring, for an OS without
 * ACPI).  Writes nothing when it fails (ncpus out of range, no RAM there).
 */
int mptable_build(struct guest_mem *gm, unsigned ncpus, char *err, size_t errlen);

/* boot.c: the whole job for hvlab run, from file names. */
struct boot_config {
	const char *image;
	bool flat;
	uint64_t flat_addr;
	const char *cmdline;		/* NULL: empty */
	const char *modules[MULTIBOOT_MAX_MODULES];
	unsigned nmodules;
	const char *initrd;		/* --initrd, bzImages only; NULL: none */
	unsigned ncpus;			/* for the ACPI tables; 0 counts as 1 */
};
int loader_read_file(const char *path, void **buf, size_t *len, char *err, size_t errlen);
int boot_load(struct guest_mem *gm, const struct boot_config *cfg, struct boot_image *img,
	      char *err, size_t errlen);

#endif
