// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * udwarf.c - functions' parameters from a binary's DWARF (see udwarf.h).
 *
 * A uprobe fires at a function's first instruction, before its prologue,
 * where DWARF location lists of -O0 code do not hold yet. So parameters
 * are not read where DWARF says but where the ABI put them: the integer
 * argument registers, in order, as the System V x86-64 ABI assigns them
 * (small structs take one or two, large ones and floats take none).
 */
#include "udwarf.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct func_entry {
	uint64_t addr, end;
	char *name;
	Dwarf_Off die;
	struct udw_func *info; /* made on first use */
};

struct udw_file {
	int fd;
	Dwarf *dw;
	struct func_entry *funcs;
	int nfuncs, cap;
};

struct collect {
	struct udw_file *f;
};

static int on_func(Dwarf_Die *die, void *arg)
{
	struct udw_file *f = ((struct collect *)arg)->f;
	Dwarf_Addr lo;
	if (dwarf_lowpc(die, &lo) != 0)
		return DWARF_CB_OK; /* a declaration, or only inlined */
	if (f->nfuncs == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 256;
		f->funcs = realloc(f->funcs, sizeof(*f->funcs) * (size_t)f->cap);
	}
	Dwarf_Addr hi = lo;
	dwarf_highpc(die, &hi);
	const char *name = dwarf_diename(die);
	f->funcs[f->nfuncs++] = (struct func_entry){
		.addr = lo, .end = hi, .name = name ? strdup(name) : NULL, .die = dwarf_dieoffset(die)
	};
	return DWARF_CB_OK;
}

static int by_addr(const void *a, const void *b)
{
	const struct func_entry *x = a, *y = b;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

struct udw_file *udw_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	Dwarf *dw = dwarf_begin(fd, DWARF_C_READ);
	if (!dw) {
		close(fd);
		return NULL;
	}
	struct udw_file *f = calloc(1, sizeof(*f));
	f->fd = fd;
	f->dw = dw;
	struct collect c = { f };
	Dwarf_Off off = 0, next;
	size_t hsize;
	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu;
		if (dwarf_offdie(dw, off + hsize, &cu))
			dwarf_getfuncs(&cu, on_func, &c, 0);
		off = next;
	}
	if (!f->nfuncs) {
		udw_close(f);
		return NULL;
	}
	if (f->nfuncs > 1)
		qsort(f->funcs, (size_t)f->nfuncs, sizeof(*f->funcs), by_addr);
	return f;
}

static void free_func(struct udw_func *fn)
{
	if (!fn)
		return;
	for (int i = 0; i < fn->nparams; i++)
		free(fn->params[i].name);
	free(fn->params);
	free(fn->decl_file);
	free(fn);
}

void udw_close(struct udw_file *f)
{
	if (!f)
		return;
	for (int i = 0; i < f->nfuncs; i++) {
		free_func(f->funcs[i].info);
		free(f->funcs[i].name);
	}
	free(f->funcs);
	dwarf_end(f->dw);
	close(f->fd);
	free(f);
}

/* The type a DW_AT_type leads to, through typedefs and qualifiers. */
static bool peel(Dwarf_Die *die, Dwarf_Die *out)
{
	Dwarf_Attribute a;
	Dwarf_Die cur = *die;
	for (int depth = 0; depth < 32; depth++) {
		if (!dwarf_attr_integrate(&cur, DW_AT_type, &a) || !dwarf_formref_die(&a, out))
			return false;
		switch (dwarf_tag(out)) {
		case DW_TAG_typedef:
		case DW_TAG_const_type:
		case DW_TAG_volatile_type:
		case DW_TAG_restrict_type:
		case DW_TAG_atomic_type:
			cur = *out;
			continue;
		default:
			return true;
		}
	}
	return false;
}

/* Fills kind, size and sign of the value whose DIE has a DW_AT_type. */
static void classify(Dwarf_Die *die, struct udw_value *v)
{
	Dwarf_Die t;
	v->kind = UDW_OTHER;
	v->size = 8;
	if (!peel(die, &t)) {
		v->kind = UDW_VOID;
		v->size = 0;
		return;
	}
	int size = dwarf_bytesize(&t);
	Dwarf_Attribute a;
	Dwarf_Word enc = 0;
	switch (dwarf_tag(&t)) {
	case DW_TAG_pointer_type:
	case DW_TAG_reference_type:
	case DW_TAG_rvalue_reference_type:
	case DW_TAG_ptr_to_member_type:
		v->kind = UDW_POINTER;
		v->size = 8;
		return;
	case DW_TAG_base_type:
		if (dwarf_attr(&t, DW_AT_encoding, &a))
			dwarf_formudata(&a, &enc);
		if (enc == DW_ATE_float || enc == DW_ATE_complex_float || size > 8 || size <= 0)
			return; /* in SSE registers, or wider than one */
		v->kind = UDW_INT;
		v->size = size;
		v->is_signed = enc == DW_ATE_signed || enc == DW_ATE_signed_char;
		return;
	case DW_TAG_enumeration_type: {
		Dwarf_Die under;
		v->kind = UDW_INT;
		v->size = size > 0 && size <= 8 ? size : 4;
		if (peel(&t, &under) && dwarf_attr(&under, DW_AT_encoding, &a) &&
		    dwarf_formudata(&a, &enc) == 0)
			v->is_signed = enc == DW_ATE_signed || enc == DW_ATE_signed_char;
		return;
	}
	case DW_TAG_structure_type:
	case DW_TAG_union_type:
	case DW_TAG_class_type:
		v->kind = UDW_STRUCT;
		v->size = size > 0 ? size : 0;
		return;
	default:
		return;
	}
}

static struct udw_func *describe(struct udw_file *f, Dwarf_Off off)
{
	Dwarf_Die die, child;
	if (!dwarf_offdie(f->dw, off, &die))
		return NULL;
	struct udw_func *fn = calloc(1, sizeof(*fn));
	const char *file = dwarf_decl_file(&die);
	if (file) {
		fn->decl_file = strdup(file);
		dwarf_decl_line(&die, &fn->decl_line);
	}
	classify(&die, &fn->ret);
	fn->ret.reg = 0;
	int next_reg = 0;
	if (dwarf_child(&die, &child) != 0)
		return fn;
	do {
		if (dwarf_tag(&child) != DW_TAG_formal_parameter)
			continue;
		struct udw_value v = { .reg = -1 };
		const char *name = dwarf_diename(&child);
		classify(&child, &v);
		/* The registers this one takes, if it fits in what is left. */
		int regs = v.kind == UDW_INT || v.kind == UDW_POINTER ? 1
			   : v.kind == UDW_STRUCT && v.size > 0 && v.size <= 16 ? (v.size + 7) / 8
										 : 0;
		if (regs && next_reg + regs <= 6) {
			v.reg = next_reg;
			next_reg += regs;
		}
		if (!name)
			continue; /* unnamed: it takes its register, stap does not show it */
		v.name = strdup(name);
		fn->params = realloc(fn->params, sizeof(*fn->params) * (size_t)(fn->nparams + 1));
		fn->params[fn->nparams++] = v;
	} while (dwarf_siblingof(&child, &child) == 0);
	return fn;
}

const struct udw_func *udw_func_at(struct udw_file *f, uint64_t addr)
{
	if (!f)
		return NULL;
	int lo = 0, hi = f->nfuncs - 1;
	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		if (f->funcs[mid].addr == addr) {
			if (!f->funcs[mid].info)
				f->funcs[mid].info = describe(f, f->funcs[mid].die);
			return f->funcs[mid].info;
		}
		if (f->funcs[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

int udw_statement(struct udw_file *f, const char *func, const char *file, int line, uint64_t *addr,
		  char **path)
{
	if (!f)
		return -1;
	Dwarf_Line **lines = NULL;
	size_t n = 0;
	if (dwarf_getsrc_file(f->dw, file, line, 0, &lines, &n) != 0)
		return -1;
	bool found = false;
	for (size_t i = 0; i < n; i++) {
		Dwarf_Addr a;
		int ln = 0;
		/* libdw also offers the next line with code: stap wants this one. */
		if (dwarf_lineaddr(lines[i], &a) != 0 || dwarf_lineno(lines[i], &ln) != 0 || ln != line)
			continue;
		/* In the function named, by its code range. */
		bool inside = false;
		for (int j = 0; j < f->nfuncs && !inside; j++)
			inside = f->funcs[j].name && !strcmp(f->funcs[j].name, func) &&
				 a >= f->funcs[j].addr && a < f->funcs[j].end;
		if (!inside || (found && a >= *addr))
			continue;
		*addr = a;
		found = true;
		free(*path);
		const char *src = dwarf_linesrc(lines[i], NULL, NULL);
		*path = strdup(src ? src : file);
	}
	free(lines);
	return found ? 0 : -1;
}

uint64_t udw_extend(const struct udw_value *v, uint64_t raw)
{
	if (v->kind != UDW_INT || v->size >= 8)
		return raw;
	int bits = v->size * 8;
	uint64_t mask = (1ULL << bits) - 1;
	raw &= mask;
	if (v->is_signed && (raw >> (bits - 1)) & 1)
		raw |= ~mask;
	return raw;
}
