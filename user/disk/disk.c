// SPDX-License-Identifier: GPL-2.0
/*
 * disk.c - a virtual disk as a chain of image files (see disk.h).
 *
 * Finding a parent.  A differencing VDI names its parent only by UUID
 * (uuid_link = the parent's uuid_image), as VirtualBox does; VirtualBox
 * keeps the file name in its XML media registry, which hvlab does not
 * have.  hvlab's rule: the parent is the one .vdi file in the child's own
 * directory whose uuid_image matches.  `hvlab disk snapshot` puts the
 * child next to its parent, so a chain moves as a directory.  Zero or two
 * candidates is an error, and so is a chain that comes back to a UUID it
 * already holds (a loop) or grows deeper than DISK_MAX_CHAIN.
 *
 * A parent must not have been written since the child was made: the
 * child's uuid_parent must equal the parent's uuid_modify.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disk/disk.h"

static __thread char last_error[512];

const char *disk_error(void)
{
	return last_error[0] ? last_error : "unknown error";
}

int disk_seterr(const char *fmt, ...)
{
	int saved = errno;	/* callers may look at errno after a failure */
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	errno = saved;
	return -1;
}

int disk_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	case 'b': case 'B': end++; break;
	case 0: break;
	default: return -1;
	}
	if (shift && (*end == 'i' || *end == 'I'))
		end++;
	if (shift && (*end == 'b' || *end == 'B'))
		end++;
	if (*end || (shift && v > (UINT64_MAX >> shift)))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

const char *disk_fmt_size(uint64_t bytes, char *buf, size_t n)
{
	static const char *unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = bytes;
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, n, "%llu B", (unsigned long long)bytes);
	else
		snprintf(buf, n, "%.4g %s", v, unit[u]);
	return buf;
}

static bool has_vdi_suffix(const char *name)
{
	size_t n = strlen(name);

	return n > 4 && !strcasecmp(name + n - 4, ".vdi");
}

int dimg_find_parent(const struct dimg *child, char **path_out)
{
	char *copy = strdup(child->path), *dir, *found = NULL;
	struct stat self;
	struct dirent *de;
	DIR *dp;
	int n = 0;

	if (!copy)
		return disk_seterr("out of memory");
	dir = dirname(copy);
	dp = opendir(dir);
	if (!dp) {
		disk_seterr("%s: %s", dir, strerror(errno));
		free(copy);
		return -1;
	}
	fstat(child->fd, &self);
	while ((de = readdir(dp))) {
		uint8_t raw[VDI_HDR_BYTES];
		struct vdi_header h;
		struct stat st;
		char *p;
		int fd;

		if (!has_vdi_suffix(de->d_name) ||
		    (strcmp(dir, ".") ? asprintf(&p, "%s/%s", dir, de->d_name) :
					asprintf(&p, "%s", de->d_name)) < 0)
			continue;
		fd = open(p, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) ||
		    (st.st_ino == self.st_ino && st.st_dev == self.st_dev) ||
		    pread(fd, raw, sizeof(raw), 0) != sizeof(raw)) {
			if (fd >= 0)
				close(fd);
			free(p);
			continue;
		}
		close(fd);
		vdi_header_decode(raw, &h);
		if (h.signature == VDI_SIGNATURE &&
		    vdi_uuid_equal(&h.uuid_image, &child->h.uuid_link)) {
			n++;
			if (!found) {
				found = p;
				continue;
			}
		}
		free(p);
	}
	closedir(dp);
	if (n != 1) {
		char u[37];

		vdi_uuid_format(&child->h.uuid_link, u);
		if (n == 0)
			disk_seterr("%s: its parent {%s} is not in %s (hvlab looks for the parent .vdi in the snapshot's own directory)",
				    child->path, u, dir);
		else
			disk_seterr("%s: %d files in %s claim to be its parent {%s}; remove the copies",
				    child->path, n, dir, u);
		free(found);
		free(copy);
		return -1;
	}
	free(copy);
	*path_out = found;
	return 0;
}

static int open_parents(struct disk *d, unsigned flags)
{
	while (d->img[d->n - 1]->fmt == DISK_FMT_VDI &&
	       d->img[d->n - 1]->h.image_type == VDI_TYPE_DIFF) {
		struct dimg *child = d->img[d->n - 1], *p;
		char *path;

		if (d->n >= DISK_MAX_CHAIN)
			return disk_seterr("%s: snapshot chain deeper than %d images (a loop?)",
					   d->img[0]->path, DISK_MAX_CHAIN);
		if (dimg_find_parent(child, &path))
			return -1;
		p = dimg_open(path, DISK_FMT_VDI, (flags & DISK_NOLOCK) | DISK_RDONLY);
		free(path);
		if (!p)
			return -1;
		for (unsigned i = 0; i < d->n; i++) {
			if (vdi_uuid_equal(&d->img[i]->h.uuid_image, &p->h.uuid_image)) {
				disk_seterr("%s: the snapshot chain loops back to %s",
					    d->img[0]->path, d->img[i]->path);
				dimg_close(p);
				return -1;
			}
		}
		d->img[d->n++] = p;
		if (!vdi_uuid_equal(&child->h.uuid_parent, &p->h.uuid_modify) &&
		    !(flags & DISK_LENIENT))
			return disk_seterr("%s: parent %s was modified after this snapshot was taken",
					   child->path, p->path);
	}
	return 0;
}

static struct disk *disk_from_img(struct dimg *m, unsigned flags)
{
	struct disk *d = calloc(1, sizeof(*d));

	if (!d) {
		dimg_close(m);
		disk_seterr("out of memory");
		return NULL;
	}
	d->img[0] = m;
	d->n = 1;
	d->size = m->size;
	d->readonly = !m->writable;
	if (!(flags & DISK_NOPARENT) && open_parents(d, flags))
		goto fail;
	if (m->fmt == DISK_FMT_VDI) {
		d->cow = malloc(m->h.block_size);
		if (!d->cow) {
			disk_seterr("out of memory");
			goto fail;
		}
	}
	return d;
fail:
	m->hdr_dirty = false;	/* a failed open writes nothing */
	disk_close(d);
	return NULL;
}

struct disk *disk_open(const char *path, enum disk_format fmt, unsigned flags)
{
	struct dimg *m = dimg_open(path, fmt, flags);

	return m ? disk_from_img(m, flags) : NULL;
}

struct disk *disk_open_fd(int fd, const char *name, enum disk_format fmt,
			  unsigned flags)
{
	struct dimg *m = dimg_open_fd(fd, name, fmt, flags | DISK_NOLOCK);

	if (!m) {
		close(fd);
		return NULL;
	}
	return disk_from_img(m, flags);
}

struct disk *disk_open_spec(const char *spec)
{
	char *copy = strdup(spec ? spec : ""), *file, *opt, *save = NULL;
	enum disk_format fmt = DISK_FMT_AUTO;
	unsigned flags = 0;
	struct disk *d = NULL;

	if (!copy) {
		disk_seterr("out of memory");
		return NULL;
	}
	file = strtok_r(copy, ",", &save);
	if (!file || !*file) {
		disk_seterr("--disk needs a file name: FILE[,format=vdi|raw][,readonly]");
		goto out;
	}
	while ((opt = strtok_r(NULL, ",", &save))) {
		if (!strcmp(opt, "readonly") || !strcmp(opt, "ro")) {
			flags |= DISK_RDONLY;
		} else if (!strcmp(opt, "format=vdi")) {
			fmt = DISK_FMT_VDI;
		} else if (!strcmp(opt, "format=raw")) {
			fmt = DISK_FMT_RAW;
		} else {
			disk_seterr("%s: unknown disk option '%s' (format=vdi, format=raw, readonly)",
				    file, opt);
			goto out;
		}
	}
	d = disk_open(file, fmt, flags);
out:
	free(copy);
	return d;
}

int disk_flush(struct disk *d)
{
	if (d->readonly)
		return 0;
	return dimg_flush(d->img[0]);
}

int disk_close(struct disk *d)
{
	int rc = 0;

	if (!d)
		return 0;
	if (d->n && disk_flush(d))
		rc = -1;
	for (unsigned i = 0; i < d->n; i++)
		dimg_close(d->img[i]);
	free(d->cow);
	free(d);
	return rc;
}

/* Read [off, off+len) as image `i` of the chain and those below see it. */
/* LAB 11: BEGIN chain_read */
static int layer_read(struct disk *d, unsigned i, uint64_t off, uint8_t *buf,
		      size_t len)
{
	struct dimg *m;

	if (i >= d->n) {
		memset(buf, 0, len);
		return 0;
	}
	m = d->img[i];
	if (off >= m->size) {
		memset(buf, 0, len);
		return 0;
	}
	if (off + len > m->size) {	/* a parent smaller than its child */
		size_t in = m->size - off;

		memset(buf + in, 0, len - in);
		len = in;
	}
	if (m->fmt == DISK_FMT_RAW) {
		if (pread_full(m->fd, buf, len, off))
			return disk_seterr("%s: %s", m->path, strerror(errno));
		return 0;
	}
	while (len) {
		uint32_t bs = m->h.block_size, b = off / bs, in = off % bs;
		size_t chunk = bs - in < len ? bs - in : len;
		uint32_t e = m->bmap[b];

		if (VDI_IS_ALLOCATED(e)) {
			if (pread_full(m->fd, buf, chunk, m->h.offset_data +
				       (uint64_t)e * bs + in))
				return disk_seterr("%s: %s", m->path, strerror(errno));
		} else if (e == VDI_BLOCK_FREE && m->h.image_type == VDI_TYPE_DIFF) {
			if (layer_read(d, i + 1, off, buf, chunk))
				return -1;
		} else {
			memset(buf, 0, chunk);
		}
		buf += chunk;
		off += chunk;
		len -= chunk;
	}
	return 0;
}
/* LAB 11: END chain_read */

static int check_range(struct disk *d, uint64_t off, size_t len)
{
	if (off > d->size || len > d->size - off)
		return disk_seterr("%s: access at %llu+%zu is past the end of the disk (%llu bytes)",
				   d->img[0]->path, (unsigned long long)off, len,
				   (unsigned long long)d->size);
	return 0;
}

int disk_read(struct disk *d, uint64_t off, void *buf, size_t len)
{
	if (check_range(d, off, len))
		return -1;
	return layer_read(d, 0, off, buf, len);
}

static bool all_zero(const uint8_t *p, size_t len)
{
	while (len && !*p) {
		p++;
		len--;
	}
	return !len;
}

/* LAB 10: BEGIN vdi_write */
int disk_write(struct disk *d, uint64_t off, const void *buf, size_t len)
{
	struct dimg *m = d->img[0];
	const uint8_t *p = buf;

	if (check_range(d, off, len))
		return -1;
	if (d->readonly)
		return disk_seterr("%s: opened read-only", m->path);
	if (m->fmt == DISK_FMT_RAW) {
		if (pwrite_full(m->fd, buf, len, off))
			return disk_seterr("%s: %s", m->path, strerror(errno));
		return 0;
	}
	while (len) {
		uint32_t bs = m->h.block_size, b = off / bs, in = off % bs;
		size_t chunk = bs - in < len ? bs - in : len;
		uint32_t e = m->bmap[b];
		const uint8_t *full = NULL;

		if (!VDI_IS_ALLOCATED(e)) {
			bool below = e == VDI_BLOCK_FREE &&
				     m->h.image_type == VDI_TYPE_DIFF && d->n > 1;

			if (!below && all_zero(p, chunk))
				goto next;	/* already reads as zeros */
			if (below && chunk < bs) {
				/* copy-on-write: the rest comes from the parent */
				if (layer_read(d, 1, off - in, d->cow, bs))
					return -1;
				memcpy(d->cow + in, p, chunk);
				full = d->cow;
			}
		}
		if (dimg_vdi_write_block(m, b, in, p, chunk, full))
			return -1;
next:
		p += chunk;
		off += chunk;
		len -= chunk;
	}
	return 0;
}
/* LAB 10: END vdi_write */

bool disk_is_allocated(struct disk *d, uint64_t off, uint64_t len, uint64_t *run)
{
	for (unsigned i = 0; i < d->n; i++) {
		struct dimg *m = d->img[i];
		uint32_t bs, e;

		if (m->fmt == DISK_FMT_RAW) {
			*run = len;
			return off < m->size;
		}
		bs = m->h.block_size;
		if (len > bs - off % bs)
			len = bs - off % bs;
		*run = len;
		if (off >= m->size)
			return false;
		e = m->bmap[off / bs];
		if (VDI_IS_ALLOCATED(e))
			return true;
		if (e == VDI_BLOCK_ZERO || m->h.image_type != VDI_TYPE_DIFF)
			return false;
	}
	*run = len;
	return false;
}
