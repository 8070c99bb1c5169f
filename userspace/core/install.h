/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Why the anonleak module is not there: whether an anonleak.ko is
 * installed for the running kernel (modules.dep, updates/dkms), for which
 * kernels DKMS built it (/var/lib/dkms/anonleak), whether the kernel is
 * locked down or booted with Secure Boot, whether the installed module is
 * signed, and what a load attempt's errno means. Every path is read under
 * a root directory: "" on a real system, $ANONLEAK_ROOT in tests.
 */
#ifndef ANONLEAK_CORE_INSTALL_H
#define ANONLEAK_CORE_INSTALL_H

#include <limits.h>
#include <stdbool.h>

/* What status concludes, most specific first. */
enum install_state {
	INSTALL_LOADED,		/* the genetlink family is there */
	INSTALL_NOT_INSTALLED,	/* no anonleak.ko anywhere */
	INSTALL_OTHER_KERNEL,	/* DKMS built it, but not for this kernel */
	INSTALL_NOT_LOADED,	/* installed for this kernel, not loaded */
	INSTALL_KEY_REJECTED,	/* Secure Boot: unsigned, or key not enrolled */
	INSTALL_LOCKDOWN,	/* lockdown=confidentiality: kprobes refused */
	INSTALL_LOAD_FAILED,	/* a load attempt failed for another reason */
};

#define INSTALL_RELEASE_LEN	65	/* struct utsname's release */
#define INSTALL_OTHERS_LEN	512

struct install_info {
	char release[INSTALL_RELEASE_LEN];	/* the running kernel */
	char path[PATH_MAX];		/* its anonleak.ko, "" if none */
	char dkms_version[64];		/* newest /var/lib/dkms/anonleak/V, or "" */
	char others[INSTALL_OTHERS_LEN];	/* kernels DKMS built it for, ", " */
	bool dkms_source;		/* /usr/src/anonleak-V or DKMS tree exists */
	bool secure_boot;		/* the SecureBoot EFI variable says 1 */
	bool is_signed;			/* path ends with a module signature */
	bool lockdown_confidentiality;	/* [confidentiality] in .../lockdown */
	bool lockdown;			/* integrity or confidentiality */
	int load_err;			/* a load attempt's -errno, 0 if none */
};

/* $ANONLEAK_ROOT, or "" (the real root). */
const char *install_root(void);

/*
 * Fill *in for kernel release under root: where the module is, what DKMS
 * built, Secure Boot and lockdown. Missing files are answers, not errors.
 */
void install_probe(const char *root, const char *release, struct install_info *in);

/*
 * Load in->path with finit_module() (no parameters: modprobe.d options
 * are modprobe's business) and keep the result in in->load_err. 0 or
 * -errno; -ENOENT if nothing is installed.
 */
int install_load(struct install_info *in);

/* The state, from what install_probe() and install_load() found. */
enum install_state install_diagnose(const struct install_info *in, bool loaded);

#endif
