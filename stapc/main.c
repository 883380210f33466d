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
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* -v: what the pass did and its wall time since *t0, which restarts the clock. */
static void pass_time(const struct session *s, int pass, const char *what, double *t0)
{
	double t = now_ms();
	if (s->verbose)
		fprintf(stderr, "Pass %d: %s in %.1f ms\n", pass, what, t - *t0);
	*t0 = t;
}

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
	char canon[PATH_MAX];
	/* /usr/share/stapc, not /usr/bin/../share/stapc, in messages and tools. */
	if (is_dir(arena_printf("%s/tapset", installed)))
		return realpath(installed, canon) ? arena_strdup(canon) : installed;
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
	else
		source_set_script(f);
	return f;
}

/* The tool's name: -o's file name, else the script's, without ".stp". */
static const char *tool_name(const struct options *o, const struct source_file *script)
{
	const char *path = o->output ? o->output : script->name;
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t n = strlen(base);
	if (n > 4 && !strcmp(base + n - 4, ".stp"))
		n -= 4;
	if (!n || base[0] == '<')
		return "stap";
	return arena_strndup(base, n);
}

static bool write_sources(const char *dir, const struct translation *t)
{
	if (mkdir_p(dir) != 0)
		return false;
	bool ok = write_file(arena_printf("%s/%s.c", dir, t->name), t->user_c, strlen(t->user_c)) &&
		  write_file(arena_printf("%s/%s.stp.h", dir, t->name), t->header, strlen(t->header)) &&
		  write_file(arena_printf("%s/%s.1", dir, t->name), t->man_page, strlen(t->man_page)) &&
		  write_file(arena_printf("%s/%s.manifest.json", dir, t->name), t->manifest,
			     strlen(t->manifest));
	if (t->has_bpf)
		ok = ok && write_file(arena_printf("%s/%s.bpf.c", dir, t->name), t->bpf_c,
				      strlen(t->bpf_c));
	if (t->has_kmod)
		ok = ok && write_file(arena_printf("%s/%s.kmod.c", dir, t->name), t->kmod_c,
				      strlen(t->kmod_c));
	return ok;
}

/* The build folder of a translation: the same sources build once. */
static const char *build_dir(struct session *s, const struct translation *t)
{
	uint64_t h = hash_bytes64(STAPC_VERSION, strlen(STAPC_VERSION), 0);
	uint64_t f = build_fingerprint(s);
	h = hash_bytes64(&f, sizeof(f), h);
	h = hash_bytes64(t->bpf_c, strlen(t->bpf_c), h);
	h = hash_bytes64(t->kmod_c, strlen(t->kmod_c), h);
	for (int i = 0; t->has_kmod && i < s->kernels.len; i++) {
		const char *k = vec_at(&s->kernels, i);
		h = hash_bytes64(k, strlen(k) + 1, h);
	}
	h = hash_bytes64(t->header, strlen(t->header), h);
	h = hash_bytes64(t->user_c, strlen(t->user_c), h);
	h = hash_bytes64(t->manifest, strlen(t->manifest), h);
	const char *cache = cache_dir();
	return cache ? arena_printf("%s/build/%016llx", cache, (unsigned long long)h) : NULL;
}

/* Pass 5: the tool replaces stapc, with the run-time options passed on. */
static int run_tool(const char *tool, const struct session *s, const struct options *o)
{
	struct vec argv = { 0 };
	vec_push(&argv, (void *)tool);
	for (int i = 0; i < s->verbose; i++)
		vec_push(&argv, "-v");
	if (o->timeout)
		vec_push(&argv, (void *)arena_printf("-T%ld", o->timeout));
	if (o->command) {
		vec_push(&argv, "-c");
		vec_push(&argv, (void *)o->command);
	}
	if (o->target_pid)
		vec_push(&argv, (void *)arena_printf("-x%d", o->target_pid));
	for (int i = 0; i < o->global_inits.len; i++) {
		vec_push(&argv, "-G");
		vec_push(&argv, vec_at(&o->global_inits, i));
	}
	vec_push(&argv, NULL);
	fflush(stdout);
	execv(tool, (char **)argv.data);
	fprintf(stderr, "stapc: cannot run %s: %s\n", tool, strerror(errno));
	return 1;
}

static int translate_build_run(struct session *s, struct options *o, struct program *prog,
			       const struct source_file *script)
{
	/* Pass 3: translate. */
	double t0 = now_ms();
	struct translation *t = translate(s, prog, tool_name(o, script), script);
	if (end_of_pass() || !t)
		return 1;
	pass_time(s, 3, "translated", &t0);
	if (s->last_pass == 3) {
		if (o->output) {
			if (!write_sources(o->output, t)) {
				fprintf(stderr, "stapc: cannot write into %s: %s\n", o->output,
					strerror(errno));
				return 1;
			}
			return 0;
		}
		printf("/* ---- %s.stp.h */\n%s\n/* ---- %s.c */\n%s", t->name, t->header, t->name,
		       t->user_c);
		if (t->has_bpf)
			printf("\n/* ---- %s.bpf.c */\n%s", t->name, t->bpf_c);
		if (t->has_kmod)
			printf("\n/* ---- %s.kmod.c */\n%s", t->name, t->kmod_c);
		return 0;
	}
	/* Pass 4: build, or find it built already. */
	const char *dir = build_dir(s, t);
	if (!dir) {
		end_of_pass();
		return 1;
	}
	const char *cached = arena_printf("%s/%s", dir, t->name);
	if (cache_file_trusted(cached)) {
		cache_touch(dir);
		pass_time(s, 4, "found built in the cache", &t0);
	} else {
		/* Missing, or not ours alone: built anew, never run as found. */
		unlink(cached);
		if (!write_sources(dir, t)) {
			fprintf(stderr, "stapc: cannot write into %s: %s\n", dir, strerror(errno));
			return 1;
		}
		bool built = build_tool(s, dir, t, cached);
		if (end_of_pass() || !built)
			return 1;
		cache_trim(dir);
		pass_time(s, 4, "built", &t0);
	}
	if (o->output) {
		/* A copy, not a link: the tool leaves this machine. */
		size_t len;
		char *bin = read_file(cached, &len);
		if (!bin || !write_file_mode(o->output, bin, len, 0755)) {
			fprintf(stderr, "stapc: cannot write the tool to %s: %s\n", o->output,
				strerror(errno));
			return 1;
		}
	}
	/* --sign: the copy that leaves (or, run from the cache, the cached one). */
	if (sign_req.sign_key && !sign_tool(o->output ? o->output : cached))
		return 1;
	if (s->last_pass == 4 || o->output) {
		if (!o->output)
			printf("%s\n", cached);
		return 0;
	}
	/* Pass 5: run. */
	return run_tool(cached, s, o);
}

static int run_pipeline(struct session *s, struct options *o)
{
	if (o->list_pattern)
		return list_probes(s, o->list_pattern, o->list_vars);
	if (o->output && o->script_file && same_file(o->output, o->script_file)) {
		fprintf(stderr, "stapc: -o %s names the script itself: the tool would replace it\n",
			o->output);
		return 1;
	}
	struct source_file *script = load_script(o);
	if (!script)
		return 1;
	script->is_guru_ok = s->guru;

	/* Pass 1: parse. */
	double t0 = now_ms();
	struct stapfile *sf = parse_file(s, script);
	parse_check_not_empty(sf);
	vec_push(&s->files, sf);
	if (end_of_pass())
		return 1;
	pass_time(s, 1, "parsed", &t0);
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
	bool chosen = backend_choose(s, prog);
	if (end_of_pass() || !chosen)
		return 1;
	pass_time(s, 2, "elaborated", &t0);
	if (s->last_pass == 2) {
		struct strbuf out = { 0 };
		backend_dump(&out, s);
		dump_program(&out, prog);
		fwrite(out.buf, 1, out.len, stdout);
		sb_free(&out);
		return 0;
	}
	return translate_build_run(s, o, prog, script);
}

int main(int argc, char **argv)
{
	struct session s = { 0 };
	struct options o = { 0 };
	target_init_host(&s.target);
	s.last_pass = 5;
	diag_color = isatty(STDERR_FILENO) && !getenv("NO_COLOR");
	int rc = sign_command(argc, argv); /* stapc keygen|sign|verify ... */
	if (rc >= 0)
		return rc;
	options_parse(&s, &o, argc, argv);
	if (!sign_load_trust())
		return 1;
	diag_no_warnings = o.no_warnings;
	diag_werror = o.warnings_are_errors;
	s.defines = o.defines;
	/* A tool built without arguments reads them when it runs. */
	s.defer_args = o.output && s.last_pass >= 3 && s.args.len == 0;
	setup_include_dirs(&s, &o);
	rc = run_pipeline(&s, &o);
	fflush(stdout);
	kbtf_release();
	kdwarf_release();
	arena_reset();
	return rc;
}
