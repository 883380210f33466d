// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * types.c - type inference, stap's way: every variable, array key and
 * function result is a long, a string or statistics, learnt from how it
 * is used. The walk repeats until nothing new is learnt, then runs once
 * more to report what contradicts what was learnt first, and what stayed
 * unknown.
 *
 * Statements go through walk.c. An expression's type is not a walk: it is
 * computed from its children's and the type its parent wants, and some
 * children are asked twice (`x = y` asks y what x is, then x what y is),
 * so infer_expr recurses by itself.
 */
#include "stapc.h"

#include <string.h>

struct infer {
	struct walker walk;	/* the statements' (its ctx is this) */
	struct elab *e;
	bool changed;
	bool report;		/* the last walk: say what is wrong */
	bool hint;		/* the next infer_expr's `want` is only a hint: its caller checks */
	struct function *fn;	/* being walked, NULL in a probe */
};

static enum vtype infer_expr(struct infer *in, struct expr *x, enum vtype want);
static void infer_stmt(struct infer *in, struct stmt *s);

static const char *article_type(enum vtype t)
{
	return t == VT_LONG ? "a long" : t == VT_STRING ? "a string" : "statistics";
}

/* Infers x's type, telling it what the caller would like; the caller reports a mismatch. */
static enum vtype infer_hint(struct infer *in, struct expr *x, enum vtype want)
{
	in->hint = true;
	return infer_expr(in, x, want);
}

static bool same_loc(const struct loc *a, const struct loc *b)
{
	return a->file == b->file && a->line == b->line && a->col == b->col;
}

/* Where sym's type comes from: a declaration (`s:string`) or a first use. */
static void note_first_type(const struct symbol *sym)
{
	const char *what = sym->kind == SYM_PARAM ? "parameter " : "";
	if (sym->kind == SYM_PARAM && same_loc(&sym->type_loc, &sym->loc))
		diag_note(&sym->type_loc, "%s'%s' is declared as %s here", what, sym->name,
			  article_type(sym->type));
	else
		diag_note(&sym->type_loc, "%s'%s' was first inferred as %s here", what, sym->name,
			  article_type(sym->type));
}

static void note_first_return(const struct function *fn)
{
	if (fn->type_decl)
		diag_note(&fn->loc, "'%s' is declared to return %s here", fn->name,
			  article_type(fn->type));
	else
		diag_note(&fn->type_loc, "'%s' was first inferred to return %s here", fn->name,
			  article_type(fn->type));
}

/* Learns that `sym` holds values of type t (seen at loc). */
static void unify_sym(struct infer *in, struct symbol *sym, enum vtype t, const struct loc *loc)
{
	if (!sym || t == VT_UNKNOWN)
		return;
	if (sym->type == VT_UNKNOWN) {
		sym->type = t;
		if (!sym->has_type_loc) {
			sym->type_loc = *loc;
			sym->has_type_loc = true;
		}
		in->changed = true;
		return;
	}
	if (sym->type != t && in->report) {
		diag_error(loc, "type mismatch: '%s' is used as %s here", sym->name, article_type(t));
		note_first_type(sym);
	}
}

static const char *keys_text(int n)
{
	return arena_printf("%d key%s", n, n == 1 ? "" : "s");
}

/* Learns how many keys an array has, or that a variable is a scalar. */
static void unify_arity(struct infer *in, struct symbol *sym, int arity, const struct loc *loc)
{
	if (sym->arity < 0) {
		sym->arity = arity;
		sym->arity_loc = *loc;
		in->changed = true;
		return;
	}
	if (sym->arity == arity || !in->report)
		return;
	if (arity == 0)
		diag_error(loc, "'%s' is an array; index it, as in %s[...]", sym->name, sym->name);
	else if (sym->arity == 0)
		diag_error(loc, "'%s' is used as an array here, but it is a scalar", sym->name);
	else
		diag_error(loc, "'%s' is indexed with %s here, but it has %d", sym->name,
			   keys_text(arity), sym->arity);
	const struct loc *first = sym->arity_loc.file ? &sym->arity_loc : &sym->loc;
	if (sym->arity == 0)
		diag_note(first, "'%s' was first used as a scalar here", sym->name);
	else
		diag_note(first, "'%s' was first used as an array with %s here", sym->name,
			  keys_text(sym->arity));
}

static void unify_key(struct infer *in, struct symbol *sym, int i, enum vtype t,
		      const struct loc *loc)
{
	if (i >= MAX_ARRAY_KEYS || t == VT_UNKNOWN)
		return;
	if (sym->keys[i] == VT_UNKNOWN) {
		sym->keys[i] = t;
		sym->key_locs[i] = *loc;
		in->changed = true;
	} else if (sym->keys[i] != t && in->report) {
		diag_error(loc, "type mismatch: key %d of '%s' is used as %s here", i + 1, sym->name,
			   article_type(t));
		diag_note(&sym->key_locs[i], "key %d of '%s' was first inferred as %s here", i + 1,
			  sym->name, article_type(sym->keys[i]));
	}
}

/* The variable an expression reads or writes as a whole, if any. */
static struct symbol *symbol_of(const struct expr *x)
{
	if (x->kind == E_SYMBOL || (x->kind == E_INDEX && x->left && x->left->kind == E_SYMBOL))
		return x->sym;
	return NULL;
}

/* Where a diagnostic about x's variable points: the name, not the '['. */
static const struct loc *name_loc(const struct expr *x)
{
	return x->kind == E_INDEX && x->left ? &x->left->loc : &x->loc;
}

/* Two sides that must agree (=, ==, ?:), each learning from the other. */
static enum vtype infer_pair(struct infer *in, struct expr *a, struct expr *b, enum vtype want,
			     const struct loc *loc, const char *what)
{
	enum vtype ta = infer_expr(in, a, want);
	enum vtype tb = infer_hint(in, b, ta != VT_UNKNOWN ? ta : want);
	if (ta == VT_UNKNOWN && tb != VT_UNKNOWN)
		ta = infer_expr(in, a, tb);
	if (ta == VT_UNKNOWN || tb == VT_UNKNOWN || ta == tb || !in->report)
		return ta != VT_UNKNOWN ? ta : tb;
	/* Blame the side whose type was learnt elsewhere: the note says where. */
	struct symbol *sa = symbol_of(a), *sb = symbol_of(b);
	if (sa && sa->type == ta)
		unify_sym(in, sa, tb, name_loc(a));
	else if (sb && sb->type == tb)
		unify_sym(in, sb, ta, name_loc(b));
	else
		diag_error(loc, "type mismatch: %s %s and %s", what, article_type(ta), article_type(tb));
	return ta;
}

/*
 * What the context wants and what x is disagree. Variables, calls and the
 * like say so themselves, with where their type came from.
 */
static void check_want(const struct expr *x, enum vtype have, enum vtype want)
{
	if (have == VT_UNKNOWN || want == VT_UNKNOWN || have == want)
		return;
	switch (x->kind) {
	case E_SYMBOL:
	case E_CALL:
	case E_TERNARY:
	case E_ENTRY:
		return;
	case E_INDEX:
		if (x->sym)
			return;
		break;
	default:
		break;
	}
	diag_error(&x->loc, "type mismatch: expected %s, but this is %s", article_type(want),
		   article_type(have));
}

/* An array reference: base[keys], base a global symbol. */
static enum vtype infer_index(struct infer *in, struct expr *x, enum vtype want, bool check)
{
	struct symbol *sym = x->sym;
	for (int i = 0; i < x->args.len; i++) {
		struct expr *k = vec_at(&x->args, i);
		if (!k)
			continue; /* a '*' of a slice */
		enum vtype kt = infer_hint(in, k, sym && i < MAX_ARRAY_KEYS ? sym->keys[i] : VT_UNKNOWN);
		if (kt == VT_STATS && in->report)
			diag_error(&k->loc, "statistics cannot be an array key");
		else if (sym)
			unify_key(in, sym, i, kt, &k->loc);
	}
	if (!sym) {
		/* @hist_log(s)[i]: the count of bucket i. */
		infer_expr(in, x->left, VT_UNKNOWN);
		return VT_LONG;
	}
	unify_arity(in, sym, x->args.len, name_loc(x));
	if (check || sym->type == VT_UNKNOWN)
		unify_sym(in, sym, want, name_loc(x));
	return sym->type;
}

/* The conversions of a printf format constrain its arguments' types. */
static void infer_printf_args(struct infer *in, struct expr *x)
{
	int arg = 0;
	for (const char *c = x->str; *c && arg <= x->args.len; c++) {
		if (*c != '%')
			continue;
		c++;
		if (*c == '%')
			continue;
		if (*c && strchr("-+ #0", *c))
			c++;
		if (*c == '*') {
			if (arg < x->args.len)
				infer_expr(in, vec_at(&x->args, arg), VT_LONG);
			arg++;
			c++;
		}
		while (*c >= '0' && *c <= '9')
			c++;
		if (*c == '.') {
			c++;
			if (*c == '*') {
				if (arg < x->args.len)
					infer_expr(in, vec_at(&x->args, arg), VT_LONG);
				arg++;
				c++;
			}
			while (*c >= '0' && *c <= '9')
				c++;
		}
		if (*c == 'l')
			c++;
		if (!*c)
			break;
		enum vtype t = *c == 's' || *c == 'm' || *c == 'M' ? VT_STRING : VT_LONG;
		if (arg < x->args.len) {
			struct expr *a = vec_at(&x->args, arg);
			enum vtype have = infer_hint(in, a, t);
			if (have != VT_UNKNOWN && have != t && in->report)
				diag_error(&a->loc, "type mismatch: '%%%c' wants %s, but this is %s", *c,
					   article_type(t), article_type(have));
		} else if (in->report) {
			diag_error(&x->loc, "the format has more conversions than there are arguments");
		}
		arg++;
	}
	for (int i = arg; i < x->args.len; i++)
		infer_expr(in, vec_at(&x->args, i), VT_UNKNOWN);
	if (arg < x->args.len && in->report)
		diag_error(&((struct expr *)vec_at(&x->args, arg))->loc, "too many arguments for the "
			   "format string");
}

/* The parameter a call's argument is bound to: it must have the parameter's type. */
static void infer_arg(struct infer *in, struct expr *call, int i, struct symbol *p)
{
	struct expr *a = vec_at(&call->args, i);
	enum vtype t = infer_hint(in, a, p ? p->type : VT_UNKNOWN);
	if (t == VT_STATS && in->report) {
		diag_error(&a->loc, "statistics cannot be passed to a function; pass @count(...) or "
				    "another extractor");
		return;
	}
	if (!p || t == VT_UNKNOWN)
		return;
	if (p->type == VT_UNKNOWN) {
		unify_sym(in, p, t, &a->loc);
	} else if (p->type != t && in->report) {
		diag_error(&a->loc, "type mismatch: argument %d of '%s' must be %s, but this is %s",
			   i + 1, call->fn->name, article_type(p->type), article_type(t));
		note_first_type(p);
	}
}

static enum vtype infer_call(struct infer *in, struct expr *x, enum vtype want, bool check)
{
	struct function *fn = x->fn;
	for (int i = 0; i < x->args.len; i++)
		infer_arg(in, x, i, fn && i < fn->param_syms.len ? vec_at(&fn->param_syms, i) : NULL);
	if (!fn)
		return VT_UNKNOWN;
	if (fn->type == VT_UNKNOWN && want != VT_UNKNOWN && want != VT_STATS) {
		fn->type = want;
		fn->type_loc = x->loc;
		in->changed = true;
	} else if (check && in->report && want != VT_UNKNOWN && fn->type != VT_UNKNOWN &&
		   fn->type != want) {
		diag_error(&x->loc, "type mismatch: '%s' returns %s, but %s is expected here", fn->name,
			   article_type(fn->type), article_type(want));
		note_first_return(fn);
	}
	return fn->type;
}

static enum vtype infer_assign(struct infer *in, struct expr *x, enum vtype want)
{
	const char *op = x->op;
	struct expr *l = x->left, *r = x->right;
	if (!strcmp(op, "<<<")) {
		infer_expr(in, l, VT_STATS);
		infer_expr(in, r, VT_LONG);
		return VT_LONG;
	}
	if (!strcmp(op, ".=")) {
		infer_expr(in, l, VT_STRING);
		infer_expr(in, r, VT_STRING);
		return VT_STRING;
	}
	if (strcmp(op, "=")) {
		infer_expr(in, l, VT_LONG);
		infer_expr(in, r, VT_LONG);
		return VT_LONG;
	}
	enum vtype t = infer_pair(in, l, r, want, &x->loc, "assignment of");
	if (t == VT_STATS && in->report)
		diag_error(&x->loc, "statistics cannot be assigned: add values with '<<<'");
	return t;
}

static enum vtype infer_expr(struct infer *in, struct expr *x, enum vtype want)
{
	bool check = !in->hint;
	in->hint = false;
	if (!x)
		return VT_UNKNOWN;
	enum vtype t = VT_UNKNOWN;
	switch (x->kind) {
	case E_NUMBER:
	case E_KCONFIG:
		t = VT_LONG;
		break;
	case E_STRING:
		t = VT_STRING;
		break;
	case E_SYMBOL:
		if (!x->sym)
			return VT_UNKNOWN;
		unify_arity(in, x->sym, 0, &x->loc);
		if (check || x->sym->type == VT_UNKNOWN)
			unify_sym(in, x->sym, want, &x->loc);
		t = x->sym->type;
		break;
	case E_INDEX:
		t = infer_index(in, x, want, check);
		break;
	case E_IN:
		infer_index(in, x, VT_UNKNOWN, true);
		t = VT_LONG;
		break;
	case E_ASSIGN:
		t = infer_assign(in, x, want);
		break;
	case E_BINARY:
	case E_LOGICAL:
		infer_expr(in, x->left, VT_LONG);
		infer_expr(in, x->right, VT_LONG);
		t = VT_LONG;
		break;
	case E_UNARY:
	case E_PREINC:
	case E_POSTINC:
		infer_expr(in, x->left, VT_LONG);
		t = VT_LONG;
		break;
	case E_COMPARE:
		if (infer_pair(in, x->left, x->right, VT_UNKNOWN, &x->loc, "comparison of") ==
			    VT_STATS && in->report)
			diag_error(&x->loc, "statistics cannot be compared; compare @count(...) or "
					    "another extractor");
		t = VT_LONG;
		break;
	case E_REGEX:
		infer_expr(in, x->left, VT_STRING);
		t = VT_LONG;
		break;
	case E_CONCAT:
		infer_expr(in, x->left, VT_STRING);
		infer_expr(in, x->right, VT_STRING);
		t = VT_STRING;
		break;
	case E_TERNARY:
		infer_expr(in, x->cond, VT_LONG);
		t = infer_pair(in, x->left, x->right, want, &x->loc, "the two branches are");
		break;
	case E_CALL:
		t = infer_call(in, x, want, check);
		break;
	case E_PRINT:
		if (x->has_format)
			infer_printf_args(in, x);
		else
			for (int i = 0; i < x->args.len; i++) {
				struct expr *a = vec_at(&x->args, i);
				if (infer_expr(in, a, VT_UNKNOWN) == VT_STATS && in->report)
					diag_error(&a->loc, "statistics cannot be printed; print "
							    "@count(...) or a histogram");
			}
		t = x->print_to_string ? VT_STRING : VT_LONG;
		break;
	case E_STAT:
		infer_expr(in, x->left, VT_STATS);
		for (int i = 0; i < x->args.len; i++)
			infer_expr(in, vec_at(&x->args, i), VT_LONG);
		t = VT_LONG;
		break;
	case E_HIST:
		infer_expr(in, x->left, VT_STATS);
		return VT_UNKNOWN; /* only printed, iterated or indexed */
	case E_TARGET:
		/* A provider may say a $variable is a string; otherwise a long. */
		t = x->type != VT_UNKNOWN ? x->type : VT_LONG;
		for (int i = 0; i < x->comps.len; i++) {
			struct component *c = vec_at(&x->comps, i);
			if (c->kind == COMP_INDEX)
				infer_expr(in, c->index, VT_LONG);
			if (c->kind == COMP_PRETTY)
				t = VT_STRING;
		}
		if (x->name[1] == '$')
			t = VT_STRING; /* $$vars and friends are pretty-printed */
		break;
	case E_CAST:
	case E_ATVAR:
	case E_AUTOCAST:
		infer_expr(in, x->left, VT_LONG);
		t = x->type != VT_UNKNOWN ? x->type : VT_LONG;
		for (int i = 0; i < x->comps.len; i++) {
			struct component *c = vec_at(&x->comps, i);
			if (c->kind == COMP_INDEX)
				infer_expr(in, c->index, VT_LONG);
			if (c->kind == COMP_PRETTY)
				t = VT_STRING;
		}
		break;
	case E_ENTRY:
		t = infer_expr(in, x->left, want);
		break;
	case E_DEFINED:
	case E_PERF:
	case E_CONST:
	case E_REGISTER:
	case E_PROBEWRITE:
		infer_expr(in, x->left, VT_UNKNOWN);
		t = VT_LONG;
		break;
	case E_EMBEDDED:
		t = x->type != VT_UNKNOWN ? x->type : VT_LONG;
		break;
	}
	x->type = t;
	if (check && in->report)
		check_want(x, t, want);
	return t;
}

static void infer_foreach(struct infer *in, struct stmt *s)
{
	struct expr *base = s->base;
	if (base->kind == E_HIST) {
		infer_expr(in, base, VT_UNKNOWN);
		for (int i = 0; i < s->keys.len; i++) {
			struct expr *k = vec_at(&s->keys, i);
			unify_sym(in, k->sym, VT_LONG, &k->loc);
		}
		if (s->value)
			unify_sym(in, s->value->sym, VT_LONG, &s->value->loc);
	} else if (base->sym) {
		struct symbol *arr = base->sym;
		unify_arity(in, arr, s->keys.len, name_loc(base));
		if (base->kind == E_INDEX)
			infer_index(in, base, VT_UNKNOWN, true);
		/* Each side learns from the other; a conflict is told once, by the loop variable. */
		for (int i = 0; i < s->keys.len && i < MAX_ARRAY_KEYS; i++) {
			struct expr *k = vec_at(&s->keys, i);
			unify_arity(in, k->sym, 0, &k->loc);
			if (arr->keys[i] != VT_UNKNOWN)
				unify_sym(in, k->sym, arr->keys[i], &k->loc);
			else
				unify_key(in, arr, i, k->sym->type, &k->loc);
		}
		if (s->value) {
			if (arr->type != VT_UNKNOWN)
				unify_sym(in, s->value->sym, arr->type, &s->value->loc);
			else
				unify_sym(in, arr, s->value->sym->type, &s->value->loc);
			if (arr->type == VT_STATS && in->report)
				diag_error(&s->value->loc, "the value of a statistics array cannot be "
							   "named in foreach; use @count(%s[...]) and the like",
					   arr->name);
		}
		if (s->sort_agg)
			unify_sym(in, arr, VT_STATS, &base->loc);
	}
	infer_expr(in, s->limit, VT_LONG);
	infer_stmt(in, s->body);
}

static void infer_return(struct infer *in, struct stmt *s)
{
	if (!in->fn)
		return;
	/* A bare `return` in a function that returns a value: stap's type mismatch. */
	if (!s->expr) {
		if (in->report && !in->fn->builtin && in->fn->type != VT_UNKNOWN &&
		    in->fn->type != VT_STATS) {
			diag_error(&s->loc, "'return' without a value in '%s', which returns %s",
				   in->fn->name, article_type(in->fn->type));
			note_first_return(in->fn);
		}
		return;
	}
	enum vtype t = infer_hint(in, s->expr, in->fn->type);
	if (t != VT_UNKNOWN && in->fn->type == VT_UNKNOWN) {
		in->fn->type = t;
		in->fn->type_loc = s->loc;
		in->changed = true;
	} else if (t != VT_UNKNOWN && t != in->fn->type && in->report) {
		diag_error(&s->expr->loc, "type mismatch: '%s' returns %s here", in->fn->name,
			   article_type(t));
		note_first_return(in->fn);
	}
}

/*
 * A statement gives its expressions the type it wants of them (an if's
 * condition a long) and infer_expr takes them from there; blocks and ifs
 * go on into their statements in the walker's order. The others walk
 * theirs themselves, in the order types are first learnt in (a for's init
 * before its condition, a try's body before its catch variable).
 */
static enum walk_next infer_stmt_node(struct walker *w, struct stmt *s)
{
	struct infer *in = w->ctx;
	switch (s->kind) {
	case S_BLOCK:
		return WALK_ON;
	case S_IF:
		infer_expr(in, s->expr, VT_LONG);
		return WALK_ON;
	case S_TRY:
		infer_stmt(in, s->body);
		if (s->catch_var)
			unify_sym(in, s->catch_var->sym, VT_STRING, &s->catch_var->loc);
		infer_stmt(in, s->els);
		break;
	case S_EXPR:
		infer_expr(in, s->expr, VT_UNKNOWN);
		break;
	case S_FOR:
		infer_stmt(in, s->init);
		infer_expr(in, s->expr, VT_LONG);
		infer_expr(in, s->step, VT_UNKNOWN);
		infer_stmt(in, s->body);
		break;
	case S_FOREACH:
		infer_foreach(in, s);
		break;
	case S_RETURN:
		infer_return(in, s);
		break;
	case S_DELETE:
		if (s->expr->kind == E_INDEX)
			infer_index(in, s->expr, VT_UNKNOWN, true);
		break;
	default:
		break;
	}
	return WALK_SKIP;
}

static void infer_stmt(struct infer *in, struct stmt *s)
{
	walk_stmt(&in->walk, s);
}

static void walk_all(struct infer *in)
{
	struct program *prog = in->e->prog;
	for (int i = 0; i < prog->probes.len; i++) {
		struct dprobe *d = vec_at(&prog->probes, i);
		in->fn = NULL;
		infer_expr(in, d->cond, VT_LONG);
		infer_stmt(in, d->body);
	}
	for (int i = 0; i < in->e->worklist.len; i++) {
		struct function *fn = vec_at(&in->e->worklist, i);
		in->fn = fn;
		if (!fn->builtin)
			infer_stmt(in, fn->body);
	}
}

/* Globals with an initialiser have its type. */
static void seed_globals(struct infer *in)
{
	struct program *prog = in->e->prog;
	for (int i = 0; i < prog->globals.len; i++) {
		struct symbol *g = vec_at(&prog->globals, i);
		if (g->decl && g->decl->init) {
			unify_sym(in, g, g->decl->init->kind == E_NUMBER ? VT_LONG : VT_STRING,
				  &g->decl->loc);
			unify_arity(in, g, 0, &g->decl->loc);
		}
		if (g->decl && g->decl->max_entries && g->arity == 0 && in->report)
			diag_error(&g->decl->loc, "'%s' is declared with a size, so it must be an array",
				   g->name);
		else if (g->decl && g->decl->wrap && g->arity == 0 && in->report)
			diag_error(&g->decl->loc, "'%s' is declared to wrap ('%%'), which only an array "
						  "can: wrapping is not supported for scalars",
				   g->name);
	}
}

/* The names of `syms` (struct symbol *) but `self`, for a "did you mean". */
static void add_names(struct vec *names, const struct vec *syms, const struct symbol *self)
{
	for (int i = 0; syms && i < syms->len; i++) {
		const struct symbol *sym = vec_at(syms, i);
		if (sym != self && sym->name != self->name)
			vec_push(names, (void *)sym->name);
	}
}

/*
 * A variable nothing gives a type is one nothing assigns: most often a
 * misspelt name (`signame` for the alias's `sig_name`), so the names in
 * scope are searched for a close one.
 */
static void report_unknown(struct elab *e, struct symbol *sym, const char *what,
			   const struct vec *locals, const struct vec *params)
{
	if (sym->type != VT_UNKNOWN)
		return;
	struct vec names = { 0 };
	add_names(&names, locals, sym);
	add_names(&names, params, sym);
	add_names(&names, &e->prog->globals, sym);
	const char *hint = did_you_mean(sym->name, &names);
	if (hint)
		diag_error(&sym->loc, "cannot tell the type of %s '%s': nothing assigns it a value; "
				      "did you mean '%s'?", what, sym->name, hint);
	else
		diag_error(&sym->loc, "cannot tell the type of %s '%s': nothing assigns it a value",
			   what, sym->name);
}

static void check_unresolved(struct elab *e)
{
	struct program *prog = e->prog;
	for (int i = 0; i < prog->globals.len; i++) {
		struct symbol *g = vec_at(&prog->globals, i);
		if (g->arity < 0 && !g->from_tapset) {
			diag_warning(&g->loc, "global '%s' is never used", g->name);
			continue;
		}
		report_unknown(e, g, "global", NULL, NULL);
		for (int k = 0; k < g->arity && k < MAX_ARRAY_KEYS; k++)
			if (g->keys[k] == VT_UNKNOWN)
				diag_error(&g->loc, "cannot tell the type of key %d of array '%s'", k + 1,
					   g->name);
	}
	for (int i = 0; i < prog->probes.len; i++) {
		struct dprobe *d = vec_at(&prog->probes, i);
		for (int j = 0; j < d->locals.len; j++)
			report_unknown(e, vec_at(&d->locals, j), "variable", &d->locals, NULL);
	}
	for (int i = 0; i < e->worklist.len; i++) {
		struct function *fn = vec_at(&e->worklist, i);
		for (int j = 0; j < fn->locals.len; j++)
			report_unknown(e, vec_at(&fn->locals, j), "variable", &fn->locals,
				       &fn->param_syms);
		for (int j = 0; j < fn->param_syms.len; j++)
			report_unknown(e, vec_at(&fn->param_syms, j), "parameter", &fn->locals,
				       &fn->param_syms);
	}
}

/* `x <<< 1` on a local: stap keeps statistics in globals only. */
static void report_local_stats(const struct vec *syms)
{
	for (int i = 0; i < syms->len; i++) {
		const struct symbol *sym = vec_at(syms, i);
		if (sym->type == VT_STATS)
			diag_error(sym->has_type_loc ? &sym->type_loc : &sym->loc,
				   "'%s' is a local: statistics can only be global (missing 'global "
				   "%s'?)",
				   sym->name, sym->name);
	}
}

static void check_local_stats(struct elab *e)
{
	for (int i = 0; i < e->prog->probes.len; i++)
		report_local_stats(&((struct dprobe *)vec_at(&e->prog->probes, i))->locals);
	for (int i = 0; i < e->worklist.len; i++) {
		struct function *fn = vec_at(&e->worklist, i);
		report_local_stats(&fn->locals);
		report_local_stats(&fn->param_syms);
	}
}

void infer_types(struct elab *e)
{
	struct infer in = { .e = e };
	in.walk = (struct walker){ .expr = walk_no_expr, .stmt = infer_stmt_node, .ctx = &in };
	seed_globals(&in);
	for (int round = 0; round < 100; round++) {
		in.changed = false;
		walk_all(&in);
		if (!in.changed)
			break;
	}
	in.report = true;
	int errors = diag_error_count();
	seed_globals(&in);
	walk_all(&in);
	/* (`x = s` of a global s is said already: statistics cannot be assigned.) */
	if (diag_error_count() == errors)
		check_local_stats(e);
	if (!diag_error_count())
		check_unresolved(e);
	/* What was called is the program's; in the order first reached. */
	for (int i = 0; i < e->worklist.len; i++)
		vec_push(&e->prog->functions, vec_at(&e->worklist, i));
}
