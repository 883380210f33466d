// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * symbols.c - built-ins that name addresses and stacks. BPF captures the
 * addresses into the record; the tool names them, kernel ones from
 * /proc/kallsyms and user ones from the task's mappings. A kernel name
 * that is compared or stored is made in BPF, by the kernel's %ps.
 */
#include "builtins.h"

#include "../emit/emitters.h"

#include <string.h>

/* The kind of __ksym(), __kstack() and __ustack(): a constant, what the tapset passes. */
static const struct expr *constant_kind(struct expr *x)
{
	const struct expr *kind = vec_at(&x->args, 0);
	if (kind->kind != E_NUMBER) {
		diag_error(&x->loc, "%s() takes a constant kind", x->fn->name);
		return NULL;
	}
	return kind;
}

static void bpf_ustack_out(struct kgen *k, struct expr *x, const char *rec)
{
	const struct expr *kind = constant_kind(x);
	if (kind)
		cw_line(k->w, "stp_put_ustack(%s, ctx, %lld, %s);", rec, (long long)kind->num,
			kgen_long(k, vec_at(&x->args, 1)));
}

static int bpf_ustack_out_size(struct kgen *k, struct expr *x)
{
	(void)k, (void)x;
	return 4 + 32 * 20; /* STP_USTACK_MAX frames of struct stp_uloc */
}

/*
 * backtrace() and ubacktrace() as bytes (kind 0, hex addresses), where a
 * stack is a key or is stored; the symbol lines of the other kinds only
 * the tool makes (BI_BYTES_KIND0: placement never asks for them here).
 */
static const char *bpf_stack_str(struct kgen *k, struct expr *x, const char *d)
{
	bool user = !strcmp(x->fn->name, "__ustack");
	k->w->uses |= BPF_USES_SNPRINTF | (user ? BPF_USES_UADDRS : 0);
	if (user)
		cw_line(k->w, "stp_ustack_str(%s, ctx, %s);", d, kgen_long(k, vec_at(&x->args, 1)));
	else
		cw_line(k->w, "stp_kstack_str(%s, ctx);", d);
	return d;
}

static void bpf_kstack_out(struct kgen *k, struct expr *x, const char *rec)
{
	const struct expr *kind = constant_kind(x);
	if (kind)
		cw_line(k->w, "stp_put_kstack(%s, ctx, %lld);", rec, (long long)kind->num);
}

static int bpf_kstack_out_size(struct kgen *k, struct expr *x)
{
	(void)k, (void)x;
	return 3 + 8 * 20;
}

static void bpf_ksym_out(struct kgen *k, struct expr *x, const char *rec)
{
	const struct expr *kind = constant_kind(x);
	if (kind)
		cw_line(k->w, "stp_put_ksym(%s, %lld, %s);", rec, (long long)kind->num,
			kgen_long(k, vec_at(&x->args, 1)));
}

static int bpf_ksym_out_size(struct kgen *k, struct expr *x)
{
	(void)k, (void)x;
	return 10;
}

/* usymname() and kin: the address, and what of it (the row's aux: STP_USYM_*). */
static void bpf_usym_out(struct kgen *k, struct expr *x, const char *rec)
{
	cw_line(k->w, "stp_put_usym(%s, %s, %s);", rec, (const char *)builtin_of(x->fn)->aux,
		kgen_long(k, vec_at(&x->args, 0)));
}

static int bpf_usym_out_size(struct kgen *k, struct expr *x)
{
	(void)k, (void)x;
	return 2 + 32;
}

/* The same as bytes, where they are compared or stored: named by the kernel (%ps, %pS). */
static const char *bpf_ksym_str(struct kgen *k, struct expr *x, const char *d)
{
	const struct expr *kind = constant_kind(x);
	k->w->uses |= BPF_USES_SNPRINTF | BPF_USES_PROBE_READ_KERNEL;
	if (kind)
		cw_line(k->w, "stp_ksym_str(%s, %s, %lld, %s);", d,
			kind->num == 2 ? kgen_slot(k, (int)k->pl->maxstringlen) : "NULL",
			(long long)kind->num, kgen_long(k, vec_at(&x->args, 1)));
	return d;
}

static void user_ksym(struct ugen *u, struct expr *x, const char *d)
{
	cw_line(u->w, "stp_ksym(%s, %s, %s);", d, ugen_long(u, vec_at(&x->args, 0)),
		ugen_long(u, vec_at(&x->args, 1)));
}

static void user_kstack(struct ugen *u, struct expr *x, const char *d)
{
	(void)x;
	cw_line(u->w, "%s[0] = 0; /* the tool has no kernel stack of its own */", d);
}

/* sprint_stack_folded() and sprint_ustack_folded(): a stack key named, root first, by the tool. */
static void user_folded(struct ugen *u, struct expr *x, const char *d)
{
	cw_line(u->w, "stp_stack_folded(%s, %s, %s);", d, ugen_str(u, vec_at(&x->args, 0)),
		ugen_str(u, vec_at(&x->args, 1)));
}

/* pystack(): the Python frames of the current thread, named in BPF (stp_bpf.h). */
static const char *bpf_pystack_str(struct kgen *k, struct expr *x, const char *d)
{
	(void)x;
	k->w->uses |= BPF_USES_PYSTACK | BPF_USES_PERCPU_LOOKUP | BPF_USES_PROBE_READ_KERNEL |
		      BPF_USES_PROBE_READ_USER;
	cw_line(k->w, "stp_pystack_str(%s);", d);
	return d;
}

static void user_pystack(struct ugen *u, struct expr *x, const char *d)
{
	(void)x;
	cw_line(u->w, "%s[0] = 0; /* the tool runs no Python */", d);
}

const struct builtin builtins_symbols[] = {
	{ .name = "__ksym", .sig = { "string(long,long)" }, .flags = BI_PURE | BI_TOOL_STR,
	  .bpf_str = bpf_ksym_str, .bpf_out = bpf_ksym_out, .bpf_out_size = bpf_ksym_out_size,
	  .user_str = user_ksym },
	{ .name = "__kstack", .sig = { "string(long)" },
	  .flags = BI_PURE | BI_TOOL_STR | BI_BYTES_KIND0,
	  .bpf_str = bpf_stack_str, .bpf_out = bpf_kstack_out, .bpf_out_size = bpf_kstack_out_size,
	  .user_str = user_kstack },
	{ .name = "__ustack", .sig = { "string(long,long)" },
	  .flags = BI_PURE | BI_KCTX | BI_TOOL_STR | BI_BYTES_KIND0, .bpf_str = bpf_stack_str,
	  .bpf_out = bpf_ustack_out, .bpf_out_size = bpf_ustack_out_size },
	{ .name = "pystack", .sig = { "string()" }, .flags = BI_PURE | BI_KCTX,
	  .bpf_str = bpf_pystack_str, .user_str = user_pystack },
	{ .name = "usymname", .sig = { "string(long)" }, .flags = BI_PURE | BI_TOOL_STR,
	  .aux = "STP_USYM_NAME", .bpf_out = bpf_usym_out, .bpf_out_size = bpf_usym_out_size },
	{ .name = "usymdata", .sig = { "string(long)" }, .flags = BI_PURE | BI_TOOL_STR,
	  .aux = "STP_USYM_DATA", .bpf_out = bpf_usym_out, .bpf_out_size = bpf_usym_out_size },
	{ .name = "umodname", .sig = { "string(long)" }, .flags = BI_PURE | BI_TOOL_STR,
	  .aux = "STP_USYM_MOD", .bpf_out = bpf_usym_out, .bpf_out_size = bpf_usym_out_size },
	{ .name = "usymfileline", .sig = { "string(long)" }, .flags = BI_PURE | BI_TOOL_STR,
	  .aux = "STP_USYM_FILELINE", .bpf_out = bpf_usym_out,
	  .bpf_out_size = bpf_usym_out_size },
	{ .name = "__stack_folded", .sig = { "string(string,string)" }, .flags = BI_PURE,
	  .user_str = user_folded },
	{ 0 }
};
