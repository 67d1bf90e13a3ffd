// SPDX-License-Identifier: GPL-2.0
/*
 * secureboot.c - Secure Boot, kernel lockdown and module-signature
 * enforcement, as `hvlab caps` reports them (see secureboot.h).
 *
 * The facts come from three files:
 *   - the SecureBoot EFI variable in efivarfs: 4 bytes of attributes, then
 *     one byte, 1 when the firmware booted with Secure Boot on;
 *   - /sys/kernel/security/lockdown: "none integrity confidentiality" with
 *     the active level in brackets (Debian locks down to integrity under
 *     Secure Boot; then only signed modules load);
 *   - /sys/module/module/parameters/sig_enforce: Y when the kernel refuses
 *     modules without a valid signature (module.sig_enforce=1, or set by
 *     the kernel itself under Secure Boot).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "secureboot.h"

/* Reads up to len-1 bytes of root+path into buf: the count, or -1. */
static long read_under(const char *root, const char *path, char *buf, size_t len)
{
	char full[512];
	FILE *f;
	size_t n;

	snprintf(full, sizeof(full), "%s%s", root ? root : "", path);
	f = fopen(full, "rb");
	if (!f)
		return -1;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	return (long)n;
}

void sb_gather(const char *root, struct sb_facts *f)
{
	char buf[128], dir[512];
	long n;
	char *l, *r;

	memset(f, 0, sizeof(*f));
	snprintf(dir, sizeof(dir), "%s/sys/firmware/efi", root ? root : "");
	f->efi = access(dir, F_OK) == 0;

	f->secure_boot = -1;
	n = read_under(root, SB_EFIVAR, buf, sizeof(buf));
	if (n >= 5)
		f->secure_boot = buf[4] == 1;
	else if (!f->efi)
		f->secure_boot = 0;	/* BIOS boot: there is no Secure Boot */

	if (read_under(root, SB_LOCKDOWN, buf, sizeof(buf)) > 0) {
		l = strchr(buf, '[');
		r = l ? strchr(l, ']') : NULL;
		if (l && r && (size_t)(r - l - 1) < sizeof(f->lockdown)) {
			memcpy(f->lockdown, l + 1, r - l - 1);
			f->lockdown[r - l - 1] = '\0';
		}
	}

	f->sig_enforce = -1;
	if (read_under(root, SB_SIG_ENFORCE, buf, sizeof(buf)) > 0)
		f->sig_enforce = buf[0] == 'Y' || buf[0] == '1';
}

bool sb_refuses_unsigned(const struct sb_facts *f)
{
	return f->sig_enforce == 1 ||
	       (f->lockdown[0] && strcmp(f->lockdown, "none"));
}

void sb_describe(const struct sb_facts *f, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s%s",
		 f->secure_boot == 1 ? "on" : f->secure_boot == 0 ?
		 (f->efi ? "off" : "off (BIOS boot)") : "unknown",
		 f->lockdown[0] ? ", lockdown " : "", f->lockdown,
		 f->sig_enforce == 1 ? ", module signatures enforced" : "",
		 f->sig_enforce == 0 ? ", unsigned modules allowed" : "");
}

void sb_explain(FILE *out, const struct sb_facts *f)
{
	bool enforced = f->sig_enforce == 1;

	fprintf(out,
		"SECURE BOOT: %s, so this kernel loads only modules signed by a key it\n"
		"  trusts; 'insmod hvlab.ko' fails with \"%s\".\n"
		"  Sign hvlab.ko with a Machine Owner Key (MOK), once per machine:\n"
		"    openssl req -new -x509 -newkey rsa:2048 -nodes -days 36500 -outform DER \\\n"
		"        -subj \"/CN=hvlab module signing/\" -keyout MOK.priv -out MOK.der\n"
		"    mokutil --import MOK.der     (choose a one-time password)\n"
		"    reboot                       (MokManager: Enroll MOK, enter it)\n"
		"  then after every build:\n"
		"    /usr/src/linux-headers-$(uname -r)/scripts/sign-file sha256 MOK.priv MOK.der kmod/hvlab.ko\n"
		"  With 'make dkms-install', DKMS signs with /var/lib/dkms/mok.key: enroll\n"
		"  /var/lib/dkms/mok.pub instead.  Or switch Secure Boot off in the firmware.\n"
		"  Step by step: docs/secure-boot.md.\n",
		f->secure_boot == 1 ? "Secure Boot is on" :
		enforced ? "module signatures are enforced" :
		"the kernel is locked down",
		enforced ? "Key was rejected by service" : "Operation not permitted");
}
