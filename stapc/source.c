// SPDX-License-Identifier: GPL-2.0-or-later
/* source.c - the files a compilation reads, numbered in load order. */
#include <string.h>

#include "stapc.h"

static int source_count;
static const char *script_dir; /* the user's script's folder, as given */

struct source_file *source_add(const char *name, const char *text, size_t len)
{
	struct source_file *f = arena_alloc(sizeof(*f));
	f->name = intern(name);
	f->text = text;
	f->len = len;
	f->order = source_count++;
	return f;
}

struct source_file *source_load(const char *path)
{
	size_t len;
	char *text = read_file(path, &len);
	if (!text)
		return NULL;
	return source_add(path, text, len);
}

/* The user's script: the files in its folder are named relative to it. */
void source_set_script(const struct source_file *f)
{
	const char *slash = strrchr(f->name, '/');
	script_dir = slash ? arena_strndup(f->name, (size_t)(slash - f->name + 1)) : NULL;
}

/*
 * The name a tool's run-time error locations give a file: the user's files
 * relative to the script's folder, so that a tool is the same bytes
 * whichever folder it was built from and however its script was named
 * (dir/x.stp, /abs/dir/x.stp). #line keeps the path as given, for clang to
 * read the source lines into the line info; build.c maps the folder away.
 */
const char *source_shown_name(const struct source_file *f)
{
	size_t n = script_dir ? strlen(script_dir) : 0;
	if (n && !f->is_tapset && strncmp(f->name, script_dir, n) == 0)
		return f->name + n;
	return f->name;
}
