// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * place_code.c - what the generated code refers to by number or needs room
 * for, decided before any of it is written: the literal table, the printf
 * formats, the record sites BPF sends and the biggest of them, the CONFIG_
 * names, the site maps, the helpers BPF calls (for the manifest), each K
 * function's scratch and result room, and whether a probe's variants
 * write the same handler and so share one body (kprog.shares_body).
 *
 * Each is decided where the code generators first need it, so the
 * generators decide: they run here once with the plan to fill (planning),
 * their text dropped. The emitters then write with the plan const, looking
 * each number up (a number they do not find is a bug, reported as one), so
 * emit_bpf(), emit_user() and emit_header() may run in any order.
 */
#include "stapc.h"

/* The kernel side: functions, then programs, as NAME.bpf.c has them. */
static void plan_kcode(struct plan *pl)
{
	struct kgen_run run = { .pl = pl, .planning = pl, .scratch_max = 8 };
	struct cw w = { 0 };
	kgen_code(&run, &w);
	sb_free(&w.sb);
	pl->bpf_uses = w.uses;
	pl->scratch_max = run.scratch_max;
	pl->record_max = 64;
	for (int i = 0; i < pl->sites.len; i++) {
		const struct out_site *s = vec_at(&pl->sites, i);
		if (s->max_size > pl->record_max)
			pl->record_max = s->max_size;
	}
}

void place_code(struct plan *pl)
{
	/* The tool's formats are numbered after BPF's. */
	if (pl->kprobes.len)
		plan_kcode(pl);
	struct cw w = { 0 };
	ugen_code(pl, pl, &w);
	sb_free(&w.sb);
}
