// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_plan.c - pass 3's two steps: once placement has decided the plan,
 * the emitters only read it, so the order they run in does not matter and
 * a second writing is the same as the first (tests/plan.bats). Linked with
 * the compiler's objects.
 *
 *   test_plan TAPSET_DIR SCRIPT
 *
 * Exit 0: the same files either way; 1: they differ (which is printed);
 * 2: the script does not compile (nothing to compare).
 */
#include "../../stapc/stapc.h"

#include <stdio.h>
#include <string.h>

struct files {
	struct strbuf bpf, hdr, user;
};

static void emit_bpf_first(const struct plan *pl, const struct source_file *script,
			   struct files *f)
{
	if (pl->kprobes.len)
		emit_bpf(pl, &f->bpf);
	emit_header(pl, &f->hdr);
	emit_user(pl, &f->user, arena_strndup(script->text, script->len), "");
}

static void emit_user_first(const struct plan *pl, const struct source_file *script,
			    struct files *f)
{
	emit_user(pl, &f->user, arena_strndup(script->text, script->len), "");
	emit_header(pl, &f->hdr);
	if (pl->kprobes.len)
		emit_bpf(pl, &f->bpf);
}

static bool same(const char *what, const struct strbuf *a, const struct strbuf *b)
{
	const char *x = a->buf ? a->buf : "", *y = b->buf ? b->buf : "";
	if (!strcmp(x, y))
		return true;
	size_t i = 0;
	while (x[i] == y[i])
		i++;
	fprintf(stderr, "%s differs at byte %zu:\n--- one order\n%.200s\n--- the other\n%.200s\n",
		what, i, x + (i > 80 ? i - 80 : 0), y + (i > 80 ? i - 80 : 0));
	return false;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: test_plan TAPSET_DIR SCRIPT\n");
		return 2;
	}
	struct session s = { 0 };
	target_init_host(&s.target);
	s.last_pass = 3;
	vec_push(&s.include_dirs, argv[1]);
	struct source_file *script = source_load(argv[2]);
	if (!script)
		return 2;
	vec_push(&s.files, parse_file(&s, script));
	struct program *prog = diag_error_count() ? NULL : elab_program(&s);
	struct plan *pl = prog && !diag_error_count() ? place_program(&s, prog, "t") : NULL;
	if (pl && !diag_error_count()) {
		place_kprogs(pl);
		place_code(pl);
	}
	if (!pl || diag_error_count()) {
		diag_flush(stderr);
		return 2;
	}
	struct files a = { 0 }, b = { 0 }, c = { 0 };
	emit_bpf_first(pl, script, &a);
	emit_user_first(pl, script, &b);
	emit_bpf_first(pl, script, &c);
	bool ok = same("NAME.bpf.c", &a.bpf, &b.bpf) && same("NAME.c", &a.user, &b.user) &&
		  same("NAME.stp.h", &a.hdr, &b.hdr) && same("NAME.c, again", &a.user, &c.user) &&
		  same("NAME.bpf.c, again", &a.bpf, &c.bpf);
	printf("%s: %s\n", argv[2], ok ? "the same in any order" : "differs");
	return ok ? 0 : 1;
}
