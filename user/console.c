// SPDX-License-Identifier: GPL-2.0
/*
 * console.c - the terminal as the guest's serial console.
 *
 * The guest's COM1 output already goes to stdout (vm.c console_write).
 * When stdin is a terminal, hvlab run also lets a person type at the
 * guest: the terminal goes into raw mode (no echo, no line editing, no
 * signals: Ctrl-C reaches the guest's shell, as on a serial line), and a
 * thread feeds every key into the UART's receive FIFO, which raises the
 * UART's interrupt.  As in QEMU's -nographic, Ctrl-A is an escape:
 *
 *   Ctrl-A x        stop the guest (status 130, as for Ctrl-C elsewhere)
 *   Ctrl-A Ctrl-A   send one Ctrl-A to the guest
 *   Ctrl-A h        print this list
 *
 * Without a terminal (a pipe, a file, /dev/null, a test harness) stdin is
 * not read at all and the output simply streams.  The terminal's settings
 * are restored when the run ends, also when hvlab exits by another path
 * (atexit).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "hw/devices.h"
#include "vm.h"

#define CTRL_A	0x01

static struct termios saved;
static bool raw_on;
static pthread_t reader;
static bool reader_on;
static atomic_bool reader_stop;

static void restore_terminal(void)
{
	if (raw_on) {
		tcsetattr(STDIN_FILENO, TCSADRAIN, &saved);
		raw_on = false;
	}
}

static void help(struct vm *vm)
{
	vm_log(vm, "\r\nhvlab console: C-a x  stop the guest    C-a C-a  send C-a    C-a h  this help\r\n");
}

/* Keys from the terminal, with the Ctrl-A escapes taken out. */
static void *reader_thread(void *arg)
{
	struct vm *vm = arg;
	bool escape = false;

	while (!vm_stopping(vm) && !atomic_load(&reader_stop)) {
		struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
		uint8_t buf[64], keep[64];
		size_t n = 0;
		ssize_t got;

		if (poll(&p, 1, 50) <= 0)
			continue;
		got = read(STDIN_FILENO, buf, sizeof(buf));
		if (got <= 0)
			break;	/* end of input: the guest runs on, unread */
		for (ssize_t i = 0; i < got; i++) {
			if (escape) {
				escape = false;
				if (buf[i] == 'x' || buf[i] == 'X') {
					vm_request_stop(vm, VM_EXIT_SIGINT, false,
							"Ctrl-A x: guest stopped");
					return NULL;
				}
				if (buf[i] == 'h' || buf[i] == 'H' || buf[i] == '?')
					help(vm);
				else if (buf[i] == CTRL_A)
					keep[n++] = CTRL_A;
				continue;
			}
			if (buf[i] == CTRL_A)
				escape = true;
			else
				keep[n++] = buf[i];
		}
		if (n && vm->uart)
			uart16550_input(vm->uart, keep, n);
	}
	return NULL;
}

int console_open(struct vm *vm)
{
	struct termios raw;

	if (!isatty(STDIN_FILENO) || !vm->uart || vm->opt.console)
		return 0;	/* nobody to type: output only */
	if (tcgetattr(STDIN_FILENO, &saved) < 0)
		return -errno;
	raw = saved;
	cfmakeraw(&raw);
	raw.c_oflag |= OPOST | ONLCR;	/* hvlab's own messages stay readable */
	if (tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) < 0)
		return -errno;
	raw_on = true;
	atexit(restore_terminal);
	pthread_mutex_lock(&vm->lock);
	vm->console_input = true;
	pthread_mutex_unlock(&vm->lock);
	atomic_store(&reader_stop, false);
	if (pthread_create(&reader, NULL, reader_thread, vm)) {
		restore_terminal();
		return -EAGAIN;
	}
	reader_on = true;
	return 0;
}

void console_close(struct vm *vm)
{
	if (reader_on) {
		atomic_store(&reader_stop, true);
		pthread_join(reader, NULL);	/* it sees the stop flag within 50 ms */
		reader_on = false;
	}
	pthread_mutex_lock(&vm->lock);
	vm->console_input = false;
	pthread_mutex_unlock(&vm->lock);
	restore_terminal();
}
