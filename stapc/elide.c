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

#include <string.h>

struct elider {
	struct elab *e;
	bool changed;
};

/* Side-effect freedom, per function, computed once (a cycle is impure). */
enum purity { PURITY_UNKNOWN, PURITY_VISITING, PURITY_PURE, PURITY_IMPURE };

static bool stmt_pure(struct stmt *s, struct function *fn);
static bool expr_pure(struct expr *x, struct function *fn);

/* Kept in the function: a new one's is 0, PURITY_UNKNOWN. */
static int *purity_of(struct function *fn)
{
	_Static_assert(PURITY_UNKNOWN == 0, "a new function's purity is unknown");
	return &fn->purity;
}

static bool function_pure(struct function *fn)
{
	int *p = purity_of(fn);
	if (*p == PURITY_UNKNOWN) {
		*p = PURITY_VISITING;
		bool pure;
		if (fn->builtin)
			pure = strstr(fn->body->code, "/* pure */") != NULL;
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

static bool list_pure(const struct vec *v, struct function *fn)
{
	for (int i = 0; i < v->len; i++)
		if (!expr_pure(vec_at(v, i), fn))
			return false;
	return true;
}

static bool expr_pure(struct expr *x, struct function *fn)
{
	if (!x)
		return true;
	switch (x->kind) {
	case E_ASSIGN:
	case E_PREINC:
	case E_POSTINC:
		return own_local(x->left, fn) && expr_pure(x->right, fn);
	case E_PRINT:
		return x->print_to_string && list_pure(&x->args, fn);
	case E_CALL:
		return x->fn && function_pure(x->fn) && list_pure(&x->args, fn);
	case E_EMBEDDED:
		return false;
	default:
		for (int i = 0; i < x->comps.len; i++) {
			struct component *c = vec_at(&x->comps, i);
			if (c->kind == COMP_INDEX && !expr_pure(c->index, fn))
				return false;
		}
		return expr_pure(x->left, fn) && expr_pure(x->right, fn) && expr_pure(x->cond, fn) &&
		       list_pure(&x->args, fn);
	}
}

static bool stmt_pure(struct stmt *s, struct function *fn)
{
	if (!s)
		return true;
	switch (s->kind) {
	case S_BLOCK:
		for (int i = 0; i < s->stmts.len; i++)
			if (!stmt_pure(vec_at(&s->stmts, i), fn))
				return false;
		return true;
	case S_NULL:
	case S_BREAK:
	case S_CONTINUE:
		return true;
	case S_EXPR:
	case S_RETURN:
		return expr_pure(s->expr, fn);
	case S_IF:
		return expr_pure(s->expr, fn) && stmt_pure(s->body, fn) && stmt_pure(s->els, fn);
	case S_FOR:
		return stmt_pure(s->init, fn) && expr_pure(s->expr, fn) && expr_pure(s->step, fn) &&
		       stmt_pure(s->body, fn);
	case S_FOREACH:
		return expr_pure(s->limit, fn) && stmt_pure(s->body, fn);
	default:
		return false; /* delete, next, try, embedded code */
	}
}

/* ------------------------------------------------------------ read counts */

static void count_expr(struct expr *x);

static void count_list(struct vec *v)
{
	for (int i = 0; i < v->len; i++)
		count_expr(vec_at(v, i));
}

static void count_expr(struct expr *x)
{
	if (!x)
		return;
	if (x->kind == E_SYMBOL && x->sym) {
		x->sym->read = true;
		return;
	}
	if (x->kind == E_ASSIGN || x->kind == E_PREINC || x->kind == E_POSTINC) {
		/*
		 * An assignment (compound ones and ++ too) writes its target without
		 * reading it, as far as stap is concerned: a global only ever
		 * assigned is printed when the script ends.
		 */
		struct expr *l = x->left;
		if ((l->kind == E_SYMBOL || l->kind == E_INDEX) && l->sym) {
			l->sym->assigned = true;
			/* A local's old value is needed by += and ++; not so a plain '='. */
			if (l->sym->kind != SYM_GLOBAL && (x->kind != E_ASSIGN || strcmp(x->op, "=")))
				l->sym->read = true;
			count_list(&l->args);
			count_expr(x->right);
			return;
		}
	}
	if (x->sym)
		x->sym->read = true; /* arrays: any use keeps them */
	for (int i = 0; i < x->comps.len; i++) {
		struct component *c = vec_at(&x->comps, i);
		if (c->kind == COMP_INDEX)
			count_expr(c->index);
	}
	count_expr(x->left);
	count_expr(x->right);
	count_expr(x->cond);
	count_list(&x->args);
}

static void count_stmt(struct stmt *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->stmts.len; i++)
		count_stmt(vec_at(&s->stmts, i));
	count_expr(s->expr);
	count_stmt(s->body);
	count_stmt(s->els);
	count_stmt(s->init);
	count_expr(s->step);
	count_expr(s->limit);
	if (s->kind == S_FOREACH) {
		if (s->base->sym)
			s->base->sym->read = true;
		count_list(&s->base->args);
		if (s->base->kind == E_HIST)
			count_expr(s->base);
		/* Loop variables are written by the loop, not read. */
		for (int i = 0; i < s->keys.len; i++) {
			struct expr *k = vec_at(&s->keys, i);
			k->sym->assigned = true;
		}
		if (s->value)
			s->value->sym->assigned = true;
	}
	if (s->kind == S_TRY && s->catch_var)
		s->catch_var->sym->assigned = true;
	if (s->kind == S_DELETE && s->expr->sym)
		s->expr->sym->read = true;
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

static void elide_stmt(struct elider *el, struct stmt *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->stmts.len; i++) {
		struct stmt *c = vec_at(&s->stmts, i);
		if (elidable(c)) {
			if (!c->loc.file->is_tapset)
				diag_warning(&c->expr->loc, "'%s' is assigned here but never used: the "
							    "assignment is dropped",
					     c->expr->left->name);
			c->kind = S_NULL;
			c->expr = NULL;
			el->changed = true;
			continue;
		}
		elide_stmt(el, c);
	}
	elide_stmt(el, s->body);
	elide_stmt(el, s->els);
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

static void reach_expr(struct program *prog, struct expr *x);

/* The functions reached so far, by address: a script may have thousands. */
static struct name_map reached;

static void reach_function(struct program *prog, struct function *fn)
{
	if (name_map_get(&reached, (const char *)fn))
		return;
	name_map_put(&reached, (const char *)fn, fn);
	vec_push(&prog->functions, fn);
}

static void reach_stmt(struct program *prog, struct stmt *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->stmts.len; i++)
		reach_stmt(prog, vec_at(&s->stmts, i));
	reach_expr(prog, s->expr);
	reach_stmt(prog, s->body);
	reach_stmt(prog, s->els);
	reach_stmt(prog, s->init);
	reach_expr(prog, s->step);
	reach_expr(prog, s->limit);
	reach_expr(prog, s->base);
}

static void reach_expr(struct program *prog, struct expr *x)
{
	if (!x)
		return;
	if (x->kind == E_CALL && x->fn)
		reach_function(prog, x->fn);
	for (int i = 0; i < x->comps.len; i++) {
		struct component *c = vec_at(&x->comps, i);
		if (c->kind == COMP_INDEX)
			reach_expr(prog, c->index);
	}
	reach_expr(prog, x->left);
	reach_expr(prog, x->right);
	reach_expr(prog, x->cond);
	for (int i = 0; i < x->args.len; i++)
		reach_expr(prog, vec_at(&x->args, i));
}

/* Globals the final code uses, plus every one the user declared. */
static void mark_global_uses(struct stmt *s, struct expr *x);

static void keep_used_globals(struct elab *e)
{
	struct program *prog = e->prog;
	reset_marks(&prog->globals);
	for (int i = 0; i < prog->probes.len; i++) {
		struct dprobe *d = vec_at(&prog->probes, i);
		mark_global_uses(d->body, d->cond);
	}
	for (int i = 0; i < prog->functions.len; i++) {
		struct function *fn = vec_at(&prog->functions, i);
		if (!fn->builtin)
			mark_global_uses(fn->body, NULL);
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

static void mark_global_uses(struct stmt *s, struct expr *x)
{
	count_stmt(s);
	count_expr(x);
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
			count_stmt(d->body);
			count_expr(d->cond);
			elide_stmt(&el, d->body);
		}
	} while (el.changed);
	for (int i = 0; i < prog->probes.len; i++) {
		struct dprobe *d = vec_at(&prog->probes, i);
		reset_marks(&d->locals);
		count_stmt(d->body);
		count_expr(d->cond);
		prune_locals(&d->locals);
	}
	/* What is reachable now: from the probes, through function bodies. */
	prog->functions = (struct vec){ 0 };
	reached = (struct name_map){ 0 };
	for (int i = 0; i < prog->probes.len; i++) {
		struct dprobe *d = vec_at(&prog->probes, i);
		reach_stmt(prog, d->body);
		reach_expr(prog, d->cond);
	}
	for (int i = 0; i < prog->functions.len; i++) {
		struct function *fn = vec_at(&prog->functions, i);
		if (!fn->builtin)
			reach_stmt(prog, fn->body);
	}
	keep_used_globals(e);
}
