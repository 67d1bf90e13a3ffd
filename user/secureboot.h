/* SPDX-License-Identifier: GPL-2.0 */
/*
 * secureboot.h - is this kernel going to refuse an unsigned hvlab.ko?
 *
 * A kernel that enforces module signatures (sig_enforce=Y) refuses an
 * unsigned module, or one signed by a key it does not trust, with
 * EKEYREJECTED: insmod prints "Key was rejected by service".  A kernel
 * that is only locked down (Debian's under UEFI Secure Boot: lockdown
 * "integrity") refuses it with EPERM, "Operation not permitted".
 * `hvlab caps` reads the three files that say which applies and, when the
 * module is not loaded, explains how to sign it with a Machine Owner Key
 * (docs/secure-boot.md).
 *
 * Every file is read below a root directory ("" for the real one), so the
 * unit tests can hand in a fake sysfs tree (tests/unit/test_secureboot.c);
 * `hvlab caps` takes that root from $HVLAB_SYSROOT, default "".
 */
#ifndef HVLAB_SECUREBOOT_H
#define HVLAB_SECUREBOOT_H

#include <stdbool.h>
#include <stdio.h>

/* The EFI global variable that holds the Secure Boot state (1 = on). */
#define SB_EFIVAR "/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"
#define SB_LOCKDOWN "/sys/kernel/security/lockdown"
#define SB_SIG_ENFORCE "/sys/module/module/parameters/sig_enforce"

struct sb_facts {
	bool efi;		/* booted through UEFI (/sys/firmware/efi) */
	int secure_boot;	/* 1 on, 0 off, -1 unknown (no EFI, unreadable) */
	char lockdown[16];	/* "none", "integrity", "confidentiality" or "" */
	int sig_enforce;	/* 1 Y, 0 N, -1 unknown */
};

void sb_gather(const char *root, struct sb_facts *f);

/* Would an unsigned module be refused?  (signatures enforced, or lockdown) */
bool sb_refuses_unsigned(const struct sb_facts *f);

/* One line for the Host section: "on (lockdown: integrity, ...)". */
void sb_describe(const struct sb_facts *f, char *buf, size_t len);

/* The explanation of signing hvlab.ko with a MOK, for `hvlab caps`. */
void sb_explain(FILE *out, const struct sb_facts *f);

#endif
