// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bpf.c - writes NAME.bpf.c: the BPF half of a tool.
 *
 *   defines and stp_bpf.h      limits, kernel types, the BPF runtime
 *   stp_kg                     scalar globals K uses, in .data (mapped by the tool)
 *   stp_lits                   string literals, in .rodata
 *   m_NAME                     one map per array K uses
 *   f_NAME_N                   functions, always inlined (no recursion in BPF)
 *   probe_N, probe_N_V         one program per variant of a probe, with the script
 *                              location; typed by libbpf's macro (BPF_PROG ...)
 *   probe_N_body               the handler its variants share, when they write the same
 */
#include "../stapc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool in_k(const void *obj)
{
	return place_of(obj)->sides & SIDE_K;
}

const char *kgen_value_type(const struct symbol *g, const struct plan *pl)
{
	if (g->type == VT_STRING)
		return arena_printf("struct { char s[%lld]; }", (long long)pl->maxstringlen);
	if (g->type == VT_STATS)
		return arena_printf("struct stat_%s", g->name);
	return "s64";
}

/*
 * A wrap array (global a%[N]) in BPF: when full, its oldest element makes
 * room for a new one, as in the tool and in stap. wseq_a holds the order
 * each element came in (the tool's own inserts have none: older than any);
 * the eviction scans the array for the lowest. Only BPF keeps wseq_a, so
 * it may hold keys the tool deleted: those are dropped when it fills.
 */
static void emit_wrap(const struct plan *pl, struct cw *w, const struct symbol *g)
{
	const char *n = g->name;
	int64_t entries = g->decl->max_entries ? g->decl->max_entries : pl->maxmapentries;
	cw_open(w, "struct");
	cw_line(w, "__uint(type, BPF_MAP_TYPE_HASH);");
	cw_line(w, "__uint(max_entries, %lld);", (long long)entries * 2);
	cw_line(w, "__type(key, struct key_%s);", n);
	cw_line(w, "__type(value, u64);");
	cw_close(w, arena_printf(" wseq_%s SEC(\".maps\");", n));
	cw_line(w, "u64 stp_wseq_next_%s SEC(\".bss\");", n);
	cw_blank(w);
	/* The oldest so far, in a per-CPU slot: a key may be too big for the stack. */
	cw_open(w, "struct stp_wrap_%s", n);
	cw_line(w, "u64 seq;");
	cw_line(w, "u32 found;");
	cw_line(w, "struct key_%s key;", n);
	cw_close(w, ";");
	cw_open(w, "struct");
	cw_line(w, "__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);");
	cw_line(w, "__uint(max_entries, 1);");
	cw_line(w, "__type(key, u32);");
	cw_line(w, "__type(value, struct stp_wrap_%s);", n);
	cw_close(w, arena_printf(" wtmp_%s SEC(\".maps\");", n));
	cw_blank(w);
	cw_open(w, "static long stp_wrap_scan_%s(void *map, struct key_%s *key, void *val, "
		   "struct stp_wrap_%s **o)", n, n, n);
	cw_line(w, "u64 *s = bpf_map_lookup_elem(&wseq_%s, key);", n);
	cw_line(w, "u64 seq = s ? *s : 0;");
	cw_open(w, "if (!(*o)->found || seq < (*o)->seq)");
	cw_line(w, "(*o)->seq = seq;");
	cw_line(w, "(*o)->found = 1;");
	cw_line(w, "__builtin_memcpy(&(*o)->key, key, sizeof(*key));");
	cw_close(w, NULL);
	cw_line(w, "return seq == 0; /* none is older: stop */");
	cw_close(w, NULL);
	cw_blank(w);
	cw_open(w, "static __noinline void stp_wrap_evict_%s(void)", n);
	cw_line(w, "u32 zero = 0;");
	cw_line(w, "struct stp_wrap_%s *o = bpf_map_lookup_elem(&wtmp_%s, &zero);", n, n);
	cw_line(w, "if (!o)");
	cw_line(w, "	return;");
	cw_line(w, "o->found = 0;");
	cw_line(w, "bpf_for_each_map_elem(&m_%s, stp_wrap_scan_%s, &o, 0);", n, n);
	cw_open(w, "if (o->found)");
	cw_line(w, "bpf_map_delete_elem(&m_%s, &o->key);", n);
	cw_line(w, "bpf_map_delete_elem(&wseq_%s, &o->key);", n);
	cw_close(w, NULL);
	cw_close(w, NULL);
	cw_blank(w);
	/* Keys of wseq the array lost (the tool deleted them), dropped. */
	cw_open(w, "static long stp_wrap_stale_%s(void *map, struct key_%s *key, u64 *seq, void *ctx)",
		n, n);
	cw_line(w, "if (!bpf_map_lookup_elem(&m_%s, key))", n);
	cw_line(w, "	bpf_map_delete_elem(&wseq_%s, key);", n);
	cw_line(w, "return 0;");
	cw_close(w, NULL);
	cw_blank(w);
	cw_open(w, "static __always_inline void stp_wrap_note_%s(struct key_%s *key)", n, n);
	cw_line(w, "u64 seq = __sync_fetch_and_add(&stp_wseq_next_%s, 1) + 1;", n);
	cw_open(w, "if (bpf_map_update_elem(&wseq_%s, key, &seq, BPF_ANY))", n);
	cw_line(w, "bpf_for_each_map_elem(&wseq_%s, stp_wrap_stale_%s, 0, 0);", n, n);
	cw_line(w, "bpf_map_update_elem(&wseq_%s, key, &seq, BPF_ANY);", n);
	cw_close(w, NULL);
	cw_close(w, NULL);
	cw_blank(w);
}

/* Arrays and statistics K touches: BPF maps, per-CPU for statistics. */
static void emit_maps(const struct plan *pl, struct cw *w)
{
	for (int i = 0; i < pl->prog->globals.len; i++) {
		struct symbol *g = vec_at(&pl->prog->globals, i);
		if (!in_k(g) || (g->arity == 0 && g->type != VT_STATS))
			continue;
		bool stats = g->type == VT_STATS;
		int64_t entries = g->decl && g->decl->max_entries ? g->decl->max_entries
								   : pl->maxmapentries;
		cw_open(w, "struct");
		if (g->arity == 0) {
			cw_line(w, "__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);");
			cw_line(w, "__uint(max_entries, 1);");
			cw_line(w, "__type(key, u32);");
		} else {
			cw_line(w, "__uint(type, BPF_MAP_TYPE_%sHASH);", stats ? "PERCPU_" : "");
			cw_line(w, "__uint(max_entries, %lld);", (long long)entries);
			cw_line(w, "__type(key, struct key_%s);", g->name);
		}
		cw_line(w, "__type(value, %s);", kgen_value_type(g, pl));
		cw_close(w, arena_printf(" m_%s SEC(\".maps\");", g->name));
		cw_blank(w);
		/* A new element starts from these zeros (with a histogram, too big for the stack). */
		if (stats) {
			cw_line(w, "static const struct stat_%s stp_zero_%s;", g->name, g->name);
			cw_blank(w);
		}
		if (g->arity && g->decl && g->decl->wrap)
			emit_wrap(pl, w, g);
	}
}

/* Initial values of the scalar globals BPF keeps in .data (struct stp_kglobals). */
void kgen_kglobal_inits(const struct plan *pl, struct cw *w)
{
	w->indent = 1;
	for (int i = 0; i < pl->prog->globals.len; i++) {
		struct symbol *g = vec_at(&pl->prog->globals, i);
		if (!in_k(g) || g->arity != 0 || g->type == VT_STATS || !g->decl || !g->decl->init)
			continue;
		if (g->type == VT_STRING)
			cw_line(w, ".%s = %s,", gen_global(g), c_string(decode_escapes(g->decl->init->str)));
		else
			cw_line(w, ".%s = %lldLL,", gen_global(g), (long long)g->decl->init->num);
	}
}

/* Histogram bucket of v, one function per statistics global that has one. */
void kgen_hist_functions(const struct plan *pl, struct cw *w)
{
	for (int i = 0; i < pl->prog->globals.len; i++) {
		struct symbol *g = vec_at(&pl->prog->globals, i);
		struct place_info *pi = place_of(g);
		if (!in_k(g) || g->type != VT_STATS || pi->hist == HIST_NONE)
			continue;
		cw_open(w, "static __always_inline void stp_stat_hist_%s(s64 *h, s64 v)", g->name);
		if (pi->hist == HIST_LOG)
				cw_line(w, "h[stp_log_bucket(v) & 127]++;");
		else {
			/* A compared index: the verifier bounds no '%' (clang makes it div, mul, sub). */
			cw_line(w, "u32 b = stp_linear_bucket(v, %lldLL, %lldLL, %lldLL);",
				(long long)pi->lo, (long long)pi->hi, (long long)pi->step);
			cw_line(w, "if (b < %d)", pi->buckets);
			cw_line(w, "\th[b]++;");
		}
		cw_close(w, NULL);
		cw_blank(w);
	}
}

/* Long locals on the stack, string locals in the frame's scratch. */
static void declare_locals(struct kgen *k, struct vec *locals)
{
	for (int i = 0; i < locals->len; i++) {
		struct symbol *l = vec_at(locals, i);
		if (l->type == VT_STRING) {
			bool lazy = place_of(l)->rep == SREP_LAZY;
			cw_line(k->w, "char *%s = %s;", gen_local(l), kgen_slot(k, lazy ? LAZY_MAX : (int)k->pl->maxstringlen));
			if (lazy)
				cw_line(k->w, "u32 %s_len = 0;", gen_local(l));
			else
				cw_line(k->w, "%s[0] = 0;", gen_local(l));
		} else {
			cw_line(k->w, "s64 %s = 0;", gen_local(l));
		}
	}
}

/* "static __always_inline s64 f_NAME(...)": a K function's signature. */
static const char *function_signature(struct function *fn)
{
	struct strbuf params = { 0 };
	const char *ret_type = "s64";
	if (fn->type == VT_STRING) {
		ret_type = "void";
		sb_puts(&params, place_of(fn)->rep == SREP_LAZY ? ", struct stp_rec *ret" : ", char *ret");
	} else if (fn->type == VT_UNKNOWN) {
		ret_type = "void";
	}
	for (int i = 0; i < fn->param_syms.len; i++) {
		struct symbol *p = vec_at(&fn->param_syms, i);
		/* A string parameter the body writes is copied first (copy_written_params). */
		sb_printf(&params, ", %s%s%s", p->type == VT_STRING ? "const char *" : "s64 ",
			  gen_local(p), p->type == VT_STRING && p->assigned ? "_in" : "");
	}
	/* regs: the probe's saved registers, or NULL; inlined, it costs nothing. */
	const char *sig = arena_printf("static __always_inline %s %s(struct stp_frame *fr, void *ctx, "
				       "struct pt_regs *regs, char *sp%s)",
				       ret_type, gen_function(fn), params.buf ? params.buf : "");
	sb_free(&params);
	return sig;
}

/*
 * A program's end: an error not caught goes to err, where the tool is told
 * of it; every way out goes through out. Labels nothing jumps to are left out.
 */
static void epilogue(struct kgen *k)
{
	if (kgen_jumped(k, "err")) {
		cw_line(k->w, "goto %s;", kgen_jump(k, "out"));
		cw_line(k->w, "err:");
		cw_line(k->w, "stp_report_error(fr);");
	}
	if (kgen_jumped(k, "out"))
		cw_line(k->w, "out:");
}

/*
 * A string parameter is the caller's bytes (a literal in .rodata, its
 * local): one the body writes (s .= "x") gets its own copy.
 */
static void copy_written_params(struct kgen *k, struct function *fn)
{
	for (int i = 0; i < fn->param_syms.len; i++) {
		struct symbol *p = vec_at(&fn->param_syms, i);
		if (p->type != VT_STRING || !p->assigned)
			continue;
		cw_line(k->w, "char *%s = %s;", gen_local(p), kgen_slot(k, (int)k->pl->maxstringlen));
		cw_line(k->w, "stp_strcpy(%s, %s_in);", gen_local(p), gen_local(p));
	}
}

static void emit_function(struct kgen_run *run, struct cw *w, struct function *fn)
{
	struct kgen k = { .pl = run->pl, .run = run, .w = w, .fn = fn, .err_label = "out",
			  .ret_label = "out" };
	bool has_value = fn->type != VT_STRING && fn->type != VT_UNKNOWN;
	cw_loc(w, &fn->loc);
	cw_line(w, "%s", function_signature(fn));
	cw_block(w);
	if (has_value)
		cw_line(w, "s64 rv = 0;");
	declare_locals(&k, &fn->locals);
	copy_written_params(&k, fn);
	kgen_stmt(&k, fn->body);
	if (kgen_jumped(&k, "out"))
		cw_line(w, "out:");
	cw_line(w, "return%s;", has_value ? " rv" : "");
	cw_close(w, NULL);
	cw_blank(w);
	/* Planning: what a call of fn keeps of its caller's scratch. */
	if (run->planning)
		place_of(fn)->slot = k.scratch;
	if (k.scratch > run->scratch_max)
		run->scratch_max = k.scratch;
}

/* Program names: probe_N for a probe's first variant, probe_N_V for the others. */
const char *prog_name(const struct dprobe *d, int v)
{
	return v ? arena_printf("probe_%d_%d", d->id, v) : arena_printf("probe_%d", d->id);
}

/*
 * A return probe's entry program, PROG_entry: per thread, the arguments
 * (a kretprobe's handler reading them) and the values of its @entry(EXPR)s,
 * in stash_PROG for the return to take.
 */
static void emit_entry_program(struct kgen_run *run, struct cw *w, const struct kprog *kp)
{
	const struct plan *pl = run->pl;
	const char *name = kp->name;
	const struct vec *entries = kp->entries;
	const struct variant *ev = &kp->entry;
	cw_open(w, "struct stp_entry_%s", name);
	cw_line(w, "u64 a[6];");
	cw_line(w, "s64 v[%d];", entries->len ? entries->len : 1);
	cw_close(w, ";");
	cw_open(w, "struct");
	cw_line(w, "__uint(type, BPF_MAP_TYPE_HASH);");
	cw_line(w, "__uint(max_entries, %lld);", (long long)pl->maxmapentries * 4);
	cw_line(w, "__type(key, u64);");
	cw_line(w, "__type(value, struct stp_entry_%s);", name);
	cw_close(w, arena_printf(" stash_%s SEC(\".maps\");", name));
	cw_blank(w);
	struct kgen k = { .pl = pl, .run = run, .w = w, .variant = ev, .err_label = "err",
			  .ret_label = "out" };
	cw_line(w, "SEC(\"%s\")", ev->section);
	cw_line(w, "int %s_entry(void *ctx)", name);
	cw_block(w);
	cw_line(w, "struct stp_frame *fr = stp_frame_get(0);");
	cw_line(w, "if (!fr)");
	cw_line(w, "\treturn 0;");
	cw_line(w, "u64 id = bpf_get_current_pid_tgid();");
	cw_line(w, "struct stp_entry_%s e = {};", name);
	if (kp->var.entry_stash)
		for (int i = 0; i < 6; i++)
			cw_line(w, "e.a[%d] = PT_REGS_PARM%d((struct pt_regs *)ctx);", i, i + 1);
	for (int i = 0; i < entries->len; i++) {
		struct expr *x = vec_at(entries, i);
		cw_loc(w, &x->loc);
		cw_line(w, "e.v[%d] = %s;", i, kgen_long(&k, x->left));
	}
	cw_line(w, "bpf_map_update_elem(&stash_%s, &id, &e, BPF_ANY);", name);
	epilogue(&k);
	cw_line(w, "stp_frame_put(fr);");
	cw_line(w, "return 0;");
	cw_close(w, NULL);
	cw_blank(w);
	if (k.scratch > run->scratch_max)
		run->scratch_max = k.scratch;
}

/*
 * A handler, from its frame to its end, into k->w: what a program runs, or
 * the body its variants share.
 */
static void emit_handler(struct kgen *k, const struct kprog *kp)
{
	struct dprobe *d = kp->d;
	const struct variant *var = &kp->var;
	struct cw *w = k->w;
	/* perf events may fire in NMI, over a probe that holds level 0. */
	cw_line(w, "struct stp_frame *fr = stp_frame_get(%d);", var->nmi ? 1 : 0);
	cw_line(w, "if (!fr)");
	cw_line(w, "\treturn 0;");
	if (kp->stash) {
		/* A return whose entry came before the tool attached has nothing kept: skipped. */
		cw_line(w, "u64 stp_eid = bpf_get_current_pid_tgid();");
		cw_line(w, "struct stp_entry_%s *stp_stash = bpf_map_lookup_elem(&stash_%s, &stp_eid);",
			kp->name, kp->name);
		cw_line(w, "if (!stp_stash)");
		cw_line(w, "\tgoto %s;", kgen_jump(k, "out"));
	}
	declare_locals(k, &d->locals);
	if (var->filter) {
		cw_line(w, "if (!(%s))", var->filter);
		cw_line(w, "\tgoto %s;", kgen_jump(k, "out"));
	}
	if (d->cond) {
		cw_loc(w, &d->cond->loc);
		cw_line(w, "if (!(%s))", kgen_long(k, d->cond));
		cw_line(w, "\tgoto %s;", kgen_jump(k, "out"));
	}
	kgen_stmt(k, d->body);
	epilogue(k);
	if (kp->stash) {
		cw_line(w, "if (stp_stash)");
		cw_line(w, "\tbpf_map_delete_elem(&stash_%s, &stp_eid);", kp->name);
	}
	cw_line(w, "stp_frame_put(fr);");
	cw_line(w, "return 0;");
}

/* "T name" as C declares it: "struct file *file", "size_t count". */
const char *kgen_decl(const char *type, const char *name)
{
	int n = (int)strlen(type), stars = 0;
	while (n > 0 && (type[n - 1] == '*' || type[n - 1] == ' '))
		stars += type[--n] == '*';
	return arena_printf("%.*s %.*s%s", n, type, stars, "********", name);
}

static bool is_kretprobe(const struct variant *var)
{
	return var->is_return && var->args == ARGS_PT_REGS;
}

/*
 * A program's first line: libbpf's macro that types its context, naming
 * the arguments the handler reads (and those before them: the macro takes
 * them in order) or a kretprobe's return value; else void *ctx.
 */
static const char *prog_signature(const struct variant *var, const char *name, unsigned used,
				  bool ret)
{
	if (!var->ctx_macro)
		return arena_printf("int %s(void *ctx)", name);
	const struct fn_params *fp = var->params;
	struct strbuf sb = { 0 };
	for (int i = 0; fp && !is_kretprobe(var) && i < fp->n && (used >> i); i++)
		sb_printf(&sb, ", %s", kgen_decl(fp->type[i], fp->name[i]));
	/* A USDT mark's arguments have no names of their own: $arg1 is arg1. */
	for (int i = 0; var->attach == STP_ATTACH_USDT && (used >> i); i++)
		sb_printf(&sb, ", long arg%d", i + 1);
	if (fp && ret && is_kretprobe(var))
		sb_printf(&sb, ", %s", kgen_decl(fp->ret_type, "ret"));
	const char *s = arena_printf("int %s(%s%s)", var->ctx_macro, name, sb.buf ? sb.buf : "");
	sb_free(&sb);
	return s;
}

/* An fexit's return value: where the kernel says (its place after the arguments may move). */
static void fexit_ret(struct cw *w, const struct variant *var, bool ret)
{
	if (!ret || is_kretprobe(var))
		return;
	cw_line(w, "u64 stp_ret = 0;");
	cw_line(w, "bpf_get_func_ret(ctx, &stp_ret);");
	cw_line(w, "%s = (%s)stp_ret;", kgen_decl(var->params->ret_type, "ret"), var->params->ret_type);
}

/* A kgen for kp's handler, written into w. */
static struct kgen handler_kgen(struct kgen_run *run, struct cw *w, const struct kprog *kp)
{
	return (struct kgen){ .pl = run->pl, .run = run, .w = w, .probe = kp->d, .variant = &kp->var,
			      .err_label = "err", .ret_label = "out",
			      .entry_values = kp->entry_values,
			      .named_args = kp->var.ctx_macro != NULL,
			      .copy_ptrs = kp->var.args == ARGS_CTX_ARRAY && !kp->var.entry_stash };
}

static void emit_program(struct kgen_run *run, struct cw *w, const struct kprog *kp)
{
	const struct variant *var = &kp->var;
	if (kp->stash)
		emit_entry_program(run, w, kp);
	struct cw inner = { .indent = 1 };
	struct kgen k = handler_kgen(run, &inner, kp);
	emit_handler(&k, kp);
	cw_line(w, "/* %s: %s */", c_comment(vec_at(&kp->d->chain, 0)),
		attach_kind_name(var->attach));
	cw_line(w, "SEC(\"%s\")", var->section);
	cw_line(w, "%s", prog_signature(var, kp->name, k.args_used, k.ret_used));
	cw_block(w);
	fexit_ret(w, var, k.ret_used);
	cw_raw(w, inner.sb.buf);
	w->uses |= inner.uses; /* the helpers the handler calls, for the manifest */
	cw_close(w, NULL);
	cw_blank(w);
	sb_free(&inner.sb);
	if (k.scratch > run->scratch_max)
		run->scratch_max = k.scratch;
}

/* "(ctx, file, count)": what a program hands the shared body, in the order it takes them. */
const char *kgen_body_args(const struct fn_params *fp, const struct kgen *k, bool types)
{
	struct strbuf sb = { 0 };
	sb_puts(&sb, types ? "void *ctx" : "ctx");
	for (int i = 0; fp && i < fp->n; i++)
		if (k->args_used & (1u << i))
			sb_printf(&sb, ", %s", types ? kgen_decl(fp->type[i], fp->name[i]) : fp->name[i]);
	if (fp && k->ret_used)
		sb_printf(&sb, ", %s", types ? kgen_decl(fp->ret_type, "ret") : "ret");
	const char *r = arena_strdup(sb.buf);
	sb_free(&sb);
	return r;
}

/* probe_N_body, then each variant's program: its context's arguments, passed on. */
static void write_shared(struct cw *w, const struct kprog **kps, int n, const struct kgen *k,
			 const char *body)
{
	const struct fn_params *fp = kps[0]->var.params;
	const char *fn = arena_printf("%s_body", kps[0]->name);
	cw_line(w, "/* %s */", c_comment(vec_at(&kps[0]->d->chain, 0)));
	cw_line(w, "static __always_inline int %s(%s)", fn, kgen_body_args(fp, k, true));
	cw_block(w);
	cw_raw(w, body);
	cw_close(w, NULL);
	cw_blank(w);
	for (int i = 0; i < n; i++) {
		const struct variant *var = &kps[i]->var;
		cw_line(w, "/* %s: %s */", c_comment(vec_at(&kps[i]->d->chain, 0)),
			attach_kind_name(var->attach));
		cw_line(w, "SEC(\"%s\")", var->section);
		cw_line(w, "%s", prog_signature(var, kps[i]->name, k->args_used, k->ret_used));
		cw_block(w);
		fexit_ret(w, var, k->ret_used);
		cw_line(w, "return %s(%s);", fn, kgen_body_args(fp, k, false));
		cw_close(w, NULL);
		cw_blank(w);
	}
}

/*
 * Whether the other variants of kps write the handler the first wrote
 * (body), seeing their arguments as k did: planning only, their text and
 * sites dropped. The first's sites, from base on, are kept.
 */
static bool same_handlers(struct kgen_run *run, const struct kprog **kps, int n,
			  const struct kgen *k, const char *body, int base)
{
	struct vec *sites = &run->planning->sites;
	int nsites = sites->len - base;
	bool same = true;
	/* Back in place after the others have numbered theirs as the first did. */
	void **first = arena_alloc(sizeof(*first) * (size_t)(nsites + 1));
	if (nsites) /* else data may be NULL, which memcpy may not be given */
		memcpy(first, sites->data + base, sizeof(*first) * (size_t)nsites);
	diag_quiet(true);
	for (int i = 1; i < n && same; i++) {
		sites->len = base;
		struct cw other = { .indent = 1 };
		struct kgen ko = handler_kgen(run, &other, kps[i]);
		ko.copy_ptrs = k->copy_ptrs;
		emit_handler(&ko, kps[i]);
		same = !strcmp(body, other.sb.buf) && ko.args_used == k->args_used &&
		       ko.ret_used == k->ret_used;
		sb_free(&other.sb);
	}
	diag_quiet(false);
	sites->len = base;
	if (same)
		for (int i = 0; i < nsites; i++)
			vec_push(sites, first[i]);
	return same;
}

/*
 * The variants of one probe (fentry and kprobe ...), or the alike probes
 * of an alias, that write the same handler, reading the arguments by
 * name: one body, always inlined, that each program calls with what it
 * fetches from its own context. False, and nothing written, if they
 * differ (a kprobe's registers, a stash, a field's offset).
 * The planning compares them and notes it in the kprogs (shares_body).
 */
static bool emit_shared(struct kgen_run *run, struct cw *w, int first, int n)
{
	const struct kprog *kps[MAX_VARIANTS];
	bool copy_ptrs = false;
	/* A body takes a typed context's arguments, or only ctx: all are typed, or none. */
	bool typed = ((const struct kprog *)vec_at(&run->pl->kprogs, first))->var.ctx_macro != NULL;
	for (int i = 0; i < n; i++) {
		kps[i] = vec_at(&run->pl->kprogs, first + i);
		if (kps[i]->stash || (kps[i]->var.ctx_macro != NULL) != typed)
			return false;
		copy_ptrs |= kps[i]->var.args == ARGS_CTX_ARRAY;
	}
	if (!run->planning && !kps[0]->shares_body)
		return false;
	struct cw body = { .indent = 1 };
	struct kgen k = handler_kgen(run, &body, kps[0]);
	k.copy_ptrs = copy_ptrs;
	int base = run->planning ? run->planning->sites.len : 0;
	emit_handler(&k, kps[0]);
	if (run->planning) {
		bool same = same_handlers(run, kps, n, &k, body.sb.buf, base);
		for (int i = 0; i < n; i++)
			((struct kprog *)vec_at(&run->planning->kprogs, first + i))->shares_body = same;
		if (!same) {
			sb_free(&body.sb);
			return false;
		}
	}
	write_shared(w, kps, n, &k, body.sb.buf);
	w->uses |= body.uses; /* the helpers the body calls, for the manifest */
	sb_free(&body.sb);
	if (k.scratch > run->scratch_max)
		run->scratch_max = k.scratch;
	return true;
}

int kgen_pow2_at_least(int n)
{
	int p = 64;
	while (p < n)
		p *= 2;
	return p;
}

/* The #defines stp_bpf.h reads for the site maps a program needs. */
static const char *site_defines(const struct plan *pl)
{
	struct cw w = { 0 };
	if (pl->usites_map) {
		cw_line(&w, "#define STP_USITES 1");
		/* One slot per $NAME, then one for $return. */
		cw_line(&w, "#define STP_NUPARAMS %d", pl->prog->uparams.len + 1);
	}
	if (pl->ksites_map)
		cw_line(&w, "#define STP_KSITES 1");
	if (pl->bpf_uses & BPF_USES_UADDRS)
		cw_line(&w, "#define STP_UADDRS 1");
	if (pl->bpf_uses & BPF_USES_PYSTACK)
		cw_line(&w, "#define STP_PYSTACK 1");
	const char *r = arena_strdup(w.sb.buf ? w.sb.buf : "");
	sb_free(&w.sb);
	return r;
}

/*
 * Literals, one struct so that their layout is fixed, with room after:
 * its fields, then its values. The table is the tool's too (errors are
 * reported by number): a program may read none of it.
 */
void kgen_literals(const struct plan *pl, struct cw *fields, struct cw *values)
{
	fields->indent = 1;
	for (int i = 0; i < pl->literals.len; i++) {
		const char *s = vec_at(&pl->literals, i);
		cw_line(fields, "char l%d[%zu];", i, strlen(s) + 1);
		cw_line(values, "\t%s,", c_string(s));
	}
}

/* %( CONFIG_X == "y" %) left to the target: libbpf fills these at load. */
static void emit_kconfigs(const struct plan *pl, struct cw *w)
{
	for (int i = 0; i < pl->kconfigs.len; i++)
		cw_line(w, "extern enum libbpf_tristate %s __kconfig __weak;",
			(const char *)vec_at(&pl->kconfigs, i));
	if (pl->kconfigs.len)
		cw_blank(w);
}

/*
 * The callbacks of `delete a[k, *]` (plan.slices, "a/10"): each deletes
 * the element it is given when the fixed indexes match the caller's key,
 * which bpf_for_each_map_elem passes as its context. String indexes are
 * compared whole: keys are zero-padded where they are made.
 */
void kgen_slice_deletes(const struct plan *pl, struct cw *w)
{
	for (int i = 0; i < pl->slices.len; i++) {
		const char *slice = vec_at(&pl->slices, i), *mask = strchr(slice, '/') + 1;
		const char *name = arena_strndup(slice, (size_t)(mask - 1 - slice));
		const struct symbol *g = NULL;
		for (int j = 0; j < pl->prog->globals.len && !g; j++) {
			const struct symbol *s = vec_at(&pl->prog->globals, j);
			if (!strcmp(s->name, name))
				g = s;
		}
		struct strbuf shown = { 0 };
		for (int k = 0; mask[k]; k++)
			sb_printf(&shown, "%s%s", k ? ", " : "", mask[k] == '1' ? "k" : "*");
		cw_line(w, "/* delete %s[%s] */", name, shown.buf);
		sb_free(&shown);
		cw_open(w, "static long stp_del_slice_%d(void *map, struct key_%s *key, void *val, "
			   "struct key_%s *want)",
			i, name, name);
		for (int k = 0; mask[k]; k++) {
			if (mask[k] != '1')
				continue;
			if (g->keys[k] == VT_STRING)
				cw_line(w, "for (u32 i = 0; i < sizeof(key->k%d); i++) if (key->k%d[i] != "
					   "want->k%d[i]) return 0;",
					k, k, k);
			else
				cw_line(w, "if (key->k%d != want->k%d) return 0;", k, k);
		}
		cw_line(w, "bpf_map_delete_elem(map, key);");
		if (g->decl && g->decl->wrap)
			cw_line(w, "bpf_map_delete_elem(&wseq_%s, key);", name);
		cw_line(w, "return 0;");
		cw_close(w, NULL);
	}
}

/* NAME.bpf.c: templates/tool.bpf.c.in around the maps and the programs. */
static void write_bpf_file(const struct plan *pl, struct strbuf *out, const char *body)
{
	struct cw inits = { 0 }, fields = { 0 }, values = { 0 }, kconfigs = { 0 }, maps = { 0 },
		  hists = { 0 }, regexes = { 0 }, slices = { 0 };
	kgen_kglobal_inits(pl, &inits);
	kgen_literals(pl, &fields, &values);
	emit_kconfigs(pl, &kconfigs);
	regex_emit_tables(pl, &regexes);
	emit_maps(pl, &maps);
	kgen_hist_functions(pl, &hists);
	kgen_slice_deletes(pl, &slices);
	const struct tvar vars[] = {
		{ "NAME", pl->name },
		{ "VERSION", STAPC_VERSION },
		{ "MAXSTRINGLEN", arena_printf("%lld", (long long)pl->maxstringlen) },
		{ "SCRATCH_SIZE", arena_printf("%d", kgen_pow2_at_least(pl->scratch_max + (int)pl->maxstringlen)) },
		{ "RECORD_MAX", arena_printf("%d", kgen_pow2_at_least(pl->record_max)) },
		{ "LAZY_MAX", arena_printf("%d", LAZY_MAX) },
		{ "SITE_DEFINES", site_defines(pl) },
		{ "USDT_INCLUDE", pl->has_usdt ? "#include <bpf/usdt.bpf.h>" : "" },
		{ "KGLOBAL_INITS", inits.sb.buf },
		{ "LITERAL_FIELDS", fields.sb.buf },
		{ "LITERAL_VALUES", values.sb.buf },
		{ "KCONFIGS", kconfigs.sb.buf },
		{ "REGEXES", regexes.sb.buf ? regexes.sb.buf : "" },
		{ "MAPS", maps.sb.buf },
		{ "HIST_FUNCTIONS", hists.sb.buf },
		{ "SLICE_DELETES", slices.sb.buf ? slices.sb.buf : "" },
		{ "BODY", body },
		{ 0 },
	};
	sb_puts(out, template_expand("tool.bpf.c", vars));
	struct cw *all[] = { &inits, &fields, &values, &kconfigs, &maps, &hists, &regexes, &slices };
	for (size_t i = 0; i < ARRAY_SIZE(all); i++)
		sb_free(&all[i]->sb);
}

/* The programs of the probe whose first is kprogs[i]: its variants come one after the other. */
static int variants_at(const struct plan *pl, int i)
{
	const struct kprog *first = vec_at(&pl->kprogs, i);
	int n = 1;
	while (i + n < pl->kprogs.len && n < MAX_VARIANTS &&
	       ((const struct kprog *)vec_at(&pl->kprogs, i + n))->d == first->d)
		n++;
	return n;
}

/*
 * Probes of one program each, one after the other, attached alike: the
 * points of one alias (iotop's sys_enter_read and sys_enter_pread64).
 * When their handlers come out the same, they share one body too.
 */
int kgen_alike_probes(const struct plan *pl, int i)
{
	const struct kprog *first = vec_at(&pl->kprogs, i);
	/* A BPF_USDT program's argN have no fn_params through which a body could take them. */
	if (first->var.attach == STP_ATTACH_USDT)
		return 1;
	int m = 1;
	while (m < MAX_VARIANTS && i + m < pl->kprogs.len && variants_at(pl, i + m) == 1) {
		const struct kprog *kp = vec_at(&pl->kprogs, i + m);
		if (kp->var.attach != first->var.attach || kp->stash)
			break;
		m++;
	}
	return m;
}

/* The script's functions K calls, declared then defined. */
void kgen_functions(struct kgen_run *run, struct cw *w)
{
	const struct plan *pl = run->pl;
	/* Declared first: a function may call one defined after it. */
	for (int i = pl->prog->functions.len - 1; i >= 0; i--) {
		struct function *fn = vec_at(&pl->prog->functions, i);
		if (!fn->builtin && in_k(fn))
			cw_line(w, "%s;", function_signature(fn));
	}
	cw_blank(w);
	/* Functions first, callees before callers (a call needs its callee's scratch size). */
	for (int i = 0; i < pl->kfunctions.len; i++)
		emit_function(run, w, vec_at(&pl->kfunctions, i));
}

/*
 * kp's handler alone, its text (indented once) and in *k what it read: for
 * a backend that wraps it in its own way (the module's, emit/kmod.c).
 */
const char *kgen_handler_text(struct kgen_run *run, const struct kprog *kp, bool copy_ptrs,
			      struct kgen *k)
{
	struct cw inner = { .indent = 1 };
	*k = handler_kgen(run, &inner, kp);
	k->copy_ptrs = copy_ptrs;
	emit_handler(k, kp);
	if (k->scratch > run->scratch_max)
		run->scratch_max = k->scratch;
	const char *r = arena_strdup(inner.sb.buf ? inner.sb.buf : "");
	sb_free(&inner.sb);
	k->w = NULL;
	return r;
}

/* The functions K calls, then its programs: the code that refers to the plan. */
void kgen_code(struct kgen_run *run, struct cw *w)
{
	const struct plan *pl = run->pl;
	kgen_functions(run, w);
	for (int i = 0, n; i < pl->kprogs.len; i += n) {
		n = variants_at(pl, i);
		if (n > 1 && emit_shared(run, w, i, n))
			continue;
		int m = n == 1 ? kgen_alike_probes(pl, i) : 1;
		if (m > 1 && emit_shared(run, w, i, m)) {
			n = m;
			continue;
		}
		for (int v = 0; v < n; v++)
			emit_program(run, w, vec_at(&pl->kprogs, i + v));
	}
}

void emit_bpf(const struct plan *pl, struct strbuf *out)
{
	struct cw body = { 0 };
	struct kgen_run run = { .pl = pl };
	kgen_code(&run, &body);
	if (run.next_site != pl->sites.len || run.scratch_max > pl->scratch_max ||
	    body.uses != pl->bpf_uses) {
		fprintf(stderr, "stapc: bug: NAME.bpf.c differs from its plan\n");
		abort();
	}
	write_bpf_file(pl, out, body.sb.buf);
	sb_free(&body.sb);
}
