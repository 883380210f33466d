/* SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause */
/*
 * udwarf.h - what the target binary's DWARF says about a function: where
 * it is declared, its parameters and its return type, and which argument
 * register (x86-64 System V ABI) holds each parameter at entry. Read with
 * libdw, at start-up, from the binary the tool probes.
 */
#ifndef STP_UDWARF_H
#define STP_UDWARF_H

#include <stdbool.h>
#include <stdint.h>

enum udw_kind {
	UDW_INT,     /* integers, enums, bools, chars: a number */
	UDW_POINTER, /* a number too, never sign-extended */
	UDW_STRUCT,  /* struct, union, class: stap prints {...} */
	UDW_OTHER,   /* floating point and what has no register: ? */
	UDW_VOID,    /* a return type only */
};

struct udw_value {
	char *name;
	enum udw_kind kind;
	int size;
	bool is_signed;
	int reg; /* argument register 0..5 at entry, or -1 */
};

struct udw_func {
	char *decl_file; /* NULL when unknown */
	int decl_line;
	struct udw_value *params;
	int nparams;
	struct udw_value ret;
};

struct udw_file;

/* NULL when the file has no DWARF (quietly: the caller warns). */
struct udw_file *udw_open(const char *path);
void udw_close(struct udw_file *f);
/* The function whose code starts at addr (the file's own addresses), or NULL. */
const struct udw_func *udw_func_at(struct udw_file *f, uint64_t addr);

/*
 * Where the code of FILE:LINE inside function FUNC starts (the lowest
 * address of the line's statements in it); the file's name as DWARF has
 * it in *path (malloc'd). 0, or -1 if there is no such place.
 */
int udw_statement(struct udw_file *f, const char *func, const char *file, int line, uint64_t *addr,
		  char **path);

/* A register's value as the type holds it: cut to its size, extended by its sign. */
uint64_t udw_extend(const struct udw_value *v, uint64_t raw);

#endif /* STP_UDWARF_H */
