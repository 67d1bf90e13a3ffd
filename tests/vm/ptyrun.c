// SPDX-License-Identifier: GPL-2.0
/*
 * ptyrun - run a command in a new pseudo-terminal and throw away what it
 * draws.  The Bochs VM has no tmux or script(1); `make bench` uses this to
 * time `hvlab run --dashboard` with a real terminal (100x30, TERM=vt100
 * unless set) while nobody watches.  Exits with the command's status
 * (128 + N if signal N killed it).
 *
 *   ptyrun COMMAND [ARGS...]
 */
#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct winsize ws = { .ws_row = 30, .ws_col = 100 };
	char buf[4096];
	int master, st;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: ptyrun COMMAND [ARGS...]\n");
		return 64;
	}
	pid = forkpty(&master, NULL, NULL, &ws);
	if (pid < 0 && errno == ENODEV) {
		/* a bare initramfs has no devpts yet */
		mkdir("/dev/pts", 0755);
		if (mount("devpts", "/dev/pts", "devpts", 0, "ptmxmode=0666") == 0)
			pid = forkpty(&master, NULL, NULL, &ws);
	}
	if (pid < 0) {
		fprintf(stderr, "ptyrun: forkpty: %s\n", strerror(errno));
		return 71;
	}
	if (pid == 0) {
		setenv("TERM", getenv("TERM") ? getenv("TERM") : "vt100", 1);
		execvp(argv[1], argv + 1);
		fprintf(stderr, "ptyrun: cannot run %s: %s\n", argv[1], strerror(errno));
		_exit(127);
	}
	/* drain until the child's side closes (read gives EIO) */
	for (;;) {
		struct pollfd p = { master, POLLIN, 0 };

		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (read(master, buf, sizeof(buf)) <= 0)
			break;
	}
	close(master);
	if (waitpid(pid, &st, 0) < 0)
		return 71;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
