// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * walk.c - the one walk of the syntax tree.
 *
 * Each node's children are listed here and nowhere else; a pass that walks
 * the tree gives hooks for the nodes it cares about (bpftrace's visitor,
 * in C). A hook returns WALK_ON to go into the node's children, WALK_SKIP
 * when it walked them itself (or they do not matter to it) and WALK_STOP to
 * end the whole walk: walk_expr() and walk_stmt() then return false.
 *
 * The order is the one the passes have always had, and output depends on
 * it: elide.c keeps the functions a program reaches in the order it meets
 * their calls, which is the order they are emitted in. A statement's bound
 * variables come before what runs with them bound (keywidth.c learns where
 * a foreach key comes from before it sees the key used).
 */
#include "stapc.h"

static bool walk_exprs(struct walker *w, struct vec *v)
{
	for (int i = 0; i < v->len; i++)
		if (!walk_expr(w, vec_at(v, i)))
			return false;
	return true;
}

bool walk_expr_children(struct walker *w, struct expr *x)
{
	for (int i = 0; i < x->comps.len; i++) {
		struct component *c = vec_at(&x->comps, i);
		if (c->kind == COMP_INDEX && !walk_expr(w, c->index))
			return false;
	}
	return walk_expr(w, x->left) && walk_expr(w, x->right) && walk_expr(w, x->cond) &&
	       walk_exprs(w, &x->args);
}

bool walk_expr(struct walker *w, struct expr *x)
{
	if (!x)
		return true;
	enum walk_next next = w->expr ? w->expr(w, x) : WALK_ON;
	if (next == WALK_STOP || (next == WALK_ON && !walk_expr_children(w, x)))
		return false;
	if (w->expr_post)
		w->expr_post(w, x);
	return true;
}

/* A variable the statement writes: foreach's keys (key 0..n-1) and value (-1), a catch's (-1). */
static bool walk_bound(struct walker *w, struct stmt *s, struct expr *var, int key)
{
	if (!var)
		return true;
	if (!w->bound)
		return walk_expr(w, var);
	enum walk_next next = w->bound(w, s, var, key);
	return next == WALK_STOP ? false : next == WALK_SKIP || walk_expr(w, var);
}

static bool walk_bindings(struct walker *w, struct stmt *s)
{
	for (int i = 0; i < s->keys.len; i++)
		if (!walk_bound(w, s, vec_at(&s->keys, i), i))
			return false;
	return walk_bound(w, s, s->value, -1) && walk_bound(w, s, s->catch_var, -1);
}

bool walk_stmt_children(struct walker *w, struct stmt *s)
{
	for (int i = 0; i < s->stmts.len; i++)
		if (!walk_stmt(w, vec_at(&s->stmts, i)))
			return false;
	return walk_bindings(w, s) && walk_expr(w, s->expr) && walk_stmt(w, s->body) &&
	       walk_stmt(w, s->els) && walk_stmt(w, s->init) && walk_expr(w, s->step) &&
	       walk_expr(w, s->limit) && walk_expr(w, s->base);
}

bool walk_stmt(struct walker *w, struct stmt *s)
{
	if (!s)
		return true;
	enum walk_next next = w->stmt ? w->stmt(w, s) : WALK_ON;
	if (next == WALK_STOP || (next == WALK_ON && !walk_stmt_children(w, s)))
		return false;
	if (w->stmt_post)
		w->stmt_post(w, s);
	return true;
}

bool walk_handler(struct walker *w, struct expr *cond, struct stmt *body)
{
	return walk_expr(w, cond) && walk_stmt(w, body);
}

enum walk_next walk_no_expr(struct walker *w __maybe_unused, struct expr *x __maybe_unused)
{
	return WALK_SKIP;
}

/* ------------------------------------------------------------ any */

struct any {
	bool (*pred)(const struct expr *x, void *ctx);
	void *ctx;
};

static enum walk_next any_expr(struct walker *w, struct expr *x)
{
	struct any *a = w->ctx;
	return a->pred(x, a->ctx) ? WALK_STOP : WALK_ON;
}

/* The walk writes nothing: the const goes only so that one walker serves all. */
bool expr_any(const struct expr *e, bool (*pred)(const struct expr *, void *), void *ctx)
{
	struct any a = { pred, ctx };
	struct walker w = { .expr = any_expr, .ctx = &a };
	return !walk_expr(&w, (struct expr *)e);
}

bool stmt_any(const struct stmt *s, bool (*pred)(const struct expr *, void *), void *ctx)
{
	struct any a = { pred, ctx };
	struct walker w = { .expr = any_expr, .ctx = &a };
	return !walk_stmt(&w, (struct stmt *)s);
}
