// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * list.c - `stapc -l PATTERN` and `-L PATTERN`: the probe points that
 * match, as `stap -l/-L` list them: tapset aliases by name, built-in points
 * from what this machine has (tracefs, BTF, a binary's symbols and SDT
 * notes). -L adds the variables a handler can use, with their types:
 * the alias's convenience variables, then the $target variables.
 */
#include "stapc.h"

#include <stdlib.h>
#include <string.h>

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *point_text(const struct probe_point *p)
{
	struct strbuf sb = { 0 };
	dump_probe_point(&sb, p);
	const char *r = intern(sb.buf ? sb.buf : "");
	sb_free(&sb);
	return r;
}

/* Parses one probe point written on the command line. */
static struct probe_point *parse_pattern(struct session *s, const char *pattern)
{
	const char *text = arena_printf("probe %s {}", pattern);
	struct source_file *f = source_add("<pattern>", text, strlen(text));
	struct stapfile *sf = parse_file(s, f);
	if (diag_error_count() || sf->probes.len != 1)
		return NULL;
	struct probe *p = vec_at(&sf->probes, 0);
	if (p->points.len != 1) {
		diag_error(NULL, "give one probe point to list, not %d", p->points.len);
		return NULL;
	}
	return vec_at(&p->points, 0);
}

static bool names_match(const struct probe_point *pattern, const struct probe_point *name)
{
	if (point_ncomps(pattern) != point_ncomps(name))
		return false;
	for (int i = 0; i < point_ncomps(name); i++)
		if (!point_match(point_name(pattern, i), point_name(name, i)))
			return false;
	return true;
}

/* "name:type ..." of the variables a handler on `point` can read. */
static const char *variables_of(struct elab *e, const char *point)
{
	int errors = diag_error_count();
	/* A listed form's placeholder number, timer.s(N), parses as a number. */
	struct strbuf pt = { 0 };
	for (const char *c = point; *c; c++) {
		if (!strncmp(c, "(N)", 3)) {
			sb_puts(&pt, "(1)");
			c += 2;
		} else
			sb_putc(&pt, *c);
	}
	const char *text = arena_printf("probe %s {}", pt.buf);
	sb_free(&pt);
	struct source_file *f = source_add("<list>", text, strlen(text));
	struct stapfile *sf = parse_file(e->s, f);
	if (diag_error_count() > errors || sf->probes.len != 1)
		return "";
	int first = e->prog->probes.len;
	diag_quiet(true);
	derive_probes(e, vec_at(&sf->probes, 0));
	for (int i = first; i < e->prog->probes.len; i++)
		resolve_probe(e, vec_at(&e->prog->probes, i));
	/* The functions the handlers call type what they return. */
	for (int i = 0; i < e->worklist.len; i++)
		resolve_function(e, vec_at(&e->worklist, i));
	infer_types(e);
	diag_quiet(false);
	struct strbuf sb = { 0 };
	struct vec seen = { 0 };
	for (int i = first; i < e->prog->probes.len; i++) {
		struct dprobe *d = vec_at(&e->prog->probes, i);
		for (int j = 0; j < d->locals.len; j++) {
			struct symbol *sym = vec_at(&d->locals, j);
			if (sym->name[0] == '_')
				continue; /* the tapset's own workings */
			const char *item = arena_printf("%s:%s", sym->name, vtype_name(sym->type));
			bool dup = false;
			for (int k = 0; k < seen.len && !dup; k++)
				dup = !strcmp(vec_at(&seen, k), item);
			if (dup)
				continue;
			vec_push(&seen, (void *)item);
			sb_printf(&sb, " %s", item);
		}
		if (d->prov->vars && i == first) {
			struct vec vars = { 0 };
			d->prov->vars(e, d, &vars);
			for (int k = 0; k < vars.len; k++)
				sb_printf(&sb, " %s", (const char *)vec_at(&vars, k));
		}
	}
	e->prog->probes.len = first;
	const char *r = arena_strdup(sb.buf ? sb.buf : "");
	sb_free(&sb);
	return r;
}

int list_probes(struct session *s, const char *pattern, bool with_vars)
{
	struct probe_point *pat = parse_pattern(s, pattern);
	if (!pat)
		return 1;
	struct elab *e = elab_library(s, true);
	if (!e)
		return 1;
	struct vec found = { 0 };
	for (int i = 0; i < e->aliases.len; i++) {
		struct probe *a = vec_at(&e->aliases, i);
		struct probe_point *name = vec_at(&a->alias_names, 0);
		/* Internal aliases (__name) are not for users. */
		if (point_name(name, 0)[0] != '_' && names_match(pat, name))
			vec_push(&found, (void *)point_text(name));
	}
	for (int i = 0; providers[i]; i++)
		if (providers[i]->list)
			providers[i]->list(e, pat, &found);
	if (found.len)
		qsort(found.data, (size_t)found.len, sizeof(void *), cmp_str);
	for (int i = 0; i < found.len; i++) {
		const char *p = vec_at(&found, i);
		if (i && !strcmp(p, vec_at(&found, i - 1)))
			continue;
		if (with_vars)
			printf("%s%s\n", p, variables_of(e, p));
		else
			printf("%s\n", p);
	}
	diag_flush(stderr);
	return diag_error_count() ? 1 : 0;
}
