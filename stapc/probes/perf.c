// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * perf.c - perf events: a handler run every N occurrences of a kernel or
 * hardware event, on every CPU, in BPF (a perf_event program).
 *
 *   perf.type(T).config(C)         the event perf_event_open(2) calls so
 *   perf.sw.NAME                   a software event (cpu_clock, page_faults ...)
 *   perf.hw.NAME                   a hardware counter (cpu_cycles, instructions ...)
 *   perf.hw_cache.CACHE.OP.RESULT  a cache counter (l1d.read.miss ...)
 *
 * each optionally followed by .sample(N) (every N events; the default is
 * stap's, 1000000) or .hz(N) (N times a second, the kernel adjusting the
 * period). The names are stap's; their numbers are the kernel's ABI, from
 * <linux/perf_event.h>. Whether an event exists is known only on the
 * target: hardware counters are often missing in virtual machines, and the
 * tool says so when it starts (or skips the probe, written with `?`).
 */
#include "../stapc.h"

#include <linux/perf_event.h>
#include <string.h>

/* stap's period when neither .sample nor .hz is given. */
#define DEFAULT_SAMPLE 1000000

struct perf_probe {
	uint32_t type;
	uint64_t config;
	uint64_t period; /* events between samples, or samples a second with freq */
	bool freq;
};

struct named_event {
	const char *name; /* after "perf." */
	uint32_t type;
	uint64_t config;
};

static const struct named_event named[] = {
	{ "sw.cpu_clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK },
	{ "sw.task_clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK },
	{ "sw.page_faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS },
	{ "sw.context_switches", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES },
	{ "sw.cpu_migrations", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS },
	{ "sw.page_faults_min", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MIN },
	{ "sw.page_faults_maj", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MAJ },
	{ "sw.alignment_faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_ALIGNMENT_FAULTS },
	{ "sw.emulation_faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_EMULATION_FAULTS },
	{ "hw.cpu_cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
	{ "hw.instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS },
	{ "hw.cache_references", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_REFERENCES },
	{ "hw.cache_misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES },
	{ "hw.branch_instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_INSTRUCTIONS },
	{ "hw.branch_misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES },
	{ "hw.bus_cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BUS_CYCLES },
	{ "hw.stalled_cycles_frontend", PERF_TYPE_HARDWARE, PERF_COUNT_HW_STALLED_CYCLES_FRONTEND },
	{ "hw.stalled_cycles_backend", PERF_TYPE_HARDWARE, PERF_COUNT_HW_STALLED_CYCLES_BACKEND },
	{ "hw.ref_cpu_cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_REF_CPU_CYCLES },
};

/*
 * perf.hw_cache.CACHE.OP.RESULT: config is cache | op << 8 | result << 16
 * (perf_event_open(2)). stap names the operations each cache has.
 */
static const struct {
	const char *name;
	uint64_t id;
	unsigned ops; /* bit N: operation N (read, write, prefetch) */
} caches[] = {
	{ "l1d", PERF_COUNT_HW_CACHE_L1D, 7 },	{ "l1i", PERF_COUNT_HW_CACHE_L1I, 5 },
	{ "ll", PERF_COUNT_HW_CACHE_LL, 7 },	{ "dtlb", PERF_COUNT_HW_CACHE_DTLB, 7 },
	{ "itlb", PERF_COUNT_HW_CACHE_ITLB, 1 }, { "bpu", PERF_COUNT_HW_CACHE_BPU, 1 },
	{ "node", PERF_COUNT_HW_CACHE_NODE, 3 },
};
static const char *const cache_ops[] = { "read", "write", "prefetch" };
static const char *const cache_results[] = { "access", "miss" };

/* Every named event, "sw.cpu_clock" ..., with its type and config. */
static const char *heap_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *heap_printf(const char *fmt, ...)
{
	char *r = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&r, fmt, ap) < 0)
		r = NULL;
	va_end(ap);
	return r ? r : "?";
}

static const struct named_event *all_named(int *n)
{
	static struct named_event all[ARRAY_SIZE(named) + ARRAY_SIZE(caches) * 6];
	static int len;
	if (!len) {
		for (size_t i = 0; i < ARRAY_SIZE(named); i++)
			all[len++] = named[i];
		for (size_t c = 0; c < ARRAY_SIZE(caches); c++)
			for (unsigned op = 0; op < 3; op++)
				for (unsigned r = 0; r < 2 && (caches[c].ops & (1u << op)); r++)
					/* Kept for the process: not in the arena, which the fuzzer resets. */
					all[len++] = (struct named_event){
						heap_printf("hw_cache.%s.%s.%s", caches[c].name,
							     cache_ops[op], cache_results[r]),
						PERF_TYPE_HW_CACHE,
						caches[c].id | (uint64_t)op << 8 | (uint64_t)r << 16,
					};
	}
	*n = len;
	return all;
}

/* ------------------------------------------------------------ matching names */

/* Splits "a.b.c" into its components. */
static int split_dots(const char *s, const char **out, int max)
{
	int n = 0;
	while (n < max) {
		const char *dot = strchr(s, '.');
		out[n++] = intern_n(s, dot ? (size_t)(dot - s) : strlen(s));
		if (!dot)
			break;
		s = dot + 1;
	}
	return n;
}

/*
 * Whether pattern components pat[0..np) match names[0..nn): `*` within a
 * component, `**` for any run of whole components (stapprobes(3stap)).
 */
static bool comps_match(const char *const *pat, int np, const char *const *names, int nn)
{
	if (!np)
		return !nn;
	if (!strcmp(pat[0], "**")) {
		for (int skip = 0; skip <= nn; skip++)
			if (comps_match(pat + 1, np - 1, names + skip, nn - skip))
				return true;
		return false;
	}
	return nn && point_match(pat[0], names[0]) &&
	       comps_match(pat + 1, np - 1, names + 1, nn - 1);
}

static bool is_option(const char *name)
{
	return !strcmp(name, "sample") || !strcmp(name, "hz");
}

/*
 * How many components of p, from the second, may name the event: those
 * without an argument (.sample(N) and the like come after the name).
 */
static int name_comps(const struct probe_point *p)
{
	int n = 0;
	while (1 + n < point_ncomps(p) && !point_arg(p, 1 + n))
		n++;
	return n;
}

static bool has_wildcard(const struct probe_point *p)
{
	for (int i = 0; i < point_ncomps(p); i++)
		if (strchr(point_name(p, i), '*'))
			return true;
	return false;
}

/* The named event p names ("sw.cpu_clock"), or NULL. */
static const struct named_event *lookup(const struct probe_point *p, int ncomps)
{
	const char *want[8];
	if (ncomps > 8)
		return NULL;
	for (int i = 0; i < ncomps; i++)
		want[i] = point_name(p, i + 1);
	int n;
	const struct named_event *all = all_named(&n);
	for (int i = 0; i < n; i++) {
		const char *have[8];
		int nh = split_dots(all[i].name, have, 8);
		if (nh == ncomps && comps_match(want, ncomps, have, nh))
			return &all[i];
	}
	return NULL;
}

/* ------------------------------------------------------------ the provider */

static bool positive(const struct expr *arg)
{
	return arg && arg->kind == E_NUMBER && arg->num > 0;
}

/* .sample(N) or .hz(N), from component `first` on; false after an error. */
static bool options(const struct probe_point *p, int first, struct perf_probe *pp)
{
	pp->period = DEFAULT_SAMPLE;
	if (first == point_ncomps(p))
		return true;
	const char *opt = point_name(p, first);
	if (!strcmp(opt, "process") || !strcmp(opt, "counter")) {
		diag_error(&p->loc, "perf .%s is not supported: stapc's perf probes are system-wide "
				    "sampling probes", opt);
		return false;
	}
	if (!is_option(opt) || first + 1 < point_ncomps(p)) {
		diag_error(&p->loc,
			   "a perf probe takes one .sample(N) or .hz(N) after its event, "
			   "not '.%s'",
			   point_name(p, is_option(opt) ? first + 1 : first));
		return false;
	}
	if (!positive(point_arg(p, first))) {
		diag_error(&p->loc, "perf .%s needs a positive number: .%s(N)", opt, opt);
		return false;
	}
	pp->period = (uint64_t)point_arg(p, first)->num;
	pp->freq = !strcmp(opt, "hz");
	return true;
}

/* perf.type(T).config(C)[.sample(N)|.hz(N)] */
static bool match_raw(const struct probe_point *p, struct perf_probe *pp)
{
	const struct expr *t = point_arg(p, 1), *c = point_arg(p, 2);
	if (point_ncomps(p) < 3 || !point_is(p, 2, "config") || !t || t->kind != E_NUMBER ||
	    t->num < 0 || t->num > UINT32_MAX || !c || c->kind != E_NUMBER) {
		diag_error(&p->loc, "write perf.type(T).config(C), with the numbers of "
				    "perf_event_open(2)'s type and config");
		return false;
	}
	pp->type = (uint32_t)t->num;
	pp->config = (uint64_t)c->num;
	return options(p, 3, pp);
}

/* perf.sw.NAME, perf.hw.NAME, perf.hw_cache.CACHE.OP.RESULT */
static bool match_named(const struct probe_point *p, struct perf_probe *pp)
{
	/* The longest run of components that names an event; the rest are options. */
	int n = name_comps(p);
	const struct named_event *ev = NULL;
	while (!has_wildcard(p) && n > 0 && !(ev = lookup(p, n)))
		n--;
	if (!ev) {
		/* The event's name as written, without .sample/.hz, for the hint. */
		const char *text = "perf";
		for (int i = 1; i <= name_comps(p); i++)
			text = arena_printf("%s.%s", text, point_name(p, i));
		int total;
		const struct named_event *all = all_named(&total);
		struct vec names = { 0 };
		for (int i = 0; i < total; i++)
			vec_push(&names, (void *)arena_printf("perf.%s", all[i].name));
		const char *hint = did_you_mean(text, &names);
		const char *what = has_wildcard(p) ? "matches no perf event" : "is not a perf event";
		if (hint && !has_wildcard(p))
			diag_error(&p->loc, "'%s' %s; did you mean '%s'?", text, what, hint);
		else
			diag_error(&p->loc, "'%s' %s (stapc -l 'perf.**' lists them)", text, what);
		return false;
	}
	pp->type = ev->type;
	pp->config = ev->config;
	return options(p, 1 + n, pp);
}

static bool match(struct elab *e, struct dprobe *d)
{
	(void)e;
	const struct probe_point *p = d->point;
	if (!point_is(p, 0, "perf") || point_arg(p, 0))
		return false;
	struct perf_probe *pp = arena_alloc(sizeof(*pp));
	bool ok;
	if (point_ncomps(p) >= 2 && point_is(p, 1, "type"))
		ok = match_raw(p, pp);
	else if (point_ncomps(p) >= 3 && !point_arg(p, 1))
		ok = match_named(p, pp);
	else {
		diag_error(&p->loc, "write perf.sw.NAME, perf.hw.NAME, perf.hw_cache.CACHE.OP.RESULT "
				    "or perf.type(T).config(C)");
		ok = false;
	}
	if (!ok)
		return false;
	d->data = pp;
	return true;
}

/* perf.sw.* and the like: each named event the pattern matches, options kept. */
static void expand(struct elab *e, const struct probe_point *p, const struct stmt *body,
		   const struct expr *cond, struct vec *out)
{
	(void)body;
	(void)cond;
	(void)e;
	if (!point_is(p, 0, "perf") || point_arg(p, 0) || !has_wildcard(p))
		return;
	int n = name_comps(p);
	if (!n || n > 8)
		return;
	const char *want[8];
	for (int i = 0; i < n; i++)
		want[i] = point_name(p, i + 1);
	int total;
	const struct named_event *all = all_named(&total);
	for (int i = 0; i < total; i++) {
		const char *have[8];
		int nh = split_dots(all[i].name, have, 8);
		if (!comps_match(want, n, have, nh))
			continue;
		struct probe_point *np = arena_alloc(sizeof(*np));
		*np = *p;
		np->comps = (struct vec){ 0 };
		vec_push(&np->comps, vec_at(&p->comps, 0));
		for (int k = 0; k < nh; k++) {
			struct pp_component *c = arena_alloc(sizeof(*c));
			*c = *(struct pp_component *)vec_at(&p->comps, 1);
			c->name = have[k];
			vec_push(&np->comps, c);
		}
		for (int k = 1 + n; k < point_ncomps(p); k++)
			vec_push(&np->comps, vec_at(&p->comps, k));
		vec_push(out, np);
	}
}

/* Every CPU counts the event; its program runs at each overflow. */
static int variants(const struct dprobe *d, struct variant *out, int max)
{
	const struct perf_probe *pp = d->data;
	if (max < 1)
		return 0;
	out[0] = (struct variant){
		.section = attach_kind_section(STP_ATTACH_PERF, NULL),
		.attach = STP_ATTACH_PERF,
		.target = "",
		.args = ARGS_NONE,
		/* Hardware counters overflow in NMI; others may interrupt a probe. */
		.nmi = true,
		.perf_type = pp->type,
		.perf_config = pp->config,
		.perf_period = pp->period,
		.perf_freq = pp->freq,
	};
	return 1;
}

static void print(struct strbuf *out, const struct dprobe *d)
{
	const struct perf_probe *pp = d->data;
	sb_printf(out, "perf.type(%u).config(%llu).%s(%llu)", pp->type, (unsigned long long)pp->config,
		  pp->freq ? "hz" : "sample", (unsigned long long)pp->period);
}

static void list(struct elab *e, const struct probe_point *pattern, struct vec *out)
{
	(void)e;
	int np = point_ncomps(pattern);
	if (np > 8 || !point_match(point_name(pattern, 0), "perf"))
		return;
	const char *want[8];
	for (int i = 0; i < np; i++)
		want[i] = point_name(pattern, i);
	int total;
	const struct named_event *all = all_named(&total);
	for (int i = 0; i <= total; i++) {
		const char *name = i < total ? arena_printf("perf.%s", all[i].name) : "perf.type.config";
		const char *have[8];
		int nh = split_dots(name, have, 8);
		if (comps_match(want, np, have, nh))
			vec_push(out, (void *)(i < total ? name : "perf.type(N).config(M)"));
	}
}

const struct provider provider_perf = {
	.name = "perf",
	.match = match,
	.expand = expand,
	.variants = variants,
	.print = print,
	.list = list,
};
