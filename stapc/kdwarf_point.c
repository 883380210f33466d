// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kdwarf_point.c - what a probe point asks of the kernel's DWARF
 * (kdwarf.c): "FUNC@FILE:LINES" read into a query, the --debuginfo kernel
 * opened for it, and its matches found, also when FILE was written with
 * another machine's build folder in front. kernel.statement and
 * kernel.function("FUNC@FILE") both come here.
 */
#include "stapc.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct kdwarf *kdwarf_for(struct session *s, const struct loc *loc, const char *what)
{
	if (!s->debuginfo_path) {
		diag_error(loc, "%s needs the target kernel's DWARF: name its vmlinux with "
				"--debuginfo PATH (Debian's linux-image-REL-dbg has it)",
			   what);
		return NULL;
	}
	struct kdwarf *kd = kdwarf_get(s->debuginfo_path);
	if (kd) {
		s->kernel_build_id = kdwarf_build_id(kd);
		s->kernel_release = kdwarf_kernel_release(kd);
	}
	return kd;
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

bool kdwarf_parse_point(const struct expr *arg, const char *what, bool need_line,
			struct kdwarf_query *q)
{
	const char *s = arg->str;
	const char *at = strchr(s, '@');
	const char *colon = at ? strrchr(at, ':') : NULL;
	const char *plus = at && !colon ? strrchr(at, '+') : NULL;
	if (plus && plus > at + 1) {
		char *end;
		long n = strtol(plus + 1, &end, 10);
		if (plus[1] < '0' || plus[1] > '9' || *end || n < 1 || n > 1000000) {
			diag_error(&arg->loc, "'%s' is not a line: write +N, N lines after the "
					      "function's first", plus);
			return false;
		}
		q->func = intern_n(s, (size_t)(at - s));
		q->file = intern_n(at + 1, (size_t)(plus - at - 1));
		q->line_lo = 1;
		q->line_hi = INT_MAX;
		q->rel_line = (int)n;
		return true;
	}
	if (!at || at == s || (need_line && (!colon || colon == at + 1))) {
		diag_error(&arg->loc, "%s(\"%s\") names no source line: write "
				      "\"FUNCTION@FILE:LINE\" (LINE: N, N-M or *) or \"FUNCTION@FILE+N\"",
			   what, s);
		return false;
	}
	q->func = intern_n(s, (size_t)(at - s));
	q->file = colon ? intern_n(at + 1, (size_t)(colon - at - 1)) : intern(at + 1);
	q->line_lo = 1;
	q->line_hi = INT_MAX;
	if (colon && !parse_lines(colon + 1, q)) {
		diag_error(&arg->loc, "'%s' is not a line: write N, N-M or *", colon + 1);
		return false;
	}
	return true;
}

/*
 * An absolute FILE of another machine's build: the longest tail of it,
 * at least a folder and a file, that names files of this kernel.
 */
static int from_other_tree(struct kdwarf *kd, struct kdwarf_query *q, struct vec *out,
			   const char **source)
{
	const char *full = q->file;
	for (const char *s = strchr(full + 1, '/'); s; s = strchr(s + 1, '/')) {
		if (!strchr(s + 1, '/'))
			break;
		q->file = s + 1;
		int n = kdwarf_statements(kd, q, out, source);
		if (n != 0)
			return n;
	}
	q->file = full;
	return 0;
}

int kdwarf_find(struct session *s, struct kdwarf *kd, struct kdwarf_query *q,
		const struct expr *arg, struct vec *out)
{
	const char *source, *full = q->file;
	int n = kdwarf_statements(kd, q, out, &source);
	if (n == 0 && full[0] == '/')
		n = from_other_tree(kd, q, out, &source);
	if (s->verbose && n >= 0)
		fprintf(stderr, "\"%s\": %d %s%s, from %s\n", arg->str, n,
			q->functions ? "function" : "statement", n == 1 ? "" : "s", source);
	if (n > 0 && q->file != full)
		diag_warning(&arg->loc, "'%.*s' is not where this kernel was built: matching '%s' "
					"inside its source tree",
			     (int)(strlen(full) - strlen(q->file)), full, q->file);
	return n;
}
