// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * keywidth.c - how wide each string key of each array must be.
 *
 * A string key is MAXSTRINGLEN bytes (128) unless every string that can
 * index it is known to be shorter: execname() (16 bytes with its NUL), a
 * literal, or a foreach key of an array whose own key is that narrow. Then
 * the key is that wide. `reads[execname()] += $count` hashes and copies 16
 * bytes per event instead of 128, as a hand-written tool keyed by comm
 * does. No lookup can be cut short by it: every string that indexes the
 * array is among those counted.
 */
#include "stapc.h"
#include "builtins/builtins.h"

#include <string.h>

/* What a local variable holds, for the widths of the keys it indexes with. */
struct local_info {
	const struct symbol *sym;
	struct vec from;	/* struct key_source *: the foreach loops that set it */
	bool other;		/* assigned some other way: any width */
};

/* Key `key` of array `arr`, which a foreach loop copies into a local. */
struct key_source {
	struct symbol *arr;
	int key;
};

struct widths {
	int64_t max; /* MAXSTRINGLEN */
	struct vec locals; /* struct local_info * */
	bool changed;
	bool collecting; /* first walk: learn the locals */
};

static struct local_info *local_of(struct widths *w, const struct symbol *sym)
{
	for (int i = 0; i < w->locals.len; i++) {
		struct local_info *li = vec_at(&w->locals, i);
		if (li->sym == sym)
			return li;
	}
	struct local_info *li = arena_alloc(sizeof(*li));
	li->sym = sym;
	vec_push(&w->locals, li);
	return li;
}

static int64_t round8(int64_t n)
{
	return (n + 7) & ~(int64_t)7;
}

/* The most bytes (with the NUL) the string expression x can have. */
static int64_t width_of(struct widths *w, const struct expr *x)
{
	switch (x->kind) {
	case E_STRING:
		return (int64_t)strlen(x->str) + 1; /* the raw text: never shorter */
	case E_CALL:
		if (builtin_of(x->fn) && builtin_of(x->fn)->str_width)
			return builtin_of(x->fn)->str_width;
		return w->max;
	case E_SYMBOL: {
		if (!x->sym || x->sym->kind != SYM_LOCAL)
			return w->max;
		struct local_info *li = local_of(w, x->sym);
		if (li->other || !li->from.len)
			return w->max;
		int64_t widest = 8; /* an array's width not known yet grows, and this with it */
		for (int i = 0; i < li->from.len; i++) {
			const struct key_source *ks = vec_at(&li->from, i);
			if (ks->arr->key_width[ks->key] > widest)
				widest = ks->arr->key_width[ks->key];
		}
		return widest;
	}
	default:
		return w->max;
	}
}

/* arr[keys...]: each string key is at least as wide as what indexes it. */
static void index_keys(struct widths *w, struct symbol *arr, struct vec *keys)
{
	if (!arr || arr->kind != SYM_GLOBAL || arr->arity <= 0)
		return;
	for (int i = 0; i < keys->len && i < MAX_ARRAY_KEYS; i++) {
		struct expr *k = vec_at(keys, i);
		if (!k || arr->keys[i] != VT_STRING)
			continue;
		int64_t kw = width_of(w, k);
		if (kw > w->max)
			kw = w->max;
		kw = round8(kw) < w->max ? round8(kw) : w->max;
		if (kw > arr->key_width[i]) {
			arr->key_width[i] = (int)kw;
			w->changed = true;
		}
	}
}

/* Each index widens its array's string keys; the first walk learns the locals too. */
static enum walk_next widen_expr(struct walker *wk, struct expr *x)
{
	struct widths *w = wk->ctx;
	if ((x->kind == E_INDEX || x->kind == E_IN) && x->sym)
		index_keys(w, x->sym, &x->args);
	if (w->collecting && (x->kind == E_ASSIGN || x->kind == E_PREINC || x->kind == E_POSTINC) &&
	    x->left && x->left->kind == E_SYMBOL && x->left->sym && x->left->sym->kind == SYM_LOCAL)
		local_of(w, x->left->sym)->other = true;
	return WALK_ON;
}

/* A foreach key of a string-keyed global is as wide as that key; others, any width. */
static enum walk_next bound_local(struct walker *wk, struct stmt *s, struct expr *var, int key)
{
	struct widths *w = wk->ctx;
	if (!w->collecting || !var->sym || var->sym->kind != SYM_LOCAL)
		return WALK_ON;
	struct local_info *li = local_of(w, var->sym);
	struct symbol *arr = s->kind == S_FOREACH && s->base ? s->base->sym : NULL;
	if (key < 0 || !arr || arr->kind != SYM_GLOBAL || arr->keys[key] != VT_STRING) {
		li->other = true; /* a value, a catch's, keys of a histogram, or numbers */
		return WALK_ON;
	}
	struct key_source *ks = arena_alloc(sizeof(*ks));
	*ks = (struct key_source){ arr, key };
	vec_push(&li->from, ks);
	return WALK_ON;
}

static void walk_program(struct widths *w, struct program *prog)
{
	struct walker wk = { .expr = widen_expr, .bound = bound_local, .ctx = w };
	for (int i = 0; i < prog->probes.len; i++) {
		struct dprobe *d = vec_at(&prog->probes, i);
		walk_handler(&wk, d->cond, d->body);
	}
	for (int i = 0; i < prog->functions.len; i++)
		walk_stmt(&wk, ((struct function *)vec_at(&prog->functions, i))->body);
}

void infer_key_widths(struct program *prog, int64_t maxstringlen)
{
	struct widths w = { .max = maxstringlen, .collecting = true };
	for (int i = 0; i < prog->globals.len; i++) {
		struct symbol *g = vec_at(&prog->globals, i);
		memset(g->key_width, 0, sizeof(g->key_width));
	}
	walk_program(&w, prog);
	w.collecting = false;
	/* Widths only grow, and are bounded: this ends. */
	bool unset;
	do {
		do {
			w.changed = false;
			walk_program(&w, prog);
		} while (w.changed);
		/* A key nothing indexes (-G, or only foreach): any width, and what its keys index too. */
		unset = false;
		for (int i = 0; i < prog->globals.len; i++) {
			struct symbol *g = vec_at(&prog->globals, i);
			for (int k = 0; k < MAX_ARRAY_KEYS; k++)
				if (!g->key_width[k]) {
					g->key_width[k] = (int)maxstringlen;
					unset = true;
				}
		}
	} while (unset);
}
