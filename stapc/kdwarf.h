/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kdwarf.h - what kdwarf.c and kdwarf_vars.c share, in libdw's terms. */
#ifndef STAPC_KDWARF_H
#define STAPC_KDWARF_H

#include "stapc.h"

#include <elfutils/libdw.h>

/*
 * The scalar variables of fn (a subprogram, or a copy inlined into outer)
 * visible at pc, parameters first (struct kvar *), each with where it is.
 */
void kdwarf_vars_at(Dwarf_Die *fn, Dwarf_Die *outer, Dwarf_CFI *cfi, uint64_t pc,
		    struct vec *out);

#endif
