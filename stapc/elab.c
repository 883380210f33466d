// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * elab.c - pass 2, elaboration: from parse trees to a resolved, typed
 * program. The steps, in stap's order:
 *
 *   1. parse the tapset library (the .stp files on the -I path, then ours,
 *      that the script reaches: tapset_index.c);
 *   2. collect globals, functions and aliases from all files;
 *   3. derive the user's probes through aliases to built-in probe points;
 *   4. resolve symbols and calls, pulling in tapset code as it is used;
 *   5. infer types to a fixpoint, then check what is left.
 */
#include "stapc.h"

#include <dirent.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every .stp under `dir`, subdirectories included, in a stable order. */
static void find_tapset_files(const char *dir, struct vec *out, int depth)
{
	DIR *dp = opendir(dir);
	if (!dp || depth > 4) {
		if (dp)
			closedir(dp);
		return;
	}
	struct vec names = { 0 };
	struct dirent *de;
	while ((de = readdir(dp)))
		if (de->d_name[0] != '.')
			vec_push(&names, arena_strdup(de->d_name));
	closedir(dp);
	if (names.len)
		qsort(names.data, (size_t)names.len, sizeof(void *), cmp_names);
	for (int i = 0; i < names.len; i++) {
		const char *name = vec_at(&names, i);
		const char *path = arena_printf("%s/%s", dir, name);
		struct stat st;
		if (stat(path, &st) != 0)
			continue;
		size_t n = strlen(name);
		if (S_ISDIR(st.st_mode))
			find_tapset_files(path, out, depth + 1);
		else if (n > 4 && !strcmp(name + n - 4, ".stp"))
			vec_push(out, (void *)path);
	}
}

static void load_tapsets(struct elab *e, bool whole_library)
{
	struct session *s = e->s;
	struct vec paths = { 0 };
	for (int d = 0; d < s->include_dirs.len; d++)
		find_tapset_files(vec_at(&s->include_dirs, d), &paths, 0);
	const bool *needed = whole_library ? NULL : tapset_files_needed(s, &paths);
	int parsed = 0;
	for (int i = 0; i < paths.len; i++) {
		if (needed && !needed[i])
			continue;
		struct source_file *f = source_load(vec_at(&paths, i));
		if (!f)
			continue;
		f->is_tapset = true;
		vec_push(&e->prog->files, parse_file(s, f));
		parsed++;
	}
	if (s->verbose && needed)
		fprintf(stderr, "stapc: tapsets: %d of %d files reached by the script\n", parsed,
			paths.len);
}

/* ------------------------------------------------------------ name maps */

static size_t name_slot(const struct name_map *m, const char *name)
{
	size_t h = ((uintptr_t)name >> 3) * 0x9e3779b97f4a7c15ull;
	size_t i = h & (size_t)(m->cap - 1);
	while (m->keys[i] && m->keys[i] != name)
		i = (i + 1) & (size_t)(m->cap - 1);
	return i;
}

void *name_map_get(const struct name_map *m, const char *name)
{
	if (!m->cap)
		return NULL;
	size_t i = name_slot(m, name);
	return m->keys[i] ? m->vals[i] : NULL;
}

void name_map_put(struct name_map *m, const char *name, void *val)
{
	if (2 * (m->len + 1) > m->cap) {
		struct name_map bigger = { .cap = m->cap ? 2 * m->cap : 64 };
		bigger.keys = arena_alloc(sizeof(*bigger.keys) * (size_t)bigger.cap);
		bigger.vals = arena_alloc(sizeof(*bigger.vals) * (size_t)bigger.cap);
		for (int i = 0; i < m->cap; i++)
			if (m->keys[i])
				name_map_put(&bigger, m->keys[i], m->vals[i]);
		*m = bigger;
	}
	size_t i = name_slot(m, name);
	if (!m->keys[i]) {
		m->keys[i] = name;
		m->len++;
	}
	m->vals[i] = val;
}

/* ------------------------------------------------------------ collecting */

/*
 * One global of a name, private or not: generated code names globals by
 * their script names (g_NAME), so a private one cannot share its name yet.
 */
static void collect_global(struct elab *e, struct global *g)
{
	struct global *first = name_map_get(&e->globals_by_name, g->name);
	if (first) {
		diag_error(&g->loc, "global '%s' is declared twice", g->name);
		diag_note(&first->loc, "the first declaration is here");
		return;
	}
	g->next_same_name = first;
	name_map_put(&e->globals_by_name, g->name, g);
	vec_push(&e->global_decls, g);
}

static void collect_function(struct elab *e, struct function *fn)
{
	struct function *first = name_map_get(&e->functions_by_name, fn->name);
	for (struct function *old = first; old; old = old->next_same_name) {
		/* Functions may share a name when they differ in arity. */
		if (old->params.len != fn->params.len)
			continue;
		/* The script's own function wins over the library's, as in stap. */
		if (fn->file->is_tapset && !old->file->is_tapset)
			return;
		diag_error(&fn->loc, "function '%s' with %d parameter%s is defined twice", fn->name,
			   fn->params.len, fn->params.len == 1 ? "" : "s");
		diag_note(&old->loc, "the first definition is here");
		return;
	}
	fn->builtin = fn->body->kind == S_EMBEDDED && strstr(fn->body->code, "/* builtin */");
	fn->next_same_name = first;
	name_map_put(&e->functions_by_name, fn->name, fn);
	vec_push(&e->functions, fn);
}

static void collect(struct elab *e, struct stapfile *f)
{
	for (int i = 0; i < f->globals.len; i++)
		collect_global(e, vec_at(&f->globals, i));
	for (int i = 0; i < f->functions.len; i++)
		collect_function(e, vec_at(&f->functions, i));
	for (int i = 0; i < f->aliases.len; i++)
		vec_push(&e->aliases, vec_at(&f->aliases, i));
}

/* Globals the user declared are kept even when unused (with a warning). */
static void keep_user_globals(struct elab *e)
{
	struct program *prog = e->prog;
	for (int i = 0; i < e->global_decls.len; i++) {
		struct global *g = vec_at(&e->global_decls, i);
		if (g->file->is_tapset || g->sym)
			continue;
		struct symbol *sym = arena_alloc(sizeof(*sym));
		sym->name = g->name;
		sym->kind = SYM_GLOBAL;
		sym->arity = -1;
		sym->loc = g->loc;
		sym->decl = g;
		sym->index = prog->globals.len;
		g->sym = sym;
		vec_push(&prog->globals, sym);
	}
}

/* The session's files and the tapset library, parsed and collected. */
struct elab *elab_library(struct session *s, bool whole_library)
{
	struct elab *e = arena_alloc(sizeof(*e));
	e->s = s;
	e->prog = arena_alloc(sizeof(*e->prog));
	for (int i = 0; i < s->files.len; i++)
		vec_push(&e->prog->files, vec_at(&s->files, i));
	load_tapsets(e, whole_library);
	if (diag_error_count())
		return NULL;
	for (int i = 0; i < e->prog->files.len; i++)
		collect(e, vec_at(&e->prog->files, i));
	return diag_error_count() ? NULL : e;
}

/*
 * A probe condition is re-evaluated whenever a global it reads changes:
 * it may read globals, script arguments and constants, never change
 * anything nor call a function (stap's rule).
 */
static bool bad_in_condition(const struct expr *x, void *ctx)
{
	struct elab *e = ctx;
	if (x->kind == E_ASSIGN || x->kind == E_PREINC || x->kind == E_POSTINC) {
		diag_error(&x->loc, "a probe condition cannot change a variable");
		return true;
	}
	/* $N in a tool is read when it starts: a constant all the same. */
	if (x->kind == E_CALL && strncmp(x->name, "__script_arg_", 13)) {
		diag_error(&x->loc, "a probe condition cannot call a function ('%s')", x->name);
		return true;
	}
	if (x->kind == E_SYMBOL && !name_map_get(&e->globals_by_name, x->name)) {
		diag_error(&x->loc, "a probe condition reads '%s', which is not a global", x->name);
		return true;
	}
	return false;
}

static void check_conditions(struct elab *e, const struct probe *pr)
{
	const struct expr *last = NULL;
	for (int i = 0; i < pr->points.len; i++) {
		const struct probe_point *pt = vec_at(&pr->points, i);
		/* The points of one {a,b} if (c) share their condition. */
		if (pt->cond && pt->cond != last)
			expr_any(pt->cond, bad_in_condition, e);
		last = pt->cond;
	}
}

struct program *elab_program(struct session *s)
{
	struct elab *e = elab_library(s, false);
	if (!e)
		return NULL;
	e->nodes_start = ast_nodes();

	for (int i = 0; i < s->files.len; i++) {
		struct stapfile *f = vec_at(&s->files, i);
		for (int j = 0; j < f->probes.len; j++)
			check_conditions(e, vec_at(&f->probes, j));
		for (int j = 0; j < f->aliases.len; j++)
			check_conditions(e, vec_at(&f->aliases, j));
	}
	if (diag_error_count())
		return NULL;
	for (int i = 0; i < s->files.len; i++) {
		struct stapfile *f = vec_at(&s->files, i);
		for (int j = 0; j < f->probes.len; j++)
			derive_probes(e, vec_at(&f->probes, j));
	}
	if (!e->prog->probes.len && !diag_error_count())
		diag_error(NULL, "the script has no probes: nothing would ever run");
	if (diag_error_count())
		return NULL;

	for (int i = 0; i < e->prog->probes.len; i++)
		resolve_probe(e, vec_at(&e->prog->probes, i));
	/* Functions join as they are called; resolving one may reach more. */
	for (int i = 0; i < e->worklist.len; i++)
		resolve_function(e, vec_at(&e->worklist, i));
	check_alias_vars(e);
	check_foreach_writes(e);
	keep_user_globals(e);
	if (diag_error_count())
		return NULL;
	infer_types(e);
	if (diag_error_count())
		return NULL;
	elide_unused(e);
	return e->prog;
}
