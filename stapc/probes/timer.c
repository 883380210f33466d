// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * timer.c - periodic probes.
 *
 *   timer.s(N) .ms(N) .us(N) .ns(N) .hz(N) .jiffies(N) [.randomize(M)]
 *   timer.profile             on every CPU, at the profiling tick
 *
 * A timer whose handler needs no per-event kernel context runs in the
 * tool; one that asks for it (pid(), execname() of the interrupted task)
 * is moved to BPF by placement (place.c), on a CPU-clock perf event of
 * the timer's period on one CPU, as stap's kernel timer interrupts
 * whatever runs on its CPU. timer.profile always samples in BPF.
 */
#include "../stapc.h"

#include <string.h>

/* What this provider keeps in dprobe->data. */
struct timer_probe {
	int64_t interval_ns;
	int64_t randomize_ns; /* 0: none */
	bool profile;
};

static const struct {
	const char *unit;
	int64_t ns; /* one unit, in nanoseconds; 0 for hz */
} units[] = {
	{ "s", 1000000000LL }, { "sec", 1000000000LL }, { "ms", 1000000LL }, { "msec", 1000000LL },
	{ "us", 1000LL },      { "usec", 1000LL },      { "ns", 1LL },	 { "nsec", 1LL },
	{ "jiffies", 0 },      { "hz", 0 },
};

/* The target's CONFIG_HZ is not known here; stap's default tick. */
#define JIFFY_NS 4000000LL

static bool match(struct elab *e, struct dprobe *d)
{
	(void)e;
	const struct probe_point *p = d->point;
	if (!point_is(p, 0, "timer") || point_arg(p, 0))
		return false;
	struct timer_probe *tp = arena_alloc(sizeof(*tp));
	d->data = tp;
	/* A plain timer runs in the tool; see timer.profile below. */
	d->in_tool = true;
	if (point_ncomps(p) == 2 && point_is(p, 1, "profile") && !point_arg(p, 1)) {
		tp->profile = true;
		d->in_tool = false; /* sampled in BPF, on every CPU */
		return true;
	}
	int n = point_ncomps(p);
	if (n != 2 && !(n == 3 && point_is(p, 2, "randomize")))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		if (!point_is(p, 1, units[i].unit))
			continue;
		const struct expr *arg = point_arg(p, 1);
		if (!arg || arg->kind != E_NUMBER || arg->num <= 0) {
			diag_error(&p->loc, "timer.%s needs a positive number: timer.%s(N)", units[i].unit,
				   units[i].unit);
			return false;
		}
		if (!strcmp(units[i].unit, "hz"))
			tp->interval_ns = 1000000000LL / arg->num;
		else if (!strcmp(units[i].unit, "jiffies"))
			tp->interval_ns = arg->num * JIFFY_NS;
		else
			tp->interval_ns = arg->num * units[i].ns;
		if (tp->interval_ns <= 0) {
			diag_error(&p->loc, "timer interval too short: %s(%lld) is under a nanosecond",
				   units[i].unit, (long long)arg->num);
			return false;
		}
		if (n == 3) {
			const struct expr *r = point_arg(p, 2);
			if (!r || r->kind != E_NUMBER || r->num < 0) {
				diag_error(&p->loc, "randomize needs a number: .randomize(N)");
				return false;
			}
			tp->randomize_ns = strcmp(units[i].unit, "hz") ? r->num * (units[i].ns ? units[i].ns : JIFFY_NS) : 0;
			if (tp->randomize_ns >= tp->interval_ns) {
				diag_error(&p->loc, "randomize(%lld) must be smaller than the interval",
					   (long long)r->num);
				return false;
			}
		}
		return true;
	}
	return false;
}

/*
 * A timer in BPF: a CPU-clock perf event, whose period counts nanoseconds.
 * timer.profile: on every CPU, at 250 Hz. Another timer: on one CPU, every
 * interval.
 */
static int variants(const struct dprobe *d, struct variant *out, int max)
{
	const struct timer_probe *tp = d->data;
	if (max < 1)
		return 0;
	out[0] = (struct variant){
		.section = attach_kind_section(STP_ATTACH_PERF, NULL),
		.attach = STP_ATTACH_PERF,
		.target = tp->profile ? "" : "one-cpu",
		.args = ARGS_NONE,
		.nmi = true,
		.perf_type = 1 /* PERF_TYPE_SOFTWARE */,
		.perf_config = 0 /* PERF_COUNT_SW_CPU_CLOCK */,
		.perf_period = tp->profile ? 250 : (uint64_t)tp->interval_ns,
		.perf_freq = tp->profile,
	};
	return 1;
}

/* A timer the tool runs: every interval, randomized as the script asks. */
static void tool_entry(const struct dprobe *d, struct tool_entry *out)
{
	const struct timer_probe *tp = d->data;
	*out = (struct tool_entry){
		.list = TOOL_TIMER,
		.interval_ns = tp->interval_ns,
		.randomize_ns = tp->randomize_ns,
	};
}

/*
 * A handler that asks for the interrupted task's context moves the timer
 * to BPF, on a perf event, whose period cannot be randomized.
 */
static void needs_kernel(struct dprobe *d, const struct expr *call)
{
	const struct timer_probe *tp = d->data;
	if (tp->randomize_ns) {
		diag_error(&d->point->loc, "this timer runs in the kernel, on a perf event whose period "
					   "cannot be randomized, because its handler uses %s(): drop "
					   ".randomize(M)",
			   call->fn->name);
		diag_note(&call->loc, "%s() is the interrupted task's, so the handler runs in BPF",
			  call->fn->name);
		return;
	}
	d->in_tool = false;
}

static void list(struct elab *e, const struct probe_point *pattern, struct vec *out)
{
	(void)e;
	static const char *const forms[] = { "timer.s(N)", "timer.ms(N)", "timer.us(N)", "timer.ns(N)",
					     "timer.hz(N)", "timer.jiffies(N)", "timer.profile" };
	if (!point_match(point_name(pattern, 0), "timer"))
		return;
	for (size_t i = 0; i < ARRAY_SIZE(forms); i++)
		vec_push(out, (void *)forms[i]);
}

const struct provider provider_timer = {
	.name = "timer",
	.match = match,
	.list = list,
	.variants = variants,
	.tool_entry = tool_entry,
	.needs_kernel = needs_kernel,
};
