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
#include "kfeatures.h"
#include "stp_internal.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

static bool is_kernel_function(const struct stp_kprobe_desc *k)
{
	return k->attach == STP_ATTACH_FENTRY || k->attach == STP_ATTACH_FEXIT ||
	       k->attach == STP_ATTACH_KPROBE || k->attach == STP_ATTACH_KRETPROBE || stp_is_kwild(k);
}

/* Whether the running kernel can have this variant at all. */
static bool viable(const struct stp_kprobe_desc *k)
{
	switch (k->attach) {
	case STP_ATTACH_TRACEPOINT:
		return stp_have_tracepoint(k->target);
	case STP_ATTACH_FENTRY:
	case STP_ATTACH_FEXIT:
		return stp_fentry_can_attach(k->target, k->attach == STP_ATTACH_FEXIT);
	case STP_ATTACH_KPROBE:
	case STP_ATTACH_KRETPROBE:
		return stp_have_kprobes();
	case STP_ATTACH_TP_BTF:
		return stp_have_btf_tracepoint(k->target);
	default:
		return true;
	}
}

static int perf_event_open(struct perf_event_attr *attr, int cpu)
{
	return (int)syscall(SYS_perf_event_open, attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

/*
 * A perf event probe: one event per online CPU, each with the program; a
 * timer that needs kernel context (target "one-cpu") on the first only.
 */
static int attach_perf(struct stp_session *ss, struct bpf_program *prog,
		       const struct stp_kprobe_desc *k)
{
	int ncpu = libbpf_num_possible_cpus();
	int attached = 0, err = 0;
	bool one = !strcmp(k->target, "one-cpu");
	for (int cpu = 0; cpu < ncpu && !(one && attached); cpu++) {
		struct perf_event_attr attr = {
			.size = sizeof(attr),
			.type = k->perf_type,
			.config = k->perf_config,
			.freq = k->perf_freq,
			.sample_period = k->perf_period,
		};
		int fd = perf_event_open(&attr, cpu);
		if (fd < 0) {
			if (errno == ENODEV)
				continue; /* offline CPU (ENOENT: no such event) */
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
	/* A return's entry program attaches first: the return finds what it kept. */
	struct bpf_program *ep = stp_entry_program(rt->obj, k);
	if (k->ukind != STP_U_NONE) {
		int err = ep ? rt->tool->uprobes->attach_entry(rt, ss, ep, i) : 0;
		return err ? err : rt->tool->uprobes->attach(rt, ss, prog, i);
	}
	if (k->attach == STP_ATTACH_PERF)
		return attach_perf(ss, prog, k);
	if (stp_is_kwild(k))
		return stp_kwild_attach(rt, ss, prog, i);
	if (ep) {
		struct bpf_link *el = bpf_program__attach(ep);
		if (!el)
			return -errno;
		stp_add_link(ss, el, k->pp);
	}
	struct bpf_link *link = bpf_program__attach(prog);
	if (!link)
		return -errno; /* the entry link goes with the others at detach */
	stp_add_link(ss, link, k->pp);
	return 0;
}

static const char *attach_name(enum stp_attach a)
{
	static const char *const names[] = {
#define SAID(name, section, said, feature, since) [STP_ATTACH_##name] = said,
		STP_ATTACH_KINDS(SAID)
#undef SAID
	};
	return a < sizeof(names) / sizeof(names[0]) ? names[a] : "?";
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

/* Why a perf event did not open, for a user who may be on a VM. */
static const char *perf_reason(int err)
{
	switch (-err) {
	case ENOENT:
	case ENODEV:
		return "this machine has no such perf event (virtual machines often have no hardware "
		       "counters)";
	case EOPNOTSUPP:
		return "this perf event can count but not sample";
	case EINVAL:
		return "the kernel rejected the event's type, config or sample period";
	case EBUSY:
		return "its hardware counter is in use";
	default:
		return reason(err);
	}
}

static const char *why(const struct stp_kprobe_desc *k, int err)
{
	if (stp_is_kwild(k))
		return stp_kwild_failure(); /* it knows which function, or how many */
	return k->attach == STP_ATTACH_PERF ? perf_reason(err) : reason(err);
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

/* Point lists where a '!' point's probe attached: list, and that point's index. */
struct closed_lists {
	struct stp_alt_scope *at;
	int n;
};

/* Whether a '!' alternative before k, in a list k comes through, attached. */
static bool superseded(const struct closed_lists *c, const struct stp_kprobe_desc *k)
{
	for (int l = 0; l < k->nscopes; l++)
		for (int j = 0; j < c->n; j++)
			if (c->at[j].list == k->scopes[l].list && c->at[j].index < k->scopes[l].index)
				return true;
	return false;
}

/* k attached: each '!' point it comes from ends its list. */
static void close_lists(struct closed_lists *c, const struct stp_kprobe_desc *k)
{
	for (int l = 0; l < k->nscopes; l++) {
		if (!k->scopes[l].sufficient)
			continue;
		struct stp_alt_scope *a = realloc(c->at, sizeof(*a) * (size_t)(c->n + 1));
		if (!a)
			return;
		c->at = a;
		c->at[c->n++] = k->scopes[l];
	}
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
	/* Kernel function wildcards: matched on this kernel's functions. */
	stp_kwild_expand(rt);
	bool *use = calloc((size_t)t->nkprobes, sizeof(bool));
	for (int i = 0; i < t->nkprobes; i++) {
		const struct stp_kprobe_desc *k = &t->kprobes[i];
		struct bpf_program *prog = bpf_object__find_program_by_name(obj, k->prog);
		if (!prog) {
			stp_say("internal error: no BPF program %s", k->prog);
			free(use);
			return 1;
		}
		use[i] = k->ukind != STP_U_NONE ? t->uprobes->viable(i)
			 : stp_is_kwild(k)	? stp_kwild_viable(t, i)
						: viable(k);
		bpf_program__set_autoload(prog, use[i]);
		struct bpf_program *ep = stp_entry_program(obj, k);
		if (ep)
			bpf_program__set_autoload(ep, use[i]);
	}
	if (t->uprobes)
		t->uprobes->before_load(rt, obj);
	stp_kwild_size_map(obj);
	stp_log_clear();
	int err = bpf_object__load(obj);
	if (err && bpf_object__find_map_by_name(obj, ".kconfig") && !stp_kconfig_available()) {
		stp_say("cannot read this kernel's configuration (/boot/config-RELEASE or "
			"/proc/config.gz), which the script's %%( CONFIG_... %%) conditions need");
		free(use);
		return 1;
	}
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
	if ((t->uprobes && t->uprobes->fill_maps(rt, obj) != 0) || stp_kwild_fill_map(rt, obj) != 0) {
		free(use);
		return 1;
	}
	/* -G values are in place before any probe can fire. */
	stp_apply_global_options(rt, ss);
	/*
	 * Attach probe by probe (a subgroup of variants: the first that
	 * attaches is the probe's), skipping those that a sufficient probe
	 * before them made unnecessary.
	 */
	struct closed_lists closed = { 0 };
	unsigned char *state = calloc((size_t)t->nkprobes + 1, 1);
	for (int i = 0; i < t->nkprobes;) {
		const struct stp_kprobe_desc *k = &t->kprobes[i];
		int end = i + 1;
		while (end < t->nkprobes && t->kprobes[end].subgroup == k->subgroup)
			end++;
		if (superseded(&closed, k)) {
			state[i] = STP_SUB_SUPERSEDED;
			if (stp_verbosity)
				stp_say("probe %s: not needed, an alternative before it attached", k->pp);
			i = end;
			continue;
		}
		bool attached = false;
		err = 0;
		for (int v = i; v < end && !attached; v++) {
			const struct stp_kprobe_desc *var = &t->kprobes[v];
			if (!use[v]) {
				if (stp_verbosity)
					stp_say("probe %s: %s (%s) is not possible on this kernel", var->pp,
						var->prog, attach_name(var->attach));
				continue;
			}
			struct bpf_program *prog = bpf_object__find_program_by_name(obj, var->prog);
			err = attach_one(rt, ss, prog, v);
			if (!err) {
				attached = true;
				if (stp_verbosity)
					stp_say("probe %s: attached as %s (%s)", var->pp, var->prog,
						attach_name(var->attach));
			} else if (stp_verbosity) {
				stp_say("probe %s: %s did not attach (%s)", var->pp, var->prog, why(var, err));
			}
		}
		if (!attached && !k->optional) {
			free(closed.at);
			free(state);
			struct utsname u;
			uname(&u);
			if (is_kernel_function(k) && !stp_kernel_functions_probeable(k->target))
				stp_say("cannot probe %s: kernel %s can probe no kernel function (it has "
					"no kprobes and no BPF trampolines)",
					k->pp, u.release);
			else if (stp_is_kwild(k))
				stp_say("cannot probe %s: %s", k->pp, stp_kwild_failure());
			else if (is_kernel_function(k) && (!err || err == -ENOENT))
				stp_say("cannot probe %s: kernel %s has no function %s that can be probed",
					k->pp, u.release, k->target);
			else {
				stp_say("cannot probe %s: %s", k->pp, why(k, err ? err : -ENOENT));
			}
			free(use);
			return 1;
		}
		if (attached) {
			state[i] = STP_SUB_ATTACHED;
			close_lists(&closed, k);
		}
		i = end;
	}
	free(closed.at);
	free(use);
	int rc = stp_report_wildcards(t, state);
	free(state);
	return rc;
}
