// SPDX-License-Identifier: GPL-2.0
/* cmd_disk.c - placeholder for 'hvlab disk' until it is written. */
#include <stdio.h>

#include "commands.h"

int cmd_disk(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "hvlab disk: not implemented yet\n");
	return 1;
}
