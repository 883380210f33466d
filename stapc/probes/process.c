// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * process.c - user-space probes: uprobes and USDT marks.
 *
 *   process("PATH").function("PATTERN")[.call|.return]
 *   process("PATH").plt("PATTERN")[.return]
 *   process("PATH").mark("NAME")
 *   process.function("PATTERN") ...     the -c / -x target's own binary
 *   process.library("LIB").mark("NAME") ...   a library found by the tool
 *
 * PATH is looked up on $PATH when it has no slash, as stap does. The
 * pattern is checked here against the build host's copy of the binary, but
 * expanded again at start-up by the tool against the target's copy (its
 * .symtab, else .dynsym): so a tool keeps working on another build of the
 * same program. A PATH with wildcards ("/usr/lib*\/libssl.so.*") is globbed
 * by the tool where it runs (runtime/user/uglob.c), each match a binary of
 * its own: the build host's matches, if it has some, only check the script. Parameters come from the ABI argument registers; the tool
 * names and types them from the target binary's DWARF (runtime/user/udwarf.c).
 *
 * process.library("LIB") names a library by its file name (shell
 * wildcards: "libpython3*.so*"), which the tool looks for where it runs
 * (runtime/user/ulib.c): the JVM's libjvm.so is wherever the target's JDK
 * is, never where the build host keeps one.
 */
#include "../stapc.h"
#include "../../runtime/user/uglob.h"
#include "../../runtime/user/usym.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What this provider keeps in dprobe->data. */
enum uprobe_kind { UP_FUNCTION, UP_PLT, UP_MARK, UP_BEGIN, UP_END, UP_STATEMENT };
struct uprobe_point {
	enum uprobe_kind kind;
	const char *path;    /* canonical, on the build host, or a glob the tool expands;
				NULL: the -c/-x target's binary */
	const char *lib;     /* process.library("LIB"): the file name the tool looks for */
	const char *pattern; /* function or mark name, with wildcards */
	bool is_return, is_call;
	int exe_slot;	     /* begin/end: its entry in stp_kg.stp_exe, the binary's identity */
	uint64_t params_used; /* bit N: its handler reads $NAME number N of program->uparams */
	bool return_reads_parms; /* a return reading $$parms or $NAME: its entry program keeps the registers */
};

static const char *kind_word[] = { [UP_FUNCTION] = "function", [UP_PLT] = "plt", [UP_MARK] = "mark",
				   [UP_BEGIN] = "begin", [UP_END] = "end", [UP_STATEMENT] = "statement" };

/*
 * The binary process("PATH") names, found on the build host (a name
 * without a slash on $PATH), or an error that says it is not installed
 * there: as stap, stapc reads a program's symbols and marks when it builds,
 * so the corpus and the user can tell a missing package from a bug.
 */
static char *find_program(const struct expr *where)
{
	char *found = usym_find_binary(where->str);
	if (!found)
		diag_error(&where->loc, "cannot find executable \"%s\"%s: its program is not installed "
					"on this build host",
			   where->str, strchr(where->str, '/') ? "" : " on $PATH");
	return found;
}

/*
 * process("PATH").begin and .end: the exec and the exit of a process
 * running PATH, on the scheduler's tracepoints, filtered in BPF by the
 * identity (device, inode) of the process's executable, which the tool
 * looks up on the target at start-up.
 */
static bool match_lifecycle(struct elab *e, struct dprobe *d, struct uprobe_point *up,
			    const struct expr *where)
{
	const struct probe_point *p = d->point;
	if (!where) {
		diag_error(&p->loc, "process.%s without a program is not supported: write "
				    "process(\"PATH\").%s",
			   kind_word[up->kind], kind_word[up->kind]);
		return false;
	}
	if (point_ncomps(p) != 2 || point_arg(p, 1)) {
		diag_error(&p->loc, "process(\"PATH\").%s takes no argument and no suffix",
			   kind_word[up->kind]);
		return false;
	}
	char *found = find_program(where);
	if (!found)
		return false;
	up->path = arena_strdup(found);
	free(found);
	up->pattern = "";
	up->exe_slot = -1;
	for (int i = 0; i < e->prog->exe_paths.len; i++)
		if (!strcmp(vec_at(&e->prog->exe_paths, i), up->path))
			up->exe_slot = i;
	if (up->exe_slot < 0) {
		up->exe_slot = e->prog->exe_paths.len;
		vec_push(&e->prog->exe_paths, (void *)up->path);
	}
	d->data = up;
	return true;
}

/* " (did you mean NAME?)" with the closest name the binary has, as stap hints, or "". */
static const char *hint(const struct uprobe_point *up, const struct usym_list *syms)
{
	struct vec names = { 0 };
	for (int i = 0; syms && i < syms->n; i++)
		vec_push(&names, syms->v[i].name);
	const char *near = did_you_mean(up->pattern, &names);
	return near ? arena_printf(" (did you mean %s?)", near) : "";
}

static enum usym_kind usym_kind_of(const struct uprobe_point *up)
{
	return up->kind == UP_PLT ? USYM_PLT : up->kind == UP_MARK ? USYM_MARKS : USYM_FUNCTIONS;
}

/* How many symbols of the point's kind in syms its pattern matches. */
static int count_matches(const struct uprobe_point *up, const struct usym_list *syms)
{
	int found = 0;
	for (int i = 0; i < syms->n; i++)
		if (up->kind == UP_MARK ? usym_mark_match(up->pattern, syms->v[i].name)
					: usym_match(up->pattern, syms->v[i].name))
			found++;
	return found;
}

/* The build host's copy: the pattern must match something, as in stap. */
static bool check_on_build_host(const struct probe_point *p, const struct uprobe_point *up,
				bool optional)
{
	struct usym_list syms;
	char err[256];
	if (usym_read(up->path, usym_kind_of(up), &syms, err, sizeof(err)) != 0) {
		diag_error(&p->loc, "%s", err);
		return false;
	}
	int found = count_matches(up, &syms);
	if (!found && !optional)
		diag_error(&p->loc, "no %s matches \"%s\" in %s%s", kind_word[up->kind], up->pattern,
			   up->path, hint(up, &syms));
	usym_free(&syms);
	return found > 0 || optional;
}

/*
 * The example scripts name libraries where Fedora keeps them
 * (/lib*\/libc.so.6); on a Debian build host only the multiarch folder has
 * them. Said once per pattern: a script names its library in many probes.
 * Heap copies, not arena strings: the fuzzer resets the arena.
 */
static void warn_multiarch(const struct expr *where, const char *path)
{
	static char *warned[16];
	size_t i = 0;
	while (i < ARRAY_SIZE(warned) && warned[i] && strcmp(warned[i], where->str))
		i++;
	if (i < ARRAY_SIZE(warned) && warned[i])
		return;
	if (i < ARRAY_SIZE(warned))
		warned[i] = strdup(where->str);
	diag_warning(&where->loc, "\"%s\" matches nothing here; using Debian's multiarch folder "
				  "instead (%s)",
		     where->str, path);
}

/*
 * A path the tool globs where it runs: one with wildcards, or one the build
 * host lacks (Fedora's /lib64/libc.so.6, which uglob.c also looks for in
 * Debian's multiarch folders). A name without a slash is a program on $PATH.
 */
static bool globbed_by_tool(const char *path)
{
	return strchr(path, '/') && (uglob_is_pattern(path) || access(path, F_OK) != 0);
}

/*
 * The build host's matches of a globbed path check the script's names,
 * but they are a sample of what the tool will find, not the files it will
 * probe (another distribution's build of the library has other symbols,
 * marks only where it was built with them): a name none of them has is a
 * warning; the tool looks again in each match it finds where it runs.
 */
static void check_glob_matches(const struct probe_point *p, const struct expr *where,
			       const struct uprobe_point *up, char **paths, int n)
{
	int found = 0;
	struct usym_list first = { 0 };
	for (int i = 0; i < n && !found; i++) {
		struct usym_list syms;
		char err[256];
		if (usym_read(paths[i], usym_kind_of(up), &syms, err, sizeof(err)) != 0)
			continue;
		found = count_matches(up, &syms);
		if (!first.v && !found)
			first = syms;
		else
			usym_free(&syms);
	}
	if (!found)
		diag_warning(&p->loc, "no %s matches \"%s\" in %s%s%s on this build host; the tool "
				      "looks again in what \"%s\" matches where it runs",
			     kind_word[up->kind], up->pattern, n > 1 ? "any of " : "",
			     n > 1 ? arena_printf("the %d files", n) : paths[0], hint(up, &first),
			     where->str);
	usym_free(&first);
}

/*
 * process("/usr/lib*\/libssl.so.*").function("f"): the point keeps the
 * pattern, which the tool expands at start-up (runtime/user/uglob.c) and
 * pp() names each match. The build host need not have any: a function by
 * name, a PLT entry, a mark and a statement are all resolved on the target.
 */
static bool match_glob(const struct probe_point *p, const struct expr *where,
		       struct uprobe_point *up, bool optional)
{
	char **paths;
	bool multiarch;
	int n = uglob_binaries(where->str, &paths, &multiarch);
	if (!n && !uglob_is_pattern(where->str)) {
		uglob_free(paths, n);
		free(find_program(where)); /* stap's error: a file named in full that is not there */
		return false;
	}
	up->path = where->str;
	if (!n && !optional)
		diag_warning(&where->loc, "no file matches \"%s\" on this build host: the tool looks "
					  "for it where it runs",
			     where->str);
	if (n && multiarch)
		warn_multiarch(where, paths[0]);
	if (n && up->kind != UP_STATEMENT && !optional)
		check_glob_matches(p, where, up, paths, n);
	uglob_free(paths, n);
	return true;
}

/*
 * process.library("LIB"): a library's file name, looked for by the tool
 * (runtime/user/ulib.c); with the -c/-x process, or on its own.
 */
static const char *library_name(const struct probe_point *p, const struct expr *where)
{
	const struct expr *lib = point_arg(p, 1);
	if (where) {
		diag_error(&where->loc, "process(\"PATH\").library() is not supported: write "
					"process.library(\"NAME\"), which the tool finds in the -c/-x "
					"process, or process(\"LIBRARY PATH\")");
		return NULL;
	}
	if (!lib || lib->kind != E_STRING || !*lib->str || strchr(lib->str, '/')) {
		diag_error(lib ? &lib->loc : &p->loc, "process.library() takes a library's file name "
						      "(\"libjvm.so\"), without a folder");
		return NULL;
	}
	if (point_ncomps(p) < 3) {
		diag_error(&p->loc, "process.library(\"%s\") needs .function(), .plt() or .mark()",
			   lib->str);
		return NULL;
	}
	return lib->str;
}

static bool match(struct elab *e, struct dprobe *d)
{
	const struct probe_point *p = d->point;
	int n = point_ncomps(p);
	if (n < 2 || !point_is(p, 0, "process"))
		return false;
	const struct expr *where = point_arg(p, 0);
	struct uprobe_point *up = arena_alloc(sizeof(*up));
	int kind_at = 1; /* the component that says function, mark ... */
	if (!strcmp(point_name(p, 1), "library")) {
		up->lib = library_name(p, where);
		if (!up->lib)
			return false;
		kind_at = 2;
	}
	const char *what = point_name(p, kind_at);
	const struct expr *arg = point_arg(p, kind_at);
	if (!strcmp(what, "function"))
		up->kind = UP_FUNCTION;
	else if (!strcmp(what, "plt"))
		up->kind = UP_PLT;
	else if (!strcmp(what, "mark"))
		up->kind = UP_MARK;
	else if (up->lib) {
		diag_error(&p->loc, "process.library(\"%s\") takes .function(), .plt() or .mark()",
			   up->lib);
		return false;
	} else if (!strcmp(what, "begin") || !strcmp(what, "end")) {
		up->kind = what[0] == 'b' ? UP_BEGIN : UP_END;
		if (where && where->kind != E_STRING) {
			diag_error(&where->loc, "process(PID) probes are not supported: write "
						"process(\"PATH\")");
			return false;
		}
		return match_lifecycle(e, d, up, where);
	} else if (!strcmp(what, "statement")) {
		up->kind = UP_STATEMENT;
	} else
		return false; /* process.begin/end and others: the tapset's */
	if (where && where->kind != E_STRING) {
		diag_error(&where->loc, "process(PID) probes are not supported: write process(\"PATH\"), "
					"or process.function(...) with -x PID");
		return false;
	}
	if (!arg && up->kind != UP_PLT) {
		diag_error(&p->loc, "process(...).%s needs a name: .%s(\"NAME\")", what, what);
		return false;
	}
	if (arg && arg->kind != E_STRING) {
		diag_error(&arg->loc, ".%s() takes a string", what);
		return false;
	}
	up->pattern = arg ? arg->str : "*";
	if (up->kind == UP_STATEMENT) {
		/* Resolved from the target's line table when the tool starts. */
		const char *at = strchr(up->pattern, '@'), *colon = strrchr(up->pattern, ':');
		char *end = NULL;
		if (!at || at == up->pattern || !colon || colon < at + 2 ||
		    strtol(colon + 1, &end, 10) <= 0 || *end || strpbrk(up->pattern, "*?[")) {
			diag_error(&arg->loc, "statement(\"%s\"): write statement(\"FUNCTION@FILE:LINE\") "
					      "with one line, no wildcards",
				   up->pattern);
			return false;
		}
		if (n > kind_at + 1 || up->lib) {
			diag_error(&p->loc, "process(...).statement() takes no suffix and no library");
			return false;
		}
	} else if (up->kind != UP_MARK && strchr(up->pattern, '@')) {
		diag_error(&arg->loc, "\"%s\": function@file patterns are not supported yet; name the "
				      "function alone", up->pattern);
		return false;
	}
	for (int i = kind_at + 1; i < n; i++) {
		const char *suffix = point_name(p, i);
		if (!strcmp(suffix, "return") && up->kind != UP_MARK && i == n - 1)
			up->is_return = true;
		else if (!strcmp(suffix, "call") && up->kind == UP_FUNCTION && i == n - 1)
			up->is_call = true;
		else if (!strcmp(suffix, "inline")) {
			diag_error(&p->loc, ".inline probes need the binary's DWARF inline instances, "
					    "which a tool cannot rely on at run time: probe a function that "
					    "is not inlined, with .call");
			return false;
		} else {
			diag_error(&p->loc, "process(...).%s() has no .%s", what, suffix);
			return false;
		}
	}
	if (where && globbed_by_tool(where->str)) {
		if (!match_glob(p, where, up, d->optional))
			return false;
	} else if (where) {
		char *found = find_program(where);
		if (!found)
			return false;
		up->path = arena_strdup(found);
		free(found);
		if (up->kind != UP_STATEMENT && !check_on_build_host(p, up, d->optional))
			return false;
	}
	d->data = up;
	return true;
}

static bool target(struct elab *e, struct dprobe *d, struct expr *x)
{
	struct uprobe_point *up = d->data;
	const char *name = x->name;
	if (up->kind == UP_BEGIN || up->kind == UP_END)
		return false;
	if (up->kind == UP_STATEMENT) {
		diag_error(&x->loc, "%s: target variables of statement probes are not supported yet: "
				    "probe the function's entry for its parameters", name);
		return true;
	}
	struct target_ref *r = arena_alloc(sizeof(*r));
	r->user = true;
	if (x->comps.len) {
		diag_error(&x->loc, "%s: ->field and [index] of user-space variables are not "
				    "supported yet; read memory with user_long(), user_int(), ...", name);
		x->type = VT_LONG;
		return true;
	}
	if (up->kind == UP_MARK) {
		int n = 0;
		if (!strncmp(name, "$arg", 4) && sscanf(name + 4, "%d", &n) == 1 && n >= 1 &&
		    n <= 12 && !strcmp(name + 4, arena_printf("%d", n))) {
			r->base = TREF_USDT_ARG;
			r->index = n - 1;
			x->target = r;
			x->type = VT_LONG;
			return true;
		}
		return false;
	}
	if (!strcmp(name, "$$parms") || !strcmp(name, "$$vars") || !strcmp(name, "$$return") ||
	    !strcmp(name, "$$locals")) {
		/* In a return, the values they had at the entry, as stap prints them. */
		if (up->is_return && strcmp(name, "$$return"))
			up->return_reads_parms = true;
		if (!up->is_return && !strcmp(name, "$$return"))
			return false;
		x->type = VT_STRING;
		return true;
	}
	if (!strcmp(name, "$return")) {
		if (!up->is_return)
			return false;
		r->base = TREF_URETVAL;
		x->target = r;
		x->type = VT_LONG;
		return true;
	}
	/* In a return, a parameter is its value at the entry (stap's snapshot). */
	if (up->is_return && !e->in_entry)
		up->return_reads_parms = true;
	/* A named parameter: which register holds it is decided by the tool, per site. */
	r->base = TREF_UPARAM;
	r->index = -1;
	const char *pname = intern(name + 1);
	for (int i = 0; i < e->prog->uparams.len; i++)
		if (vec_at(&e->prog->uparams, i) == pname)
			r->index = i;
	if (r->index < 0) {
		if (e->prog->uparams.len == 64) {
			diag_error(&x->loc, "more than 64 named user-space parameters in one script");
			return true;
		}
		r->index = e->prog->uparams.len;
		vec_push(&e->prog->uparams, (void *)pname);
	}
	up->params_used |= 1ULL << r->index;
	x->target = r;
	x->type = VT_LONG;
	return true;
}

static void vars(struct elab *e, const struct dprobe *d, struct vec *out)
{
	(void)e;
	const struct uprobe_point *up = d->data;
	if (up->kind == UP_BEGIN || up->kind == UP_END)
		return;
	if (up->kind == UP_MARK) {
		vec_push(out, "$arg1..$arg12:long");
		return;
	}
	vec_push(out, up->is_return ? "$return:long" : "$PARAM:long (named from DWARF)");
	vec_push(out, up->is_return ? "$$return:string" : "$$parms:string");
}

static int variants(const struct dprobe *d, struct variant *out, int max)
{
	const struct uprobe_point *up = d->data;
	if (max < 1)
		return 0;
	/* What a site's pp() ends with in the tool: the suffix the script wrote. */
	const char *usuffix = up->is_return ? ".return" : up->is_call ? ".call" : "";
	if (up->kind == UP_BEGIN || up->kind == UP_END) {
		const char *same_exe = arena_printf("stp_exe_is(stp_kg.stp_exe[%d].dev, "
						    "stp_kg.stp_exe[%d].ino)",
						    up->exe_slot, up->exe_slot);
		const char *event = up->kind == UP_BEGIN ? "sched_process_exec" : "sched_process_exit";
		out[0] = (struct variant){
			.section = attach_kind_section(STP_ATTACH_TP_BTF, event),
			.attach = STP_ATTACH_TP_BTF,
			.target = event,
			.args = ARGS_CTX_ARRAY,
			/* .end: when the last thread of the process exits. */
			.filter = up->kind == UP_BEGIN ? same_exe
						       : arena_printf("%s && stp_group_dead()", same_exe),
			.usuffix = usuffix,
			.uparams_used = up->params_used,
		};
		return 1;
	}
	static const char *const ukind[] = { [UP_FUNCTION] = "STP_U_FUNCTION", [UP_PLT] = "STP_U_PLT",
					     [UP_MARK] = "STP_U_MARK",
					     [UP_STATEMENT] = "STP_U_STATEMENT" };
	enum stp_attach attach = up->kind == UP_MARK ? STP_ATTACH_USDT
				 : up->is_return     ? STP_ATTACH_URETPROBE
						     : STP_ATTACH_UPROBE;
	out[0] = (struct variant){
		.section = attach_kind_section(attach, NULL),
		.attach = attach,
		/* The runtime tells them apart: a path starts with '/', a library's name not. */
		.target = up->lib ? up->lib : up->path ? up->path : "",
		.func = up->pattern,
		.ukind = ukind[up->kind],
		.usuffix = usuffix,
		.uparams_used = up->params_used,
		.args = ARGS_PT_REGS,
		/*
		 * libbpf 1.1 has no BPF_UPROBE: BPF_KPROBE types the same
		 * pt_regs (it names no argument: the handler reads registers).
		 */
		.ctx_macro = attach == STP_ATTACH_USDT ? "BPF_USDT"
			     : up->is_return		? "BPF_KRETPROBE"
							: "BPF_KPROBE",
		.is_return = up->is_return,
		.entry_stash = up->is_return && up->return_reads_parms,
	};
	return 1;
}

/* A uretprobe's entry: a uprobe the tool attaches to the same sites, with the same cookies. */
static bool entry_of(const struct dprobe *d, struct variant *ev)
{
	(void)d;
	if (ev->attach != STP_ATTACH_URETPROBE)
		return false;
	ev->attach = STP_ATTACH_UPROBE;
	ev->section = attach_kind_section(ev->attach, NULL);
	return true;
}

static void print(struct strbuf *out, const struct dprobe *d)
{
	const struct uprobe_point *up = d->data;
	if (up->path)
		sb_printf(out, "process(\"%s\")", up->path);
	else
		sb_puts(out, "process");
	if (up->lib)
		sb_printf(out, ".library(\"%s\")", up->lib);
	if (up->kind == UP_BEGIN || up->kind == UP_END)
		sb_printf(out, ".%s", kind_word[up->kind]);
	else
		sb_printf(out, ".%s(\"%s\")%s", kind_word[up->kind], up->pattern,
			  up->is_return ? ".return" : up->is_call ? ".call" : "");
}

/* -l/-L: the names path offers for the point's kind, each under the path, as stap lists them. */
static void list_binary(const struct probe_point *pattern, const char *path, struct vec *out)
{
	static const struct {
		const char *word;
		enum usym_kind kind;
	} kinds[] = { { "function", USYM_FUNCTIONS }, { "plt", USYM_PLT }, { "mark", USYM_MARKS } };
	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
		if (!point_match(point_name(pattern, 1), kinds[k].word))
			continue;
		const struct expr *arg = point_arg(pattern, 1);
		const char *pat = arg && arg->kind == E_STRING ? arg->str : "*";
		struct usym_list syms;
		char err[256];
		if (usym_read(path, kinds[k].kind, &syms, err, sizeof(err)) != 0)
			continue;
		for (int i = 0; i < syms.n; i++) {
			bool ok = kinds[k].kind == USYM_MARKS ? usym_mark_match(pat, syms.v[i].name)
							      : usym_match(pat, syms.v[i].name);
			if (ok)
				vec_push(out, (void *)arena_printf("process(\"%s\").%s(\"%s\")", path,
								   kinds[k].word, syms.v[i].name));
		}
		usym_free(&syms);
	}
}

/* A path with wildcards lists each match of the build host. */
static void list(struct elab *e, const struct probe_point *pattern, struct vec *out)
{
	(void)e;
	if (point_ncomps(pattern) < 2 || !point_match(point_name(pattern, 0), "process"))
		return;
	const struct expr *where = point_arg(pattern, 0);
	if (!where || where->kind != E_STRING)
		return;
	if (globbed_by_tool(where->str)) {
		char **paths;
		bool multiarch;
		int n = uglob_binaries(where->str, &paths, &multiarch);
		for (int i = 0; i < n; i++)
			list_binary(pattern, paths[i], out);
		uglob_free(paths, n);
		return;
	}
	char *path = usym_find_binary(where->str);
	if (path)
		list_binary(pattern, path, out);
	free(path);
}

/*
 * process("/usr/bin/py*").begin and .end: the tool watches the identity
 * (device, inode) of each executable, a number of them fixed here, so a
 * glob is expanded on the build host, each match a probe of its own.
 */
static void expand(struct elab *e, const struct probe_point *p, const struct stmt *body,
		   const struct expr *cond, struct vec *out)
{
	(void)e, (void)body, (void)cond;
	if (point_ncomps(p) != 2 || !point_is(p, 0, "process") ||
	    (strcmp(point_name(p, 1), "begin") && strcmp(point_name(p, 1), "end")))
		return;
	const struct expr *where = point_arg(p, 0);
	if (!where || where->kind != E_STRING || !globbed_by_tool(where->str))
		return;
	char **paths;
	bool multiarch;
	int n = uglob_binaries(where->str, &paths, &multiarch);
	if (n && multiarch)
		warn_multiarch(where, paths[0]);
	for (int k = 0; k < n; k++)
		vec_push(out, point_with_arg(p, 0, arena_strdup(paths[k])));
	uglob_free(paths, n); /* none: match() says that nothing is there */
}

const struct provider provider_process = {
	.name = "process",
	.match = match,
	.expand = expand,
	.target = target,
	.vars = vars,
	.variants = variants,
	.entry_of = entry_of,
	.print = print,
	.list = list,
};
