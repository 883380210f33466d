// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * callee.c - a known call sequence for the uprobe tests, built with
 * debuginfo. It writes the pointers it passes to the file named by its
 * argument, so the tests can expect their exact values in $$parms.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pair {
	int a, b;
};

#define PROBED __attribute__((noinline, noipa))

PROBED long t_leaf(long x, int y)
{
	return x * y;
}

PROBED int t_middle(const char *tag, unsigned n, short s, struct pair *p)
{
	return (int)t_leaf(n, s) + p->a + (int)strlen(tag);
}

PROBED void t_byvalue(struct pair p, char c)
{
	__asm__ volatile("" : : "r"(p.a), "r"(c));
}

PROBED unsigned char t_tiny(signed char c)
{
	return (unsigned char)c;
}

int main(int argc, char **argv)
{
	struct pair p = { 5, 6 };
	char *tag = strdup("tag");
	FILE *f = fopen(argc > 1 ? argv[1] : "/dev/null", "w");
	if (!f)
		return 1;
	fprintf(f, "tag=%p p=%p argv=%p\n", (void *)tag, (void *)&p, (void *)argv);
	fclose(f);
	t_middle(tag, 3, -2, &p);
	t_byvalue(p, 'z');
	t_tiny(-1);
	free(tag);
	return 0;
}
