// SPDX-License-Identifier: GPL-2.0
/*
 * core/install.c and cli/status.c without the module: a fake root
 * directory (ANONLEAK_ROOT) with modules.dep, a DKMS tree, the SecureBoot
 * EFI variable and the lockdown file, and the state and exit code each
 * combination gives.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "capture.h"
#include "cli/cli.h"
#include "core/install.h"
#include "print/install.h"

#define REL	"6.1.0-99-amd64"
#define OTHER	"6.1.0-98-amd64"
#define SB_VAR	"sys/firmware/efi/efivars/SecureBoot-8be4dfcb-8a73-4dab-9c1e-9c7fb5ebd1e2"
#define SIGNED	"\177ELF...~Module signature appended~\n"

/* Write data (len bytes) to root/rel, making the folders on the way. */
static int put(const char *root, const char *rel, const char *data, size_t len)
{
	char path[4096], *p;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	f = fopen(path, "w");
	if (!f)
		return -1;
	fwrite(data, 1, len, f);
	return fclose(f);
}

#define PUT(rel, s)	ASSERT_EQ(0, put(self->root, rel, s, strlen(s)))

static void probe(const char *root, const char *rel, struct install_info *in)
{
	install_probe(root, rel, in);
}

FIXTURE(root) {
	char root[64];
	struct install_info in;
};

FIXTURE_SETUP(root)
{
	strcpy(self->root, "/tmp/anonleak-root-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->root));
}

FIXTURE_TEARDOWN(root)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", self->root);
	if (system(cmd))
		TH_LOG("could not remove %s", self->root);
}

TEST_F(root, nothing_installed)
{
	probe(self->root, REL, &self->in);
	EXPECT_STREQ("", self->in.path);
	EXPECT_STREQ("", self->in.others);
	EXPECT_FALSE(self->in.secure_boot);
	EXPECT_EQ(INSTALL_NOT_INSTALLED, install_diagnose(&self->in, false));
	EXPECT_EQ(INSTALL_LOADED, install_diagnose(&self->in, true));
	EXPECT_EQ(-ENOENT, install_load(&self->in));
}

TEST_F(root, modules_dep)
{
	char want[128];

	PUT("lib/modules/" REL "/modules.dep",
	    "kernel/fs/9p/9p.ko: kernel/net/9p/9pnet.ko\nupdates/dkms/anonleak.ko:\n");
	PUT("lib/modules/" REL "/updates/dkms/anonleak.ko", "\177ELF unsigned");
	probe(self->root, REL, &self->in);
	snprintf(want, sizeof(want), "%s/lib/modules/" REL "/updates/dkms/anonleak.ko", self->root);
	EXPECT_STREQ(want, self->in.path);
	EXPECT_FALSE(self->in.is_signed);
	EXPECT_EQ(INSTALL_NOT_LOADED, install_diagnose(&self->in, false));
	/* Installed for another release only: not for this one. */
	probe(self->root, OTHER, &self->in);
	EXPECT_EQ(INSTALL_NOT_INSTALLED, install_diagnose(&self->in, false));
}

/* A line of modules.dep whose file is gone does not count. */
TEST_F(root, stale_modules_dep)
{
	PUT("lib/modules/" REL "/modules.dep", "extra/anonleak.ko:\n");
	probe(self->root, REL, &self->in);
	EXPECT_STREQ("", self->in.path);
	EXPECT_EQ(INSTALL_NOT_INSTALLED, install_diagnose(&self->in, false));
}

/* Copied in, depmod not run: found in the usual folders. */
TEST_F(root, without_depmod)
{
	PUT("lib/modules/" REL "/extra/anonleak.ko.xz", "xz");
	probe(self->root, REL, &self->in);
	EXPECT_NE(NULL, strstr(self->in.path, "/extra/anonleak.ko.xz"));
	EXPECT_TRUE(self->in.is_signed);	/* compressed: cannot tell */
	EXPECT_EQ(INSTALL_NOT_LOADED, install_diagnose(&self->in, false));
}

TEST_F(root, dkms_other_kernel)
{
	char *out = NULL;

	PUT("var/lib/dkms/anonleak/0.1/" OTHER "/x86_64/module/anonleak.ko", "ko");
	PUT("var/lib/dkms/anonleak/0.1/source/dkms.conf", "PACKAGE_NAME=anonleak\n");
	PUT("var/lib/dkms/anonleak/0.1/build/make.log", "log");
	PUT("var/lib/dkms/anonleak/0.0.9/5.10.0-32-amd64/x86_64/module/anonleak.ko", "ko");
	ASSERT_EQ(0, symlink("0.1/" OTHER, strcat(strcpy((char[128]){ 0 }, self->root),
		  "/var/lib/dkms/anonleak/kernel-" OTHER "-x86_64")));
	probe(self->root, REL, &self->in);
	EXPECT_STREQ("0.1", self->in.dkms_version);
	EXPECT_TRUE(self->in.dkms_source);
	EXPECT_NE(NULL, strstr(self->in.others, OTHER));
	EXPECT_NE(NULL, strstr(self->in.others, "5.10.0-32-amd64"));
	EXPECT_EQ(NULL, strstr(self->in.others, "build"));
	EXPECT_EQ(NULL, strstr(self->in.others, "source"));
	EXPECT_EQ(NULL, strstr(self->in.others, "kernel-"));
	EXPECT_EQ(INSTALL_OTHER_KERNEL, install_diagnose(&self->in, false));
	CAPTURE(out, install_print(f, &self->in, INSTALL_OTHER_KERNEL, false));
	EXPECT_NE(NULL, strstr(out, "installed for another kernel (DKMS built anonleak 0.1 for "));
	EXPECT_NE(NULL, strstr(out, "dkms autoinstall -k " REL));
	free(out);
	/* Built for the running kernel too: no other kernel to name. */
	PUT("var/lib/dkms/anonleak/0.1/" REL "/x86_64/module/anonleak.ko", "ko");
	probe(self->root, REL, &self->in);
	EXPECT_EQ(NULL, strstr(self->in.others, REL));
}

TEST_F(root, secure_boot)
{
	char *out = NULL;

	PUT("lib/modules/" REL "/updates/dkms/anonleak.ko", "\177ELF unsigned");
	ASSERT_EQ(0, put(self->root, SB_VAR, "\x06\0\0\0\x01", 5));
	probe(self->root, REL, &self->in);
	EXPECT_TRUE(self->in.secure_boot);
	EXPECT_FALSE(self->in.is_signed);
	/* Unsigned under Secure Boot: refused before any attempt. */
	EXPECT_EQ(INSTALL_KEY_REJECTED, install_diagnose(&self->in, false));
	CAPTURE(out, install_print(f, &self->in, INSTALL_KEY_REJECTED, false));
	EXPECT_NE(NULL, strstr(out, "mokutil --import /var/lib/dkms/mok.pub"));
	EXPECT_NE(NULL, strstr(out, "not signed"));
	free(out);
	/* Signed: only a load attempt can tell whether its key is enrolled. */
	PUT("lib/modules/" REL "/updates/dkms/anonleak.ko", SIGNED);
	probe(self->root, REL, &self->in);
	EXPECT_TRUE(self->in.is_signed);
	EXPECT_EQ(INSTALL_NOT_LOADED, install_diagnose(&self->in, false));
	self->in.load_err = -EKEYREJECTED;
	EXPECT_EQ(INSTALL_KEY_REJECTED, install_diagnose(&self->in, false));
	CAPTURE(out, install_print(f, &self->in, INSTALL_KEY_REJECTED, false));
	EXPECT_NE(NULL, strstr(out, "Key was rejected by service"));
	free(out);
	/* Secure Boot off: the variable says 0. */
	ASSERT_EQ(0, put(self->root, SB_VAR, "\x06\0\0\0\0", 5));
	probe(self->root, REL, &self->in);
	EXPECT_FALSE(self->in.secure_boot);
}

TEST_F(root, load_errors)
{
	PUT("lib/modules/" REL "/updates/dkms/anonleak.ko", "\177ELF unsigned");
	probe(self->root, REL, &self->in);
	self->in.load_err = -ENOKEY;
	EXPECT_EQ(INSTALL_KEY_REJECTED, install_diagnose(&self->in, false));
	self->in.load_err = -ENOEXEC;
	EXPECT_EQ(INSTALL_LOAD_FAILED, install_diagnose(&self->in, false));
	self->in.load_err = -EPERM;	/* no lockdown, no Secure Boot */
	EXPECT_EQ(INSTALL_LOAD_FAILED, install_diagnose(&self->in, false));
	PUT("sys/kernel/security/lockdown", "none [integrity] confidentiality\n");
	probe(self->root, REL, &self->in);
	EXPECT_TRUE(self->in.lockdown);
	EXPECT_FALSE(self->in.lockdown_confidentiality);
	self->in.load_err = -EPERM;
	EXPECT_EQ(INSTALL_KEY_REJECTED, install_diagnose(&self->in, false));
}

TEST_F(root, lockdown_confidentiality)
{
	char *out = NULL;

	PUT("sys/kernel/security/lockdown", "none integrity [confidentiality]\n");
	probe(self->root, REL, &self->in);
	EXPECT_TRUE(self->in.lockdown_confidentiality);
	EXPECT_EQ(INSTALL_LOCKDOWN, install_diagnose(&self->in, false));
	CAPTURE(out, install_print(f, &self->in, INSTALL_LOCKDOWN, false));
	EXPECT_NE(NULL, strstr(out, "confidentiality"));
	EXPECT_NE(NULL, strstr(out, "kprobes"));
	free(out);
	PUT("sys/kernel/security/lockdown", "[none] integrity confidentiality\n");
	probe(self->root, REL, &self->in);
	EXPECT_FALSE(self->in.lockdown);
	EXPECT_EQ(INSTALL_NOT_INSTALLED, install_diagnose(&self->in, false));
}

TEST_F(root, json)
{
	char *out = NULL;

	PUT("var/lib/dkms/anonleak/0.1/" OTHER "/x86_64/module/anonleak.ko", "ko");
	probe(self->root, REL, &self->in);
	CAPTURE(out, install_print(f, &self->in, INSTALL_OTHER_KERNEL, true));
	EXPECT_STREQ("{\"loaded\":false,\"state\":\"other_kernel\",\"kernel\":\"" REL "\","
		     "\"module\":\"\",\"dkms_version\":\"0.1\",\"dkms_kernels\":\"" OTHER "\","
		     "\"secure_boot\":false,\"signed\":false,\"lockdown\":false,"
		     "\"lockdown_confidentiality\":false}\n", out);
	free(out);
}

/* anonleak status itself, on the running kernel's release in the fake root. */
static int status_exit(const char *root)
{
	struct cli_args a = { 0 };
	int ret;

	setenv("ANONLEAK_ROOT", root, 1);
	ret = cmd_status.run(&a);
	unsetenv("ANONLEAK_ROOT");
	return ret;
}

TEST_F(root, status_exit_codes)
{
	char why[256], rel[256];
	struct utsname u;
	struct nl *nl;

	if (!nl_open(&nl, why, sizeof(why))) {
		nl_close(nl);
		SKIP(return, "the anonleak module is loaded here");
	}
	ASSERT_EQ(0, uname(&u));
	EXPECT_EQ(AL_EXIT_NOT_INSTALLED, status_exit(self->root));
	snprintf(rel, sizeof(rel), "var/lib/dkms/anonleak/0.1/%s-other/x86_64/module/anonleak.ko",
		 u.release);
	PUT(rel, "ko");
	EXPECT_EQ(AL_EXIT_OTHER_KERNEL, status_exit(self->root));
	snprintf(rel, sizeof(rel), "lib/modules/%s/updates/dkms/anonleak.ko", u.release);
	PUT(rel, "\177ELF unsigned");
	EXPECT_EQ(AL_EXIT_NOMODULE, status_exit(self->root));
	ASSERT_EQ(0, put(self->root, SB_VAR, "\x06\0\0\0\x01", 5));
	EXPECT_EQ(AL_EXIT_KEY_REJECTED, status_exit(self->root));
	PUT("sys/kernel/security/lockdown", "none integrity [confidentiality]\n");
	EXPECT_EQ(AL_EXIT_LOCKDOWN, status_exit(self->root));
}

TEST_HARNESS_MAIN
