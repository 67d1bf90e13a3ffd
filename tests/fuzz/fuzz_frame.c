// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_frame.c - libFuzzer target over the frame decoder (net/framedec.c):
 * each input is one Ethernet frame, decoded into buffers of several sizes.
 * The decoder must never read past the frame or write past the buffer
 * (ASan), and must always leave a NUL-terminated string of the length it
 * returns.
 */
#include <stdlib.h>
#include <string.h>

#include "net/framedec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t caps[] = { 1, 7, 24, 80, 160 };
	uint8_t *copy = malloc(size ? size : 1);	/* exact size: ASan sees overreads */
	char out[160];

	if (!copy)
		abort();
	memcpy(copy, data, size);
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		size_t n = net_decode(copy, size, out, caps[i]);

		if (n >= caps[i] || strlen(out) != n)
			abort();
	}
	free(copy);
	return 0;
}
