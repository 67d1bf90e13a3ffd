/* SPDX-License-Identifier: GPL-2.0 */
/*
 * guarded_copy.h - input for the decoders' tests that ends right where an
 * inaccessible page begins, so a decoder that reads one byte past what it
 * was given crashes the test instead of passing it.
 */
#ifndef HVLAB_TEST_GUARDED_COPY_H
#define HVLAB_TEST_GUARDED_COPY_H

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/types.h>

/* Copy n bytes to the end of a page followed by a PROT_NONE page. */
static inline const __u8 *guarded_copy(const void *bytes, unsigned int n)
{
	static __u8 *two_pages;
	long pg = sysconf(_SC_PAGESIZE);

	if (!two_pages) {
		two_pages = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (two_pages == MAP_FAILED ||
		    mprotect(two_pages + pg, pg, PROT_NONE))
			abort();
	}
	memcpy(two_pages + pg - n, bytes, n);
	return two_pages + pg - n;
}

#endif
