/* SPDX-License-Identifier: GPL-2.0 */
/*
 * demo.h - a made-up but faithful recording of a small guest, used as the
 * fixture of the tests (tests/fixtures/demo.trace) and for trying the
 * dashboard without VT-x: `hvlab replay --write-demo FILE`.
 */
#ifndef HVLAB_DASH_DEMO_H
#define HVLAB_DASH_DEMO_H

/* Writes the demo trace; 0 or -errno.  The bytes are always the same. */
int demo_write_trace(const char *path);

#endif
