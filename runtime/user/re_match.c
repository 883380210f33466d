// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * re_match.c - s =~ re in the tool: a walk of re's DFA table (stapc/regex.c),
 * the same walk as BPF's (runtime/bpf/stp_bpf.h): state 0 starts, 1 has
 * matched. A file of its own, so that tests/unit/test_regex.c checks this
 * very function against POSIX's regexec().
 */
#include "stp_gen.h"

int stp_re_match(const unsigned char *t, unsigned mask, const char *s)
{
	unsigned st = 0;
	for (; *s; s++) {
		st = t[((st & mask) << 8) | (unsigned char)*s];
		if (st == 1)
			return 1;
	}
	return t[(mask + 1) * 256 + (st & mask)];
}
