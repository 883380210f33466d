// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * user_expr.c - expressions and statements of handlers that run in the
 * tool (begin, end, timers) and of functions they call, as plain C over the
 * runtime (runtime/user/stp_gen.h). Strings are MAXSTRINGLEN buffers on
 * the stack; arrays are struct stp_map, in the tool or in BPF alike.
 */
#include "user.h"

#include "../builtins/builtins.h"
#include "emitters.h"

#include <string.h>

const char *ugen_tmp(struct ugen *u)
{
	return arena_printf("t%d", u->tmp++);
}

const char *ugen_strtmp(struct ugen *u)
{
	const char *t = ugen_tmp(u);
	cw_line(u->w, "char %s[STP_MAXSTR];", t);
	return t;
}

const char *ugen_map(const struct symbol *g)
{
	return arena_printf("m_%s", g->name);
}

void ugen_check_error(struct ugen *u)
{
	cw_line(u->w, "if (rt->in_error) goto %s;", u->err_label);
}

/* After a call of builtin x that may fault: stap names the call. */
void ugen_check_fault(struct ugen *u, struct expr *x)
{
	cw_open(u->w, "if (rt->in_error)");
	cw_line(u->w, "rt->error_where = %s;",
		ugen_where(arena_printf("identifier '%s'", x->fn->name), &x->loc));
	cw_line(u->w, "goto %s;", u->err_label);
	cw_close(u->w, NULL);
}

static void fail(struct ugen *u, const struct loc *loc, const char *msg, const char *near)
{
	cw_line(u->w, "stp_error_at(rt, %s, %s);", c_string(msg), ugen_where(near, loc));
	cw_line(u->w, "goto %s;", u->err_label);
}

/* Where an error happened, as C: " near NEAR at FILE:LINE:COL". */
const char *ugen_where(const char *near, const struct loc *loc)
{
	return c_string(runtime_error_text("", near, loc));
}

static bool in_k(const struct symbol *g)
{
	return place_of(g)->sides & SIDE_K;
}

/* ------------------------------------------------------------ variables */

static const char *scalar(struct ugen *u, struct expr *x)
{
	(void)u;
	struct symbol *s = x->sym;
	if (s->kind != SYM_GLOBAL)
		return gen_local(s);
	if (in_k(s))
		return arena_printf("KG->%s", gen_global(s));
	return gen_global(s);
}

/* The key struct of an array access, filled. */
static const char *array_key(struct ugen *u, struct symbol *sym, struct vec *indexes)
{
	const char *k = ugen_tmp(u);
	if (sym->arity == 0) {
		cw_line(u->w, "u32 %s = 0;", k);
		return k;
	}
	cw_line(u->w, "struct key_%s %s;", sym->name, k);
	cw_line(u->w, "memset(&%s, 0, sizeof(%s));", k, k);
	for (int i = 0; i < indexes->len; i++) {
		struct expr *ix = vec_at(indexes, i);
		if (!ix)
			continue;
		if (sym->keys[i] == VT_STRING)
			cw_line(u->w, "stp_strncpy(%s.k%d, %s, sizeof(%s.k%d));", k, i, ugen_str(u, ix), k,
				i);
		else
			cw_line(u->w, "%s.k%d = %s;", k, i, ugen_long(u, ix));
	}
	return k;
}

static const char *array_get(struct ugen *u, struct expr *x, const char **keyp)
{
	const char *k = array_key(u, x->sym, &x->args);
	if (keyp)
		*keyp = k;
	const char *p = ugen_tmp(u);
	cw_line(u->w, "const void *%s = stp_map__get(%s, &%s);", p, ugen_map(x->sym), k);
	return p;
}

static void array_set(struct ugen *u, struct expr *x, const char *key, const char *valp)
{
	cw_line(u->w, "if (!stp_map__set(rt, %s, &%s, %s)) goto %s;", ugen_map(x->sym), key, valp,
		u->err_label);
}

/* ------------------------------------------------------------ statistics */

/* The merged statistics of a stats expression (scalar or element), or NULL. */
static const char *stats_of(struct ugen *u, struct expr *x)
{
	struct expr *base = x;
	struct vec none = { 0 };
	struct symbol *sym = base->sym;
	if (!sym) {
		diag_error(&x->loc, "statistics must be a global or an element of a global array");
		return "NULL";
	}
	const char *k = array_key(u, sym, base->kind == E_INDEX ? &base->args : &none);
	const char *p = ugen_tmp(u);
	cw_line(u->w, "const struct stat_%s *%s = stp_map__get(%s, &%s);", sym->name, p,
		ugen_map(sym), k);
	return p;
}

static const char *stat_op(struct ugen *u, struct expr *x)
{
	const char *p = stats_of(u, x->left);
	const char *t = ugen_tmp(u);
	if (!strcmp(x->op, "@variance")) {
		const char *bits = x->args.len ? ugen_long(u, vec_at(&x->args, 0)) : "0";
		cw_line(u->w, "s64 %s = stp_stat_variance(rt, %s ? &%s->s : NULL, %s);", t, p, p, bits);
	} else {
		const char *op = !strcmp(x->op, "@count") ? "COUNT" : !strcmp(x->op, "@sum") ? "SUM"
				 : !strcmp(x->op, "@min")     ? "MIN"
				 : !strcmp(x->op, "@max")     ? "MAX"
							      : "AVG";
		cw_line(u->w, "s64 %s = stp_stat_extract(rt, %s ? &%s->s : NULL, STP_AGG_%s);", t, p, p,
			op);
	}
	ugen_check_error(u);
	return t;
}

static void stats_add(struct ugen *u, struct expr *target, const char *v)
{
	struct symbol *sym = target->sym;
	struct vec none = { 0 };
	struct place_info *pi = place_of(sym);
	const char *k = array_key(u, sym, target->kind == E_INDEX ? &target->args : &none);
	const char *p = ugen_tmp(u);
	cw_line(u->w, "struct stat_%s *%s = stp_map__ref(rt, %s, &%s);", sym->name, p, ugen_map(sym), k);
	cw_line(u->w, "if (!%s) goto %s;", p, u->err_label);
	cw_line(u->w, "stp_stat_add_u(&%s->s, %s, %d, %d, %lldLL, %lldLL, %lldLL, %s);", p,
		pi->buckets ? arena_printf("%s->h", p) : "NULL", pi->buckets, pi->hist,
		(long long)pi->lo, (long long)pi->hi, (long long)pi->step, v);
}

/* ------------------------------------------------------------ calls */

static const char *builtin_long(struct ugen *u, struct expr *x)
{
	const struct builtin *b = builtin_of(x->fn);
	if (b && b->user_long)
		return b->user_long(u, x);
	if (b && b->user_c)
		return b->user_c;
	diag_error(&x->loc, "'%s' is not available in a begin, end or timer probe", x->fn->name);
	return "0";
}

static const char *builtin_str(struct ugen *u, struct expr *x)
{
	const struct builtin *b = builtin_of(x->fn);
	const char *d = ugen_strtmp(u);
	if (b && b->user_str)
		b->user_str(u, x, d);
	else
		diag_error(&x->loc, "'%s' is not available in a begin, end or timer probe",
			   x->fn->name);
	return d;
}

static const char *call_args(struct ugen *u, struct expr *x)
{
	struct strbuf sb = { 0 };
	for (int i = 0; i < x->args.len; i++) {
		struct expr *a = vec_at(&x->args, i);
		sb_printf(&sb, ", %s", a->type == VT_STRING ? ugen_str(u, a) : ugen_long(u, a));
	}
	const char *r = arena_strdup(sb.buf ? sb.buf : "");
	sb_free(&sb);
	return r;
}

static const char *call(struct ugen *u, struct expr *x)
{
	if (x->fn->builtin) {
		const struct builtin *b = builtin_of(x->fn);
		if (b && b->user_stmt) {
			/* Called for what it does: exit, log, error... */
			b->user_stmt(u, x);
			return "0";
		}
		return x->type == VT_STRING ? builtin_str(u, x) : builtin_long(u, x);
	}
	const char *args = call_args(u, x);
	if (x->fn->type == VT_STRING) {
		const char *d = ugen_strtmp(u);
		cw_line(u->w, "%s(rt, %s%s);", gen_function(x->fn), d, args);
		ugen_check_error(u);
		return d;
	}
	const char *t = ugen_tmp(u);
	if (x->fn->type == VT_LONG)
		cw_line(u->w, "s64 %s = %s(rt%s);", t, gen_function(x->fn), args);
	else
		cw_line(u->w, "%s(rt%s); s64 %s = 0;", gen_function(x->fn), args, t);
	ugen_check_error(u);
	return t;
}

/* ------------------------------------------------------------ printing */

static const char *args_array(struct ugen *u, struct vec *args)
{
	if (!args->len)
		return "NULL";
	struct strbuf sb = { 0 };
	for (int i = 0; i < args->len; i++) {
		struct expr *a = vec_at(args, i);
		if (a->kind == E_HIST)
			continue;
		if (a->type == VT_STRING)
			sb_printf(&sb, "%sstp_arg__str(%s)", sb.len ? ", " : "", ugen_str(u, a));
		else
			sb_printf(&sb, "%sstp_arg__int(%s)", sb.len ? ", " : "", ugen_long(u, a));
	}
	const char *t = ugen_tmp(u);
	cw_line(u->w, "struct stp_arg %s[] = { %s };", t, sb.buf);
	sb_free(&sb);
	return t;
}

/* print(@hist_log(s)): the histogram, printed or as a string. */
static void hist(struct ugen *u, struct expr *h, const char *dst)
{
	const char *p = stats_of(u, h->left);
	struct place_info *pi = place_of(h->left->sym);
	cw_line(u->w, "stp_hist_str(rt, %s, %s ? &%s->s : NULL, %s ? %s->h : NULL, %d, %lldLL, "
		      "%lldLL, %lldLL);",
		dst, p, p, p, p, pi->hist, (long long)pi->lo, (long long)pi->hi, (long long)pi->step);
}

static const char *print(struct ugen *u, struct expr *x, bool want_string)
{
	/* A histogram is one value that prints as many lines. */
	if (x->args.len == 1 && ((struct expr *)vec_at(&x->args, 0))->kind == E_HIST) {
		const char *d = ugen_strtmp(u);
		cw_line(u->w, "char %s_big[65536];", d);
		hist(u, vec_at(&x->args, 0), arena_printf("%s_big", d));
		if (want_string) {
			cw_line(u->w, "stp_strcpy(%s, %s_big);", d, d);
			return d;
		}
		cw_line(u->w, "stp_out_str(rt, %s_big);", d);
		if (x->print_kind == PRINT_PRINTLN)
			cw_line(u->w, "stp_out_str(rt, \"\\n\");");
		return "0";
	}
	const char *args = args_array(u, &x->args);
	const char *n = arena_printf("%d", x->args.len);
	const char *d = want_string ? ugen_strtmp(u) : NULL;
	if (x->has_format) {
		const char *fmt = decode_escapes(x->str);
		int f = u->planning ? plan_format(u->planning, fmt) : plan_format_id(u->pl, fmt);
		if (d)
			cw_line(u->w, "stp_sprintf(rt, %s, %d, %s, %s);", d, f, args, n);
		else
			cw_line(u->w, "stp_printf(rt, %d, %s, %s);", f, args, n);
		return d ? d : "0";
	}
	const char *delim = x->print_kind == PRINT_PRINTD || x->print_kind == PRINT_PRINTDLN
				    ? c_string(decode_escapes(x->str))
				    : "NULL";
	bool nl = x->print_kind == PRINT_PRINTLN || x->print_kind == PRINT_PRINTDLN;
	if (d)
		cw_line(u->w, "stp_sprint(rt, %s, %s, %d, %s, %s);", d, delim, nl, args, n);
	else
		cw_line(u->w, "stp_print(rt, %s, %d, %s, %s);", delim, nl, args, n);
	return d ? d : "0";
}

/* ------------------------------------------------------------ long expressions */

/*
 * l OP r in C with stap's meaning, for a binary operator and a compound
 * assignment alike. For / and %, r must be a temporary already checked
 * for zero (it is read twice).
 */
static const char *arith(const char *op, const char *l, const char *r)
{
	if (!strcmp(op, "/") || !strcmp(op, "%"))
		/* INT64_MIN / -1 overflows in C: stap's answer is the wrapped one. */
		return arena_printf("(%s == -1 ? (s64)(0 - (u64)%s) %s : %s %s %s)", r, l,
				    op[0] == '%' ? "* 0" : "", l, op, r);
	if (!strcmp(op, "<<"))
		return arena_printf("(s64)((u64)%s << (%s & 63))", l, r);
	if (!strcmp(op, ">>"))
		return arena_printf("(%s >> (%s & 63))", l, r);
	if (!strcmp(op, "+") || !strcmp(op, "-") || !strcmp(op, "*"))
		/* Wrapping arithmetic, as in the kernel, without C's undefined overflow. */
		return arena_printf("(s64)((u64)%s %s (u64)%s)", l, op, r);
	return arena_printf("(%s %s %s)", l, op, r);
}

/* The right operand of / or % in a temporary, with stap's error for 0. */
static const char *divisor(struct ugen *u, struct expr *x, const char *r)
{
	const char *t = ugen_tmp(u);
	cw_line(u->w, "s64 %s = %s;", t, r);
	cw_open(u->w, "if (!%s)", t);
	fail(u, &x->loc, "division by 0", arena_printf("operator '%s'", x->op));
	cw_close(u->w, NULL);
	return t;
}

static const char *binary(struct ugen *u, struct expr *x)
{
	const char *l = ugen_long(u, x->left);
	const char *r = ugen_long(u, x->right);
	if (!strcmp(x->op, "/") || !strcmp(x->op, "%"))
		r = divisor(u, x, r);
	return arith(x->op, l, r);
}

static const char *logical(struct ugen *u, struct expr *x)
{
	const char *t = ugen_tmp(u);
	bool and = !strcmp(x->op, "&&");
	cw_line(u->w, "s64 %s = %d;", t, and ? 0 : 1);
	cw_open(u->w, "if (%s(%s))", and ? "" : "!", ugen_long(u, x->left));
	cw_line(u->w, "%s = (%s) != 0;", t, ugen_long(u, x->right));
	cw_close(u->w, NULL);
	return t;
}

static const char *ternary(struct ugen *u, struct expr *x, bool str)
{
	const char *t = str ? ugen_strtmp(u) : ugen_tmp(u);
	if (!str)
		cw_line(u->w, "s64 %s;", t);
	cw_open(u->w, "if (%s)", ugen_long(u, x->cond));
	if (str)
		cw_line(u->w, "stp_strcpy(%s, %s);", t, ugen_str(u, x->left));
	else
		cw_line(u->w, "%s = %s;", t, ugen_long(u, x->left));
	cw_close(u->w, NULL);
	cw_open(u->w, "else");
	if (str)
		cw_line(u->w, "stp_strcpy(%s, %s);", t, ugen_str(u, x->right));
	else
		cw_line(u->w, "%s = %s;", t, ugen_long(u, x->right));
	cw_close(u->w, NULL);
	return t;
}

static const char *assign(struct ugen *u, struct expr *x)
{
	struct expr *l = x->left;
	const char *op = x->op;
	if (!strcmp(op, "<<<")) {
		stats_add(u, l, ugen_long(u, x->right));
		return "0";
	}
	if (l->type == VT_STRING) {
		const char *v = ugen_str(u, x->right);
		if (l->kind == E_INDEX) {
			const char *key = array_key(u, l->sym, &l->args);
			if (!strcmp(op, ".=")) {
				const char *cur = ugen_str(u, l);
				const char *t = ugen_strtmp(u);
				cw_line(u->w, "stp_strcpy(%s, %s); stp_strcat(%s, %s);", t, cur, t, v);
				v = t;
			}
			array_set(u, l, key, v);
			return v;
		}
		if (l->kind == E_TARGET) {
			/* procfs's $value: its own buffer, as large as .maxsize(N) says. */
			cw_line(u->w, "stp_procfs_set(rt, %s, %d);", v, !strcmp(op, ".="));
			return "stp_procfs_value(rt)";
		}
		const char *lv = scalar(u, l);
		cw_line(u->w, "%s(%s, %s);", !strcmp(op, ".=") ? "stp_strcat" : "stp_strcpy", lv, v);
		return lv;
	}
	const char *v = ugen_long(u, x->right);
	char bop[3] = { op[0], op[1] == '=' ? 0 : op[1], 0 };
	if (l->kind == E_INDEX) {
		const char *key;
		const char *t = ugen_tmp(u);
		if (!strcmp(op, "=")) {
			key = array_key(u, l->sym, &l->args);
			cw_line(u->w, "s64 %s = %s;", t, v);
		} else {
			const char *p = array_get(u, l, &key);
			cw_line(u->w, "s64 %s = %s ? *(const s64 *)%s : 0;", t, p, p);
			if (!strcmp(bop, "/") || !strcmp(bop, "%"))
				v = divisor(u, x, v);
			cw_line(u->w, "%s = %s;", t, arith(bop, t, v));
		}
		array_set(u, l, key, arena_printf("&%s", t));
		return t;
	}
	const char *lv = scalar(u, l);
	if (!strcmp(op, "="))
		cw_line(u->w, "%s = %s;", lv, v);
	else {
		if (!strcmp(bop, "/") || !strcmp(bop, "%"))
			v = divisor(u, x, v);
		cw_line(u->w, "%s = %s;", lv, arith(bop, lv, v));
	}
	return lv;
}

static const char *incdec(struct ugen *u, struct expr *x)
{
	struct expr *l = x->left;
	const char *d = x->op[0] == '+' ? "1" : "-1";
	const char *t = ugen_tmp(u);
	if (l->kind == E_INDEX) {
		const char *key;
		const char *p = array_get(u, l, &key);
		cw_line(u->w, "s64 %s = %s ? *(const s64 *)%s : 0;", t, p, p);
		const char *n = ugen_tmp(u);
		cw_line(u->w, "s64 %s = %s + %s;", n, t, d);
		array_set(u, l, key, arena_printf("&%s", n));
		return x->kind == E_POSTINC ? t : n;
	}
	const char *lv = scalar(u, l);
	if (x->kind == E_POSTINC)
		cw_line(u->w, "s64 %s = %s; %s += %s;", t, lv, lv, d);
	else
		cw_line(u->w, "s64 %s = (%s += %s);", t, lv, d);
	return t;
}

const char *ugen_long(struct ugen *u, struct expr *x)
{
	switch (x->kind) {
	case E_NUMBER:
		return arena_printf("((s64)%lldLL)", (long long)x->num);
	case E_KCONFIG:
		return arena_printf("((s64)%sstp_kconfig_is(%s, %s))", !strcmp(x->op, "!=") ? "!" : "",
				    c_string(x->name), c_string(x->str));
	case E_SYMBOL:
		return x->sym ? scalar(u, x) : "0";
	case E_INDEX: {
		if (!x->sym) {
			/* @hist_log(s)[i]: the count in bucket i. */
			const char *p = stats_of(u, x->left->left);
			return arena_printf("(%s ? stp_hist_bucket_log(%s->h, %s) : 0)", p, p,
					    ugen_long(u, vec_at(&x->args, 0)));
		}
		const char *p = array_get(u, x, NULL);
		return arena_printf("(%s ? *(const s64 *)%s : 0)", p, p);
	}
	case E_IN: {
		const char *p = array_get(u, x, NULL);
		return arena_printf("(s64)(%s != NULL)", p);
	}
	case E_BINARY:
		return binary(u, x);
	case E_UNARY:
		if (!strcmp(x->op, "-"))
			return arena_printf("(s64)(0 - (u64)%s)", ugen_long(u, x->left));
		return arena_printf("(%s(%s))", x->op, ugen_long(u, x->left));
	case E_LOGICAL:
		return logical(u, x);
	case E_COMPARE:
		if (x->left->type == VT_STRING)
			return arena_printf("(s64)(stp_strcmp(%s, %s) %s 0)", ugen_str(u, x->left),
					    ugen_str(u, x->right), x->op);
		return arena_printf("(s64)(%s %s %s)", ugen_long(u, x->left), x->op,
				    ugen_long(u, x->right));
	case E_REGEX: {
		const char *re = decode_escapes(x->right->str);
		int id = u->planning ? plan_regex(u->planning, re) : plan_regex_id(u->pl, re);
		return arena_printf("(s64)(stp_re_match(stp_re%d, sizeof(stp_re%d) / 257 - 1, %s) %s 1)",
				    id, id, ugen_str(u, x->left), x->op[0] == '=' ? "==" : "!=");
	}
	case E_TERNARY:
		return ternary(u, x, false);
	case E_ASSIGN:
		return assign(u, x);
	case E_PREINC:
	case E_POSTINC:
		return incdec(u, x);
	case E_CALL:
		return x->fn ? call(u, x) : "0";
	case E_STAT:
		return stat_op(u, x);
	case E_PRINT:
		print(u, x, false);
		return "0";
	default:
		diag_error(&x->loc, "this expression is not supported in a begin, end or timer probe");
		return "0";
	}
}

const char *ugen_str(struct ugen *u, struct expr *x)
{
	switch (x->kind) {
	case E_STRING:
		return c_string(decode_escapes(x->str));
	case E_SYMBOL:
		return x->sym ? scalar(u, x) : "\"\"";
	case E_TARGET:
		return "stp_procfs_value(rt)"; /* the only $variable a tool-side probe has */
	case E_CONCAT: {
		const char *d = ugen_strtmp(u);
		cw_line(u->w, "stp_strcpy(%s, %s);", d, ugen_str(u, x->left));
		cw_line(u->w, "stp_strcat(%s, %s);", d, ugen_str(u, x->right));
		return d;
	}
	case E_INDEX: {
		const char *p = array_get(u, x, NULL);
		return arena_printf("(%s ? (const char *)%s : \"\")", p, p);
	}
	case E_TERNARY:
		return ternary(u, x, true);
	case E_ASSIGN:
		return assign(u, x);
	case E_CALL:
		return x->fn ? call(u, x) : "\"\"";
	case E_PRINT:
		return print(u, x, true);
	default:
		diag_error(&x->loc, "this string expression is not supported in a begin, end or timer "
				    "probe yet");
		return "\"\"";
	}
}

/* ------------------------------------------------------------ statements */

/*
 * The statements one pass through s executes at most, as stap's MAXACTION
 * counts them; a loop in it counts one, its body is charged per iteration.
 */
int ugen_actions(const struct stmt *s)
{
	if (!s)
		return 0;
	switch (s->kind) {
	case S_BLOCK: {
		int n = 0;
		for (int i = 0; i < s->stmts.len; i++)
			n += ugen_actions(vec_at(&s->stmts, i));
		return n;
	}
	case S_NULL:
		return 0;
	case S_IF:
		return 1 + ugen_actions(s->body) + ugen_actions(s->els);
	case S_TRY:
		return ugen_actions(s->body) + ugen_actions(s->els);
	default:
		return 1;
	}
}

/* One iteration of the loop s: charged to MAXACTION, or a stop signal. */
static void loop_charge(struct ugen *u, struct stmt *s)
{
	cw_line(u->w, "if (stp_act(rt, %d, %s)) goto %s;", 1 + ugen_actions(s->body),
		ugen_where("keyword", &s->loc), u->err_label);
}

/* A loop's break or continue label, written only if a goto names it. */
static void label_if_jumped(struct ugen *u, const char *label)
{
	for (int i = 0; i < u->jumped.len; i++)
		if (vec_at(&u->jumped, i) == label) {
			cw_line(u->w, "%s:;", label);
			return;
		}
}

static void foreach_stmt(struct ugen *u, struct stmt *s)
{
	struct expr *base = s->base;
	if (base->kind == E_HIST) {
		diag_error(&s->loc, "foreach over a histogram is not supported yet");
		return;
	}
	struct symbol *arr = base->sym;
	const char *it = ugen_tmp(u);
	int column = s->sort_column < 0 ? -1 : s->sort_column;
	const char *agg = "STP_AGG_NONE";
	if (s->sort_agg)
		agg = arena_printf("STP_AGG_%s", !strcmp(s->sort_agg, "@count") ? "COUNT"
						 : !strcmp(s->sort_agg, "@sum") ? "SUM"
						 : !strcmp(s->sort_agg, "@min") ? "MIN"
						 : !strcmp(s->sort_agg, "@max") ? "MAX"
										: "AVG");
	else if (column == 0 && arr->type == VT_STATS)
		agg = "STP_AGG_COUNT";
	/* -1 is "no limit" to the iterator; a limit the script computes below 0 runs no pass, as in stap. */
	const char *limit = "-1";
	if (s->limit && s->limit->kind == E_NUMBER) {
		limit = s->limit->num < 0 ? "0" : ugen_long(u, s->limit);
	} else if (s->limit) {
		limit = ugen_tmp(u);
		cw_line(u->w, "s64 %s = %s;", limit, ugen_long(u, s->limit));
		cw_line(u->w, "%s = %s < 0 ? 0 : %s;", limit, limit, limit);
	}
	const char *slice = "NULL", *fixed = "NULL";
	if (base->kind == E_INDEX) {
		slice = arena_printf("&%s", array_key(u, arr, &base->args));
		const char *f = ugen_tmp(u);
		struct strbuf sb = { 0 };
		for (int i = 0; i < base->args.len; i++)
			sb_printf(&sb, "%s%s", i ? ", " : "", vec_at(&base->args, i) ? "true" : "false");
		cw_line(u->w, "bool %s[] = { %s };", f, sb.buf);
		sb_free(&sb);
		fixed = f;
	}
	cw_line(u->w, "struct stp_iter %s;", it);
	cw_line(u->w, "stp_iter__init(&%s, %s, %d, %d, %s, %s, %s, %s);", it, ugen_map(arr), column,
		s->sort_dir ? s->sort_dir : 1, agg, limit, slice, fixed);
	const char *kp = ugen_tmp(u), *vp = ugen_tmp(u);
	cw_line(u->w, "const void *%s, *%s;", kp, vp);
	const char *outer_err = u->err_label, *outer_brk = u->break_label,
		   *outer_cont = u->continue_label;
	const char *err = arena_printf("ferr%d", u->tmp++);
	const char *brk = arena_printf("fbrk%d", u->tmp++);
	const char *cont = arena_printf("fcont%d", u->tmp++);
	cw_open(u->w, "while (stp_iter__next(&%s, &%s, &%s))", it, kp, vp);
	for (int i = 0; i < s->keys.len; i++) {
		struct expr *k = vec_at(&s->keys, i);
		if (arr->keys[i] == VT_STRING)
			cw_line(u->w, "stp_strcpy(%s, ((const struct key_%s *)%s)->k%d);",
				gen_local(k->sym), arr->name, kp, i);
		else if (arr->arity > 0)
			cw_line(u->w, "%s = ((const struct key_%s *)%s)->k%d;", gen_local(k->sym),
				arr->name, kp, i);
	}
	if (s->value) {
		if (arr->type == VT_STRING)
			cw_line(u->w, "stp_strcpy(%s, (const char *)%s);", gen_local(s->value->sym), vp);
		else
			cw_line(u->w, "%s = *(const s64 *)%s;", gen_local(s->value->sym), vp);
	}
	u->err_label = err;
	u->break_label = brk;
	u->continue_label = cont;
	loop_charge(u, s);
	ugen_stmt(u, s->body);
	label_if_jumped(u, cont);
	cw_close(u->w, NULL);
	cw_line(u->w, "goto %s;", brk);
	cw_line(u->w, "%s:", err);
	cw_line(u->w, "stp_iter__free(&%s);", it);
	cw_line(u->w, "goto %s;", outer_err);
	cw_line(u->w, "%s:", brk);
	cw_line(u->w, "stp_iter__free(&%s);", it);
	u->err_label = outer_err;
	u->break_label = outer_brk;
	u->continue_label = outer_cont;
}

/*
 * delete a[k, *]: the elements whose fixed indexes match, found as foreach
 * over the same slice finds them (the iterator walks a copy, so deleting
 * as it goes is safe).
 */
static void delete_slice(struct ugen *u, struct expr *x)
{
	const char *key = array_key(u, x->sym, &x->args);
	const char *fixed = ugen_tmp(u), *it = ugen_tmp(u), *kp = ugen_tmp(u), *vp = ugen_tmp(u);
	struct strbuf sb = { 0 };
	for (int i = 0; i < x->args.len; i++)
		sb_printf(&sb, "%s%s", i ? ", " : "", vec_at(&x->args, i) ? "true" : "false");
	cw_line(u->w, "bool %s[] = { %s };", fixed, sb.buf);
	sb_free(&sb);
	cw_line(u->w, "struct stp_iter %s;", it);
	cw_line(u->w, "const void *%s, *%s;", kp, vp);
	cw_line(u->w, "stp_iter__init(&%s, %s, -1, 1, STP_AGG_NONE, -1, &%s, %s);", it,
		ugen_map(x->sym), key, fixed);
	cw_open(u->w, "while (stp_iter__next(&%s, &%s, &%s))", it, kp, vp);
	cw_line(u->w, "stp_map__del(%s, %s);", ugen_map(x->sym), kp);
	cw_close(u->w, NULL);
	cw_line(u->w, "stp_iter__free(&%s);", it);
}

static void delete_stmt(struct ugen *u, struct stmt *s)
{
	struct expr *x = s->expr;
	if (x->kind == E_INDEX && x->sym) {
		bool slice = false;
		for (int i = 0; i < x->args.len; i++)
			slice |= vec_at(&x->args, i) == NULL;
		if (slice) {
			delete_slice(u, x);
			return;
		}
		const char *k = array_key(u, x->sym, &x->args);
		cw_line(u->w, "stp_map__del(%s, &%s);", ugen_map(x->sym), k);
		return;
	}
	if (x->kind == E_SYMBOL && x->sym) {
		struct symbol *sym = x->sym;
		if (sym->arity > 0 || sym->type == VT_STATS)
			cw_line(u->w, "stp_map__clear(%s);", ugen_map(sym));
		else if (sym->type == VT_STRING)
			cw_line(u->w, "%s[0] = 0;", scalar(u, x));
		else
			cw_line(u->w, "%s = 0;", scalar(u, x));
		return;
	}
	diag_error(&x->loc, "cannot delete this");
}

static void try_stmt(struct ugen *u, struct stmt *s)
{
	const char *outer = u->err_label;
	const char *catch = arena_printf("catch%d", u->tmp++);
	const char *done = arena_printf("done%d", u->tmp++);
	u->err_label = catch;
	ugen_stmt(u, s->body);
	u->err_label = outer;
	cw_line(u->w, "goto %s;", done);
	cw_line(u->w, "%s:", catch);
	/* MAXACTION, or a stop signal: no catch keeps the handler running. */
	cw_line(u->w, "if (rt->unwinding) goto %s;", outer);
	cw_line(u->w, "rt->in_error = false;");
	if (s->catch_var && s->catch_var->sym)
		cw_line(u->w, "stp_strcpy(%s, rt->error_msg);", gen_local(s->catch_var->sym));
	ugen_stmt(u, s->els);
	cw_line(u->w, "%s:;", done);
}

/*
 * An expression statement's value, dropped: what made it is already
 * written (a temporary, a constant, a variable) and is left out, else the
 * expression is a statement of its own.
 */
static void effect_of(struct ugen *u, const char *v)
{
	const char *p = v;
	while (*p == '(')
		p++;
	if (!strncmp(p, "s64)", 4))
		p += 4;
	if (*p == '-')
		p++;
	/* A name, a number, a global's field (KG->g_x). */
	for (;;) {
		p += strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
		if (p[0] == '-' && p[1] == '>')
			p += 2;
		else
			break;
	}
	if (strspn(p, ")L") != strlen(p))
		cw_line(u->w, "%s;", v);
}

void ugen_stmt(struct ugen *u, struct stmt *s)
{
	if (!s)
		return;
	if (s->kind != S_BLOCK && s->loc.file)
		cw_loc(u->w, &s->loc);
	switch (s->kind) {
	case S_BLOCK:
		for (int i = 0; i < s->stmts.len; i++)
			ugen_stmt(u, vec_at(&s->stmts, i));
		return;
	case S_NULL:
		return;
	case S_EXPR:
		cw_block(u->w);
		if (s->expr->type == VT_STRING)
			ugen_str(u, s->expr);
		else
			effect_of(u, ugen_long(u, s->expr));
		cw_close(u->w, NULL);
		return;
	case S_IF:
		cw_block(u->w);
		cw_open(u->w, "if (%s)", ugen_long(u, s->expr));
		ugen_stmt(u, s->body);
		cw_close(u->w, NULL);
		if (s->els) {
			cw_open(u->w, "else");
			ugen_stmt(u, s->els);
			cw_close(u->w, NULL);
		}
		cw_close(u->w, NULL);
		return;
	case S_FOR: {
		const char *outer_brk = u->break_label, *outer_cont = u->continue_label;
		u->break_label = arena_printf("brk%d", u->tmp++);
		u->continue_label = arena_printf("cont%d", u->tmp++);
		cw_block(u->w);
		if (s->init)
			ugen_stmt(u, s->init);
		cw_open(u->w, "for (;;)");
		loop_charge(u, s);
		cw_line(u->w, "if (!(%s)) break;", ugen_long(u, s->expr));
		ugen_stmt(u, s->body);
		label_if_jumped(u, u->continue_label);
		if (s->step)
			effect_of(u, ugen_long(u, s->step));
		cw_close(u->w, NULL);
		label_if_jumped(u, u->break_label);
		cw_close(u->w, NULL);
		u->break_label = outer_brk;
		u->continue_label = outer_cont;
		return;
	}
	case S_FOREACH:
		cw_block(u->w);
		foreach_stmt(u, s);
		cw_close(u->w, NULL);
		return;
	case S_DELETE:
		cw_block(u->w);
		delete_stmt(u, s);
		cw_close(u->w, NULL);
		return;
	case S_TRY:
		cw_block(u->w);
		try_stmt(u, s);
		cw_close(u->w, NULL);
		return;
	case S_RETURN:
		cw_block(u->w);
		if (s->expr && u->fn) {
			if (u->fn->type == VT_STRING)
				cw_line(u->w, "stp_strcpy(ret, %s);", ugen_str(u, s->expr));
			else
				cw_line(u->w, "rv = %s;", ugen_long(u, s->expr));
		}
		cw_line(u->w, "goto out;");
		cw_close(u->w, NULL);
		return;
	case S_NEXT:
		if (u->fn) {
			/* In a function: the handler that called it ends too. */
			cw_line(u->w, "stp_act_next(rt);");
			cw_line(u->w, "goto %s;", u->err_label);
		} else {
			cw_line(u->w, "goto out;");
		}
		return;
	case S_BREAK:
		vec_push(&u->jumped, (void *)u->break_label);
		cw_line(u->w, "goto %s;", u->break_label);
		return;
	case S_CONTINUE:
		vec_push(&u->jumped, (void *)u->continue_label);
		cw_line(u->w, "goto %s;", u->continue_label);
		return;
	case S_EMBEDDED:
		diag_error(&s->loc, "embedded C is not supported in begin, end and timer probes, "
				    "which run in the tool, nor yet in the kernel-module backend");
		return;
	}
}
