// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * header.c - writes NAME.h, the layouts both halves of a tool share: the
 * keys and values of arrays, statistics with their histograms, and the
 * scalar globals BPF keeps in its .data (which the tool maps).
 */
#include "../stapc.h"

static bool in_k(const void *obj)
{
	return place_of(obj)->sides & SIDE_K;
}

/* Keys and statistics of each array and statistic, for both halves. */
static void emit_layouts(const struct plan *pl, struct cw *w)
{
	for (int i = 0; i < pl->prog->globals.len; i++) {
		struct symbol *g = vec_at(&pl->prog->globals, i);
		if (g->arity > 0) {
			/* Strings first: their size is a multiple of 8, so no padding. */
			cw_open(w, "struct key_%s", g->name);
			for (int k = 0; k < g->arity; k++)
				if (g->keys[k] == VT_STRING)
					cw_line(w, "char k%d[%d];", k, g->key_width[k]);
			for (int k = 0; k < g->arity; k++)
				if (g->keys[k] != VT_STRING)
					cw_line(w, "s64 k%d;", k);
			cw_close(w, ";");
		}
		if (g->type == VT_STATS) {
			cw_open(w, "struct stat_%s", g->name);
			cw_line(w, "struct stp_stat s;");
			if (place_of(g)->buckets)
				cw_line(w, "s64 h[%d];", place_of(g)->buckets);
			cw_close(w, ";");
		}
	}
}

/* The fields of struct stp_kglobals after the two every tool has. */
static void emit_kglobals(const struct plan *pl, struct cw *w)
{
	w->indent = 1;
	if (pl->prog->exe_paths.len)
		/* process("PATH").begin/.end: PATH's device and inode on the target. */
		cw_line(w, "struct { u64 dev, ino; } stp_exe[%d];", pl->prog->exe_paths.len);
	if (pl->nargs_max) {
		/* $N and @N for BPF, set by the tool from its command line. */
		cw_line(w, "s64 stp_argl[64];");
		cw_line(w, "char stp_args[64][%lld];", (long long)pl->maxstringlen);
	}
	for (int i = 0; i < pl->prog->globals.len; i++) {
		struct symbol *g = vec_at(&pl->prog->globals, i);
		if (!in_k(g) || g->arity != 0 || g->type == VT_STATS)
			continue;
		if (g->type == VT_STRING)
			cw_line(w, "char %s[%lld];", gen_global(g), (long long)pl->maxstringlen);
		else
			cw_line(w, "s64 %s;", gen_global(g));
	}
}

void emit_header(const struct plan *pl, struct strbuf *out)
{
	struct cw layouts = { 0 }, kglobals = { 0 };
	emit_layouts(pl, &layouts);
	emit_kglobals(pl, &kglobals);
	const struct tvar vars[] = {
		{ "NAME", pl->name },
		{ "VERSION", STAPC_VERSION },
		{ "LAYOUTS", layouts.sb.buf },
		{ "KGLOBALS", kglobals.sb.buf },
		{ 0 },
	};
	sb_puts(out, template_expand("tool.stp.h", vars));
	sb_free(&layouts.sb);
	sb_free(&kglobals.sb);
}
