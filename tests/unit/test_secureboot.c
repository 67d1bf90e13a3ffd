// SPDX-License-Identifier: GPL-2.0
/*
 * test_secureboot.c - user/secureboot.c on fake sysfs trees: the SecureBoot
 * EFI variable (4 attribute bytes, then the value), the lockdown file with
 * its bracketed level, and sig_enforce, each as a Debian kernel shows them
 * on a machine booted with Secure Boot on, off, and through the BIOS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "secureboot.h"

/* mkdir -p of the directory part of root+path, then write len bytes. */
static int put(const char *root, const char *path, const void *data, size_t len)
{
	char full[512], *p;
	FILE *f;

	snprintf(full, sizeof(full), "%s%s", root, path);
	for (p = full + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(full, 0755);
		*p = '/';
	}
	f = fopen(full, "wb");
	if (!f)
		return -1;
	if (fwrite(data, 1, len, f) != len) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

FIXTURE(sysroot) {
	char root[64];
};

FIXTURE_SETUP(sysroot)
{
	strcpy(self->root, "/tmp/hvlab-sbtest.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->root));
}

FIXTURE_TEARDOWN(sysroot)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", self->root);
	if (system(cmd))
		TH_LOG("could not remove %s", self->root);
}

static const unsigned char sb_on[5] = { 0x06, 0x00, 0x00, 0x00, 0x01 };
static const unsigned char sb_off[5] = { 0x06, 0x00, 0x00, 0x00, 0x00 };

/* Debian 12 under Secure Boot: lockdown integrity, signatures enforced. */
TEST_F(sysroot, secure_boot_on_debian)
{
	struct sb_facts f;
	char line[128];

	ASSERT_EQ(0, put(self->root, SB_EFIVAR, sb_on, sizeof(sb_on)));
	ASSERT_EQ(0, put(self->root, SB_LOCKDOWN, "none [integrity] confidentiality\n", 33));
	ASSERT_EQ(0, put(self->root, SB_SIG_ENFORCE, "Y\n", 2));
	sb_gather(self->root, &f);
	EXPECT_TRUE(f.efi);
	EXPECT_EQ(1, f.secure_boot);
	EXPECT_STREQ("integrity", f.lockdown);
	EXPECT_EQ(1, f.sig_enforce);
	EXPECT_TRUE(sb_refuses_unsigned(&f));
	sb_describe(&f, line, sizeof(line));
	EXPECT_STREQ("on, lockdown integrity, module signatures enforced", line);
}

/* EFI boot with Secure Boot off: unsigned modules load (with a taint). */
TEST_F(sysroot, secure_boot_off)
{
	struct sb_facts f;

	ASSERT_EQ(0, put(self->root, SB_EFIVAR, sb_off, sizeof(sb_off)));
	ASSERT_EQ(0, put(self->root, SB_LOCKDOWN, "[none] integrity confidentiality\n", 33));
	ASSERT_EQ(0, put(self->root, SB_SIG_ENFORCE, "N\n", 2));
	sb_gather(self->root, &f);
	EXPECT_EQ(0, f.secure_boot);
	EXPECT_STREQ("none", f.lockdown);
	EXPECT_EQ(0, f.sig_enforce);
	EXPECT_FALSE(sb_refuses_unsigned(&f));
}

/* module.sig_enforce=1 without Secure Boot refuses unsigned modules too. */
TEST_F(sysroot, sig_enforce_alone)
{
	struct sb_facts f;

	ASSERT_EQ(0, put(self->root, SB_EFIVAR, sb_off, sizeof(sb_off)));
	ASSERT_EQ(0, put(self->root, SB_SIG_ENFORCE, "Y\n", 2));
	sb_gather(self->root, &f);
	EXPECT_EQ(0, f.secure_boot);
	EXPECT_STREQ("", f.lockdown);
	EXPECT_TRUE(sb_refuses_unsigned(&f));
}

/* Lockdown alone (lockdown=integrity on the command line) refuses them. */
TEST_F(sysroot, lockdown_alone)
{
	struct sb_facts f;

	ASSERT_EQ(0, put(self->root, SB_LOCKDOWN, "none integrity [confidentiality]\n", 33));
	sb_gather(self->root, &f);
	EXPECT_FALSE(f.efi);
	EXPECT_EQ(0, f.secure_boot);
	EXPECT_STREQ("confidentiality", f.lockdown);
	EXPECT_EQ(-1, f.sig_enforce);
	EXPECT_TRUE(sb_refuses_unsigned(&f));
}

/* A BIOS boot without the lockdown LSM: nothing to report, nothing refused. */
TEST_F(sysroot, bios_boot)
{
	struct sb_facts f;
	char line[128];

	sb_gather(self->root, &f);
	EXPECT_FALSE(f.efi);
	EXPECT_EQ(0, f.secure_boot);
	EXPECT_FALSE(sb_refuses_unsigned(&f));
	sb_describe(&f, line, sizeof(line));
	EXPECT_STREQ("off (BIOS boot)", line);
}

/* EFI, but efivarfs not mounted: the state is unknown, not "off". */
TEST_F(sysroot, efi_without_efivars)
{
	struct sb_facts f;

	ASSERT_EQ(0, put(self->root, "/sys/firmware/efi/systab", "x", 1));
	sb_gather(self->root, &f);
	EXPECT_TRUE(f.efi);
	EXPECT_EQ(-1, f.secure_boot);
}

/* The explanation names the error, mokutil, sign-file and DKMS's key. */
TEST(explanation)
{
	struct sb_facts f = { .efi = true, .secure_boot = 1, .sig_enforce = 1 };
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	ASSERT_NE(NULL, out);
	sb_explain(out, &f);
	fclose(out);
	EXPECT_NE(NULL, strstr(buf, "Secure Boot is on"));
	EXPECT_NE(NULL, strstr(buf, "Key was rejected by service"));
	EXPECT_NE(NULL, strstr(buf, "mokutil --import"));
	EXPECT_NE(NULL, strstr(buf, "scripts/sign-file"));
	EXPECT_NE(NULL, strstr(buf, "/var/lib/dkms/mok.pub"));
	EXPECT_NE(NULL, strstr(buf, "docs/secure-boot.md"));
	free(buf);
}

/* Locked down without enforcement (Debian under Secure Boot): EPERM. */
TEST(explanation_lockdown)
{
	struct sb_facts f = { .secure_boot = -1, .lockdown = "integrity", .sig_enforce = 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	ASSERT_NE(NULL, out);
	sb_explain(out, &f);
	fclose(out);
	EXPECT_NE(NULL, strstr(buf, "the kernel is locked down"));
	EXPECT_NE(NULL, strstr(buf, "\"Operation not permitted\""));
	EXPECT_EQ(NULL, strstr(buf, "Key was rejected"));
	free(buf);
}

TEST_HARNESS_MAIN
