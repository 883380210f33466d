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
 * same program. Parameters come from the ABI argument registers; the tool
 * names and types them from the target binary's DWARF (runtime/user/udwarf.c).
 *
 * process.library("LIB") names a library by its file name (shell
 * wildcards: "libpython3*.so*"), which the tool looks for where it runs
 * (runtime/user/ulib.c): the JVM's libjvm.so is wherever the target's JDK
 * is, never where the build host keeps one.
 */
#include "../stapc.h"
#include "../../runtime/user/usym.h"

#include <elf.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What this provider keeps in dprobe->data. */
enum uprobe_kind { UP_FUNCTION, UP_PLT, UP_MARK, UP_BEGIN, UP_END, UP_STATEMENT };
struct uprobe_point {
	enum uprobe_kind kind;
	const char *path;    /* canonical, on the build host; NULL: the -c/-x target's binary */
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

/* "no match" with the closest names the binary has, as stap hints. */
static void no_match(const struct probe_point *p, const struct uprobe_point *up,
		     const struct usym_list *syms)
{
	struct vec names = { 0 };
	for (int i = 0; i < syms->n; i++)
		vec_push(&names, syms->v[i].name);
	const char *hint = did_you_mean(up->pattern, &names);
	diag_error(&p->loc, "no %s matches \"%s\" in %s%s%s%s", kind_word[up->kind], up->pattern,
		   up->path, hint ? " (did you mean " : "", hint ? hint : "", hint ? "?)" : "");
}

/* The build host's copy: the pattern must match something, as in stap. */
static bool check_on_build_host(const struct probe_point *p, const struct uprobe_point *up,
				bool optional)
{
	struct usym_list syms;
	char err[256];
	enum usym_kind k = up->kind == UP_PLT ? USYM_PLT : up->kind == UP_MARK ? USYM_MARKS
										  : USYM_FUNCTIONS;
	if (usym_read(up->path, k, &syms, err, sizeof(err)) != 0) {
		diag_error(&p->loc, "%s", err);
		return false;
	}
	int found = 0;
	for (int i = 0; i < syms.n; i++)
		if (up->kind == UP_MARK ? usym_mark_match(up->pattern, syms.v[i].name)
					: usym_match(up->pattern, syms.v[i].name))
			found++;
	if (!found && !optional)
		no_match(p, up, &syms);
	usym_free(&syms);
	return found > 0 || optional;
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
	if (where) {
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

static void list(struct elab *e, const struct probe_point *pattern, struct vec *out)
{
	(void)e;
	if (point_ncomps(pattern) < 2 || !point_match(point_name(pattern, 0), "process"))
		return;
	const struct expr *where = point_arg(pattern, 0);
	if (!where || where->kind != E_STRING)
		return;
	char *path = usym_find_binary(where->str);
	if (!path)
		return;
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
	free(path);
}

/* ------------------------------------------------ paths with wildcards */

#if defined(__x86_64__)
#define HOST_MACHINE EM_X86_64
#define MULTIARCH "x86_64-linux-gnu"
#elif defined(__aarch64__)
#define HOST_MACHINE EM_AARCH64
#define MULTIARCH "aarch64-linux-gnu"
#endif

/* A 64-bit ELF file of this machine's kind: /lib32's libc is not a match. */
static bool native_elf(const char *path)
{
	Elf64_Ehdr eh;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	bool ok = read(fd, &eh, sizeof(eh)) == (ssize_t)sizeof(eh) &&
		  !memcmp(eh.e_ident, ELFMAG, SELFMAG) && eh.e_ident[EI_CLASS] == ELFCLASS64;
#ifdef HOST_MACHINE
	ok = ok && eh.e_machine == HOST_MACHINE;
#endif
	close(fd);
	return ok;
}

/* Adds the real paths of the native ELF files pattern matches, once each. */
static void glob_binaries(const char *pattern, struct vec *paths)
{
	glob_t g;
	if (glob(pattern, 0, NULL, &g) != 0)
		return;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		char *real = usym_find_binary(g.gl_pathv[i]);
		if (!real)
			continue;
		bool seen = false;
		for (int j = 0; j < paths->len && !seen; j++)
			seen = !strcmp(vec_at(paths, j), real);
		if (!seen && native_elf(real))
			vec_push(paths, (void *)arena_strdup(real));
		free(real);
	}
	globfree(&g);
}

/*
 * The example scripts name libraries where Fedora keeps them
 * (/lib*\/libc.so.6, /lib64/libc.so.6); Debian keeps them in its multiarch
 * folders. A library folder that holds no match is looked up there too.
 */
static const char *multiarch_variant(const char *pattern, struct vec *paths)
{
#ifdef MULTIARCH
	const char *slash = strrchr(pattern, '/');
	/* A file name of its own is wanted: a name that starts with * would take the whole folder. */
	if (!slash || slash[1] == '*')
		return NULL;
	const char *lib = !strncmp(pattern, "/usr/lib", 8) ? pattern + 8
			  : !strncmp(pattern, "/lib", 4)   ? pattern + 4
							   : NULL;
	/* Only a top library folder: /lib, /lib64, /usr/lib*, not /usr/lib/foo/. */
	if (!lib || memchr(lib, '/', (size_t)(slash - lib)))
		return NULL;
	const char *dirs[] = { "/usr/lib/" MULTIARCH, "/lib/" MULTIARCH };
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		glob_binaries(arena_printf("%s%s", dirs[i], slash), paths);
	return paths->len ? "/usr/lib/" MULTIARCH : NULL;
#else
	(void)pattern, (void)paths;
	return NULL;
#endif
}

static bool has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/*
 * process("/usr/lib*\/libssl.so.*"): as stap, the path is a glob, matched on
 * the build host; each matching binary is a probe of its own. A library
 * path that matches nothing is looked for in the multiarch folders.
 */
static void expand(struct elab *e, const struct probe_point *p, const struct stmt *body,
		   const struct expr *cond, struct vec *out)
{
	(void)e, (void)body, (void)cond;
	const struct expr *where =
	    point_ncomps(p) >= 2 && point_is(p, 0, "process") ? point_arg(p, 0) : NULL;
	if (!where || where->kind != E_STRING || !strchr(where->str, '/'))
		return;
	struct vec paths = { 0 };
	bool glob_pattern = has_glob(where->str);
	if (glob_pattern)
		glob_binaries(where->str, &paths);
	else if (access(where->str, F_OK) == 0)
		return; /* a plain path that is there: match() takes it */
	if (!paths.len) {
		const char *dir = multiarch_variant(where->str, &paths);
		if (!dir)
			return; /* match() says that nothing is there */
		/*
		 * Once per pattern: a script names its library in many probes.
		 * Heap copies, not arena strings: the fuzzer resets the arena.
		 */
		static char *warned[16];
		size_t i = 0;
		while (i < ARRAY_SIZE(warned) && warned[i] && strcmp(warned[i], where->str))
			i++;
		if (i == ARRAY_SIZE(warned) || !warned[i]) {
			if (i < ARRAY_SIZE(warned))
				warned[i] = strdup(where->str);
			diag_warning(&where->loc, "\"%s\" matches nothing here; using Debian's "
						  "multiarch folder instead (%s)",
				     where->str, (const char *)vec_at(&paths, 0));
		}
	}
	for (int k = 0; k < paths.len; k++)
		vec_push(out, point_with_arg(p, 0, vec_at(&paths, k)));
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
