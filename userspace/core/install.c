// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/install.h"

#define SIG_MAGIC	"~Module signature appended~\n"
#define SECURE_BOOT_VAR	\
	"/sys/firmware/efi/efivars/SecureBoot-8be4dfcb-8a73-4dab-9c1e-9c7fb5ebd1e2"
#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE	4
#endif

static const char *const ko_names[] = {
	"anonleak.ko", "anonleak.ko.xz", "anonleak.ko.zst", "anonleak.ko.gz",
};

/* Where modprobe would look without modules.dep, in its order. */
static const char *const ko_dirs[] = { "updates/dkms", "updates", "extra" };

const char *install_root(void)
{
	const char *r = getenv("ANONLEAK_ROOT");

	return r ? r : "";
}

/* A path from a format: false if it does not fit (then it is "" too). */
static bool __attribute__((format(printf, 3, 4)))
fmt_path(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len) {
		out[0] = '\0';
		return false;
	}
	return true;
}

static bool exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

static bool is_ko_name(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	for (size_t i = 0; i < sizeof(ko_names) / sizeof(ko_names[0]); i++)
		if (!strcmp(base, ko_names[i]))
			return true;
	return false;
}

/* anonleak's line of ROOT/lib/modules/REL/modules.dep, into in->path. */
static bool find_in_modules_dep(const char *root, struct install_info *in)
{
	char path[PATH_MAX], line[PATH_MAX + 64];
	bool found = false;
	FILE *f;

	fmt_path(path, sizeof(path), "%s/lib/modules/%s/modules.dep", root, in->release);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (!colon)
			continue;
		*colon = '\0';
		if (!is_ko_name(line))
			continue;
		if (line[0] == '/')
			fmt_path(in->path, sizeof(in->path), "%s%s", root, line);
		else
			fmt_path(in->path, sizeof(in->path), "%s/lib/modules/%s/%s", root,
				 in->release, line);
		found = exists(in->path);
	}
	fclose(f);
	if (!found)
		in->path[0] = '\0';
	return found;
}

/* Installed but depmod not run yet: the usual folders. */
static bool find_in_dirs(const char *root, struct install_info *in)
{
	for (size_t d = 0; d < sizeof(ko_dirs) / sizeof(ko_dirs[0]); d++) {
		for (size_t n = 0; n < sizeof(ko_names) / sizeof(ko_names[0]); n++) {
			fmt_path(in->path, sizeof(in->path), "%s/lib/modules/%s/%s/%s", root,
				 in->release, ko_dirs[d], ko_names[n]);
			if (exists(in->path))
				return true;
		}
	}
	in->path[0] = '\0';
	return false;
}

static void add_other(struct install_info *in, const char *kver)
{
	size_t len = strlen(in->others);

	if (strstr(in->others, kver))
		return;
	snprintf(in->others + len, sizeof(in->others) - len, "%s%s", len ? ", " : "", kver);
}

/*
 * One version's folder of the DKMS tree: VER/KVER/ARCH/module/anonleak.ko
 * for each kernel DKMS built it for ("build" and "source" are not kernels).
 */
static void scan_dkms_version(const char *dir, struct install_info *in)
{
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[PATH_MAX];

		if (e->d_name[0] == '.' || !strcmp(e->d_name, "build") ||
		    !strcmp(e->d_name, "source") || !strcmp(e->d_name, in->release))
			continue;
		fmt_path(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (exists(path) && strlen(e->d_name) < INSTALL_RELEASE_LEN)
			add_other(in, e->d_name);
	}
	closedir(d);
}

static void scan_dkms(const char *root, struct install_info *in)
{
	char dir[PATH_MAX];
	struct dirent *e;
	DIR *d;

	fmt_path(dir, sizeof(dir), "%s/var/lib/dkms/anonleak", root);
	d = opendir(dir);
	if (!d)
		return;
	in->dkms_source = true;
	while ((e = readdir(d))) {
		char path[PATH_MAX];
		struct stat st;

		/* Versions are folders; kernel-KVER-ARCH entries are links. */
		fmt_path(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (e->d_name[0] == '.' || lstat(path, &st) || !S_ISDIR(st.st_mode))
			continue;
		if (strverscmp(e->d_name, in->dkms_version) > 0 &&
		    strlen(e->d_name) < sizeof(in->dkms_version))
			strcpy(in->dkms_version, e->d_name);
		scan_dkms_version(path, in);
	}
	closedir(d);
}

/* Up to len - 1 bytes of root+path, NUL-terminated; -1 if unreadable. */
static ssize_t read_small(const char *root, const char *path, char *buf, size_t len)
{
	char full[PATH_MAX];
	ssize_t n;
	int fd;

	fmt_path(full, sizeof(full), "%s%s", root, path);
	fd = open(full, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

static void probe_security(const char *root, struct install_info *in)
{
	char buf[128];

	/* 4 bytes of attributes, then the value. */
	in->secure_boot = read_small(root, SECURE_BOOT_VAR, buf, sizeof(buf)) >= 5 &&
			  buf[4] == 1;
	if (read_small(root, "/sys/kernel/security/lockdown", buf, sizeof(buf)) > 0) {
		in->lockdown_confidentiality = strstr(buf, "[confidentiality]");
		in->lockdown = in->lockdown_confidentiality || strstr(buf, "[integrity]");
	}
}

/*
 * A module signature is appended to the ELF file with this marker at the
 * very end. A compressed module is signed inside: counted as signed, as
 * this cannot tell without decompressing it.
 */
static bool module_signed(const char *path)
{
	char tail[sizeof(SIG_MAGIC) - 1];
	bool ret = false;
	int fd;

	if (!is_ko_name(path) || strcmp(strrchr(path, '.'), ".ko"))
		return true;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true;
	if (lseek(fd, -(off_t)sizeof(tail), SEEK_END) >= 0 &&
	    read(fd, tail, sizeof(tail)) == (ssize_t)sizeof(tail))
		ret = !memcmp(tail, SIG_MAGIC, sizeof(tail));
	close(fd);
	return ret;
}

void install_probe(const char *root, const char *release, struct install_info *in)
{
	memset(in, 0, sizeof(*in));
	fmt_path(in->release, sizeof(in->release), "%s", release);
	if (!find_in_modules_dep(root, in))
		find_in_dirs(root, in);
	scan_dkms(root, in);
	probe_security(root, in);
	in->is_signed = in->path[0] ? module_signed(in->path) : false;
}

int install_load(struct install_info *in)
{
	const char *dot = strrchr(in->path, '.');
	int flags = dot && strcmp(dot, ".ko") ? MODULE_INIT_COMPRESSED_FILE : 0;
	int fd;

	if (!in->path[0])
		return in->load_err = -ENOENT;
	fd = open(in->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return in->load_err = -errno;
	if (syscall(SYS_finit_module, fd, "", flags))
		in->load_err = errno == EEXIST ? 0 : -errno;
	else
		in->load_err = 0;
	close(fd);
	return in->load_err;
}

enum install_state install_diagnose(const struct install_info *in, bool loaded)
{
	if (loaded)
		return INSTALL_LOADED;
	if (in->lockdown_confidentiality)
		return INSTALL_LOCKDOWN;
	if (!in->path[0])
		return in->others[0] ? INSTALL_OTHER_KERNEL : INSTALL_NOT_INSTALLED;
	switch (in->load_err) {
	case -EKEYREJECTED:
	case -ENOKEY:
		return INSTALL_KEY_REJECTED;
	case -EPERM:
		/* Lockdown (integrity) refuses modules it cannot verify. */
		return in->lockdown || in->secure_boot ? INSTALL_KEY_REJECTED :
			INSTALL_LOAD_FAILED;
	case 0:
		break;
	default:
		return INSTALL_LOAD_FAILED;
	}
	/* Not tried: under Secure Boot an unsigned module will be refused. */
	if (!in->load_err && in->secure_boot && !in->is_signed)
		return INSTALL_KEY_REJECTED;
	return INSTALL_NOT_LOADED;
}
