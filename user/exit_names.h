/* SPDX-License-Identifier: GPL-2.0 */
/*
 * exit_names.h - numbers to words for everything an exit can report: basic
 * VMX exit reasons (SDM Vol. 3 Appendix C), hvlab_run exit reasons, VM-
 * instruction errors (SDM Vol. 3 31.4), internal-error sub-codes, and AMD
 * SVM exit codes (APM Vol. 2 Appendix C).  Used
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

/*
 * AMD SVM: the EXITCODE of the VMCB (APM Vol. 2 Appendix C), which the
 * module puts in hvlab_exit_record.reason on SVM (HVLAB_CAP_SVM).
 * svm_exit_name(0x72) -> "VMEXIT_CPUID"; "VMEXIT_UNKNOWN" if unassigned.
 */
const char *svm_exit_name(uint32_t exitcode);
/* True if the APM assigns exitcode (svm_exit_name says more than UNKNOWN). */
int svm_exit_known(uint32_t exitcode);
/*
 * The VMX basic reason an SVM exit corresponds to (the "common reason" the
 * statistics and the dashboard count it under), or -1 when VMX has no such
 * exit (VMRUN, STGI, ...).  exitinfo1 tells RDMSR (0) from WRMSR (1).
 */
int svm_exit_common(uint32_t exitcode, uint64_t exitinfo1);

#endif
