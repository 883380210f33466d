// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * place_progs.c - the BPF programs of the kernel side, decided before any
 * is written: each probe's variants, and for a return the entry program
 * that keeps what its handler reads of the entry (the arguments a
 * kretprobe's handler reads, the values of its @entry(EXPR)s); and whether
 * the kernel side must make an error's message as bytes, for a catch.
 */
#include "stapc.h"

/* The @entry(EXPR)s of a return handler that need an entry probe, numbered from 1 in x->num. */
static enum walk_next collect_entry(struct walker *w, struct expr *x)
{
	struct vec *found = w->ctx;
	if (x->kind == E_ENTRY && !kgen_same_at_entry(x->left)) {
		x->num = found->len + 1;
		vec_push(found, x);
	}
	return WALK_ON;
}

/* In the order the body uses them, then the condition's. */
static struct vec *entries_of(struct dprobe *d)
{
	struct vec *entries = arena_alloc(sizeof(*entries));
	struct walker w = { .expr = collect_entry, .ctx = entries };
	walk_stmt(&w, d->body);
	walk_expr(&w, d->cond);
	return entries;
}

/*
 * Where a return probe's entry is, for an entry program that keeps what
 * its handler's @entry() needs: its section and how it sees its context.
 * false: this kind of return has no entry program. The provider knows.
 */
static bool entry_of(const struct dprobe *d, const struct variant *var, struct variant *ev)
{
	*ev = *var;
	ev->is_return = false;
	ev->entry_stash = false;
	return d->prov->entry_of && d->prov->entry_of(d, ev);
}

static bool reads_target_var(const struct expr *x, void *unused __maybe_unused)
{
	return x->kind == E_TARGET;
}

static bool reads_local(const struct expr *x, void *unused __maybe_unused)
{
	return x->kind == E_SYMBOL && x->sym && x->sym->kind != SYM_GLOBAL;
}

/* Whether each @entry(EXPR) can be had at the entry: a long, of no local. */
static bool entries_ok(const struct vec *entries, const struct variant *ev)
{
	bool ok = true;
	for (int i = 0; i < entries->len; i++) {
		const struct expr *x = vec_at(entries, i);
		if (x->left->type == VT_STRING) {
			diag_error(&x->loc, "@entry() of a string is not supported yet: keep a number");
			ok = false;
		} else if (expr_any(x->left, reads_local, NULL)) {
			diag_error(&x->loc, "@entry() is computed when the function is entered, before "
					    "the handler's locals exist: use globals or the probe's context");
			ok = false;
		} else if (ev->args == ARGS_NONE && expr_any(x->left, reads_target_var, NULL)) {
			diag_error(&x->loc, "@entry() of a system call's fields is not supported: the "
					    "return's record is not the entry's");
			ok = false;
		}
	}
	return ok;
}

/* Every variant of a probe is its own program, with the same handler. */
static void plan_probe(struct plan *pl, struct dprobe *d)
{
	struct vec *entries = d->nvariants ? entries_of(d) : NULL;
	for (int v = 0; v < d->nvariants; v++) {
		struct kprog *kp = arena_alloc(sizeof(*kp));
		kp->d = d;
		kp->v = v;
		kp->name = prog_name(d, v);
		kp->var = d->variants[v];
		kp->entries = entries;
		/* An entry program keeps the arguments a kretprobe reads, and the @entry() values. */
		bool has_entry = entry_of(d, &kp->var, &kp->entry);
		kp->entry_values = entries->len && has_entry && entries_ok(entries, &kp->entry);
		kp->stash = kp->var.entry_stash || kp->entry_values;
		if (kp->var.attach == STP_ATTACH_USDT)
			pl->has_usdt = true;
		vec_push(&pl->kprogs, kp);
	}
}

/* Whether a try of s gives its catch the error's message. */
static enum walk_next try_with_message(struct walker *w __maybe_unused, struct stmt *s)
{
	return s->kind == S_TRY && s->catch_var ? WALK_STOP : WALK_ON;
}

static bool catches_message(struct stmt *s)
{
	struct walker w = { .stmt = try_with_message, .expr = walk_no_expr };
	return !walk_stmt(&w, s);
}

/* Whether any handler or function in BPF catches an error's message. */
static bool k_catches_message(struct plan *pl)
{
	for (int i = 0; i < pl->kprobes.len; i++)
		if (catches_message(((struct dprobe *)vec_at(&pl->kprobes, i))->body))
			return true;
	for (int i = 0; i < pl->prog->functions.len; i++) {
		struct function *fn = vec_at(&pl->prog->functions, i);
		if (!fn->builtin && (place_of(fn)->sides & SIDE_K) && catches_message(fn->body))
			return true;
	}
	return false;
}

void place_kprogs(struct plan *pl)
{
	pl->k_catches_message = k_catches_message(pl);
	for (int i = 0; i < pl->kprobes.len; i++)
		plan_probe(pl, vec_at(&pl->kprobes, i));
}
