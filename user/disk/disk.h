/* SPDX-License-Identifier: GPL-2.0 */
/*
 * disk.h - virtual disks: the one interface the tool and the device models
 * use to read and write a disk file, whatever its format.
 *
 * A `struct disk` is a chain of image files.  img[0] is the file the VM
 * writes (the newest snapshot, or the only file); img[1..] are its parents,
 * opened read-only.  A raw file or a base VDI is a chain of one.
 *
 *   read:  for each VDI block, the first image in the chain whose block map
 *          holds the block answers; "free" falls through to the parent,
 *          "zero" reads zeros, a base image with a free block reads zeros.
 *   write: always into img[0]; a block img[0] lacks is first filled with
 *          what the chain below reads there (copy-on-write), then written.
 *   flush: makes every write before it durable (fdatasync), including the
 *          block-map entries of blocks allocated since the last flush.
 *
 * Invariants: a disk opened for writing holds an exclusive flock() on
 * img[0] and shared locks on the parents, so two processes never write one
 * image and nobody writes a parent under a child; no access ever touches a
 * byte outside [0, disk_size()); every error leaves a message for
 * disk_error().  See docs/storage.md for the VDI layout and crash ordering.
 */
#ifndef HVLAB_DISK_DISK_H
#define HVLAB_DISK_DISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "disk/vdi_format.h"

#define DISK_SECTOR		512
#define DISK_MAX_CHAIN		16	/* snapshots deeper than this are refused */

enum disk_format {
	DISK_FMT_AUTO = 0,	/* VDI if the signature says so, else raw */
	DISK_FMT_RAW,
	DISK_FMT_VDI,
};

/* disk_open() flags */
#define DISK_RDONLY	(1u << 0)
#define DISK_NOLOCK	(1u << 1)	/* tests and the fuzzer: skip flock() */
#define DISK_NOPARENT	(1u << 2)	/* open one file, do not resolve a chain */
#define DISK_LENIENT	(1u << 3)	/* `check`: open despite block-map damage */

/* One image file of a chain. */
struct dimg {
	char *path;
	int fd;
	enum disk_format fmt;
	bool writable;
	uint64_t size;		/* virtual size in bytes */
	uint64_t file_size;	/* host file length */
	/* VDI only */
	struct vdi_header h;
	uint32_t *bmap;		/* host-endian copy of the block map */
	uint32_t next_index;	/* next data-area slot to allocate */
	uint32_t nalloc;	/* valid map entries (the header's count) */
	bool hdr_dirty;		/* header must be rewritten at the next flush */
	uint32_t dirty_lo, dirty_hi;	/* bmap entries not yet on disk */
	unsigned pending;	/* allocations since the last flush */
	bool uuid_bumped;	/* modification UUID renewed this session */
};

struct disk {
	unsigned n;			/* images in the chain, >= 1 */
	struct dimg *img[DISK_MAX_CHAIN];
	uint64_t size;			/* virtual size = img[0]->size */
	bool readonly;
	uint8_t *cow;			/* one-block buffer for copy-on-write */
};

/* Human-readable reason for the last failure in this thread; errno is
 * left as the failing system call set it (ENOENT, EWOULDBLOCK, ...). */
const char *disk_error(void);
int disk_seterr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Open/close.  `fmt` DISK_FMT_AUTO probes the signature.  NULL on error. */
struct disk *disk_open(const char *path, enum disk_format fmt, unsigned flags);
/* Open an already open file descriptor (fuzzer, tests); takes no lock.
 * The disk owns fd from then on, and closes it even on failure. */
struct disk *disk_open_fd(int fd, const char *name, enum disk_format fmt, unsigned flags);
int disk_close(struct disk *d);		/* flushes; returns -1 if that failed */
/*
 * Open from a `hvlab run --disk` argument: "FILE[,format=vdi|raw][,readonly]"
 * (options in any order; a file name with a comma cannot be given).
 */
struct disk *disk_open_spec(const char *spec);

static inline uint64_t disk_size(const struct disk *d) { return d->size; }

/* Byte-granular I/O within [0, disk_size()).  0 on success, -1 on error. */
int disk_read(struct disk *d, uint64_t off, void *buf, size_t len);
int disk_write(struct disk *d, uint64_t off, const void *buf, size_t len);
int disk_flush(struct disk *d);

/*
 * Is [off, off+len) backed by data somewhere in the chain (true) or known
 * to read as zeros (false)?  Lets convert/commit skip holes.  `len` is
 * clipped to the first block boundary; *run gets the length answered.
 */
bool disk_is_allocated(struct disk *d, uint64_t off, uint64_t len, uint64_t *run);

/* Creation (disk/create.c). */
struct disk_create_opts {
	enum disk_format fmt;		/* DISK_FMT_RAW or DISK_FMT_VDI */
	bool fixed;			/* VDI: preallocated, image type 2 */
	uint64_t size;			/* bytes, multiple of 512 */
	const struct dimg *parent;	/* VDI differencing image of this parent */
};
int disk_create(const char *path, const struct disk_create_opts *o);

/* Sizes like "64M", "1G", "512", "4096K" (binary units).  -1 on junk. */
int disk_parse_size(const char *s, uint64_t *out);
/* "1.5 GiB" into buf. */
const char *disk_fmt_size(uint64_t bytes, char *buf, size_t n);

/* Internal helpers shared by the files of user/disk/. */
struct dimg *dimg_open_fd(int fd, const char *path, enum disk_format fmt, unsigned flags);
struct dimg *dimg_open(const char *path, enum disk_format fmt, unsigned flags);
void dimg_close(struct dimg *m);
int dimg_flush(struct dimg *m);
int dimg_write_header(struct dimg *m);
int dimg_vdi_write_block(struct dimg *m, uint32_t b, uint32_t in,
			 const void *buf, size_t len, const uint8_t *full);
int dimg_find_parent(const struct dimg *child, char **path_out);
int pread_full(int fd, void *buf, size_t len, uint64_t off);
int pwrite_full(int fd, const void *buf, size_t len, uint64_t off);

#endif
