// SPDX-License-Identifier: GPL-2.0-or-later
/* names.c - how script names appear in generated C. */
#include "../stapc.h"

#include <string.h>

const char *gen_global(const struct symbol *g)
{
	return arena_printf("g_%s", g->name);
}

const char *gen_local(const struct symbol *s)
{
	return arena_printf("l_%s", s->name);
}

/* Overloads differ in arity, so the arity is part of the name. */
const char *gen_function(const struct function *fn)
{
	return arena_printf("f_%s_%d", fn->name, fn->params.len);
}

const char *gen_ctype(enum vtype t)
{
	return t == VT_STRING ? "char *" : "s64";
}

/* The histogram buckets a statistics global keeps (place.c decides). */
int gen_stat_buckets(const struct symbol *g)
{
	return place_of(g)->buckets;
}

/* A run-time error as stap words it: "division by 0 near operator '/' at f.stp:3:9". */
const char *runtime_error_text(const char *msg, const char *near, const struct loc *loc)
{
	return arena_printf("%s near %s at %s:%d:%d", msg, near, source_shown_name(loc->file), loc->line,
			    loc->col);
}
