// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * resolve.c - binds every name in a probe handler or function to what it
 * means: a local, a parameter, a global (pulled in from the tapset library
 * on first use), a function (likewise), or a target variable of the probe.
 */
#include "stapc.h"
#include "builtins/builtins.h"

#include <regex.h>
#include <string.h>

struct scope {
	struct walker walk;    /* its ctx is this scope */
	struct elab *e;
	struct dprobe *probe;  /* NULL inside a function */
	struct function *fn;   /* NULL inside a probe */
	struct vec *locals;
	int loops;
};

static void resolve_expr(struct scope *sc, struct expr *x)
{
	walk_expr(&sc->walk, x);
}

static void resolve_stmt(struct scope *sc, struct stmt *s)
{
	walk_stmt(&sc->walk, s);
}

/* Whether a probe's point, or one of the aliases it came through, is a '.return'. */
static bool in_return_probe(const struct dprobe *d)
{
	if (!d)
		return false;
	for (int i = 0; i < d->point->comps.len; i++)
		if (!strcmp(((struct pp_component *)vec_at(&d->point->comps, i))->name, "return"))
			return true;
	for (int i = 0; i < d->chain.len; i++)
		if (strstr(vec_at(&d->chain, i), ".return"))
			return true;
	return false;
}

/* A regular expression that cannot compile is refused now, as stap does (POSIX ERE). */
static void check_regex(const struct expr *re)
{
	regex_t r;
	const char *pattern = decode_escapes(re->str);
	int err = regcomp(&r, pattern, REG_EXTENDED | REG_NOSUB);
	if (!err) {
		regfree(&r);
		const char *why = NULL;
		int size;
		if (!regex_compile(pattern, &size, &why))
			diag_error(&re->loc, "this regular expression cannot be matched by stapc: %s", why);
		return;
	}
	char why[128];
	regerror(err, &r, why, sizeof(why));
	diag_error(&re->loc, "invalid regular expression: %s", why);
}

static struct symbol *new_symbol(const char *name, enum sym_kind kind, struct loc loc)
{
	struct symbol *sym = arena_alloc(sizeof(*sym));
	sym->name = name;
	sym->kind = kind;
	sym->arity = -1;
	sym->loc = loc;
	return sym;
}

static struct symbol *find_in(struct vec *v, const char *name)
{
	for (int i = 0; v && i < v->len; i++) {
		struct symbol *s = vec_at(v, i);
		if (s->name == name)
			return s;
	}
	return NULL;
}

/*
 * Whether code in file `from` sees the global `g`. The script sees every
 * global, its own and the tapsets' (a tapset global is how a script talks
 * to the library); tapset code sees only tapset globals, so a handler's
 * local `s` stays a local whatever globals the script declares; a private
 * global is seen only in its own file.
 */
static bool global_visible(const struct global *g, const struct source_file *from)
{
	if (g->is_private)
		return g->file == from;
	return !from || !from->is_tapset || g->file->is_tapset;
}

/* The global `name` that code in `from` sees; its symbol made on first use. */
static struct symbol *find_global(struct elab *e, const char *name, const struct source_file *from)
{
	struct global *g = name_map_get(&e->globals_by_name, name);
	while (g && !global_visible(g, from))
		g = g->next_same_name;
	if (!g)
		return name_map_get(&e->undeclared, name);
	if (!g->sym) {
		struct symbol *sym = new_symbol(name, SYM_GLOBAL, g->loc);
		sym->decl = g;
		sym->from_tapset = g->file->is_tapset;
		sym->index = e->prog->globals.len;
		vec_push(&e->prog->globals, sym);
		g->sym = sym;
	}
	return g->sym;
}

/*
 * A variable reference, seen from the file its token comes from (an alias
 * body's from the tapset, the handler's from the script). Parameters
 * shadow globals; a global that file sees comes next; else it is a local,
 * shared by the alias bodies and the handler of one probe (so the handler
 * reads the `name` an alias set), unless it is used as an array (arrays
 * are always global).
 */
static struct symbol *lookup_var(struct scope *sc, const char *name, struct loc loc, bool array)
{
	struct symbol *sym = sc->fn ? find_in(&sc->fn->param_syms, name) : NULL;
	if (!sym) {
		struct symbol *g = find_global(sc->e, name, loc.file);
		if (g)
			return g;
		sym = find_in(sc->locals, name);
	}
	if (sym) {
		if (array) {
			diag_error(&loc, "'%s' is used as an array, but it is a %s: arrays must be "
					 "declared with 'global %s'",
				   name, sym->kind == SYM_PARAM ? "parameter" : "local variable", name);
			diag_note(&sym->loc, "'%s' first appears here", name);
		}
		return sym;
	}
	if (array) {
		diag_error(&loc, "'%s' is used as an array but never declared: add 'global %s' at the "
				 "top of the script",
			   name, name);
		/* Make one anyway, so that later uses do not repeat the error. */
		sym = new_symbol(name, SYM_GLOBAL, loc);
		sym->index = sc->e->prog->globals.len;
		vec_push(&sc->e->prog->globals, sym);
		name_map_put(&sc->e->undeclared, name, sym);
		return sym;
	}
	sym = new_symbol(name, SYM_LOCAL, loc);
	sym->index = sc->locals->len;
	vec_push(sc->locals, sym);
	return sym;
}

/* The function of that name taking `nargs`; else any of that name. */
static struct function *find_function(struct elab *e, const char *name, int nargs)
{
	struct function *any = NULL;
	for (struct function *fn = name_map_get(&e->functions_by_name, name); fn;
	     fn = fn->next_same_name) {
		if (fn->params.len == nargs)
			return fn;
		any = fn;
	}
	return any;
}

/* A call whose argument count no function of that name takes. */
static void report_arity(struct elab *e, struct expr *x)
{
	struct vec defs = { 0 };
	struct strbuf counts = { 0 };
	for (int i = 0; i < e->functions.len; i++) {
		struct function *fn = vec_at(&e->functions, i);
		if (fn->name == x->name)
			vec_push(&defs, fn);
	}
	for (int i = 0; i < defs.len; i++) {
		const struct function *fn = vec_at(&defs, i);
		sb_printf(&counts, "%s%d", !i ? "" : i == defs.len - 1 ? " or " : ", ", fn->params.len);
	}
	const struct function *last = vec_at(&defs, defs.len - 1);
	diag_error(&x->loc, "function '%s' takes %s argument%s, but %d %s given", x->name, counts.buf,
		   defs.len == 1 && last->params.len == 1 ? "" : "s", x->args.len,
		   x->args.len == 1 ? "is" : "are");
	for (int i = 0; i < defs.len; i++) {
		const struct function *fn = vec_at(&defs, i);
		diag_note(&fn->loc, "'%s' is defined here with %d parameter%s", fn->name,
			  fn->params.len, fn->params.len == 1 ? "" : "s");
	}
	sb_free(&counts);
}

static void resolve_call(struct scope *sc, struct expr *x)
{
	struct elab *e = sc->e;
	for (int i = 0; i < x->args.len; i++)
		resolve_expr(sc, vec_at(&x->args, i));
	if (x->name[0] == '@') {
		/* @kderef/@uderef: stap 4.8 parses them and refuses them in pass 2. */
		diag_error(&x->loc, "invalid operator '%s': read memory with %s_char(), _short(), "
				    "_int() or _long() instead",
			   x->name, x->name[1] == 'k' ? "kernel" : "user");
		return;
	}
	struct function *fn = find_function(e, x->name, x->args.len);
	if (!fn) {
		/* The print family is syntax, not functions, but a name to suggest all the same. */
		static const char *const prints[] = { "println",  "print",   "printdln", "printd",
						      "printf",	  "sprintln", "sprint",	 "sprintdln",
						      "sprintd",  "sprintf" };
		struct vec names = { 0 };
		for (size_t i = 0; i < ARRAY_SIZE(prints); i++)
			vec_push(&names, (void *)prints[i]);
		for (int i = 0; i < e->functions.len; i++)
			vec_push(&names, (void *)((struct function *)vec_at(&e->functions, i))->name);
		const char *hint = did_you_mean(x->name, &names);
		if (hint)
			diag_error(&x->loc, "unknown function '%s'; did you mean '%s'?", x->name, hint);
		else
			diag_error(&x->loc, "unknown function '%s': it is not in the script or the tapset "
					    "library", x->name);
		return;
	}
	x->fn = fn;
	if (x->args.len != fn->params.len)
		report_arity(e, x);
	/*
	 * A library function whose body says guru (printk) is the script's
	 * only with -g, as in stap; the library's own functions may call it.
	 */
	if (fn->body->kind == S_EMBEDDED && strstr(fn->body->code, "/* guru */") && !e->s->guru &&
	    !x->loc.file->is_tapset)
		diag_error(&x->loc, "function '%s' may not be used unless -g is specified (guru "
				    "mode)", x->name);
	if (!fn->reachable) {
		fn->reachable = true;
		vec_push(&e->worklist, fn);
	}
}

static void resolve_indices(struct scope *sc, struct expr *x);

/* A $variable: only the probe's provider knows what it names. */
static bool resolve_target(struct scope *sc, struct expr *x, bool quiet)
{
	resolve_indices(sc, x);
	if (!sc->probe) {
		if (!quiet)
			diag_error(&x->loc, "target variable '%s' outside a probe handler: pass it to "
					    "the function as an argument",
				   x->name);
		return false;
	}
	const struct provider *p = sc->probe->prov;
	if (p->target && p->target(sc->e, sc->probe, x))
		return true;
	if (quiet)
		return false;
	struct vec names = { 0 };
	if (p->vars)
		p->vars(sc->e, sc->probe, &names);
	struct strbuf have = { 0 };
	for (int i = 0; i < names.len; i++)
		sb_printf(&have, "%s%s", i ? ", " : "", (const char *)vec_at(&names, i));
	if (names.len)
		diag_error(&x->loc, "probe point '%s' has no target variable '%s'; it has %s",
			   (const char *)vec_at(&sc->probe->chain, 0), x->name, have.buf);
	else
		diag_error(&x->loc, "probe point '%s' has no target variables",
			   (const char *)vec_at(&sc->probe->chain, 0));
	sb_free(&have);
	return false;
}

/* @defined(x) is decided here: it becomes the number 1 or 0. */
static bool core_checkable(const struct expr *op);

static void resolve_defined(struct scope *sc, struct expr *x)
{
	struct expr *op = x->left;
	diag_quiet(true);
	bool defined = op->kind == E_TARGET ? resolve_target(sc, op, true) : true;
	if (op->kind != E_TARGET)
		resolve_expr(sc, op);
	defined = defined && !diag_quiet_errors();
	diag_quiet(false);
	x->kind = E_NUMBER;
	x->num = defined;
	x->op = intern("@defined"); /* a decided condition, see fold_condition() */
	if (defined && core_checkable(op)) {
		/*
		 * A field this host's kernel has: whether the target's has it is
		 * asked there (CO-RE), so one tool serves both. The expression
		 * stays as x->left for the BPF code to ask about.
		 */
		x->op = intern("@defined-core");
		return;
	}
	x->left = NULL;
}

/* A kernel field chain ($p->a->b, @cast(p, "T")->f) CO-RE can look for on the target. */
static bool core_checkable(const struct expr *op)
{
	if ((op->kind != E_TARGET && op->kind != E_CAST) || !op->target)
		return false;
	const struct target_ref *r = op->target;
	if (r->user || (r->base != TREF_TP_ARG && r->base != TREF_VALUE && r->base != TREF_KRETVAL))
		return false;
	for (int i = 0; i < r->steps.len; i++)
		if (((const struct tref_step *)vec_at(&r->steps, i))->field)
			return true;
	return false;
}

static bool is_core_check(const struct expr *x)
{
	return x->kind == E_NUMBER && x->op == intern("@defined-core");
}

static bool has_core_check(const struct expr *x)
{
	if (!x)
		return false;
	if (is_core_check(x))
		return true;
	return has_core_check(x->left) || has_core_check(x->right);
}

/* Decides the target's @defined() checks here after all: they become 1. */
static void demote_core_checks(struct expr *x)
{
	if (!x)
		return;
	if (is_core_check(x)) {
		x->op = intern("@defined");
		x->left = NULL;
		return;
	}
	demote_core_checks(x->left);
	demote_core_checks(x->right);
}

/*
 * A condition the target decides keeps both branches, if both make sense
 * on this host; if one does not (it names what only another kernel has),
 * the host decides, as for any other @defined().
 */
static void settle_core_condition(struct scope *sc, struct expr *cond, const void *a, const void *b,
				  bool stmts)
{
	if (!has_core_check(cond))
		return;
	diag_quiet(true);
	if (stmts) {
		resolve_stmt(sc, stmt_clone(a));
		resolve_stmt(sc, stmt_clone(b));
	} else {
		resolve_expr(sc, expr_clone(a));
		resolve_expr(sc, expr_clone(b));
	}
	bool bad = diag_quiet_errors();
	diag_quiet(false);
	if (bad)
		demote_core_checks(cond);
}

static bool from_defined(const struct expr *x)
{
	if (x->kind == E_NUMBER)
		return x->op == intern("@defined");
	if (x->kind == E_UNARY && !strcmp(x->op, "!"))
		return from_defined(x->left);
	if (x->kind == E_LOGICAL)
		return from_defined(x->left) || from_defined(x->right);
	return false;
}

static bool fold_constant(struct expr *x)
{
	if (is_core_check(x))
		return false; /* the target decides */
	if (x->kind == E_NUMBER)
		return true;
	if (x->kind == E_UNARY && !strcmp(x->op, "!") && fold_constant(x->left)) {
		x->num = !x->left->num;
		x->kind = E_NUMBER;
		x->op = intern("@defined");
		return true;
	}
	if (x->kind == E_LOGICAL && fold_constant(x->left) && fold_constant(x->right)) {
		bool and = !strcmp(x->op, "&&");
		x->num = and ? (x->left->num && x->right->num) : (x->left->num || x->right->num);
		x->kind = E_NUMBER;
		x->op = intern("@defined");
		return true;
	}
	return false;
}

/*
 * Whether evaluating x may change something: dropping a pure x changes
 * nothing. A builtin says whether it is pure in its row; a script function,
 * not resolved yet here, may do anything.
 */
static bool impure(const struct expr *x, void *unused __maybe_unused)
{
	if (x->kind == E_ASSIGN || x->kind == E_PREINC || x->kind == E_POSTINC ||
	    (x->kind == E_PRINT && !x->print_to_string) || x->kind == E_EMBEDDED)
		return true;
	if (x->kind != E_CALL)
		return false;
	return !builtin_call_has(x, BI_PURE);
}

/*
 * Folds a condition made of @defined() results: `@defined($a) && !@defined($b)`,
 * and one they decide: `pid() == target() && @defined($count)` where $count
 * is not there is 0, when the other side has no effect to keep. Returns
 * whether x is now a number. Other constant conditions (`if (0)`) are left
 * alone: their dead code is still checked, as stap does.
 */
static bool fold_condition(struct expr *x)
{
	if (from_defined(x) && fold_constant(x))
		return true;
	if (x->kind != E_LOGICAL)
		return false;
	bool and = !strcmp(x->op, "&&");
	for (int side = 0; side < 2; side++) {
		struct expr *d = side ? x->right : x->left, *other = side ? x->left : x->right;
		if (fold_condition(d) && d->num == !and && !expr_any(other, impure, NULL)) {
			x->kind = E_NUMBER;
			x->num = !and;
			x->op = intern("@defined");
			return true;
		}
	}
	return false;
}

/*
 * `@defined($new) ? $new : $old`: only the branch taken is resolved, so the
 * other may name what this kernel or probe does not have.
 */
static bool resolve_chosen(struct scope *sc, struct expr *x)
{
	resolve_expr(sc, x->cond);
	settle_core_condition(sc, x->cond, x->left, x->right, false);
	if (!fold_condition(x->cond))
		return false;
	struct expr *pick = x->cond->num ? x->left : x->right;
	resolve_expr(sc, pick);
	*x = *pick;
	return true;
}

static bool writes_target(const struct expr *x)
{
	return x && (x->kind == E_TARGET || x->kind == E_CAST || x->kind == E_ATVAR ||
		     x->kind == E_AUTOCAST);
}

/* What can be written: a variable, an array element, a target variable. */
static bool is_lvalue(const struct expr *x)
{
	return x->kind == E_SYMBOL || (x->kind == E_INDEX && x->left->kind == E_SYMBOL) ||
	       writes_target(x);
}

static const char *describe_rvalue(const struct expr *x)
{
	switch (x->kind) {
	case E_NUMBER:
		return "a number";
	case E_STRING:
		return "a string";
	case E_CALL:
		return "a function's result";
	case E_PRINT:
		return "a print's result";
	case E_TARGET:
	case E_CAST:
	case E_ATVAR:
	case E_AUTOCAST:
		return "a target variable";
	case E_INDEX:
		return "a histogram bucket";
	case E_STAT:
	case E_HIST:
		return "a statistics extractor";
	default:
		return "the value of an expression";
	}
}

/*
 * `1 = 2`, `f()++`: stap's "Expecting lvalue" (pass 2 for assignments,
 * pass 3 for ++ and --); both are pass 2 here, before any code is made.
 */
static bool check_lvalue(const struct expr *x)
{
	if (is_lvalue(x->left))
		return true;
	const char *what = x->kind == E_ASSIGN ? "assigned to" :
			   !strcmp(x->op, "++") ? "incremented" : "decremented";
	diag_error(&x->left->loc, "expecting an lvalue for '%s': %s cannot be %s", x->op,
		   describe_rvalue(x->left), what);
	return false;
}

/*
 * `$var = ...`, `$p->field++`: changing the traced program's memory is
 * guru mode's, as in stap. Our tapsets may; a script needs -g.
 */
static void resolve_write(struct scope *sc, struct expr *x)
{
	struct expr *l = x->left;
	int errors = diag_error_count();
	resolve_expr(sc, l);
	resolve_expr(sc, x->right);
	if (!check_lvalue(x))
		return;
	if (!writes_target(l) || sc->e->s->guru || l->loc.file->is_tapset)
		return;
	if (l->kind == E_TARGET && sc->probe && sc->probe->prov->target_writable)
		return;
	if (diag_error_count() > errors)
		return; /* what it names is wrong already: that is the error to fix */
	struct strbuf sb = { 0 };
	dump_expr(&sb, l);
	diag_error(&l->loc, "writing to target variable '%s' needs guru mode: compile with -g",
		   sb.buf ? sb.buf : "");
	sb_free(&sb);
}

/* The indices of a $var->a[i] chain's steps. */
static void resolve_indices(struct scope *sc, struct expr *x)
{
	for (int i = 0; i < x->comps.len; i++) {
		struct component *c = vec_at(&x->comps, i);
		if (c->kind == COMP_INDEX)
			resolve_expr(sc, c->index);
	}
}

/* base[keys] and [keys] in base: a base that is a name is an array, so a global. */
static void resolve_index(struct scope *sc, struct expr *x)
{
	if (x->left->kind == E_SYMBOL) {
		x->left->sym = lookup_var(sc, x->left->name, x->left->loc, true);
		x->sym = x->left->sym;
	} else {
		resolve_expr(sc, x->left);
	}
	for (int i = 0; i < x->args.len; i++)
		resolve_expr(sc, vec_at(&x->args, i));
}

/*
 * The nodes that bind a name or decide something; any other goes on into
 * its children (the operators, prints, statistics, @kregister).
 */
static enum walk_next resolve_expr_node(struct walker *w, struct expr *x)
{
	struct scope *sc = w->ctx;
	switch (x->kind) {
	case E_NUMBER:
	case E_STRING:
	case E_EMBEDDED:
	case E_PERF:
	case E_CONST:
		return WALK_SKIP; /* a decided @defined keeps its operand: not to resolve again */
	case E_SYMBOL:
		x->sym = lookup_var(sc, x->name, x->loc, false);
		return WALK_SKIP;
	case E_TARGET:
		resolve_target(sc, x, false);
		return WALK_SKIP;
	case E_CAST:
	case E_ATVAR:
	case E_AUTOCAST:
		resolve_expr(sc, x->left);
		resolve_indices(sc, x);
		if (x->kind == E_CAST)
			tref_cast(sc->e, x);
		return WALK_SKIP;
	case E_DEFINED:
		resolve_defined(sc, x);
		return WALK_SKIP;
	case E_ENTRY:
		if (!in_return_probe(sc->probe))
			diag_error(&x->loc, "'@entry' is only valid in a return probe (a '.return' point)");
		sc->e->in_entry++;
		resolve_expr(sc, x->left);
		sc->e->in_entry--;
		return WALK_SKIP;
	case E_PROBEWRITE:
		if (x->left && x->left->kind == E_SYMBOL)
			x->left->sym = lookup_var(sc, x->left->name, x->left->loc, false);
		return WALK_SKIP;
	case E_ASSIGN:
	case E_PREINC:
	case E_POSTINC:
		resolve_write(sc, x);
		return WALK_SKIP;
	case E_INDEX:
	case E_IN:
		resolve_index(sc, x);
		return WALK_SKIP;
	case E_CALL:
		resolve_call(sc, x);
		return WALK_SKIP;
	case E_REGEX:
		resolve_expr(sc, x->left);
		check_regex(x->right);
		return WALK_SKIP;
	case E_TERNARY:
		if (!resolve_chosen(sc, x)) {
			resolve_expr(sc, x->left);
			resolve_expr(sc, x->right);
		}
		return WALK_SKIP;
	default:
		return WALK_ON;
	}
}

static void resolve_loop_body(struct scope *sc, struct stmt *body)
{
	sc->loops++;
	resolve_stmt(sc, body);
	sc->loops--;
}

static void resolve_foreach(struct scope *sc, struct stmt *s)
{
	struct expr *base = s->base;
	if (base->kind == E_INDEX) {
		/* A slice: the array and the fixed keys. */
		resolve_index(sc, base);
	} else if (base->kind == E_SYMBOL) {
		base->sym = lookup_var(sc, base->name, base->loc, true);
	} else {
		resolve_expr(sc, base);
	}
	for (int i = 0; i < s->keys.len; i++) {
		struct expr *k = vec_at(&s->keys, i);
		k->sym = lookup_var(sc, k->name, k->loc, false);
	}
	if (s->value)
		s->value->sym = lookup_var(sc, s->value->name, s->value->loc, false);
	resolve_expr(sc, s->limit);
	resolve_loop_body(sc, s->body);
}

static void resolve_if(struct scope *sc, struct stmt *s)
{
	resolve_expr(sc, s->expr);
	settle_core_condition(sc, s->expr, s->body, s->els, true);
	if (!fold_condition(s->expr)) {
		resolve_stmt(sc, s->body);
		resolve_stmt(sc, s->els);
		return;
	}
	/* A decided condition: the other branch is never compiled. */
	struct stmt *pick = s->expr->num ? s->body : s->els;
	resolve_stmt(sc, pick);
	if (pick) {
		*s = *pick;
	} else {
		s->kind = S_NULL;
		s->expr = NULL;
	}
}

/*
 * The statements that bind names, fold conditions or count loops, in the
 * order names are first met (a local's number is its first use); blocks,
 * expressions and returns go on into their children.
 */
static enum walk_next resolve_stmt_node(struct walker *w, struct stmt *s)
{
	struct scope *sc = w->ctx;
	switch (s->kind) {
	case S_BLOCK:
	case S_EXPR:
	case S_RETURN:
		return WALK_ON;
	case S_TRY:
		resolve_stmt(sc, s->body);
		if (s->catch_var)
			s->catch_var->sym = lookup_var(sc, s->catch_var->name, s->catch_var->loc, false);
		resolve_stmt(sc, s->els);
		return WALK_SKIP;
	case S_BREAK:
	case S_CONTINUE:
		if (!sc->loops)
			diag_error(&s->loc, "'%s' outside a loop", s->kind == S_BREAK ? "break" : "continue");
		return WALK_SKIP;
	case S_DELETE:
		if (s->expr->kind == E_SYMBOL) /* `delete x` clears a whole array, or resets a scalar */
			s->expr->sym = lookup_var(sc, s->expr->name, s->expr->loc, false);
		else
			resolve_expr(sc, s->expr);
		/* stap's "invalid operand of delete expression": `delete 1`, `delete f()`. */
		if (s->expr->kind != E_SYMBOL &&
		    !(s->expr->kind == E_INDEX && s->expr->left->kind == E_SYMBOL))
			diag_error(&s->expr->loc, "'delete' takes a variable or an array element "
						  "(delete a, delete a[k]), not %s",
				   describe_rvalue(s->expr));
		return WALK_SKIP;
	case S_IF:
		resolve_if(sc, s);
		return WALK_SKIP;
	case S_FOR:
		resolve_stmt(sc, s->init);
		resolve_expr(sc, s->expr);
		resolve_expr(sc, s->step);
		resolve_loop_body(sc, s->body);
		return WALK_SKIP;
	case S_FOREACH:
		resolve_foreach(sc, s);
		return WALK_SKIP;
	case S_EMBEDDED:
	case S_NULL:
	case S_NEXT:
		break;
	}
	return WALK_SKIP;
}

static void scope_init(struct scope *sc)
{
	sc->walk = (struct walker){
		.expr = resolve_expr_node,
		.stmt = resolve_stmt_node,
		.ctx = sc,
	};
}

void resolve_probe(struct elab *e, struct dprobe *d)
{
	struct scope sc = { .e = e, .probe = d, .locals = &d->locals };
	scope_init(&sc);
	resolve_expr(&sc, d->cond);
	resolve_stmt(&sc, d->body);
}

void resolve_function(struct elab *e, struct function *fn)
{
	struct scope sc = { .e = e, .fn = fn, .locals = &fn->locals };
	scope_init(&sc);
	fn->param_syms = (struct vec){ 0 };
	for (int i = 0; i < fn->params.len; i++) {
		struct param *pa = vec_at(&fn->params, i);
		if (find_in(&fn->param_syms, pa->name)) {
			diag_error(&pa->loc, "parameter '%s' appears twice", pa->name);
			continue;
		}
		struct symbol *sym = new_symbol(pa->name, SYM_PARAM, pa->loc);
		sym->arity = 0;
		sym->assigned = true;
		sym->index = i;
		if (pa->type_decl) {
			sym->type = !strcmp(pa->type_decl, "long") ? VT_LONG : VT_STRING;
			sym->type_loc = pa->loc;
			sym->has_type_loc = true;
		}
		vec_push(&fn->param_syms, sym);
	}
	if (fn->type_decl) {
		fn->type = !strcmp(fn->type_decl, "long") ? VT_LONG : VT_STRING;
		fn->type_loc = fn->loc;
	}
	if (!fn->builtin)
		resolve_stmt(&sc, fn->body);
}
