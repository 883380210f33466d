// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tracefs.c - what the build host's tracefs says about tracepoints: the
 * list of events, and the record layout of classic (non-BTF) events such
 * as syscalls:sys_enter_*.
 */
#include "stapc.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *tracefs_dir(void)
{
	static const char *const dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		char path[256];
		snprintf(path, sizeof(path), "%s/events", dirs[i]);
		if (access(path, R_OK) == 0)
			return dirs[i];
	}
	return NULL;
}

/* "system:event" lines of available_events, sorted as the file is. */
void tracefs_events(struct vec *out)
{
	const char *dir = tracefs_dir();
	if (!dir)
		return;
	char *text = read_file(arena_printf("%s/available_events", dir), NULL);
	if (!text)
		return;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		vec_push(out, (void *)intern(line));
}

/*
 * The fields of an event's record, after the common_ ones:
 *   field:const char * filename;	offset:24;	size:8;	signed:0;
 */
bool tracefs_fields(const char *system, const char *event, struct vec *out)
{
	const char *dir = tracefs_dir();
	if (!dir)
		return false;
	char *text = read_file(arena_printf("%s/events/%s/%s/format", dir, system, event), NULL);
	if (!text)
		return false;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		char *f = strstr(line, "field:");
		if (!f)
			continue;
		f += 6;
		char *semi = strchr(f, ';');
		if (!semi)
			continue;
		*semi = 0;
		struct tp_field *fl = arena_alloc(sizeof(*fl));
		char *o = strstr(semi + 1, "offset:"), *s = strstr(semi + 1, "size:");
		char *sg = strstr(semi + 1, "signed:");
		if (!o || !s)
			continue;
		fl->offset = atoi(o + 7);
		fl->size = atoi(s + 5);
		fl->is_signed = sg && atoi(sg + 7);
		/* The declaration: type, then the name (maybe with [N]). */
		char *decl = f;
		char *bracket = strchr(decl, '[');
		if (bracket) {
			fl->array = true;
			*bracket = 0;
		}
		size_t n = strlen(decl);
		while (n && decl[n - 1] == ' ')
			decl[--n] = 0;
		char *name = decl + n;
		while (name > decl && (name[-1] == '_' || (name[-1] >= 'a' && name[-1] <= 'z') ||
				       (name[-1] >= 'A' && name[-1] <= 'Z') ||
				       (name[-1] >= '0' && name[-1] <= '9')))
			name--;
		fl->name = intern(name);
		*name = 0;
		n = strlen(decl);
		while (n && decl[n - 1] == ' ')
			decl[--n] = 0;
		fl->c_type = intern(decl);
		if (!strncmp(fl->name, "common_", 7))
			continue;
		vec_push(out, fl);
	}
	return true;
}
