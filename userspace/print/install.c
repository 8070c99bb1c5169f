// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "print/install.h"
#include "print/json.h"

static const char *const state_names[] = {
	[INSTALL_LOADED] = "loaded",
	[INSTALL_NOT_INSTALLED] = "not_installed",
	[INSTALL_OTHER_KERNEL] = "other_kernel",
	[INSTALL_NOT_LOADED] = "not_loaded",
	[INSTALL_KEY_REJECTED] = "key_rejected",
	[INSTALL_LOCKDOWN] = "lockdown",
	[INSTALL_LOAD_FAILED] = "load_failed",
};

const char *install_state_name(enum install_state st)
{
	return (unsigned int)st < sizeof(state_names) / sizeof(state_names[0]) ?
		state_names[st] : "unknown";
}

static void print_key_rejected(FILE *f, const struct install_info *in)
{
	fprintf(f, "anonleak: the kernel refuses the anonleak module (%s): Secure Boot%s "
		"only lets in modules signed with an enrolled key, and %s\n",
		in->path, in->secure_boot ? " is on and" : " or lockdown",
		in->is_signed ? "this module's key (\"Key was rejected by service\") is not enrolled" :
		"this module is not signed");
	fputs("  DKMS signs the modules it builds with /var/lib/dkms/mok.key; enrol its key\n"
	      "  in the firmware's Machine Owner Key list once:\n"
	      "    1. mokutil --import /var/lib/dkms/mok.pub    (choose a one-time password)\n"
	      "    2. reboot: MokManager starts; choose \"Enroll MOK\", \"Continue\", \"Yes\",\n"
	      "       type the password, then \"Reboot\"\n"
	      "    3. modprobe anonleak\n", f);
	if (!in->is_signed)
		fprintf(f, "  An unsigned module was built before DKMS had a key: rebuild it with\n"
			"    dkms remove anonleak/%s -k %s && dkms install anonleak/%s -k %s\n",
			in->dkms_version[0] ? in->dkms_version : "VERSION", in->release,
			in->dkms_version[0] ? in->dkms_version : "VERSION", in->release);
}

static void print_text(FILE *f, const struct install_info *in, enum install_state st)
{
	switch (st) {
	case INSTALL_LOADED:
		fputs("anonleak: the module is loaded\n", f);
		break;
	case INSTALL_NOT_INSTALLED:
		fprintf(f, "anonleak: the anonleak module is not installed for kernel %s "
			"(no anonleak.ko in /lib/modules/%s)\n"
			"  install it: apt install anonleak-dkms linux-headers-%s\n"
			"  or from the source tree: make module KVER=%s && "
			"insmod build/ko/%s/anonleak.ko\n",
			in->release, in->release, in->release, in->release, in->release);
		break;
	case INSTALL_OTHER_KERNEL:
		fprintf(f, "anonleak: the anonleak module is installed for another kernel "
			"(DKMS built anonleak %s for %s), not for the running kernel %s\n"
			"  build it for this one: apt install linux-headers-%s && "
			"dkms autoinstall -k %s\n",
			in->dkms_version, in->others, in->release, in->release, in->release);
		break;
	case INSTALL_NOT_LOADED:
		fprintf(f, "anonleak: the anonleak module is installed for kernel %s (%s) "
			"but not loaded (no generic netlink family \"anonleak\")\n"
			"  load it: modprobe anonleak   (or 'anonleak status --load', which "
			"also explains a refusal)\n", in->release, in->path);
		break;
	case INSTALL_KEY_REJECTED:
		print_key_rejected(f, in);
		break;
	case INSTALL_LOCKDOWN:
		fputs("anonleak: the kernel is locked down in confidentiality mode "
		      "(/sys/kernel/security/lockdown): it refuses kprobes-based tracing and\n"
		      "  reading memory for it, which is what anonleak does. Boot without\n"
		      "  lockdown=confidentiality (integrity mode, with a signed module, works)\n", f);
		break;
	case INSTALL_LOAD_FAILED:
		fprintf(f, "anonleak: loading %s failed: %s; see the kernel log (dmesg)\n",
			in->path, strerror(-in->load_err));
		break;
	}
}

static void print_json(FILE *f, const struct install_info *in, enum install_state st)
{
	struct json j;

	json_init(&j, f);
	json_object_begin(&j, NULL);
	json_bool(&j, "loaded", st == INSTALL_LOADED);
	json_string(&j, "state", install_state_name(st));
	json_string(&j, "kernel", in->release);
	json_string(&j, "module", in->path);
	json_string(&j, "dkms_version", in->dkms_version);
	json_string(&j, "dkms_kernels", in->others);
	json_bool(&j, "secure_boot", in->secure_boot);
	json_bool(&j, "signed", in->is_signed);
	json_bool(&j, "lockdown", in->lockdown);
	json_bool(&j, "lockdown_confidentiality", in->lockdown_confidentiality);
	if (in->load_err)
		json_string(&j, "load_error", strerror(-in->load_err));
	json_object_end(&j);
}

void install_print(FILE *f, const struct install_info *in, enum install_state st, bool json)
{
	if (json)
		print_json(f, in, st);
	else
		print_text(f, in, st);
}
