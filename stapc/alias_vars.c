// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * alias_vars.c - a probe alias's variables that a script reads but the
 * alias does not set.
 *
 * A handler shares its locals with the alias bodies around it, so reading
 * `task` in `probe scheduler.wakeup` reads whatever the alias assigned to
 * `task`. If our tapset's alias assigns no `task` (SystemTap's may), the
 * local is silently 0 or "": an error here instead, naming the alias and
 * the variables it has. A point that is a wildcard over aliases
 * (`syscall.*`) only needs one of its matches to set it, as the others
 * seeing 0 is what stap does too.
 */
#include <stdlib.h>
#include <string.h>

#include "stapc.h"

/* What one derived probe does with each of its locals (by index). */
struct var_use {
	struct dprobe *d;
	bool *assigned;
	struct loc **user_read; /* first read in the user's code */
};

static void mark_assigned(struct var_use *u, const struct expr *x)
{
	if (x->kind == E_SYMBOL && x->sym && x->sym->kind == SYM_LOCAL)
		u->assigned[x->sym->index] = true;
}

static enum walk_next use_expr(struct walker *w, struct expr *x)
{
	struct var_use *u = w->ctx;
	if (x->kind == E_ASSIGN || x->kind == E_PREINC || x->kind == E_POSTINC)
		mark_assigned(u, x->left);
	if (x->kind == E_SYMBOL && x->sym && x->sym->kind == SYM_LOCAL && !x->loc.file->is_tapset &&
	    !u->user_read[x->sym->index])
		u->user_read[x->sym->index] = &x->loc;
	return WALK_ON;
}

static enum walk_next use_bound(struct walker *w, struct stmt *s __maybe_unused, struct expr *var,
				int key __maybe_unused)
{
	mark_assigned(w->ctx, var);
	return WALK_SKIP;
}

static struct var_use *uses_of(struct dprobe *d)
{
	struct var_use *u = arena_alloc(sizeof(*u));
	u->d = d;
	u->assigned = arena_alloc(sizeof(bool) * (size_t)(d->locals.len + 1));
	u->user_read = arena_alloc(sizeof(struct loc *) * (size_t)(d->locals.len + 1));
	struct walker w = { .expr = use_expr, .bound = use_bound, .ctx = u };
	walk_handler(&w, d->cond, d->body);
	return u;
}

static const char *user_point(const struct dprobe *d)
{
	return d->chain.len ? vec_at(&d->chain, 0) : "";
}

/* The alias the user named: the left side of the first "alias = target" step. */
static const char *alias_name(const struct dprobe *d)
{
	const char *step = vec_at(&d->chain, 1);
	const char *eq = strstr(step, " = ");
	return eq ? arena_strndup(step, (size_t)(eq - step)) : step;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The variables the alias bodies of `u` set, sorted: "a, b, c". */
static const char *alias_vars_text(const struct var_use *u)
{
	struct vec names = { 0 };
	for (int i = 0; i < u->d->locals.len; i++) {
		const struct symbol *sym = vec_at(&u->d->locals, i);
		if (u->assigned[i] && sym->name[0] != '_')
			vec_push(&names, (void *)sym->name);
	}
	if (!names.len)
		return "none";
	qsort(names.data, (size_t)names.len, sizeof(void *), cmp_names);
	struct strbuf sb = { 0 };
	for (int i = 0; i < names.len; i++)
		sb_printf(&sb, "%s%s", i ? ", " : "", (const char *)vec_at(&names, i));
	const char *r = arena_strdup(sb.buf);
	sb_free(&sb);
	return r;
}

/* Whether a probe derived from the same point of the same user probe sets `name`. */
static bool set_by_another(struct var_use **all, int n, const struct var_use *u, const char *name)
{
	for (int i = 0; i < n; i++) {
		const struct dprobe *o = all[i]->d;
		if (o->user != u->d->user || strcmp(user_point(o), user_point(u->d)))
			continue;
		for (int j = 0; j < o->locals.len; j++) {
			const struct symbol *sym = vec_at(&o->locals, j);
			if (all[i]->assigned[j] && !strcmp(sym->name, name))
				return true;
		}
	}
	return false;
}

static void check_probe(struct var_use **all, int n, const struct var_use *u)
{
	for (int i = 0; i < u->d->locals.len; i++) {
		const struct symbol *sym = vec_at(&u->d->locals, i);
		const struct loc *at = u->user_read[i];
		if (!at || u->assigned[i])
			continue;
		if (strchr(user_point(u->d), '*') && set_by_another(all, n, u, sym->name))
			continue;
		diag_error(at, "'%s' is not a variable of probe alias '%s' and nothing here assigns "
			       "it: the alias has %s",
			   sym->name, alias_name(u->d), alias_vars_text(u));
	}
}

void check_alias_vars(struct elab *e)
{
	struct vec *probes = &e->prog->probes;
	struct var_use **all = arena_alloc(sizeof(*all) * (size_t)(probes->len + 1));
	for (int i = 0; i < probes->len; i++)
		all[i] = uses_of(vec_at(probes, i));
	for (int i = 0; i < probes->len; i++)
		if (all[i]->d->chain.len > 1)
			check_probe(all, probes->len, all[i]);
}
