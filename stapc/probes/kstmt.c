// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kstmt.c - kernel source line probes, from the kernel's DWARF.
 *
 *   kernel.statement("FUNC@FILE:LINE")   LINE: N, N-M or *; FUNC and FILE globs
 *
 * The DWARF (--debuginfo PATH) is read when compiling (kdwarf.c): each
 * line a pattern names becomes a probe of its own, a kprobe at the
 * function symbol that holds the line plus the line's offset in it, so a
 * handler that needs nothing else runs in BPF. pp() is stap's,
 * kernel.statement("vfs_read@fs/read_write.c:470"). The tool is tied to
 * the kernel the DWARF describes: it checks that kernel's build id when
 * it starts.
 *
 * A FILE written with another machine's build folder in front
 * (/build/linux-8h04gD/linux-4.13.0/drivers/tty/vt/[*].c, say) names no file of
 * this kernel, whose DWARF has its own folder: the path is matched from
 * where it fits inside the source tree, with a warning.
 */
#include "../stapc.h"

#include <bpf/btf.h>
#include <string.h>

/* A concrete point expand() made, and the statement it stands for. */
struct made_point {
	const struct probe_point *point;
	const struct kstmt *st;
};
static struct vec made; /* struct made_point * */

static bool is_stmt_point(const struct probe_point *p)
{
	return point_ncomps(p) == 2 && point_is(p, 0, "kernel") && !point_arg(p, 0) &&
	       point_is(p, 1, "statement");
}

/* Each is a BPF program of its own, compiled and loaded: keep it sane. */
#define MAX_STATEMENTS 1000

static void expand(struct elab *e, const struct probe_point *p, const struct stmt *body,
		   const struct expr *cond, struct vec *out)
{
	(void)body;
	(void)cond;
	if (!is_stmt_point(p))
		return;
	const struct expr *arg = point_arg(p, 1);
	struct kdwarf_query q = { 0 };
	if (!arg || arg->kind != E_STRING || !kdwarf_parse_point(arg, "kernel.statement", true, &q))
		return;
	struct kdwarf *dw = kdwarf_for(e->s, &arg->loc, "kernel.statement");
	if (!dw)
		return;
	struct vec sts = { 0 };
	if (kdwarf_find(e->s, dw, &q, arg, &sts) < 0)
		return;
	if (sts.len > MAX_STATEMENTS) {
		diag_error(&arg->loc, "'%s' names %d statements; a tool probes at most %d from one "
				      "pattern: narrow it",
			   arg->str, sts.len, MAX_STATEMENTS);
		return;
	}
	for (int i = 0; i < sts.len; i++) {
		const struct kstmt *st = vec_at(&sts, i);
		struct probe_point *np = point_with_arg(
			p, 1, arena_printf("%s@%s:%d", st->func, st->file, st->line));
		struct made_point *m = arena_alloc(sizeof(*m));
		*m = (struct made_point){ np, st };
		vec_push(&made, m);
		vec_push(out, np);
	}
}

static const struct kstmt *made_from(const struct probe_point *p)
{
	for (int i = made.len - 1; i >= 0; i--) {
		const struct made_point *m = vec_at(&made, i);
		if (m->point == p)
			return m->st;
	}
	return NULL;
}

static bool match(struct elab *e, struct dprobe *d)
{
	(void)e;
	if (!is_stmt_point(d->point))
		return false;
	const struct kstmt *st = made_from(d->point);
	const struct expr *arg = point_arg(d->point, 1);
	if (!st) {
		/* expand() found nothing here, or said why. */
		if (!d->optional && arg && arg->kind == E_STRING)
			diag_error(&arg->loc, "no statement of the kernel's DWARF matches '%s'",
				   arg->str);
		return false;
	}
	if (!st->sym) {
		diag_error(&arg->loc, "%s:%d of %s is in no function symbol of the kernel, so no "
				      "kprobe can be put there",
			   st->file, st->line, st->func);
		return false;
	}
	d->data = (void *)st;
	return true;
}

static const char *stmt_place(const struct kstmt *st)
{
	if (!st->offset)
		return st->sym;
	return arena_printf("%s+0x%llx", st->sym, (unsigned long long)st->offset);
}

static int variants(const struct dprobe *d, struct variant *out, int max)
{
	const struct kstmt *st = d->data;
	if (max < 1)
		return 0;
	const char *place = stmt_place(st);
	out[0] = (struct variant){
		.section = attach_kind_section(STP_ATTACH_KPROBE, place),
		.attach = STP_ATTACH_KPROBE,
		.target = place,
		.args = ARGS_PT_REGS,
		.ctx_macro = "BPF_KPROBE",
	};
	return 1;
}

static const struct kvar *var_named(const struct kstmt *st, const char *name)
{
	for (int i = 0; i < st->vars.len; i++) {
		const struct kvar *v = vec_at(&st->vars, i);
		if (!strcmp(v->name, name))
			return v;
	}
	return NULL;
}

/* $name: the variable's value where the kprobe fires, typed from BTF by its C type. */
static bool read_var(struct elab *e, const struct kstmt *st, struct expr *x)
{
	const struct kvar *v = var_named(st, x->name + 1);
	if (!v)
		return false;
	const char *c = kvar_c_expr(v, "((struct pt_regs *)ctx)");
	if (!c) {
		diag_error(&x->loc, "%s is not to be had at %s@%s:%d: the compiler keeps it nowhere "
				    "there",
			   x->name, st->func, st->file, st->line);
		return true;
	}
	struct btf *btf = kbtf_get(e);
	if (!btf)
		return true;
	struct target_ref *r = arena_alloc(sizeof(*r));
	r->base = TREF_EXPR;
	r->c_expr = c;
	r->type = kbtf_parse_c_type(btf, v->c_type);
	tref_resolve(e, r, x);
	return true;
}

/*
 * $$vars, $$locals, $$parms as stap prints them: "name=0x..." each, in
 * hex, "name=?" where the variable is not to be had. x becomes that sprintf.
 */
static bool all_vars(struct elab *e, const struct kstmt *st, struct expr *x)
{
	bool parms = !strcmp(x->name, "$$parms"), locals = !strcmp(x->name, "$$locals");
	if (!parms && !locals && strcmp(x->name, "$$vars"))
		return false;
	struct strbuf fmt = { 0 };
	struct vec args = { 0 };
	int n = 0;
	for (int i = 0; i < st->vars.len; i++) {
		const struct kvar *v = vec_at(&st->vars, i);
		if ((parms && !v->param) || (locals && v->param))
			continue;
		bool have = kvar_c_expr(v, "ctx") != NULL;
		sb_printf(&fmt, "%s%s=%s", n++ ? " " : "", v->name, have ? "%#x" : "?");
		if (!have)
			continue;
		struct expr *a = expr_new(E_TARGET, x->loc);
		a->name = intern(arena_printf("$%s", v->name));
		read_var(e, st, a);
		vec_push(&args, a);
	}
	expr_make_sprintf(x, fmt.buf ? fmt.buf : "", args);
	sb_free(&fmt);
	return true;
}

static bool target(struct elab *e, struct dprobe *d, struct expr *x)
{
	const struct kstmt *st = d->data;
	if (x->name[1] != '$')
		return read_var(e, st, x);
	if (x->comps.len) {
		diag_error(&x->loc, "%s with a suffix is not supported yet for a statement: write %s",
			   x->name, x->name);
		return true;
	}
	return all_vars(e, st, x);
}

static void vars(struct elab *e, const struct dprobe *d, struct vec *out)
{
	(void)e;
	const struct kstmt *st = d->data;
	for (int i = 0; i < st->vars.len; i++) {
		const struct kvar *v = vec_at(&st->vars, i);
		vec_push(out, (void *)arena_printf("$%s:%s", v->name, v->c_type));
	}
}

static const char *func_name(const struct dprobe *d)
{
	const struct kstmt *st = d->data;
	return st->func;
}

static void print(struct strbuf *out, const struct dprobe *d)
{
	const struct kstmt *st = d->data;
	sb_printf(out, "kernel.statement(\"%s@%s:%d\") /* pc=%s */", st->func, st->file, st->line,
		  stmt_place(st));
}

const struct provider provider_kstmt = {
	.name = "kernel.statement",
	.match = match,
	.expand = expand,
	.target = target,
	.vars = vars,
	.variants = variants,
	.func_name = func_name,
	.print = print,
};
