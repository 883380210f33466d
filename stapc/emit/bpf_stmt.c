// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bpf_stmt.c - statements of a handler as BPF C, and what a handler sends
 * the tool: printf and friends, log, warn, error, exit, as records.
 */
#include "../builtins/builtins.h"
#include "emitters.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *tmp(struct kgen *k)
{
	return arena_printf("t%d", k->tmp++);
}

static bool lazy_local(const struct expr *x)
{
	return x->kind == E_SYMBOL && x->sym && x->sym->kind == SYM_LOCAL &&
	       x->type == VT_STRING && place_of(x->sym)->rep == SREP_LAZY;
}

/* The printf format that print/println/printd/printdln and sprint* mean. */
static const char *print_format(const struct expr *x)
{
	if (x->has_format)
		return decode_escapes(x->str);
	struct strbuf sb = { 0 };
	const char *delim = "";
	if (x->print_kind == PRINT_PRINTD || x->print_kind == PRINT_PRINTDLN) {
		/* A '%' in the delimiter is text, not a conversion. */
		struct strbuf d = { 0 };
		for (const char *c = decode_escapes(x->str); *c; c++) {
			if (*c == '%')
				sb_putc(&d, '%');
			sb_putc(&d, *c);
		}
		delim = arena_strdup(d.buf ? d.buf : "");
		sb_free(&d);
	}
	bool spaced = x->print_kind == PRINT_PRINTLN && false;
	for (int i = 0; i < x->args.len; i++) {
		const struct expr *a = vec_at(&x->args, i);
		if (i)
			sb_puts(&sb, spaced ? " " : delim);
		sb_puts(&sb, a->type == VT_STRING ? "%s" : "%d");
	}
	if (x->print_kind == PRINT_PRINTLN || x->print_kind == PRINT_PRINTDLN)
		sb_putc(&sb, '\n');
	const char *r = arena_strdup(sb.buf ? sb.buf : "");
	sb_free(&sb);
	return r;
}

/* The values a format consumes, in order: its arguments, '*' ones included. */
static int out_value_size(struct kgen *k, struct expr *a)
{
	return a->type == VT_STRING ? kgen_out_size(k, a) + 1 : 8;
}

/*
 * The record room a lazy function's result takes, decided by the planning
 * per call as kgen_call_slot() is: what the callee's returns were found to
 * take when the call was planned.
 */
static int call_out_size(struct kgen *k, const struct expr *call)
{
	int *size = &place_of(call)->out_size;
	if (k->run->planning)
		*size = place_of(call->fn)->out_size > LAZY_MAX ? place_of(call->fn)->out_size
								 : LAZY_MAX;
	return *size;
}

int kgen_out_size(struct kgen *k, struct expr *x)
{
	int max = (int)k->pl->maxstringlen;
	switch (x->kind) {
	case E_STRING:
		return 3;
	case E_CONCAT:
		return kgen_out_size(k, x->left) + kgen_out_size(k, x->right);
	case E_TERNARY: {
		int a = kgen_out_size(k, x->left), b = kgen_out_size(k, x->right);
		return a > b ? a : b;
	}
	case E_PRINT: {
		int n = 3;
		for (int i = 0; i < x->args.len; i++)
			n += out_value_size(k, vec_at(&x->args, i));
		return n;
	}
	case E_SYMBOL:
		return lazy_local(x) ? LAZY_MAX : 3 + max;
	case E_TARGET:
		if (x->name && !strcmp(x->name, "$$return"))
			return 13;
		if (x->name && x->name[1] == '$')
			return 5 + 8 * 6; /* STP_UREGS registers */
		return 3 + max;
	case E_CALL:
		if (builtin_of(x->fn) && builtin_of(x->fn)->bpf_out_size)
			return builtin_of(x->fn)->bpf_out_size(k, x);
		if (x->fn && !x->fn->builtin && place_of(x->fn)->rep == SREP_LAZY)
			return call_out_size(k, x);
		return 11 + max;
	default:
		return 3 + max;
	}
}

static void put_value(struct kgen *k, struct expr *a, const char *rec)
{
	if (a->type == VT_STRING) {
		kgen_out(k, a, rec);
		cw_line(k->w, "stp_put_u8(%s, STP_P_END);", rec);
	} else {
		cw_line(k->w, "stp_put_s64(%s, %s);", rec, kgen_long(k, a));
	}
}

static void out_call(struct kgen *k, struct expr *x, const char *rec)
{
	struct vec *a = &x->args;
	const struct builtin *b = builtin_of(x->fn);
	if (b && b->bpf_out) {
		b->bpf_out(k, x, rec);
	} else if (x->fn && !x->fn->builtin && place_of(x->fn)->rep == SREP_LAZY) {
		struct strbuf sb = { 0 };
		for (int i = 0; i < a->len; i++) {
			struct expr *arg = vec_at(a, i);
			sb_printf(&sb, ", %s", arg->type == VT_STRING ? kgen_str(k, arg) : kgen_long(k, arg));
		}
		cw_line(k->w, "%s(fr, ctx, %s, %s, %s%s);", gen_function(x->fn), kgen_regs_arg(k, x),
			kgen_slot(k, kgen_call_slot(k, x)), rec,
			sb.buf ? sb.buf : "");
		sb_free(&sb);
		cw_line(k->w, "if (fr->error || fr->unwind) goto %s;", kgen_jump(k, k->err_label));
	} else {
		cw_line(k->w, "stp_put_str(%s, %s);", rec, kgen_str(k, x));
	}
}

void kgen_out(struct kgen *k, struct expr *x, const char *rec)
{
	switch (x->kind) {
	case E_STRING:
		cw_line(k->w, "stp_put_u8(%s, STP_P_LIT);", rec);
		cw_line(k->w, "stp_put_u16(%s, %d);", rec, kgen_literal(k, decode_escapes(x->str)));
		return;
	case E_CONCAT:
		kgen_out(k, x->left, rec);
		kgen_out(k, x->right, rec);
		return;
	case E_TERNARY:
		cw_open(k->w, "if (%s)", kgen_long(k, x->cond));
		kgen_out(k, x->left, rec);
		cw_close(k->w, NULL);
		cw_open(k->w, "else");
		kgen_out(k, x->right, rec);
		cw_close(k->w, NULL);
		return;
	case E_PRINT:
		/* sprintf and sprint*: the tool formats them. */
		cw_line(k->w, "stp_put_u8(%s, STP_P_FMT);", rec);
		cw_line(k->w, "stp_put_u16(%s, %d);", rec, kgen_format(k, print_format(x)));
		for (int i = 0; i < x->args.len; i++)
			put_value(k, vec_at(&x->args, i), rec);
		return;
	case E_SYMBOL:
		if (lazy_local(x)) {
			cw_line(k->w, "stp_put_pieces(%s, %s, %s_len, %d);", rec, gen_local(x->sym),
				gen_local(x->sym), LAZY_MAX);
			return;
		}
		cw_line(k->w, "stp_put_str(%s, %s);", rec, kgen_str(k, x));
		return;
	case E_CALL:
		out_call(k, x, rec);
		return;
	case E_TARGET:
		if (x->name && x->name[1] == '$') {
			/* $$parms, $$return: registers now, names and types by the tool. */
			if (!kgen_usite(k)) {
				diag_error(&x->loc, "%s is not supported in this kind of probe yet", x->name);
				return;
			}
			if (k->run->planning)
				k->run->planning->uses_uparms = true;
			if (strcmp(x->name, "$$return") && k->variant->entry_stash)
				/* A return: the registers its entry program kept. */
				cw_line(k->w, "stp_put_uparms_vals(%s, %s, stp_stash->a);", rec, kgen_usite(k));
			else
				cw_line(k->w, "stp_put_%s(%s, %s, (struct pt_regs *)ctx);",
					strcmp(x->name, "$$return") ? "uparms" : "uret", rec, kgen_usite(k));
			return;
		}
		cw_line(k->w, "stp_put_str(%s, %s);", rec, kgen_str(k, x));
		return;
	default:
		cw_line(k->w, "stp_put_str(%s, %s);", rec, kgen_str(k, x));
	}
}

/* ------------------------------------------------------------ records */

/*
 * Planning, a new site; writing, the one the planning made here: the
 * writings meet their sites in the same order.
 */
const struct out_site *kgen_new_site(struct kgen *k, enum site_kind kind, struct expr *x,
				     const char *fmt)
{
	struct plan *planning = k->run->planning;
	if (!planning) {
		const struct out_site *s = k->run->next_site < k->pl->sites.len
						   ? vec_at(&k->pl->sites, k->run->next_site++)
						   : NULL;
		if (!s || s->kind != kind) {
			fprintf(stderr, "stapc: bug: a record site at %d:%d was not planned\n",
				x->loc.line, x->loc.col);
			abort();
		}
		return s;
	}
	struct out_site *s = arena_alloc(sizeof(*s));
	s->kind = kind;
	s->x = x;
	s->format = fmt ? plan_format(planning, fmt) : -1;
	s->id = planning->sites.len;
	vec_push(&planning->sites, s);
	return s;
}

/* The room a record of site s takes, as the planning (which made s) finds it. */
void kgen_site_size(struct kgen *k, const struct out_site *s, int size)
{
	if (k->run->planning)
		((struct out_site *)s)->max_size = size;
}

/* A record of one site: its values, in order, then submitted. */
void kgen_send(struct kgen *k, const struct out_site *site, struct vec *values, bool wake)
{
	int size = 4;
	for (int i = 0; i < values->len; i++)
		size += out_value_size(k, vec_at(values, i));
	size = (size + 7) & ~7;
	kgen_site_size(k, site, size);
	const char *r = tmp(k);
	cw_line(k->w, "struct stp_rec %s;", r);
	cw_open(k->w, "if (!stp_rec_begin(&%s, %d, %d))", r, size, site->id);
	const char *rec = arena_printf("&%s", r);
	/* An error while the record is half written gives its room back first. */
	const char *outer = k->err_label;
	k->err_label = arena_printf("%s_fail", r);
	for (int i = 0; i < values->len; i++)
		put_value(k, vec_at(values, i), rec);
	cw_line(k->w, "stp_rec_end(%s, %d);", rec, wake);
	bool failed = kgen_jumped(k, k->err_label);
	k->err_label = outer;
	if (failed) {
		cw_line(k->w, "goto %s_done;", r);
		cw_line(k->w, "%s_fail:", r);
		cw_line(k->w, "bpf_ringbuf_discard(%s.p, 0);", r);
		cw_line(k->w, "goto %s;", kgen_jump(k, outer));
	}
	cw_close(k->w, NULL);
	if (failed)
		cw_line(k->w, "%s_done:;", r);
}

static void print_stmt(struct kgen *k, struct expr *x)
{
	const struct out_site *site = kgen_new_site(k, SITE_PRINT, x, print_format(x));
	kgen_send(k, site, &x->args, false);
}

bool kgen_plain_ok(const struct expr *x)
{
	switch (x->kind) {
	case E_STRING:
	case E_INDEX:
		return true;
	case E_SYMBOL:
		return !lazy_local(x);
	case E_CONCAT:
	case E_TERNARY:
		return kgen_plain_ok(x->left) && kgen_plain_ok(x->right);
	case E_PRINT:
		if (!x->print_to_string || !x->has_format || !bpf_can_format(decode_escapes(x->str)))
			return false;
		for (int i = 0; i < x->args.len; i++) {
			const struct expr *a = vec_at(&x->args, i);
			if (a->type == VT_STRING && !kgen_plain_ok(a))
				return false;
		}
		return true;
	case E_CALL:
		if (!x->fn)
			return false;
		if (!x->fn->builtin)
			return place_of(x->fn)->rep != SREP_LAZY;
		return !builtin_call_has(x, BI_TOOL_STR);
	default:
		return false;
	}
}

/* ------------------------------------------------------------ statements */

static void assign_lazy(struct kgen *k, struct expr *x)
{
	const char *l = gen_local(x->left->sym);
	const char *r = tmp(k);
	cw_line(k->w, "struct stp_rec %s = { .p = %s, .size = %d };", r, l, LAZY_MAX);
	kgen_out(k, x->right, arena_printf("&%s", r));
	cw_line(k->w, "%s_len = %s.off;", l, r);
}

static void expr_stmt(struct kgen *k, struct expr *x)
{
	if (x->kind == E_PRINT && !x->print_to_string) {
		print_stmt(k, x);
		return;
	}
	const struct builtin *b = x->kind == E_CALL ? builtin_of(x->fn) : NULL;
	if (b && b->bpf_stmt) {
		/* log, warn, error, exit...: records the tool acts on. */
		b->bpf_stmt(k, x);
		return;
	}
	if (x->kind == E_ASSIGN && lazy_local(x->left) && !strcmp(x->op, "=")) {
		assign_lazy(k, x);
		return;
	}
	if (x->type == VT_STRING)
		kgen_str(k, x);
	else
		kgen_effect(k, x);
}

static void loop_guard(struct kgen *k, const char *it, const struct loc *loc)
{
	cw_open(k->w, "if (++%s > %lld)", it, (long long)k->pl->maxactions);
	int id = kgen_literal(k, runtime_error_text("MAXACTION exceeded", "keyword", loc));
	cw_line(k->w, "fr->error = %d;", id + 1);
	cw_line(k->w, "fr->unwind = 1;");
	cw_line(k->w, "goto %s;", kgen_jump(k, k->err_label));
	cw_close(k->w, NULL);
}

static void delete_stmt(struct kgen *k, struct stmt *s)
{
	struct expr *x = s->expr;
	if (x->kind == E_INDEX && x->sym) {
		struct vec *args = &x->args;
		struct strbuf mask = { 0 };
		for (int i = 0; i < args->len; i++)
			sb_putc(&mask, vec_at(args, i) ? '1' : '0');
		const char *kv = tmp(k);
		cw_line(k->w, "struct key_%s %s = {};", x->sym->name, kv);
		for (int i = 0; i < args->len; i++) {
			struct expr *ix = vec_at(args, i);
			if (!ix)
				continue; /* a[k, *]: any value there */
			if (x->sym->keys[i] == VT_STRING)
				cw_line(k->w, "stp_strncpy(%s.k%d, %s, sizeof(%s.k%d));", kv, i,
					kgen_str(k, ix), kv, i);
			else
				cw_line(k->w, "%s.k%d = %s;", kv, i, kgen_long(k, ix));
		}
		if (strchr(mask.buf, '0')) {
			/* The elements the fixed indexes match, as the map is walked. */
			const char *slice = arena_printf("%s/%s", x->sym->name, mask.buf);
			int id = k->run->planning ? plan_slice(k->run->planning, slice)
						  : plan_slice_id(k->pl, slice);
			cw_line(k->w, "bpf_for_each_map_elem(&m_%s, stp_del_slice_%d, &%s, 0);",
				x->sym->name, id, kv);
			sb_free(&mask);
			return;
		}
		sb_free(&mask);
		cw_line(k->w, "bpf_map_delete_elem(&m_%s, &%s);", x->sym->name, kv);
		if (x->sym->decl && x->sym->decl->wrap)
			cw_line(k->w, "bpf_map_delete_elem(&wseq_%s, &%s);", x->sym->name, kv);
		return;
	}
	if (x->kind == E_SYMBOL && x->sym && x->sym->arity > 0) {
		cw_line(k->w, "bpf_for_each_map_elem(&m_%s, stp_clear_elem, 0, 0);", x->sym->name);
		if (x->sym->decl && x->sym->decl->wrap)
			cw_line(k->w, "bpf_for_each_map_elem(&wseq_%s, stp_clear_elem, 0, 0);",
				x->sym->name);
		return;
	}
	if (x->kind == E_SYMBOL && x->sym && x->sym->arity == 0) {
		if (x->sym->type == VT_STRING)
			cw_line(k->w, "%s[0] = 0;", kgen_str(k, x));
		else if (x->sym->type == VT_LONG)
			cw_line(k->w, "%s = 0;", kgen_long(k, x));
		else
			diag_error(&x->loc, "clearing statistics is done in the tool: move it to a timer "
					    "or end probe");
		return;
	}
	diag_error(&x->loc, "deleting a whole array is done in the tool: move it to a timer or end "
			    "probe");
}

static void try_stmt(struct kgen *k, struct stmt *s)
{
	const char *outer = k->err_label;
	const char *catch = arena_printf("catch%d", k->tmp++);
	const char *done = arena_printf("done%d", k->tmp++);
	k->err_label = catch;
	k->try_depth++;
	kgen_stmt(k, s->body);
	k->try_depth--;
	k->err_label = outer;
	if (!kgen_jumped(k, catch))
		return; /* nothing in the body can fail: no catch to write */
	cw_line(k->w, "goto %s;", done);
	cw_line(k->w, "%s:", catch);
	/* As stap's: running out of MAXACTION is not for a script to catch. */
	cw_line(k->w, "if (fr->unwind)");
	cw_line(k->w, "\tgoto %s;", kgen_jump(k, outer));
	/* Caught: the tool never hears of it. */
	cw_line(k->w, "fr->error = 0;");
	if (s->catch_var && s->catch_var->sym)
		cw_line(k->w, "stp_strcpy(%s, fr->cmsg);", gen_local(s->catch_var->sym));
	kgen_stmt(k, s->els);
	cw_line(k->w, "%s:;", done);
}

void kgen_stmt(struct kgen *k, struct stmt *s)
{
	if (!s)
		return;
	if (s->kind != S_BLOCK && s->loc.file)
		cw_loc(k->w, &s->loc);
	switch (s->kind) {
	case S_BLOCK:
		for (int i = 0; i < s->stmts.len; i++)
			kgen_stmt(k, vec_at(&s->stmts, i));
		return;
	case S_NULL:
		return;
	case S_EXPR:
		cw_block(k->w);
		expr_stmt(k, s->expr);
		cw_close(k->w, NULL);
		return;
	case S_IF:
		cw_block(k->w);
		cw_open(k->w, "if (%s)", kgen_long(k, s->expr));
		kgen_stmt(k, s->body);
		cw_close(k->w, NULL);
		if (s->els) {
			cw_open(k->w, "else");
			kgen_stmt(k, s->els);
			cw_close(k->w, NULL);
		}
		cw_close(k->w, NULL);
		return;
	case S_FOR: {
		/* Every loop is bounded by MAXACTION, which the verifier also needs. */
		const char *it = tmp(k);
		const char *outer_break = k->break_label;
		k->break_label = arena_printf("brk%d", k->tmp++);
		cw_block(k->w);
		cw_line(k->w, "u32 %s = 0;", it);
		if (s->init)
			kgen_stmt(k, s->init);
		cw_open(k->w, "for (;;)");
		cw_line(k->w, "if (!(%s)) break;", kgen_long(k, s->expr));
		loop_guard(k, it, &s->loc);
		k->loop_depth++;
		cw_open(k->w, "do");
		kgen_stmt(k, s->body);
		cw_close(k->w, " while (0);");
		k->loop_depth--;
		if (s->step)
			kgen_effect(k, s->step);
		cw_close(k->w, NULL);
		if (kgen_jumped(k, k->break_label))
			cw_line(k->w, "%s:;", k->break_label);
		cw_close(k->w, NULL);
		k->break_label = outer_break;
		return;
	}
	case S_FOREACH:
		diag_error(&s->loc, "foreach runs in the tool: iterate arrays in a timer, begin or end "
				    "probe, not in a kernel probe handler");
		return;
	case S_DELETE:
		cw_block(k->w);
		delete_stmt(k, s);
		cw_close(k->w, NULL);
		return;
	case S_TRY:
		cw_block(k->w);
		try_stmt(k, s);
		cw_close(k->w, NULL);
		return;
	case S_RETURN:
		cw_block(k->w);
		if (s->expr && k->fn) {
			if (k->fn->type == VT_STRING && place_of(k->fn)->rep == SREP_LAZY) {
				/* Planning: the room its callers' records keep for the result. */
				int n = kgen_out_size(k, s->expr);
				if (k->run->planning && n > place_of(k->fn)->out_size)
					place_of(k->fn)->out_size = n;
				kgen_out(k, s->expr, "ret");
			}
			else if (k->fn->type == VT_STRING)
				cw_line(k->w, "stp_strcpy(ret, %s);", kgen_str(k, s->expr));
			else
				cw_line(k->w, "rv = %s;", kgen_long(k, s->expr));
		}
		cw_line(k->w, "goto %s;", kgen_jump(k, k->ret_label));
		cw_close(k->w, NULL);
		return;
	case S_NEXT:
		/* In a function: the probe's handler ends too, past any try. */
		if (k->fn)
			cw_line(k->w, "fr->unwind = 1;");
		cw_line(k->w, "goto %s;", kgen_jump(k, k->fn ? k->ret_label : "out"));
		return;
	case S_BREAK:
		/* Our loops wrap the body in do { } while (0): break out of both. */
		cw_line(k->w, "goto %s;", kgen_jump(k, k->break_label));
		return;
	case S_CONTINUE:
		cw_line(k->w, "break; /* continue: leave the body's do-while */");
		return;
	case S_EMBEDDED:
		diag_error(&s->loc, k->pl->s->backend.backend == BACKEND_MODULE
					    ? "the kernel-module backend cannot run embedded C yet"
					    : "embedded C cannot run in a BPF program");
		return;
	}
}
