// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - the hvlab command-line tool: picks a subcommand.
 *
 *   hvlab caps              why VMX is (not) usable here, and what the CPU offers
 *   hvlab run IMAGE         boot a guest in a VM
 *   hvlab disk CMD ...      create/inspect/convert/snapshot virtual disks
 *   hvlab replay FILE       open the dashboard on a recorded trace
 *   hvlab top PATH          the dashboard on a VM run with --stats-socket PATH
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"

#define HVLAB_VERSION_STRING "0.1"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "caps",   cmd_caps,   "diagnose VMX support and print the capabilities" },
	{ "run",    cmd_run,    "run a guest image (multiboot ELF or flat binary)" },
	{ "disk",   cmd_disk,   "manage virtual disk files (raw, VirtualBox .vdi)" },
	{ "replay", cmd_replay, "replay a recorded trace in the dashboard" },
	{ "top",    cmd_top,    "watch the exits of a VM run with --stats-socket" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: hvlab COMMAND [ARGS...]\n\n"
		   "hvlab is an educational type-2 hypervisor for Intel VMX.\n\n"
		   "commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'hvlab COMMAND --help' describes one command.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("hvlab %s\n", HVLAB_VERSION_STRING);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "hvlab: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
