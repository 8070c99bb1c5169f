// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include <linux/anonleak.h>

#include "core/frames.h"
#include "proto/util.h"

static const char *base_name(const char *path)
{
	const char *base = strrchr(path, '/');

	return base ? base + 1 : path;
}

static bool has_prefix(const char *s, const char *const *prefixes, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strncmp(s, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

bool object_is_loader(const char *path)
{
	static const char *const loader[] = { "ld-linux", "ld-2.", "ld-musl-", "ld.so" };

	return has_prefix(base_name(path), loader, ARRAY_SIZE(loader));
}

bool object_is_libc(const char *path)
{
	static const char *const libc[] = {
		"libc.so", "libc-2.", "libpthread.so", "libpthread-2.", "libc.musl-",
	};

	return object_is_loader(path) || has_prefix(base_name(path), libc, ARRAY_SIZE(libc));
}

const struct frame_info *site_top_frame(const struct site_info *s, size_t *index)
{
	size_t i;

	for (i = 0; i < s->nr_frames; i++)
		if (s->frames[i].object && !object_is_libc(s->frames[i].object))
			break;
	if (i == s->nr_frames)
		i = s->nr_frames > 1 ? 1 : 0;
	if (i >= s->nr_frames)
		return NULL;
	*index = i;
	return &s->frames[i];
}

bool site_is_loader(const struct site_info *s)
{
	bool any = false;

	for (size_t i = 0; i < s->nr_frames; i++) {
		if (!s->frames[i].object)
			continue;
		if (!object_is_loader(s->frames[i].object))
			return false;
		any = true;
	}
	return any;
}

const char *site_stack_source(const struct site_info *s)
{
	if (!s->has_flags)
		return "unknown";
	if (s->flags & ANONLEAK_SITE_F_PARTIAL)
		return "mixed";
	if (s->flags & ANONLEAK_SITE_F_UNWOUND)
		return "unwind_tables";
	return "frame_pointers";
}
