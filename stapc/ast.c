// SPDX-License-Identifier: GPL-2.0-or-later
/* ast.c - constructors for syntax tree nodes. */
#include "stapc.h"

struct expr *expr_new(enum expr_kind kind, struct loc loc)
{
	struct expr *e = arena_alloc(sizeof(*e));
	e->kind = kind;
	e->loc = loc;
	return e;
}

struct stmt *stmt_new(enum stmt_kind kind, struct loc loc)
{
	struct stmt *s = arena_alloc(sizeof(*s));
	s->kind = kind;
	s->loc = loc;
	return s;
}
