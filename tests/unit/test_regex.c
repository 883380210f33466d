// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_regex.c - stapc/regex.c's DFA tables against POSIX's own matcher:
 * every pattern x every subject, =~ must say what regexec() says (ERE,
 * search anywhere in the string). The walk is runtime/user/strings.c's.
 * Prints "N checks, N failed"; exits 1 on a difference.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../stapc/stapc.h"

/* The tool's walk, runtime/user/re_match.c, linked in: the BPF one's twin. */
int stp_re_match(const unsigned char *t, unsigned mask, const char *s);

static const char *const patterns[] = {
	"(\\.tar\\.(gz|bz2|xz)|\\.zip|\\.tgz|\\.tbz)$", "AF_INET*", "sda", "^sd[a-c]{1,2}$",
	"^$", "", "a*", "^a+b?$", "x{2,3}", "x{2,}y", "x{0,2}$", "[^a-z]", "[[:digit:]]+\\.[0-9]",
	"^(ab|cd)*e", "(a|b)*abb", "[]a]", "[a-]x", "\\$", "^/usr/(s?bin|lib)/", ".", "^.{3}$",
	"(^x|y$)", "a|^b|c$", "[[:space:]]", "[[:upper:]][[:lower:]]+",
};

static const char *const subjects[] = {
	"", "a", "b", "x.tar.gz", "x.tar.gzz", "foo.zip", "a.tgz", "AF_INET", "AF_INE", "AF_UNIX",
	"sda", "/dev/sda1", "sdb", "sdab", "sdd", "aaab", "ab", "xx", "xxx", "xxxxy", "xy", "1.5",
	"12.", "abcde", "cdabe", "e", "babb", "aabbabb", "]", "-x", "ax", "$", "cost $5",
	"/usr/bin/ls", "/usr/lib/x", "/usr/local/bin", "abc", "abcd", "yx", "xy", "by", "c",
	"bc", "a b", "Hello", "HELLO", "\x80\xff", "tab\there",
};

int main(void)
{
	int checks = 0, failed = 0;
	for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
		regex_t r;
		if (regcomp(&r, patterns[i], REG_EXTENDED | REG_NOSUB)) {
			printf("POSIX refuses %s\n", patterns[i]);
			return 2;
		}
		const char *why = NULL;
		int size = 0;
		const unsigned char *t = regex_compile(patterns[i], &size, &why);
		if (!t) {
			printf("FAILED: %s: %s\n", patterns[i], why);
			failed++;
			continue;
		}
		for (size_t j = 0; j < sizeof(subjects) / sizeof(subjects[0]); j++) {
			int want = regexec(&r, subjects[j], 0, NULL, 0) == 0;
			int got = stp_re_match(t, (unsigned)(size / 257 - 1), subjects[j]);
			checks++;
			if (got != want) {
				failed++;
				printf("FAILED: \"%s\" =~ \"%s\": %d, POSIX says %d\n", subjects[j],
				       patterns[i], got, want);
			}
		}
		regfree(&r);
	}
	/* What the DFA cannot hold is refused, with a reason. */
	const char *why = NULL;
	int size;
	checks++;
	if (regex_compile("(a|b)*a(a|b)(a|b)(a|b)(a|b)(a|b)(a|b)(a|b)", &size, &why) || !why) {
		failed++;
		printf("FAILED: a pattern of 256 states was not refused\n");
	}
	printf("%d checks, %d failed\n", checks, failed);
	return failed != 0;
}
