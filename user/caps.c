// SPDX-License-Identifier: GPL-2.0
/* caps.c - placeholder */
#include <stdio.h>

#include "commands.h"

int cmd_caps(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 1;
}
