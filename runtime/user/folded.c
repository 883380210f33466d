// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * folded.c - sprint_stacks_folded() and kin: stacks kept as keys
 * (backtrace(), ubacktrace(): hex addresses, innermost first) named and
 * written root first, "main;work;vfs_read", the frames of one line of the
 * folded format flame graphs are drawn from (flamegraph.c reads it back).
 */
#include "stp_gen.h"
#include "stp_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FRAME_MAX 256 /* a frame's name, cut */

struct frames {
	char name[2 * STP_USTACK_MAX][FRAME_MAX];
	int n;
};

/* A name as one frame of a folded line: ' ' and ';' would split it. */
static void clean(char *s)
{
	for (; *s; s++)
		if (*s == ' ' || *s == ';' || *s == '\n' || *s == '\t')
			*s = '_';
}

/* The frames of one hex stack, appended innermost first. */
static void name_stack(struct frames *f, const char *stack, bool user)
{
	const char *p = stack;
	int taken = 0;
	while (*p && taken < STP_USTACK_MAX && f->n < 2 * STP_USTACK_MAX) {
		char *end;
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		unsigned long long a = strtoull(p, &end, 16);
		if (end == p)
			break;
		p = end;
		taken++;
		char *dst = f->name[f->n];
		if (user)
			stp_usym_frame(dst, FRAME_MAX, a);
		else if (!stp_ksym_frame(dst, FRAME_MAX, a))
			continue;
		clean(dst);
		f->n++;
	}
}

void stp_stack_folded(char *dst, const char *kstack, const char *ustack)
{
	struct frames *f = calloc(1, sizeof(*f));
	dst[0] = 0;
	if (!f)
		return;
	/* Innermost first: the kernel frames, then the user ones under them. */
	name_stack(f, kstack, false);
	name_stack(f, ustack, true);
	/* The innermost frames that fit; the root end is what is cut. */
	size_t len = 0;
	int first = 0;
	for (int i = 0; i < f->n; i++) {
		size_t w = strlen(f->name[i]) + (i ? 1 : 0);
		if (len + w > stp_maxstr - 1)
			break;
		len += w;
		first = i + 1;
	}
	for (int i = first - 1; i >= 0; i--) {
		if (i != first - 1)
			stp_append(dst, ";");
		stp_append(dst, f->name[i]);
	}
	free(f);
}
