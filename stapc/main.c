// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * main.c - the driver: options, then the passes in stap's order.
 *
 *   1 parse      script text -> syntax tree          (-p1 prints it)
 *   2 elaborate  tree -> resolved, typed program     (-p2)
 *   3 translate  program -> NAME.bpf.c, NAME.c       (-p3)
 *   4 build      generated C -> one static tool      (-p4)
 *   5 run        exec the tool
 *
 * Diagnostics are printed between passes; a pass with errors stops here.
 */
#include "stapc.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Prints what the pass recorded; true if the pipeline must stop. */
static bool end_of_pass(void)
{
	diag_flush(stderr);
	return diag_error_count() > 0;
}

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * The tapset library: $STAPC_DATADIR/tapset, else next to the binary
 * (PREFIX/bin/stapc -> PREFIX/share/stapc/tapset; build/stapc -> tapset/).
 */
static const char *find_datadir(void)
{
	const char *env = getenv("STAPC_DATADIR");
	if (env && *env)
		return env;
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = 0;
	char *slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = 0;
	const char *installed = arena_printf("%s/../share/stapc", exe);
	if (is_dir(arena_printf("%s/tapset", installed)))
		return installed;
	/* Run from a source tree (build/stapc, build/asan/stapc): walk up. */
	for (;;) {
		if (is_dir(arena_printf("%s/tapset", exe)) && is_dir(arena_printf("%s/stapc", exe)))
			return arena_strdup(exe);
		slash = strrchr(exe, '/');
		if (!slash || slash == exe)
			return NULL;
		*slash = 0;
	}
}

static void setup_include_dirs(struct session *s, struct options *o)
{
	/* -I directories come first, as with stap. */
	for (int i = 0; i < o->include_dirs.len; i++)
		vec_push(&s->include_dirs, vec_at(&o->include_dirs, i));
	const char *datadir = find_datadir();
	if (datadir)
		vec_push(&s->include_dirs, arena_printf("%s/tapset", datadir));
}

static struct source_file *load_script(struct options *o)
{
	if (o->script_text)
		return source_add("<input>", o->script_text, strlen(o->script_text));
	if (!strcmp(o->script_file, "-")) {
		size_t len;
		char *text = read_file("/dev/stdin", &len);
		if (!text) {
			fprintf(stderr, "stapc: cannot read the script from stdin: %s\n", strerror(errno));
			return NULL;
		}
		return source_add("<input>", text, len);
	}
	if (is_dir(o->script_file)) {
		fprintf(stderr, "stapc: %s is a directory, not a script\n", o->script_file);
		return NULL;
	}
	struct source_file *f = source_load(o->script_file);
	if (!f)
		fprintf(stderr, "stapc: cannot read script %s: %s\n", o->script_file, strerror(errno));
	return f;
}

static int run_pipeline(struct session *s, struct options *o)
{
	if (o->list_pattern)
		return list_probes(s, o->list_pattern, o->list_vars);
	struct source_file *script = load_script(o);
	if (!script)
		return 1;
	script->is_guru_ok = s->guru;

	/* Pass 1: parse. */
	vec_push(&s->files, parse_file(s, script));
	if (end_of_pass())
		return 1;
	if (s->last_pass == 1) {
		struct strbuf out = { 0 };
		sb_puts(&out, "# parse tree dump\n");
		for (int i = 0; i < s->files.len; i++)
			dump_file(&out, vec_at(&s->files, i));
		fwrite(out.buf, 1, out.len, stdout);
		sb_free(&out);
		return 0;
	}
	/* Pass 2: elaborate. */
	struct program *prog = elab_program(s);
	if (end_of_pass() || !prog)
		return 1;
	if (s->last_pass == 2) {
		struct strbuf out = { 0 };
		dump_program(&out, prog);
		fwrite(out.buf, 1, out.len, stdout);
		sb_free(&out);
		return 0;
	}
	fprintf(stderr, "stapc: pass %d is not implemented yet; use -p2\n", 3);
	return 1;
}

int main(int argc, char **argv)
{
	struct session s = { 0 };
	struct options o = { 0 };
	target_init_host(&s.target);
	s.last_pass = 5;
	diag_color = isatty(STDERR_FILENO) && !getenv("NO_COLOR");
	options_parse(&s, &o, argc, argv);
	diag_no_warnings = o.no_warnings;
	setup_include_dirs(&s, &o);
	int rc = run_pipeline(&s, &o);
	fflush(stdout);
	arena_reset();
	return rc;
}
