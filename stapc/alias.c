// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * alias.c - from the probe points a user writes to concrete probes.
 *
 * A point that names an alias (`syscall.open`) becomes each of the alias's
 * own points, recursively, with the alias body wrapped around the handler:
 * before it for `=`, after it for `+=`. An alias may match a prefix of the
 * point: `miscellany.return` on alias `miscellany` appends `.return` to the
 * alias's points (an alias suffix). What matches no alias must be a built-in
 * probe point that some provider (probes/) recognises.
 *
 * `!` and `?` are kept on every derived probe: the tool chooses among the
 * alternatives on the target, at load time (DESIGN §4).
 */
#include "stapc.h"

#include <string.h>

#define MAX_ALIAS_DEPTH 32

struct derivation {
	struct probe *user;
	int group;
	int found; /* concrete probes made from the user's point */
};

/* How many leading components of `pt` the alias name matches (0: none). */
static int alias_match(const struct probe_point *name, const struct probe_point *pt)
{
	int n = pp_ncomps(name);
	if (n > pp_ncomps(pt))
		return 0;
	for (int i = 0; i < n; i++) {
		if (!pp_match(pp_name(pt, i), pp_name(name, i)))
			return 0;
		const struct expr *a = pp_arg(name, i), *b = pp_arg(pt, i);
		if (!a != !b)
			return 0;
		if (a && (a->kind != b->kind || (a->kind == E_NUMBER && a->num != b->num) ||
			  (a->kind == E_STRING && strcmp(a->str, b->str))))
			return 0;
	}
	return n;
}

/* `target` with the components of `pt` after the first `skip` appended. */
static struct probe_point *with_suffix(const struct probe_point *target,
				       const struct probe_point *pt, int skip)
{
	struct probe_point *r = arena_alloc(sizeof(*r));
	*r = *target;
	r->comps = (struct vec){ 0 };
	for (int i = 0; i < target->comps.len; i++)
		vec_push(&r->comps, vec_at(&target->comps, i));
	for (int i = skip; i < pt->comps.len; i++)
		vec_push(&r->comps, vec_at(&pt->comps, i));
	return r;
}

static struct expr *and_cond(struct expr *a, struct expr *b)
{
	if (!b)
		return a;
	if (!a)
		return b;
	struct expr *e = expr_new(E_LOGICAL, b->loc);
	e->op = intern("&&");
	e->left = a;
	e->right = b;
	return e;
}

static const char *point_text(const struct probe_point *p)
{
	struct strbuf sb = { 0 };
	dump_probe_point(&sb, p);
	const char *r = arena_strdup(sb.buf ? sb.buf : "");
	sb_free(&sb);
	return r;
}

/* Wraps an alias body around the handler built so far. */
static struct stmt *wrap(const struct probe *alias, struct stmt *inner)
{
	struct stmt *b = stmt_new(S_BLOCK, alias->body->loc);
	struct stmt *mine = stmt_clone(alias->body);
	if (alias->alias_append) {
		vec_push(&b->stmts, inner);
		vec_push(&b->stmts, mine);
	} else {
		vec_push(&b->stmts, mine);
		vec_push(&b->stmts, inner);
	}
	return b;
}

struct step {
	struct probe_point *point;
	struct stmt *body;
	struct expr *cond;
	struct vec chain;
	bool optional, sufficient;
	int depth;
};

static bool try_providers(struct elab *e, struct derivation *dv, struct step *st);

/* A wildcard point a provider expands at compile time: each match in turn. */
static bool try_expansion(struct elab *e, struct derivation *dv, struct step *st)
{
	for (int i = 0; providers[i]; i++) {
		if (!providers[i]->expand)
			continue;
		struct vec points = { 0 };
		providers[i]->expand(e, st->point, &points);
		if (!points.len)
			continue;
		for (int j = 0; j < points.len; j++) {
			struct step one = *st;
			one.point = vec_at(&points, j);
			try_providers(e, dv, &one);
		}
		return true;
	}
	return false;
}

static bool try_providers(struct elab *e, struct derivation *dv, struct step *st)
{
	for (int i = 0; providers[i]; i++) {
		struct dprobe *d = arena_alloc(sizeof(*d));
		d->user = dv->user;
		d->point = st->point;
		d->chain = st->chain;
		/* Each derived probe annotates its own copy of the handler. */
		d->body = stmt_clone(st->body);
		d->cond = expr_clone(st->cond);
		d->optional = st->optional;
		d->sufficient = st->sufficient;
		d->group = dv->group;
		d->prov = providers[i];
		int errors = diag_error_count();
		if (providers[i]->match(e, d)) {
			d->id = e->prog->probes.len;
			vec_push(&e->prog->probes, d);
			dv->found++;
			return true;
		}
		if (diag_error_count() > errors)
			return true; /* recognised, but wrong: the provider said why */
	}
	return false;
}

static void expand(struct elab *e, struct derivation *dv, struct step *st)
{
	if (st->depth > MAX_ALIAS_DEPTH) {
		diag_error(&st->point->loc, "probe alias expansion is more than %d deep: is an alias "
					    "defined through itself?", MAX_ALIAS_DEPTH);
		return;
	}
	/* The aliases matching the whole point win over those matching a prefix. */
	int best = 0;
	for (int i = 0; i < e->aliases.len; i++) {
		struct probe *a = vec_at(&e->aliases, i);
		int n = alias_match(vec_at(&a->alias_names, 0), st->point);
		if (n > best)
			best = n;
	}
	if (best) {
		bool suffix = best < pp_ncomps(st->point);
		for (int i = 0; i < e->aliases.len; i++) {
			struct probe *a = vec_at(&e->aliases, i);
			struct probe_point *name = vec_at(&a->alias_names, 0);
			if (alias_match(name, st->point) != best)
				continue;
			for (int j = 0; j < a->points.len; j++) {
				struct probe_point *target = vec_at(&a->points, j);
				struct step next = *st;
				next.point = suffix ? with_suffix(target, st->point, best) : target;
				next.body = wrap(a, st->body);
				next.cond = and_cond(st->cond, target->cond);
				/* '!' is sufficient and so also optional: a missing one is skipped. */
				next.optional = st->optional || target->optional || target->sufficient;
				next.sufficient = target->sufficient;
				next.depth = st->depth + 1;
				next.chain = (struct vec){ 0 };
				for (int k = 0; k < st->chain.len; k++)
					vec_push(&next.chain, vec_at(&st->chain, k));
				vec_push(&next.chain, (void *)arena_printf("%s = %s", point_text(name),
									  point_text(target)));
				expand(e, dv, &next);
			}
		}
		return;
	}
	if (try_expansion(e, dv, st) || try_providers(e, dv, st))
		return;
	if (st->optional)
		return;
	/* Nothing knows this point: say so, with the nearest alias as a hint. */
	const char *text = point_text(st->point);
	struct vec names = { 0 };
	for (int i = 0; i < e->aliases.len; i++) {
		struct probe *a = vec_at(&e->aliases, i);
		vec_push(&names, (void *)point_text(vec_at(&a->alias_names, 0)));
	}
	const char *hint = did_you_mean(text, &names);
	if (hint)
		diag_error(&st->point->loc, "probe point '%s' matches no probe alias or built-in probe; "
					    "did you mean '%s'?", text, hint);
	else
		diag_error(&st->point->loc, "probe point '%s' matches no probe alias or built-in probe",
			   text);
	for (int k = st->chain.len - 1; k >= 1; k--)
		diag_note(&st->point->loc, "reached through probe alias '%s'",
			  (const char *)vec_at(&st->chain, k));
}

void derive_probes(struct elab *e, struct probe *user)
{
	struct derivation dv = { .user = user, .group = e->next_group++ };
	for (int i = 0; i < user->points.len; i++) {
		struct probe_point *pt = vec_at(&user->points, i);
		struct step st = {
			.point = pt,
			.body = user->body,
			.cond = pt->cond,
			.optional = pt->optional || pt->sufficient,
			.sufficient = pt->sufficient,
		};
		/* The chain starts with what the user wrote, for -p2's comment. */
		vec_push(&st.chain, (void *)point_text(pt));
		dv.found = 0;
		expand(e, &dv, &st);
	}
}
