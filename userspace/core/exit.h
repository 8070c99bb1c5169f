/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The exit codes of anonleak. Documented in "anonleak --help" (main.c)
 * and anonleak.8: keep all three in step. They are here, in core/, as
 * the lowest layer that decides one (core/run.c: AL_EXIT_LEAK).
 */
#ifndef ANONLEAK_CORE_EXIT_H
#define ANONLEAK_CORE_EXIT_H

enum exit_code {
	AL_EXIT_OK = 0,
	AL_EXIT_ERROR = 1,	/* anything not listed below */
	AL_EXIT_USAGE = 2,	/* bad option, malformed number or pid */
	AL_EXIT_NOMODULE = 3,	/* generic netlink family "anonleak" not found */
	AL_EXIT_PERM = 4,	/* EPERM/EACCES: needs CAP_NET_ADMIN */
	AL_EXIT_NOPROC = 5,	/* --pid names no record and no live process; ESRCH */
	AL_EXIT_PROTO = 6,	/* family version too new, malformed reply */
	AL_EXIT_LEAK = 7,	/* run --fail-on-leak: outstanding bytes at the threshold */
	/* status only, when the family is absent (core/install.h): */
	AL_EXIT_NOT_INSTALLED = 8,	/* no anonleak.ko for the running kernel */
	AL_EXIT_OTHER_KERNEL = 9,	/* DKMS built it for other kernels only */
	AL_EXIT_KEY_REJECTED = 10,	/* Secure Boot: unsigned or key not enrolled */
	AL_EXIT_LOCKDOWN = 11,		/* lockdown=confidentiality */
};

#endif
