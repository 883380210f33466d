// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kdwarf_vars.c - a function's variables at one address, from the
 * kernel's DWARF: where each is when a kprobe there fires, said as a C
 * expression over the probe's struct pt_regs, for BPF to read.
 *
 * What a location can be, at that address: a register (DW_OP_regN), a
 * stack slot (DW_OP_bregN off, or DW_OP_fbreg off from a frame base that
 * is the canonical frame address .debug_frame gives for the address), or
 * a constant (DW_OP_litN / constu, stack_value). Anything else (pieces,
 * entry values, a value the compiler dropped there) is unavailable, which
 * $$vars prints as "?", as stap does.
 */
#include "kdwarf.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <stdlib.h>
#include <string.h>

/* x86-64's DWARF register numbers, as struct pt_regs names them. */
static const char *const regs[] = { "ax", "dx", "cx", "bx", "si", "di", "bp", "sp",
				    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };
#define NREGS (int)(sizeof(regs) / sizeof(regs[0]))

/* The C type of a DWARF type, as vmlinux.h spells it ("struct file *"), or NULL. */
static const char *c_type(Dwarf_Die *type)
{
	Dwarf_Attribute at;
	Dwarf_Die next;
	const char *name = dwarf_diename(type);
	switch (dwarf_tag(type)) {
	case DW_TAG_base_type:
	case DW_TAG_typedef:
		return name ? arena_strdup(name) : NULL;
	case DW_TAG_structure_type:
		return name ? arena_printf("struct %s", name) : NULL;
	case DW_TAG_union_type:
		return name ? arena_printf("union %s", name) : NULL;
	case DW_TAG_enumeration_type:
		return name ? arena_printf("enum %s", name) : NULL;
	case DW_TAG_const_type:
	case DW_TAG_volatile_type:
		if (!dwarf_attr_integrate(type, DW_AT_type, &at))
			return "void";
		return dwarf_formref_die(&at, &next) ? c_type(&next) : NULL;
	case DW_TAG_pointer_type: {
		if (!dwarf_attr_integrate(type, DW_AT_type, &at))
			return "void *";
		const char *to = dwarf_formref_die(&at, &next) ? c_type(&next) : NULL;
		return to ? arena_printf("%s *", to) : "void *";
	}
	default:
		return NULL;
	}
}

/* The scalar type of a variable, and its size; false for structs, arrays and the like. */
static bool scalar_type(Dwarf_Die *var, const char **ctype, int *size)
{
	Dwarf_Attribute at;
	Dwarf_Die type, peeled;
	if (!dwarf_attr_integrate(var, DW_AT_type, &at) || !dwarf_formref_die(&at, &type) ||
	    dwarf_peel_type(&type, &peeled) != 0)
		return false;
	int tag = dwarf_tag(&peeled);
	if (tag != DW_TAG_base_type && tag != DW_TAG_pointer_type && tag != DW_TAG_enumeration_type)
		return false;
	Dwarf_Word bytes;
	if (dwarf_aggregate_size(&peeled, &bytes) != 0 || !bytes || bytes > 8)
		return false;
	*size = (int)bytes;
	*ctype = c_type(&type);
	return *ctype != NULL;
}

/* The canonical frame address at pc as a register and an offset; false if unknown. */
static bool cfa_at(Dwarf_CFI *cfi, Dwarf_Addr pc, int *reg, int64_t *off)
{
	Dwarf_Frame *frame;
	Dwarf_Op *ops;
	size_t n;
	if (!cfi || dwarf_cfi_addrframe(cfi, pc, &frame) != 0)
		return false;
	bool ok = dwarf_frame_cfa(frame, &ops, &n) == 0 && n == 1 && ops[0].atom >= DW_OP_breg0 &&
		  ops[0].atom <= DW_OP_breg15;
	if (ok) {
		*reg = ops[0].atom - DW_OP_breg0;
		*off = (int64_t)ops[0].number;
	}
	free(frame);
	return ok;
}

/* The frame base of fn (a subprogram) at pc: DW_OP_call_frame_cfa, or a register plus 0. */
static bool frame_base(Dwarf_Die *fn, Dwarf_CFI *cfi, Dwarf_Addr pc, int *reg, int64_t *off)
{
	Dwarf_Attribute at;
	Dwarf_Op *ops;
	size_t n;
	if (!dwarf_attr_integrate(fn, DW_AT_frame_base, &at) ||
	    dwarf_getlocation_addr(&at, pc, &ops, &n, 1) != 1 || n != 1)
		return false;
	if (ops[0].atom == DW_OP_call_frame_cfa)
		return cfa_at(cfi, pc, reg, off);
	if (ops[0].atom >= DW_OP_breg0 && ops[0].atom <= DW_OP_breg15) {
		*reg = ops[0].atom - DW_OP_breg0;
		*off = (int64_t)ops[0].number;
		return true;
	}
	return false;
}

/* Where var is at pc, into v (v->kind stays KVAR_NONE when it cannot be said). */
static void locate(Dwarf_Die *var, Dwarf_Die *outer, Dwarf_CFI *cfi, Dwarf_Addr pc,
		   struct kvar *v)
{
	Dwarf_Attribute at;
	Dwarf_Op *ops;
	size_t n;
	if (!dwarf_attr_integrate(var, DW_AT_location, &at) ||
	    dwarf_getlocation_addr(&at, pc, &ops, &n, 1) != 1 || n < 1)
		return;
	unsigned a = ops[0].atom;
	if (n == 1 && a >= DW_OP_reg0 && a <= DW_OP_reg15) {
		v->kind = KVAR_REG;
		v->reg = (int)(a - DW_OP_reg0);
	} else if (n == 1 && a == DW_OP_regx && ops[0].number < (Dwarf_Word)NREGS) {
		v->kind = KVAR_REG;
		v->reg = (int)ops[0].number;
	} else if (n == 1 && a >= DW_OP_breg0 && a <= DW_OP_breg15) {
		v->kind = KVAR_MEM;
		v->reg = (int)(a - DW_OP_breg0);
		v->offset = (int64_t)ops[0].number;
	} else if (n == 1 && a == DW_OP_fbreg) {
		int reg;
		int64_t off;
		if (frame_base(outer, cfi, pc, &reg, &off)) {
			v->kind = KVAR_MEM;
			v->reg = reg;
			v->offset = off + (int64_t)ops[0].number;
		}
	} else if (n == 2 && ops[1].atom == DW_OP_stack_value &&
		   ((a >= DW_OP_lit0 && a <= DW_OP_lit31) || a == DW_OP_constu || a == DW_OP_consts)) {
		v->kind = KVAR_CONST;
		v->offset = a == DW_OP_constu || a == DW_OP_consts ? (int64_t)ops[0].number
								    : (int64_t)(a - DW_OP_lit0);
	}
}

/* The variables of scope (a function copy or a block holding pc), then its inner blocks'. */
static void scope_vars(Dwarf_Die *scope, Dwarf_Die *outer, Dwarf_CFI *cfi, Dwarf_Addr pc,
		       struct vec *out)
{
	Dwarf_Die c;
	if (dwarf_child(scope, &c) != 0)
		return;
	do {
		int tag = dwarf_tag(&c);
		if (tag == DW_TAG_lexical_block) {
			if (dwarf_haspc(&c, pc) == 1)
				scope_vars(&c, outer, cfi, pc, out);
			continue;
		}
		if (tag != DW_TAG_variable && tag != DW_TAG_formal_parameter)
			continue;
		const char *name = dwarf_diename(&c);
		struct kvar *v = arena_alloc(sizeof(*v));
		if (!name || !scalar_type(&c, &v->c_type, &v->size))
			continue;
		v->name = arena_strdup(name);
		v->param = tag == DW_TAG_formal_parameter;
		locate(&c, outer, cfi, pc, v);
		vec_push(out, v);
	} while (dwarf_siblingof(&c, &c) == 0);
}

void kdwarf_vars_at(Dwarf_Die *fn, Dwarf_Die *outer, Dwarf_CFI *cfi, uint64_t pc, struct vec *out)
{
	struct vec all = { 0 };
	scope_vars(fn, outer, cfi, pc, &all);
	/* Parameters first, as stap's $$vars says them. */
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < all.len; i++) {
			struct kvar *v = vec_at(&all, i);
			if (v->param == !pass)
				vec_push(out, v);
		}
}

const char *kvar_c_expr(const struct kvar *v, const char *regs_expr)
{
	switch (v->kind) {
	case KVAR_REG:
		return arena_printf("%s->%s", regs_expr, regs[v->reg]);
	case KVAR_MEM: {
		const char *t = v->size == 8 ? "u64" : v->size == 4 ? "u32" : v->size == 2 ? "u16" : "u8";
		return arena_printf("({ %s stp_v = 0; bpf_probe_read_kernel(&stp_v, %d, (void *)(%s->%s "
				    "+ %lld)); stp_v; })",
				    t, v->size, regs_expr, regs[v->reg], (long long)v->offset);
	}
	case KVAR_CONST:
		return arena_printf("%lldLL", (long long)v->offset);
	default:
		return NULL;
	}
}
