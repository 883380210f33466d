// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * foreach_writes.c - an array may not change while foreach walks it.
 *
 * stap refuses, in pass 2, a foreach whose body assigns to, increments,
 * adds to (<<<) or deletes an element of the array it iterates: "variable
 * 'a' modified during 'foreach' iteration", at the write; and one whose
 * body calls a function that does so itself: "function call modifies var
 * 'a' ...", at the call. As in stap, a function is followed one call deep,
 * and `delete a` of the whole array, reading it and walking it again in a
 * nested foreach are all allowed.
 */
#include "stapc.h"

struct writes_walk {
	struct walker w;
	const struct symbol *array; /* what the innermost checked foreach walks */
	const struct expr *found;   /* the first write to it */
	const struct expr *call;    /* the call whose function writes it, or NULL */
	bool in_call;		    /* walking a called function's body */
};

/* The array an lvalue or a delete names: a[...] or a itself. */
static const struct symbol *array_of(const struct expr *x)
{
	if (!x)
		return NULL;
	if (x->kind == E_INDEX || x->kind == E_SYMBOL)
		return x->sym;
	return NULL;
}

/* Where a write names the array: a[k]'s identifier, as stap points at it. */
static const struct expr *named_at(const struct expr *x)
{
	return x->kind == E_INDEX && x->left ? x->left : x;
}

static enum walk_next write_expr(struct walker *w, struct expr *x)
{
	struct writes_walk *ww = (struct writes_walk *)w;
	bool writes = x->kind == E_ASSIGN || x->kind == E_PREINC || x->kind == E_POSTINC;
	if (writes && array_of(x->left) == ww->array) {
		ww->found = named_at(x->left);
		return WALK_STOP;
	}
	if (x->kind == E_CALL && x->fn && x->fn->body && !ww->in_call) {
		ww->in_call = true;
		bool stopped = !walk_stmt(w, x->fn->body);
		ww->in_call = false;
		if (stopped) {
			ww->call = x;
			return WALK_STOP;
		}
	}
	return WALK_ON;
}

static enum walk_next write_stmt(struct walker *w, struct stmt *s)
{
	struct writes_walk *ww = (struct writes_walk *)w;
	if (s->kind == S_DELETE && s->expr && s->expr->kind == E_INDEX && s->expr->sym == ww->array) {
		ww->found = named_at(s->expr);
		return WALK_STOP;
	}
	return WALK_ON;
}

/* The first write to foreach s's array in its body (*call: in a function it calls), or NULL. */
static const struct expr *first_write(struct stmt *s, const struct expr **call)
{
	struct writes_walk ww = {
		.w = { .expr = write_expr, .stmt = write_stmt },
		.array = s->base->sym,
	};
	walk_stmt(&ww.w, s->body);
	*call = ww.call;
	return ww.found;
}

static enum walk_next check_foreach(struct walker *w, struct stmt *s)
{
	(void)w;
	if (s->kind != S_FOREACH || !s->base || !s->base->sym)
		return WALK_ON;
	const struct expr *call, *x = first_write(s, &call);
	const char *name = s->base->sym->name;
	if (call) {
		diag_error(&call->loc, "function call modifies var '%s' during 'foreach' iteration",
			   name);
		diag_note(&x->loc, "%s() changes '%s' here", call->fn->name, name);
	} else if (x)
		diag_error(&x->loc, "variable '%s' modified during 'foreach' iteration", name);
	if (x)
		diag_note(&s->loc, "the foreach that walks '%s' is here: change it after the loop, "
				   "or walk a copy",
			  name);
	return WALK_ON;
}

void check_foreach_writes(struct elab *e)
{
	struct walker w = { .expr = walk_no_expr, .stmt = check_foreach };
	for (int i = 0; i < e->prog->probes.len; i++) {
		struct dprobe *d = vec_at(&e->prog->probes, i);
		walk_stmt(&w, d->body);
	}
	for (int i = 0; i < e->worklist.len; i++) {
		struct function *fn = vec_at(&e->worklist, i);
		walk_stmt(&w, fn->body);
	}
}
