// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * probe.c - built-ins of the probe that runs: its point (pp, pn, probefunc),
 * its registers, whether it is a return, and the script's arguments.
 */
#include "builtins.h"

#include "../emit/emitters.h"

#include <string.h>

/* ------------------------------------------------------------ the probe point */

/* The aux of pp(), pn(), probefunc() and ppfunc(). */
struct point_aux {
	const char *what; /* which of a site's names: STP_USITE_PP or STP_USITE_FUNC */
	bool per_match;	  /* a kernel wildcard's match has its own (pn() is as written) */
};

/*
 * Where pp(), pn(), probefunc() or ppfunc() call x comes from a site the
 * tool named (a uprobe's, a kernel wildcard match's): the site id, and the
 * record piece (STP_P_USITE or STP_P_KSITE) and what (STP_USITE_*) of it.
 */
static const char *site_of(struct kgen *k, const struct expr *x, const char **tag,
			   const char **what)
{
	const struct point_aux *pa = builtin_of(x->fn)->aux;
	*what = pa->what;
	if (kgen_usite(k)) {
		*tag = "STP_P_USITE";
		return kgen_usite(k);
	}
	if (k->variant && k->variant->kwild && pa->per_match) {
		*tag = "STP_P_KSITE";
		return "(u32)bpf_get_attach_cookie(ctx)";
	}
	return NULL;
}

/* Per site: the tool wrote them in a map before attaching. */
static const char *bpf_site_str(struct kgen *k, const char *site, const char *tag,
				const char *what)
{
	bool user = !strcmp(tag, "STP_P_USITE");
	struct plan *planning = k->run->planning;
	if (planning && user)
		planning->usites_map = true;
	else if (planning)
		planning->ksites_map = true;
	return arena_printf("stp_%csite_str(%s, %s)", user ? 'u' : 'k', site, what);
}

/* The probe point as written: aliases and wildcards. */
static const char *bpf_pn(struct kgen *k, struct expr *x, const char *d)
{
	(void)d;
	const char *site, *tag, *what;
	if ((site = site_of(k, x, &tag, &what)))
		return bpf_site_str(k, site, tag, what);
	return kgen_lit(k, k->probe ? (const char *)vec_at(&k->probe->chain, 0) : "");
}

/* The probe point as resolved: the function a wildcard matched. */
static const char *bpf_pp(struct kgen *k, struct expr *x, const char *d)
{
	(void)d;
	const char *site, *tag, *what;
	if ((site = site_of(k, x, &tag, &what)))
		return bpf_site_str(k, site, tag, what);
	if (!k->probe)
		return kgen_lit(k, "");
	struct strbuf sb = { 0 };
	dump_probe_point(&sb, k->probe->point);
	const char *r = kgen_lit(k, arena_strdup(sb.buf));
	sb_free(&sb);
	return r;
}

static const char *bpf_probefunc(struct kgen *k, struct expr *x, const char *d)
{
	(void)d;
	const char *site, *tag, *what;
	if ((site = site_of(k, x, &tag, &what)))
		return bpf_site_str(k, site, tag, what);
	const char *fn = k->probe && k->probe->prov->func_name
				 ? k->probe->prov->func_name(k->probe)
				 : NULL;
	return kgen_lit(k, fn ? fn : "");
}

/* The tool knows each site's names: the record carries the site. */
static void bpf_point_out(struct kgen *k, struct expr *x, const char *rec)
{
	const char *site, *tag, *what;
	if ((site = site_of(k, x, &tag, &what)))
		cw_line(k->w, "stp_put_site(%s, %s, %s, %s);", rec, tag, site, what);
	else
		cw_line(k->w, "stp_put_str(%s, %s);", rec, kgen_str(k, x));
}

static int bpf_point_out_size(struct kgen *k, struct expr *x)
{
	const char *tag, *what;
	return site_of(k, x, &tag, &what) ? 6 : 11 + (int)k->pl->maxstringlen;
}

static void user_pn(struct ugen *u, struct expr *x, const char *d)
{
	(void)x;
	cw_line(u->w, "stp_strcpy(%s, %s);", d,
		c_string(u->probe ? (const char *)vec_at(&u->probe->chain, 0) : ""));
}

static void user_pp(struct ugen *u, struct expr *x, const char *d)
{
	(void)x;
	struct strbuf sb = { 0 };
	if (u->probe)
		dump_probe_point(&sb, u->probe->point);
	cw_line(u->w, "stp_strcpy(%s, %s);", d, c_string(sb.buf ? sb.buf : ""));
	sb_free(&sb);
}

/* The tool's probes (begin, end, timers) are in no function. */
static void user_empty(struct ugen *u, struct expr *x, const char *d)
{
	(void)x;
	cw_line(u->w, "%s[0] = 0;", d);
}

/* ------------------------------------------------------------ registers */

/*
 * register("NAME"): a field of pt_regs, by the names of man function::register
 * (rax or ax; eax is the low half, sign-extended unless u_register()).
 */
static const char *register_read(struct expr *x, const char *regs, const char *name,
				 bool unsigned_)
{
	static const char *const full[][2] = {
		{ "rax", "ax" }, { "rbx", "bx" }, { "rcx", "cx" },   { "rdx", "dx" }, { "rsi", "si" },
		{ "rdi", "di" }, { "rbp", "bp" }, { "rsp", "sp" },   { "rip", "ip" }, { "r8", "r8" },
		{ "r9", "r9" },	 { "r10", "r10" }, { "r11", "r11" }, { "r12", "r12" }, { "r13", "r13" },
		{ "r14", "r14" }, { "r15", "r15" }, { "ax", "ax" }, { "bx", "bx" }, { "cx", "cx" },
		{ "dx", "dx" },	 { "si", "si" },   { "di", "di" },   { "bp", "bp" },   { "sp", "sp" },
		{ "ip", "ip" },	 { "flags", "flags" }, { "cs", "cs" }, { "ss", "ss" },
		{ "orig_ax", "orig_ax" },
	};
	static const char *const half[][2] = {
		{ "eax", "ax" }, { "ebx", "bx" }, { "ecx", "cx" }, { "edx", "dx" },
		{ "esi", "si" }, { "edi", "di" }, { "ebp", "bp" }, { "esp", "sp" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(full); i++)
		if (!strcmp(name, full[i][0]))
			return arena_printf("(s64)%s->%s", regs, full[i][1]);
	for (size_t i = 0; i < ARRAY_SIZE(half); i++)
		if (!strcmp(name, half[i][0]))
			return arena_printf("(s64)(%s)%s->%s", unsigned_ ? "u32" : "s32", regs, half[i][1]);
	diag_error(&x->loc, "register(\"%s\"): no such register on x86_64", name);
	return "0";
}

static const char *bpf_register(struct kgen *k, struct expr *x)
{
	const char *n = x->fn->name;
	const char *regs = kgen_regs(k);
	const struct expr *name = vec_at(&x->args, 0);
	if (!regs || name->kind != E_STRING) {
		diag_error(&x->loc, "%s(\"NAME\") needs a probe with registers (a uprobe, "
				    "kprobe or perf probe) and a literal name",
			   n);
		return "0";
	}
	if (!k->variant) {
		/* A function: its caller's registers, if its probe has any. */
		cw_open(k->w, "if (!regs)");
		kgen_fail(k, &x->loc, "cannot read registers: this probe has none (a tracepoint, "
				      "fentry or timer)", arena_printf("%s(\"%s\")", n, name->str));
		cw_close(k->w, NULL);
	}
	return register_read(x, regs, name->str, n[0] == 'u');
}

/* The user IP of the task: in a uprobe, the probe's own. */
static const char *bpf_uaddr(struct kgen *k, struct expr *x)
{
	(void)x;
	return k->variant && k->variant->ukind
		       ? "(s64)PT_REGS_IP((struct pt_regs *)ctx)"
		       : "(s64)BPF_CORE_READ((struct pt_regs *)bpf_task_pt_regs("
			 "bpf_get_current_task_btf()), ip)";
}

static const char *bpf_addr(struct kgen *k, struct expr *x)
{
	(void)x;
	const char *regs = kgen_regs(k);
	return regs && k->variant ? arena_printf("(s64)%s->ip", regs) : "0";
}

static const char *bpf_user_mode(struct kgen *k, struct expr *x)
{
	(void)x;
	bool perf_ctx = k->variant && k->variant->attach == STP_ATTACH_PERF;
	const char *regs = kgen_regs(k);
	if (k->variant && k->variant->ukind)
		return "1";
	/*
	 * A perf event's context allows only 8-byte loads of its
	 * registers, so not of cs: user addresses are the lower half.
	 */
	return perf_ctx ? arena_printf("(s64)((s64)%s->ip >= 0)", regs) : "0";
}

static const char *bpf_is_return(struct kgen *k, struct expr *x)
{
	(void)x;
	return k->variant && k->variant->is_return ? "1" : "0";
}

/* ------------------------------------------------------------ the script's arguments */

/* The tool put its arguments in BPF's globals before attaching. */
static const char *bpf_arg_long(struct kgen *k, struct expr *x)
{
	return arena_printf("stp_kg.stp_argl[(%s - 1) & 63]", kgen_long(k, vec_at(&x->args, 0)));
}

static const char *bpf_arg_str(struct kgen *k, struct expr *x, const char *d)
{
	(void)d;
	return arena_printf("stp_kg.stp_args[(%s - 1) & 63]", kgen_long(k, vec_at(&x->args, 0)));
}

static const char *user_arg_long(struct ugen *u, struct expr *x)
{
	return arena_printf("stp_arg_long(rt, %s)", ugen_long(u, vec_at(&x->args, 0)));
}

static void user_arg_str(struct ugen *u, struct expr *x, const char *d)
{
	cw_line(u->w, "stp_arg(rt, %s, (int)%s);", d, ugen_long(u, vec_at(&x->args, 0)));
}

#define POINT(w, per) (&(const struct point_aux){ .what = w, .per_match = per })

const struct builtin builtins_probe[] = {
	{ .name = "pp", .sig = { "string()" }, .flags = BI_PURE,
	  .aux = POINT("STP_USITE_PP", true), .bpf_str = bpf_pp,
	  .bpf_out = bpf_point_out, .bpf_out_size = bpf_point_out_size, .user_str = user_pp },
	{ .name = "pn", .sig = { "string()" }, .flags = BI_PURE,
	  .aux = POINT("STP_USITE_PP", false), .bpf_str = bpf_pn,
	  .bpf_out = bpf_point_out, .bpf_out_size = bpf_point_out_size, .user_str = user_pn },
	{ .name = "ppfunc", .sig = { "string()" }, .flags = BI_PURE,
	  .aux = POINT("STP_USITE_FUNC", true), .bpf_str = bpf_probefunc,
	  .bpf_out = bpf_point_out, .bpf_out_size = bpf_point_out_size, .user_str = user_empty },
	{ .name = "probefunc", .sig = { "string()" }, .flags = BI_PURE,
	  .aux = POINT("STP_USITE_FUNC", true), .bpf_str = bpf_probefunc,
	  .bpf_out = bpf_point_out, .bpf_out_size = bpf_point_out_size, .user_str = user_empty },
	{ .name = "is_return", .sig = { "long()" }, .flags = BI_PURE, .bpf_long = bpf_is_return,
	  .user_c = "0" },
	{ .name = "user_mode", .sig = { "long()" }, .flags = BI_PURE | BI_KCTX,
	  .bpf_long = bpf_user_mode },
	{ .name = "addr", .sig = { "long()" }, .flags = BI_PURE | BI_KCTX, .bpf_long = bpf_addr },
	{ .name = "uaddr", .sig = { "long()" }, .flags = BI_PURE | BI_KCTX, .bpf_long = bpf_uaddr },
	{ .name = "register", .sig = { "long(string)" }, .flags = BI_PURE | BI_KCTX | BI_REGS,
	  .bpf_long = bpf_register },
	{ .name = "u_register", .sig = { "long(string)" }, .flags = BI_PURE | BI_KCTX | BI_REGS,
	  .bpf_long = bpf_register },
	{ .name = "__script_arg_long", .sig = { "long(long)" }, .flags = BI_PURE,
	  .bpf_long = bpf_arg_long, .user_long = user_arg_long },
	{ .name = "__script_arg_str", .sig = { "string(long)" }, .flags = BI_PURE,
	  .bpf_str = bpf_arg_str, .user_str = user_arg_str },
	{ 0 }
};
