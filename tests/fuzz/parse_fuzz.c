// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * parse_fuzz.c - libFuzzer target over the whole front and middle of the
 * compiler: lexer, preprocessor, parser and the -p1 printer, then, for an
 * input that parses, elaboration against the tapset library (-p2 and its
 * printer) and translation to C (-p3: placement, the BPF and tool code).
 * Each input is one script; a crash, a hang, a leak or a sanitizer report
 * is a bug (and becomes a file in tests/fuzz/regressions/).
 *
 *   make fuzz && tests/fuzz/run [SECONDS]    (seeds a corpus, then fuzzes)
 *
 * An input starting with '%' is compiled as a tapset (embedded C allowed);
 * one starting with '#p1' stops after pass 1, which runs ~50 times faster.
 */
#include "stapc.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;
static char tapset_dir[PATH_MAX];

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The source tree's tapset/: $STAPC_DATADIR/tapset, else up from the binary. */
static void find_tapsets(void)
{
	const char *env = getenv("STAPC_DATADIR");
	if (env && *env) {
		snprintf(tapset_dir, sizeof(tapset_dir), "%s/tapset", env);
		return;
	}
	char dir[PATH_MAX], probe[PATH_MAX + 16];
	ssize_t n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
	if (n <= 0)
		return;
	dir[n] = 0;
	for (char *slash; (slash = strrchr(dir, '/')) && slash != dir;) {
		*slash = 0;
		snprintf(probe, sizeof(probe), "%s/stapc", dir);
		if (!is_dir(probe))
			continue;
		snprintf(tapset_dir, sizeof(tapset_dir), "%s/tapset", dir);
		if (is_dir(tapset_dir))
			return;
	}
	tapset_dir[0] = 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	devnull = fopen("/dev/null", "w");
	find_tapsets();
	if (!tapset_dir[0])
		fprintf(stderr, "parse_fuzz: no tapset/ found: set STAPC_DATADIR\n");
	return 0;
}

/* Passes 2 and 3, as `stapc -p3` runs them, output thrown away. */
static void elaborate_translate(struct session *s, struct source_file *f)
{
	struct program *prog = elab_program(s);
	if (!prog || diag_error_count())
		return;
	struct strbuf out = { 0 };
	dump_program(&out, prog);
	sb_free(&out);
	translate(s, prog, "fuzz", f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct session s = { 0 };
	target_init_host(&s.target);
	s.last_pass = size >= 3 && !memcmp(data, "#p1", 3) ? 1 : 3;
	/* Two script arguments, so $1/@2 paths are exercised too. */
	vec_push(&s.args, "begin");
	vec_push(&s.args, "x + 1");
	if (tapset_dir[0])
		vec_push(&s.include_dirs, tapset_dir);
	char *text = arena_strndup((const char *)data, size);
	struct source_file *f = source_add("fuzz.stp", text, size);
	f->is_tapset = size && data[0] == '%'; /* sometimes allow embedded C */
	f->is_guru_ok = f->is_tapset;
	s.guru = f->is_tapset;
	struct stapfile *sf = parse_file(&s, f);
	vec_push(&s.files, sf);
	struct strbuf out = { 0 };
	dump_file(&out, sf);
	sb_free(&out);
	if (!diag_error_count() && s.last_pass >= 2)
		elaborate_translate(&s, f);
	diag_flush(devnull);
	diag_reset();
	place_reset();
	arena_reset();
	return 0;
}
