// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tapset_index.c - which files of the tapset library a script needs.
 *
 * Parsing the whole library (700 KB, most of it the generated syscall and
 * JNI aliases) took most of a -p2 run. A token scan of each file, far
 * cheaper than lexing it, notes the names the file defines (probe aliases
 * by their first component, functions, globals) and every identifier it
 * uses; pass 2 then parses only the files the script reaches, directly or
 * through other tapset files and the .stpm macros. That is the closure
 * stap's elaboration pulls in, over-approximated: an identifier reaches
 * every file that defines its name, whatever role it plays, so a local
 * variable called `pid` loads the file of pid() for nothing, never the
 * reverse. A misspelt call or probe point also loads the file of its
 * closest name, so "did you mean" still finds it.
 */
#include "stapc.h"

#include <string.h>

struct tfile {
	struct vec defs; /* const char *, interned */
	struct vec uses; /* const char *, interned; "@m" for a macro use */
	bool needed;
};

/* What a scan of a script (rather than a tapset file) notes besides. */
struct scan_extra {
	struct vec calls;  /* identifiers followed by '(' */
	struct vec points; /* first components of probe points */
	bool wild_point;   /* a first component with a wildcard: every alias may match */
};

static bool ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool ident_char(char c)
{
	return ident_start(c) || (c >= '0' && c <= '9');
}

static const char *skip_blank(const char *p, const char *end)
{
	while (p < end) {
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
			p++;
		} else if (*p == '#' || (*p == '/' && p + 1 < end && p[1] == '/')) {
			while (p < end && *p != '\n')
				p++;
		} else if (*p == '/' && p + 1 < end && p[1] == '*') {
			p += 2;
			while (p + 1 < end && !(p[0] == '*' && p[1] == '/'))
				p++;
			p = p + 2 < end ? p + 2 : end;
		} else {
			break;
		}
	}
	return p;
}

/* Keywords and the print family: followed by '(' but no call of the library. */
static bool is_syntax(const char *name)
{
	static const char *const words[] = { "if",     "while",	 "for",	     "foreach", "return",
					     "delete", "in",	 "println",  "print",	"printf",
					     "printd", "printdln", "sprint", "sprintln", "sprintf",
					     "sprintd", "sprintdln" };
	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if (!strcmp(name, words[i]))
			return true;
	return false;
}

/*
 * One pass over a file's text. At the top level (outside braces and
 * parentheses) it follows the declarations: `function NAME`, `global A, B`,
 * `probe P, Q =` (an alias: P's and Q's first components are defined) or
 * `probe P, Q {` (a probe, which defines nothing).
 */
static void scan_text(const char *p, size_t len, struct tfile *tf, struct scan_extra *x)
{
	const char *end = p + len;
	enum { TOP, AFTER_FUNCTION, IN_GLOBALS, IN_PROBE } mode = TOP;
	int braces = 0, parens = 0;
	bool expect_name = false; /* the next identifier starts a global or a point */
	struct vec points = { 0 };
	bool wild = false;
	char prev = 0; /* the last character that was no identifier: '.' makes a component */
	for (;;) {
		p = skip_blank(p, end);
		if (p >= end)
			break;
		char c = *p;
		if (c == '"') {
			for (p++; p < end && *p != '"'; p++)
				if (*p == '\\' && p + 1 < end)
					p++;
			p++;
			expect_name = false;
			continue;
		}
		if (c == '%' && p + 1 < end && p[1] == '{') {
			for (p += 2; p + 1 < end && !(p[0] == '%' && p[1] == '}'); p++)
				;
			p += 2;
			continue;
		}
		if (c == '%' && p + 1 < end && strchr("(?:)", p[1])) {
			p += 2; /* %( COND %? A %: B %): both branches are scanned */
			continue;
		}
		if ((c == '$' || c == '@') && p + 1 < end && p[1] == '#') {
			p += 2; /* the argument count, not a comment */
			continue;
		}
		if ((c == '$' || c == '@') && p + 1 < end && p[1] >= '0' && p[1] <= '9') {
			/* $N, @N: in a tool built without arguments, a call pp.c writes */
			vec_push(&tf->uses, (void *)intern(c == '$' ? "__script_arg_long"
								    : "__script_arg_str"));
			p += 2;
			continue;
		}
		if (c == '$') { /* a target variable: nothing of the library */
			for (p++; p < end && (ident_char(*p) || *p == '$'); p++)
				;
			continue;
		}
		if (ident_start(c) || (c == '@' && p + 1 < end && ident_start(p[1]))) {
			const char *s = p++;
			while (p < end && ident_char(*p))
				p++;
			const char *name = intern_n(s, (size_t)(p - s));
			vec_push(&tf->uses, (void *)name);
			bool component = prev == '.';
			prev = 0;
			if (c == '@')
				continue;
			const char *after = skip_blank(p, end);
			bool is_call = after < end && *after == '(';
			if (x && is_call && braces && !is_syntax(name))
				vec_push(&x->calls, (void *)name);
			if (braces || parens || component)
				continue;
			if (!strcmp(name, "function") && mode != IN_PROBE) {
				mode = AFTER_FUNCTION;
			} else if (!strcmp(name, "global")) {
				mode = IN_GLOBALS;
				expect_name = true;
			} else if (!strcmp(name, "probe")) {
				mode = IN_PROBE;
				expect_name = true;
				points.len = 0;
				wild = false;
			} else if (!strcmp(name, "private")) {
				/* a modifier of what follows */
			} else if (mode == AFTER_FUNCTION) {
				vec_push(&tf->defs, (void *)name);
				mode = TOP;
			} else if (expect_name) {
				expect_name = false;
				if (mode == IN_GLOBALS) {
					vec_push(&tf->defs, (void *)name);
				} else if (mode == IN_PROBE) {
					vec_push(&points, (void *)name);
					if (after < end && (*after == '*' || *after == '?' || *after == '['))
						wild = true;
				}
			}
			continue;
		}
		p++;
		prev = c;
		switch (c) {
		case '{':
			if (!braces && !parens && mode == IN_PROBE && x) {
				/* A probe of the script: its points are uses of aliases. */
				for (int i = 0; i < points.len; i++)
					vec_push(&x->points, vec_at(&points, i));
				x->wild_point |= wild;
			}
			if (!parens)
				braces++;
			if (braces == 1 && !parens)
				mode = TOP;
			break;
		case '}':
			if (braces && !parens)
				braces--;
			break;
		case '(':
			parens++;
			break;
		case ')':
			if (parens)
				parens--;
			break;
		case '[':
			/* `global a[100]`: the size is no name */
			break;
		case '*':
		case '?':
			if (mode == IN_PROBE && expect_name)
				wild = true; /* `probe *.x` */
			break;
		case ',':
			if (!braces && !parens && (mode == IN_GLOBALS || mode == IN_PROBE))
				expect_name = true;
			break;
		case '=':
			if (!braces && !parens && mode == IN_PROBE) {
				bool compare = p < end && *p == '=';
				if (!compare) {
					/* `probe P, Q = ...` or `+=`: an alias of these names. */
					for (int i = 0; i < points.len; i++)
						vec_push(&tf->defs, vec_at(&points, i));
					mode = TOP;
				}
			}
			expect_name = false;
			break;
		default:
			break;
		}
	}
}

static void index_add(struct name_map *by_name, const char *name, struct tfile *tf)
{
	struct vec *files = name_map_get(by_name, name);
	if (!files) {
		files = arena_alloc(sizeof(*files));
		name_map_put(by_name, name, files);
	}
	if (!files->len || vec_at(files, files->len - 1) != tf)
		vec_push(files, tf);
}

static void need_name(struct name_map *by_name, const char *name, struct vec *work)
{
	struct vec *files = name_map_get(by_name, name);
	for (int i = 0; files && i < files->len; i++) {
		struct tfile *tf = vec_at(files, i);
		if (!tf->needed) {
			tf->needed = true;
			vec_push(work, tf);
		}
	}
}

/* A misspelt call or point loads the file of the closest defined name. */
static void need_near_misses(struct name_map *by_name, const struct vec *all_defs,
			     const struct vec *names, struct vec *work)
{
	for (int i = 0; i < names->len; i++) {
		const char *name = vec_at(names, i);
		if (name_map_get(by_name, name) || builtin_point_first(name))
			continue;
		const char *hint = did_you_mean(name, all_defs);
		if (hint)
			need_name(by_name, hint, work);
	}
}

bool *tapset_files_needed(struct session *s, const struct vec *paths)
{
	int n = paths->len;
	struct tfile *files = arena_alloc(sizeof(*files) * (size_t)(n ? n : 1));
	struct name_map by_name = { 0 };
	struct vec all_defs = { 0 };
	pp_load_library(s); /* the script may use none of the macros the tapsets do */
	for (int i = 0; i < n; i++) {
		size_t len = 0;
		const char *text = read_file(vec_at(paths, i), &len);
		if (!text) { /* parse_file will say why */
			files[i].needed = true;
			continue;
		}
		scan_text(text, len, &files[i], NULL);
		for (int j = 0; j < files[i].defs.len; j++) {
			const char *d = vec_at(&files[i].defs, j);
			if (!name_map_get(&by_name, d))
				vec_push(&all_defs, (void *)d);
			index_add(&by_name, d, &files[i]);
		}
	}
	/* The library's macros: a use of @m reaches what m's body names. */
	struct tfile *macros = arena_alloc(sizeof(*macros) * (size_t)(s->library_macros.len + 1));
	for (int i = 0; i < s->library_macros.len; i++) {
		const struct macro *m = vec_at(&s->library_macros, i);
		vec_push(&macros[i].defs, (void *)m->name);
		for (int t = 0; t < m->body_len; t++)
			if (m->body[t].kind == TK_IDENT || m->body[t].kind == TK_KEYWORD)
				vec_push(&macros[i].uses, (void *)m->body[t].text);
		index_add(&by_name, m->name, &macros[i]);
	}

	struct vec work = { 0 };
	struct scan_extra x = { 0 };
	struct tfile script = { 0 };
	for (int i = 0; i < s->files.len; i++) {
		const struct stapfile *sf = vec_at(&s->files, i);
		scan_text(sf->src->text, sf->src->len, &script, &x);
	}
	/* `probe $1` or @1: a script argument may be (part of) a probe point. */
	for (int i = 0; i < s->args.len; i++) {
		const char *arg = vec_at(&s->args, i);
		size_t first = strcspn(arg, ".(");
		scan_text(arg, strlen(arg), &script, NULL);
		if (strcspn(arg, "*?[") < first)
			x.wild_point = true;
	}
	if (x.wild_point) {
		bool *all = arena_alloc(sizeof(*all) * (size_t)(n ? n : 1));
		for (int i = 0; i < n; i++)
			all[i] = true;
		return all;
	}
	script.needed = true;
	vec_push(&work, &script);
	need_near_misses(&by_name, &all_defs, &x.calls, &work);
	need_near_misses(&by_name, &all_defs, &x.points, &work);
	while (work.len) {
		struct tfile *tf = vec_at(&work, --work.len);
		for (int i = 0; i < tf->uses.len; i++)
			need_name(&by_name, vec_at(&tf->uses, i), &work);
	}
	bool *needed = arena_alloc(sizeof(*needed) * (size_t)(n ? n : 1));
	for (int i = 0; i < n; i++)
		needed[i] = files[i].needed;
	return needed;
}
