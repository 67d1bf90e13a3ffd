/* SPDX-License-Identifier: GPL-2.0 */
/*
 * diskops.h - whole-image operations behind the `hvlab disk` subcommands
 * (ops.c, check.c).  Each returns 0 on success, -1 with disk_error() set.
 */
#ifndef HVLAB_DISK_DISKOPS_H
#define HVLAB_DISK_DISKOPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "disk/disk.h"

/* IN (whole chain) -> new file OUT.  fixed: 0/1, or -1 = like IN (clone);
 * ofmt DISK_FMT_AUTO = the format of IN. */
int disk_convert(const char *in, const char *out, enum disk_format ofmt, int fixed);
static inline int disk_clone(const char *src, const char *dst)
{
	return disk_convert(src, dst, DISK_FMT_AUTO, -1);
}
/* The next free "<stem>-snapN.vdi" for FILE. */
int disk_snapshot_name(const char *file, char *out, size_t n);
/* New differencing child of FILE; its path goes to `child`. */
int disk_snapshot(const char *file, char *child, size_t n);
/* Merge CHILD into its parent (path to parent_out), leave CHILD empty. */
int disk_commit(const char *child, char *parent_out, size_t n);
int disk_resize(const char *path, uint64_t size, bool shrink);

/* check.c: report on `out`; returns 0 clean (or repaired), 1 damaged,
 * -1 unreadable (header or I/O) with disk_error() set. */
int disk_check(const char *path, bool repair, FILE *out);

#endif
