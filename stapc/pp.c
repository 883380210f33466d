// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pp.c - the preprocessor between lexer and parser.
 *
 * It hands the parser one token at a time from a stack of frames. Each
 * frame is a slice of tokens: the file itself, a macro body, a macro
 * argument, a chosen %( %? %: %) branch or a $N script argument. It:
 *   - substitutes $N (as tokens) and @N (as a string), $# and @#;
 *   - collects @define NAME(params) %( body %) before parsing starts, so
 *     a macro defined in either branch of a conditional is defined (stap's
 *     documented meaning), and expands @NAME(args) where it is used;
 *   - evaluates %( cond %? a %: b %) against the session's target.
 */
#include "stapc.h"

#include <dirent.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#define PP_MAX_DEPTH 100

struct slice {
	struct token *t;
	int len;
};

struct pp_frame {
	struct token *toks;
	int len, pos;
	struct pp_frame *parent;
	/* The macro frame whose @params are visible here (NULL at file level). */
	struct pp_frame *scope;
	struct macro *macro; /* this frame is the body of `macro` */
	struct slice *args;  /* its arguments, one slice per parameter */
	/*
	 * Where this frame's tokens logically sit: a macro body in the frame
	 * that used the macro, an argument in the frame the macro's user was
	 * in (not inside the body that refers to the parameter).
	 */
	struct pp_frame *origin;
	struct expansion *exp;
};

static struct token *tok_at(struct pp_frame *f)
{
	return f->pos < f->len ? &f->toks[f->pos] : NULL;
}

static void push_frame(struct pp *pp, struct token *toks, int len, struct pp_frame *scope,
		       struct expansion *exp)
{
	struct pp_frame *f = arena_alloc(sizeof(*f));
	f->toks = toks;
	f->len = len;
	f->parent = pp->frame;
	f->scope = scope;
	f->exp = exp;
	f->origin = pp->frame;
	pp->frame = f;
	pp->depth++;
}

/* The next raw token, popping exhausted frames; EOF at the end of the file. */
static struct token raw_next(struct pp *pp, struct pp_frame **from)
{
	for (;;) {
		struct pp_frame *f = pp->frame;
		struct token *t = tok_at(f);
		if (t && t->kind != TK_EOF) {
			f->pos++;
			struct token copy = *t;
			if (f->exp)
				copy.loc.exp = f->exp;
			if (from)
				*from = f;
			return copy;
		}
		if (!f->parent) {
			if (from)
				*from = f;
			return pp->eof;
		}
		pp->frame = f->parent;
		pp->depth--;
	}
}

static struct expansion *new_expansion(const char *what, struct loc at)
{
	struct expansion *e = arena_alloc(sizeof(*e));
	e->what = what;
	e->at = at;
	return e;
}

/* ------------------------------------------------------------ macros */

static struct macro *find_macro(struct pp *pp, const char *name)
{
	for (int i = 0; i < pp->local_macros.len; i++) {
		struct macro *m = vec_at(&pp->local_macros, i);
		if (m->name == name)
			return m;
	}
	struct session *s = pp->s;
	for (int i = 0; i < s->library_macros.len; i++) {
		struct macro *m = vec_at(&s->library_macros, i);
		if (m->name == name)
			return m;
	}
	return NULL;
}

/*
 * Parses `@define NAME[(p, ...)] %( body %)` starting at toks[i] (the
 * @define). Returns the index after it, or -1 after reporting an error.
 */
static int parse_define(struct token *toks, int n, int i, struct vec *into, bool library)
{
	struct token *def = &toks[i++];
	if (i >= n || toks[i].kind != TK_IDENT || toks[i].text[0] == '$' ||
	    toks[i].text[0] == '@') {
		diag_error(&def->loc, "expected a macro name after '@define'");
		return -1;
	}
	struct macro *m = arena_alloc(sizeof(*m));
	m->name = intern(arena_printf("@%s", toks[i].text));
	m->loc = toks[i].loc;
	m->is_library = library;
	i++;
	if (i < n && tok_is(&toks[i], "(")) {
		i++;
		while (i < n && !tok_is(&toks[i], ")")) {
			if (toks[i].kind != TK_IDENT || toks[i].text[0] == '$' ||
			    toks[i].text[0] == '@') {
				diag_error(&toks[i].loc, "expected a parameter name in the definition of "
							 "macro '%s'", m->name);
				return -1;
			}
			vec_push(&m->params, (void *)intern(arena_printf("@%s", toks[i].text)));
			i++;
			if (i < n && tok_is(&toks[i], ","))
				i++;
			else if (i < n && !tok_is(&toks[i], ")")) {
				diag_error(&toks[i].loc, "expected ',' or ')' in the parameters of macro '%s'",
					   m->name);
				return -1;
			}
		}
		if (i >= n) {
			diag_error(&def->loc, "unterminated parameter list of macro '%s'", m->name);
			return -1;
		}
		i++;
	}
	if (i >= n || !tok_is(&toks[i], "%(")) {
		diag_error(i < n ? &toks[i].loc : &def->loc,
			   "expected '%%(' to open the body of macro '%s'", m->name);
		return -1;
	}
	int start = ++i, depth = 0;
	for (; i < n && toks[i].kind != TK_EOF; i++) {
		if (tok_is(&toks[i], "%("))
			depth++;
		else if (tok_is(&toks[i], "%)") && depth-- == 0)
			break;
	}
	if (i >= n || toks[i].kind == TK_EOF) {
		diag_error(&def->loc, "unterminated body of macro '%s': no matching '%%)'", m->name);
		return -1;
	}
	/* A copy: the file's token array is compacted once @defines are out. */
	m->body_len = i - start;
	m->body = arena_alloc(sizeof(struct token) * (size_t)(m->body_len + 1));
	memcpy(m->body, &toks[start], sizeof(struct token) * (size_t)m->body_len);
	for (int j = 0; j < into->len; j++) {
		struct macro *old = vec_at(into, j);
		if (old->name == m->name) {
			diag_error(&m->loc, "macro '%s' is defined twice", m->name);
			diag_note(&old->loc, "the first definition is here");
			return i + 1;
		}
	}
	vec_push(into, m);
	return i + 1;
}

/* Removes every @define from `v`, collecting the macros into `into`. */
static void collect_defines(struct tokvec *v, struct vec *into, bool library)
{
	int out = 0;
	for (int i = 0; i < v->len;) {
		if (v->t[i].kind == TK_IDENT && strcmp(v->t[i].text, "@define") == 0) {
			int next = parse_define(v->t, v->len, i, into, library);
			if (next < 0) {
				/* Skip the rest of the line's tokens up to the next @define. */
				next = i + 1;
			}
			i = next;
			continue;
		}
		if (library && v->t[i].kind != TK_EOF) {
			diag_error(&v->t[i].loc, "a macro library (.stpm) may only hold @define");
			while (i < v->len && v->t[i].kind != TK_EOF &&
			       !(v->t[i].kind == TK_IDENT && strcmp(v->t[i].text, "@define") == 0))
				i++;
			continue;
		}
		v->t[out++] = v->t[i++];
	}
	v->len = out;
}

void pp_load_library_macros(struct session *s, struct source_file *f)
{
	struct tokvec *v = arena_alloc(sizeof(*v));
	lex_file(f, v);
	collect_defines(v, &s->library_macros, true);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* stap reads every .stpm on the tapset path before parsing scripts. */
void pp_load_library(struct session *s)
{
	if (s->library_macros_loaded)
		return;
	s->library_macros_loaded = true;
	for (int d = 0; d < s->include_dirs.len; d++) {
		const char *dir = vec_at(&s->include_dirs, d);
		DIR *dp = opendir(dir);
		if (!dp)
			continue;
		struct vec names = { 0 };
		struct dirent *de;
		while ((de = readdir(dp))) {
			size_t n = strlen(de->d_name);
			if (n > 5 && strcmp(de->d_name + n - 5, ".stpm") == 0)
				vec_push(&names, arena_printf("%s/%s", dir, de->d_name));
		}
		closedir(dp);
		if (names.len)
			qsort(names.data, (size_t)names.len, sizeof(void *), cmp_str);
		for (int i = 0; i < names.len; i++) {
			struct source_file *f = source_load(vec_at(&names, i));
			if (f) {
				f->is_tapset = true;
				pp_load_library_macros(s, f);
			}
		}
	}
}

/* Collects the argument slices of a macro use; the '(' was peeked, not taken. */
static struct slice *macro_args(struct pp *pp, struct macro *m, struct token *use)
{
	int nparams = m->params.len;
	struct slice *args = arena_alloc(sizeof(*args) * (size_t)(nparams ? nparams : 1));
	struct pp_frame *f = pp->frame;
	if (!nparams)
		return args;
	struct token *t = tok_at(f);
	if (!t || !tok_is(t, "(")) {
		diag_error(&use->loc, "macro '%s' takes %d argument%s: write %s(...)", m->name, nparams,
			   nparams == 1 ? "" : "s", m->name);
		return NULL;
	}
	f->pos++;
	int n = 0, depth = 0, start = f->pos;
	for (;;) {
		t = tok_at(f);
		if (!t || t->kind == TK_EOF) {
			diag_error(&use->loc, "unterminated argument list of macro '%s'", m->name);
			return NULL;
		}
		bool close = tok_is(t, ")") && depth == 0;
		if ((tok_is(t, ",") && depth == 0) || close) {
			if (n < nparams)
				args[n] = (struct slice){ &f->toks[start], f->pos - start };
			n++;
			f->pos++;
			start = f->pos;
			if (close)
				break;
			continue;
		}
		if (tok_is(t, "(") || tok_is(t, "[") || tok_is(t, "{") || tok_is(t, "%("))
			depth++;
		else if (tok_is(t, ")") || tok_is(t, "]") || tok_is(t, "}") || tok_is(t, "%)"))
			depth--;
		f->pos++;
	}
	if (n != nparams) {
		diag_error(&use->loc, "macro '%s' takes %d argument%s, but %d %s given", m->name, nparams,
			   nparams == 1 ? "" : "s", n, n == 1 ? "was" : "were");
		return NULL;
	}
	return args;
}

/* ------------------------------------------------------------ conditionals */

struct cond_parser {
	struct pp *pp;
	struct token tok;
	bool failed;
	/*
	 * The condition as an expression for the target to evaluate, when it
	 * is made only of CONFIG_X ==/!= "y", "m" or "n" (all_config).
	 */
	bool all_config;
	struct expr *expr;
};

static struct token pp_fetch(struct pp *pp, bool conditionals);

static void cond_advance(struct cond_parser *c)
{
	c->tok = pp_fetch(c->pp, false);
}

static void cond_fail(struct cond_parser *c, const char *msg)
{
	if (!c->failed)
		diag_error(&c->tok.loc, "%s", msg);
	c->failed = true;
}

static int compare_op(const char *op, int cmp)
{
	if (!strcmp(op, "=="))
		return cmp == 0;
	if (!strcmp(op, "!="))
		return cmp != 0;
	if (!strcmp(op, "<"))
		return cmp < 0;
	if (!strcmp(op, "<="))
		return cmp <= 0;
	if (!strcmp(op, ">"))
		return cmp > 0;
	return cmp >= 0;
}

static bool is_compare(const struct token *t)
{
	static const char *const ops[] = { "==", "!=", "<", "<=", ">", ">=" };
	for (size_t i = 0; i < ARRAY_SIZE(ops); i++)
		if (tok_is(t, ops[i]))
			return true;
	return false;
}

/* Glob match for ==/!=, version order for the others (strverscmp). */
static bool compare_version(const char *op, const char *have, const char *want)
{
	if (!strcmp(op, "==") || !strcmp(op, "!=")) {
		bool eq = fnmatch(want, have, 0) == 0;
		return !strcmp(op, "==") ? eq : !eq;
	}
	return compare_op(op, strverscmp(have, want));
}

static const char *const cond_expectation =
	"expected 'arch', 'kernel_v', 'kernel_vr', 'systemtap_v', 'runtime', "
	"'systemtap_privilege', 'guru_mode', 'CONFIG_...', or a comparison between two "
	"strings or two numbers";

static bool cond_atom(struct cond_parser *c)
{
	struct target *t = &c->pp->s->target;
	struct token lhs = c->tok;
	if (lhs.kind == TK_NUMBER || lhs.kind == TK_STRING) {
		cond_advance(c);
		if (!is_compare(&c->tok)) {
			cond_fail(c, "expected a comparison operator in the preprocessor condition");
			return false;
		}
		const char *op = c->tok.text;
		cond_advance(c);
		struct token rhs = c->tok;
		if (rhs.kind != lhs.kind) {
			cond_fail(c, lhs.kind == TK_NUMBER ? "expected a number to compare with"
							   : "expected a string to compare with");
			return false;
		}
		cond_advance(c);
		if (lhs.kind == TK_NUMBER)
			return compare_op(op, lhs.num < rhs.num ? -1 : lhs.num > rhs.num);
		return compare_op(op, strcmp(lhs.text, rhs.text));
	}
	if (lhs.kind != TK_IDENT) {
		cond_fail(c, cond_expectation);
		return false;
	}
	const char *name = lhs.text;
	bool is_config = strncmp(name, "CONFIG_", 7) == 0;
	bool is_guru = !strcmp(name, "guru_mode");
	bool is_version = !strcmp(name, "kernel_v") || !strcmp(name, "kernel_vr") ||
			  !strcmp(name, "systemtap_v");
	bool is_string = !strcmp(name, "arch") || !strcmp(name, "runtime") ||
			 !strcmp(name, "systemtap_privilege");
	if (!is_config && !is_guru && !is_version && !is_string) {
		cond_fail(c, cond_expectation);
		return false;
	}
	cond_advance(c);
	if (!is_compare(&c->tok)) {
		cond_fail(c, "expected a comparison operator in the preprocessor condition");
		return false;
	}
	const char *op = c->tok.text;
	struct loc op_loc = c->tok.loc;
	cond_advance(c);
	struct token rhs = c->tok;
	if (!is_config)
		c->all_config = false;
	if (is_guru && strcmp(op, "==") && strcmp(op, "!=")) {
		c->tok.loc = op_loc;
		cond_fail(c, "'guru_mode' can only be compared with '==' or '!='");
		return false;
	}
	if (is_guru && rhs.kind != TK_NUMBER) {
		cond_fail(c, "'guru_mode' is compared with a number: 0 or 1");
		return false;
	}
	if (is_config || is_guru) {
		if (rhs.kind != TK_STRING && rhs.kind != TK_NUMBER) {
			cond_fail(c, "expected a string or a number to compare with");
			return false;
		}
		cond_advance(c);
		if (is_config && rhs.kind == TK_STRING && (!strcmp(op, "==") || !strcmp(op, "!=")) &&
		    (!strcmp(rhs.text, "y") || !strcmp(rhs.text, "m") || !strcmp(rhs.text, "n"))) {
			struct expr *x = expr_new(E_KCONFIG, lhs.loc);
			x->name = name;
			x->op = intern(op);
			x->str = intern(rhs.text);
			c->expr = x;
		} else {
			c->all_config = false;
		}
		const char *val = is_guru ? (t->guru ? "1" : "0") : target_config(t, name);
		if (rhs.kind == TK_NUMBER) {
			int64_t have = val ? strtoll(val, NULL, 0) : 0;
			return compare_op(op, have < rhs.num ? -1 : have > rhs.num);
		}
		if (!strcmp(op, "==") || !strcmp(op, "!=")) {
			bool eq = fnmatch(rhs.text, val ? val : "", 0) == 0;
			return !strcmp(op, "==") ? eq : !eq;
		}
		return compare_op(op, strcmp(val ? val : "", rhs.text));
	}
	if (rhs.kind != TK_STRING) {
		cond_fail(c, "expected a string to compare with");
		return false;
	}
	cond_advance(c);
	if (is_string) {
		if (strcmp(op, "==") && strcmp(op, "!=")) {
			c->tok.loc = op_loc;
			cond_fail(c, arena_printf("'%s' can only be compared with '==' or '!='", name));
			return false;
		}
		const char *have = !strcmp(name, "arch")      ? t->arch
				   : !strcmp(name, "runtime") ? t->runtime
							      : t->privilege;
		bool eq = fnmatch(rhs.text, have, 0) == 0;
		return !strcmp(op, "==") ? eq : !eq;
	}
	const char *have = !strcmp(name, "kernel_v")	? t->kernel_v
			   : !strcmp(name, "kernel_vr") ? t->kernel_vr
							: t->systemtap_v;
	return compare_version(op, have, rhs.text);
}

/* l OP r, for the target's copy of the condition. */
static struct expr *cond_join(const char *op, struct expr *l, struct expr *r)
{
	if (!l || !r)
		return NULL;
	struct expr *x = expr_new(E_LOGICAL, l->loc);
	x->op = intern(op);
	x->left = l;
	x->right = r;
	return x;
}

static bool cond_and(struct cond_parser *c)
{
	c->expr = NULL;
	bool v = cond_atom(c);
	struct expr *e = c->expr;
	while (!c->failed && tok_is(&c->tok, "&&")) {
		cond_advance(c);
		c->expr = NULL;
		bool r = cond_atom(c);
		e = cond_join("&&", e, c->expr);
		v = v && r;
	}
	c->expr = e;
	return v;
}

static bool cond_or(struct cond_parser *c)
{
	bool v = cond_and(c);
	struct expr *e = c->expr;
	while (!c->failed && tok_is(&c->tok, "||")) {
		cond_advance(c);
		bool r = cond_and(c);
		e = cond_join("||", e, c->expr);
		v = v || r;
	}
	c->expr = e;
	return v;
}

/* Whether tokens [from, to) close every bracket they open: a whole statement or operand. */
static bool balanced(const struct token *t, int from, int to)
{
	int depth = 0;
	for (int i = from; i < to; i++) {
		if (tok_is(&t[i], "(") || tok_is(&t[i], "[") || tok_is(&t[i], "{"))
			depth++;
		else if (tok_is(&t[i], ")") || tok_is(&t[i], "]") || tok_is(&t[i], "}"))
			if (--depth < 0)
				return false;
	}
	return depth == 0;
}

/*
 * Both branches, between markers, for the target to choose from:
 * KCONFIG A KCONFIG_ELSE B KCONFIG_END, as one frame.
 */
static void push_both_branches(struct pp *pp, struct pp_frame *f, struct token open,
			       struct expr *cond, int then_start, int then_end, int else_start, int end)
{
	int nthen = then_end - then_start, nelse = else_start >= 0 ? end - else_start : 0;
	struct token *t = arena_alloc(sizeof(*t) * (size_t)(nthen + nelse + 3));
	int n = 0;
	t[n] = open;
	t[n].kind = TK_KCONFIG;
	t[n++].cond = cond;
	memcpy(&t[n], &f->toks[then_start], sizeof(*t) * (size_t)nthen);
	n += nthen;
	t[n] = open;
	t[n++].kind = TK_KCONFIG_ELSE;
	if (nelse)
		memcpy(&t[n], &f->toks[else_start], sizeof(*t) * (size_t)nelse);
	n += nelse;
	t[n] = f->toks[end];
	t[n++].kind = TK_KCONFIG_END;
	push_frame(pp, t, n, f->scope, f->exp);
}

/*
 * Where a conditional sits, from the token before it: inside a body, after
 * '{', '}', ';', 'else', 'next', 'break' or 'continue' a statement starts (1); after '=', '(', ',',
 * '?', ':' or 'return' an operand (2); elsewhere it is not known (0) and
 * the build host decides, as for any other condition.
 */
static int kconfig_context(const struct pp *pp)
{
	static const char *const stmt_before[] = { "{", "}", ";", "else", "next", "break", "continue" };
	static const char *const operand_before[] = { "=", "(", ",", "?", ":", "return", "+=",
						      "-=", "*=", "/=", "%=", ".=", "<<<" };
	if (pp->brace_depth <= 0)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(stmt_before); i++)
		if (tok_is(&pp->prev, stmt_before[i]))
			return 1;
	for (size_t i = 0; i < ARRAY_SIZE(operand_before); i++)
		if (tok_is(&pp->prev, operand_before[i]))
			return 2;
	return 0;
}

/*
 * Handles a %( whose token came from frame `f`: evaluates the condition,
 * then pushes the chosen branch as a frame and moves `f` past the %).
 */
static void conditional(struct pp *pp, struct token open)
{
	struct cond_parser c = { .pp = pp, .all_config = true };
	int ctx = kconfig_context(pp);
	cond_advance(&c);
	bool value = cond_or(&c);
	if (!c.failed && !tok_is(&c.tok, "%?"))
		cond_fail(&c, "expected '%?' after the preprocessor condition");
	/* The branches are in the frame the %? came from. */
	struct pp_frame *f = pp->frame;
	int depth = 0;
	if (c.failed) {
		/* Read the first branch after a bad condition, so parsing goes on. */
		value = true;
		for (; !tok_is(&c.tok, "%?") && f->pos < f->len; f->pos++) {
			struct token *t = &f->toks[f->pos];
			if (t->kind == TK_EOF)
				break;
			if (tok_is(t, "%("))
				depth++;
			else if ((tok_is(t, "%)") || tok_is(t, "%:")) && depth-- == 0)
				break;
			else if (tok_is(t, "%?") && depth == 0) {
				f->pos++;
				break;
			}
		}
		depth = 0;
	}
	int then_start = f->pos, then_end = -1, else_start = -1, end = -1;
	for (int i = f->pos; i < f->len && f->toks[i].kind != TK_EOF; i++) {
		struct token *t = &f->toks[i];
		if (tok_is(t, "%(")) {
			depth++;
		} else if (tok_is(t, "%:") && depth == 0 && then_end < 0) {
			then_end = i;
			else_start = i + 1;
		} else if (tok_is(t, "%)")) {
			if (depth-- == 0) {
				end = i;
				break;
			}
		}
	}
	if (end < 0) {
		diag_error(&open.loc, "unterminated preprocessor conditional: no matching '%%)'");
		f->pos = f->len;
		return;
	}
	if (then_end < 0)
		then_end = end;
	f->pos = end + 1;
	/*
	 * Where a statement or an operand starts, a condition on CONFIG_*
	 * alone is the target kernel's to decide: a tool carries both.
	 */
	bool whole = ctx == 1 || (then_end > then_start && else_start >= 0 && end > else_start);
	if (ctx && whole && !c.failed && c.all_config && c.expr && pp->s->last_pass >= 3 &&
	    balanced(f->toks, then_start, then_end) &&
	    (else_start < 0 || balanced(f->toks, else_start, end))) {
		push_both_branches(pp, f, open, c.expr, then_start, then_end, else_start, end);
		return;
	}
	int from = value ? then_start : else_start;
	int to = value ? then_end : end;
	if (from >= 0 && to > from)
		push_frame(pp, &f->toks[from], to - from, f->scope, f->exp);
}

/* ------------------------------------------------------------ arguments */

static bool is_positional(const char *text)
{
	if ((text[0] != '$' && text[0] != '@') || !text[1])
		return false;
	for (const char *p = text + 1; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

/* $1a, @2x: a script argument's digits run into a name (no target variable starts so). */
static bool is_bad_positional(const char *text)
{
	return (text[0] == '$' || text[0] == '@') && text[1] >= '0' && text[1] <= '9' &&
	       !is_positional(text);
}

/* $N becomes the tokens of argument N, @N a string holding it. */
static bool substitute_argument(struct pp *pp, struct token *t)
{
	struct session *s = pp->s;
	if (!strcmp(t->text, "$#") || !strcmp(t->text, "@#")) {
		if (t->text[0] == '$') {
			t->kind = TK_NUMBER;
			t->num = s->args.len;
			t->text = intern(arena_printf("%d", s->args.len));
		} else {
			t->kind = TK_STRING;
			t->text = intern(arena_printf("%d", s->args.len));
		}
		return false;
	}
	long n = strtol(t->text + 1, NULL, 10);
	if (s->defer_args && n >= 1 && n <= 64) {
		/* Building a tool: the argument is read when the tool runs. */
		if (n > s->runtime_args_max)
			s->runtime_args_max = (int)n;
		struct token *v = arena_alloc(sizeof(*v) * 4);
		v[0] = *t;
		v[0].kind = TK_IDENT;
		v[0].text = intern(t->text[0] == '$' ? "__script_arg_long" : "__script_arg_str");
		v[1] = *t;
		v[1].kind = TK_OP;
		v[1].text = intern("(");
		v[1].space_before = false;
		v[2] = *t;
		v[2].kind = TK_NUMBER;
		v[2].num = n;
		v[2].text = intern(arena_printf("%ld", n));
		v[3] = v[1];
		v[3].text = intern(")");
		push_frame(pp, v, 4, pp->frame->scope, NULL);
		return true;
	}
	if (n < 1 || n > s->args.len) {
		diag_error(&t->loc, "script argument %s is out of range: the script was given %d "
				    "argument%s", t->text, s->args.len, s->args.len == 1 ? "" : "s");
		/* Stand in a value so that parsing can go on. */
		t->kind = t->text[0] == '$' ? TK_NUMBER : TK_STRING;
		t->text = intern(t->kind == TK_NUMBER ? "0" : "");
		t->num = 0;
		return false;
	}
	const char *arg = vec_at(&s->args, n - 1);
	if (t->text[0] == '@') {
		t->kind = TK_STRING;
		t->text = intern(arg);
		return false;
	}
	struct source_file *f = source_add(arena_printf("<argument %s>", t->text), arg, strlen(arg));
	f->order = t->loc.file ? t->loc.file->order : 0;
	struct tokvec v = { 0 };
	lex_file(f, &v);
	/* The argument's tokens say they are where the $N was. */
	for (int i = 0; i < v.len; i++) {
		v.t[i].loc = t->loc;
		v.t[i].space_before = i ? v.t[i].space_before : t->space_before;
	}
	push_frame(pp, v.t, v.len - 1, pp->frame->scope, NULL);
	return true;
}

/* ------------------------------------------------------------ the stream */

static struct slice *param_slice(struct pp_frame *scope, const char *name)
{
	if (!scope || !scope->macro)
		return NULL;
	for (int i = 0; i < scope->macro->params.len; i++)
		if (vec_at(&scope->macro->params, i) == name)
			return &scope->args[i];
	return NULL;
}

/* Whether a use of `m` read from frame `from` is inside m's own body. */
static bool expanding(struct pp_frame *from, struct macro *m)
{
	for (struct pp_frame *f = from; f; f = f->origin)
		if (f->macro == m)
			return true;
	return false;
}

/*
 * The next token after substitution and expansion. With `conditionals`
 * false (inside a %( condition) a %( is an error rather than a nesting.
 */
static struct token pp_fetch_token(struct pp *pp, bool conditionals);

/*
 * The parser's tokens go through here: the brace depth and the last token
 * tell a conditional where it sits (see kconfig_context()).
 */
static struct token pp_fetch(struct pp *pp, bool conditionals)
{
	struct token t = pp_fetch_token(pp, conditionals);
	if (conditionals) {
		if (tok_is(&t, "{"))
			pp->brace_depth++;
		else if (tok_is(&t, "}") && pp->brace_depth > 0)
			pp->brace_depth--;
		pp->prev = t;
	}
	return t;
}

static struct token pp_fetch_token(struct pp *pp, bool conditionals)
{
	for (;;) {
		struct pp_frame *from;
		struct token t = raw_next(pp, &from);
		if (t.kind == TK_EOF)
			return t;
		if (pp->depth > PP_MAX_DEPTH) {
			diag_error(&t.loc, "macro expansion nested more than %d deep: is a macro using "
					   "itself?", PP_MAX_DEPTH);
			/* Drop every expansion frame and go on in the file. */
			while (pp->frame->parent)
				pp->frame = pp->frame->parent;
			pp->depth = 0;
			continue;
		}
		if (t.kind == TK_IDENT && is_bad_positional(t.text)) {
			diag_error(&t.loc, "'%s' is not a script argument: write $N or @N with digits only",
				   t.text);
			continue;
		}
		if (t.kind == TK_IDENT && is_positional(t.text)) {
			if (substitute_argument(pp, &t))
				continue;
			return t;
		}
		if (t.kind == TK_IDENT && (!strcmp(t.text, "$#") || !strcmp(t.text, "@#"))) {
			substitute_argument(pp, &t);
			return t;
		}
		if (tok_is(&t, "%(")) {
			if (!conditionals) {
				diag_error(&t.loc, "a preprocessor conditional cannot be nested inside a "
						   "condition");
				return t;
			}
			conditional(pp, t);
			continue;
		}
		if (t.kind == TK_IDENT && t.text[0] == '@') {
			struct slice *arg = param_slice(from->scope, t.text);
			if (arg) {
				/* An argument is read in the scope of the macro's user. */
				struct pp_frame *user = from->scope->origin;
				push_frame(pp, arg->t, arg->len, user ? user->scope : NULL, from->exp);
				pp->frame->origin = user;
				continue;
			}
			if (!strcmp(t.text, "@define")) {
				diag_error(&t.loc, "'@define' must be at the top level of a file");
				continue;
			}
			if (!pp->s->library_macros_loaded && !find_macro(pp, t.text))
				pp_load_library(pp->s);
			struct macro *m = find_macro(pp, t.text);
			if (m && expanding(from, m)) {
				diag_error(&t.loc, "macro '%s' uses itself: its expansion would never end",
					   m->name);
				continue;
			}
			if (m) {
				struct slice *args = macro_args(pp, m, &t);
				if (!args && m->params.len)
					continue;
				struct expansion *exp =
					new_expansion(arena_printf("macro '%s'", m->name), t.loc);
				exp->at.exp = t.loc.exp;
				push_frame(pp, m->body, m->body_len, NULL, exp);
				pp->frame->scope = pp->frame;
				pp->frame->macro = m;
				pp->frame->args = args;
				continue;
			}
		}
		return t;
	}
}

void pp_init(struct pp *pp, struct session *s, struct source_file *f)
{
	memset(pp, 0, sizeof(*pp));
	pp->s = s;
	pp->file = f;
	int before = diag_error_count();
	lex_file(f, &pp->toks);
	collect_defines(&pp->toks, &pp->local_macros, false);
	pp->lex_errors = diag_error_count() - before;
	pp->eof = pp->toks.t[pp->toks.len - 1];
	struct pp_frame *root = arena_alloc(sizeof(*root));
	root->toks = pp->toks.t;
	root->len = pp->toks.len;
	pp->frame = root;
}

const struct token *pp_peek(struct pp *pp, int n)
{
	while (pp->nlookahead <= n)
		pp->lookahead[pp->nlookahead++] = pp_fetch(pp, true);
	return &pp->lookahead[n];
}

struct token pp_next(struct pp *pp)
{
	if (pp->nlookahead) {
		struct token t = pp->lookahead[0];
		memmove(pp->lookahead, pp->lookahead + 1, sizeof(struct token) * (size_t)--pp->nlookahead);
		return t;
	}
	return pp_fetch(pp, true);
}
