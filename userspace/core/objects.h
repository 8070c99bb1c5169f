/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The executable files a command will map before it runs any code of its
 * own: the program (found in PATH like execvp; a "#!" script's
 * interpreter instead), its dynamic loader (PT_INTERP) and the libraries
 * the loader resolves for it ("LOADER --list PROGRAM", what ldd does: the
 * loader's own search, with LD_LIBRARY_PATH, RUNPATH and the cache, and
 * none of the program's code run). "anonleak run" loads their unwind
 * tables before it releases the command.
 */
#ifndef ANONLEAK_CORE_OBJECTS_H
#define ANONLEAK_CORE_OBJECTS_H

#include <stddef.h>

struct object_paths {
	char **paths;
	size_t nr, cap;
};

void object_paths_release(struct object_paths *o);

/*
 * The files of cmd (argv of the command) into o: 0, or -errno (-ENOENT:
 * the program was not found; the list then holds what was found).
 */
int command_objects(char *const *cmd, struct object_paths *o);

#endif
