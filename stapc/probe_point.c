// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * probe_point.c - reading a probe point's components ("kernel", "function"
 * with its argument, ...), for providers and aliases. The prefix is point_:
 * pp_ belongs to the preprocessor (pp.c).
 */
#include "stapc.h"

#include <string.h>

int point_ncomps(const struct probe_point *p)
{
	return p->comps.len;
}

const char *point_name(const struct probe_point *p, int i)
{
	return i < p->comps.len ? ((struct pp_component *)vec_at(&p->comps, i))->name : NULL;
}

const struct expr *point_arg(const struct probe_point *p, int i)
{
	return i < p->comps.len ? ((struct pp_component *)vec_at(&p->comps, i))->arg : NULL;
}

/* A copy of p whose component i has the string argument arg: a wildcard's match. */
struct probe_point *point_with_arg(const struct probe_point *p, int i, const char *arg)
{
	struct probe_point *np = arena_alloc(sizeof(*np));
	*np = *p;
	np->comps = (struct vec){ 0 };
	for (int j = 0; j < point_ncomps(p); j++) {
		struct pp_component *c = arena_alloc(sizeof(*c));
		*c = *(struct pp_component *)vec_at(&p->comps, j);
		if (j == i) {
			c->arg = expr_new(E_STRING, c->loc);
			c->arg->str = intern(arg);
		}
		vec_push(&np->comps, c);
	}
	return np;
}

bool point_is(const struct probe_point *p, int i, const char *name)
{
	const char *n = point_name(p, i);
	return n && !strcmp(n, name);
}

/* Glob match of one component: '*' matches any run of characters. */
bool point_match(const char *pat, const char *name)
{
	for (; *pat; pat++, name++) {
		if (*pat == '*') {
			while (pat[1] == '*')
				pat++;
			if (!pat[1])
				return true;
			for (const char *n = name; *n; n++)
				if (point_match(pat + 1, n))
					return true;
			return point_match(pat + 1, name + strlen(name));
		}
		if (*pat != *name)
			return false;
	}
	return *name == 0;
}
