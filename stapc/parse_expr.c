// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * parse_expr.c - expressions, with stap 4.8's precedence, loosest first:
 *   assignment (= += ... .= <<<, right-assoc)   ?:   ||   &&   |   ^   &
 *   [k, ...] in a   comparisons and =~ !~   << >>   .   + -   * / %
 *   unary - + ! ~ & ++ --   postfix ++ -- [i] ->f   primary
 */
#include "stapc.h"

#include <string.h>

/* ------------------------------------------------------------ literals */

/* Adjacent string literals are one string, as in C. */
struct expr *parse_string(struct parser *p)
{
	struct token t = parse_next(p);
	struct expr *e = expr_new(E_STRING, t.loc);
	if (parse_peek(p)->kind != TK_STRING) {
		e->str = t.text;
		return e;
	}
	struct strbuf sb = { 0 };
	sb_puts(&sb, t.text);
	while (parse_peek(p)->kind == TK_STRING)
		sb_puts(&sb, parse_next(p).text);
	e->str = intern(sb.buf);
	sb_free(&sb);
	return e;
}

/* A number or string literal, with an optional leading '-' on numbers. */
struct expr *parse_literal(struct parser *p, const char *what)
{
	const struct token *t = parse_peek(p);
	if (t->kind == TK_STRING)
		return parse_string(p);
	bool neg = false;
	struct loc loc = t->loc;
	if (tok_is(t, "-")) {
		neg = true;
		parse_next(p);
		t = parse_peek(p);
	}
	if (t->kind != TK_NUMBER)
		parse_expected(p, what);
	struct token n = parse_next(p);
	struct expr *e = expr_new(E_NUMBER, loc);
	e->num = neg ? (int64_t)(0 - (uint64_t)n.num) : n.num;
	return e;
}

/* ------------------------------------------------------------ expressions */


/*
 * Deeper than this, an expression is more likely an attack than a script,
 * and clang would refuse the C made of it (-fbracket-depth is 256). Every
 * later pass walks expressions recursively: this bound keeps them in stack.
 * Parentheses, unary operators and each operator of a chain (1+1+...+1 is
 * as deep as it is long) count one level.
 */
#define MAX_NESTING 200

static void nest(struct parser *p, const struct loc *at)
{
	parse_check_size(p, at);
	if (++p->depth > MAX_NESTING) {
		p->depth = 0;
		parse_fail(p, at, "expression nested more than %d deep: split it with temporary "
				  "variables", MAX_NESTING);
	}
}
static struct expr *parse_unary(struct parser *p);

static struct expr *binary(enum expr_kind kind, struct token op, struct expr *l, struct expr *r)
{
	struct expr *e = expr_new(kind, op.loc);
	e->op = op.text;
	e->left = l;
	e->right = r;
	return e;
}

static bool is_target_start(const struct token *t)
{
	return t->kind == TK_IDENT && t->text[0] == '$'; /* a lone $ too: stap's empty target name */
}

/* ->field, [index], ->$ and ->$$ after a target variable or cast. */
static void parse_components(struct parser *p, struct vec *comps, bool allow_pretty)
{
	for (;;) {
		if (parse_peek_is(p, "->")) {
			struct token arrow = parse_next(p);
			struct component *c = arena_alloc(sizeof(*c));
			c->loc = arrow.loc;
			const struct token *t = parse_peek(p);
			if (t->kind == TK_IDENT && (t->text[0] == '$') && allow_pretty &&
			    (!strcmp(t->text, "$") || !strcmp(t->text, "$$"))) {
				c->kind = COMP_PRETTY;
				c->pretty = (int)strlen(t->text);
				parse_next(p);
				vec_push(comps, c);
				return;
			}
			if ((t->kind != TK_IDENT && t->kind != TK_KEYWORD) || t->text[0] == '@')
				parse_expected(p, "a field name after '->'");
			struct token name = parse_next(p);
			c->kind = COMP_FIELD;
			c->name = name.text;
			/* `field$` is the pretty-printed field. */
			size_t n = strlen(c->name);
			int dollars = 0;
			while (n > 1 && c->name[n - 1] == '$' && dollars < 2) {
				n--;
				dollars++;
			}
			if (dollars && c->name[0] != '$') {
				c->name = intern_n(c->name, n);
				vec_push(comps, c);
				struct component *pc = arena_alloc(sizeof(*pc));
				pc->kind = COMP_PRETTY;
				pc->pretty = dollars;
				pc->loc = name.loc;
				vec_push(comps, pc);
				return;
			}
			vec_push(comps, c);
		} else if (parse_peek_is(p, "[")) {
			struct token open = parse_next(p);
			struct component *c = arena_alloc(sizeof(*c));
			c->kind = COMP_INDEX;
			c->loc = open.loc;
			c->index = parse_expr(p);
			parse_expect(p, "]");
			vec_push(comps, c);
		} else {
			return;
		}
	}
}

/* $var, $var$, $$vars$$ ...: the trailing $ are a pretty-print component. */
static struct expr *parse_target(struct parser *p)
{
	struct token t = parse_next(p);
	struct expr *e = expr_new(E_TARGET, t.loc);
	const char *name = t.text;
	size_t n = strlen(name);
	int dollars = 0;
	bool context_var = name[1] == '$'; /* $$vars, $$parms ... */
	size_t min = context_var ? 3 : 2;
	while (n > min && name[n - 1] == '$' && dollars < 2) {
		n--;
		dollars++;
	}
	e->name = intern_n(name, n);
	if (dollars) {
		struct component *c = arena_alloc(sizeof(*c));
		c->kind = COMP_PRETTY;
		c->pretty = dollars;
		c->loc = t.loc;
		vec_push(&e->comps, c);
		return e;
	}
	if (!context_var) {
		parse_components(p, &e->comps, true);
	} else if (parse_peek_is(p, "->") && parse_peek_n(p, 1)->kind == TK_IDENT &&
		   (!strcmp(parse_peek_n(p, 1)->text, "$") || !strcmp(parse_peek_n(p, 1)->text, "$$"))) {
		/* $$vars->$ is how -p1 prints $$vars$, so it reads back. */
		parse_components(p, &e->comps, true);
	}
	return e;
}

static void parse_call_args(struct parser *p, struct vec *args)
{
	parse_expect(p, "(");
	if (parse_accept(p, ")"))
		return;
	do
		vec_push(args, parse_expr(p));
	while (parse_accept(p, ","));
	parse_expect(p, ")");
}

static const char *const stat_ops[] = { "@count", "@sum", "@min", "@max", "@avg", "@variance" };

bool parse_is_stat_op(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(stat_ops); i++)
		if (!strcmp(name, stat_ops[i]))
			return true;
	return false;
}

static struct expr *parse_hist(struct parser *p)
{
	struct token t = parse_next(p);
	struct expr *e = expr_new(E_HIST, t.loc);
	e->op = t.text;
	parse_expect(p, "(");
	e->left = parse_expr(p);
	if (!strcmp(t.text, "@hist_linear")) {
		/* low, high and width are fixed when the histogram is made. */
		for (int i = 0; i < 3; i++) {
			parse_expect(p, ",");
			if (parse_peek(p)->kind == TK_STRING)
				parse_expected(p, "a literal number");
			vec_push(&e->args, parse_literal(p, "a literal number"));
		}
	}
	parse_expect(p, ")");
	return e;
}

/* @cast(operand, "type"[, "module"]) and @var("name"[, "module"]). */
static struct expr *parse_cast_or_var(struct parser *p, bool is_cast)
{
	struct token t = parse_next(p);
	struct expr *e = expr_new(is_cast ? E_CAST : E_ATVAR, t.loc);
	parse_expect(p, "(");
	if (is_cast) {
		e->left = parse_expr(p);
		parse_expect(p, ",");
	}
	if (parse_peek(p)->kind != TK_STRING)
		parse_expected(p, is_cast ? "a type name string" : "a variable name string");
	e->str = parse_string(p)->str;
	if (parse_accept(p, ",")) {
		if (parse_peek(p)->kind != TK_STRING)
			parse_expected(p, "a module name string");
		e->module = parse_string(p)->str;
	}
	parse_expect(p, ")");
	parse_components(p, &e->comps, true);
	return e;
}

static const struct {
	const char *name;
	enum print_kind kind;
	bool to_string, format;
} print_funcs[] = {
	{ "print", PRINT_PRINT, false, false },	      { "sprint", PRINT_PRINT, true, false },
	{ "println", PRINT_PRINTLN, false, false },   { "sprintln", PRINT_PRINTLN, true, false },
	{ "printd", PRINT_PRINTD, false, false },     { "sprintd", PRINT_PRINTD, true, false },
	{ "printdln", PRINT_PRINTDLN, false, false }, { "sprintdln", PRINT_PRINTDLN, true, false },
	{ "printf", PRINT_PRINTF, false, true },      { "sprintf", PRINT_PRINTF, true, true },
};

/*
 * Checks a printf format as stap does at parse time: each conversion is
 * %[flag][width][.precision][l]conv, one flag of - + space # 0, width and
 * precision digits or *, conv one of d i o u x X s c b p m M %.
 */
static void check_format(const struct loc *loc, const char *fmt)
{
	for (const char *c = fmt; *c; c++) {
		if (*c != '%')
			continue;
		const char *start = c++;
		if (*c == '%')
			continue;
		if (*c && strchr("-+ #0", *c))
			c++;
		if (*c == '*')
			c++;
		else
			while (*c >= '0' && *c <= '9')
				c++;
		if (*c == '.') {
			c++;
			if (*c == '*')
				c++;
			else
				while (*c >= '0' && *c <= '9')
					c++;
		}
		if (*c == 'l')
			c++;
		if (!*c) {
			diag_error(loc, "incomplete conversion '%s' at the end of the format string", start);
			return;
		}
		if (!strchr("diouxXscbpmM", *c)) {
			diag_error(loc, "invalid conversion '%.*s' in the format string: stap knows %%d %%i "
					"%%o %%u %%x %%X %%s %%c %%b %%p %%m %%M and %%%%, with one flag of "
					"'-+ #0', a width, a precision and 'l'",
				   (int)(c - start + 1), start);
			return;
		}
	}
}

static struct expr *parse_print(struct parser *p, int which)
{
	struct token t = parse_next(p);
	struct expr *e = expr_new(E_PRINT, t.loc);
	e->name = t.text;
	e->print_kind = print_funcs[which].kind;
	e->print_to_string = print_funcs[which].to_string;
	e->has_format = print_funcs[which].format;
	parse_expect(p, "(");
	bool delimited = e->print_kind == PRINT_PRINTD || e->print_kind == PRINT_PRINTDLN;
	if (e->has_format || delimited) {
		if (parse_peek(p)->kind != TK_STRING)
			parse_expected(p, e->has_format ? "a literal format string"
						  : "a literal delimiter string");
		struct expr *s = parse_string(p);
		e->str = s->str;
		if (e->has_format)
			check_format(&s->loc, e->str);
		p->errors_seen = diag_error_count();
		if (delimited) {
			parse_expect(p, ",");
			vec_push(&e->args, parse_expr(p));
		}
		while (parse_accept(p, ","))
			vec_push(&e->args, parse_expr(p));
		parse_expect(p, ")");
		/* A delimiter goes between values: stap wants two at least. */
		if (delimited && e->args.len < 2)
			parse_fail(p, &t.loc, "'%s' needs at least two values after the delimiter",
				   t.text);
		return e;
	}
	if (!parse_accept(p, ")")) {
		/* print(@hist_log(s)): a whole histogram, the one argument. */
		p->hist_at = parse_peek(p)->loc;
		do
			vec_push(&e->args, parse_expr(p));
		while (parse_accept(p, ","));
		p->hist_at = (struct loc){ 0 };
		parse_expect(p, ")");
	}
	if (e->print_kind == PRINT_PRINT && e->args.len == 0)
		parse_fail(p, &t.loc, "'%s' needs at least one argument", t.text);
	return e;
}

/* One operand in parentheses: @defined(x), @entry(x), @probewrite(x) ... */
static struct expr *parse_at_operator(struct parser *p, enum expr_kind kind, bool guru)
{
	struct token t = parse_next(p);
	if (guru && !parse_guru_allowed(p))
		parse_fail(p, &t.loc, "'%s' reads kernel internals and is only allowed in guru mode "
				   "(stapc -g)", t.text);
	struct expr *e = expr_new(kind, t.loc);
	e->op = t.text;
	parse_expect(p, "(");
	if (kind == E_PERF || kind == E_CONST) {
		if (parse_peek(p)->kind != TK_STRING)
			parse_expected(p, "a name string");
		e->str = parse_string(p)->str;
	} else {
		e->left = parse_expr(p);
	}
	parse_expect(p, ")");
	return e;
}

/*
 * @kderef(SIZE, ADDR), @uderef(SIZE, ADDR): SIZE a literal number, as stap
 * parses them (kernel memory: guru mode). A call named by the operator, which
 * pass 2 refuses as stap's does.
 */
static struct expr *parse_deref(struct parser *p)
{
	struct token t = parse_next(p);
	if (t.text[1] == 'k' && !parse_guru_allowed(p))
		parse_fail(p, &t.loc, "'%s' reads kernel memory and is only allowed in guru mode "
				   "(stapc -g)", t.text);
	struct expr *e = expr_new(E_CALL, t.loc);
	e->name = t.text;
	parse_expect(p, "(");
	if (parse_peek(p)->kind != TK_NUMBER)
		parse_expected(p, "a number (the size in bytes)");
	struct token n = parse_next(p);
	struct expr *size = expr_new(E_NUMBER, n.loc);
	size->num = n.num;
	vec_push(&e->args, size);
	parse_expect(p, ",");
	vec_push(&e->args, parse_expr(p));
	parse_expect(p, ")");
	return e;
}

/* Index list of a[...] or [...] in a; '*' (a slice) is stored as NULL. */
void parse_index_list(struct parser *p, struct vec *into)
{
	do {
		if (parse_peek_is(p, "*") && (tok_is(parse_peek_n(p, 1), ",") || tok_is(parse_peek_n(p, 1), "]"))) {
			parse_next(p);
			vec_push(into, NULL);
		} else {
			vec_push(into, parse_expr(p));
		}
	} while (parse_accept(p, ","));
	parse_expect(p, "]");
}

/* (expr)->field and (expr)[i] on a value that is not a target variable. */
static struct expr *parse_autocast(struct parser *p, struct expr *base)
{
	while (parse_peek_is(p, "->") || parse_peek_is(p, "[")) {
		struct expr *e = expr_new(E_AUTOCAST, parse_peek(p)->loc);
		e->left = base;
		parse_components(p, &e->comps, true);
		base = e;
	}
	return base;
}

static struct expr *parse_primary(struct parser *p)
{
	const struct token *t = parse_peek(p);
	if (t->kind == TK_KCONFIG) {
		/* %( CONFIG_X == "y" %? A %: B %) as an operand: the target's CONFIG_X ? A : B. */
		struct token k = parse_next(p);
		struct expr *e = expr_new(E_TERNARY, k.loc);
		e->cond = k.cond;
		e->left = parse_expr(p);
		if (parse_peek(p)->kind != TK_KCONFIG_ELSE)
			parse_expected(p, "'%:' after the operand");
		parse_next(p);
		e->right = parse_expr(p);
		if (parse_peek(p)->kind != TK_KCONFIG_END)
			parse_expected(p, "'%)' after the operand");
		parse_next(p);
		return e;
	}
	if (t->kind == TK_NUMBER) {
		struct token n = parse_next(p);
		struct expr *e = expr_new(E_NUMBER, n.loc);
		e->num = n.num;
		return e;
	}
	if (t->kind == TK_STRING)
		return parse_string(p);
	if (tok_is(t, "(")) {
		parse_next(p);
		struct expr *e = parse_expr(p);
		parse_expect(p, ")");
		return parse_autocast(p, e);
	}
	if (t->kind == TK_EMBEDDED) {
		struct token code = parse_next(p);
		if (!parse_guru_allowed(p))
			parse_report(p, &code.loc, "embedded C code needs guru mode: run stapc -g");
		struct expr *e = expr_new(E_EMBEDDED, code.loc);
		e->str = code.text;
		return e;
	}
	if (t->kind != TK_IDENT)
		parse_expected(p, "an expression");
	if (is_target_start(t))
		return parse_target(p);
	const char *name = t->text;
	if (name[0] == '@') {
		if (parse_is_stat_op(name)) {
			struct token op = parse_next(p);
			struct expr *e = expr_new(E_STAT, op.loc);
			e->op = op.text;
			parse_expect(p, "(");
			e->left = parse_expr(p);
			if (!strcmp(op.text, "@variance") && parse_accept(p, ","))
				vec_push(&e->args, parse_expr(p));
			parse_expect(p, ")");
			return e;
		}
		if (!strcmp(name, "@hist_log") || !strcmp(name, "@hist_linear")) {
			bool whole_ok = t->loc.file == p->hist_at.file && t->loc.line == p->hist_at.line &&
					t->loc.col == p->hist_at.col && t->loc.exp == p->hist_at.exp;
			struct token op = *t;
			struct expr *h = parse_hist(p);
			if (parse_peek_is(p, "[")) {
				struct expr *e = expr_new(E_INDEX, parse_peek(p)->loc);
				parse_next(p);
				e->left = h;
				parse_index_list(p, &e->args);
				return parse_autocast(p, e);
			}
			/* As stap: a whole histogram is printed alone, or walked. */
			if (!whole_ok)
				parse_fail(p, &op.loc, "'%s' is a whole histogram, not a value: print it "
						       "alone (print, println, sprint, sprintln), walk it "
						       "with foreach, or read one bucket with [N]",
					   op.text);
			if (!parse_peek_is(p, ")"))
				parse_expected(p, "')': a histogram is printed alone");
			return h;
		}
		if (!strcmp(name, "@cast"))
			return parse_cast_or_var(p, true);
		if (!strcmp(name, "@var"))
			return parse_cast_or_var(p, false);
		if (!strcmp(name, "@defined"))
			return parse_at_operator(p, E_DEFINED, false);
		if (!strcmp(name, "@entry"))
			return parse_autocast(p, parse_at_operator(p, E_ENTRY, false));
		if (!strcmp(name, "@perf"))
			return parse_at_operator(p, E_PERF, false);
		if (!strcmp(name, "@const")) {
			/* stap's meaning: a stable C expression, as embedded code. */
			struct expr *e = parse_at_operator(p, E_CONST, true);
			e->kind = E_EMBEDDED;
			e->str = intern(arena_printf("/* pure */ /* unprivileged */ /* stable */ %s",
						     e->str));
			return e;
		}
		if (!strcmp(name, "@probewrite"))
			return parse_at_operator(p, E_PROBEWRITE, false);
		if (!strcmp(name, "@kregister"))
			return parse_at_operator(p, E_REGISTER, true);
		if (!strcmp(name, "@uregister"))
			return parse_at_operator(p, E_REGISTER, false);
		if (!strcmp(name, "@kderef") || !strcmp(name, "@uderef"))
			return parse_autocast(p, parse_deref(p));
		parse_fail(p, &t->loc, "unknown operator or macro '%s'", name);
	}
	if (tok_is(parse_peek_n(p, 1), "(")) {
		for (size_t i = 0; i < ARRAY_SIZE(print_funcs); i++)
			if (!strcmp(name, print_funcs[i].name))
				return parse_print(p, (int)i);
		struct token fn = parse_next(p);
		struct expr *e = expr_new(E_CALL, fn.loc);
		e->name = fn.text;
		parse_call_args(p, &e->args);
		return parse_autocast(p, e);
	}
	struct token id = parse_next(p);
	struct expr *sym = expr_new(E_SYMBOL, id.loc);
	sym->name = id.text;
	if (parse_peek_is(p, "[")) {
		struct expr *e = expr_new(E_INDEX, parse_peek(p)->loc);
		parse_next(p);
		e->left = sym;
		parse_index_list(p, &e->args);
		return parse_autocast(p, e);
	}
	return parse_autocast(p, sym);
}

static struct expr *parse_postfix(struct parser *p)
{
	struct expr *e = parse_primary(p);
	if (parse_peek_is(p, "++") || parse_peek_is(p, "--")) {
		struct token op = parse_next(p);
		struct expr *post = expr_new(E_POSTINC, op.loc);
		post->op = op.text;
		post->left = e;
		return post;
	}
	return e;
}

static struct expr *parse_unary(struct parser *p)
{
	const struct token *t = parse_peek(p);
	if (tok_is(t, "&")) {
		struct token amp = parse_next(p);
		const struct token *n = parse_peek(p);
		if (is_target_start(n) || (n->kind == TK_IDENT && (!strcmp(n->text, "@cast") ||
								     !strcmp(n->text, "@var")))) {
			struct expr *e = parse_primary(p);
			e->addr_of = true;
			e->loc = amp.loc;
			return e;
		}
		struct expr *e = expr_new(E_UNARY, amp.loc);
		e->op = amp.text;
		nest(p, &e->loc);
		e->left = parse_unary(p);
		p->depth--;
		return e;
	}
	if (tok_is(t, "-") || tok_is(t, "+") || tok_is(t, "!") || tok_is(t, "~")) {
		struct token op = parse_next(p);
		struct expr *e = expr_new(E_UNARY, op.loc);
		e->op = op.text;
		nest(p, &e->loc);
		e->left = parse_unary(p);
		p->depth--;
		return e;
	}
	if (tok_is(t, "++") || tok_is(t, "--")) {
		struct token op = parse_next(p);
		struct expr *e = expr_new(E_PREINC, op.loc);
		e->op = op.text;
		nest(p, &e->loc);
		e->left = parse_unary(p);
		p->depth--;
		return e;
	}
	return parse_postfix(p);
}

static struct expr *parse_multiplicative(struct parser *p)
{
	struct expr *e = parse_unary(p);
	int chain = 0;
	while (parse_peek_is(p, "*") || parse_peek_is(p, "/") || parse_peek_is(p, "%")) {
		struct token op = parse_next(p);
		nest(p, &op.loc);
		chain++;
		e = binary(E_BINARY, op, e, parse_unary(p));
	}
	p->depth -= chain;
	return e;
}

static struct expr *parse_additive(struct parser *p)
{
	struct expr *e = parse_multiplicative(p);
	int chain = 0;
	while (parse_peek_is(p, "+") || parse_peek_is(p, "-")) {
		struct token op = parse_next(p);
		nest(p, &op.loc);
		chain++;
		e = binary(E_BINARY, op, e, parse_multiplicative(p));
	}
	p->depth -= chain;
	return e;
}

static struct expr *parse_concat(struct parser *p)
{
	struct expr *e = parse_additive(p);
	int chain = 0;
	while (parse_peek_is(p, ".")) {
		struct token op = parse_next(p);
		nest(p, &op.loc);
		chain++;
		e = binary(E_CONCAT, op, e, parse_additive(p));
	}
	p->depth -= chain;
	return e;
}

static struct expr *parse_shift(struct parser *p)
{
	struct expr *e = parse_concat(p);
	int chain = 0;
	while (parse_peek_is(p, "<<") || parse_peek_is(p, ">>")) {
		struct token op = parse_next(p);
		nest(p, &op.loc);
		chain++;
		e = binary(E_BINARY, op, e, parse_concat(p));
	}
	p->depth -= chain;
	return e;
}

static bool peek_comparison(struct parser *p)
{
	return parse_peek_is(p, "<") || parse_peek_is(p, ">") || parse_peek_is(p, "<=") || parse_peek_is(p, ">=") ||
	       parse_peek_is(p, "==") || parse_peek_is(p, "!=");
}

static struct expr *parse_comparison(struct parser *p)
{
	struct expr *e = parse_shift(p);
	if (parse_peek_is(p, "=~") || parse_peek_is(p, "!~")) {
		struct token op = parse_next(p);
		if (parse_peek(p)->kind != TK_STRING)
			parse_expected(p, arena_printf("a literal regular expression string after '%s'",
						 op.text));
		return binary(E_REGEX, op, e, parse_string(p));
	}
	int chain = 0;
	while (peek_comparison(p)) {
		struct token op = parse_next(p);
		nest(p, &op.loc);
		chain++;
		e = binary(E_COMPARE, op, e, parse_shift(p));
	}
	p->depth -= chain;
	return e;
}

/* The operand of `in`: an array, or a histogram. */
struct expr *parse_array_base(struct parser *p)
{
	const struct token *t = parse_peek(p);
	if (t->kind == TK_IDENT && (!strcmp(t->text, "@hist_log") || !strcmp(t->text, "@hist_linear")))
		return parse_hist(p);
	struct token id = parse_expect_ident(p, "an array name");
	struct expr *e = expr_new(E_SYMBOL, id.loc);
	e->name = id.text;
	return e;
}

static struct expr *parse_array_in(struct parser *p)
{
	struct vec indexes = { 0 };
	struct loc loc = parse_peek(p)->loc;
	bool bracketed = false;
	if (parse_peek_is(p, "[")) {
		parse_next(p);
		parse_index_list(p, &indexes);
		bracketed = true;
	} else {
		vec_push(&indexes, parse_comparison(p));
	}
	if (!parse_peek_is(p, "in")) {
		if (bracketed)
			parse_expected(p, "'in' after the bracketed index list");
		return vec_at(&indexes, 0);
	}
	struct token in = parse_next(p);
	struct expr *e = expr_new(E_IN, bracketed ? loc : in.loc);
	e->args = indexes;
	e->left = parse_array_base(p);
	return e;
}

static struct expr *parse_left_assoc(struct parser *p, int level);

/* |, ^ and & sit between && and `in`; one function per level keeps the order. */
static struct expr *parse_bitwise(struct parser *p, int level)
{
	static const char *const ops[] = { "|", "^", "&" };
	if (level == 3)
		return parse_array_in(p);
	struct expr *e = parse_bitwise(p, level + 1);
	int chain = 0;
	while (parse_peek_is(p, ops[level])) {
		struct token op = parse_next(p);
		nest(p, &op.loc);
		chain++;
		e = binary(E_BINARY, op, e, parse_bitwise(p, level + 1));
	}
	p->depth -= chain;
	return e;
}

static struct expr *parse_left_assoc(struct parser *p, int level)
{
	/* level 0: ||, level 1: && */
	if (level == 2)
		return parse_bitwise(p, 0);
	const char *op = level == 0 ? "||" : "&&";
	struct expr *e = parse_left_assoc(p, level + 1);
	int chain = 0;
	while (parse_peek_is(p, op)) {
		struct token t = parse_next(p);
		nest(p, &t.loc);
		chain++;
		e = binary(E_LOGICAL, t, e, parse_left_assoc(p, level + 1));
	}
	p->depth -= chain;
	return e;
}

static struct expr *parse_ternary(struct parser *p)
{
	struct expr *cond = parse_left_assoc(p, 0);
	if (!parse_peek_is(p, "?"))
		return cond;
	struct token q = parse_next(p);
	struct expr *e = expr_new(E_TERNARY, q.loc);
	e->cond = cond;
	e->left = parse_expr(p);
	parse_expect(p, ":");
	e->right = parse_expr(p);
	return e;
}

static bool peek_assign(struct parser *p)
{
	static const char *const ops[] = { "=",  "<<<", "+=", "-=", "*=",  "/=",
					   "%=", "<<=", ">>=", "&=", "^=", "|=", ".=" };
	for (size_t i = 0; i < ARRAY_SIZE(ops); i++)
		if (parse_peek_is(p, ops[i]))
			return true;
	return false;
}

struct expr *parse_expr(struct parser *p)
{
	nest(p, &parse_peek(p)->loc);
	struct expr *e = parse_ternary(p);
	if (peek_assign(p)) {
		struct token op = parse_next(p);
		e = binary(E_ASSIGN, op, e, parse_expr(p));
	}
	p->depth--;
	return e;
}

