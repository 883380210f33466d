// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/* globals.c - -G NAME=VALUE: a global's value before the script starts. */
#include "stp_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool set_one(struct stp_rt *rt, const char *assignment)
{
	const struct stp_tool *t = rt->tool;
	const char *eq = strchr(assignment, '=');
	size_t n = (size_t)(eq - assignment);
	const char *value = eq + 1;
	for (int i = 0; i < t->nglobals; i++) {
		const struct stp_global_desc *g = &t->globals[i];
		if (strlen(g->name) != n || strncmp(g->name, assignment, n))
			continue;
		char *dst = g->addr ? g->addr : rt->kglobals ? (char *)rt->kglobals + g->kernel_offset : NULL;
		if (!dst)
			return false;
		if (g->is_string) {
			snprintf(dst, (size_t)t->maxstringlen, "%s", value);
			return true;
		}
		char *end;
		errno = 0;
		long long v = strtoll(value, &end, 0);
		if (!*value || *end || errno) {
			stp_say("-G %s: '%s' is not a number", g->name, value);
			exit(1);
		}
		memcpy(dst, &v, sizeof(v));
		return true;
	}
	return false;
}

void stp_apply_global_options(struct stp_rt *rt, struct stp_session *ss)
{
	for (int i = 0; i < ss->nglobal_sets; i++) {
		if (!set_one(rt, ss->global_sets[i])) {
			const char *eq = strchr(ss->global_sets[i], '=');
			stp_say("-G: the script has no global '%.*s' to set", (int)(eq - ss->global_sets[i]),
				ss->global_sets[i]);
			exit(1);
		}
	}
}
