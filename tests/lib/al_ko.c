// SPDX-License-Identifier: GPL-2.0
/* See al_ko.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "al_ko.h"
#include "al_util.h"

const char *al_ko(void)
{
	const char *p = getenv("ANONLEAK_KO");

	return p ? p : "module/anonleak.ko";
}

bool al_ko_loaded(void)
{
	return !access("/sys/module/anonleak", F_OK);
}

int al_ko_load(const char *params)
{
	return al_sh("insmod %s %s", al_ko(), params);
}

int al_ko_unload(void)
{
	return al_sh("rmmod anonleak 2>/dev/null");
}

int al_ko_reload(const char *params)
{
	al_ko_unload();
	return al_ko_load(params);
}

int al_ko_ensure(void)
{
	return al_ko_loaded() ? 0 : al_ko_load("");
}

int al_ko_param(const char *name, const char *val)
{
	return al_sh("echo '%s' > /sys/module/anonleak/parameters/%s 2>/dev/null",
		     val, name);
}

int al_ko_insert(void)
{
	int fd = open(al_ko(), O_RDONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, "", 0))
		err = -errno;
	close(fd);
	return err;
}

int al_ko_remove(unsigned long *busy)
{
	int tries;

	/* Refused while a dump holds the module: retry between dumps. */
	for (tries = 0; tries < 2000; tries++) {
		if (!syscall(SYS_delete_module, "anonleak", O_NONBLOCK))
			return 0;
		if (errno != EWOULDBLOCK && errno != EBUSY)
			return -errno;
		if (busy)
			(*busy)++;
		usleep(2000);
	}
	return -EBUSY;
}
