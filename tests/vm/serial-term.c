// SPDX-License-Identifier: GPL-2.0
/*
 * serial-term - the user's terminal on the Bochs VM's serial port, for
 * `make vm-shell` (tests/vm/run-suite.sh --shell).
 *
 * Bochs serves COM1 on a TCP port (bochsrc `com1: mode=socket-server`) and
 * waits for one client before it starts the machine.  serial-term connects
 * (retrying while Bochs comes up), puts the terminal in raw mode so that
 * every key (Ctrl-C, Tab, arrows) reaches the VM's shell, and copies bytes
 * both ways; everything the VM sends is also appended to a log file.
 *
 * Ctrl-A x leaves; Ctrl-A Ctrl-A sends one Ctrl-A (the keys of QEMU's
 * -serial mon:stdio).  When stdin is not a terminal (a script feeding
 * commands), its bytes go as they are, and its end does not end the
 * session: the VM closing the line (power-off ends Bochs) does.
 *
 *   serial-term HOST PORT LOGFILE [WAIT_SECONDS]
 *
 * Exit status: 0 when the VM closed the line or the user left with
 * Ctrl-A x, 1 when no connection could be made within WAIT_SECONDS
 * (default 60).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define ESC_KEY 0x01	/* Ctrl-A */

static struct termios saved;
static bool raw;

static void restore(void)
{
	if (raw)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Bochs listens only once its configuration is read: retry until then. */
static int connect_retry(const char *host, int port, int wait_s)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	struct timespec pause = { 0, 200 * 1000 * 1000 };
	int tries = wait_s * 5;

	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		fprintf(stderr, "serial-term: %s is not an IPv4 address\n", host);
		return -1;
	}
	while (tries-- > 0) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		if (fd < 0)
			return -1;
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return fd;
		close(fd);
		nanosleep(&pause, NULL);
	}
	fprintf(stderr, "serial-term: no serial port at %s:%d after %d s\n", host, port, wait_s);
	return -1;
}

int main(int argc, char **argv)
{
	struct pollfd pfd[2];
	bool in_open = true, esc = false;
	char buf[4096], out[8192];
	int sock, logfd;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: serial-term HOST PORT LOGFILE [WAIT_SECONDS]\n");
		return 2;
	}
	logfd = open(argv[3], O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (logfd < 0) {
		perror(argv[3]);
		return 2;
	}
	sock = connect_retry(argv[1], atoi(argv[2]), argc == 5 ? atoi(argv[4]) : 60);
	if (sock < 0)
		return 1;
	if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
		struct termios t = saved;

		cfmakeraw(&t);
		if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &t) == 0) {
			raw = true;
			atexit(restore);
		}
	}
	pfd[0] = (struct pollfd){ .fd = sock, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
	for (;;) {
		ssize_t n;

		if (poll(pfd, in_open ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[0].revents) {
			n = read(sock, buf, sizeof(buf));
			if (n <= 0)
				break;		/* the VM is gone */
			write_all(STDOUT_FILENO, buf, (size_t)n);
			write_all(logfd, buf, (size_t)n);
		}
		if (in_open && pfd[1].revents) {
			size_t o = 0;

			n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n <= 0) {
				if (raw)
					break;		/* the terminal went away */
				in_open = false;	/* a script's end: keep showing the VM */
				continue;
			}
			for (ssize_t i = 0; i < n; i++) {
				unsigned char c = (unsigned char)buf[i];

				if (!raw) {
					out[o++] = (char)c;
				} else if (esc) {
					esc = false;
					if (c == 'x' || c == 'X') {
						if (o)	/* what came before the keys */
							write_all(sock, out, o);
						restore();
						raw = false;
						fprintf(stderr, "\r\n[serial-term: Ctrl-A x, leaving the VM]\r\n");
						return 0;
					}
					out[o++] = (char)c;	/* Ctrl-A Ctrl-A: one Ctrl-A */
				} else if (c == ESC_KEY) {
					esc = true;
				} else {
					out[o++] = (char)c;
				}
			}
			if (o && write_all(sock, out, o) < 0)
				break;
		}
	}
	return 0;
}
