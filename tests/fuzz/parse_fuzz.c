// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * parse_fuzz.c - libFuzzer target over the lexer, preprocessor, parser and
 * the -p1 printer. Each input is one script; a crash, a hang, a leak or a
 * sanitizer report is a bug (and becomes a tests/cases/p1/ko case).
 *
 *   make fuzz && build/fuzz/parse_fuzz -max_total_time=900 CORPUS_DIR
 */
#include "stapc.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	struct session s = { 0 };
	target_init_host(&s.target);
	/* Two script arguments, so $1/@2 paths are exercised too. */
	vec_push(&s.args, "begin");
	vec_push(&s.args, "x + 1");
	char *text = arena_strndup((const char *)data, size);
	struct source_file *f = source_add("fuzz.stp", text, size);
	f->is_tapset = size && data[0] == '%'; /* sometimes allow embedded C */
	struct stapfile *sf = parse_file(&s, f);
	struct strbuf out = { 0 };
	dump_file(&out, sf);
	sb_free(&out);
	diag_flush(devnull);
	diag_reset();
	arena_reset();
	return 0;
}
