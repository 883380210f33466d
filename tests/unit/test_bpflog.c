// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_bpflog.c - libbpf's messages as runtime/user/bpflog.c keeps them:
 * a verifier log longer than any line buffer is kept whole, so the
 * reason at its end is found.
 */
#include <stdlib.h>

#include "bpflog.h"
#include "unit.h"

static void append(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	stp_log_append(fmt, ap);
	va_end(ap);
}

/* A log as libbpf prints it: one message, the program's whole log inside. */
static char *long_log(int lines, const char *reason)
{
	size_t cap = (size_t)lines * 64 + 256, len = 0;
	char *s = malloc(cap);
	for (int i = 0; i < lines; i++)
		len += (size_t)snprintf(s + len, cap - len, "%d: (b7) r1 = 0 ; R1=0\n", i);
	snprintf(s + len, cap - len,
		 "; x = a[i]; @ t.stp:3\n%s\nverification time 9 usec\nprocessed %d insns\n", reason,
		 lines);
	return s;
}

static void test_long_message(void)
{
	char *log = long_log(2000, "Invalid format string");
	const char *reason = NULL;
	stp_log_clear();
	append("libbpf: prog 'p': BPF program load failed\n");
	append("-- BEGIN PROG LOAD LOG --\n%s-- END PROG LOAD LOG --\n", log);
	const char *text = stp_log_text();
	EXPECT_INT(strlen(text) > 40000, 1);
	EXPECT_INT(strstr(text, "; x = a[i]; @ t.stp:3\n") != NULL, 1);
	int n = stp_log_reason(&reason);
	EXPECT_BYTES(reason, (size_t)n, "Invalid format string");
	free(log);
}

static void test_no_reason(void)
{
	const char *reason = NULL;
	stp_log_clear();
	append("libbpf: failed to find BTF for %s\n", "extern");
	EXPECT_INT(stp_log_reason(&reason), 0);
	/* An older kernel prints no time: the reason is before "processed". */
	stp_log_clear();
	append("R1 invalid mem access 'scalar'\nprocessed 12 insns (limit 1000000)\n");
	int n = stp_log_reason(&reason);
	EXPECT_BYTES(reason, (size_t)n, "R1 invalid mem access 'scalar'");
}

static const struct unit_area areas[] = {
	{ "long_message", test_long_message },
	{ "no_reason", test_no_reason },
};

UNIT_MAIN(areas)
