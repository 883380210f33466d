// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * elide.c - removes what the program computes but never uses.
 *
 * Tapset aliases set many convenience variables (filename, argstr ...);
 * a handler reads a few. An assignment to a local nobody reads, of a value
 * whose computation has no side effect, goes away, so the BPF program never
 * copies a string or formats a line for nothing. Then only the functions
 * and globals the remaining code reaches are kept.
 */
#include "stapc.h"
#include "builtins/builtins.h"

#include <string.h>

struct elider {
	struct elab *e;
	bool changed;
};

/* Side-effect freedom, per function, computed once (a cycle is impure). */
enum purity { PURITY_UNKNOWN, PURITY_VISITING, PURITY_PURE, PURITY_IMPURE };

static bool expr_pure(struct expr *x, struct function *fn);

/* Kept in the function: a new one's is 0, PURITY_UNKNOWN. */
static int *purity_of(struct function *fn)
{
	_Static_assert(PURITY_UNKNOWN == 0, "a new function's purity is unknown");
	return &fn->purity;
}

static enum walk_next impure_stmt(struct walker *w __maybe_unused, struct stmt *s);
static enum walk_next impure_expr(struct walker *w, struct expr *x);

static bool stmt_pure(struct stmt *s, struct function *fn)
{
	struct walker w = { .stmt = impure_stmt, .expr = impure_expr, .ctx = fn };
	return walk_stmt(&w, s);
}

static bool function_pure(struct function *fn)
{
	int *p = purity_of(fn);
	if (*p == PURITY_UNKNOWN) {
		*p = PURITY_VISITING;
		bool pure;
		if (fn->builtin)
			pure = builtin_of(fn) && (builtin_of(fn)->flags & BI_PURE);
		else
			pure = fn->body->kind != S_EMBEDDED && stmt_pure(fn->body, fn);
		*p = pure ? PURITY_PURE : PURITY_IMPURE;
	}
	return *p == PURITY_PURE;
}

/* Writes to a function's own locals do not count as side effects. */
static bool own_local(const struct expr *x, struct function *fn)
{
	return fn && x && x->kind == E_SYMBOL && x->sym &&
	       (x->sym->kind == SYM_LOCAL || x->sym->kind == SYM_PARAM);
}

/* The walk stops at the first side effect: ctx is the function walked, or NULL. */
static enum walk_next impure_expr(struct walker *w, struct expr *x)
{
	switch (x->kind) {
	case E_ASSIGN:
	case E_PREINC:
	case E_POSTINC:
		if (!own_local(x->left, w->ctx) || !walk_expr(w, x->right))
			return WALK_STOP;
		return WALK_SKIP;
	case E_PRINT:
		return x->print_to_string ? WALK_ON : WALK_STOP;
	case E_CALL:
		return x->fn && function_pure(x->fn) ? WALK_ON : WALK_STOP;
	case E_EMBEDDED:
		return WALK_STOP;
	default:
		return WALK_ON;
	}
}

static enum walk_next impure_stmt(struct walker *w __maybe_unused, struct stmt *s)
{
	switch (s->kind) {
	case S_DELETE:
	case S_NEXT:
	case S_TRY:
	case S_EMBEDDED:
		return WALK_STOP;
	default:
		return WALK_ON;
	}
}

static bool expr_pure(struct expr *x, struct function *fn)
{
	struct walker w = { .stmt = impure_stmt, .expr = impure_expr, .ctx = fn };
	return walk_expr(&w, x);
}

/* ------------------------------------------------------------ read counts */

/*
 * An assignment (compound ones and ++ too) whose value nothing uses writes
 * its target without reading it, as far as stap is concerned: a global only
 * ever assigned so is printed when the script ends. Where its value is used
 * (if (++n >= 50)), stap counts it as read, and so do we.
 */
static bool count_write(struct walker *w, struct expr *x, bool value_used)
{
	if (x->kind != E_ASSIGN && x->kind != E_PREINC && x->kind != E_POSTINC)
		return false;
	struct expr *l = x->left;
	if ((l->kind != E_SYMBOL && l->kind != E_INDEX) || !l->sym)
		return false;
	l->sym->assigned = true;
	/* A local's old value is needed by += and ++; not so a plain '='. */
	if (value_used ||
	    (l->sym->kind != SYM_GLOBAL && (x->kind != E_ASSIGN || strcmp(x->op, "="))))
		l->sym->read = true;
	for (int i = 0; i < l->args.len; i++)
		walk_expr(w, vec_at(&l->args, i));
	walk_expr(w, x->right);
	return true;
}

static enum walk_next count_expr(struct walker *w, struct expr *x)
{
	if (x->kind == E_SYMBOL && x->sym) {
		x->sym->read = true;
		return WALK_SKIP;
	}
	if (count_write(w, x, true))
		return WALK_SKIP;
	if (x->sym)
		x->sym->read = true; /* arrays: any use keeps them */
	return WALK_ON;
}

/* An expression statement's assignment: its value goes nowhere. */
static enum walk_next count_stmt(struct walker *w, struct stmt *s)
{
	return s->kind == S_EXPR && s->expr && count_write(w, s->expr, false) ? WALK_SKIP
									      : WALK_ON;
}

/* Loop variables and a catch's are written by the statement, not read. */
static enum walk_next count_bound(struct walker *w __maybe_unused, struct stmt *s __maybe_unused,
				  struct expr *var, int key __maybe_unused)
{
	var->sym->assigned = true;
	return WALK_SKIP;
}

static void count_uses(struct expr *cond, struct stmt *body)
{
	struct walker w = { .expr = count_expr, .stmt = count_stmt, .bound = count_bound };
	walk_handler(&w, cond, body);
}

static void reset_marks(struct vec *syms)
{
	for (int i = 0; i < syms->len; i++) {
		struct symbol *sym = vec_at(syms, i);
		sym->read = sym->assigned = false;
	}
}

/* ------------------------------------------------------------ elision */

static bool elidable(struct stmt *s)
{
	if (s->kind != S_EXPR || s->expr->kind != E_ASSIGN || strcmp(s->expr->op, "="))
		return false;
	struct expr *l = s->expr->left;
	return l->kind == E_SYMBOL && l->sym && l->sym->kind == SYM_LOCAL && !l->sym->read &&
	       expr_pure(s->expr->right, NULL);
}

/* Drops the dead assignments of a block; the walk goes on into what is left. */
static enum walk_next elide_block(struct walker *w, struct stmt *s)
{
	struct elider *el = w->ctx;
	for (int i = 0; i < s->stmts.len; i++) {
		struct stmt *c = vec_at(&s->stmts, i);
		if (!elidable(c))
			continue;
		if (!c->loc.file->is_tapset)
			diag_warning(&c->expr->loc, "'%s' is assigned here but never used: the "
						    "assignment is dropped",
				     c->expr->left->name);
		c->kind = S_NULL;
		c->expr = NULL;
		el->changed = true;
	}
	return WALK_ON;
}

static void elide_stmt(struct elider *el, struct stmt *body)
{
	struct walker w = { .stmt = elide_block, .expr = walk_no_expr, .ctx = el };
	walk_stmt(&w, body);
}

/* Keeps the locals still used, numbered again. */
static void prune_locals(struct vec *locals)
{
	int out = 0;
	for (int i = 0; i < locals->len; i++) {
		struct symbol *sym = vec_at(locals, i);
		if (!sym->read && !sym->assigned)
			continue;
		sym->index = out;
		locals->data[out++] = sym;
	}
	locals->len = out;
}

/* ------------------------------------------------------------ reachability */

/* The functions reached so far, by address: a script may have thousands. */
static struct name_map reached;

static enum walk_next reach_call(struct walker *w, struct expr *x)
{
	struct program *prog = w->ctx;
	if (x->kind == E_CALL && x->fn && !name_map_get(&reached, (const char *)x->fn)) {
		name_map_put(&reached, (const char *)x->fn, x->fn);
		vec_push(&prog->functions, x->fn);
	}
	return WALK_ON;
}

/* The body before the condition: functions are emitted in the order reached. */
static void reach_from(struct program *prog, struct expr *cond, struct stmt *body)
{
	struct walker w = { .expr = reach_call, .ctx = prog };
	walk_stmt(&w, body);
	walk_expr(&w, cond);
}

/* Globals the final code uses, plus every one the user declared. */
static void keep_used_globals(struct elab *e)
{
	struct program *prog = e->prog;
	reset_marks(&prog->globals);
	for (int i = 0; i < prog->probes.len; i++) {
		struct dprobe *d = vec_at(&prog->probes, i);
		count_uses(d->cond, d->body);
	}
	for (int i = 0; i < prog->functions.len; i++) {
		struct function *fn = vec_at(&prog->functions, i);
		if (!fn->builtin)
			count_uses(NULL, fn->body);
	}
	int out = 0;
	for (int i = 0; i < prog->globals.len; i++) {
		struct symbol *g = vec_at(&prog->globals, i);
		if (g->from_tapset && !g->read && !g->assigned)
			continue;
		if (g->arity < 0)
			continue; /* never used at all: warned about already */
		g->index = out;
		prog->globals.data[out++] = g;
	}
	prog->globals.len = out;
}

void elide_unused(struct elab *e)
{
	struct program *prog = e->prog;
	struct elider el = { .e = e };
	do {
		el.changed = false;
		for (int i = 0; i < prog->probes.len; i++) {
			struct dprobe *d = vec_at(&prog->probes, i);
			reset_marks(&d->locals);
			count_uses(d->cond, d->body);
			elide_stmt(&el, d->body);
		}
	} while (el.changed);
	for (int i = 0; i < prog->probes.len; i++) {
		struct dprobe *d = vec_at(&prog->probes, i);
		reset_marks(&d->locals);
		count_uses(d->cond, d->body);
		prune_locals(&d->locals);
	}
	/* What is reachable now: from the probes, through function bodies. */
	prog->functions = (struct vec){ 0 };
	reached = (struct name_map){ 0 };
	for (int i = 0; i < prog->probes.len; i++) {
		struct dprobe *d = vec_at(&prog->probes, i);
		reach_from(prog, d->cond, d->body);
	}
	for (int i = 0; i < prog->functions.len; i++) {
		struct function *fn = vec_at(&prog->functions, i);
		if (!fn->builtin)
			reach_from(prog, NULL, fn->body);
	}
	keep_used_globals(e);
}
