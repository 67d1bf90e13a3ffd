/* SPDX-License-Identifier: GPL-2.0 */
/*
 * commands.h - the subcommands of the hvlab tool.
 *
 * Each `hvlab NAME ...` is one function `cmd_NAME(argc, argv)` in its own
 * file; argv[0] is the subcommand name, so getopt_long works unchanged.
 * A command returns the process exit status.
 */
#ifndef HVLAB_COMMANDS_H
#define HVLAB_COMMANDS_H

int cmd_caps(int argc, char **argv);	/* caps.c: VMX diagnosis */
int cmd_run(int argc, char **argv);	/* run.c: boot a guest */
int cmd_disk(int argc, char **argv);	/* disk/cmd_disk.c: disk files */
int cmd_replay(int argc, char **argv);	/* dash/replay.c: replay a trace */
int cmd_top(int argc, char **argv);	/* dash/top.c: watch another's VM */

#endif
