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
 * alternatives on the target, at load time (runtime/user/attach.c).
 */
#include "stapc.h"

#include <string.h>

#define MAX_ALIAS_DEPTH 32
/*
 * Statements and expressions of all derived probes together: each derived
 * probe has its own copy of its handler, so `probe a, b, c ... { big }`
 * multiplies. `syscall.*` with a handler of a thousand makes some 400,000.
 */
#define MAX_PROGRAM_NODES 2000000

struct step;

struct derivation {
	struct probe *user;
	int found; /* concrete probes made from the user's point */
	struct step *failed; /* the first expansion nothing took, reported once per point */
};

/* How many leading components of `pt` the alias name matches (0: none). */
static int alias_match(const struct probe_point *name, const struct probe_point *pt)
{
	int n = point_ncomps(name);
	if (n > point_ncomps(pt))
		return 0;
	for (int i = 0; i < n; i++) {
		if (!point_match(point_name(pt, i), point_name(name, i)))
			return 0;
		const struct expr *a = point_arg(name, i), *b = point_arg(pt, i);
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
	const char *origin; /* a wildcard's match: the point as written */
	bool origin_optional;
	struct alt_scope scopes[MAX_ALT_SCOPES];
	int nscopes;
};

/* The step goes on through point `index` of a new point list. */
static void enter_list(struct step *st, int list, int index, bool sufficient)
{
	if (st->nscopes == MAX_ALT_SCOPES)
		return; /* deeper than any tapset goes: the inner choice is dropped */
	st->scopes[st->nscopes++] = (struct alt_scope){ list, index, sufficient };
}

static bool try_providers(struct elab *e, struct derivation *dv, struct step *st);

/* A wildcard point a provider expands at compile time: each match in turn. */
static bool try_expansion(struct elab *e, struct derivation *dv, struct step *st)
{
	for (int i = 0; providers[i]; i++) {
		if (!providers[i]->expand)
			continue;
		struct vec points = { 0 };
		int errors = diag_error_count();
		providers[i]->expand(e, st->point, st->body, st->cond, &points);
		if (diag_error_count() > errors)
			return true; /* recognised, but wrong: the provider said why */
		if (!points.len)
			continue;
		for (int j = 0; j < points.len; j++) {
			struct step one = *st;
			one.point = vec_at(&points, j);
			/*
			 * Kernel functions matched on the build host: a kernel
			 * without one of them skips it (-v says so) rather than
			 * refusing them all. Others keep the point's own '?'.
			 */
			one.optional = providers[i]->expansions_optional || st->optional;
			one.origin = point_text(st->point);
			one.origin_optional = st->optional;
			try_providers(e, dv, &one);
		}
		return true;
	}
	return false;
}

/* Whether the derived probes have grown past their limit (said once). */
static bool too_large(struct elab *e, struct derivation *dv)
{
	if (!e->too_large && ast_nodes() - e->nodes_start > MAX_PROGRAM_NODES) {
		e->too_large = true;
		diag_error(&dv->user->loc, "this probe expands to too much code: more than %d "
					   "statements and expressions in its derived probes; give it "
					   "fewer points or a smaller handler", MAX_PROGRAM_NODES);
	}
	return e->too_large;
}

static bool try_providers(struct elab *e, struct derivation *dv, struct step *st)
{
	if (too_large(e, dv))
		return true;
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
		d->origin = st->origin;
		d->origin_optional = st->origin_optional;
		memcpy(d->scopes, st->scopes, sizeof(d->scopes));
		d->nscopes = st->nscopes;
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

static void expand(struct elab *e, struct derivation *dv, struct step *st);
static void builtin_shapes(struct vec *out);
struct shape;
static bool shape_fits(const struct shape *sh, const struct probe_point *p);
static struct probe_point *named_as(const struct probe_point *p, const struct shape *sh);

/*
 * A '*' in a component name of a point no alias matches
 * (kernel.funct*("vfs_read")): the point stands for each of SystemTap's
 * points whose names it matches, as in stap. Several matches are each
 * optional; the point as a whole must still give a probe.
 */
static bool expand_wild_names(struct elab *e, struct derivation *dv, struct step *st)
{
	bool wild = false;
	for (int i = 0; i < point_ncomps(st->point); i++)
		wild = wild || strchr(point_name(st->point, i), '*');
	if (!wild)
		return false;
	struct vec shapes = { 0 }, points = { 0 };
	builtin_shapes(&shapes);
	for (int i = 0; i < shapes.len; i++) {
		const struct shape *sh = vec_at(&shapes, i);
		if (!shape_fits(sh, st->point))
			continue;
		struct probe_point *q = named_as(st->point, sh);
		bool seen = false;
		for (int j = 0; j < points.len && !seen; j++)
			seen = !strcmp(point_text(vec_at(&points, j)), point_text(q));
		if (!seen)
			vec_push(&points, q);
	}
	if (!points.len)
		return false;
	int before = dv->found;
	for (int i = 0; i < points.len; i++) {
		struct step one = *st;
		one.point = vec_at(&points, i);
		one.optional = st->optional || points.len > 1;
		expand(e, dv, &one);
	}
	if (dv->found == before && !st->optional && !dv->failed) {
		dv->failed = arena_alloc(sizeof(*dv->failed));
		*dv->failed = *st;
	}
	return true;
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
		bool suffix = best < point_ncomps(st->point);
		for (int i = 0; i < e->aliases.len; i++) {
			struct probe *a = vec_at(&e->aliases, i);
			struct probe_point *name = vec_at(&a->alias_names, 0);
			if (alias_match(name, st->point) != best)
				continue;
			int list = e->next_group++;
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
				enter_list(&next, list, j, target->sufficient);
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
	if (expand_wild_names(e, dv, st) || try_expansion(e, dv, st) || try_providers(e, dv, st))
		return;
	if (st->optional || dv->failed)
		return;
	dv->failed = arena_alloc(sizeof(*dv->failed));
	*dv->failed = *st;
}

/* ------------------------------------------------------------ unmatched points */

/*
 * When a point matches nothing, it is walked component by component over
 * every name a point can have: the tapset's aliases and the probe points
 * SystemTap itself provides (`man stapprobes`), so the error can say which
 * component is wrong, and what is near it. An argument is written N for a
 * number, S for a string and ? for either.
 */
static const char *const builtin_points[] = {
	"begin", "begin(N)", "end", "end(N)", "error", "error(N)", "never",
	"timer.profile", "timer.profile.tick",
	"kernel.trace(S)", "kernel.mark(S)", "kernel.mark(S).format(S)",
	"kernel.statement(?)", "kernel.statement(S).nearest", "kernel.statement(N).absolute",
	"module(S).statement(S)", "module(S).statement(S).nearest",
	"kprobe.function(S)", "kprobe.function(S).call", "kprobe.function(S).return",
	"kprobe.function(S).return.maxactive(N)", "kprobe.module(S).function(S)",
	"kprobe.module(S).function(S).call", "kprobe.module(S).function(S).return",
	"kprobe.statement(N).absolute",
	"kernel.data(?).write", "kernel.data(?).rw", "kernel.data(N).length(N).write",
	"kernel.data(N).length(N).rw",
	"procfs.read", "procfs.write", "procfs.read.maxsize(N)", "procfs(S).read", "procfs(S).write",
	"procfs(S).read.maxsize(N)", "procfs(S).umask(N).read", "procfs(S).umask(N).write",
	"procfs(S).umask(N).read.maxsize(N)",
	"netfilter.hook(S)", "netfilter.hook(S).priority(S)", "netfilter.hook(S).pf(S)",
	"netfilter.hook(S).pf(S).priority(S)", "netfilter.pf(S).hook(S)",
	"netfilter.pf(S).hook(S).priority(S)",
	"java(?).class(S).method(S)", "java(?).class(S).method(S).return",
	"python2.module(S).function(S)", "python2.module(S).function(S).call",
	"python2.module(S).function(S).return", "python3.module(S).function(S)",
	"python3.module(S).function(S).call", "python3.module(S).function(S).return",
	"input.char", "input.line",
};

/* Families written out as every base with every suffix. */
static const char *const timer_units[] = { "s", "sec", "ms", "msec", "us", "usec",
					   "ns", "nsec", "hz", "jiffies" };
static const char *const function_bases[] = { "kernel.function(S)", "module(S).function(S)",
					      "process.function(S)", "process(?).function(S)",
					      "process.library(S).function(S)",
					      "process(?).library(S).function(S)" };
static const char *const function_suffixes[] = { "", ".call", ".return", ".exported", ".inline",
						 ".label(S)", ".callee(S)", ".callees",
						 ".callees(N)", ".return.maxactive(N)" };
static const char *const process_suffixes[] = {
	".begin", ".end", ".thread.begin", ".thread.end", ".syscall", ".syscall.return", ".insn",
	".insn.block", ".statement(S)", ".statement(S).nearest", ".statement(N).absolute", ".plt(S)",
	".plt(S).return", ".mark(S)", ".provider(S).mark(S)", ".library(S).plt(S)",
	".library(S).plt(S).return", ".library(S).mark(S)", ".library(S).provider(S).mark(S)",
	".library(S).statement(S)",
};
static const char *const perf_suffixes[] = { "", ".sample(N)", ".hz(N)", ".process", ".process(S)",
					     ".counter(S)", ".process(S).counter(S)",
					     ".process.counter(S)" };

/* True if `name` is the first component of a built-in point (kernel, timer, begin ...). */
bool builtin_point_first(const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < ARRAY_SIZE(builtin_points); i++)
		if (!strncmp(builtin_points[i], name, n) && strchr(".(", builtin_points[i][n]))
			return true; /* strchr finds the '\0' too: the whole point */
	/* The families written out below. */
	return !strcmp(name, "timer") || !strcmp(name, "kernel") || !strcmp(name, "module") ||
	       !strcmp(name, "process") || !strcmp(name, "perf");
}

#define MAX_SHAPE 8

/* The form of a probe point: its component names and what argument each takes. */
struct shape {
	int n;
	const char *names[MAX_SHAPE];
	char args[MAX_SHAPE]; /* 0: none, 'N', 'S' or '?' */
	bool builtin;
};

static void add_builtin_shape(struct vec *out, const char *text)
{
	struct shape *sh = arena_alloc(sizeof(*sh));
	sh->builtin = true;
	for (const char *p = text; *p && sh->n < MAX_SHAPE;) {
		const char *end = p + strcspn(p, ".(");
		sh->names[sh->n] = arena_strndup(p, (size_t)(end - p));
		if (*end == '(') {
			sh->args[sh->n] = end[1];
			end += 3;
		}
		sh->n++;
		p = *end == '.' ? end + 1 : end;
	}
	vec_push(out, sh);
}

static void builtin_shapes(struct vec *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(builtin_points); i++)
		add_builtin_shape(out, builtin_points[i]);
	for (size_t i = 0; i < ARRAY_SIZE(timer_units); i++) {
		add_builtin_shape(out, arena_printf("timer.%s(N)", timer_units[i]));
		add_builtin_shape(out, arena_printf("timer.%s(N).randomize(N)", timer_units[i]));
	}
	for (size_t i = 0; i < ARRAY_SIZE(function_bases); i++)
		for (size_t j = 0; j < ARRAY_SIZE(function_suffixes); j++)
			add_builtin_shape(out, arena_printf("%s%s", function_bases[i],
							    function_suffixes[j]));
	for (size_t j = 0; j < ARRAY_SIZE(process_suffixes); j++) {
		add_builtin_shape(out, arena_printf("process%s", process_suffixes[j]));
		add_builtin_shape(out, arena_printf("process(?)%s", process_suffixes[j]));
	}
	for (size_t j = 0; j < ARRAY_SIZE(perf_suffixes); j++)
		add_builtin_shape(out, arena_printf("perf.type(N).config(N)%s", perf_suffixes[j]));
}

static void alias_shapes(struct elab *e, struct vec *out)
{
	for (int i = 0; i < e->aliases.len; i++) {
		struct probe *a = vec_at(&e->aliases, i);
		const struct probe_point *name = vec_at(&a->alias_names, 0);
		struct shape *sh = arena_alloc(sizeof(*sh));
		for (int c = 0; c < point_ncomps(name) && c < MAX_SHAPE; c++) {
			const struct expr *arg = point_arg(name, c);
			sh->names[c] = point_name(name, c);
			sh->args[c] = !arg ? 0 : arg->kind == E_NUMBER ? 'N' : 'S';
		}
		sh->n = point_ncomps(name) < MAX_SHAPE ? point_ncomps(name) : MAX_SHAPE;
		vec_push(out, sh);
	}
}

static bool arg_fits(char want, const struct expr *arg)
{
	if (!want)
		return !arg;
	if (!arg)
		return false;
	return want == '?' || (want == 'N') == (arg->kind == E_NUMBER);
}

/* Whether a point's names (with '*') and arguments fit a shape of SystemTap's. */
static bool shape_fits(const struct shape *sh, const struct probe_point *p)
{
	if (sh->n != point_ncomps(p))
		return false;
	for (int i = 0; i < sh->n; i++)
		if (!point_match(point_name(p, i), sh->names[i]) || !arg_fits(sh->args[i], point_arg(p, i)))
			return false;
	return true;
}

/* The point with the shape's names, its own arguments and flags. */
static struct probe_point *named_as(const struct probe_point *p, const struct shape *sh)
{
	struct probe_point *q = arena_alloc(sizeof(*q));
	*q = *p;
	q->comps = (struct vec){ 0 };
	for (int i = 0; i < p->comps.len; i++) {
		struct pp_component *c = arena_alloc(sizeof(*c));
		*c = *(struct pp_component *)vec_at(&p->comps, i);
		c->name = intern(sh->names[i]);
		vec_push(&q->comps, c);
	}
	return q;
}

/* The first `n` components of p, component `swap` named `name` instead (-1: none). */
static const char *comps_text(const struct probe_point *p, int n, int swap, const char *name)
{
	struct probe_point q = { 0 };
	for (int i = 0; i < n && i < p->comps.len; i++) {
		struct pp_component *c = vec_at(&p->comps, i);
		if (i == swap) {
			struct pp_component *r = arena_alloc(sizeof(*r));
			*r = *c;
			r->name = name;
			c = r;
		}
		vec_push(&q.comps, c);
	}
	return point_text(&q);
}

/* What the point is, without its '?', '!' and condition. */
static const char *bare_text(const struct probe_point *p)
{
	return comps_text(p, p->comps.len, -1, NULL);
}

static const char *arg_example(char kind)
{
	return kind == 'N' ? "(N)" : "(\"NAME\")";
}

/* The argument of component i is not what any point there takes. */
static void report_bad_arg(const struct probe_point *p, int i, const struct vec *named)
{
	const struct pp_component *c = vec_at(&p->comps, i);
	const char *prefix = comps_text(p, i, -1, NULL);
	char kind = 0; /* an argument kind the shapes take there, if any does */
	bool none_ok = false;
	for (int k = 0; k < named->len; k++) {
		const struct shape *sh = vec_at(named, k);
		if (!sh->args[i])
			none_ok = true;
		else if (!kind || kind == '?')
			kind = sh->args[i];
	}
	const char *bare = arena_printf("%s%s%s", prefix, i ? "." : "", c->name);
	if (c->arg && none_ok && !kind)
		diag_error(&c->loc, "probe point '%s' is malformed: '%s' takes no argument",
			   bare_text(p), bare);
	else if (!c->arg)
		diag_error(&c->loc, "probe point '%s' is malformed: '%s' needs %s, as in %s%s",
			   bare_text(p), bare, kind == 'N' ? "a number" : "a string", bare,
			   arg_example(kind));
	else
		diag_error(&c->loc, "probe point '%s' is malformed: '%s' takes %s, as in %s%s",
			   bare_text(p), bare, kind == 'N' ? "a number" : "a string", bare,
			   arg_example(kind));
}

/* A component no point has there: a misspelling, or a suffix nothing takes. */
static void report_bad_name(const struct probe_point *p, int i, const struct vec *cur)
{
	const struct pp_component *c = vec_at(&p->comps, i);
	struct vec names = { 0 };
	bool ends_here = false;
	for (int k = 0; k < cur->len; k++) {
		const struct shape *sh = vec_at(cur, k);
		if (sh->n > i)
			vec_push(&names, (void *)sh->names[i]);
		else
			ends_here = true;
	}
	const char *text = bare_text(p);
	const char *hint = strpbrk(c->name, "*?[") ? NULL : did_you_mean(c->name, &names);
	if (hint)
		diag_error(&c->loc, "probe point '%s' matches no probe alias or built-in probe; did "
				    "you mean '%s'?", text, comps_text(p, p->comps.len, i, hint));
	else if (ends_here)
		diag_error(&c->loc, "probe point '%s' matches no probe alias or built-in probe: "
				    "'%s' has no suffix '.%s'", text, comps_text(p, i, -1, NULL), c->name);
	else
		diag_error(&c->loc, "probe point '%s' matches no probe alias or built-in probe", text);
}

/* A point that stops before any known point ends. */
static void report_incomplete(const struct probe_point *p, const struct vec *cur)
{
	int n = p->comps.len;
	struct vec next = { 0 };
	for (int k = 0; k < cur->len; k++) {
		const struct shape *sh = vec_at(cur, k);
		bool dup = false;
		for (int j = 0; j < next.len && !dup; j++)
			dup = !strcmp(vec_at(&next, j), sh->names[n]);
		if (!dup)
			vec_push(&next, (void *)sh->names[n]);
	}
	struct strbuf sb = { 0 };
	for (int j = 0; j < next.len && j < 6; j++)
		sb_printf(&sb, "%s.%s", j ? ", " : "", (const char *)vec_at(&next, j));
	if (next.len > 6)
		sb_puts(&sb, ", ...");
	const struct pp_component *last = vec_at(&p->comps, n - 1);
	diag_error(&last->loc, "probe point '%s' is incomplete: it must go on with one of %s",
		   bare_text(p), sb.buf);
	sb_free(&sb);
}

/*
 * Walks p over the known shapes. Reports and returns true if p is wrong
 * in itself; false if it has the form of a known point (*builtin then
 * says whether of one SystemTap provides).
 */
static bool diagnose_point(struct elab *e, const struct probe_point *p, bool *builtin)
{
	struct vec cur = { 0 };
	builtin_shapes(&cur);
	alias_shapes(e, &cur);
	for (int i = 0; i < p->comps.len; i++) {
		const struct pp_component *c = vec_at(&p->comps, i);
		struct vec named = { 0 }, fits = { 0 };
		for (int k = 0; k < cur.len; k++) {
			struct shape *sh = vec_at(&cur, k);
			if (sh->n <= i || !point_match(c->name, sh->names[i]))
				continue;
			vec_push(&named, sh);
			if (arg_fits(sh->args[i], c->arg))
				vec_push(&fits, sh);
		}
		if (!named.len) {
			report_bad_name(p, i, &cur);
			return true;
		}
		if (!fits.len) {
			report_bad_arg(p, i, &named);
			return true;
		}
		cur = fits;
	}
	*builtin = false;
	for (int k = 0; k < cur.len; k++) {
		const struct shape *sh = vec_at(&cur, k);
		if (sh->n == p->comps.len) {
			*builtin = *builtin || sh->builtin;
			if (!sh->builtin)
				return false;
		}
	}
	if (*builtin)
		return false;
	report_incomplete(p, &cur);
	return true;
}

/* Nothing took what the user's point `pt` came to (`st`): say why, once. */
static void report_unmatched(struct elab *e, const struct probe_point *pt, const struct step *st)
{
	bool builtin = false;
	if (diagnose_point(e, pt, &builtin))
		return;
	if (st->chain.len <= 1) {
		diag_error(&pt->loc, "probe point '%s' is SystemTap's, but stapc does not support it "
				     "yet", bare_text(pt));
		return;
	}
	/* The user's point is right; what an alias made of it is not. */
	const char *made = bare_text(st->point);
	bool made_builtin = false;
	diag_quiet(true);
	bool bad = diagnose_point(e, st->point, &made_builtin);
	diag_quiet(false);
	if (!bad && made_builtin)
		diag_error(&pt->loc, "probe point '%s' expands to '%s', which stapc does not support "
				     "yet", bare_text(pt), made);
	else
		diag_error(&pt->loc, "probe point '%s' expands to '%s', which matches no probe alias "
				     "or built-in probe", bare_text(pt), made);
	diag_note(&st->point->loc, "through probe alias '%s'",
		  (const char *)vec_at(&st->chain, st->chain.len - 1));
}

void derive_probes(struct elab *e, struct probe *user)
{
	struct derivation dv = { .user = user };
	int list = e->next_group++;
	for (int i = 0; i < user->points.len; i++) {
		struct probe_point *pt = vec_at(&user->points, i);
		struct step st = {
			.point = pt,
			.body = user->body,
			.cond = pt->cond,
			.optional = pt->optional || pt->sufficient,
			.sufficient = pt->sufficient,
		};
		enter_list(&st, list, i, pt->sufficient);
		/* The chain starts with what the user wrote, for -p2's comment. */
		vec_push(&st.chain, (void *)point_text(pt));
		dv.found = 0;
		dv.failed = NULL;
		expand(e, &dv, &st);
		if (dv.failed)
			report_unmatched(e, pt, dv.failed);
	}
}
