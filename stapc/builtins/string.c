// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * string.c - built-ins on strings: length, search, conversion, quoting.
 * Quoting is the tool's when the result is only printed (a quoted string
 * travels as pieces); BPF quotes it as bytes where it is compared or stored.
 */
#include "builtins.h"

#include "../emit/emitters.h"

#include <string.h>

#define ARG_S(i) ugen_str(u, vec_at(&x->args, i))
#define ARG_L(i) ugen_long(u, vec_at(&x->args, i))

static const char *bpf_strlen(struct kgen *k, struct expr *x)
{
	return arena_printf("stp_strlen(%s)", kgen_str(k, vec_at(&x->args, 0)));
}

static const char *bpf_strtol(struct kgen *k, struct expr *x)
{
	const char *str = kgen_str(k, vec_at(&x->args, 0));
	return arena_printf("stp_strtol(%s, %s)", str, kgen_long(k, vec_at(&x->args, 1)));
}

static const char *bpf_isdigit(struct kgen *k, struct expr *x)
{
	return arena_printf("stp_isdigit(%s)", kgen_str(k, vec_at(&x->args, 0)));
}

/*
 * isinstr(s, "text") in BPF: s =~ the text with its special characters
 * escaped, one walk of a table made at build time (a search of any text
 * would be a loop in a loop, too much for the verifier at MAXSTRINGLEN).
 */
static const char *bpf_isinstr(struct kgen *k, struct expr *x)
{
	struct expr *needle = vec_at(&x->args, 1);
	if (needle->kind != E_STRING) {
		diag_error(&needle->loc, "isinstr() in a kernel probe searches for a literal string "
					 "only: this one is computed");
		return "0";
	}
	struct strbuf re = { 0 };
	for (const char *c = decode_escapes(needle->str); *c; c++) {
		if (strchr(".[]()*+?{}|^$\\", *c))
			sb_putc(&re, '\\');
		sb_putc(&re, *c);
	}
	const char *s = kgen_str(k, vec_at(&x->args, 0));
	const char *m = kgen_match(k, s, arena_strdup(re.buf ? re.buf : ""), false);
	sb_free(&re);
	return m;
}

static const char *bpf_substr(struct kgen *k, struct expr *x, const char *d)
{
	struct vec *a = &x->args;
	const char *str = kgen_str(k, vec_at(a, 0));
	const char *start = kgen_long(k, vec_at(a, 1));
	cw_line(k->w, "stp_substr(%s, %s, %s, %s);", d, str, start, kgen_long(k, vec_at(a, 2)));
	return d;
}

/* string_quoted(s), text_str(s): s as pieces, which the tool quotes. */
static void bpf_quote_out(struct kgen *k, struct expr *x, const char *rec)
{
	cw_line(k->w, "stp_put_u8(%s, %s);", rec, (const char *)builtin_of(x->fn)->aux);
	kgen_out(k, vec_at(&x->args, 0), rec);
	cw_line(k->w, "stp_put_u8(%s, STP_P_END);", rec);
}

/* string_quoted(s), text_str(s) as bytes: the same escaping, in BPF (stp_quote). */
static const char *bpf_quote_str(struct kgen *k, struct expr *x, const char *d)
{
	bool quoted = !strcmp(builtin_of(x->fn)->aux, "STP_P_QUOTE");
	const char *out = kgen_slot(k, (int)k->pl->maxstringlen + 8); /* stp_quote's room */
	(void)d;
	cw_line(k->w, "stp_quote(%s, %s, %d);", out, kgen_str(k, vec_at(&x->args, 0)), quoted);
	return out;
}

static int bpf_quote_out_size(struct kgen *k, struct expr *x)
{
	return 2 + kgen_out_size(k, vec_at(&x->args, 0));
}

static const char *user_strlen(struct ugen *u, struct expr *x)
{
	return arena_printf("stp_strlen(%s)", ARG_S(0));
}

static const char *user_isinstr(struct ugen *u, struct expr *x)
{
	return arena_printf("stp_isinstr(%s, %s)", ARG_S(0), ARG_S(1));
}

static const char *user_strpos(struct ugen *u, struct expr *x)
{
	return arena_printf("stp_strpos(%s, %s)", ARG_S(0), ARG_S(1));
}

static const char *user_strtol(struct ugen *u, struct expr *x)
{
	return arena_printf("stp_strtol(%s, %s)", ARG_S(0), ARG_L(1));
}

static const char *user_isdigit(struct ugen *u, struct expr *x)
{
	return arena_printf("stp_isdigit(%s)", ARG_S(0));
}

/* It may raise an error, which the tool reports. */
static const char *user_stringat(struct ugen *u, struct expr *x)
{
	const char *t = ugen_tmp(u);
	cw_line(u->w, "s64 %s = stp_stringat(rt, %s, %s);", t, ARG_S(0), ARG_L(1));
	ugen_check_error(u);
	return t;
}

static void user_substr(struct ugen *u, struct expr *x, const char *d)
{
	cw_line(u->w, "stp_substr(%s, %s, %s, %s);", d, ARG_S(0), ARG_L(1), ARG_L(2));
}

static void user_str_replace(struct ugen *u, struct expr *x, const char *d)
{
	cw_line(u->w, "stp_str_replace(%s, %s, %s, %s);", d, ARG_S(0), ARG_S(1), ARG_S(2));
}

static void user_text_str(struct ugen *u, struct expr *x, const char *d)
{
	cw_line(u->w, "stp_text_str(%s, %s);", d, ARG_S(0));
}

static void user_text_strn(struct ugen *u, struct expr *x, const char *d)
{
	cw_line(u->w, "stp_text_strn(%s, %s, %s, %s);", d, ARG_S(0), ARG_L(1), ARG_L(2));
}

static void user_string_quoted(struct ugen *u, struct expr *x, const char *d)
{
	cw_line(u->w, "stp_string_quoted(%s, %s);", d, ARG_S(0));
}

static void user_tokenize(struct ugen *u, struct expr *x, const char *d)
{
	cw_line(u->w, "stp_tokenize(%s, %s, %s);", d, ARG_S(0), ARG_S(1));
}

const struct builtin builtins_string[] = {
	{ .name = "strlen", .sig = { "long(string)" }, .flags = BI_PURE, .bpf_long = bpf_strlen,
	  .user_long = user_strlen },
	{ .name = "substr", .sig = { "string(string,long,long)" }, .flags = BI_PURE,
	  .bpf_str = bpf_substr, .user_str = user_substr },
	{ .name = "stringat", .sig = { "long(string,long)" }, .flags = BI_PURE,
	  .user_long = user_stringat },
	{ .name = "isinstr", .sig = { "long(string,string)" }, .flags = BI_PURE,
	  .bpf_long = bpf_isinstr, .user_long = user_isinstr },
	{ .name = "strpos", .sig = { "long(string,string)" }, .flags = BI_PURE,
	  .user_long = user_strpos },
	{ .name = "strtol", .sig = { "long(string,long)" }, .flags = BI_PURE, .bpf_long = bpf_strtol,
	  .user_long = user_strtol },
	{ .name = "isdigit", .sig = { "long(string)" }, .flags = BI_PURE, .bpf_long = bpf_isdigit,
	  .user_long = user_isdigit },
	{ .name = "str_replace", .sig = { "string(string,string,string)" }, .flags = BI_PURE,
	  .user_str = user_str_replace },
	{ .name = "text_str", .sig = { "string(string)" }, .flags = BI_PURE | BI_TOOL_STR,
	  .aux = "STP_P_TEXT", .bpf_str = bpf_quote_str, .bpf_out = bpf_quote_out,
	  .bpf_out_size = bpf_quote_out_size, .user_str = user_text_str },
	{ .name = "text_strn", .sig = { "string(string,long,long)" },
	  .flags = BI_PURE | BI_TOOL_STR, .user_str = user_text_strn },
	{ .name = "string_quoted", .sig = { "string(string)" }, .flags = BI_PURE | BI_TOOL_STR,
	  .aux = "STP_P_QUOTE", .bpf_str = bpf_quote_str, .bpf_out = bpf_quote_out,
	  .bpf_out_size = bpf_quote_out_size, .user_str = user_string_quoted },
	/* It keeps where it is in its string between calls. */
	{ .name = "tokenize", .sig = { "string(string,string)" }, .user_str = user_tokenize },
	{ 0 }
};
