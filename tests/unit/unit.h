/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * unit.h - the small harness of the runtime's unit tests.
 *
 * A test program is a table of named areas; `test_x AREA...` runs those
 * (tests/runtime_format.bats runs one area per @test), no argument runs
 * all. Checks compare bytes exactly and print both sides with escapes, so
 * a NUL or a missing space shows. The exit status is 1 if a check failed.
 */
#ifndef UNIT_H
#define UNIT_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct unit_area {
	const char *name;
	void (*run)(void);
};

static int unit_checks, unit_failures;

static inline void unit_show(const char *p, size_t n)
{
	putchar('"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c >= ' ' && c <= '~')
			putchar(c);
		else
			printf("\\x%02x", c);
	}
	printf("\" (%zu bytes)\n", n);
}

static inline void unit_fail(const char *file, int line, const char *what)
{
	unit_failures++;
	printf("%s:%d: FAILED: %s\n", file, line, what);
}

static inline void unit_expect_mem(const char *file, int line, const char *what, const char *got,
				   size_t got_len, const char *want, size_t want_len)
{
	unit_checks++;
	if (got_len == want_len && (!want_len || memcmp(got, want, want_len) == 0))
		return;
	unit_fail(file, line, what);
	fputs("    want ", stdout);
	unit_show(want, want_len);
	fputs("    got  ", stdout);
	unit_show(got ? got : "", got ? got_len : 0);
}

static inline void unit_expect_int(const char *file, int line, const char *what, int64_t got,
				   int64_t want)
{
	unit_checks++;
	if (got == want)
		return;
	unit_fail(file, line, what);
	printf("    want %" PRId64 "\n    got  %" PRId64 "\n", want, got);
}

/* Bytes against a string literal, whose NULs count. */
#define EXPECT_BYTES(got, got_len, lit)                                                           \
	unit_expect_mem(__FILE__, __LINE__, #got, (got), (got_len), (lit), sizeof(lit) - 1)
#define EXPECT_INT(got, want)                                                                      \
	unit_expect_int(__FILE__, __LINE__, #got " == " #want, (int64_t)(got), (int64_t)(want))

static inline int unit_main(int argc, char **argv, const struct unit_area *areas, size_t n)
{
	int ran = 0;

	/* Keep what was printed if a sanitizer aborts the run. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; i < n; i++) {
		int wanted = argc < 2;
		for (int a = 1; a < argc; a++)
			wanted |= strcmp(argv[a], areas[i].name) == 0;
		if (!wanted)
			continue;
		int before = unit_failures, checks = unit_checks;
		areas[i].run();
		printf("%s %s: %d checks, %d failed\n", unit_failures > before ? "not ok" : "ok",
		       areas[i].name, unit_checks - checks, unit_failures - before);
		ran++;
	}
	if (ran < (argc < 2 ? 1 : argc - 1)) {
		fprintf(stderr, "%s: unknown area; areas are:", argv[0]);
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, " %s", areas[i].name);
		fputc('\n', stderr);
		return 2;
	}
	return unit_failures ? 1 : 0;
}

#define UNIT_MAIN(areas)                                                                           \
	int main(int argc, char **argv)                                                            \
	{                                                                                          \
		return unit_main(argc, argv, areas, sizeof(areas) / sizeof(areas[0]));             \
	}

#endif /* UNIT_H */
