// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * place.c - pass 3's first step: where each piece of the program runs.
 *
 * Probes on kernel events run in BPF (K); begin, end, error, never and
 * timers run in the tool (U), but for timers whose handler asks for the
 * interrupted task's context (pid(), execname() ...), which run in K. A function runs where it is called from, so
 * it may be compiled for both; a global lives in BPF memory when K code
 * touches it, in the tool's memory otherwise.
 *
 * Strings in K are lazy where they can be: a string made with
 * sprintf, quoting or concatenation that only flows into output is never
 * built in BPF; its pieces travel in the record and the tool assembles
 * them. A local or a function result that holds such a string is "lazy";
 * one that must exist as bytes in BPF (a key, a comparison, a global) is
 * "plain", and a lazy value may not flow there.
 */
#include "stapc.h"
#include "builtins/builtins.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ side table */

struct info_entry {
	const void *key;
	struct place_info info;
	struct info_entry *next;
};

#define INFO_BUCKETS 1024
static struct info_entry *info_tab[INFO_BUCKETS];

struct place_info *place_of(const void *key)
{
	size_t h = ((uintptr_t)key >> 4) % INFO_BUCKETS;
	for (struct info_entry *e = info_tab[h]; e; e = e->next)
		if (e->key == key)
			return &e->info;
	struct info_entry *e = arena_alloc(sizeof(*e));
	e->key = key;
	e->info.slot = -1;
	e->next = info_tab[h];
	info_tab[h] = e;
	return &e->info;
}

/* Forgets every entry: they live in the arena, which is about to be reset. */
void place_reset(void)
{
	memset(info_tab, 0, sizeof(info_tab));
}

/* ------------------------------------------------------------ tables */

static int intern_index(struct vec *v, const char *s)
{
	s = intern(s);
	for (int i = 0; i < v->len; i++)
		if (vec_at(v, i) == s)
			return i;
	vec_push(v, (void *)s);
	return v->len - 1;
}

int plan_literal(struct plan *pl, const char *s)
{
	return intern_index(&pl->literals, s);
}

int plan_format(struct plan *pl, const char *fmt)
{
	return intern_index(&pl->formats, fmt);
}

int plan_regex(struct plan *pl, const char *pattern)
{
	return intern_index(&pl->regexes, pattern);
}

int plan_slice(struct plan *pl, const char *slice)
{
	return intern_index(&pl->slices, slice);
}

/* A number the planning gave out; one it did not means the writings differ. */
static int planned_index(const struct vec *v, const char *s, const char *what)
{
	s = intern(s);
	for (int i = 0; i < v->len; i++)
		if (vec_at(v, i) == s)
			return i;
	fprintf(stderr, "stapc: bug: %s %s was not planned\n", what, c_string(s));
	abort();
}

int plan_literal_id(const struct plan *pl, const char *s)
{
	return planned_index(&pl->literals, s, "literal");
}

int plan_format_id(const struct plan *pl, const char *fmt)
{
	return planned_index(&pl->formats, fmt, "format");
}

int plan_regex_id(const struct plan *pl, const char *pattern)
{
	return planned_index(&pl->regexes, pattern, "regular expression");
}

int plan_slice_id(const struct plan *pl, const char *slice)
{
	return planned_index(&pl->slices, slice, "slice delete");
}

/* C escapes, as the C compiler would read stap's raw string text. */
const char *decode_escapes(const char *raw)
{
	struct strbuf sb = { 0 };
	for (const char *p = raw; *p; p++) {
		if (*p != '\\' || !p[1]) {
			sb_putc(&sb, *p);
			continue;
		}
		p++;
		switch (*p) {
		case 'n': sb_putc(&sb, '\n'); break;
		case 't': sb_putc(&sb, '\t'); break;
		case 'r': sb_putc(&sb, '\r'); break;
		case 'a': sb_putc(&sb, '\a'); break;
		case 'b': sb_putc(&sb, '\b'); break;
		case 'f': sb_putc(&sb, '\f'); break;
		case 'v': sb_putc(&sb, '\v'); break;
		case 'e': sb_putc(&sb, 033); break;
		case 'x': {
			int v = 0, n = 0;
			while (n < 2 && strchr("0123456789abcdefABCDEF", p[1]) && p[1]) {
				char c = *++p;
				v = v * 16 + (c <= '9' ? c - '0' : (c | 32) - 'a' + 10);
				n++;
			}
			sb_putc(&sb, (char)v);
			break;
		}
		case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
			int v = *p - '0', n = 1;
			while (n < 3 && p[1] >= '0' && p[1] <= '7') {
				v = v * 8 + (*++p - '0');
				n++;
			}
			sb_putc(&sb, (char)v);
			break;
		}
		default:
			sb_putc(&sb, *p); /* \\, \", \' and the unknown ones */
		}
	}
	const char *r = arena_strndup(sb.buf ? sb.buf : "", sb.len);
	sb_free(&sb);
	return r;
}

/* ------------------------------------------------------------ sides */

/*
 * A statistics global read by @hist_log keeps 129 buckets: one per power of
 * two of each sign, and zero. One read by @hist_linear(lo, hi, step) keeps
 * (hi - lo) / step buckets plus under- and overflow. One kind per global.
 */
static void note_histogram(struct expr *x)
{
	struct expr *base = x->left;
	struct symbol *sym = base->kind == E_INDEX ? base->sym : base->sym;
	if (!sym)
		return;
	struct place_info *pi = place_of(sym);
	bool log = !strcmp(x->op, "@hist_log");
	int64_t lo = 0, hi = 0, step = 1;
	if (!log) {
		lo = ((struct expr *)vec_at(&x->args, 0))->num;
		hi = ((struct expr *)vec_at(&x->args, 1))->num;
		step = ((struct expr *)vec_at(&x->args, 2))->num;
		if (step <= 0 || hi <= lo || (hi - lo) / step > 100000) {
			diag_error(&x->loc, "@hist_linear(%s, %lld, %lld, %lld): the range must grow and "
					    "the step be positive, with at most 100000 buckets",
				   sym->name, (long long)lo, (long long)hi, (long long)step);
			return;
		}
	}
	int kind = log ? HIST_LOG : HIST_LINEAR;
	if (pi->hist != HIST_NONE &&
	    (pi->hist != kind || pi->lo != lo || pi->hi != hi || pi->step != step)) {
		diag_error(&x->loc, "'%s' is already printed as another histogram: one histogram per "
				    "statistics variable",
			   sym->name);
		return;
	}
	pi->hist = kind;
	pi->lo = lo;
	pi->hi = hi;
	pi->step = step;
	pi->buckets = log ? 128 : (int)((hi - lo) / step) + 3;
}

/* What a handler on one side touches is on that side: globals, functions. */
static enum walk_next mark_expr(struct walker *w, struct expr *x)
{
	enum side side = *(enum side *)w->ctx;
	if (x->kind == E_HIST)
		note_histogram(x);
	if (x->sym && x->sym->kind == SYM_GLOBAL)
		place_of(x->sym)->sides |= side;
	if (x->kind == E_CALL && x->fn) {
		struct place_info *pi = place_of(x->fn);
		if (!(pi->sides & side)) {
			pi->sides |= side;
			if (!x->fn->builtin)
				walk_stmt(w, x->fn->body);
		}
	}
	return WALK_ON;
}

static void mark_handler(struct dprobe *d, enum side side)
{
	struct walker w = { .expr = mark_expr, .ctx = &side };
	walk_handler(&w, d->cond, d->body);
}

/* ------------------------------------------------------------ recursion */

/*
 * BPF has no recursion: the verifier refuses a program that calls itself,
 * and an inlined function cannot contain itself. A cycle among the
 * functions kernel-side handlers call is refused here, at the call that
 * closes it, naming the cycle. (Recursion in the tool is checked when it
 * runs, against MAXNESTING, as stap does.)
 */
struct call_walk {
	struct vec path; /* struct function *: the calls being walked, outermost first */
};

static void report_cycle(struct call_walk *cw, const struct expr *call)
{
	struct strbuf cycle = { 0 };
	int from = cw->path.len - 1;
	while (from > 0 && vec_at(&cw->path, from) != call->fn)
		from--;
	for (int i = from; i < cw->path.len; i++)
		sb_printf(&cycle, "%s -> ", ((struct function *)vec_at(&cw->path, i))->name);
	sb_puts(&cycle, call->fn->name);
	diag_error(&call->loc, "recursion cannot run in BPF: %s is called from a kernel probe; "
			       "rewrite it as a loop",
		   cycle.buf);
	sb_free(&cycle);
}

static enum walk_next walk_call(struct walker *w, struct expr *call)
{
	struct call_walk *cw = w->ctx;
	struct function *fn = call->fn;
	if (call->kind != E_CALL || !fn)
		return WALK_ON;
	struct place_info *pi = place_of(fn);
	if (fn->builtin || pi->calls == 2)
		return WALK_ON;
	if (pi->calls == 1) {
		report_cycle(cw, call);
		return WALK_ON;
	}
	pi->calls = 1;
	vec_push(&cw->path, fn);
	walk_stmt(w, fn->body);
	cw->path.len--;
	pi->calls = 2;
	return WALK_ON;
}

/* Depth first: each call that closes a cycle is reported once. */
static void check_k_recursion(struct plan *pl)
{
	struct call_walk cw = { 0 };
	struct walker w = { .expr = walk_call, .ctx = &cw };
	for (int i = 0; i < pl->kprobes.len; i++) {
		struct dprobe *d = vec_at(&pl->kprobes, i);
		walk_handler(&w, d->cond, d->body);
	}
}

/* ------------------------------------------------------------ K functions' order */

/*
 * K functions are written last reached first (a callee is mostly reached
 * after its caller), but every callee before its callers: a call gives the
 * callee the scratch the callee was planned to use, so the callee is
 * planned first. No cycle is left (check_k_recursion).
 */
static void order_k_function(struct plan *pl, struct function *fn);

static enum walk_next order_callee(struct walker *w, struct expr *x)
{
	if (x->kind == E_CALL && x->fn && !x->fn->builtin)
		order_k_function(w->ctx, x->fn);
	return WALK_ON;
}

static void order_k_function(struct plan *pl, struct function *fn)
{
	for (int i = 0; i < pl->kfunctions.len; i++)
		if (vec_at(&pl->kfunctions, i) == fn)
			return;
	struct walker w = { .expr = order_callee, .ctx = pl };
	walk_stmt(&w, fn->body);
	vec_push(&pl->kfunctions, fn);
}

static void order_k_functions(struct plan *pl)
{
	for (int i = pl->prog->functions.len - 1; i >= 0; i--) {
		struct function *fn = vec_at(&pl->prog->functions, i);
		if (!fn->builtin && (place_of(fn)->sides & SIDE_K))
			order_k_function(pl, fn);
	}
}

/* ------------------------------------------------------------ lazy strings */

/* Builtins whose string the tool makes when it is only printed (quoting, symbols). */
static bool is_lazy_builtin(const struct function *fn)
{
	const struct builtin *b = builtin_of(fn);
	return b && (b->flags & BI_TOOL_STR);
}

/*
 * ... and those of them that BPF can also make as bytes, to compare or
 * store: a call of one whose bytes depend on its kind, with that kind.
 */
static bool has_bpf_bytes(const struct expr *call)
{
	const struct builtin *b = builtin_of(call->fn);
	if (!b || !b->bpf_str)
		return false;
	const struct expr *kind = call->args.len ? vec_at(&call->args, 0) : NULL;
	return !(b->flags & BI_BYTES_KIND0) || (kind && kind->kind == E_NUMBER && kind->num == 0);
}

/*
 * One conversion of a printf format, from its '%' (not "%%"): its flags,
 * width, precision, 'l's and letter. Returns the letter's place.
 */
const char *bpf_fmt_spec(const char *c, struct bpf_spec *sp)
{
	memset(sp, 0, sizeof(*sp));
	for (c++; *c && strchr("-+ #0", *c); c++) {
		sp->minus |= *c == '-';
		sp->plus |= *c == '+';
		sp->space |= *c == ' ';
		sp->alt |= *c == '#';
		sp->zero |= *c == '0';
	}
	sp->width = c;
	while (isdigit((unsigned char)*c))
		c++;
	sp->width_len = (int)(c - sp->width);
	sp->precision = *c == '.' || *c == '*';
	while (*c && strchr("0123456789.*", *c))
		c++;
	while (*c == 'l')
		c++;
	sp->conv = *c;
	return c;
}

/* Whether BPF makes this conversion's text itself (digits), then formats it as a %s. */
bool bpf_spec_as_text(const struct bpf_spec *sp)
{
	return sp->conv == 'o' || sp->conv == 'p' || (sp->alt && strchr("xX", sp->conv));
}

/*
 * Whether BPF can format this as bytes. bpf_snprintf() (kernels 5.13 and
 * later) takes only the flags '-', '+', ' ' and '0' and a width, then
 * d i u x X s c: no '#', no precision, no '*'. So %o, %p and '#' with
 * x or X are made by stp_radix() and formatted as a %s, where only '-'
 * and the width keep their meaning ('0' would not pad with zeros after
 * the 0x, so it is refused; '+' and ' ' do nothing to an unsigned number
 * and are dropped). emit/bpf_expr.c's sprintf_plain() passes the text
 * the kernel refuses in a format (bytes that are not printable, a letter
 * or a digit right after a %s) as an argument of its own.
 */
bool bpf_can_format(const char *fmt)
{
	for (const char *c = fmt; *c; c++) {
		if (*c != '%')
			continue;
		if (c[1] == '%') {
			c++;
			continue;
		}
		struct bpf_spec sp;
		c = bpf_fmt_spec(c, &sp);
		if (!sp.conv || !strchr("diuxXscop", sp.conv) || sp.precision)
			return false;
		if (bpf_spec_as_text(&sp) && sp.zero)
			return false;
	}
	return true;
}

/* How a K string can be made: only by the tool, preferably by it, or as bytes. */
enum make { MAKE_PLAIN, MAKE_PREFER_LAZY, MAKE_LAZY };

static enum make how_made(struct expr *x)
{
	if (!x || x->type != VT_STRING)
		return MAKE_PLAIN;
	switch (x->kind) {
	case E_PRINT: {
		if (!x->print_to_string)
			return MAKE_PLAIN;
		enum make m = MAKE_PREFER_LAZY;
		if (x->has_format && !bpf_can_format(decode_escapes(x->str)))
			m = MAKE_LAZY;
		if (!x->has_format)
			m = MAKE_LAZY; /* sprint*(): joined by the tool */
		for (int i = 0; i < x->args.len; i++)
			if (how_made(vec_at(&x->args, i)) == MAKE_LAZY)
				m = MAKE_LAZY;
		return m;
	}
	case E_CALL:
		if (is_lazy_builtin(x->fn))
			return has_bpf_bytes(x) ? MAKE_PREFER_LAZY : MAKE_LAZY;
		if (x->fn && !x->fn->builtin && place_of(x->fn)->rep == SREP_LAZY)
			return MAKE_LAZY;
		return MAKE_PLAIN;
	case E_CONCAT:
	case E_TERNARY: {
		enum make a = how_made(x->left), b = how_made(x->right);
		if (a == MAKE_LAZY || b == MAKE_LAZY)
			return MAKE_LAZY;
		/* Concatenating for output costs nothing if left to the tool. */
		return x->kind == E_CONCAT || a || b ? MAKE_PREFER_LAZY : MAKE_PLAIN;
	}
	case E_SYMBOL:
		return x->sym && x->sym->kind == SYM_LOCAL && place_of(x->sym)->rep == SREP_LAZY
			       ? MAKE_LAZY
			       : MAKE_PLAIN;
	case E_TARGET:
		/* $var$ and $$parms are formatted by the tool. */
		if ((x->target && x->target->pretty) || (x->name && x->name[1] == '$'))
			return MAKE_LAZY;
		return MAKE_PLAIN;
	default:
		return MAKE_PLAIN;
	}
}

/*
 * Per K string local and function: made lazily somewhere (wants_lazy), and
 * used as bytes somewhere (needs_plain). Plain wins unless the value cannot
 * be bytes at all; lazy is chosen when nothing needs the bytes.
 */
struct rep_facts {
	bool wants_lazy, must_lazy, needs_plain;
};

struct lazy_scan {
	struct plan *pl;
	struct walker kids; /* lazy_expr() on each child, as a value needed as bytes */
	bool changed;
	bool report;
	struct function *fn; /* being scanned, NULL in a probe */
};

static struct rep_facts *facts_of(const void *key)
{
	/* The facts live beside the place info: one allocation per object. */
	struct place_info *pi = place_of(key);
	if (!pi->facts)
		pi->facts = arena_alloc(sizeof(struct rep_facts));
	return pi->facts;
}

static void made(struct lazy_scan *ls, const void *owner, struct expr *value)
{
	enum make m = how_made(value);
	struct rep_facts *f = facts_of(owner);
	if (m == MAKE_LAZY && !f->must_lazy) {
		f->must_lazy = f->wants_lazy = true;
		ls->changed = true;
	} else if (m == MAKE_PREFER_LAZY && !f->wants_lazy) {
		f->wants_lazy = true;
		ls->changed = true;
	}
}

static void lazy_expr(struct lazy_scan *ls, struct expr *x, bool out_ok);

static enum walk_next lazy_kid(struct walker *w, struct expr *x)
{
	lazy_expr(w->ctx, x, false);
	return WALK_SKIP;
}

/* A value is needed as bytes here. */
static void plain_needed(struct lazy_scan *ls, struct expr *x, bool out_ok)
{
	if (out_ok || !x || x->type != VT_STRING)
		return;
	const void *owner = NULL;
	if (x->kind == E_SYMBOL && x->sym && x->sym->kind == SYM_LOCAL)
		owner = x->sym;
	else if (x->kind == E_CALL && x->fn && !x->fn->builtin)
		owner = x->fn;
	if (owner && !facts_of(owner)->needs_plain) {
		facts_of(owner)->needs_plain = true;
		ls->changed = true;
	}
	if (ls->report && how_made(x) == MAKE_LAZY)
		diag_error(&x->loc, "this string is assembled by the tool, not in the kernel: in a "
				    "kernel probe it can be printed, but not stored in a global, compared "
				    "or used as a key");
}

static void lazy_args(struct lazy_scan *ls, struct expr *x, bool out_ok)
{
	for (int i = 0; i < x->args.len; i++)
		lazy_expr(ls, vec_at(&x->args, i), out_ok);
}

static void lazy_expr(struct lazy_scan *ls, struct expr *x, bool out_ok)
{
	if (!x)
		return;
	switch (x->kind) {
	case E_PRINT:
		/* A printed value may come in pieces; an sprintf made as bytes needs bytes. */
		lazy_args(ls, x, !x->print_to_string || out_ok || how_made(x) == MAKE_LAZY);
		plain_needed(ls, x, out_ok);
		return;
	case E_CONCAT:
		lazy_expr(ls, x->left, out_ok);
		lazy_expr(ls, x->right, out_ok);
		plain_needed(ls, x, out_ok);
		return;
	case E_TERNARY:
		lazy_expr(ls, x->cond, false);
		lazy_expr(ls, x->left, out_ok);
		lazy_expr(ls, x->right, out_ok);
		return;
	case E_CALL: {
		bool output_fn = builtin_call_has(x, BI_OUTPUT);
		/* A lazy built-in's arguments are pieces too, unless it is made as bytes. */
		lazy_args(ls, x,
			  output_fn || (is_lazy_builtin(x->fn) && (out_ok || !has_bpf_bytes(x))));
		plain_needed(ls, x, out_ok);
		return;
	}
	case E_ASSIGN:
		if (x->left->kind == E_SYMBOL && x->left->sym && x->left->sym->kind == SYM_LOCAL &&
		    x->type == VT_STRING && !strcmp(x->op, "=")) {
			made(ls, x->left->sym, x->right);
			lazy_expr(ls, x->right, place_of(x->left->sym)->rep == SREP_LAZY);
			return;
		}
		lazy_expr(ls, x->left, false);
		lazy_expr(ls, x->right, false);
		return;
	case E_SYMBOL:
		plain_needed(ls, x, out_ok);
		return;
	default:
		walk_expr_children(&ls->kids, x);
		plain_needed(ls, x, out_ok);
	}
}

/* A string function's result is made where it returns; other statements need bytes. */
static enum walk_next lazy_stmt(struct walker *w, struct stmt *s)
{
	struct lazy_scan *ls = w->ctx;
	if (s->kind == S_RETURN && ls->fn && s->expr && s->expr->type == VT_STRING) {
		made(ls, ls->fn, s->expr);
		lazy_expr(ls, s->expr, place_of(ls->fn)->rep == SREP_LAZY);
		return WALK_SKIP;
	}
	return WALK_ON;
}

static void settle(struct lazy_scan *ls, const void *owner)
{
	struct place_info *pi = place_of(owner);
	struct rep_facts *f = facts_of(owner);
	enum srep rep = f->must_lazy || (f->wants_lazy && !f->needs_plain) ? SREP_LAZY : SREP_PLAIN;
	if (rep != pi->rep) {
		pi->rep = rep;
		ls->changed = true;
	}
}

static void scan_all(struct lazy_scan *ls)
{
	struct plan *pl = ls->pl;
	for (int i = 0; i < pl->kprobes.len; i++) {
		struct dprobe *d = vec_at(&pl->kprobes, i);
		ls->fn = NULL;
		walk_handler(&ls->kids, d->cond, d->body);
		for (int j = 0; j < d->locals.len; j++)
			settle(ls, vec_at(&d->locals, j));
	}
	for (int i = 0; i < pl->prog->functions.len; i++) {
		struct function *fn = vec_at(&pl->prog->functions, i);
		if (fn->builtin || !(place_of(fn)->sides & SIDE_K))
			continue;
		ls->fn = fn;
		walk_stmt(&ls->kids, fn->body);
		if (fn->type == VT_STRING)
			settle(ls, fn);
		for (int j = 0; j < fn->locals.len; j++)
			settle(ls, vec_at(&fn->locals, j));
	}
}

/* Lazy locals and functions in K, to a fixpoint; then report misuse. */
static void decide_lazy(struct plan *pl)
{
	struct lazy_scan ls = { .pl = pl };
	ls.kids = (struct walker){ .expr = lazy_kid, .stmt = lazy_stmt, .ctx = &ls };
	for (int round = 0; round < 50; round++) {
		ls.changed = false;
		scan_all(&ls);
		if (!ls.changed)
			break;
	}
	ls.report = true;
	scan_all(&ls);
}

/* ------------------------------------------------------------ timers in BPF */

/*
 * Builtins whose value belongs to the task or CPU a probe interrupted. In
 * the tool they would describe the tool itself, so a timer that uses one
 * runs in BPF instead, as stap's timers run in the kernel.
 */
struct kctx_scan {
	struct vec seen;	 /* struct function *: already scanned */
	const struct expr *call; /* the first kernel-context call found */
};

/* Stops at the first call of a builtin of kernel context, looking into functions once. */
static enum walk_next kctx_call(struct walker *w, struct expr *x)
{
	struct kctx_scan *ks = w->ctx;
	struct function *fn = x->fn;
	if (x->kind != E_CALL || !fn)
		return WALK_ON;
	if (fn->builtin) {
		if (builtin_call_has(x, BI_KCTX))
			ks->call = x;
		return ks->call ? WALK_STOP : WALK_ON;
	}
	for (int i = 0; i < ks->seen.len; i++)
		if (vec_at(&ks->seen, i) == fn)
			return WALK_ON;
	vec_push(&ks->seen, fn);
	return walk_stmt(w, fn->body) ? WALK_ON : WALK_STOP;
}

/*
 * A probe run by the tool whose handler asks for kernel context: its
 * provider moves it to BPF (a timer, to a perf event) or says why not.
 */
static void place_kernel_context(struct dprobe *d)
{
	struct kctx_scan ks = { 0 };
	struct walker w = { .expr = kctx_call, .ctx = &ks };
	walk_handler(&w, d->cond, d->body);
	if (ks.call)
		d->prov->needs_kernel(d, ks.call);
}

/* A BPF probe's programs, asked once: the later passes read d->variants. */
static void place_variants(struct dprobe *d)
{
	struct variant vars[MAX_VARIANTS];
	int n = d->prov->variants ? d->prov->variants(d, vars, MAX_VARIANTS) : 0;
	d->variants = n ? memcpy(arena_alloc(n * sizeof(*vars)), vars, n * sizeof(*vars)) : NULL;
	d->nvariants = n;
}

/* ------------------------------------------------------------ the plan */

static int64_t define_value(struct session *s, const char *name, int64_t dflt)
{
	size_t n = strlen(name);
	for (int i = 0; i < s->defines.len; i++) {
		const char *d = vec_at(&s->defines, i);
		if (!strncmp(d, name, n) && d[n] == '=')
			return strtoll(d + n + 1, NULL, 0);
	}
	return dflt;
}

struct plan *place_program(struct session *s, struct program *prog, const char *tool_name)
{
	struct plan *pl = arena_alloc(sizeof(*pl));
	pl->prog = prog;
	pl->s = s;
	pl->name = tool_c_name(tool_name);
	pl->tool_name = tool_name;
	pl->nargs_max = s->runtime_args_max;
	pl->maxstringlen = define_value(s, "MAXSTRINGLEN", 128);
	pl->maxmapentries = define_value(s, "MAXMAPENTRIES", 2048);
	pl->maxactions = define_value(s, "MAXACTION", 1000);
	pl->maxerrors = define_value(s, "MAXERRORS", 0);
	pl->maxnesting = define_value(s, "MAXNESTING", 10);
	if (pl->maxstringlen < 16 || pl->maxstringlen > 4096)
		diag_error(NULL, "-D MAXSTRINGLEN=%lld: must be from 16 to 4096",
			   (long long)pl->maxstringlen);
	infer_key_widths(prog, pl->maxstringlen);
	for (int i = 0; i < prog->probes.len; i++) {
		struct dprobe *d = vec_at(&prog->probes, i);
		if (d->in_tool && d->prov->needs_kernel)
			place_kernel_context(d);
		bool u = d->in_tool;
		if (!u)
			place_variants(d);
		vec_push(u ? &pl->uprobes : &pl->kprobes, d);
		mark_handler(d, u ? SIDE_U : SIDE_K);
	}
	/* Every global may be read from the tool (end probes, -G, foreach). */
	for (int i = 0; i < prog->globals.len; i++) {
		struct symbol *g = vec_at(&prog->globals, i);
		if (!place_of(g)->sides)
			place_of(g)->sides = SIDE_U;
	}
	check_k_recursion(pl);
	if (diag_error_count())
		return pl;
	order_k_functions(pl);
	decide_lazy(pl);
	return pl;
}
