// SPDX-License-Identifier: GPL-2.0-or-later
/* ast.c - constructors for syntax tree nodes. */
#include "stapc.h"

static long nodes_made;

long ast_nodes(void)
{
	return nodes_made;
}

struct expr *expr_new(enum expr_kind kind, struct loc loc)
{
	nodes_made++;
	struct expr *e = arena_alloc(sizeof(*e));
	e->kind = kind;
	e->loc = loc;
	return e;
}

struct stmt *stmt_new(enum stmt_kind kind, struct loc loc)
{
	nodes_made++;
	struct stmt *s = arena_alloc(sizeof(*s));
	s->kind = kind;
	s->loc = loc;
	return s;
}

static struct vec clone_exprs(const struct vec *v)
{
	struct vec out = { 0 };
	for (int i = 0; i < v->len; i++) {
		const struct expr *e = vec_at(v, i);
		vec_push(&out, e ? expr_clone(e) : NULL);
	}
	return out;
}

static struct vec clone_components(const struct vec *v)
{
	struct vec out = { 0 };
	for (int i = 0; i < v->len; i++) {
		const struct component *c = vec_at(v, i);
		struct component *n = arena_alloc(sizeof(*n));
		*n = *c;
		if (c->index)
			n->index = expr_clone(c->index);
		vec_push(&out, n);
	}
	return out;
}

struct expr *expr_clone(const struct expr *e)
{
	if (!e)
		return NULL;
	nodes_made++;
	struct expr *n = arena_alloc(sizeof(*n));
	*n = *e;
	n->left = expr_clone(e->left);
	n->right = expr_clone(e->right);
	n->cond = expr_clone(e->cond);
	n->args = clone_exprs(&e->args);
	n->comps = clone_components(&e->comps);
	return n;
}

struct stmt *stmt_clone(const struct stmt *s)
{
	if (!s)
		return NULL;
	nodes_made++;
	struct stmt *n = arena_alloc(sizeof(*n));
	*n = *s;
	n->stmts = (struct vec){ 0 };
	for (int i = 0; i < s->stmts.len; i++)
		vec_push(&n->stmts, stmt_clone(vec_at(&s->stmts, i)));
	n->expr = expr_clone(s->expr);
	n->body = stmt_clone(s->body);
	n->els = stmt_clone(s->els);
	n->init = stmt_clone(s->init);
	n->step = expr_clone(s->step);
	n->catch_var = expr_clone(s->catch_var);
	n->keys = clone_exprs(&s->keys);
	n->value = expr_clone(s->value);
	n->base = expr_clone(s->base);
	n->limit = expr_clone(s->limit);
	return n;
}

const char *vtype_name(enum vtype t)
{
	switch (t) {
	case VT_LONG:
		return "long";
	case VT_STRING:
		return "string";
	case VT_STATS:
		return "stats";
	default:
		return "unknown";
	}
}

void expr_make_sprintf(struct expr *x, const char *fmt, struct vec args)
{
	x->kind = E_PRINT;
	x->name = intern("sprintf");
	x->print_kind = PRINT_PRINTF;
	x->print_to_string = true;
	x->has_format = true;
	x->str = intern(fmt);
	x->args = args;
	x->comps = (struct vec){ 0 };
	x->target = NULL;
}
