// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tref.c - checks and types the ->field and [index] chain of a target
 * variable against the kernel's BTF, recording each step for the BPF
 * backend (which reads it with CO-RE, so field offsets follow the target).
 */
#include "stapc.h"

#include <bpf/btf.h>
#include <string.h>

/* Finds member `name` of a struct/union, looking into anonymous members. */
static int find_member(const struct btf *btf, int id, const char *name, int depth)
{
	const struct btf_type *t = btf__type_by_id(btf, (__u32)id);
	if (!t || !btf_is_composite(t) || depth > 8)
		return -1;
	const struct btf_member *m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++, m++) {
		const char *mn = btf__name_by_offset(btf, m->name_off);
		if (mn && !strcmp(mn, name))
			return (int)m->type;
		if (!mn || !*mn) {
			int r = find_member(btf, kbtf_strip(btf, (int)m->type), name, depth + 1);
			if (r >= 0)
				return r;
		}
	}
	return -1;
}

static void member_names(const struct btf *btf, int id, struct vec *out, int depth)
{
	const struct btf_type *t = btf__type_by_id(btf, (__u32)id);
	if (!t || !btf_is_composite(t) || depth > 8)
		return;
	const struct btf_member *m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++, m++) {
		const char *mn = btf__name_by_offset(btf, m->name_off);
		if (mn && *mn)
			vec_push(out, (void *)mn);
		else
			member_names(btf, kbtf_strip(btf, (int)m->type), out, depth + 1);
	}
}

static bool field_step(struct elab *e, const struct btf *btf, struct component *c, int *cur,
		       struct tref_step *st)
{
	int id = kbtf_strip(btf, *cur);
	const struct btf_type *t = btf__type_by_id(btf, (__u32)id);
	if (t && btf_is_ptr(t)) {
		st->deref = true;
		id = kbtf_strip(btf, (int)t->type);
		t = btf__type_by_id(btf, (__u32)id);
	}
	if (!t || !btf_is_composite(t)) {
		diag_error(&c->loc, "cannot take '->%s' of a value of type '%s': it is not a struct "
				    "or union, nor a pointer to one",
			   c->name, kbtf_type_name(btf, *cur));
		return false;
	}
	int member = find_member(btf, id, c->name, 0);
	if (member < 0) {
		struct vec names = { 0 };
		member_names(btf, id, &names, 0);
		const char *hint = did_you_mean(c->name, &names);
		const char *type = kbtf_type_name(btf, id);
		if (hint)
			diag_error(&c->loc, "'%s' has no member '%s'; did you mean '%s'?", type, c->name,
				   hint);
		else
			diag_error(&c->loc, "'%s' has no member '%s'", type, c->name);
		return false;
	}
	(void)e;
	st->field = c->name;
	st->type = member;
	*cur = member;
	return true;
}

static bool index_step(const struct btf *btf, struct component *c, int *cur, struct tref_step *st)
{
	int id = kbtf_strip(btf, *cur);
	const struct btf_type *t = btf__type_by_id(btf, (__u32)id);
	if (t && btf_is_ptr(t)) {
		st->deref = true;
		st->type = (int)t->type;
	} else if (t && btf_is_array(t)) {
		st->type = (int)btf_array(t)->type;
	} else {
		diag_error(&c->loc, "cannot index a value of type '%s': it is not an array or a "
				    "pointer",
			   kbtf_type_name(btf, *cur));
		return false;
	}
	st->index = c->index;
	*cur = st->type;
	return true;
}

bool tref_resolve(struct elab *e, struct target_ref *r, struct expr *x)
{
	const struct btf *btf = kbtf_get(e);
	if (!btf)
		return false;
	int cur = r->type;
	r->c_type = r->type ? kbtf_type_name(btf, r->type) : "s64";
	if (r->type) {
		const struct btf_type *bt = btf__type_by_id(btf, (__u32)kbtf_strip(btf, r->type));
		r->wide = bt && (btf_is_ptr(bt) || (btf_is_int(bt) && bt->size == 8));
	}
	for (int i = 0; i < x->comps.len; i++) {
		struct component *c = vec_at(&x->comps, i);
		if (c->kind == COMP_PRETTY) {
			r->pretty = true;
			break;
		}
		struct tref_step *st = arena_alloc(sizeof(*st));
		bool ok = c->kind == COMP_FIELD ? field_step(e, btf, c, &cur, st)
						: index_step(btf, c, &cur, st);
		if (!ok)
			return false;
		vec_push(&r->steps, st);
	}
	r->final_type = cur;
	/*
	 * &$count: a parameter at the probe is a register's value, a classic
	 * tracepoint's field a copy in its record; neither has an address to
	 * give (stap: "cannot take address of object in register").
	 */
	if (x->kind == E_TARGET && x->addr_of && (r->pretty || !r->steps.len)) {
		diag_error(&x->loc, "cannot take the address of '%s': %s", x->name,
			   r->pretty ? "it is pretty-printed, a string" :
			   r->base == TREF_TP_FIELD ? "it is a tracepoint variable, copied into the "
						     "event's record" :
						     "it is a value in a register at this probe, not "
						     "in memory");
		return false;
	}
	const struct btf_type *t = btf__type_by_id(btf, (__u32)kbtf_strip(btf, cur));
	r->final_is_array = t && btf_is_array(t);
	/* &...->member is its address: a struct member is fine there. */
	if (!r->pretty && !x->addr_of && t && btf_is_composite(t)) {
		diag_error(&x->loc, "'%s' is a whole %s: read one of its fields with ->, or print it "
				    "with %s$",
			   x->name ? x->name : "the value", kbtf_type_name(btf, cur),
			   x->name ? x->name : "");
		return false;
	}
	x->target = r;
	x->type = r->pretty ? VT_STRING : VT_LONG;
	return true;
}

/*
 * @cast(ptr, "TYPE"[, "MODULE"])->...: ptr read as a pointer to the kernel
 * type TYPE ("task_struct", "struct task_struct", "union u", a typedef),
 * its fields checked against BTF here and read with CO-RE on the target.
 */
bool tref_cast(struct elab *e, struct expr *x)
{
	if (x->module && strcmp(x->module, "kernel") && x->module[0] != '<') {
		diag_error(&x->loc, "@cast into module \"%s\": only kernel types (from BTF) are "
				    "supported yet",
			   x->module);
		return false;
	}
	const struct btf *btf = kbtf_get(e);
	if (!btf)
		return false;
	const char *name = x->str;
	while (*name == ' ')
		name++;
	int id = 0;
	if (!strncmp(name, "struct ", 7) || !strncmp(name, "union ", 6))
		id = kbtf_parse_c_type(btf, arena_printf("%s *", name));
	else if (!strchr(name, ' ') && !strchr(name, '*')) {
		/* stap's habit: the bare tag; a struct, else a union, else a typedef. */
		id = kbtf_parse_c_type(btf, arena_printf("struct %s *", name));
		if (!id)
			id = kbtf_parse_c_type(btf, arena_printf("union %s *", name));
		if (!id)
			id = kbtf_parse_c_type(btf, arena_printf("%s *", name));
	} else {
		id = kbtf_parse_c_type(btf, arena_printf("%s *", name));
	}
	if (!id) {
		diag_error(&x->loc, "@cast to \"%s\": the kernel's BTF has no such type", x->str);
		return false;
	}
	struct target_ref *r = arena_alloc(sizeof(*r));
	r->base = TREF_VALUE;
	r->type = id;
	return tref_resolve(e, r, x);
}
