// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_builtins.c - the built-in table as lines to compare with the tapsets'
 * declarations (tests/builtins.bats): "NAME SIGNATURE pure|impure", one a
 * signature. Linked with the compiler's objects. Fails if two rows have
 * one name (the overloads of a name share its row).
 */
#include "../../stapc/builtins/builtins.h"

#include <stdio.h>

int main(void)
{
	const struct builtin *b;
	int rc = 0;
	for (size_t i = 0; (b = builtin_at(i)); i++) {
		if (builtin_find(b->name) != b) {
			fprintf(stderr, "two rows for %s\n", b->name);
			rc = 1;
		}
		for (int s = 0; s < 2 && b->sig[s]; s++)
			printf("%s %s %s\n", b->name, b->sig[s], b->flags & BI_PURE ? "pure" : "impure");
	}
	return rc;
}
