// SPDX-License-Identifier: GPL-2.0
/* run.c - placeholder for 'hvlab run' until it is written. */
#include <stdio.h>

#include "commands.h"

int cmd_run(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "hvlab run: not implemented yet\n");
	return 1;
}
