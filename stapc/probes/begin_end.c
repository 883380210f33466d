// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * begin_end.c - begin, end, error and never: the probes of the tool's own
 * lifecycle. They run in user space, in the tool, never in BPF.
 *
 *   begin[(N)]  at start-up, after everything is attached; N orders them
 *   end[(N)]    at shutdown (exit(), SIGINT, SIGTERM, -T), before detaching
 *   error[(N)]  when a handler fails with an uncaught error
 *   never       never; its code is still compiled and checked
 */
#include "../stapc.h"

#include <string.h>

/* What this provider keeps in dprobe->data. */
enum lifecycle_kind { LC_BEGIN, LC_END, LC_ERROR, LC_NEVER };
struct lifecycle_probe {
	enum lifecycle_kind kind;
	int64_t order; /* begin(N): lower first */
};

static const char *const kinds[] = { "begin", "end", "error", "never" };

static bool match(struct elab *e, struct dprobe *d)
{
	(void)e;
	const struct probe_point *p = d->point;
	if (point_ncomps(p) != 1)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		if (!point_is(p, 0, kinds[i]))
			continue;
		const struct expr *arg = point_arg(p, 0);
		if (arg && (i == 3 || arg->kind != E_NUMBER)) {
			diag_error(&p->loc, "'%s' takes %s", kinds[i],
				   i == 3 ? "no argument" : "a number: its order among the others");
			return false;
		}
		struct lifecycle_probe *lp = arena_alloc(sizeof(*lp));
		lp->kind = (enum lifecycle_kind)i;
		lp->order = arg ? arg->num : 0;
		d->data = lp;
		d->in_tool = true;
		return true;
	}
	return false;
}

/* The tool runs them in its begin, end and error lists, with interrupts on as stap does. */
static void tool_entry(const struct dprobe *d, struct tool_entry *out)
{
	static const enum tool_list lists[] = {
		[LC_BEGIN] = TOOL_BEGIN, [LC_END] = TOOL_END, [LC_ERROR] = TOOL_ERROR,
		[LC_NEVER] = TOOL_NONE,
	};
	const struct lifecycle_probe *lp = d->data;
	*out = (struct tool_entry){
		.list = lists[lp->kind],
		.order = lp->order,
		.interruptible = true,
	};
}

static void list(struct elab *e, const struct probe_point *pattern, struct vec *out)
{
	(void)e;
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (point_ncomps(pattern) == 1 && point_match(point_name(pattern, 0), kinds[i]))
			vec_push(out, (void *)kinds[i]);
}

const struct provider provider_begin_end = {
	.name = "begin/end",
	.match = match,
	.list = list,
	.tool_entry = tool_entry,
};
