// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kstmt.c - kernel source line probes, from the kernel's DWARF.
 *
 *   kernel.statement("FUNC@FILE:LINE")   LINE: N, N-M or *; FUNC and FILE globs
 *
 * The DWARF (--debuginfo PATH) is read when compiling (kdwarf.c): each
 * line a pattern names becomes a probe of its own, a kprobe at the
 * function symbol that holds the line plus the line's offset in it, so a
 * handler that needs nothing else runs in BPF. pp() is stap's,
 * kernel.statement("vfs_read@fs/read_write.c:470"). The tool is tied to
 * the kernel the DWARF describes: it checks that kernel's build id when
 * it starts.
 *
 * A FILE written with another machine's build folder in front
 * (/build/linux-8h04gD/linux-4.13.0/drivers/tty/vt/[*].c, say) names no file of
 * this kernel, whose DWARF has its own folder: the path is matched from
 * where it fits inside the source tree, with a warning.
 */
#include "../stapc.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A concrete point expand() made, and the statement it stands for. */
struct made_point {
	const struct probe_point *point;
	const struct kstmt *st;
};
static struct vec made; /* struct made_point * */

/* The --debuginfo kernel's DWARF; NULL (said once, at loc) when there is none. */
static struct kdwarf *dwarf_of(struct elab *e, const struct loc *loc)
{
	const char *path = e->s->debuginfo_path;
	if (!path) {
		diag_error(loc, "kernel.statement needs the target kernel's DWARF: name its vmlinux "
				"with --debuginfo PATH (Debian's linux-image-REL-dbg has it)");
		return NULL;
	}
	struct kdwarf *kd = kdwarf_get(path);
	if (kd) {
		e->s->kernel_build_id = kdwarf_build_id(kd);
		e->s->kernel_release = kdwarf_kernel_release(kd);
	}
	return kd;
}

static bool is_stmt_point(const struct probe_point *p)
{
	return point_ncomps(p) == 2 && point_is(p, 0, "kernel") && !point_arg(p, 0) &&
	       point_is(p, 1, "statement");
}

/* "N", "N-M" or "*" into q's range; false if it is none of them. */
static bool parse_lines(const char *s, struct kdwarf_query *q)
{
	if (!strcmp(s, "*")) {
		q->line_lo = 1;
		q->line_hi = INT_MAX;
		return true;
	}
	char *end;
	long lo = strtol(s, &end, 10), hi = lo;
	if (end == s || lo < 1)
		return false;
	if (*end == '-') {
		const char *h = end + 1;
		hi = strtol(h, &end, 10);
		if (end == h || hi < lo)
			return false;
	}
	if (*end || hi > INT_MAX)
		return false;
	q->line_lo = (int)lo;
	q->line_hi = (int)hi;
	return true;
}

/* "FUNC@FILE:LINES" into q; false (said at arg) when it is not that. */
static bool parse_pattern(const struct expr *arg, struct kdwarf_query *q)
{
	const char *s = arg->str;
	const char *at = strchr(s, '@');
	const char *colon = at ? strrchr(at, ':') : NULL;
	if (!at || !colon || at == s || colon == at + 1) {
		diag_error(&arg->loc, "kernel.statement(\"%s\") names no source line: write "
				      "\"FUNCTION@FILE:LINE\" (LINE: N, N-M or *)",
			   s);
		return false;
	}
	q->func = intern_n(s, (size_t)(at - s));
	q->file = intern_n(at + 1, (size_t)(colon - at - 1));
	if (!parse_lines(colon + 1, q)) {
		diag_error(&arg->loc, "'%s' is not a line: write N, N-M or *", colon + 1);
		return false;
	}
	return true;
}

/*
 * An absolute FILE of another machine's build: the longest tail of it,
 * at least a folder and a file, that names files of this kernel.
 */
static int from_other_tree(struct kdwarf *dw, struct kdwarf_query *q, struct vec *out,
			   const char **source)
{
	const char *full = q->file;
	for (const char *s = strchr(full + 1, '/'); s; s = strchr(s + 1, '/')) {
		if (!strchr(s + 1, '/'))
			break;
		q->file = s + 1;
		int n = kdwarf_statements(dw, q, out, source);
		if (n != 0)
			return n;
	}
	q->file = full;
	return 0;
}

/* The statements q names; warns at arg when FILE had to lose another build's folder. */
static int find_statements(struct elab *e, struct kdwarf *dw, struct kdwarf_query *q,
			   const struct expr *arg, struct vec *out)
{
	const char *source;
	int n = kdwarf_statements(dw, q, out, &source);
	if (e->s->verbose && n >= 0)
		fprintf(stderr, "kernel.statement(\"%s\"): %d statement%s, from %s\n", arg->str, n,
			n == 1 ? "" : "s", source);
	if (n != 0 || q->file[0] != '/')
		return n;
	const char *full = q->file;
	n = from_other_tree(dw, q, out, &source);
	if (n > 0)
		diag_warning(&arg->loc, "'%.*s' is not where this kernel was built: matching '%s' "
					"inside its source tree",
			     (int)(strlen(full) - strlen(q->file)), full, q->file);
	return n;
}

/* Each is a BPF program of its own, compiled and loaded: keep it sane. */
#define MAX_STATEMENTS 1000

static void expand(struct elab *e, const struct probe_point *p, const struct stmt *body,
		   const struct expr *cond, struct vec *out)
{
	(void)body;
	(void)cond;
	if (!is_stmt_point(p))
		return;
	const struct expr *arg = point_arg(p, 1);
	struct kdwarf_query q;
	if (!arg || arg->kind != E_STRING || !parse_pattern(arg, &q))
		return;
	struct kdwarf *dw = dwarf_of(e, &arg->loc);
	if (!dw)
		return;
	struct vec sts = { 0 };
	if (find_statements(e, dw, &q, arg, &sts) < 0)
		return;
	if (sts.len > MAX_STATEMENTS) {
		diag_error(&arg->loc, "'%s' names %d statements; a tool probes at most %d from one "
				      "pattern: narrow it",
			   arg->str, sts.len, MAX_STATEMENTS);
		return;
	}
	for (int i = 0; i < sts.len; i++) {
		const struct kstmt *st = vec_at(&sts, i);
		struct probe_point *np = point_with_arg(
			p, 1, arena_printf("%s@%s:%d", st->func, st->file, st->line));
		struct made_point *m = arena_alloc(sizeof(*m));
		*m = (struct made_point){ np, st };
		vec_push(&made, m);
		vec_push(out, np);
	}
}

static const struct kstmt *made_from(const struct probe_point *p)
{
	for (int i = made.len - 1; i >= 0; i--) {
		const struct made_point *m = vec_at(&made, i);
		if (m->point == p)
			return m->st;
	}
	return NULL;
}

static bool match(struct elab *e, struct dprobe *d)
{
	(void)e;
	if (!is_stmt_point(d->point))
		return false;
	const struct kstmt *st = made_from(d->point);
	const struct expr *arg = point_arg(d->point, 1);
	if (!st) {
		/* expand() found nothing here, or said why. */
		if (!d->optional && arg && arg->kind == E_STRING)
			diag_error(&arg->loc, "no statement of the kernel's DWARF matches '%s'",
				   arg->str);
		return false;
	}
	if (!st->sym) {
		diag_error(&arg->loc, "%s:%d of %s is in no function symbol of the kernel, so no "
				      "kprobe can be put there",
			   st->file, st->line, st->func);
		return false;
	}
	d->data = (void *)st;
	return true;
}

static const char *stmt_place(const struct kstmt *st)
{
	if (!st->offset)
		return st->sym;
	return arena_printf("%s+0x%llx", st->sym, (unsigned long long)st->offset);
}

static int variants(const struct dprobe *d, struct variant *out, int max)
{
	const struct kstmt *st = d->data;
	if (max < 1)
		return 0;
	const char *place = stmt_place(st);
	out[0] = (struct variant){
		.section = attach_kind_section(STP_ATTACH_KPROBE, place),
		.attach = STP_ATTACH_KPROBE,
		.target = place,
		.args = ARGS_PT_REGS,
		.ctx_macro = "BPF_KPROBE",
	};
	return 1;
}

static const char *func_name(const struct dprobe *d)
{
	const struct kstmt *st = d->data;
	return st->func;
}

static void print(struct strbuf *out, const struct dprobe *d)
{
	const struct kstmt *st = d->data;
	sb_printf(out, "kernel.statement(\"%s@%s:%d\") /* pc=%s */", st->func, st->file, st->line,
		  stmt_place(st));
}

const struct provider provider_kstmt = {
	.name = "kernel.statement",
	.match = match,
	.expand = expand,
	.variants = variants,
	.func_name = func_name,
	.print = print,
};
