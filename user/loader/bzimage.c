// SPDX-License-Identifier: GPL-2.0
/*
 * bzimage.c - booting an unmodified Linux bzImage by the 64-bit boot
 * protocol (Documentation/arch/x86/boot.rst, "64-bit Boot Protocol";
 * the zero page is Documentation/arch/x86/zero-page.rst).
 *
 * A bzImage is the real-mode setup (setup_sects + 1 sectors of 512 bytes,
 * the boot sector included) followed by the protected-mode kernel, a
 * self-decompressing program.  The setup header at file offset 0x1f1
 * describes both; it ends at 0x202 + the byte at 0x201 (the operand of the
 * short jump at 0x200).  hvlab never runs the real-mode setup: it does
 * what that setup would have done and enters the kernel in 64-bit mode:
 *
 *   the protected-mode kernel  file offset (setup_sects + 1) * 512, loaded
 *                              at 1 MiB; it decompresses itself to
 *                              max(pref_address, 1 MiB aligned up to
 *                              kernel_alignment) and needs init_size bytes
 *                              from there, which must be inside RAM
 *   the initrd                 as high as RAM and initrd_addr_max allow,
 *                              page-aligned, above that decompression area
 *   the zero page              BZ_BOOT_PARAMS: zeroed, the file's setup
 *                              header copied in, then the loader's fields:
 *                              type_of_loader, vid_mode, cmd_line_ptr,
 *                              ramdisk_*, the e820 map, acpi_rsdp_addr
 *   GDT, page tables           the 64-bit entry needs __BOOT_CS (0x10) and
 *                              __BOOT_DS (0x18) flat, and an identity map
 *                              of everything it touches: 0-4 GiB in 2 MiB
 *                              pages, which covers all of hvlab's RAM
 *   ACPI tables, MP table      acpi.c, mptable.c; the zero page points at
 *                              the RSDP
 *
 * vCPU 0 then starts at load address + 0x200 (startup_64) with RSI = the
 * zero page, interrupts off (boot_vcpu_state in vm.c).
 *
 * Only boot protocol 2.12 (Linux 3.8) and newer is accepted: that is the
 * first with xloadflags, which says whether the 64-bit entry exists.
 * Invariant: every field of the file is checked, and every placement
 * against guest RAM, before the first byte is written to guest memory.
 */
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "guestmem.h"
#include "hw/board.h"
#include "hw/irq.h"
#include "loader/acpi.h"
#include "loader/loader.h"

#define BZ_HDR_START		0x1f1	/* the setup header, in the file and the zero page */
#define BZ_HDR_MIN_END		0x268	/* protocol 2.12 ends after handover_offset */
#define BZ_HDR_MAX_END		0x290	/* where the zero page's next field begins */
#define BZ_SIGNATURE		0x53726448u	/* "HdrS" at 0x202 */
#define BZ_BOOT_FLAG		0xaa55
#define BZ_LOADED_HIGH		(1u << 0)	/* loadflags: protected-mode code at 1 MiB */
#define BZ_XLF_KERNEL_64	(1u << 0)	/* xloadflags: startup_64 at +0x200 */
#define BZ_ENTRY64_OFFSET	0x200
#define BZ_VID_NORMAL		0xffff	/* vid_mode: "normal", no mode change */

#define E820_RAM		1
#define E820_RESERVED		2
#define E820_MAX_ZEROPAGE	128
#define EBDA_START		0x9fc00ull	/* the last 1 KiB below 640 KiB, as on a PC */

/* The setup header (boot.rst, "The Real-Mode Kernel Header"), at 0x1f1. */
struct bz_setup_header {
	uint8_t setup_sects;
	uint16_t root_flags;
	uint32_t syssize;
	uint16_t ram_size;
	uint16_t vid_mode;
	uint16_t root_dev;
	uint16_t boot_flag;
	uint16_t jump;
	uint32_t header;
	uint16_t version;
	uint32_t realmode_swtch;
	uint16_t start_sys_seg;
	uint16_t kernel_version;
	uint8_t type_of_loader;
	uint8_t loadflags;
	uint16_t setup_move_size;
	uint32_t code32_start;
	uint32_t ramdisk_image;
	uint32_t ramdisk_size;
	uint32_t bootsect_kludge;
	uint16_t heap_end_ptr;
	uint8_t ext_loader_ver;
	uint8_t ext_loader_type;
	uint32_t cmd_line_ptr;
	uint32_t initrd_addr_max;
	uint32_t kernel_alignment;
	uint8_t relocatable_kernel;
	uint8_t min_alignment;
	uint16_t xloadflags;
	uint32_t cmdline_size;
	uint32_t hardware_subarch;
	uint64_t hardware_subarch_data;
	uint32_t payload_offset;
	uint32_t payload_length;
	uint64_t setup_data;
	uint64_t pref_address;
	uint32_t init_size;
	uint32_t handover_offset;
	uint32_t kernel_info_offset;
} __attribute__((packed));

struct bz_e820_entry {
	uint64_t addr, size;
	uint32_t type;
} __attribute__((packed));

/* The zero page (zero-page.rst): only the fields hvlab fills are named. */
struct bz_boot_params {
	uint8_t screen_info[0x40];		/* zero: no VGA text console */
	uint8_t pad1[0x70 - 0x40];
	uint64_t acpi_rsdp_addr;
	uint8_t pad2[0xc0 - 0x78];
	uint32_t ext_ramdisk_image;		/* bits 32-63 of the hdr fields */
	uint32_t ext_ramdisk_size;
	uint32_t ext_cmd_line_ptr;
	uint8_t pad3[0x1e8 - 0xcc];
	uint8_t e820_entries;
	uint8_t pad4[BZ_HDR_START - 0x1e9];
	struct bz_setup_header hdr;
	uint8_t pad5[0x2d0 - 0x26c];
	struct bz_e820_entry e820_table[E820_MAX_ZEROPAGE];
	uint8_t pad6[0x1000 - 0xcd0];
} __attribute__((packed));

#define HDR_AT(field) (BZ_HDR_START + offsetof(struct bz_setup_header, field))
_Static_assert(HDR_AT(setup_sects) == 0x1f1 && HDR_AT(syssize) == 0x1f4, "setup header");
_Static_assert(HDR_AT(vid_mode) == 0x1fa && HDR_AT(boot_flag) == 0x1fe, "setup header");
_Static_assert(HDR_AT(header) == 0x202 && HDR_AT(version) == 0x206, "setup header");
_Static_assert(HDR_AT(type_of_loader) == 0x210 && HDR_AT(loadflags) == 0x211, "setup header");
_Static_assert(HDR_AT(ramdisk_image) == 0x218 && HDR_AT(ramdisk_size) == 0x21c, "setup header");
_Static_assert(HDR_AT(cmd_line_ptr) == 0x228 && HDR_AT(initrd_addr_max) == 0x22c, "setup header");
_Static_assert(HDR_AT(kernel_alignment) == 0x230 && HDR_AT(relocatable_kernel) == 0x234,
	       "setup header");
_Static_assert(HDR_AT(xloadflags) == 0x236 && HDR_AT(cmdline_size) == 0x238, "setup header");
_Static_assert(HDR_AT(setup_data) == 0x250 && HDR_AT(pref_address) == 0x258, "setup header");
_Static_assert(HDR_AT(init_size) == 0x260 && HDR_AT(handover_offset) == 0x264, "setup header");
_Static_assert(BZ_HDR_START + sizeof(struct bz_setup_header) == 0x26c, "setup header size");
_Static_assert(sizeof(struct bz_e820_entry) == 20, "e820 entry");
_Static_assert(offsetof(struct bz_boot_params, acpi_rsdp_addr) == 0x070, "zero page");
_Static_assert(offsetof(struct bz_boot_params, ext_ramdisk_image) == 0x0c0, "zero page");
_Static_assert(offsetof(struct bz_boot_params, ext_cmd_line_ptr) == 0x0c8, "zero page");
_Static_assert(offsetof(struct bz_boot_params, e820_entries) == 0x1e8, "zero page");
_Static_assert(offsetof(struct bz_boot_params, hdr) == BZ_HDR_START, "zero page");
_Static_assert(offsetof(struct bz_boot_params, e820_table) == 0x2d0, "zero page");
_Static_assert(sizeof(struct bz_boot_params) == 0x1000, "the zero page is one page");
_Static_assert(BZ_PD + 4 * PAGE_SIZE_4K == BOOTINFO_END, "the boot data fills the info area");
_Static_assert(BZ_CMDLINE + BZ_CMDLINE_MAX == BZ_PML4, "the command line ends at the PML4");

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint16_t get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

bool bzimage_is_bzimage(const void *buf, size_t len)
{
	return len >= 0x206 && get32((const uint8_t *)buf + 0x202) == BZ_SIGNATURE;
}

bool bzimage_file_is_bzimage(const char *path)
{
	uint8_t head[0x206];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return false;
	n = pread(fd, head, sizeof(head), 0);
	close(fd);
	return n == (ssize_t)sizeof(head) && bzimage_is_bzimage(head, sizeof(head));
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* The header fields, checked; returns the protected-mode part's offset and length. */
static int check_header(const uint8_t *b, size_t len, struct bz_setup_header *h,
			uint64_t *pm_off, uint64_t *pm_len, char *err, size_t errlen)
{
	unsigned sects;
	size_t end;

	if (!bzimage_is_bzimage(b, len))
		return loader_error(err, errlen, "no bzImage setup header (\"HdrS\" at 0x202)");
	if (get16(b + 0x1fe) != BZ_BOOT_FLAG)
		return loader_error(err, errlen,
				    "the setup header's boot_flag is 0x%x, not 0xaa55: a damaged bzImage",
				    get16(b + 0x1fe));
	if (get16(b + 0x206) < BZ_MIN_VERSION)
		return loader_error(err, errlen,
				    "boot protocol %u.%02u is too old: hvlab boots bzImages of protocol 2.12 (Linux 3.8) or newer",
				    b[0x207], b[0x206]);
	end = 0x202 + (size_t)b[0x201];
	if (end < BZ_HDR_MIN_END || end > BZ_HDR_MAX_END)
		return loader_error(err, errlen,
				    "the setup header claims to end at 0x%zx, implausible for protocol 2.12 or newer",
				    end);
	if (end > len)
		return loader_error(err, errlen, "the file (%zu bytes) ends inside its setup header",
				    len);
	/* fields beyond what hvlab knows are not copied: they stay zero */
	memset(h, 0, sizeof(*h));
	memcpy(h, b + BZ_HDR_START,
	       (end < BZ_HDR_START + sizeof(*h) ? end : BZ_HDR_START + sizeof(*h)) - BZ_HDR_START);
	if (!(h->loadflags & BZ_LOADED_HIGH))
		return loader_error(err, errlen,
				    "the kernel loads below 1 MiB (a zImage, LOADED_HIGH clear); hvlab boots only bzImages");
	if (!(h->xloadflags & BZ_XLF_KERNEL_64))
		return loader_error(err, errlen,
				    "the kernel has no 64-bit entry point (xloadflags lacks XLF_KERNEL_64); hvlab boots only 64-bit kernels");
	sects = h->setup_sects ? h->setup_sects : 4;	/* 0 means 4 (boot.rst) */
	if (sects > BZ_MAX_SETUP_SECTS)
		return loader_error(err, errlen,
				    "setup_sects %u is absurd: the real-mode setup is at most %d sectors",
				    sects, BZ_MAX_SETUP_SECTS);
	*pm_off = (uint64_t)(sects + 1) * 512;
	if (*pm_off >= len || len - *pm_off <= BZ_ENTRY64_OFFSET)
		return loader_error(err, errlen,
				    "truncated: the file (%zu bytes) ends before the 64-bit entry of its protected-mode kernel at 0x%llx",
				    len, (unsigned long long)(*pm_off + BZ_ENTRY64_OFFSET));
	*pm_len = len - *pm_off;
	if (h->syssize == 0 || (uint64_t)h->syssize * 16 > *pm_len)
		return loader_error(err, errlen,
				    "truncated: syssize says the kernel is %llu bytes, the file holds %llu after the setup",
				    (unsigned long long)h->syssize * 16,
				    (unsigned long long)*pm_len);
	if (h->init_size < *pm_len)
		return loader_error(err, errlen,
				    "init_size 0x%x is smaller than the kernel itself (0x%llx bytes)",
				    h->init_size, (unsigned long long)*pm_len);
	if (h->relocatable_kernel &&
	    (h->kernel_alignment < PAGE_SIZE_4K ||
	     (h->kernel_alignment & (h->kernel_alignment - 1))))
		return loader_error(err, errlen,
				    "kernel_alignment 0x%x is not a power of two of at least 4 KiB",
				    h->kernel_alignment);
	if (h->pref_address < HIMEM_START || h->pref_address > LOADER_MAX_RAM)
		return loader_error(err, errlen,
				    "pref_address 0x%llx is not between 1 MiB and 3 GiB",
				    (unsigned long long)h->pref_address);
	return 0;
}

/*
 * Where the kernel decompresses itself (arch/x86/boot/compressed/head_64.S,
 * startup_64): a relocatable kernel at its load address rounded up to
 * kernel_alignment, but never below LOAD_PHYSICAL_ADDR (= pref_address);
 * a fixed one at pref_address.  It needs init_size bytes from there.
 */
static uint64_t decompress_base(const struct bz_setup_header *h)
{
	uint64_t base = h->pref_address;

	if (h->relocatable_kernel && align_up(BZ_KERNEL_ADDR, h->kernel_alignment) > base)
		base = align_up(BZ_KERNEL_ADDR, h->kernel_alignment);
	return base;
}

static void e820(struct bz_boot_params *bp, uint64_t addr, uint64_t size, uint32_t type)
{
	struct bz_e820_entry *e = &bp->e820_table[bp->e820_entries++];

	e->addr = addr;
	e->size = size;
	e->type = type;
}

/* 64-bit mode wants flat 4 GiB __BOOT_CS (long mode code) and __BOOT_DS. */
static void build_gdt(uint8_t *gdt)
{
	/* base 0, limit 0xfffff, G; code: P, S, type 0xb (execute/read, accessed), L */
	const uint64_t code64 = 0x00af9b000000ffffull;
	/* data: P, S, type 0x3 (read/write, accessed), D/B, G */
	const uint64_t data = 0x00cf93000000ffffull;

	memset(gdt, 0, BZ_GDT_LIMIT + 1);
	memcpy(gdt + BZ_BOOT_CS, &code64, 8);
	memcpy(gdt + BZ_BOOT_DS, &data, 8);
}

/* Identity map of 0-4 GiB: PML4[0] -> PDPT, PDPT[0..3] -> 4 PDs of 2 MiB pages. */
static void build_page_tables(uint8_t *pml4, uint8_t *pdpt, uint8_t *pd)
{
	const uint64_t present_rw = 0x3, page_2m = 0x80;

	memset(pml4, 0, PAGE_SIZE_4K);
	memset(pdpt, 0, PAGE_SIZE_4K);
	*(uint64_t *)pml4 = BZ_PDPT | present_rw;
	for (unsigned i = 0; i < 4; i++) {
		((uint64_t *)pdpt)[i] = (BZ_PD + i * PAGE_SIZE_4K) | present_rw;
		for (unsigned j = 0; j < 512; j++)
			((uint64_t *)pd)[i * 512 + j] =
				((uint64_t)(i * 512 + j) << 21) | present_rw | page_2m;
	}
}

int bzimage_load(struct guest_mem *gm, const void *buf, size_t len, const char *cmdline,
		 const void *initrd, size_t initrd_len, unsigned ncpus,
		 struct boot_image *img, char *err, size_t errlen)
{
	const uint8_t *b = buf;
	struct bz_setup_header h;
	struct bz_boot_params *bp;
	uint64_t ram = gmem_ram_size(gm), pm_off = 0, pm_len = 0, base, kernel_end, rd = 0;
	uint8_t *low, *kern, *rdp = NULL;
	size_t clen;

	if (check_header(b, len, &h, &pm_off, &pm_len, err, errlen))
		return -1;
	if (loader_check_range(ram, BZ_KERNEL_ADDR, pm_len, false, "the kernel", err, errlen))
		return -1;
	base = decompress_base(&h);
	if (loader_check_range(ram, base, h.init_size, false,
			       "the kernel's decompression area (init_size)", err, errlen))
		return -1;
	kernel_end = align_up(base + h.init_size, PAGE_SIZE_4K);

	if (!cmdline)
		cmdline = "";
	clen = strlen(cmdline);
	if (clen > h.cmdline_size)
		return loader_error(err, errlen,
				    "the command line is %zu bytes; this kernel takes at most %u",
				    clen, h.cmdline_size);
	if (clen + 1 > BZ_CMDLINE_MAX)
		return loader_error(err, errlen,
				    "the command line is %zu bytes; hvlab passes at most %llu",
				    clen, BZ_CMDLINE_MAX - 1);

	if (initrd_len) {
		/* initrd_addr_max is the highest address the initrd may occupy */
		uint64_t top = (uint64_t)h.initrd_addr_max + 1;

		if (top > ram)
			top = ram;
		if (initrd_len > top || ((top - initrd_len) & ~(PAGE_SIZE_4K - 1)) < kernel_end)
			return loader_error(err, errlen,
					    "not enough memory: the initrd (%zu KiB) does not fit between the kernel's end at 0x%llx and 0x%llx; give more with -m",
					    initrd_len >> 10, (unsigned long long)kernel_end,
					    (unsigned long long)top);
		rd = (top - initrd_len) & ~(PAGE_SIZE_4K - 1);
		rdp = gmem_ptr(gm, rd, initrd_len);
	}
	low = gmem_ptr(gm, BOOTINFO_BASE, BOOTINFO_END - BOOTINFO_BASE);
	kern = gmem_ptr(gm, BZ_KERNEL_ADDR, pm_len);
	if (!low || !kern || (initrd_len && !rdp))
		return loader_error(err, errlen, "the kernel's memory is not inside one memory slot");
	/*
	 * The last check, and the first write: acpi_build writes only when it
	 * succeeds.  mptable_build fails on the same ncpus, and RAM beyond
	 * 1 MiB (the kernel is there) covers its area, so it cannot fail now.
	 */
	if (acpi_build(gm, ncpus, err, errlen) || mptable_build(gm, ncpus, err, errlen))
		return -1;

	memcpy(kern, b + pm_off, pm_len);
	if (initrd_len)
		memcpy(rdp, initrd, initrd_len);

	bp = (struct bz_boot_params *)(low + (BZ_BOOT_PARAMS - BOOTINFO_BASE));
	memset(bp, 0, sizeof(*bp));
	bp->hdr = h;
	bp->hdr.vid_mode = BZ_VID_NORMAL;
	bp->hdr.type_of_loader = BZ_TYPE_OF_LOADER;
	bp->hdr.cmd_line_ptr = (uint32_t)BZ_CMDLINE;
	bp->ext_cmd_line_ptr = (uint32_t)(BZ_CMDLINE >> 32);
	bp->hdr.ramdisk_image = (uint32_t)rd;
	bp->ext_ramdisk_image = (uint32_t)(rd >> 32);
	bp->hdr.ramdisk_size = (uint32_t)initrd_len;
	bp->ext_ramdisk_size = (uint32_t)((uint64_t)initrd_len >> 32);
	bp->acpi_rsdp_addr = ACPI_RSDP_ADDR;
	/* sorted, no overlaps; the BIOS area (with the ACPI tables) is reserved */
	e820(bp, 0, EBDA_START, E820_RAM);
	e820(bp, EBDA_START, HIMEM_START - EBDA_START, E820_RESERVED);
	e820(bp, HIMEM_START, ram - HIMEM_START, E820_RAM);
	e820(bp, IOAPIC_BASE, PAGE_SIZE_4K, E820_RESERVED);
	e820(bp, LAPIC_BASE, PAGE_SIZE_4K, E820_RESERVED);

	memset(low + (BZ_CMDLINE - BOOTINFO_BASE), 0, BZ_CMDLINE_MAX);
	memcpy(low + (BZ_CMDLINE - BOOTINFO_BASE), cmdline, clen);
	build_gdt(low + (BZ_GDT - BOOTINFO_BASE));
	build_page_tables(low + (BZ_PML4 - BOOTINFO_BASE), low + (BZ_PDPT - BOOTINFO_BASE),
			  low + (BZ_PD - BOOTINFO_BASE));

	memset(img, 0, sizeof(*img));
	img->entry = BZ_KERNEL_ADDR + BZ_ENTRY64_OFFSET;
	img->lo = BZ_KERNEL_ADDR;
	img->hi = BZ_KERNEL_ADDR + pm_len;
	img->modules_end = initrd_len ? rd + initrd_len : img->hi;
	img->linux64 = true;
	img->boot_params = BZ_BOOT_PARAMS;
	img->page_tables = BZ_PML4;
	img->gdt = BZ_GDT;
	img->initrd = rd;
	img->initrd_len = initrd_len;
	return 0;
}
