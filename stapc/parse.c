// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * parse.c - recursive-descent parser for the SystemTap language.
 *
 * This file: the token helpers, statements, probe points, declarations;
 * parse_expr.c has the expressions.
 *
 * A syntax error unwinds (longjmp) to the top level, which skips to the
 * next 'probe', 'global', 'function' or 'private' and goes on, so one run
 * reports the independent errors of a file. Everything lives in the arena,
 * so unwinding leaks nothing.
 */
#include "stapc.h"

#include <stdlib.h>
#include <string.h>

#define MAX_ERRORS_PER_FILE 50
/*
 * Statements and expressions in one probe or function, and in one file.
 * Each handler becomes one C function (and a BPF program): far past these,
 * gcc, clang and the verifier take minutes and gigabytes, and no script or
 * tapset comes near them (the largest tapset file has ~60,000).
 */
#define MAX_DECL_NODES 50000
#define MAX_FILE_NODES 500000
/* Far more than anyone writes; and each call's arguments are checked against them. */
#define MAX_PARAMS 1000


/* ------------------------------------------------------------ tokens */

const struct token *parse_peek(struct parser *p)
{
	return pp_peek(&p->pp, 0);
}

const struct token *parse_peek_n(struct parser *p, int n)
{
	return pp_peek(&p->pp, n);
}

struct token parse_next(struct parser *p)
{
	return pp_next(&p->pp);
}

bool parse_peek_is(struct parser *p, const char *text)
{
	return tok_is(parse_peek(p), text);
}

bool parse_accept(struct parser *p, const char *text)
{
	if (!parse_peek_is(p, text))
		return false;
	parse_next(p);
	return true;
}

_Noreturn void parse_fail(struct parser *p, const struct loc *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char buf[512];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/*
	 * A syntax error right after the preprocessor reported one, or at the
	 * end of a file whose string or comment never closed, is most likely
	 * its consequence: say nothing more, but recover all the same.
	 */
	bool follow_on = diag_error_count() > p->errors_seen ||
			 (p->pp.lex_errors && parse_peek(p)->kind == TK_EOF);
	if (!follow_on)
		diag_error(l, "%s", buf);
	p->errors_seen = diag_error_count();
	longjmp(p->recover, 1);
}

/* An error after which parsing goes on where it is. */
void parse_report(struct parser *p, const struct loc *l, const char *msg)
{
	diag_error(l, "%s", msg);
	p->errors_seen = diag_error_count();
}

/* "expected X" pointing at what is there instead. */
_Noreturn void parse_expected(struct parser *p, const char *what)
{
	const struct token *t = parse_peek(p);
	parse_fail(p, &t->loc, "expected %s, but found %s", what, tok_describe(t));
}

struct token parse_expect(struct parser *p, const char *text)
{
	if (!parse_peek_is(p, text))
		parse_expected(p, arena_printf("'%s'", text));
	return parse_next(p);
}

struct token parse_expect_ident(struct parser *p, const char *what)
{
	const struct token *t = parse_peek(p);
	if (t->kind != TK_IDENT || t->text[0] == '$' || t->text[0] == '@')
		parse_expected(p, what);
	return parse_next(p);
}

bool parse_guru_allowed(struct parser *p)
{
	return p->s->guru || p->f->is_tapset;
}

/* ------------------------------------------------------------ statements */

static struct stmt *parse_statement(struct parser *p);

static void accept_semicolon(struct parser *p)
{
	parse_accept(p, ";");
}

/* Peeks where a statement may start: a TK_KCONFIG may come. */
static const struct token *peek_statement(struct parser *p)
{
	return parse_peek(p);
}

/* Statements until a token of kind `end` (not consumed), as a block. */
static struct stmt *statements_until(struct parser *p, enum tok_kind end, struct loc loc)
{
	struct stmt *b = stmt_new(S_BLOCK, loc);
	while (peek_statement(p)->kind != end) {
		if (parse_peek(p)->kind == TK_EOF)
			parse_fail(p, &loc, "this preprocessor conditional is never closed");
		vec_push(&b->stmts, parse_statement(p));
	}
	return b;
}

/*
 * %( CONFIG_X == "y" %? A %: B %) as a statement: if (the target's
 * CONFIG_X is y) { A } else { B }.
 */
static struct stmt *parse_kconfig_statement(struct parser *p)
{
	struct token k = parse_next(p);
	struct stmt *s = stmt_new(S_IF, k.loc);
	s->expr = k.cond;
	s->body = statements_until(p, TK_KCONFIG_ELSE, k.loc);
	parse_next(p);
	s->els = statements_until(p, TK_KCONFIG_END, k.loc);
	parse_next(p);
	return s;
}

static struct stmt *parse_block(struct parser *p)
{
	struct token open = parse_expect(p, "{");
	struct stmt *b = stmt_new(S_BLOCK, open.loc);
	while (!tok_is(peek_statement(p), "}")) {
		if (parse_peek(p)->kind == TK_EOF)
			parse_fail(p, &open.loc, "this '{' is never closed: the file ends first");
		vec_push(&b->stmts, parse_statement(p));
	}
	parse_next(p);
	return b;
}

static struct stmt *parse_if(struct parser *p)
{
	struct token kw = parse_next(p);
	struct stmt *s = stmt_new(S_IF, kw.loc);
	parse_expect(p, "(");
	s->expr = parse_expr(p);
	parse_expect(p, ")");
	s->body = parse_statement(p);
	if (parse_accept(p, "else"))
		s->els = parse_statement(p);
	return s;
}

static struct stmt *parse_loop_body(struct parser *p)
{
	p->loop_depth++;
	struct stmt *body = parse_statement(p);
	p->loop_depth--;
	return body;
}

static struct stmt *parse_while(struct parser *p)
{
	struct token kw = parse_next(p);
	struct stmt *s = stmt_new(S_FOR, kw.loc);
	parse_expect(p, "(");
	s->expr = parse_expr(p);
	parse_expect(p, ")");
	s->body = parse_loop_body(p);
	return s;
}

static struct stmt *parse_for(struct parser *p)
{
	struct token kw = parse_next(p);
	struct stmt *s = stmt_new(S_FOR, kw.loc);
	parse_expect(p, "(");
	if (!parse_peek_is(p, ";")) {
		struct expr *init = parse_expr(p);
		s->init = stmt_new(S_EXPR, init->loc);
		s->init->expr = init;
	}
	parse_expect(p, ";");
	if (!parse_peek_is(p, ";")) {
		s->expr = parse_expr(p);
	} else {
		/* An empty condition is always true, and printed as 1. */
		s->expr = expr_new(E_NUMBER, parse_peek(p)->loc);
		s->expr->num = 1;
	}
	parse_expect(p, ";");
	if (!parse_peek_is(p, ")"))
		s->step = parse_expr(p);
	parse_expect(p, ")");
	s->body = parse_loop_body(p);
	return s;
}

/* A + or - after a key, the value or the array: what foreach sorts by. */
static void foreach_sort(struct parser *p, struct stmt *s, int column)
{
	if (!parse_peek_is(p, "+") && !parse_peek_is(p, "-"))
		return;
	struct token t = parse_next(p);
	if (s->sort_column >= 0)
		parse_fail(p, &t.loc, "foreach can sort by only one key or the value");
	s->sort_column = column;
	s->sort_dir = t.text[0] == '+' ? 1 : -1;
}

static struct expr *foreach_var(struct parser *p)
{
	struct token t = parse_expect_ident(p, "a loop variable name");
	struct expr *e = expr_new(E_SYMBOL, t.loc);
	e->name = t.text;
	return e;
}

static struct stmt *parse_foreach(struct parser *p)
{
	struct token kw = parse_next(p);
	struct stmt *s = stmt_new(S_FOREACH, kw.loc);
	s->sort_column = -1;
	parse_expect(p, "(");
	/* `v = [k] in a` or `v- = [k] in a`: the value gets a name. */
	if (parse_peek(p)->kind == TK_IDENT &&
	    (tok_is(parse_peek_n(p, 1), "=") ||
	     ((tok_is(parse_peek_n(p, 1), "+") || tok_is(parse_peek_n(p, 1), "-")) && tok_is(parse_peek_n(p, 2), "=")))) {
		s->value = foreach_var(p);
		foreach_sort(p, s, 0);
		parse_expect(p, "=");
	}
	if (parse_accept(p, "[")) {
		do {
			vec_push(&s->keys, foreach_var(p));
			foreach_sort(p, s, s->keys.len);
		} while (parse_accept(p, ","));
		parse_expect(p, "]");
	} else {
		vec_push(&s->keys, foreach_var(p));
		foreach_sort(p, s, 1);
	}
	parse_expect(p, "in");
	struct expr *base = parse_array_base(p);
	if (base->kind == E_SYMBOL && parse_peek_is(p, "[")) {
		struct expr *slice = expr_new(E_INDEX, parse_peek(p)->loc);
		parse_next(p);
		slice->left = base;
		parse_index_list(p, &slice->args);
		base = slice;
	}
	s->base = base;
	/* `in a @sum-` sorts a statistics array by one of its aggregates. */
	const struct token *agg = parse_peek(p);
	if (agg->kind == TK_IDENT && parse_is_stat_op(agg->text) && strcmp(agg->text, "@variance")) {
		if (s->sort_column >= 0)
			parse_fail(p, &agg->loc, "foreach can sort by only one key or the value");
		s->sort_agg = parse_next(p).text;
		if (!parse_peek_is(p, "+") && !parse_peek_is(p, "-"))
			parse_expected(p, arena_printf("'+' or '-' to sort by %s", s->sort_agg));
	}
	foreach_sort(p, s, 0);
	if (parse_accept(p, "limit"))
		s->limit = parse_expr(p);
	parse_expect(p, ")");
	s->body = parse_loop_body(p);
	return s;
}

static struct stmt *parse_try(struct parser *p)
{
	struct token kw = parse_next(p);
	struct stmt *s = stmt_new(S_TRY, kw.loc);
	s->body = parse_block(p);
	parse_expect(p, "catch");
	if (parse_accept(p, "(")) {
		s->catch_var = foreach_var(p);
		parse_expect(p, ")");
	}
	s->els = parse_block(p);
	return s;
}

static struct stmt *parse_statement_at(struct parser *p);

void parse_check_size(struct parser *p, const struct loc *at)
{
	long n = ast_nodes();
	if (n - p->file_start > MAX_FILE_NODES) {
		p->too_large = true;
		parse_fail(p, at, "this file is too large: more than %d statements and expressions; "
				  "giving up on it", MAX_FILE_NODES);
	}
	if (n - p->decl_start > MAX_DECL_NODES) {
		p->decl_start = n; /* one error per declaration */
		parse_fail(p, at, "this probe or function is too large: more than %d statements and "
				  "expressions; split it into functions", MAX_DECL_NODES);
	}
}

/* Statements nest through blocks and loops: bounded like expressions. */
static struct stmt *parse_statement(struct parser *p)
{
	parse_check_size(p, &parse_peek(p)->loc);
	if (++p->depth > 200) {
		const struct token *t = parse_peek(p);
		p->depth = 0;
		parse_fail(p, &t->loc, "statements nested more than 200 deep");
	}
	struct stmt *s = parse_statement_at(p);
	p->depth--;
	return s;
}

static struct stmt *parse_statement_at(struct parser *p)
{
	const struct token *t = peek_statement(p);
	struct loc loc = t->loc;
	if (t->kind == TK_KCONFIG)
		return parse_kconfig_statement(p);
	if (tok_is(t, ";")) {
		parse_next(p);
		return stmt_new(S_NULL, loc);
	}
	if (tok_is(t, "{"))
		return parse_block(p);
	if (t->kind == TK_EMBEDDED) {
		struct token code = parse_next(p);
		if (!parse_guru_allowed(p))
			parse_report(p, &code.loc, "embedded C code needs guru mode: run stapc -g");
		struct stmt *s = stmt_new(S_EMBEDDED, loc);
		s->code = code.text;
		accept_semicolon(p);
		return s;
	}
	if (t->kind == TK_KEYWORD) {
		if (tok_is(t, "if"))
			return parse_if(p);
		if (tok_is(t, "for"))
			return parse_for(p);
		if (tok_is(t, "while"))
			return parse_while(p);
		if (tok_is(t, "foreach"))
			return parse_foreach(p);
		if (tok_is(t, "try"))
			return parse_try(p);
		if (tok_is(t, "return")) {
			parse_next(p);
			if (!p->in_function)
				parse_fail(p, &loc, "'return' outside a function: a probe handler ends "
						 "with 'next'");
			struct stmt *s = stmt_new(S_RETURN, loc);
			if (!parse_peek_is(p, ";") && !parse_peek_is(p, "}"))
				s->expr = parse_expr(p);
			accept_semicolon(p);
			return s;
		}
		if (tok_is(t, "delete")) {
			parse_next(p);
			struct stmt *s = stmt_new(S_DELETE, loc);
			s->expr = parse_expr(p);
			accept_semicolon(p);
			return s;
		}
		if (tok_is(t, "next") || tok_is(t, "break") || tok_is(t, "continue")) {
			struct token kw = parse_next(p);
			struct stmt *s = stmt_new(kw.text[0] == 'n'   ? S_NEXT
						  : kw.text[0] == 'b' ? S_BREAK
								      : S_CONTINUE,
						  loc);
			accept_semicolon(p);
			return s;
		}
		parse_fail(p, &loc, "unexpected keyword '%s' at the start of a statement", t->text);
	}
	struct stmt *s = stmt_new(S_EXPR, loc);
	s->expr = parse_expr(p);
	accept_semicolon(p);
	return s;
}

/* ------------------------------------------------------------ probe points */

/* Adjacent identifier and '*' pieces form one name: vfs_*, *_read. */
static const char *component_piece_run(struct parser *p)
{
	struct strbuf sb = { 0 };
	for (;;) {
		const struct token *t = parse_peek(p);
		bool piece = t->kind == TK_IDENT || t->kind == TK_KEYWORD || tok_is(t, "*");
		if (!piece || (sb.len && t->space_before))
			break;
		if (t->kind == TK_IDENT && (t->text[0] == '$' || t->text[0] == '@'))
			break;
		sb_puts(&sb, t->text);
		parse_next(p);
		/* `**` lexes as two stars. */
	}
	const char *r = sb.len ? intern(sb.buf) : NULL;
	sb_free(&sb);
	return r;
}

/*
 * A probe point under construction: a list of slots, each a list of
 * alternatives, each a list of components. `kernel.{function("a"),
 * trace("b")}.call` has three slots, the middle one with two alternatives.
 */
static struct pp_component *parse_one_component(struct parser *p)
{
	struct pp_component *c = arena_alloc(sizeof(*c));
	c->loc = parse_peek(p)->loc;
	c->name = component_piece_run(p);
	if (!c->name)
		parse_expected(p, "a probe point component (a name, '*' or '{...}')");
	if (parse_accept(p, "(")) {
		c->arg = parse_literal(p, "a literal string or number");
		parse_expect(p, ")");
	}
	return c;
}

/* One alternative of a slot: components, and the flags it may end with. */
struct alternative {
	struct vec comps;
	bool optional, sufficient;
	struct expr *cond;
	struct loc flags_loc;
	bool has_flags;
};

/* '!' or '?', then 'if (cond)': at the end of a point or of an alternative. */
static void parse_point_flags(struct parser *p, struct alternative *a)
{
	a->flags_loc = parse_peek(p)->loc;
	if (parse_accept(p, "!"))
		a->sufficient = true;
	else if (parse_accept(p, "?"))
		a->optional = true;
	if (parse_peek_is(p, "if")) {
		parse_next(p);
		parse_expect(p, "(");
		a->cond = parse_expr(p);
		parse_expect(p, ")");
	}
	a->has_flags = a->sufficient || a->optional || a->cond;
}

/* Expands the slots into every combination of their alternatives. */
static void expand_point(struct vec *slots, int i, struct vec *prefix, struct vec *out,
			 const struct alternative *tail, struct loc loc)
{
	if (i == slots->len) {
		struct probe_point *pt = arena_alloc(sizeof(*pt));
		pt->loc = loc;
		pt->optional = tail->optional;
		pt->sufficient = tail->sufficient;
		pt->cond = tail->cond;
		for (int j = 0; j < prefix->len; j++)
			vec_push(&pt->comps, vec_at(prefix, j));
		vec_push(out, pt);
		return;
	}
	struct vec *alts = vec_at(slots, i);
	for (int a = 0; a < alts->len; a++) {
		struct alternative *alt = vec_at(alts, a);
		int mark = prefix->len;
		for (int j = 0; j < alt->comps.len; j++)
			vec_push(prefix, vec_at(&alt->comps, j));
		/* Flags written inside the last braces belong to that alternative. */
		expand_point(slots, i + 1, prefix, out, alt->has_flags ? alt : tail, loc);
		prefix->len = mark;
	}
}

/* Flags inside braces only in the last slot: they end a point. Says whether any. */
static bool check_inner_flags(struct parser *p, struct vec *slots)
{
	bool inner = false;
	for (int i = 0; i < slots->len; i++) {
		struct vec *alts = vec_at(slots, i);
		for (int a = 0; a < alts->len; a++) {
			struct alternative *alt = vec_at(alts, a);
			if (!alt->has_flags)
				continue;
			if (i != slots->len - 1)
				parse_fail(p, &alt->flags_loc, "'!', '?' and 'if' go at the end of a probe point");
			inner = true;
		}
	}
	return inner;
}

static struct vec *parse_slot(struct parser *p);

/*
 * One alternative inside braces: components or nested braces, as a point
 * is, and its flags. Nested braces give several alternatives, one per
 * combination: {begin,{end,error}} is {begin,end,error}.
 */
static void parse_alternatives(struct parser *p, struct vec *alts)
{
	struct vec sub = { 0 }, pts = { 0 }, prefix = { 0 };
	struct loc loc = parse_peek(p)->loc;
	vec_push(&sub, parse_slot(p));
	while (parse_accept(p, "."))
		vec_push(&sub, parse_slot(p));
	bool inner = check_inner_flags(p, &sub);
	struct alternative flags = { 0 };
	parse_point_flags(p, &flags);
	if (inner && flags.has_flags)
		parse_fail(p, &flags.flags_loc, "'!', '?' or 'if' given both inside and after the "
						"'{...}' alternatives");
	expand_point(&sub, 0, &prefix, &pts, &flags, loc);
	for (int i = 0; i < pts.len; i++) {
		struct probe_point *pt = vec_at(&pts, i);
		struct alternative *alt = arena_alloc(sizeof(*alt));
		alt->comps = pt->comps;
		alt->optional = pt->optional;
		alt->sufficient = pt->sufficient;
		alt->cond = pt->cond;
		alt->has_flags = pt->optional || pt->sufficient || pt->cond;
		alt->flags_loc = flags.flags_loc;
		vec_push(alts, alt);
	}
}

static struct vec *parse_slot(struct parser *p)
{
	struct vec *alts = arena_alloc(sizeof(*alts));
	if (!parse_accept(p, "{")) {
		struct alternative *alt = arena_alloc(sizeof(*alt));
		vec_push(&alt->comps, parse_one_component(p));
		vec_push(alts, alt);
		return alts;
	}
	do
		parse_alternatives(p, alts);
	while (parse_accept(p, ","));
	parse_expect(p, "}");
	return alts;
}

/* point := slot ('.' slot)* ['!' | '?'] ['if' '(' expr ')'] */
static void parse_probe_point(struct parser *p, struct vec *out, bool is_alias_name)
{
	struct vec slots = { 0 };
	struct loc loc = parse_peek(p)->loc;
	vec_push(&slots, parse_slot(p));
	while (parse_accept(p, "."))
		vec_push(&slots, parse_slot(p));
	bool inner = check_inner_flags(p, &slots);
	struct alternative tail = { 0 };
	if (!is_alias_name) {
		parse_point_flags(p, &tail);
		if (inner && tail.has_flags)
			parse_fail(p, &tail.flags_loc, "'!', '?' or 'if' given both inside and after the "
						    "'{...}' alternatives");
	}
	struct vec prefix = { 0 };
	expand_point(&slots, 0, &prefix, out, &tail, loc);
}

static void parse_point_list(struct parser *p, struct vec *out)
{
	do
		parse_probe_point(p, out, false);
	while (parse_accept(p, ","));
}

static void parse_probe(struct parser *p, bool is_private)
{
	struct token kw = parse_next(p);
	struct probe *pr = arena_alloc(sizeof(*pr));
	pr->loc = kw.loc;
	pr->file = p->f;
	pr->is_private = is_private;
	parse_point_list(p, &pr->points);
	if (parse_peek_is(p, "=") || parse_peek_is(p, "+=")) {
		struct token op = parse_next(p);
		if (pr->points.len != 1)
			parse_fail(p, &op.loc, "a probe alias defines exactly one name");
		struct probe_point *name = vec_at(&pr->points, 0);
		if (name->optional || name->sufficient || name->cond)
			parse_fail(p, &name->loc, "a probe alias name cannot be optional, sufficient or "
					       "conditional");
		pr->is_alias = true;
		pr->alias_append = op.text[0] == '+';
		pr->alias_names = pr->points;
		pr->points = (struct vec){ 0 };
		parse_point_list(p, &pr->points);
	}
	if (!parse_peek_is(p, "{"))
		parse_expected(p, pr->is_alias ? "',' or the alias body '{'" : "',', '=', '+=' or the probe body '{'");
	pr->body = parse_block(p);
	vec_push(pr->is_alias ? &p->out->aliases : &p->out->probes, pr);
}

/* ------------------------------------------------------------ declarations */

/* A second global of one name in one file, as stap refuses. */
static void check_global_unique(struct parser *p, const struct global *g)
{
	for (int i = 0; i < p->out->globals.len; i++) {
		const struct global *o = vec_at(&p->out->globals, i);
		if (o->name != g->name)
			continue;
		parse_report(p, &g->loc, arena_printf("global '%s' is declared twice", g->name));
		diag_note(&o->loc, "the first declaration is here");
		return;
	}
}

static void parse_global(struct parser *p, bool is_private)
{
	parse_next(p);
	do {
		struct token name = parse_expect_ident(p, "a global variable name");
		struct global *g = arena_alloc(sizeof(*g));
		g->name = name.text;
		g->loc = name.loc;
		g->is_private = is_private;
		g->file = p->f;
		if (parse_accept(p, "%"))
			g->wrap = true;
		if (parse_accept(p, "[")) {
			const struct token *n = parse_peek(p);
			if (n->kind != TK_NUMBER)
				parse_expected(p, "the array's maximum number of entries");
			g->max_entries = parse_next(p).num;
			if (g->max_entries <= 0)
				parse_fail(p, &n->loc, "an array needs room for at least one entry");
			if (g->max_entries > INT32_MAX)
				parse_fail(p, &n->loc, "array size out of range: at most %d entries",
					   INT32_MAX);
			parse_expect(p, "]");
		}
		if (parse_peek_is(p, "=")) {
			struct token eq = parse_next(p);
			if (g->max_entries)
				parse_fail(p, &eq.loc, "only scalar globals can be initialized");
			g->init = parse_literal(p, "a literal string or number");
		}
		check_global_unique(p, g);
		vec_push(&p->out->globals, g);
	} while (parse_accept(p, ","));
	accept_semicolon(p);
}

static const char *parse_type_decl(struct parser *p)
{
	if (!parse_accept(p, ":"))
		return NULL;
	if (parse_peek_is(p, "long") || parse_peek_is(p, "string"))
		return parse_next(p).text;
	const struct token *t = parse_peek(p);
	if (t->kind == TK_IDENT && !strcmp(t->text, "stats"))
		parse_fail(p, &t->loc, "functions cannot take or return statistics");
	parse_expected(p, "a type: 'long' or 'string'");
}

static void check_param_unique(struct parser *p, const struct function *fn, const struct param *pa)
{
	for (int i = 0; i < fn->params.len; i++) {
		const struct param *o = vec_at(&fn->params, i);
		if (o->name == pa->name) {
			parse_report(p, &pa->loc, arena_printf("function '%s' has two parameters named '%s'",
								fn->name, pa->name));
			return;
		}
	}
}

static void parse_function(struct parser *p, bool is_private)
{
	parse_next(p);
	struct token name = parse_expect_ident(p, "a function name");
	struct function *fn = arena_alloc(sizeof(*fn));
	fn->name = name.text;
	fn->loc = name.loc;
	fn->is_private = is_private;
	fn->file = p->f;
	fn->type_decl = parse_type_decl(p);
	parse_expect(p, "(");
	if (!parse_peek_is(p, ")")) {
		do {
			struct token pn = parse_expect_ident(p, "a parameter name");
			struct param *pa = arena_alloc(sizeof(*pa));
			pa->name = pn.text;
			pa->loc = pn.loc;
			pa->type_decl = parse_type_decl(p);
			check_param_unique(p, fn, pa);
			if (fn->params.len == MAX_PARAMS)
				parse_fail(p, &pn.loc, "a function takes at most %d parameters",
					   MAX_PARAMS);
			vec_push(&fn->params, pa);
		} while (parse_accept(p, ","));
	}
	parse_expect(p, ")");
	if (parse_peek(p)->kind == TK_EMBEDDED) {
		struct token code = parse_next(p);
		if (!parse_guru_allowed(p))
			parse_report(p, &code.loc, "embedded C code needs guru mode: run stapc -g");
		fn->body = stmt_new(S_EMBEDDED, code.loc);
		fn->body->code = code.text;
	} else {
		p->in_function++;
		fn->body = parse_block(p);
		p->in_function--;
	}
	vec_push(&p->out->functions, fn);
}

/* After an error: skip to something that can start a declaration. */
static void skip_to_declaration(struct parser *p)
{
	for (;;) {
		const struct token *t = parse_peek(p);
		if (t->kind == TK_EOF || tok_is(t, "probe") || tok_is(t, "global") ||
		    tok_is(t, "function") || tok_is(t, "private"))
			return;
		parse_next(p);
	}
}

static void parse_declaration(struct parser *p)
{
	const struct token *t = parse_peek(p);
	bool is_private = false;
	p->decl_start = ast_nodes();
	if (tok_is(t, "private")) {
		parse_next(p);
		is_private = true;
		t = parse_peek(p);
		/* (stap has no private probes or aliases.) */
		if (!tok_is(t, "global") && !tok_is(t, "function"))
			parse_expected(p, "'global' or 'function' after 'private'");
	}
	if (tok_is(t, "probe"))
		parse_probe(p, is_private);
	else if (tok_is(t, "global"))
		parse_global(p, is_private);
	else if (tok_is(t, "function"))
		parse_function(p, is_private);
	else if (t->kind == TK_EMBEDDED && !is_private) {
		struct token code = parse_next(p);
		if (!parse_guru_allowed(p))
			parse_report(p, &code.loc, "embedded C code needs guru mode: run stapc -g");
		struct embed *e = arena_alloc(sizeof(*e));
		e->code = code.text;
		e->loc = code.loc;
		vec_push(&p->out->embeds, e);
	} else
		parse_expected(p, "'probe', 'global', 'private', 'function' or '%{'");
}

struct stapfile *parse_file(struct session *s, struct source_file *f)
{
	struct parser *p = arena_alloc(sizeof(*p));
	p->s = s;
	p->f = f;
	p->out = arena_alloc(sizeof(*p->out));
	p->out->src = f;
	p->out->is_tapset = f->is_tapset;
	pp_init(&p->pp, s, f);
	p->errors_seen = diag_error_count();
	p->file_start = ast_nodes();
	for (;;) {
		if (setjmp(p->recover)) {
			p->in_function = 0;
			p->depth = 0;
			p->loop_depth = 0;
			if (p->too_large)
				break;
			if (++p->errors >= MAX_ERRORS_PER_FILE) {
				const struct token *t = parse_peek(p);
				diag_error(&t->loc, "too many errors in this file; giving up on it");
				break;
			}
			/* Never stay on the token that failed, or we would loop. */
			if (parse_peek(p)->kind != TK_EOF)
				parse_next(p);
			skip_to_declaration(p);
		}
		if (parse_peek(p)->kind == TK_EOF)
			break;
		parse_declaration(p);
	}
	p->out->no_tokens = p->pp.toks.len <= 1;
	return p->out;
}

/* A script that declares nothing is an error, as in stap (and not just "no probes"). */
void parse_check_not_empty(const struct stapfile *sf)
{
	if (sf->embeds.len || sf->globals.len || sf->aliases.len || sf->probes.len ||
	    sf->functions.len || diag_error_count())
		return;
	struct loc l = { .file = sf->src, .line = 1, .col = 1 };
	diag_error(&l, sf->no_tokens ? "the script is empty"
				     : "the script is empty after preprocessing");
}
