// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * attach.c - load the tool's BPF object and attach its probes.
 *
 * A probe written with alternatives (`a!, b` or `a?`), and every probe
 * compiled in several variants (fentry, kprobe, tracepoint), comes as a
 * group of programs. Before loading, variants the running kernel cannot
 * have are switched off (no such tracepoint, function or binary); after
 * loading, the group's programs attach in order and the first that works
 * is kept when it is `sufficient`.
 */
#include "stp_internal.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

static const char *tracefs(void)
{
	return exists("/sys/kernel/tracing/events") ? "/sys/kernel/tracing" : "/sys/kernel/debug/tracing";
}

/* Whether the running kernel can have this variant at all. */
static bool viable(const struct stp_kprobe_desc *k)
{
	char path[512];
	switch (k->attach) {
	case STP_ATTACH_TRACEPOINT: {
		const char *colon = strchr(k->target, ':');
		if (!colon)
			return false;
		snprintf(path, sizeof(path), "%s/events/%.*s/%s", tracefs(), (int)(colon - k->target),
			 k->target, colon + 1);
		return exists(path);
	}
	case STP_ATTACH_TP_BTF:
		/* Any tracepoint the kernel has also has its btf_trace_ type. */
		snprintf(path, sizeof(path), "%s/events", tracefs());
		if (!exists(path))
			return true; /* cannot tell: let the load decide */
		return true;
	default:
		return true;
	}
}

static int perf_event_open(struct perf_event_attr *attr, int cpu)
{
	return (int)syscall(SYS_perf_event_open, attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

void stp_add_link(struct stp_session *ss, struct bpf_link *link, const char *pp)
{
	ss->links = realloc(ss->links, sizeof(*ss->links) * (size_t)(ss->nlinks + 1));
	ss->attached_pp = realloc((void *)ss->attached_pp, sizeof(char *) * (size_t)(ss->nlinks + 1));
	ss->links[ss->nlinks] = link;
	ss->attached_pp[ss->nlinks] = pp;
	ss->nlinks++;
}

/* A perf event probe: one event per online CPU, each with the program. */
static int attach_perf(struct stp_session *ss, struct bpf_program *prog,
		       const struct stp_kprobe_desc *k)
{
	int ncpu = libbpf_num_possible_cpus();
	int attached = 0, err = 0;
	for (int cpu = 0; cpu < ncpu; cpu++) {
		struct perf_event_attr attr = {
			.size = sizeof(attr),
			.type = k->perf_type,
			.config = k->perf_config,
			.freq = k->perf_freq,
			.sample_period = k->perf_period,
		};
		int fd = perf_event_open(&attr, cpu);
		if (fd < 0) {
			if (errno == ENODEV || errno == ENOENT)
				continue; /* offline CPU */
			err = -errno;
			break;
		}
		struct bpf_link *link = bpf_program__attach_perf_event(prog, fd);
		if (!link) {
			err = -errno;
			close(fd);
			break;
		}
		stp_add_link(ss, link, k->pp);
		attached++;
	}
	if (!err && !attached)
		err = -ENODEV;
	return err;
}

static int attach_one(struct stp_rt *rt, struct stp_session *ss, struct bpf_program *prog,
		      int i)
{
	const struct stp_kprobe_desc *k = &rt->tool->kprobes[i];
	if (k->ukind != STP_U_NONE)
		return rt->tool->uprobes->attach(rt, ss, prog, i);
	if (k->attach == STP_ATTACH_PERF)
		return attach_perf(ss, prog, k);
	struct bpf_link *link = bpf_program__attach(prog);
	if (!link)
		return -errno;
	stp_add_link(ss, link, k->pp);
	return 0;
}

static const char *attach_name(enum stp_attach a)
{
	static const char *const names[] = {
		[STP_ATTACH_TP_BTF] = "BTF tracepoint", [STP_ATTACH_TRACEPOINT] = "tracepoint",
		[STP_ATTACH_RAW_TP] = "raw tracepoint", [STP_ATTACH_KPROBE] = "kprobe",
		[STP_ATTACH_KRETPROBE] = "kretprobe",	[STP_ATTACH_FENTRY] = "fentry",
		[STP_ATTACH_FEXIT] = "fexit",		[STP_ATTACH_PERF] = "perf event",
		[STP_ATTACH_UPROBE] = "uprobe",		[STP_ATTACH_URETPROBE] = "uretprobe",
		[STP_ATTACH_USDT] = "USDT",
	};
	return a < sizeof(names) / sizeof(names[0]) && names[a] ? names[a] : "?";
}

static const char *reason(int err)
{
	switch (-err) {
	case ENOENT:
		return "the kernel has no such probe point";
	case EPERM:
	case EACCES:
		return "the kernel refused it (not permitted)";
	case EOPNOTSUPP:
		return "the kernel does not support this kind of probe";
	case EINVAL:
		return "the kernel rejected it as invalid";
	case EBUSY:
		return "it is in use";
	default:
		return strerror(-err);
	}
}

/* Turns libbpf's verifier log into one sentence and, with -v, the log. */
static void explain_load_failure(const char *name, int err)
{
	const char *log = stp_log_text();
	/* The line the verifier complained about: its `; source @ file:line`. */
	const char *where = NULL;
	for (const char *p = log; (p = strstr(p, "\n; ")); p++)
		where = p + 3;
	if (where) {
		const char *end = strchr(where, '\n');
		stp_say("the kernel's BPF verifier rejected the probe handlers near: %.*s",
			(int)(end ? end - where : (long)strlen(where)), where);
	} else {
		stp_say("cannot load the BPF programs: %s", strerror(-err));
	}
	if (stp_verbosity)
		fprintf(stderr, "%s", log);
	else
		fprintf(stderr, "%s: run with -v for the verifier's log\n", name);
}

int stp_load_and_attach(struct stp_rt *rt, struct stp_session *ss)
{
	const struct stp_tool *t = rt->tool;
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = t->name);
	struct bpf_object *obj = bpf_object__open_mem(t->bpf_object, t->bpf_object_len, &opts);
	if (!obj) {
		stp_say("cannot open the embedded BPF object: %s", strerror(errno));
		return 1;
	}
	ss->obj = obj;
	rt->obj = obj;
	/* User-space probes: their wildcards, expanded on this host's binaries. */
	if (t->uprobes && t->uprobes->expand(rt, ss) != 0)
		return 1;
	bool *use = calloc((size_t)t->nkprobes, sizeof(bool));
	for (int i = 0; i < t->nkprobes; i++) {
		const struct stp_kprobe_desc *k = &t->kprobes[i];
		struct bpf_program *prog = bpf_object__find_program_by_name(obj, k->prog);
		if (!prog) {
			stp_say("internal error: no BPF program %s", k->prog);
			free(use);
			return 1;
		}
		use[i] = k->ukind != STP_U_NONE ? t->uprobes->viable(i) : viable(k);
		bpf_program__set_autoload(prog, use[i]);
	}
	if (t->uprobes)
		t->uprobes->before_load(rt, obj);
	stp_log_clear();
	int err = bpf_object__load(obj);
	if (err) {
		explain_load_failure(t->name, err);
		free(use);
		return 1;
	}
	rt->kglobals = NULL;
	struct bpf_map *m;
	bpf_object__for_each_map(m, obj) {
		const char *n = bpf_map__name(m);
		size_t len = strlen(n);
		if (len >= 5 && !strcmp(n + len - 5, ".data")) {
			/* libbpf maps global data for skeletons only: map it ourselves. */
			size_t sz = (bpf_map__value_size(m) + 4095) & ~(size_t)4095;
			void *p = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(m), 0);
			if (p == MAP_FAILED) {
				stp_say("cannot map the BPF globals: %s", strerror(errno));
				free(use);
				return 1;
			}
			rt->kglobals = p;
		}
	}
	if (t->bind && t->bind(rt, obj) != 0) {
		free(use);
		return 1;
	}
	if (t->uprobes && t->uprobes->fill_maps(rt, obj) != 0) {
		free(use);
		return 1;
	}
	/* -G values are in place before any probe can fire. */
	stp_apply_global_options(rt, ss);
	/*
	 * Attach probe by probe (a subgroup of variants: the first that
	 * attaches is the probe's), group by group (a sufficient probe that
	 * attached ends its group).
	 */
	int done_group = -1;
	for (int i = 0; i < t->nkprobes;) {
		const struct stp_kprobe_desc *k = &t->kprobes[i];
		int end = i + 1;
		while (end < t->nkprobes && t->kprobes[end].subgroup == k->subgroup)
			end++;
		if (k->group == done_group) {
			i = end;
			continue;
		}
		bool attached = false;
		for (int v = i; v < end && !attached; v++) {
			const struct stp_kprobe_desc *var = &t->kprobes[v];
			if (!use[v])
				continue;
			struct bpf_program *prog = bpf_object__find_program_by_name(obj, var->prog);
			err = attach_one(rt, ss, prog, v);
			if (!err) {
				attached = true;
				if (stp_verbosity)
					stp_say("probe %s: attached as %s (%s)", var->pp, var->prog,
						attach_name(var->attach));
			} else if (stp_verbosity) {
				stp_say("probe %s: %s did not attach (%s)", var->pp, var->prog, reason(err));
			}
		}
		if (!attached && !k->optional) {
			stp_say("cannot probe %s: %s", k->pp, reason(err ? err : -ENOENT));
			free(use);
			return 1;
		}
		if (attached && k->sufficient)
			done_group = k->group;
		i = end;
	}
	free(use);
	return 0;
}

void stp_detach_all(struct stp_session *ss)
{
	for (int i = ss->nlinks - 1; i >= 0; i--)
		bpf_link__destroy(ss->links[i]);
	free(ss->links);
	free((void *)ss->attached_pp);
	ss->links = NULL;
	ss->nlinks = 0;
}

void stp_read_counters(struct stp_session *ss, uint64_t *skipped, uint64_t *lost)
{
	*skipped = *lost = 0;
	struct bpf_map *m = ss->obj ? bpf_object__find_map_by_name(ss->obj, "stp_counters") : NULL;
	if (!m)
		return;
	int ncpus = libbpf_num_possible_cpus();
	uint64_t *v = calloc((size_t)ncpus, sizeof(uint64_t));
	for (uint32_t key = 0; key < 2 && v; key++) {
		if (bpf_map_lookup_elem(bpf_map__fd(m), &key, v))
			continue;
		uint64_t sum = 0;
		for (int c = 0; c < ncpus; c++)
			sum += v[c];
		*(key ? lost : skipped) = sum;
	}
	free(v);
}
