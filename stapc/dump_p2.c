// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dump_p2.c - the elaborated program in the layout of `stap -p2`:
 *
 *   # globals
 *   counts:long [string]
 *   # functions
 *   add:long (a:long, b:long)
 *   # probes
 *   kernel.trace("syscalls:sys_enter_open") /\* <- syscall.open = ... <- syscall.open *\/
 *     # locals
 *     x:long
 */
#include "stapc.h"

static void dump_symbol(struct strbuf *out, const struct symbol *s)
{
	sb_printf(out, "%s:%s", s->name, vtype_name(s->type));
	if (s->arity > 0) {
		sb_puts(out, " [");
		for (int k = 0; k < s->arity && k < MAX_ARRAY_KEYS; k++)
			sb_printf(out, "%s%s", k ? ", " : "", vtype_name(s->keys[k]));
		sb_putc(out, ']');
	}
}

static void dump_probe(struct strbuf *out, const struct dprobe *d)
{
	if (d->prov->print)
		d->prov->print(out, d);
	else
		dump_probe_point(out, d->point);
	/* The way here: innermost alias first, then what the user wrote. */
	sb_puts(out, " /* <-");
	for (int i = d->chain.len - 1; i >= 0; i--)
		sb_printf(out, " %s%s", (const char *)vec_at(&d->chain, i), i ? " <-" : "");
	sb_puts(out, " */\n");
	if (d->locals.len) {
		sb_puts(out, "  # locals\n");
		for (int i = 0; i < d->locals.len; i++) {
			sb_puts(out, "  ");
			dump_symbol(out, vec_at(&d->locals, i));
			sb_putc(out, '\n');
		}
	}
}

void dump_program(struct strbuf *out, const struct program *prog)
{
	if (prog->globals.len) {
		sb_puts(out, "# globals\n");
		for (int i = 0; i < prog->globals.len; i++) {
			dump_symbol(out, vec_at(&prog->globals, i));
			sb_putc(out, '\n');
		}
	}
	if (prog->functions.len) {
		sb_puts(out, "# functions\n");
		for (int i = 0; i < prog->functions.len; i++) {
			const struct function *fn = vec_at(&prog->functions, i);
			sb_printf(out, "%s:%s (", fn->name, vtype_name(fn->type));
			for (int j = 0; j < fn->param_syms.len; j++) {
				if (j)
					sb_puts(out, ", ");
				dump_symbol(out, vec_at(&fn->param_syms, j));
			}
			sb_puts(out, ")\n");
		}
	}
	sb_puts(out, "# probes\n");
	for (int i = 0; i < prog->probes.len; i++)
		dump_probe(out, vec_at(&prog->probes, i));
}
