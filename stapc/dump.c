// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dump.c - prints the parse tree in the layout of `stap -p1`, so that the
 * two can be compared with diff. Every operand of an operator is wrapped
 * in parentheses, statements end in ';', and a file's declarations come
 * grouped: embedded code, globals, aliases, probes, functions.
 */
#include "stapc.h"

#include <inttypes.h>
#include <string.h>

static void dump_string(struct strbuf *out, const char *s)
{
	/* Literals hold stap's raw text: only the quote needs escaping again. */
	sb_putc(out, '"');
	for (; *s; s++) {
		if (*s == '"')
			sb_putc(out, '\\');
		sb_putc(out, *s);
	}
	sb_putc(out, '"');
}

/* Format strings and delimiters are re-quoted in full, backslashes too. */
static void dump_qstring(struct strbuf *out, const char *s)
{
	sb_putc(out, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			sb_putc(out, '\\');
		sb_putc(out, *s);
	}
	sb_putc(out, '"');
}

static void dump_paren(struct strbuf *out, const struct expr *e)
{
	sb_putc(out, '(');
	dump_expr(out, e);
	sb_putc(out, ')');
}

static void dump_list(struct strbuf *out, const struct vec *v)
{
	for (int i = 0; i < v->len; i++) {
		if (i)
			sb_puts(out, ", ");
		const struct expr *e = vec_at(v, i);
		if (e)
			dump_expr(out, e);
		else
			sb_putc(out, '*');
	}
}

static void dump_components(struct strbuf *out, const struct vec *comps)
{
	for (int i = 0; i < comps->len; i++) {
		const struct component *c = vec_at(comps, i);
		switch (c->kind) {
		case COMP_FIELD:
			sb_printf(out, "->%s", c->name);
			break;
		case COMP_INDEX:
			sb_putc(out, '[');
			dump_expr(out, c->index);
			sb_putc(out, ']');
			break;
		case COMP_PRETTY:
			sb_puts(out, c->pretty == 2 ? "->$$" : "->$");
			break;
		}
	}
}

static const char *print_name(const struct expr *e)
{
	static const char *const names[] = { "print", "println", "printd", "printdln", "printf" };
	const char *n = names[e->print_kind];
	return e->print_to_string ? arena_printf("s%s", n) : n;
}

void dump_expr(struct strbuf *out, const struct expr *e)
{
	switch (e->kind) {
	case E_NUMBER:
		sb_printf(out, "%" PRId64, e->num);
		break;
	case E_KCONFIG:
		sb_printf(out, "%s %s \"%s\"", e->name, e->op, e->str);
		break;
	case E_STRING:
		dump_string(out, e->str);
		break;
	case E_SYMBOL:
		sb_puts(out, e->name);
		break;
	case E_TARGET:
		if (e->addr_of)
			sb_putc(out, '&');
		sb_puts(out, e->name);
		dump_components(out, &e->comps);
		break;
	case E_CAST:
		if (e->addr_of)
			sb_putc(out, '&');
		sb_puts(out, "@cast(");
		dump_expr(out, e->left);
		sb_puts(out, ", ");
		dump_string(out, e->str);
		if (e->module) {
			sb_puts(out, ", ");
			dump_string(out, e->module);
		}
		sb_putc(out, ')');
		dump_components(out, &e->comps);
		break;
	case E_ATVAR:
		if (e->addr_of)
			sb_putc(out, '&');
		sb_puts(out, "@var(");
		dump_string(out, e->str);
		if (e->module) {
			sb_puts(out, ", ");
			dump_string(out, e->module);
		}
		sb_putc(out, ')');
		dump_components(out, &e->comps);
		break;
	case E_AUTOCAST:
		dump_paren(out, e->left);
		dump_components(out, &e->comps);
		break;
	case E_DEFINED:
	case E_ENTRY:
	case E_PROBEWRITE:
	case E_REGISTER:
		sb_printf(out, "%s(", e->op);
		dump_expr(out, e->left);
		sb_putc(out, ')');
		break;
	case E_PERF:
	case E_CONST:
		sb_printf(out, "%s(", e->op);
		dump_string(out, e->str);
		sb_putc(out, ')');
		break;
	case E_BINARY:
	case E_LOGICAL:
	case E_COMPARE:
	case E_CONCAT:
	case E_ASSIGN:
		dump_paren(out, e->left);
		sb_printf(out, " %s ", e->op);
		dump_paren(out, e->right);
		break;
	case E_REGEX:
		dump_paren(out, e->left);
		sb_printf(out, " %s ", e->op);
		dump_expr(out, e->right);
		break;
	case E_UNARY:
	case E_PREINC:
		sb_puts(out, e->op);
		dump_paren(out, e->left);
		break;
	case E_POSTINC:
		dump_paren(out, e->left);
		sb_puts(out, e->op);
		break;
	case E_TERNARY:
		dump_paren(out, e->cond);
		sb_putc(out, '?');
		dump_paren(out, e->left);
		sb_putc(out, ':');
		dump_paren(out, e->right);
		break;
	case E_IN:
		sb_putc(out, '[');
		dump_list(out, &e->args);
		sb_puts(out, "] in ");
		dump_expr(out, e->left);
		break;
	case E_INDEX:
		dump_expr(out, e->left);
		sb_putc(out, '[');
		dump_list(out, &e->args);
		sb_putc(out, ']');
		break;
	case E_CALL:
		sb_printf(out, "%s(", e->name);
		dump_list(out, &e->args);
		sb_putc(out, ')');
		break;
	case E_PRINT:
		sb_printf(out, "%s(", print_name(e));
		if (e->has_format || e->print_kind == PRINT_PRINTD || e->print_kind == PRINT_PRINTDLN) {
			dump_qstring(out, e->str);
			if (e->args.len)
				sb_puts(out, ", ");
		}
		dump_list(out, &e->args);
		sb_putc(out, ')');
		break;
	case E_STAT:
		sb_printf(out, "%s(", e->op);
		dump_expr(out, e->left);
		if (e->args.len) {
			sb_puts(out, ", ");
			dump_list(out, &e->args);
		}
		sb_putc(out, ')');
		break;
	case E_EMBEDDED:
		sb_printf(out, "%%{ %s %%}", e->str);
		break;
	case E_HIST:
		sb_printf(out, "%s(", e->op);
		dump_expr(out, e->left);
		if (e->args.len) {
			sb_puts(out, ", ");
			dump_list(out, &e->args);
		}
		sb_putc(out, ')');
		break;
	}
}

static void dump_foreach(struct strbuf *out, const struct stmt *s)
{
	sb_puts(out, "foreach (");
	if (s->value) {
		dump_expr(out, s->value);
		sb_puts(out, " = ");
	}
	sb_putc(out, '[');
	for (int i = 0; i < s->keys.len; i++) {
		if (i)
			sb_puts(out, ", ");
		dump_expr(out, vec_at(&s->keys, i));
		if (s->sort_column == i + 1)
			sb_putc(out, s->sort_dir > 0 ? '+' : '-');
	}
	sb_puts(out, "] in ");
	dump_expr(out, s->base);
	if (s->sort_agg)
		sb_printf(out, " %s", s->sort_agg);
	if (s->sort_column == 0)
		sb_putc(out, s->sort_dir > 0 ? '+' : '-');
	if (s->limit) {
		sb_puts(out, " limit ");
		dump_expr(out, s->limit);
	}
	sb_puts(out, ") ");
	dump_stmt(out, s->body);
}

void dump_stmt(struct strbuf *out, const struct stmt *s)
{
	switch (s->kind) {
	case S_BLOCK:
		sb_puts(out, "{\n");
		for (int i = 0; i < s->stmts.len; i++) {
			dump_stmt(out, vec_at(&s->stmts, i));
			sb_puts(out, ";\n");
		}
		sb_putc(out, '}');
		break;
	case S_TRY:
		sb_puts(out, "try {\n");
		dump_stmt(out, s->body);
		sb_puts(out, "\n} catch");
		if (s->catch_var) {
			sb_puts(out, " (");
			dump_expr(out, s->catch_var);
			sb_putc(out, ')');
		}
		sb_puts(out, " {\n");
		dump_stmt(out, s->els);
		sb_puts(out, "\n}\n");
		break;
	case S_EMBEDDED:
		sb_printf(out, "%%{ %s %%}", s->code);
		break;
	case S_NULL:
		sb_putc(out, ';');
		break;
	case S_EXPR:
		dump_expr(out, s->expr);
		break;
	case S_IF:
		sb_puts(out, "if (");
		dump_expr(out, s->expr);
		sb_puts(out, ") ");
		dump_stmt(out, s->body);
		sb_putc(out, '\n');
		if (s->els) {
			sb_puts(out, "else ");
			dump_stmt(out, s->els);
			sb_putc(out, '\n');
		}
		break;
	case S_FOR:
		sb_puts(out, "for (");
		if (s->init)
			dump_stmt(out, s->init);
		sb_puts(out, "; ");
		dump_expr(out, s->expr);
		sb_puts(out, "; ");
		if (s->step)
			dump_expr(out, s->step);
		sb_puts(out, ") ");
		dump_stmt(out, s->body);
		break;
	case S_FOREACH:
		dump_foreach(out, s);
		break;
	case S_RETURN:
		sb_puts(out, "return");
		if (s->expr) {
			sb_putc(out, ' ');
			dump_expr(out, s->expr);
		}
		break;
	case S_DELETE:
		sb_puts(out, "delete ");
		dump_expr(out, s->expr);
		break;
	case S_NEXT:
		sb_puts(out, "next");
		break;
	case S_BREAK:
		sb_puts(out, "break");
		break;
	case S_CONTINUE:
		sb_puts(out, "continue");
		break;
	}
}

void dump_probe_point(struct strbuf *out, const struct probe_point *p)
{
	for (int i = 0; i < p->comps.len; i++) {
		const struct pp_component *c = vec_at(&p->comps, i);
		if (i)
			sb_putc(out, '.');
		sb_puts(out, c->name);
		if (c->arg) {
			sb_putc(out, '(');
			dump_expr(out, c->arg);
			sb_putc(out, ')');
		}
	}
	if (p->sufficient)
		sb_putc(out, '!');
	if (p->optional)
		sb_putc(out, '?');
	if (p->cond) {
		sb_puts(out, " if (");
		dump_expr(out, p->cond);
		sb_putc(out, ')');
	}
}

static void dump_points(struct strbuf *out, const struct vec *points, const char *sep)
{
	for (int i = 0; i < points->len; i++) {
		if (i)
			sb_puts(out, sep);
		dump_probe_point(out, vec_at(points, i));
	}
}

void dump_file(struct strbuf *out, const struct stapfile *f)
{
	sb_printf(out, "# file %s\n", f->src->name);
	for (int i = 0; i < f->embeds.len; i++) {
		const struct embed *e = vec_at(&f->embeds, i);
		sb_printf(out, "%%{%s%%}", e->code);
	}
	for (int i = 0; i < f->globals.len; i++) {
		const struct global *g = vec_at(&f->globals, i);
		sb_printf(out, "global %s", g->name);
		if (g->wrap)
			sb_putc(out, '%');
		if (g->max_entries)
			sb_printf(out, "[%" PRId64 "]", g->max_entries);
		if (g->init) {
			sb_puts(out, " = ");
			dump_expr(out, g->init);
		}
		sb_putc(out, '\n');
	}
	for (int i = 0; i < f->aliases.len; i++) {
		const struct probe *p = vec_at(&f->aliases, i);
		sb_puts(out, "probe ");
		dump_points(out, &p->alias_names, ", ");
		sb_puts(out, p->alias_append ? " += " : " = ");
		dump_points(out, &p->points, ", ");
		dump_stmt(out, p->body);
		sb_putc(out, '\n');
	}
	for (int i = 0; i < f->probes.len; i++) {
		const struct probe *p = vec_at(&f->probes, i);
		sb_puts(out, "probe ");
		dump_points(out, &p->points, ",");
		dump_stmt(out, p->body);
		sb_putc(out, '\n');
	}
	for (int i = 0; i < f->functions.len; i++) {
		const struct function *fn = vec_at(&f->functions, i);
		sb_printf(out, "function %s (", fn->name);
		for (int j = 0; j < fn->params.len; j++) {
			const struct param *pa = vec_at(&fn->params, j);
			sb_printf(out, "%s%s", j ? ", " : "", pa->name);
		}
		sb_puts(out, ")\n");
		if (fn->body->kind == S_EMBEDDED)
			sb_printf(out, "%%{%s%%}", fn->body->code);
		else
			dump_stmt(out, fn->body);
		sb_putc(out, '\n');
	}
	sb_putc(out, '\n');
}
