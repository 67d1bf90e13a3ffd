/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ui.h - the terminal: ncurses set-up, copying a canvas to the screen, and
 * reading keys with a timeout.  The only file of the dashboard that calls
 * ncurses.
 */
#ifndef HVLAB_DASH_UI_H
#define HVLAB_DASH_UI_H

#include <signal.h>
#include "dash/canvas.h"

struct ui;

/*
 * Takes over the terminal on /dev/tty (so stdout may be redirected).  NULL
 * with a message in err when there is no usable terminal.
 */
struct ui *ui_open(char *err, size_t errlen);
void ui_close(struct ui *u);
void ui_size(struct ui *u, int *w, int *h);
void ui_draw(struct ui *u, const struct canvas *c);
/* A DK_* code or ASCII key, or DK_NONE after timeout_ms (0 = poll). */
int ui_key(struct ui *u, int timeout_ms);
/*
 * The same, but the wait also ends (DK_NONE) when a signal that `mask`
 * leaves unblocked arrives: the thread's signal mask during the wait, as
 * ppoll() takes it.
 */
int ui_key_sigmask(struct ui *u, int timeout_ms, const sigset_t *mask);

#endif
