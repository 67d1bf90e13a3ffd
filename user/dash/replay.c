// SPDX-License-Identifier: GPL-2.0
/* replay.c - placeholder for 'hvlab replay' until it is written. */
#include <stdio.h>

#include "commands.h"

int cmd_replay(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "hvlab replay: not implemented yet\n");
	return 1;
}
