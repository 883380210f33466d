// SPDX-License-Identifier: GPL-2.0-or-later
/* source.c - the files a compilation reads, numbered in load order. */
#include "stapc.h"

static int source_count;

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
