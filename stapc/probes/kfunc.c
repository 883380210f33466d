// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kfunc.c - kernel function probes.
 *
 *   kernel.function("PATTERN")[.call|.return]
 *   module("M").function("PATTERN")[.call|.return]
 *   kprobe.function("NAME")[.return]
 *
 * Each function compiles to every way it can be probed: fentry (fexit for
 * .return), then a kprobe (kretprobe). The tool keeps the first that loads
 * and attaches on the kernel it runs on; a tapset alias adds a tracepoint
 * after them with `!`. Parameters and $return are typed from the kernel's
 * BTF function prototype and read with CO-RE, so one binary follows field
 * moves between kernels.
 *
 * A wildcard whose handler reads no $variable is one probe the tool
 * expands on the kernel it runs on (runtime/user/kwild.c): every function
 * there that matches, those the build host lacks included, in one
 * kprobe_multi link or a kprobe each. One whose handler reads $variables
 * needs each match's types: it is expanded here, from the build host's
 * BTF, into a probe per function, each skipped where the running kernel
 * lacks it, and said with -v.
 *
 * With the target kernel's DWARF (--debuginfo), "PATTERN@FILE[:LINE]"
 * names the functions declared in FILE (holding LINE): expanded here, each
 * as stap's pp() names it, "vfs_read@fs/read_write.c:450".
 */
#include "../stapc.h"
#include "../builtins/builtins.h"

#include <bpf/btf.h>
#include <fnmatch.h>
#include <string.h>

/* What this provider keeps in dprobe->data. */
struct kfunc_probe {
	const char *func;
	const char *module;	  /* module("M"), or NULL for the kernel */
	const char *dwarf_at;	  /* "@fs/read_write.c:450" of a point from the DWARF, or NULL */
	int proto;		  /* BTF FUNC_PROTO on the build host, 0 if unknown */
	bool is_return, is_call;
	bool kprobe_only;	  /* kprobe.function: no fentry form */
	/*
	 * A wildcard matched on the target (its handler reads no $variable):
	 * func and module are patterns; host_matches the build host's matches.
	 */
	bool wild;
	struct vec host_matches;
	bool return_reads_params; /* a .return handler reading $params: fexit only */
	const struct fn_params *params; /* its arguments, for typed programs */
};

static bool is_pattern(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* The function name a point names, NULL if the point is not ours. */
static const char *func_of(const struct probe_point *p, const char **module, bool *kprobe)
{
	int n = point_ncomps(p);
	*module = NULL;
	*kprobe = false;
	if (n < 2 || !point_is(p, 1, "function"))
		return NULL;
	const struct expr *f = point_arg(p, 1);
	if (!f || f->kind != E_STRING)
		return NULL;
	if (point_is(p, 0, "kernel") && !point_arg(p, 0)) {
		/* ok */
	} else if (point_is(p, 0, "kprobe") && !point_arg(p, 0)) {
		*kprobe = true;
	} else if (point_is(p, 0, "module") && point_arg(p, 0) &&
		   point_arg(p, 0)->kind == E_STRING) {
		*module = point_arg(p, 0)->str;
	} else {
		return NULL;
	}
	/* "vfs_read@fs/read_write.c": the file part needs DWARF; the name is enough. */
	const char *at = strchr(f->str, '@');
	return at ? intern_n(f->str, (size_t)(at - f->str)) : f->str;
}

/* "vfs_read@fs/read_write.c:450": a point expand() made from the kernel's DWARF. */
static struct vec from_dwarf; /* const struct probe_point * */

static bool made_from_dwarf(const struct probe_point *p)
{
	for (int i = from_dwarf.len - 1; i >= 0; i--)
		if (vec_at(&from_dwarf, i) == p)
			return true;
	return false;
}

/* "@fs/namei.c", not "@*": only the kernel's DWARF knows which functions are there. */
static bool has_file_part(const struct expr *arg)
{
	const char *at = strchr(arg->str, '@');
	return at && strcmp(at, "@*");
}

/*
 * "vfs_*@fs/namei.c" without --debuginfo: which functions a file has is in
 * the kernel's DWARF, not in its BTF ("@*" narrows nothing).
 */
static bool file_part_ok(const struct expr *arg)
{
	if (!has_file_part(arg))
		return true;
	diag_error(&arg->loc, "which kernel functions are in '%s' is known from the kernel's DWARF: "
			      "name its vmlinux with --debuginfo PATH, or match on the function's "
			      "name alone",
		   strchr(arg->str, '@') + 1);
	return false;
}

/* Each is a BPF program of its own, compiled and loaded: keep it sane. */
#define MAX_EXPANDED 1000

/*
 * kernel.function("PATTERN@FILE[:LINE]") with --debuginfo: the functions
 * the DWARF has there (holding LINE), each as stap names it in pp(),
 * "vfs_read@fs/read_write.c:450".
 */
static void expand_from_dwarf(struct elab *e, const struct probe_point *p, struct vec *out)
{
	const struct expr *arg = point_arg(p, 1);
	struct kdwarf_query q = { .functions = true };
	struct kdwarf *kd;
	if (!kdwarf_parse_point(arg, "kernel.function", false, &q) ||
	    !(kd = kdwarf_for(e->s, &arg->loc, "kernel.function")))
		return;
	struct vec fns = { 0 };
	if (kdwarf_find(e->s, kd, &q, arg, &fns) < 0)
		return;
	if (fns.len > MAX_EXPANDED) {
		diag_error(&arg->loc, "'%s' matches %d kernel functions; a tool probes at most %d "
				      "from one pattern: narrow it", arg->str, fns.len, MAX_EXPANDED);
		return;
	}
	for (int i = 0; i < fns.len; i++) {
		const struct kstmt *fn = vec_at(&fns, i);
		struct probe_point *np =
			point_with_arg(p, 1, arena_printf("%s@%s:%d", fn->func, fn->file, fn->line));
		vec_push(&from_dwarf, np);
		vec_push(out, np);
	}
}

/* A $variable or @entry: typed per function, so only known after expansion. */
static bool reads_target(const struct expr *x, void *unused __maybe_unused)
{
	return x->kind == E_TARGET || x->kind == E_ENTRY;
}

static bool handler_reads_targets(const struct stmt *body, const struct expr *cond)
{
	return stmt_any(body, reads_target, NULL) || expr_any(cond, reads_target, NULL);
}

/* The names of the functions in btf that glob pattern pat matches, in BTF order. */
static void matching_functions(const struct btf *btf, const char *pat, struct vec *names)
{
	for (__u32 id = 1; id < btf__type_cnt(btf); id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		if (!btf_is_func(t))
			continue;
		const char *n = btf__name_by_offset(btf, t->name_off);
		if (n && !fnmatch(pat, n, 0))
			vec_push(names, (void *)n);
	}
}

/*
 * A wildcard the tool expands: the build host's matches go with it, for
 * -v to say why this kernel lacks one. A pattern that matches nothing here
 * may match there; the user hears of it.
 */
static bool match_on_target(struct elab *e, struct dprobe *d, struct kfunc_probe *kf)
{
	kf->wild = true;
	d->data = kf;
	if (kf->module)
		return true; /* modules' BTF is not read */
	struct btf *btf = kbtf_get(e);
	if (!btf)
		return false;
	matching_functions(btf, kf->func, &kf->host_matches);
	if (!kf->host_matches.len && !d->optional)
		diag_warning(&point_arg(d->point, 1)->loc,
			     "'%s' matches no function of this host's "
			     "kernel: the tool looks again on the kernel it runs on",
			     kf->func);
	if (kf->host_matches.len > MAX_EXPANDED)
		kf->host_matches.len = 0; /* too many to carry, for -v's account only */
	return true;
}

static int func_proto(const struct btf *btf, const char *name)
{
	int id = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC);
	if (id <= 0)
		return 0;
	return (int)btf__type_by_id(btf, (__u32)id)->type;
}

static bool match(struct elab *e, struct dprobe *d)
{
	const struct probe_point *p = d->point;
	const char *module;
	bool kprobe;
	const char *func = func_of(p, &module, &kprobe);
	if (!func)
		return false;
	const struct expr *arg = point_arg(p, 1);
	if (e->s->debuginfo_path && !module && !kprobe && has_file_part(arg) &&
	    !made_from_dwarf(p)) {
		/* expand_from_dwarf() found none, or said why. */
		if (!d->optional)
			diag_error(&arg->loc, "no function of the kernel's DWARF matches '%s'",
				   arg->str);
		return false;
	}
	struct kfunc_probe *kf = arena_alloc(sizeof(*kf));
	kf->func = func;
	kf->module = module;
	kf->kprobe_only = kprobe;
	if (made_from_dwarf(p))
		kf->dwarf_at = strchr(arg->str, '@');
	for (int i = 2; i < point_ncomps(p); i++) {
		const char *s = point_name(p, i);
		if (!strcmp(s, "return") && i == point_ncomps(p) - 1)
			kf->is_return = true;
		else if (!strcmp(s, "call") && !kprobe && i == point_ncomps(p) - 1)
			kf->is_call = true;
		else if (!strcmp(s, "inline")) {
			diag_error(&p->loc, ".inline probes need the kernel's DWARF, which a tool does "
					    "not carry: probe a function that is not inlined");
			return false;
		} else {
			diag_error(&p->loc, "%s.function() has no .%s", point_name(p, 0), s);
			return false;
		}
	}
	if (is_pattern(func) || (module && is_pattern(module))) {
		if (!file_part_ok(point_arg(p, 1)))
			return false;
		if (!handler_reads_targets(d->body, d->cond))
			return match_on_target(e, d, kf);
		if (module) {
			diag_error(&p->loc, "a module function wildcard whose handler reads $variables "
					    "needs the module's types, which stapc does not read yet: name "
					    "the functions, or read no $variable");
			return false;
		}
		return false; /* expand() made the concrete points; none matched */
	}
	if (!module) {
		struct btf *btf = kbtf_get(e);
		if (!btf)
			return false;
		kf->proto = func_proto(btf, func);
		if (kf->proto)
			kf->params = kbtf_fn_params(btf, kf->proto, 0);
		if (!kf->proto && !kprobe) {
			if (d->optional)
				return false;
			diag_error(&p->loc, "no function '%s' in the kernel's BTF: it is not there, or "
					    "static and inlined (see stapc -l 'kernel.function(\"%s*\")')",
				   func, func);
			return false;
		}
	}
	d->data = kf;
	return true;
}

/* kernel.function("vfs_*") reading $variables: the functions of the build host's BTF. */
static void expand(struct elab *e, const struct probe_point *p, const struct stmt *body,
		   const struct expr *cond, struct vec *out)
{
	const char *module;
	bool kprobe;
	const char *func = func_of(p, &module, &kprobe);
	if (func && !module && !kprobe && e->s->debuginfo_path && has_file_part(point_arg(p, 1))) {
		expand_from_dwarf(e, p, out);
		return;
	}
	if (!func || !is_pattern(func) || module || !handler_reads_targets(body, cond))
		return;
	const struct expr *arg = point_arg(p, 1);
	if (!file_part_ok(arg))
		return;
	struct btf *btf = kbtf_get(e);
	if (!btf)
		return;
	int first = out->len;
	struct vec names = { 0 };
	matching_functions(btf, func, &names);
	for (int k = 0; k < names.len; k++)
		vec_push(out, point_with_arg(p, 1, vec_at(&names, k)));
	if (out->len - first > MAX_EXPANDED) {
		diag_error(&arg->loc, "'%s' matches %d kernel functions; a tool probes at most %d "
				      "from one pattern: narrow it", func, out->len - first, MAX_EXPANDED);
		out->len = first;
	}
}

static const struct btf_param *params(const struct btf *btf, int proto, int *n)
{
	const struct btf_type *t = btf__type_by_id(btf, (__u32)proto);
	*n = btf_vlen(t);
	return btf_params(t);
}

static bool target(struct elab *e, struct dprobe *d, struct expr *x);

/*
 * $$parms (and $$vars: a kernel function's locals are not in BTF) as stap
 * prints them: "file=0xffff... buf=0x7ffd... count=0x1 pos=0xffff...",
 * sprintf over the parameters, each in hex. $$locals is "", $$return
 * "return=0x...". x becomes that sprintf.
 */
static bool all_vars(struct elab *e, struct dprobe *d, struct expr *x)
{
	struct kfunc_probe *kf = d->data;
	struct btf *btf = kbtf_get(e);
	if (!btf || !kf->proto)
		return false;
	struct strbuf fmt = { 0 };
	struct vec names = { 0 };
	if (!strcmp(x->name, "$$parms") || !strcmp(x->name, "$$vars")) {
		int n;
		const struct btf_param *pa = params(btf, kf->proto, &n);
		for (int i = 0; i < n && i < 6; i++) {
			const char *pn = btf__name_by_offset(btf, pa[i].name_off);
			if (pn && *pn)
				vec_push(&names, (void *)pn);
		}
	} else if (!strcmp(x->name, "$$return")) {
		if (kf->is_return && btf__type_by_id(btf, (__u32)kf->proto)->type)
			vec_push(&names, "return");
	} else if (strcmp(x->name, "$$locals")) {
		diag_error(&x->loc, "%s of a kernel function is not supported yet: write $$parms, "
				    "or name the parameters you want",
			   x->name);
		return true;
	}
	struct vec args = { 0 };
	for (int i = 0; i < names.len; i++) {
		const char *pn = vec_at(&names, i);
		sb_printf(&fmt, "%s%s=%%#x", i ? " " : "", pn);
		struct expr *a = expr_new(E_TARGET, x->loc);
		a->name = intern(arena_printf("$%s", pn));
		if (!target(e, d, a))
			return false;
		vec_push(&args, a);
	}
	expr_make_sprintf(x, fmt.buf ? fmt.buf : "", args);
	sb_free(&fmt);
	return true;
}

static bool target(struct elab *e, struct dprobe *d, struct expr *x)
{
	struct kfunc_probe *kf = d->data;
	if (x->name[1] == '$') {
		if (x->comps.len) {
			diag_error(&x->loc, "%s with a suffix ($ or $$) is not supported yet for a kernel "
					    "function: write %s",
				   x->name, x->name);
			return true;
		}
		return all_vars(e, d, x);
	}
	struct btf *btf = kbtf_get(e);
	if (!btf || !kf->proto)
		return false;
	const char *name = x->name + 1;
	struct target_ref *r = arena_alloc(sizeof(*r));
	if (!strcmp(name, "return")) {
		if (!kf->is_return)
			return false;
		const struct btf_type *t = btf__type_by_id(btf, (__u32)kf->proto);
		if (!t->type) {
			diag_error(&x->loc, "%s returns nothing: it has no $return", kf->func);
			return true;
		}
		int n;
		params(btf, kf->proto, &n);
		r->base = TREF_KRETVAL;
		r->index = n;
		r->type = (int)t->type;
		tref_resolve(e, r, x);
		return true;
	}
	int n;
	const struct btf_param *pa = params(btf, kf->proto, &n);
	for (int i = 0; i < n; i++) {
		const char *pn = btf__name_by_offset(btf, pa[i].name_off);
		if (!pn || strcmp(pn, name))
			continue;
		if (i >= 6) {
			diag_error(&x->loc, "%s is argument %d of %s: only the first six, passed in "
					    "registers, can be read",
				   x->name, i + 1, kf->func);
			return true;
		}
		if (kf->is_return)
			kf->return_reads_params = true;
		r->base = TREF_TP_ARG;
		r->index = i;
		r->type = (int)pa[i].type;
		tref_resolve(e, r, x);
		return true;
	}
	return false;
}

static void vars(struct elab *e, const struct dprobe *d, struct vec *out)
{
	const struct kfunc_probe *kf = d->data;
	struct btf *btf = kbtf_get(e);
	if (!btf || !kf->proto)
		return;
	int n;
	const struct btf_param *pa = params(btf, kf->proto, &n);
	for (int i = 0; i < n; i++) {
		const char *pn = btf__name_by_offset(btf, pa[i].name_off);
		vec_push(out, (void *)arena_printf("$%s:%s", pn && *pn ? pn : "?",
						   kbtf_type_name(btf, (int)pa[i].type)));
	}
	const struct btf_type *t = btf__type_by_id(btf, (__u32)kf->proto);
	if (kf->is_return && t->type)
		vec_push(out, (void *)arena_printf("$return:%s", kbtf_type_name(btf, (int)t->type)));
}

/* What pp() of one of a wildcard's matches is: %F the function, %M its module. */
static const char *site_pp(const struct kfunc_probe *kf)
{
	const char *suffix = kf->is_return ? ".return" : kf->is_call ? ".call" : "";
	if (kf->kprobe_only)
		return arena_printf("kprobe.function(\"%%F\")%s", suffix);
	if (kf->module)
		return arena_printf("module(\"%%M\").function(\"%%F\")%s", suffix);
	return arena_printf("kernel.function(\"%%F\")%s", suffix);
}

/* A wildcard the tool expands: one kprobe_multi link, else a kprobe each. */
static int wild_variants(const struct kfunc_probe *kf, struct variant *out, int max)
{
	static const enum stp_attach kinds[2][2] = {
		{ STP_ATTACH_KPROBE_MULTI, STP_ATTACH_KPROBE_EACH },
		{ STP_ATTACH_KRETPROBE_MULTI, STP_ATTACH_KRETPROBE_EACH },
	};
	int n = 0;
	for (int each = 0; each < 2 && n < max; each++)
		out[n++] = (struct variant){
			.section = attach_kind_section(kinds[kf->is_return][each], NULL),
			.attach = kinds[kf->is_return][each],
			.target = kf->func,
			.args = ARGS_PT_REGS,
			.ctx_macro = kf->is_return ? "BPF_KRETPROBE" : "BPF_KPROBE",
			.is_return = kf->is_return,
			.kwild = true,
			.kmod = kf->module,
			.site_pp = site_pp(kf),
			.host_matches = &kf->host_matches,
		};
	return n;
}

static int variants(const struct dprobe *d, struct variant *out, int max)
{
	const struct kfunc_probe *kf = d->data;
	if (kf->wild)
		return wild_variants(kf, out, max);
	int n = 0;
	/*
	 * fentry/fexit: BTF-typed, the cheapest; module functions need their
	 * BTF too. They have no saved registers: int_arg() and returnval()
	 * need a kprobe, as in stap.
	 */
	bool regs = stmt_any(d->body, expr_reads_registers, NULL) ||
		    expr_any(d->cond, expr_reads_registers, NULL);
	enum stp_attach fentry = kf->is_return ? STP_ATTACH_FEXIT : STP_ATTACH_FENTRY;
	if (!kf->kprobe_only && !kf->module && !regs && n < max)
		out[n++] = (struct variant){
			.section = attach_kind_section(fentry, kf->func),
			.attach = fentry,
			.target = kf->func,
			.args = ARGS_CTX_ARRAY,
			.ctx_macro = "BPF_PROG",
			.params = kf->params,
			.is_return = kf->is_return,
		};
	/*
	 * A kretprobe sees the return value, not the arguments: a return probe
	 * that reads them gets them from a kprobe at the entry, which keeps
	 * them per thread.
	 */
	enum stp_attach kprobe = kf->is_return ? STP_ATTACH_KRETPROBE : STP_ATTACH_KPROBE;
	if (n < max)
		out[n++] = (struct variant){
			.section = attach_kind_section(kprobe, kf->func),
			.attach = kprobe,
			.target = kf->func,
			.args = ARGS_PT_REGS,
			.ctx_macro = kf->is_return ? "BPF_KRETPROBE" : "BPF_KPROBE",
			.params = kf->params,
			.is_return = kf->is_return,
			.entry_stash = kf->is_return && kf->return_reads_params,
		};
	return n;
}

/* ppfunc(), probefunc(): the function, as the point names it. */
static const char *func_name(const struct dprobe *d)
{
	const struct kfunc_probe *kf = d->data;
	return kf->func;
}

/* A return's entry program: fentry for an fexit, a kprobe for a kretprobe; wildcards have none. */
static bool entry_of(const struct dprobe *d, struct variant *ev)
{
	(void)d;
	if (ev->attach == STP_ATTACH_FEXIT)
		ev->attach = STP_ATTACH_FENTRY;
	else if (ev->attach == STP_ATTACH_KRETPROBE)
		ev->attach = STP_ATTACH_KPROBE;
	else
		return false;
	ev->section = attach_kind_section(ev->attach, ev->target);
	return true;
}

static void print(struct strbuf *out, const struct dprobe *d)
{
	const struct kfunc_probe *kf = d->data;
	if (kf->kprobe_only)
		sb_printf(out, "kprobe.function(\"%s\")", kf->func);
	else if (kf->module)
		sb_printf(out, "module(\"%s\").function(\"%s\")", kf->module, kf->func);
	else
		sb_printf(out, "kernel.function(\"%s%s\")", kf->func, kf->dwarf_at ? kf->dwarf_at : "");
	sb_puts(out, kf->is_return ? ".return" : kf->is_call ? ".call" : "");
	if (kf->wild && kf->module)
		sb_puts(out, " /* matched where the tool runs */");
	else if (kf->wild)
		sb_printf(out, " /* matched where the tool runs; %d match%s on this host */",
			  kf->host_matches.len, kf->host_matches.len == 1 ? "" : "es");
}

static void list(struct elab *e, const struct probe_point *pattern, struct vec *out)
{
	if (point_ncomps(pattern) < 2 || !point_match(point_name(pattern, 0), "kernel") ||
	    !point_match(point_name(pattern, 1), "function"))
		return;
	const struct expr *arg = point_arg(pattern, 1);
	const char *pat = arg && arg->kind == E_STRING ? arg->str : "*";
	struct btf *btf = kbtf_get(e);
	if (!btf)
		return;
	struct vec names = { 0 };
	matching_functions(btf, pat, &names);
	for (int k = 0; k < names.len; k++)
		vec_push(out, (void *)arena_printf("kernel.function(\"%s\")",
						   (const char *)vec_at(&names, k)));
}

const struct provider provider_kfunc = {
	.name = "kernel.function",
	.match = match,
	.expand = expand,
	.expansions_optional = true,
	.target = target,
	.vars = vars,
	.variants = variants,
	.entry_of = entry_of,
	.func_name = func_name,
	.print = print,
	.list = list,
};
