// SPDX-License-Identifier: GPL-2.0
/*
 * boot.c - the loader's front door for hvlab run: read the image and the
 * modules, pick the right loader, build the multiboot information.
 *
 * Which loader (in this order):
 *   --flat ADDR                       flat.c, real mode, no multiboot info
 *   "HdrS" at 0x202                   bzimage.c, Linux, with --initrd and
 *                                     the ACPI tables; no multiboot info
 *   the file starts with \x7fELF      elf.c, program headers, multiboot
 *   a multiboot header with bit 16    multiboot.c, the a.out kludge
 *   otherwise                         an error suggesting --flat
 * Also here: the two helpers every loader uses, loader_error() and the
 * range check that keeps images inside RAM and off reserved memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guestmem.h"
#include "loader/loader.h"

int loader_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

struct reserved {
	uint64_t lo, hi;
	bool multiboot_only;
	const char *what;
};

static const struct reserved reserved[] = {
	{ 0, PAGE_SIZE_4K, false, "page 0, which hvlab keeps free" },
	{ BOOTINFO_BASE, LOWMEM_END, true, "the multiboot information and boot stacks" },
	{ LOWMEM_END, HIMEM_START, false, "the VGA/BIOS hole" },
};

int loader_check_range(uint64_t ram, uint64_t gpa, uint64_t len, bool multiboot,
		       const char *what, char *err, size_t errlen)
{
	if (len == 0)
		return 0;
	if (gpa >= ram || len > ram - gpa)
		return loader_error(err, errlen,
				    "not enough memory: %s at 0x%llx-0x%llx ends beyond guest RAM (%llu MiB); give more with -m",
				    what, (unsigned long long)gpa,
				    (unsigned long long)(gpa + len - 1 < gpa ? ~0ull : gpa + len - 1),
				    (unsigned long long)(ram >> 20));
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		const struct reserved *r = &reserved[i];

		if (r->multiboot_only && !multiboot)
			continue;
		if (gpa < r->hi && r->lo < gpa + len)
			return loader_error(err, errlen,
					    "%s at 0x%llx-0x%llx overlaps reserved memory 0x%llx-0x%llx (%s)",
					    what, (unsigned long long)gpa,
					    (unsigned long long)(gpa + len - 1),
					    (unsigned long long)r->lo,
					    (unsigned long long)r->hi - 1, r->what);
	}
	return 0;
}

int loader_read_file(const char *path, void **bufp, size_t *lenp, char *err, size_t errlen)
{
	struct stat st;
	char *buf;
	size_t done = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return loader_error(err, errlen, "cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return loader_error(err, errlen, "%s is not a regular file", path);
	}
	if (st.st_size == 0) {
		close(fd);
		return loader_error(err, errlen, "%s is empty", path);
	}
	if ((unsigned long long)st.st_size > LOADER_MAX_RAM) {
		close(fd);
		return loader_error(err, errlen, "%s is larger than any guest RAM", path);
	}
	buf = malloc((size_t)st.st_size);
	if (!buf) {
		close(fd);
		return loader_error(err, errlen, "out of memory reading %s", path);
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, (size_t)st.st_size - done);

		if (n <= 0) {
			int e = n < 0 ? errno : EIO;

			free(buf);
			close(fd);
			return loader_error(err, errlen, "cannot read %s: %s", path, strerror(e));
		}
		done += (size_t)n;
	}
	close(fd);
	*bufp = buf;
	*lenp = done;
	return 0;
}

/* Prefixes err with the file name, keeping the loader's sentence. */
static int with_path(const char *path, char *err, size_t errlen)
{
	char tmp[512];

	snprintf(tmp, sizeof(tmp), "%s: %s", path, err);
	snprintf(err, errlen, "%s", tmp);
	return -1;
}

/* A bzImage: the initrd from its file, then bzimage.c does the rest. */
static int boot_linux(struct guest_mem *gm, const struct boot_config *cfg, const void *buf,
		      size_t len, struct boot_image *img, char *err, size_t errlen)
{
	void *rd = NULL;
	size_t rdlen = 0;
	int ret;

	if (cfg->nmodules)
		return loader_error(err, errlen,
				    "%s is a Linux bzImage: it takes --initrd, not --module", cfg->image);
	if (cfg->initrd && loader_read_file(cfg->initrd, &rd, &rdlen, err, errlen))
		return -1;
	ret = bzimage_load(gm, buf, len, cfg->cmdline, rd, rdlen, cfg->ncpus ? cfg->ncpus : 1,
			   img, err, errlen);
	free(rd);
	return ret ? with_path(cfg->image, err, errlen) : 0;
}

int boot_load(struct guest_mem *gm, const struct boot_config *cfg, struct boot_image *img,
	      char *err, size_t errlen)
{
	struct boot_module mods[MULTIBOOT_MAX_MODULES];
	void *buf = NULL;
	size_t len = 0;
	unsigned i;
	int ret;

	memset(img, 0, sizeof(*img));
	if (cfg->nmodules > MULTIBOOT_MAX_MODULES)
		return loader_error(err, errlen, "too many modules (at most %d)",
				    MULTIBOOT_MAX_MODULES);
	if (cfg->flat && cfg->nmodules)
		return loader_error(err, errlen, "--module needs a multiboot image, not --flat");
	if (cfg->flat && cfg->initrd)
		return loader_error(err, errlen, "--initrd needs a Linux bzImage, not --flat");
	if (loader_read_file(cfg->image, &buf, &len, err, errlen))
		return -1;
	if (!cfg->flat && bzimage_is_bzimage(buf, len)) {
		ret = boot_linux(gm, cfg, buf, len, img, err, errlen);
		free(buf);
		return ret;
	}
	if (cfg->initrd) {
		free(buf);
		return loader_error(err, errlen,
				    "--initrd needs a Linux bzImage, and %s is not one (a multiboot kernel takes --module)",
				    cfg->image);
	}
	if (cfg->flat)
		ret = flat_load(gm, buf, len, cfg->flat_addr, img, err, errlen);
	else if (elf_is_elf(buf, len))
		ret = elf_load(gm, buf, len, img, err, errlen);
	else
		ret = multiboot_load_kludge(gm, buf, len, img, err, errlen);
	free(buf);
	if (ret)
		return with_path(cfg->image, err, errlen);
	if (cfg->flat)
		return 0;

	for (i = 0; i < cfg->nmodules; i++) {
		void *mbuf;
		size_t mlen;

		if (loader_read_file(cfg->modules[i], &mbuf, &mlen, err, errlen))
			break;
		mods[i] = (struct boot_module){ cfg->modules[i], mbuf, mlen };
	}
	ret = i < cfg->nmodules ? -1 :
	      multiboot_build_info(gm, img, cfg->cmdline, mods, cfg->nmodules, err, errlen);
	while (i--)
		free((void *)mods[i].data);
	return ret;
}
