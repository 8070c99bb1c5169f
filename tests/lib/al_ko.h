/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loading and unloading anonleak.ko, and its module parameters.
 *
 * ANONLEAK_KO names the module file (the guest runner sets it to an
 * absolute path); the default is module/anonleak.ko, from the repository
 * root. The al_ko_load() family goes through insmod and rmmod, in a shell
 * (system() maps memory in the caller for the shell it spawns); the
 * al_ko_insert() family makes the system calls itself, for loops that
 * reload often.
 */
#ifndef AL_KO_H
#define AL_KO_H

#include <stdbool.h>

/* The module file. */
const char *al_ko(void);

/* Is a module "anonleak" loaded? */
bool al_ko_loaded(void);

/* insmod with @params (may be ""): insmod's exit status. */
int al_ko_load(const char *params);

/* rmmod, quietly: its exit status. */
int al_ko_unload(void);

/* rmmod (quietly, whether it was loaded or not), then insmod @params. */
int al_ko_reload(const char *params);

/* Load the module if it is not loaded: 0, or insmod's exit status. */
int al_ko_ensure(void);

/*
 * Set module parameter @name to @val through sysfs (echo, in a shell):
 * the shell's exit status, not 0 if the module refused the value.
 */
int al_ko_param(const char *name, const char *val);

/* finit_module() of al_ko() without parameters: 0 or -errno. */
int al_ko_insert(void);

/*
 * delete_module(), retried every 2 ms while a dump holds the module (up
 * to 2000 times; each retry counted in *@busy if not NULL): 0 or -errno.
 */
int al_ko_remove(unsigned long *busy);

#endif /* AL_KO_H */
