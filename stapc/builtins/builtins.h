/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * builtins.h - the built-in table: one row per function that a tapset
 * declares with the pragma 'builtin' and the compiler provides.
 *
 * A row says what the other passes need to know of a built-in (its
 * signature as the tapset declares it, whether it is pure, whether it needs
 * a probe's kernel context, the width of its string) and holds its emitters,
 * one set per backend. The rows live by area, each file with the emitters of
 * its rows: task.c (pid, execname...), time.c, string.c, memory.c
 * (kernel_* and user_*), probe.c (pp, pn, registers), symbols.c, output.c
 * (log, error, exit...). Adding a built-in is one row and its emitters in
 * one of them; tests/builtins.bats checks the rows against the tapsets.
 */
#ifndef STAPC_BUILTINS_H
#define STAPC_BUILTINS_H

#include <stdbool.h>
#include <stddef.h>

struct expr;
struct function;
struct kgen;
struct ugen;
struct builtin_kmod; /* the kernel-module backend's emitters: another issue */

enum builtin_flags {
	BI_PURE = 1 << 0,     /* no side effect: may be dropped or evaluated twice */
	BI_KCTX = 1 << 1,     /* reads the kernel context of a probe (the task, registers) */
	BI_TOOL_STR = 1 << 2, /* its string only the tool can make (quoting, symbols) */
	BI_OUTPUT = 1 << 3,   /* sends its string argument to the tool, where pieces do */
	BI_REGS = 1 << 4,     /* reads the probe's saved registers */
	BI_BYTES_KIND0 = 1 << 5, /* bpf_str only for the constant kind 0, its first argument */
};

struct builtin {
	const char *name;
	/* The forms the tapset declares, "string(long,string)"; a second for an overload. */
	const char *sig[2];
	unsigned flags;	      /* enum builtin_flags */
	int str_width;	      /* the bytes of its string with the NUL, when fixed; else 0 */
	const void *aux;      /* what emitters shared by several rows tell them apart by */

	/*
	 * BPF (emit/bpf*.c). NULL: not available in a kernel probe. _str
	 * writes into d, a scratch buffer of MAXSTRINGLEN, and returns the
	 * bytes (d or another place). _out puts the value into a record as
	 * pieces and _out_size bounds them; NULL: the bytes, as any string.
	 * _stmt: a call done for its effect (a record the tool acts on).
	 */
	const char *bpf_c; /* a long that is one C expression, for no emitter */
	const char *(*bpf_long)(struct kgen *k, struct expr *x);
	const char *(*bpf_str)(struct kgen *k, struct expr *x, const char *d);
	void (*bpf_out)(struct kgen *k, struct expr *x, const char *rec);
	int (*bpf_out_size)(struct kgen *k, struct expr *x);
	void (*bpf_stmt)(struct kgen *k, struct expr *x);

	/* Tool C (emit/user*.c), the same way. NULL: not available in begin, end or a timer. */
	const char *user_c;
	const char *(*user_long)(struct ugen *u, struct expr *x);
	void (*user_str)(struct ugen *u, struct expr *x, const char *d);
	void (*user_stmt)(struct ugen *u, struct expr *x);

	const struct builtin_kmod *kmod; /* the kernel-module backend: NULL for now */
};

/* The rows of each area, ended by a row without a name. */
extern const struct builtin builtins_task[];
extern const struct builtin builtins_time[];
extern const struct builtin builtins_string[];
extern const struct builtin builtins_memory[];
extern const struct builtin builtins_probe[];
extern const struct builtin builtins_symbols[];
extern const struct builtin builtins_output[];
extern const struct builtin builtins_random[];

/* The row of the built-in NAME, or NULL. */
const struct builtin *builtin_find(const char *name);
/* The row of fn, NULL where fn is a script's own function. */
const struct builtin *builtin_of(const struct function *fn);
/* Whether x calls a built-in with every one of flags. */
bool builtin_call_has(const struct expr *x, unsigned flags);
/*
 * Whether x is a call that reads the saved registers: register(),
 * u_register(), or a function that does (int_arg(), returnval() ...),
 * however deep; not its arguments. A predicate for expr_any/stmt_any (ctx
 * unused), which look at the arguments.
 */
bool expr_reads_registers(const struct expr *x, void *ctx);
/* Every row in turn: i from 0 until it returns NULL. */
const struct builtin *builtin_at(size_t i);

#endif /* STAPC_BUILTINS_H */
