/* SPDX-License-Identifier: GPL-2.0 */
/*
 * exit_names.h - numbers to words for everything an exit can report: basic
 * VMX exit reasons (SDM Vol. 3 Appendix C), hvlab_run exit reasons, VM-
 * instruction errors (SDM Vol. 3 31.4) and internal-error sub-codes.  Used
 * by hvlab run's messages and statistics and by the dashboard.
 *
 * Every function returns a static string and never NULL: an unknown number
 * gives "UNKNOWN" (or "unknown error"), so callers can print blindly.
 */
#ifndef HVLAB_EXIT_NAMES_H
#define HVLAB_EXIT_NAMES_H

#include <stdint.h>

/* Short upper-case name of a basic VMX exit reason, e.g. 10 -> "CPUID". */
const char *vmx_exit_name(uint32_t basic_reason);
/* Reverse look-up (case-insensitive): name -> reason, or -1. */
int vmx_exit_from_name(const char *name);
/* Name of an hvlab_run.exit_reason, e.g. HVLAB_EXIT_IO -> "IO". */
const char *hvlab_exit_name(uint32_t exit_reason);
/* Sentence for a VM-instruction error number, e.g. 7 -> "VM entry with ...". */
const char *vm_instruction_error_name(uint32_t error);
/* Mnemonic of an exception vector 0-31 without '#', e.g. 13 -> "GP"; "?" if none. */
const char *exception_mnemonic(unsigned vector);
/* Name of hvlab_run.internal.suberror. */
const char *internal_suberror_name(uint32_t suberror);

#endif
