// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gelf.h>
#include <sys/wait.h>

#include "core/objects.h"
#include "proto/util.h"

extern char **environ;

void object_paths_release(struct object_paths *o)
{
	for (size_t i = 0; i < o->nr; i++)
		free(o->paths[i]);
	free(o->paths);
	memset(o, 0, sizeof(*o));
}

static int add_path(struct object_paths *o, const char *path)
{
	char *p;

	for (size_t i = 0; i < o->nr; i++)
		if (!strcmp(o->paths[i], path))
			return 0;
	p = strdup(path);
	if (!p || array_grow((void **)&o->paths, &o->cap, o->nr, sizeof(*o->paths))) {
		free(p);
		return -ENOMEM;
	}
	o->paths[o->nr++] = p;
	return 0;
}

/* name as execvp finds it, into out (PATH_MAX): 0 or -ENOENT. */
static int find_program(const char *name, char *out)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL;
	int ret = -ENOENT;

	if (strchr(name, '/')) {
		if (!realpath(name, out))
			return -errno;
		return access(out, X_OK) ? -errno : 0;
	}
	copy = strdup(path ? path : "/usr/local/bin:/usr/bin:/bin");
	if (!copy)
		return -ENOMEM;
	for (dir = strtok_r(copy, ":", &save); dir && ret; dir = strtok_r(NULL, ":", &save))
		if (snprintf(out, PATH_MAX, "%s/%s", *dir ? dir : ".", name) < PATH_MAX &&
		    !access(out, X_OK))
			ret = 0;
	free(copy);
	return ret;
}

/* A "#!" script's interpreter (env's program resolved), into prog. */
static int script_interpreter(char *prog)
{
	char line[PATH_MAX + 64], *interp, *arg, *save = NULL;
	FILE *f = fopen(prog, "re");
	bool script;

	if (!f)
		return -errno;
	script = fgets(line, sizeof(line), f) && !strncmp(line, "#!", 2);
	fclose(f);
	if (!script)
		return 0;
	interp = strtok_r(line + 2, " \t\n", &save);
	arg = strtok_r(NULL, " \t\n", &save);
	if (!interp)
		return -ENOEXEC;
	if (arg && !strcmp(strrchr(interp, '/') ? strrchr(interp, '/') + 1 : interp, "env"))
		return find_program(arg, prog);
	snprintf(prog, PATH_MAX, "%s", interp);
	return 0;
}

/* PT_INTERP of the ELF file path into interp (PATH_MAX); "" if none. */
static void program_interpreter(const char *path, char *interp)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf *elf;
	size_t n;

	interp[0] = '\0';
	if (fd < 0)
		return;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	for (size_t i = 0; elf && !elf_getphdrnum(elf, &n) && i < n; i++) {
		GElf_Phdr ph;
		size_t len;
		char *raw;

		if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_INTERP)
			continue;
		raw = elf_rawfile(elf, &len);
		if (raw && ph.p_offset < len && ph.p_filesz < PATH_MAX &&
		    ph.p_filesz <= len - ph.p_offset)
			snprintf(interp, PATH_MAX, "%.*s", (int)ph.p_filesz, raw + ph.p_offset);
		break;
	}
	elf_end(elf);
	close(fd);
}

/* One line of "ld.so --list": "name => /path (0x...)" or "/path (0x...)". */
static int add_list_line(struct object_paths *o, char *line)
{
	char *p = strstr(line, "=> "), *end;

	p = p ? p + 3 : line + strspn(line, " \t");
	if (*p != '/')
		return 0;	/* linux-vdso.so.1, "not found" */
	end = strstr(p, " (");
	if (end)
		*end = '\0';
	p[strcspn(p, "\n")] = '\0';
	return add_path(o, p);
}

/* Run "interp --list prog" and take the paths it prints. */
static int list_libraries(const char *interp, const char *prog, struct object_paths *o)
{
	char *argv[] = { (char *)interp, "--list", (char *)prog, NULL };
	posix_spawn_file_actions_t fa;
	char line[PATH_MAX + 128];
	int fds[2], ret, err = 0, status;
	pid_t pid;
	FILE *f;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	ret = -posix_spawn(&pid, interp, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	f = fdopen(fds[0], "r");
	while (!ret && f && fgets(line, sizeof(line), f))
		if (!err)
			err = add_list_line(o, line);
	if (f)
		fclose(f);
	else
		close(fds[0]);
	if (!ret)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	return ret ? ret : err;
}

int command_objects(char *const *cmd, struct object_paths *o)
{
	char prog[PATH_MAX], interp[PATH_MAX];
	int ret = find_program(cmd[0], prog);

	if (!ret)
		ret = script_interpreter(prog);
	if (!ret)
		ret = add_path(o, prog);
	if (ret)
		return ret;
	program_interpreter(prog, interp);
	if (!interp[0])
		return 0;	/* static */
	ret = add_path(o, interp);
	return ret ? ret : list_libraries(interp, prog, o);
}
