// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * memory.c - built-ins that read memory: kernel_* and user_*, numbers and
 * strings. The texts of their faults are stap's (its tapsets'). The tool
 * cannot read kernel memory: there, a kernel_* read is always the fault.
 */
#include "builtins.h"

#include "../emit/emitters.h"

#include <string.h>

#define ARG_S(i) ugen_str(u, vec_at(&x->args, i))
#define ARG_L(i) ugen_long(u, vec_at(&x->args, i))

/* A row's aux for a number read. */
struct number_read {
	const char *c_type; /* what BPF reads, as C */
	int size;
	const char *name;   /* its name in the tool's fault: "long" ... "char" */
	bool user;
	/*
	 * BPF's fault on a failed read: "kernel long" names the copy, "" is
	 * user_*_error()'s read fault; NULL: none, the value is 0.
	 */
	const char *fault;
};

#define NUMBER(type, sz, nm, usr, flt) \
	(&(const struct number_read){ .c_type = type, .size = sz, .name = nm, .user = usr, .fault = flt })

static const char *bpf_number(struct kgen *k, struct expr *x)
{
	const struct number_read *r = builtin_of(x->fn)->aux;
	const char *addr = kgen_long(k, vec_at(&x->args, 0));
	const char *t = kgen_tmp(k);
	cw_line(k->w, "%s %s_v = 0;", r->c_type, t);
	k->w->uses |= r->user ? BPF_USES_PROBE_READ_USER : BPF_USES_PROBE_READ_KERNEL;
	if (!r->fault) /* a fault reads 0 */
		cw_line(k->w, "bpf_probe_read_%s(&%s_v, sizeof(%s_v), (const void *)%s);",
			r->user ? "user" : "kernel", t, t, addr);
	else
		cw_line(k->w, "long %s_rc = bpf_probe_read_%s(&%s_v, sizeof(%s_v), "
			      "(const void *)%s);",
			t, r->user ? "user" : "kernel", t, t, addr);
	if (r->fault) {
		cw_open(k->w, "if (%s_rc < 0)", t);
		kgen_fault(k, x,
			   *r->fault ? arena_printf("%s copy fault at 0x%%lx [man error::fault]", r->fault)
				     : "read fault [man error::fault] at 0x%lx",
			   NULL, addr);
		cw_close(k->w, NULL);
	}
	cw_line(k->w, "s64 %s = %s_v;", t, t);
	return t;
}

/* user_long() ... user_char(): 0 where the memory cannot be read. */
static const char *user_number(struct ugen *u, struct expr *x)
{
	const struct number_read *r = builtin_of(x->fn)->aux;
	return arena_printf("stp_user_number(%s, %d)", ARG_L(0), r->size);
}

static const char *user_number_error(struct ugen *u, struct expr *x)
{
	const struct number_read *r = builtin_of(x->fn)->aux;
	const char *t = ugen_tmp(u);
	cw_line(u->w, "s64 %s = stp_user_number_error(rt, %s, %d);", t, ARG_L(0), r->size);
	ugen_check_fault(u, x);
	return t;
}

static const char *user_kernel_number(struct ugen *u, struct expr *x)
{
	const struct number_read *r = builtin_of(x->fn)->aux;
	cw_line(u->w, "stp_kernel_fault(rt, %s, %s);", c_string(r->name), ARG_L(0));
	ugen_check_fault(u, x);
	return "0";
}

/* A row's aux for a string read. */
struct string_read {
	bool user;
	bool with_n; /* its second argument is the most bytes; else an error message, if any */
};

#define STRING(usr, n) (&(const struct string_read){ .user = usr, .with_n = n })

/* kernel_string(), user_string() and their _n and err_msg forms. */
static const char *bpf_string(struct kgen *k, struct expr *x, const char *d)
{
	const struct string_read *r = builtin_of(x->fn)->aux;
	struct vec *a = &x->args;
	bool user = r->user;
	const char *addr = kgen_long(k, vec_at(a, 0));
	const char *max = arena_printf("%lld", (long long)k->pl->maxstringlen);
	if (r->with_n)
		max = arena_printf("((%s) + 1 > 0 && (%s) + 1 < %lld ? (%s) + 1 : %lld)",
				   kgen_long(k, vec_at(a, 1)), kgen_long(k, vec_at(a, 1)),
				   (long long)k->pl->maxstringlen, kgen_long(k, vec_at(a, 1)),
				   (long long)k->pl->maxstringlen);
	const char *rc = kgen_tmp(k);
	k->w->uses |= user ? BPF_USES_PROBE_READ_USER : BPF_USES_PROBE_READ_KERNEL;
	cw_line(k->w, "long %s = bpf_probe_read_%s_str(%s, (u32)(%s) & %lld, (const void *)%s);", rc,
		user ? "user" : "kernel", d, max, (long long)(2 * k->pl->maxstringlen - 1), addr);
	cw_open(k->w, "if (%s < 0)", rc);
	if (a->len == 2 && vec_at(a, 1) && ((struct expr *)vec_at(a, 1))->type == VT_STRING)
		/* user_string(addr, err_msg): the message instead. */
		cw_line(k->w, "stp_strcpy(%s, %s);", d, kgen_str(k, vec_at(a, 1)));
	else if (user)
		/*
		 * stap's copy says -EFAULT for any fault; the helper's code
		 * depends on the task a timer interrupted (-EPERM in a
		 * kernel thread).
		 */
		kgen_fault(k, x, "user string copy fault -14 at 0x%lx [man error::fault]", NULL, addr);
	else
		kgen_fault(k, x, "kernel string copy fault at 0x%lx [man error::fault]", NULL, addr);
	cw_close(k->w, NULL);
	return d;
}

/* The bytes read travel as a piece, which the tool quotes. */
static void bpf_user_quoted_out(struct kgen *k, struct expr *x, const char *rec)
{
	struct vec *a = &x->args;
	int max = (int)k->pl->maxstringlen;
	const char *n = a->len > 1 ? arena_printf("(u32)(%s) + 1", kgen_long(k, vec_at(a, 1)))
				   : arena_printf("%d", max);
	cw_line(k->w, "stp_put_user_quoted(%s, (const void *)%s, %s);", rec,
		kgen_long(k, vec_at(a, 0)), n);
}

/*
 * user_string_quoted(addr[, n]) as bytes, where it is compared or stored:
 * read, then quoted in BPF as the tool would (stp_quote); the address in
 * hex when unreadable, as the tool prints it.
 */
static const char *bpf_user_quoted_str(struct kgen *k, struct expr *x, const char *d)
{
	struct vec *a = &x->args;
	long long max = k->pl->maxstringlen;
	const char *addr = kgen_long(k, vec_at(a, 0));
	const char *n = arena_printf("%lld", max);
	if (a->len > 1) {
		const char *v = kgen_long(k, vec_at(a, 1));
		n = arena_printf("((%s) + 1 > 0 && (%s) + 1 < %lld ? (%s) + 1 : %lld)", v, v, max, v, max);
	}
	const char *raw = kgen_slot(k, (int)max), *rc = kgen_tmp(k);
	const char *out = kgen_slot(k, (int)max + 8); /* stp_quote's room */
	(void)d;
	k->w->uses |= BPF_USES_PROBE_READ_USER | BPF_USES_SNPRINTF;
	cw_line(k->w, "long %s = bpf_probe_read_user_str(%s, (u32)(%s) & %lld, (const void *)%s);",
		rc, raw, n, 2 * max - 1, addr);
	cw_open(k->w, "if (%s < 0)", rc);
	const char *vals = kgen_tmp(k);
	cw_line(k->w, "u64 %s[] = { (u64)%s };", vals, addr);
	cw_line(k->w, "bpf_snprintf(%s, %lld, stp_lits.l%d, %s, sizeof(%s));", out, max,
		kgen_literal(k, "0x%llx"), vals, vals);
	cw_close(k->w, NULL);
	cw_open(k->w, "else");
	cw_line(k->w, "stp_quote(%s, %s, 1);", out, raw);
	cw_close(k->w, NULL);
	return out;
}

/* user_string(addr, err_msg) does not fail; the others may. */
static void user_user_string(struct ugen *u, struct expr *x, const char *d)
{
	struct vec *a = &x->args;
	bool with_n = ((const struct string_read *)builtin_of(x->fn)->aux)->with_n;
	bool with_msg = !with_n && a->len > 1;
	cw_line(u->w, "stp_user_string(rt, %s, %s, %s, %s);", d, ARG_L(0), with_n ? ARG_L(1) : "-1",
		with_msg ? ARG_S(1) : "NULL");
	if (!with_msg)
		ugen_check_fault(u, x);
}

/* The tool cannot read kernel memory: always the fault, or the message. */
static void user_kernel_string(struct ugen *u, struct expr *x, const char *d)
{
	struct vec *a = &x->args;
	bool with_msg = !((const struct string_read *)builtin_of(x->fn)->aux)->with_n && a->len > 1;
	const char *addr = ARG_L(0);
	if (with_msg) {
		cw_line(u->w, "stp_strcpy(%s, %s);", d, ARG_S(1));
	} else {
		if (a->len > 1)
			cw_line(u->w, "(void)%s;", ARG_L(1));
		cw_line(u->w, "%s[0] = 0;", d);
		cw_line(u->w, "stp_kernel_fault(rt, \"string\", %s);", addr);
		ugen_check_fault(u, x);
	}
}

/* NAME reads C type TYPE of SIZE bytes, called NM in the tool's fault. */
#define USER_NUMBER(name, type, size, nm)                                                    \
	{ name, { "long(long)" }, BI_PURE | BI_KCTX, 0, NUMBER(type, size, nm, true, NULL),     \
	  .bpf_long = bpf_number, .user_long = user_number }
#define USER_NUMBER_ERROR(name, type, size, nm)                                              \
	{ name, { "long(long)" }, 0, 0, NUMBER(type, size, nm, true, ""),                       \
	  .bpf_long = bpf_number, .user_long = user_number_error }
#define KERNEL_NUMBER(name, type, size, nm)                                                  \
	{ name, { "long(long)" }, BI_PURE | BI_KCTX, 0, NUMBER(type, size, nm, false, "kernel " nm), \
	  .bpf_long = bpf_number, .user_long = user_kernel_number }

const struct builtin builtins_memory[] = {
	{ .name = "user_string", .sig = { "string(long)", "string(long,string)" },
	  .flags = BI_PURE | BI_KCTX, .aux = STRING(true, false), .bpf_str = bpf_string,
	  .user_str = user_user_string },
	{ .name = "user_string_n", .sig = { "string(long,long)" }, .flags = BI_PURE | BI_KCTX,
	  .aux = STRING(true, true), .bpf_str = bpf_string, .user_str = user_user_string },
	{ .name = "user_string_quoted", .sig = { "string(long)" }, .flags = BI_PURE | BI_TOOL_STR,
	  .bpf_str = bpf_user_quoted_str, .bpf_out = bpf_user_quoted_out },
	{ .name = "user_string_n_quoted", .sig = { "string(long,long)" },
	  .flags = BI_PURE | BI_TOOL_STR, .bpf_str = bpf_user_quoted_str,
	  .bpf_out = bpf_user_quoted_out },
	USER_NUMBER("user_long", "long", 8, "long"),
	USER_NUMBER("user_int", "int", 4, "int"),
	USER_NUMBER("user_short", "short", 2, "short"),
	USER_NUMBER("user_char", "signed char", 1, "char"),
	/* These raise the fault that their siblings above turn into 0. */
	USER_NUMBER_ERROR("user_long_error", "long", 8, "long"),
	USER_NUMBER_ERROR("user_int_error", "int", 4, "int"),
	USER_NUMBER_ERROR("user_short_error", "short", 2, "short"),
	USER_NUMBER_ERROR("user_char_error", "signed char", 1, "char"),
	{ .name = "kernel_string", .sig = { "string(long)", "string(long,string)" },
	  .flags = BI_PURE | BI_KCTX, .aux = STRING(false, false), .bpf_str = bpf_string,
	  .user_str = user_kernel_string },
	{ .name = "kernel_string_n", .sig = { "string(long,long)" }, .flags = BI_PURE | BI_KCTX,
	  .aux = STRING(false, true), .bpf_str = bpf_string, .user_str = user_kernel_string },
	{ .name = "kernel_string_quoted", .sig = { "string(long)" },
	  .flags = BI_PURE | BI_TOOL_STR },
	KERNEL_NUMBER("kernel_long", "long", 8, "long"),
	KERNEL_NUMBER("kernel_int", "int", 4, "int"),
	KERNEL_NUMBER("kernel_short", "short", 2, "short"),
	KERNEL_NUMBER("kernel_char", "signed char", 1, "char"),
	{ .name = "mem_page_size", .sig = { "long()" }, .flags = BI_PURE },
	{ 0 }
};
