// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bpf_expr.c - expressions and statements of a handler, as BPF C.
 *
 * Longs are C values on the stack. Strings are NUL-terminated buffers of
 * MAXSTRINGLEN bytes in the per-CPU frame's scratch area, at offsets fixed
 * at compile time (so the verifier sees every access bounded). Output goes
 * into ring-buffer records as pieces (stp_record.h): strings travel
 * unassembled and unformatted, and the tool finishes them.
 *
 * Each kgen_* writes the statements an expression needs, then returns a C
 * expression for its value. An error (division by zero, error(), a full
 * array) records its number in the frame and jumps to the error label.
 */
#include "../builtins/builtins.h"
#include "emitters.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Whether C expression v is a name, number or temporary: written as a
 * statement it would do nothing.
 */
static bool plain_value(const char *v)
{
	if (*v == '(' && v[strlen(v) - 1] == ')' && !strchr(v + 1, '('))
		v++; /* a cast of one: (s64)l_x */
	for (; *v; v++)
		if (!isalnum((unsigned char)*v) && !strchr("_.)[]- ", *v))
			return false;
	return true;
}

const char *kgen_tmp(struct kgen *k)
{
	return arena_printf("t%d", k->tmp++);
}

/* `sp` is a function's own scratch; a handler's is the frame's. */
const char *kgen_slot(struct kgen *k, int size)
{
	int off = k->scratch;
	k->scratch += (size + 7) & ~7;
	if (k->scratch > k->scratch_max)
		k->scratch_max = k->scratch;
	return arena_printf("(%s + %d)", k->fn ? "sp" : "fr->s", off);
}

/*
 * A run-time error of a fixed text: the tool reports it by its number in
 * the literal table ("division by 0 near operator '/' at f.stp:3:9"); a
 * try/catch takes the message alone, as stap's last_error is.
 */
const char *kgen_jump(struct kgen *k, const char *label)
{
	if (!kgen_jumped(k, label))
		vec_push(&k->jumped, (void *)label);
	return label;
}

bool kgen_jumped(const struct kgen *k, const char *label)
{
	for (int i = 0; i < k->jumped.len; i++)
		if (!strcmp(vec_at(&k->jumped, i), label))
			return true;
	return false;
}

int kgen_literal(struct kgen *k, const char *s)
{
	return k->run->planning ? plan_literal(k->run->planning, s) : plan_literal_id(k->pl, s);
}

int kgen_format(struct kgen *k, const char *fmt)
{
	return k->run->planning ? plan_format(k->run->planning, fmt) : plan_format_id(k->pl, fmt);
}

/*
 * Whether an error here can be caught, its message read by a catch: in a
 * try, or in a function (a caller's try may catch it). A handler's error
 * outside any try only goes to the tool, by its number.
 */
static bool catchable(const struct kgen *k)
{
	return k->fn || k->try_depth;
}

void kgen_fail(struct kgen *k, const struct loc *loc, const char *msg, const char *near)
{
	/* No near: the message alone, as the tool's runtime reports some (empty aggregate). */
	int id = kgen_literal(k, near ? runtime_error_text(msg, near, loc) : msg);
	if (catchable(k))
		cw_line(k->w, "stp_strcpy(fr->cmsg, stp_lits.l%d);", kgen_literal(k, msg));
	cw_line(k->w, "fr->error = %d;", id + 1);
	cw_line(k->w, "goto %s;", kgen_jump(k, k->err_label));
}

const char *kgen_lit(struct kgen *k, const char *raw)
{
	return arena_printf("stp_lits.l%d", kgen_literal(k, decode_escapes(raw)));
}

/* The size of the record that reports an error made in BPF (stp_report_error). */
#define ERR_RECORD_SIZE ((4 + 512 + 1 + 7) & ~7)

/*
 * A record site for an error whose message BPF makes: the tool decodes
 * its one string, as an error(msg) call's, and reports it.
 */
static int error_site(struct kgen *k, struct expr *call)
{
	const struct out_site *s = kgen_new_site(k, SITE_ERROR, call, NULL);
	kgen_site_size(k, s, ERR_RECORD_SIZE);
	return s->id;
}

/*
 * A memory fault: its message, with the address (and the read's result),
 * made by bpf_snprintf in the frame for a catch to take, and reported by
 * the tool with where it happened. The texts are stap's (its tapsets').
 */
void kgen_fault(struct kgen *k, struct expr *x, const char *fmt, const char *rc,
		const char *addr)
{
	const char *v = kgen_tmp(k);
	if (rc)
		cw_line(k->w, "u64 %s[] = { (u64)(%s), (u64)(%s) };", v, rc, addr);
	else
		cw_line(k->w, "u64 %s[] = { (u64)(%s) };", v, addr);
	k->w->uses |= BPF_USES_SNPRINTF;
	cw_line(k->w, "bpf_snprintf(fr->cmsg, sizeof(fr->cmsg), stp_lits.l%d, %s, sizeof(%s));",
		kgen_literal(k, fmt), v, v);
	/* The report's own site: a string, as error(msg)'s. */
	struct expr *msg = arena_alloc(sizeof(*msg));
	msg->kind = E_STRING;
	msg->type = VT_STRING;
	msg->loc = x->loc;
	msg->str = "";
	struct expr *call = arena_alloc(sizeof(*call));
	*call = *x;
	call->args = (struct vec){ 0 };
	vec_push(&call->args, msg);
	const char *where = runtime_error_text("", arena_printf("identifier '%s'", x->fn->name),
					       &x->loc);
	cw_line(k->w, "stp_error_at(fr, %d, %d);", error_site(k, call),
		kgen_literal(k, where));
	cw_line(k->w, "goto %s;", kgen_jump(k, k->err_label));
}

/* ------------------------------------------------------------ target variables */

/*
 * The base value of a target variable, before its ->field steps: through
 * the argument's own C type (an int sign-extends), unless `raw` and the
 * type is as wide as the 64 bits it comes in.
 */
static const char *tref_base(struct kgen *k, const struct target_ref *r, bool raw)
{
	const char *cast = raw && r->wide ? "" : arena_printf("(%s)", r->c_type);
	const struct fn_params *fp = k->variant ? k->variant->params : NULL;
	switch (r->base) {
	case TREF_TP_ARG:
		if (k->variant && k->variant->entry_stash)
			return arena_printf("%sstp_stash->a[%d]", cast, r->index);
		/* libbpf's BPF_KPROBE names five arguments at most: the sixth is read from pt_regs. */
		if (k->named_args && fp && r->index < fp->n &&
		    (k->variant->args != ARGS_PT_REGS || r->index < 5)) {
			/* The program's own parameter, of its type already. */
			k->args_used |= 1u << r->index;
			bool same = r->c_type && !strcmp(r->c_type, fp->type[r->index]);
			return arena_printf("%s%s", same ? "" : cast, fp->name[r->index]);
		}
		if (k->variant && k->variant->args == ARGS_PT_REGS)
			return arena_printf("%sPT_REGS_PARM%d((struct pt_regs *)ctx)", cast,
					    r->index + 1);
		return arena_printf("%s((u64 *)ctx)[%d]", cast, r->index);
	case TREF_TP_FIELD: {
		const char *t = r->size == 8 ? "s64" : r->size == 4 ? (r->is_signed ? "int" : "u32")
				: r->size == 2 ? (r->is_signed ? "short" : "u16")
					       : (r->is_signed ? "signed char" : "u8");
		return arena_printf("*(const %s *)((const char *)ctx + %d)", t, r->offset);
	}
	case TREF_KRETVAL:
		if (k->named_args && fp && fp->ret_type) {
			k->ret_used = true;
			bool same = r->c_type && !strcmp(r->c_type, fp->ret_type);
			return arena_printf("%sret", same ? "" : cast);
		}
		/* fexit: after the arguments in the context; kretprobe: the register. */
		if (k->variant && k->variant->args == ARGS_PT_REGS)
			return arena_printf("%sPT_REGS_RC((struct pt_regs *)ctx)", cast);
		/*
		 * fexit: the kernel says where the value is; its place after the
		 * arguments differs where the function gained or lost one.
		 */
		return arena_printf("({ u64 stp_ret = 0; bpf_get_func_ret(ctx, &stp_ret); %sstp_ret; })",
				    cast);
	case TREF_EXPR:
		return arena_printf("%s(%s)", cast, r->c_expr);
	case TREF_VALUE:
	case TREF_UPARAM: /* kgen_target reads these itself */
	case TREF_URETVAL:
	case TREF_USDT_ARG:
		return "0";
	}
	return "0";
}

/* A uprobe's site: the index the tool gave the attachment, in its cookie. */
const char *kgen_usite(struct kgen *k)
{
	if (!k->variant || !k->variant->ukind)
		return NULL;
	if (k->variant->attach == STP_ATTACH_USDT)
		return "(u32)bpf_usdt_cookie(ctx)";
	return "(u32)bpf_get_attach_cookie(ctx)";
}

const char *kgen_regs(struct kgen *k)
{
	if (!k->variant)
		return k->fn ? "regs" : NULL;
	if (k->variant->args == ARGS_PT_REGS)
		return "((struct pt_regs *)ctx)";
	if (k->variant->attach == STP_ATTACH_PERF)
		return "(&((struct bpf_perf_event_data *)ctx)->regs)";
	if (k->variant->syscall_regs)
		return "stp_syscall_regs(fr)";
	return NULL;
}

const char *kgen_regs_arg(struct kgen *k, const struct expr *call)
{
	/* A syscall's registers are a copy: made only for a function that reads them. */
	if (k->variant && k->variant->syscall_regs && !expr_reads_registers(call, NULL))
		return "NULL";
	const char *r = kgen_regs(k);
	return r ? r : "NULL";
}

static const char *kgen_target(struct kgen *k, struct expr *x)
{
	const struct target_ref *r = x->target;
	if (r && r->base == TREF_UPARAM) {
		if (k->run->planning)
			k->run->planning->usites_map = true;
		/* In a return: the registers its entry program kept, as stap's snapshot. */
		if (k->variant->entry_stash)
			return arena_printf("stp_uparam_of(stp_stash->a, %s, %d)", kgen_usite(k), r->index);
		return arena_printf("stp_uparam((struct pt_regs *)ctx, %s, %d)", kgen_usite(k), r->index);
	}
	if (r && r->base == TREF_URETVAL) {
		if (k->run->planning)
			k->run->planning->usites_map = true;
		return arena_printf("stp_uret((struct pt_regs *)ctx, %s)", kgen_usite(k));
	}
	if (r && r->base == TREF_USDT_ARG && k->named_args) {
		/* BPF_USDT fetches it: argN of the program's signature. */
		k->args_used |= 1u << r->index;
		return arena_printf("arg%d", r->index + 1);
	}
	if (r && r->base == TREF_USDT_ARG) {
		const char *t = kgen_tmp(k);
		cw_line(k->w, "long %s_v = 0;", t);
		cw_line(k->w, "bpf_usdt_arg(ctx, %d, &%s_v);", r->index, t);
		cw_line(k->w, "s64 %s = %s_v;", t, t);
		return t;
	}
	if (!r) {
		cw_line(k->w, "/* %s: not available here */", x->name ? x->name : "?");
		return "0";
	}
	/* @cast: the operand's value, as a pointer of the cast's type. */
	const char *base = r->base == TREF_VALUE && x->left
				   ? arena_printf("((%s)(unsigned long)%s)", r->c_type, kgen_long(k, x->left))
				   : tref_base(k, r, !r->steps.len);
	if (!r->steps.len) {
		/*
		 * A pointer fentry or tp_btf hands over is typed for the verifier,
		 * which refuses to shift or split it: as a number, it is copied.
		 */
		bool typed_ctx = k->named_args ? k->copy_ptrs
					       : k->variant && k->variant->args == ARGS_CTX_ARRAY &&
							 !k->variant->entry_stash;
		if (typed_ctx && r->c_type && strchr(r->c_type, '*') && r->base != TREF_VALUE)
			return arena_printf("(s64)stp_scalar(%s%s)",
					    r->wide && !k->named_args ? "" : "(u64)", base);
		return arena_printf("(s64)%s", base);
	}
	/*
	 * A chain of fields: CO-RE reads through the typed base pointer, so the
	 * offsets are relocated for the kernel the tool runs on.
	 */
	const char *t = kgen_tmp(k);
	cw_line(k->w, "s64 %s = 0;", t);
	cw_block(k->w);
	if (r->base == TREF_TP_FIELD)
		cw_line(k->w, "%s p = (%s)%s;", r->c_type, r->c_type, base);
	else
		cw_line(k->w, "%s p = %s;", r->c_type, base); /* already of that type */
	struct strbuf path = { 0 };
	const char *cur = "p";
	int stage = 0;
	for (int i = 0; i < r->steps.len; i++) {
		const struct tref_step *st = vec_at(&r->steps, i);
		if (st->field) {
			sb_printf(&path, "%s%s", path.len ? "." : "", st->field);
			const struct tref_step *next = i + 1 < r->steps.len ? vec_at(&r->steps, i + 1) : NULL;
			if (next && !next->field && !next->deref) {
				/* An array member, indexed next: the address of its first element. */
				const char *n = arena_printf("p%d", stage++);
				cw_line(k->w, "__typeof__(&%s->%s[0]) %s = "
					      "__builtin_preserve_access_index(&%s->%s[0]);",
					cur, path.buf, n, cur, path.buf);
				cur = n;
				path.len = 0;
				path.buf[0] = 0;
			} else if (next && (next->deref || !next->field)) {
				/* Read this pointer, then go on from it. */
				const char *n = arena_printf("p%d", stage++);
				cw_line(k->w, "__typeof__(%s->%s) %s = BPF_CORE_READ%s(%s, %s);", cur,
					path.buf, n, r->user ? "_USER" : "", cur, path.buf);
				cur = n;
				path.len = 0;
				path.buf[0] = 0;
			}
		} else {
			const char *idx = kgen_long(k, st->index);
			if (x->addr_of && i == r->steps.len - 1) {
				/* &p[N]: an element's address, not read (@cast_sizeof). */
				cw_line(k->w, "%s = (s64)(unsigned long)&%s[%s];", t, cur, idx);
				cur = NULL;
				break;
			}
			const char *n = arena_printf("p%d", stage++);
			const struct tref_step *next = i + 1 < r->steps.len ? vec_at(&r->steps, i + 1) : NULL;
			if (next && !next->deref) {
				/* A struct (or array) element, gone into next: its address, not its bytes. */
				cw_line(k->w, "__typeof__(&%s[0]) %s = "
					      "__builtin_preserve_access_index(&%s[%s]);",
					cur, n, cur, idx);
				cur = n;
				continue;
			}
			cw_line(k->w, "__typeof__(%s[0]) %s;", cur, n);
			cw_line(k->w, "bpf_core_read%s(&%s, sizeof(%s), &%s[%s]);", r->user ? "_user" : "",
				n, n, cur, idx);
			cur = n;
		}
	}
	/* cur is NULL when the value, an element's address, is already in t. */
	if (cur && path.len && (r->final_is_array || x->addr_of))
		/*
		 * An array's value is its address, as in C (kernel_string($p->comm));
		 * &...->member is the member's address (container_of's offsets).
		 */
		cw_line(k->w, "%s = (s64)(unsigned long)__builtin_preserve_access_index(&%s->%s);", t,
			cur, path.buf);
	else if (cur && path.len)
		cw_line(k->w, "%s = (s64)BPF_CORE_READ%s(%s, %s);", t, r->user ? "_USER" : "", cur,
			path.buf);
	else if (cur)
		cw_line(k->w, "%s = (s64)%s;", t, cur);
	sb_free(&path);
	cw_close(k->w, NULL);
	return t;
}

/*
 * @defined($p->a->b) asked on the target: whether its kernel has each
 * field of the chain, a constant libbpf fills in at load (CO-RE), so the
 * verifier drops the code that reads a field this kernel lacks.
 */
static const char *field_exists(struct kgen *k, struct expr *x)
{
	const struct target_ref *r = x->target;
	const char *t = kgen_tmp(k);
	cw_line(k->w, "s64 %s = 1;", t);
	cw_block(k->w);
	cw_line(k->w, "%s p = 0; /* only its type is used */", r->c_type);
	const char *cur = "p";
	struct strbuf path = { 0 };
	int stage = 0;
	for (int i = 0; i < r->steps.len; i++) {
		const struct tref_step *st = vec_at(&r->steps, i);
		if (!st->field) {
			const char *n = arena_printf("e%d", stage++);
			const struct tref_step *next = i + 1 < r->steps.len ? vec_at(&r->steps, i + 1) : NULL;
			/* A struct element is gone into by its address, as kgen_target does. */
			cw_line(k->w, "__typeof__(%s%s[0]) %s = 0;", next && !next->deref ? "&" : "", cur,
				n);
			cur = n;
			continue;
		}
		sb_printf(&path, "%s%s", path.len ? "." : "", st->field);
		cw_line(k->w, "%s = %s && bpf_core_field_exists(%s->%s);", t, t, cur, path.buf);
		const struct tref_step *next = i + 1 < r->steps.len ? vec_at(&r->steps, i + 1) : NULL;
		if (next && (next->deref || !next->field)) {
			const char *n = arena_printf("e%d", stage++);
			/* An array member, indexed next: a pointer to its elements. */
			bool array = !next->field && !next->deref;
			cw_line(k->w, "__typeof__(%s%s->%s%s) %s = 0;", array ? "&" : "", cur, path.buf,
				array ? "[0]" : "", n);
			cur = n;
			path.len = 0;
			path.buf[0] = 0;
		}
	}
	sb_free(&path);
	cw_close(k->w, NULL);
	return t;
}

/* ------------------------------------------------------------ arrays */

/*
 * A built-in whose string has a fixed width the key's field holds
 * (execname()): made right in the field, not in scratch and then copied.
 */
static bool str_into_key(struct kgen *k, struct expr *ix, int width, const char *field)
{
	if (ix->kind != E_CALL || !ix->fn || !ix->fn->builtin)
		return false;
	const struct builtin *b = builtin_of(ix->fn);
	if (!b || !b->bpf_str || !b->str_width || b->str_width > width)
		return false;
	const char *s = b->bpf_str(k, ix, field);
	if (strcmp(s, field))
		cw_line(k->w, "stp_strncpy(%s, %s, sizeof(%s));", field, s, field);
	return true;
}

/* Fills the key struct of array `sym` from the index expressions. */
static const char *array_key(struct kgen *k, struct symbol *sym, struct vec *indexes)
{
	const char *kv = kgen_tmp(k);
	/* Slots are 8-aligned: said so, the key is zeroed 8 bytes a store, not 1. */
	cw_line(k->w, "struct key_%s *%s = (struct key_%s *)__builtin_assume_aligned(%s, 8);",
		sym->name, kv, sym->name,
		kgen_slot(k, (int)(sym->arity * k->pl->maxstringlen + 8 * sym->arity)));
	cw_line(k->w, "__builtin_memset(%s, 0, sizeof(*%s));", kv, kv);
	for (int i = 0; i < indexes->len; i++) {
		struct expr *ix = vec_at(indexes, i);
		const char *field = arena_printf("%s->k%d", kv, i);
		if (sym->keys[i] == VT_STRING && str_into_key(k, ix, sym->key_width[i], field))
			continue;
		if (sym->keys[i] == VT_STRING)
			cw_line(k->w, "stp_strncpy(%s, %s, sizeof(%s));", field, kgen_str(k, ix), field);
		else
			cw_line(k->w, "%s->k%d = %s;", kv, i, kgen_long(k, ix));
	}
	return kv;
}

static const char *map_name(const struct symbol *sym)
{
	return arena_printf("m_%s", sym->name);
}

/* stap's words for a full array: its declared size, else the global limit. */
static const char *overflow_msg(const struct symbol *sym)
{
	if (sym->decl && sym->decl->max_entries)
		return arena_printf("Array overflow, check size limit (%lld)",
				    (long long)sym->decl->max_entries);
	return "Array overflow, check MAXMAPENTRIES";
}

static bool wraps(const struct symbol *sym)
{
	return sym->decl && sym->decl->wrap;
}

/*
 * Inserts a new element: rc = bpf_map_update_elem(..., BPF_NOEXIST),
 * which stp_insert_full() reads. A full wrap array (global a%[N]) first loses its oldest element, and
 * each element it gains is noted with its order (stp_wrap_* of bpf.c).
 */
static void insert_new(struct kgen *k, struct symbol *sym, const char *key, const char *val,
		       const char *rc)
{
	const char *m = map_name(sym);
	cw_line(k->w, "long %s = bpf_map_update_elem(&%s, %s, %s, BPF_NOEXIST);", rc, m, key, val);
	if (!wraps(sym))
		return;
	cw_open(k->w, "if (%s == -STP_E2BIG)", rc);
	cw_line(k->w, "stp_wrap_evict_%s();", sym->name);
	cw_line(k->w, "%s = bpf_map_update_elem(&%s, %s, %s, BPF_NOEXIST);", rc, m, key, val);
	cw_close(k->w, NULL);
	cw_line(k->w, "if (!%s)", rc);
	cw_line(k->w, "\tstp_wrap_note_%s(%s);", sym->name, key);
}

static const char *array_read_long(struct kgen *k, struct expr *x)
{
	const char *key = array_key(k, x->sym, &x->args);
	const char *t = kgen_tmp(k);
	cw_line(k->w, "s64 *%s_p = bpf_map_lookup_elem(&%s, %s);", t, map_name(x->sym), key);
	cw_line(k->w, "s64 %s = %s_p ? *%s_p : 0;", t, t, t);
	return t;
}

/*
 * v = value, or an atomic add of `add` in place (no lookup+update per event);
 * result, when not NULL, a long the new value goes in.
 */
static void array_write_long(struct kgen *k, struct expr *x, const char *v, bool add,
			     const char *result)
{
	const char *key = array_key(k, x->sym, &x->args);
	const char *m = map_name(x->sym);
	const char *res = result ? arena_printf("&%s", result) : "NULL";
	if (!wraps(x->sym)) {
		cw_open(k->w, "if (stp_map_%s(&%s, %s, %s, %s))", add ? "add" : "set", m, key, v,
			res);
		kgen_fail(k, &x->left->loc, overflow_msg(x->sym),
			  arena_printf("identifier '%s'", x->sym->name));
		cw_close(k->w, NULL);
		return;
	}
	/* A wrap array makes room first: stp_map_write() cannot. */
	const char *p = kgen_tmp(k);
	cw_line(k->w, "s64 *%s = bpf_map_lookup_elem(&%s, %s);", p, m, key);
	cw_open(k->w, "if (%s)", p);
	if (add && result) {
		cw_line(k->w, "%s = __sync_fetch_and_add(%s, %s) + %s;", result, p, v, v);
	} else if (add) {
		cw_line(k->w, "__sync_fetch_and_add(%s, %s);", p, v);
	} else {
		cw_line(k->w, "*%s = %s;", p, v);
		if (result)
			cw_line(k->w, "%s = %s;", result, v);
	}
	cw_close(k->w, NULL);
	cw_open(k->w, "else");
	cw_line(k->w, "s64 init = %s;", v);
	if (result)
		cw_line(k->w, "%s = init;", result);
	const char *rc = kgen_tmp(k);
	insert_new(k, x->sym, key, "&init", rc);
	cw_open(k->w, "if (stp_insert_full(%s))", rc);
	kgen_fail(k, &x->left->loc, overflow_msg(x->sym), arena_printf("identifier '%s'", x->sym->name));
	cw_close(k->w, NULL);
	/* Another CPU made it first: it is there, unless deleted since (see stp_insert_full). */
	cw_open(k->w, "else if (%s && (%s = bpf_map_lookup_elem(&%s, %s)))", rc, p, m, key);
	if (add && result)
		cw_line(k->w, "%s = __sync_fetch_and_add(%s, %s) + %s;", result, p, v, v);
	else if (add)
		cw_line(k->w, "__sync_fetch_and_add(%s, %s);", p, v);
	else
		cw_line(k->w, "*%s = %s;", p, v);
	cw_close(k->w, NULL);
	cw_close(k->w, NULL);
}

static void array_write_str(struct kgen *k, struct expr *x, const char *src)
{
	const char *key = array_key(k, x->sym, &x->args);
	const char *val = kgen_slot(k, (int)k->pl->maxstringlen);
	const char *m = map_name(x->sym);
	cw_line(k->w, "stp_strcpy(%s, %s);", val, src);
	const char *p = kgen_tmp(k), *rc = kgen_tmp(k);
	cw_line(k->w, "char *%s = bpf_map_lookup_elem(&%s, %s);", p, m, key);
	cw_open(k->w, "if (%s)", p);
	cw_line(k->w, "stp_strcpy(%s, %s);", p, val);
	cw_close(k->w, NULL);
	cw_open(k->w, "else");
	insert_new(k, x->sym, key, val, rc);
	/* Another CPU made it first: it is there to be set. */
	cw_line(k->w, "if (%s == -STP_EEXIST)", rc);
	cw_line(k->w, "\t%s = bpf_map_update_elem(&%s, %s, %s, BPF_EXIST);", rc, m, key, val);
	cw_open(k->w, "if (stp_insert_full(%s))", rc);
	kgen_fail(k, &x->left->loc, overflow_msg(x->sym), arena_printf("identifier '%s'", x->sym->name));
	cw_close(k->w, NULL);
	cw_close(k->w, NULL);
}

/* A pointer to the key of statistic `target` in its map: its element's, or a scalar's 0. */
static const char *stat_key(struct kgen *k, struct expr *target)
{
	struct symbol *sym = target->sym;
	if (sym->arity > 0)
		return array_key(k, sym, &target->args);
	const char *key = kgen_tmp(k);
	cw_line(k->w, "u32 %s_z = 0; u32 *%s = &%s_z;", key, key, key);
	return key;
}

/* s <<< v: per-CPU aggregates, updated in place without atomics. */
static void stats_add(struct kgen *k, struct expr *target, const char *v)
{
	struct symbol *sym = target->sym;
	const char *m = map_name(sym);
	const char *key = stat_key(k, target);
	const char *p = kgen_tmp(k);
	cw_line(k->w, "struct stat_%s *%s = bpf_map_lookup_elem(&%s, %s);", sym->name, p, m, key);
	cw_open(k->w, "if (!%s)", p);
	const char *zero = arena_printf("(void *)&stp_zero_%s", sym->name);
	const char *rc = kgen_tmp(k);
	if (sym->arity > 0) {
		insert_new(k, sym, key, zero, rc);
	} else {
		cw_line(k->w, "long %s = bpf_map_update_elem(&%s, %s, %s, BPF_NOEXIST);", rc, m, key,
			zero);
	}
	cw_open(k->w, "if (stp_insert_full(%s))", rc);
	kgen_fail(k, &target->loc, overflow_msg(sym), arena_printf("identifier '%s'", sym->name));
	cw_close(k->w, NULL);
	/*
	 * Made here or by another CPU, the element may be deleted by a third
	 * before it is read: the value then counts as added before the delete.
	 */
	cw_line(k->w, "%s = bpf_map_lookup_elem(&%s, %s);", p, m, key);
	cw_close(k->w, NULL);
	cw_open(k->w, "if (%s)", p);
	cw_line(k->w, "stp_stat_add(&%s->s, %s, %d);", p, v, place_of(sym)->shift);
	int nb = gen_stat_buckets(sym);
	if (nb)
		cw_line(k->w, "stp_stat_hist_%s(%s->h, %s);", sym->name, p, v);
	cw_close(k->w, NULL);
}

/* ------------------------------------------------------------ builtins */

static const char *builtin_long(struct kgen *k, struct expr *x)
{
	const struct builtin *b = builtin_of(x->fn);
	if (b && b->bpf_long)
		return b->bpf_long(k, x);
	if (b && b->bpf_c)
		return b->bpf_c;
	diag_error(&x->loc, "'%s' is not available in a kernel probe handler", x->fn->name);
	return "0";
}

/* A builtin that makes a plain string in BPF memory. */
static const char *builtin_str(struct kgen *k, struct expr *x)
{
	const struct builtin *b = builtin_of(x->fn);
	const char *d = kgen_slot(k, (int)k->pl->maxstringlen);
	if (b && b->bpf_str)
		return b->bpf_str(k, x, d);
	diag_error(&x->loc, "'%s' is not available in a kernel probe handler", x->fn->name);
	cw_line(k->w, "%s[0] = 0;", d);
	return d;
}

/* ------------------------------------------------------------ calls */

static const char *call_args(struct kgen *k, struct expr *x)
{
	struct strbuf sb = { 0 };
	for (int i = 0; i < x->args.len; i++) {
		struct expr *a = vec_at(&x->args, i);
		const char *v = a->type == VT_STRING ? kgen_str(k, a) : kgen_long(k, a);
		sb_printf(&sb, ", %s", v);
	}
	const char *r = arena_strdup(sb.buf ? sb.buf : "");
	sb_free(&sb);
	return r;
}

/*
 * The scratch a call gives the callee: everything above the caller's, as
 * much as the callee uses (at least 8 bytes). The callee was planned
 * before its caller (plan.kfunctions), so its size is known.
 */
int kgen_call_slot(struct kgen *k, const struct expr *call)
{
	int *slot = &place_of(call)->slot;
	if (!k->run->planning)
		return *slot;
	int callee = place_of(call->fn)->slot;
	if (callee < 0) {
		fprintf(stderr, "stapc: bug: %s is called before its scratch is planned\n",
			call->fn->name);
		abort();
	}
	*slot = callee > 0 ? callee : 8;
	return *slot;
}

static const char *callee_scratch(struct kgen *k, const struct expr *call)
{
	return kgen_slot(k, kgen_call_slot(k, call));
}

static void check_error(struct kgen *k)
{
	cw_line(k->w, "if (fr->error || fr->unwind) goto %s;", kgen_jump(k, k->err_label));
}

/* A call of a function; `value`: whether the caller uses what it returns. */
static const char *call_long(struct kgen *k, struct expr *x, bool value)
{
	if (x->fn->builtin)
		return builtin_long(k, x);
	const char *args = call_args(k, x);
	if (x->fn->type == VT_UNKNOWN || !value) {
		/* A function without a value, called for what it does. */
		cw_line(k->w, "%s(fr, ctx, %s, %s%s);", gen_function(x->fn), kgen_regs_arg(k, x),
			callee_scratch(k, x), args);
		check_error(k);
		return "0";
	}
	const char *t = kgen_tmp(k);
	cw_line(k->w, "s64 %s = %s(fr, ctx, %s, %s%s);", t, gen_function(x->fn), kgen_regs_arg(k, x),
		callee_scratch(k, x), args);
	check_error(k);
	return t;
}

/* ------------------------------------------------------------ long expressions */

/*
 * l OP r on longs as stap means it, for binary operators and compound
 * assignments alike: / and % check for 0 and divide signed; shifts take
 * the count's low 6 bits, as the tool's.
 */
static const char *long_op(struct kgen *k, const struct expr *x, const char *op, const char *l,
			   const char *r)
{
	if (!strcmp(op, "/") || !strcmp(op, "%")) {
		const char *t = kgen_tmp(k);
		cw_line(k->w, "s64 %s = %s;", t, r);
		cw_open(k->w, "if (!%s)", t);
		kgen_fail(k, &x->loc, "division by 0", arena_printf("operator '%s'", x->op));
		cw_close(k->w, NULL);
		/* BPF before cpu v4 divides unsigned only. */
		return arena_printf("stp_%s64(%s, %s)", op[0] == '/' ? "sdiv" : "smod", l, t);
	}
	if (!strcmp(op, "<<"))
		return arena_printf("(s64)((u64)%s << (%s & 63))", l, r);
	if (!strcmp(op, ">>"))
		return arena_printf("(s64)(%s >> (%s & 63))", l, r);
	return arena_printf("(%s %s %s)", l, op, r);
}

static const char *binary_long(struct kgen *k, struct expr *x)
{
	const char *l = kgen_long(k, x->left);
	const char *r = kgen_long(k, x->right);
	return long_op(k, x, x->op, l, r);
}

/* The operator of a compound assignment: "/" of "/=", "<<" of "<<=". */
static const char *compound_op(const char *op)
{
	return arena_strndup(op, strlen(op) - 1);
}

static const char *compare(struct kgen *k, struct expr *x)
{
	if (x->left->type == VT_STRING) {
		const char *l = kgen_str(k, x->left);
		const char *r = kgen_str(k, x->right);
		return arena_printf("(s64)(stp_strcmp(%s, %s) %s 0)", l, r, x->op);
	}
	const char *l = kgen_long(k, x->left);
	const char *r = kgen_long(k, x->right);
	return arena_printf("(s64)(%s %s %s)", l, x->op, r);
}

/* Whether the bytes s match re (decoded): a walk of re's table (regex.c). */
const char *kgen_match(struct kgen *k, const char *s, const char *re, bool negate)
{
	int id = k->run->planning ? plan_regex(k->run->planning, re) : plan_regex_id(k->pl, re);
	return arena_printf("(s64)(stp_re_match(stp_re%d, sizeof(stp_re%d) / 257 - 1, %s) %s 1)", id,
			    id, s, negate ? "!=" : "==");
}

/* s =~ "re" and s !~ "re", the table made at build time. */
static const char *regex_match(struct kgen *k, struct expr *x)
{
	const char *s = kgen_str(k, x->left);
	return kgen_match(k, s, decode_escapes(x->right->str), x->op[0] == '!');
}

/* && || and ?: evaluate their right side only when needed. */
static const char *logical(struct kgen *k, struct expr *x)
{
	const char *t = kgen_tmp(k);
	bool and = !strcmp(x->op, "&&");
	cw_line(k->w, "s64 %s = %d;", t, and ? 0 : 1);
	const char *l = kgen_long(k, x->left);
	cw_open(k->w, "if (%s(%s))", and ? "" : "!", l);
	cw_line(k->w, "%s = (%s) != 0;", t, kgen_long(k, x->right));
	cw_close(k->w, NULL);
	return t;
}

static const char *ternary_long(struct kgen *k, struct expr *x)
{
	const char *t = kgen_tmp(k);
	cw_line(k->w, "s64 %s;", t);
	cw_open(k->w, "if (%s)", kgen_long(k, x->cond));
	cw_line(k->w, "%s = %s;", t, kgen_long(k, x->left));
	cw_close(k->w, NULL);
	cw_open(k->w, "else");
	cw_line(k->w, "%s = %s;", t, kgen_long(k, x->right));
	cw_close(k->w, NULL);
	return t;
}

/* Where an lvalue lives, for assignments and ++/--. */
static const char *scalar_lvalue(struct kgen *k, struct expr *x)
{
	(void)k;
	if (x->sym->kind == SYM_GLOBAL)
		return arena_printf("stp_kg.%s", gen_global(x->sym));
	return gen_local(x->sym);
}

/*
 * An assignment BPF cannot make. Said once per place, though each
 * variant of the probe (fentry, kprobe ...) is generated on its own.
 */
static void bad_assignment(const struct expr *x)
{
	static struct vec said; /* const struct expr *: assignments reported */
	for (int i = 0; i < said.len; i++)
		if (vec_at(&said, i) == x)
			return;
	vec_push(&said, (void *)x);
	const struct expr *l = x->left;
	if (l->kind == E_TARGET || l->kind == E_CAST || l->kind == E_ATVAR)
		diag_error(&l->loc, "BPF can read the kernel's variables but not change them: writing "
				    "'%s' needs a kernel module, which stapc does not build yet",
			   l->kind == E_TARGET && l->name ? l->name : "@cast(...)");
	else
		diag_error(&x->loc, "cannot assign to this in a kernel probe handler");
}

/* x = v and its compounds; `value`: whether the caller uses what it yields. */
static const char *assign_long(struct kgen *k, struct expr *x, bool value)
{
	struct expr *l = x->left;
	const char *op = x->op;
	if (!strcmp(op, "<<<")) {
		stats_add(k, l, kgen_long(k, x->right));
		return "0";
	}
	const char *v = kgen_long(k, x->right);
	if (l->kind == E_INDEX) {
		const char *t = value ? kgen_tmp(k) : NULL;
		if (t)
			cw_line(k->w, "s64 %s = 0;", t);
		if (!strcmp(op, "="))
			array_write_long(k, l, v, false, t);
		else if (!strcmp(op, "+=") || !strcmp(op, "-=")) {
			const char *d = op[0] == '-' ? arena_printf("(-(%s))", v) : v;
			array_write_long(k, l, d, true, t);
		} else {
			/* Other compound assignments: read, compute, write. */
			const char *old = array_read_long(k, l);
			const char *nv = kgen_tmp(k);
			cw_line(k->w, "s64 %s = %s;", nv, long_op(k, x, compound_op(op), old, v));
			array_write_long(k, l, nv, false, t);
		}
		return t ? t : "0";
	}
	if (l->kind != E_SYMBOL || !l->sym) {
		bad_assignment(x);
		return "0";
	}
	const char *lv = scalar_lvalue(k, l);
	if (!strcmp(op, "="))
		cw_line(k->w, "%s = %s;", lv, v);
	else if (l->sym->kind == SYM_GLOBAL && (!strcmp(op, "+=") || !strcmp(op, "-=")))
		cw_line(k->w, "__sync_fetch_and_add(&%s, %s%s);", lv, op[0] == '-' ? "-" : "", v);
	else
		cw_line(k->w, "%s = %s;", lv, long_op(k, x, compound_op(op), lv, v));
	return lv;
}

/* ++x, x--; `value`: whether the caller uses what it yields. */
static const char *incdec(struct kgen *k, struct expr *x, bool value)
{
	struct expr *l = x->left;
	int d = x->op[0] == '+' ? 1 : -1;
	bool post = x->kind == E_POSTINC;
	if (l->kind == E_INDEX) {
		const char *t = value ? kgen_tmp(k) : NULL;
		if (t)
			cw_line(k->w, "s64 %s = 0;", t);
		array_write_long(k, l, d > 0 ? "1" : "-1", true, t);
		if (!t)
			return "0";
		return post ? arena_printf("(%s - %d)", t, d) : t;
	}
	if (l->kind != E_SYMBOL || !l->sym) {
		diag_error(&x->loc, "cannot increment this in a kernel probe handler");
		return "0";
	}
	const char *lv = scalar_lvalue(k, l);
	if (!value) {
		if (l->sym->kind == SYM_GLOBAL)
			cw_line(k->w, "__sync_fetch_and_add(&%s, %d);", lv, d);
		else
			cw_line(k->w, "%s += %d;", lv, d);
		return "0";
	}
	const char *t = kgen_tmp(k);
	if (l->sym->kind == SYM_GLOBAL)
		cw_line(k->w, "s64 %s = __sync_fetch_and_add(&%s, %d)%s;", t, lv, d,
			post ? "" : arena_printf(" + %d", d));
	else if (post)
		cw_line(k->w, "s64 %s = %s; %s += %d;", t, lv, lv, d);
	else
		cw_line(k->w, "s64 %s = (%s += %d);", t, lv, d);
	return t;
}

/*
 * @count(s) ... @variance(s): the per-CPU parts of the statistic merged in
 * BPF as the tool merges them (stp_stat_read); "empty aggregate" where the
 * value needs samples and there are none, as in the tool.
 */
static const char *stat_extract(struct kgen *k, struct expr *x)
{
	static const char *const ops[][2] = {
		{ "@count", "STP_SREAD_COUNT" }, { "@sum", "STP_SREAD_SUM" },
		{ "@min", "STP_SREAD_MIN" },	 { "@max", "STP_SREAD_MAX" },
		{ "@avg", "STP_SREAD_AVG" },	 { "@variance", "STP_SREAD_VARIANCE" },
	};
	struct expr *target = x->left;
	struct symbol *sym = target->sym;
	const char *op = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(ops); i++)
		if (!strcmp(x->op, ops[i][0]))
			op = ops[i][1];
	if (!sym || !op) {
		diag_error(&x->loc, "statistics must be a global or an element of a global array");
		return "0";
	}
	if (x->args.len) /* @variance(s, bits): the bits only matter to stap's own rounding */
		kgen_effect(k, vec_at(&x->args, 0));
	const char *key = stat_key(k, target);
	const char *t = kgen_tmp(k);
	cw_line(k->w, "s64 %s = 0;", t);
	cw_open(k->w, "if (stp_stat_read(&%s, %s, %s, %d, &%s) < 0)", map_name(sym), key, op,
		sym->arity > 0, t);
	kgen_fail(k, &x->loc, "empty aggregate", NULL);
	cw_close(k->w, NULL);
	k->w->uses |= BPF_USES_PERCPU_LOOKUP;
	return t;
}

/*
 * x for its effect alone (a statement, a for loop's step): an assignment
 * or ++/-- makes no value nobody reads, and a plain value is not written.
 */
void kgen_effect(struct kgen *k, struct expr *x)
{
	const char *v;
	if (x->kind == E_ASSIGN)
		v = assign_long(k, x, false);
	else if (x->kind == E_PREINC || x->kind == E_POSTINC)
		v = incdec(k, x, false);
	else if (x->kind == E_CALL && x->fn && !x->fn->builtin)
		v = call_long(k, x, false);
	else
		v = kgen_long(k, x);
	if (!plain_value(v))
		cw_line(k->w, "(void)%s;", v);
}

/* Whether x reads only the arguments themselves (not what they point to) and numbers. */
bool kgen_same_at_entry(const struct expr *x)
{
	if (!x)
		return true;
	switch (x->kind) {
	case E_NUMBER:
		return true;
	case E_TARGET:
		return x->target && x->target->base == TREF_TP_ARG && !x->target->steps.len;
	case E_BINARY:
	case E_UNARY:
		return kgen_same_at_entry(x->left) && kgen_same_at_entry(x->right);
	default:
		return false;
	}
}

const char *kgen_long(struct kgen *k, struct expr *x)
{
	switch (x->kind) {
	case E_KCONFIG: {
		struct plan *planning = k->run->planning;
		bool seen = !planning;
		for (int i = 0; planning && i < planning->kconfigs.len && !seen; i++)
			seen = vec_at(&planning->kconfigs, i) == (void *)x->name;
		if (!seen)
			vec_push(&planning->kconfigs, (void *)x->name);
		const char *tri = !strcmp(x->str, "y") ? "TRI_YES" : !strcmp(x->str, "m") ? "TRI_MODULE"
											 : "TRI_NO";
		return arena_printf("((s64)(%s %s %s))", x->name, x->op, tri);
	}
	case E_NUMBER:
		if (x->op == intern("@defined-core") && x->left)
			return field_exists(k, x->left);
		return arena_printf("((s64)%lldLL)", (long long)x->num);
	case E_SYMBOL:
		if (!x->sym)
			return "0";
		return scalar_lvalue(k, x);
	case E_TARGET:
	case E_CAST:
		return kgen_target(k, x);
	case E_INDEX:
		return array_read_long(k, x);
	case E_IN: {
		const char *key = array_key(k, x->sym, &x->args);
		return arena_printf("(s64)(bpf_map_lookup_elem(&%s, %s) != 0)", map_name(x->sym), key);
	}
	case E_BINARY:
		return binary_long(k, x);
	case E_UNARY:
		return arena_printf("(%s(%s))", x->op, kgen_long(k, x->left));
	case E_LOGICAL:
		return logical(k, x);
	case E_COMPARE:
		return compare(k, x);
	case E_REGEX:
		return regex_match(k, x);
	case E_TERNARY:
		return ternary_long(k, x);
	case E_ASSIGN:
		return assign_long(k, x, true);
	case E_PREINC:
	case E_POSTINC:
		return incdec(k, x, true);
	case E_CALL:
		return x->fn ? call_long(k, x, true) : "0";
	case E_STAT:
		return stat_extract(k, x);
	case E_PRINT:
		kgen_out(k, x, NULL);
		return "0";
	case E_ENTRY:
		/*
		 * An fexit program sees the arguments as they were at entry: @entry
		 * of them (and arithmetic on them) is read at the return. Anything
		 * else would need an entry probe to keep it.
		 */
		if (x->num > 0 && k->entry_values)
			return arena_printf("stp_stash->v[%lld]", (long long)x->num - 1);
		if (!kgen_same_at_entry(x->left)) {
			diag_error(&x->loc, "@entry() of anything but the function's parameters needs a "
					    "probe at the entry: a kernel function's or a system call's return "
					    "has one, this probe does not");
			return "0";
		}
		return kgen_long(k, x->left);
	default:
		diag_error(&x->loc, "this expression is not supported in a kernel probe handler yet");
		return "0";
	}
}

/* ------------------------------------------------------------ plain strings */

static const char *call_str(struct kgen *k, struct expr *x)
{
	if (x->fn->builtin)
		return builtin_str(k, x);
	const char *d = kgen_slot(k, (int)k->pl->maxstringlen);
	const char *args = call_args(k, x);
	cw_line(k->w, "%s(fr, ctx, %s, %s, %s%s);", gen_function(x->fn), kgen_regs_arg(k, x),
		callee_scratch(k, x), d,
		args);
	check_error(k);
	return d;
}

/*
 * One conversion of sprintf_plain(): its spec into f, its value into vals.
 * bpf_can_format() said which it can be: %o, %p and '#' with x or X become
 * a %s of the digits stp_radix() makes; the rest are bpf_snprintf's own,
 * without '#', every integer widened to 64 bits.
 */
static const char *plain_conv(struct kgen *k, const char *c, struct expr *a, struct strbuf *f,
			      struct strbuf *vals)
{
	struct bpf_spec sp;
	c = bpf_fmt_spec(c, &sp);
	bool text = bpf_spec_as_text(&sp);
	sb_printf(f, "%%%s%s%s%s%.*s", sp.minus ? "-" : "", sp.plus && !text ? "+" : "",
		  sp.space && !text ? " " : "", sp.zero ? "0" : "", sp.width_len, sp.width);
	const char *v;
	if (text) {
		const char *digits = kgen_slot(k, 32);
		cw_line(k->w, "stp_radix(%s, (u64)%s, %d, %d, %d);", digits, kgen_long(k, a),
			sp.conv == 'o' ? 3 : 4, sp.conv == 'X', sp.alt || sp.conv == 'p');
		v = arena_printf("(unsigned long)%s", digits);
		sb_putc(f, 's');
	} else if (a->type == VT_STRING) {
		v = arena_printf("(unsigned long)%s", kgen_str(k, a));
		sb_putc(f, sp.conv);
	} else {
		v = kgen_long(k, a);
		sb_printf(f, "%s%c", strchr("diuxX", sp.conv) ? "ll" : "", sp.conv);
	}
	sb_printf(vals, "%s(u64)%s", vals->len ? ", " : "", v);
	return c;
}

/*
 * Text the kernel takes in a format: printable bytes and white space
 * (bpf_snprintf refuses others), not starting with a letter or a digit
 * right after a %s (it would read "%s0x" as one of its extensions).
 */
static bool text_in_format(const char *t, size_t n, bool after_s)
{
	if (after_s && isalnum((unsigned char)t[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isascii((unsigned char)t[i]) ||
		    (!isprint((unsigned char)t[i]) && !isspace((unsigned char)t[i])))
			return false;
	return true;
}

/* The text of a format up to its next conversion, in f, or as a %s value of its own. */
static const char *plain_text(struct kgen *k, const char *c, bool after_s, struct strbuf *f,
			      struct strbuf *vals, int *nvals)
{
	struct strbuf t = { 0 };
	for (; *c && (*c != '%' || c[1] == '%'); c++) {
		sb_putc(&t, *c);
		if (*c == '%')
			c++;
	}
	if (!t.len)
		return c;
	if (text_in_format(t.buf, t.len, after_s)) {
		for (size_t i = 0; i < t.len; i++) {
			if (t.buf[i] == '%')
				sb_putc(f, '%');
			sb_putc(f, t.buf[i]);
		}
	} else {
		sb_puts(f, "%s");
		sb_printf(vals, "%s(u64)(unsigned long)stp_lits.l%d", vals->len ? ", " : "",
			  kgen_literal(k, t.buf));
		(*nvals)++;
	}
	sb_free(&t);
	return c;
}

/*
 * sprintf made as bytes in BPF, with bpf_snprintf() (kernel 5.13+): its
 * format in .rodata, at most 12 values. place.c sends here only formats
 * bpf_can_format() accepts; the rest stay lazy.
 */
static const char *sprintf_plain(struct kgen *k, struct expr *x)
{
	const char *fmt = decode_escapes(x->str);
	if (!x->has_format || !bpf_can_format(fmt)) {
		diag_error(&x->loc, "this sprintf cannot be formatted in the kernel: it can be printed "
				    "from a kernel probe, but not compared, stored or used as a key");
		return "\"\"";
	}
	struct strbuf f = { 0 }, vals = { 0 };
	int nvals = 0, arg = 0;
	const char *c = plain_text(k, fmt, false, &f, &vals, &nvals);
	while (*c && arg < x->args.len) {
		c = plain_conv(k, c, vec_at(&x->args, arg++), &f, &vals);
		nvals++;
		c = plain_text(k, c + 1, f.buf[f.len - 1] == 's', &f, &vals, &nvals);
	}
	if (nvals > 12) {
		diag_error(&x->loc, "this sprintf has more values than BPF can format (12): it can be "
				    "printed from a kernel probe, but not compared, stored or used as a key");
		sb_free(&f);
		sb_free(&vals);
		return "\"\"";
	}
	/* Already decoded: straight into the literal table. */
	const char *lit_fmt = arena_printf("stp_lits.l%d", kgen_literal(k, f.buf ? f.buf : ""));
	const char *d = kgen_slot(k, (int)k->pl->maxstringlen);
	k->w->uses |= BPF_USES_SNPRINTF;
	if (nvals) {
		const char *v = kgen_tmp(k);
		cw_line(k->w, "u64 %s[] = { %s };", v, vals.buf);
		cw_line(k->w, "bpf_snprintf(%s, %lld, %s, %s, sizeof(%s));", d,
			(long long)k->pl->maxstringlen, lit_fmt, v, v);
	} else {
		cw_line(k->w, "bpf_snprintf(%s, %lld, %s, 0, 0);", d, (long long)k->pl->maxstringlen,
			lit_fmt);
	}
	sb_free(&f);
	sb_free(&vals);
	return d;
}

const char *kgen_str(struct kgen *k, struct expr *x)
{
	switch (x->kind) {
	case E_STRING:
		return kgen_lit(k, x->str);
	case E_SYMBOL:
		if (!x->sym)
			return "\"\"";
		if (x->sym->kind == SYM_GLOBAL)
			return arena_printf("stp_kg.%s", gen_global(x->sym));
		return gen_local(x->sym);
	case E_CONCAT: {
		const char *d = kgen_slot(k, (int)k->pl->maxstringlen);
		cw_line(k->w, "stp_strcpy(%s, %s);", d, kgen_str(k, x->left));
		cw_line(k->w, "stp_strcat(%s, %s);", d, kgen_str(k, x->right));
		return d;
	}
	case E_CALL:
		return x->fn ? call_str(k, x) : "\"\"";
	case E_TERNARY: {
		const char *d = kgen_slot(k, (int)k->pl->maxstringlen);
		cw_open(k->w, "if (%s)", kgen_long(k, x->cond));
		cw_line(k->w, "stp_strcpy(%s, %s);", d, kgen_str(k, x->left));
		cw_close(k->w, NULL);
		cw_open(k->w, "else");
		cw_line(k->w, "stp_strcpy(%s, %s);", d, kgen_str(k, x->right));
		cw_close(k->w, NULL);
		return d;
	}
	case E_INDEX: {
		const char *key = array_key(k, x->sym, &x->args);
		const char *d = kgen_slot(k, (int)k->pl->maxstringlen);
		const char *p = kgen_tmp(k);
		cw_line(k->w, "char *%s = bpf_map_lookup_elem(&%s, %s);", p, map_name(x->sym), key);
		cw_line(k->w, "if (%s) stp_strcpy(%s, %s); else %s[0] = 0;", p, d, p, d);
		return d;
	}
	case E_PRINT:
		return sprintf_plain(k, x);
	case E_ASSIGN: {
		struct expr *l = x->left;
		const char *v = kgen_str(k, x->right);
		if (l->kind == E_INDEX && !strcmp(x->op, ".=")) {
			/* a[k] .= s: the element, then s, written back. */
			const char *d = kgen_slot(k, (int)k->pl->maxstringlen);
			cw_line(k->w, "stp_strcpy(%s, %s);", d, kgen_str(k, l));
			cw_line(k->w, "stp_strcat(%s, %s);", d, v);
			v = d;
		}
		if (l->kind == E_INDEX) {
			array_write_str(k, l, v);
			return v;
		}
		if (l->kind == E_SYMBOL && l->sym) {
			const char *lv = kgen_str(k, l);
			if (!strcmp(x->op, ".="))
				cw_line(k->w, "stp_strcat(%s, %s);", lv, v);
			else
				cw_line(k->w, "stp_strcpy(%s, %s);", lv, v);
			return lv;
		}
		bad_assignment(x);
		return "\"\"";
	}
	default:
		diag_error(&x->loc, "this string expression is not supported in a kernel probe handler "
				    "yet");
		return "\"\"";
	}
}
