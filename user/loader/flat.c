// SPDX-License-Identifier: GPL-2.0
/*
 * flat.c - a raw binary (`hvlab run --flat ADDR`): the file's bytes are
 * copied to guest-physical ADDR and the guest starts there in real mode
 * with CS = ADDR >> 4 and IP = 0, the way a boot sector or a .com-style
 * test starts.  Hence ADDR must be 16-byte aligned (a paragraph) and below
 * 1 MiB, and the image must stay clear of page 0 and of the VGA/BIOS hole
 * at 0xA0000: in practice it lives in [0x1000, 0xA0000).
 */
#include <string.h>

#include "guestmem.h"
#include "loader/loader.h"

int flat_load(struct guest_mem *gm, const void *buf, size_t len, uint64_t addr,
	      struct boot_image *img, char *err, size_t errlen)
{
	uint8_t *dst;

	if (addr & 15)
		return loader_error(err, errlen,
				    "--flat address 0x%llx is not 16-byte aligned (CS = ADDR >> 4)",
				    (unsigned long long)addr);
	if (addr >= HIMEM_START)
		return loader_error(err, errlen,
				    "--flat address 0x%llx is not below 1 MiB (real mode)",
				    (unsigned long long)addr);
	if (len == 0)
		return loader_error(err, errlen, "the image is empty");
	if (loader_check_range(gmem_ram_size(gm), addr, len, false, "the image", err, errlen))
		return -1;
	dst = gmem_ptr(gm, addr, len);
	if (!dst)
		return loader_error(err, errlen, "the image is not inside one memory slot");
	memcpy(dst, buf, len);
	memset(img, 0, sizeof(*img));
	img->entry = addr;
	img->lo = addr;
	img->hi = addr + len;
	img->modules_end = img->hi;
	img->flat = true;
	return 0;
}
