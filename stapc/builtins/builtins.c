// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * builtins.c - finding a built-in's row among the areas' tables.
 */
#include "builtins.h"

#include "../stapc.h"

#include <string.h>

static const struct builtin *const areas[] = {
	builtins_task, builtins_time, builtins_string, builtins_memory, builtins_probe,
	builtins_symbols, builtins_output, builtins_random,
};

const struct builtin *builtin_at(size_t i)
{
	for (size_t a = 0; a < ARRAY_SIZE(areas); a++) {
		size_t n = 0;
		while (areas[a][n].name)
			n++;
		if (i < n)
			return &areas[a][i];
		i -= n;
	}
	return NULL;
}

const struct builtin *builtin_find(const char *name)
{
	for (size_t a = 0; a < ARRAY_SIZE(areas); a++)
		for (const struct builtin *b = areas[a]; b->name; b++)
			if (!strcmp(b->name, name))
				return b;
	return NULL;
}

const struct builtin *builtin_of(const struct function *fn)
{
	return fn && fn->builtin ? builtin_find(fn->name) : NULL;
}

bool builtin_call_has(const struct expr *x, unsigned flags)
{
	if (!x || x->kind != E_CALL)
		return false;
	const struct builtin *b = builtin_of(x->fn);
	return b && (b->flags & flags) == flags;
}

static bool reads_registers_at(const struct expr *x, void *call_depth)
{
	int *depth = call_depth;
	if (x->kind != E_CALL || !x->fn)
		return false;
	if (x->fn->builtin)
		return builtin_call_has(x, BI_REGS);
	if (*depth > 32)
		return false; /* recursion: the first visit looks at the body */
	++*depth;
	bool r = stmt_any(x->fn->body, reads_registers_at, depth);
	--*depth;
	return r;
}

bool expr_reads_registers(const struct expr *x, void *ctx)
{
	(void)ctx;
	int depth = 0;
	return reads_registers_at(x, &depth);
}
