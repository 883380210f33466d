// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * attach.c - attach the loaded probes, probe by probe.
 *
 * A probe's variants (fentry, kprobe, a tracepoint ...) attach in order
 * and the first that works is the probe's. A probe that comes from a '!'
 * point and attaches makes the later points of that point's list
 * unnecessary; a probe that attaches no variant stops the tool unless it
 * is optional. Probes whose places were found here (sites.h) attach
 * through their expander.
 */
#include "kfeatures.h"
#include "sites.h"

#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

static bool is_kernel_function(const struct stp_tool *t, const struct stp_kprobe_desc *k)
{
	const struct stp_site_expander *e = stp_site_expander_of(t, k);
	return k->attach == STP_ATTACH_FENTRY || k->attach == STP_ATTACH_FEXIT ||
	       k->attach == STP_ATTACH_KPROBE || k->attach == STP_ATTACH_KRETPROBE ||
	       (e && e->kernel_functions);
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
	const struct stp_site_expander *e = stp_site_expander_of(rt->tool, k);
	if (e)
		return e->attach(rt, ss, prog, ep, i);
	if (k->attach == STP_ATTACH_PERF)
		return attach_perf(ss, prog, k);
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

static const char *why(const struct stp_tool *t, const struct stp_kprobe_desc *k, int err)
{
	const struct stp_site_expander *e = stp_site_expander_of(t, k);
	const char *f = e && e->failure ? e->failure((int)(k - t->kprobes)) : NULL;
	if (f)
		return f; /* it knows which site, or how many */
	return k->attach == STP_ATTACH_PERF ? perf_reason(err) : reason(err);
}

/* Whether a '!' alternative before k, in a list k comes through, attached. */
bool stp_alt_superseded(const struct stp_closed_lists *c, const struct stp_kprobe_desc *k)
{
	for (int l = 0; l < k->nscopes; l++)
		for (int j = 0; j < c->n; j++)
			if (c->at[j].list == k->scopes[l].list && c->at[j].index < k->scopes[l].index)
				return true;
	return false;
}

/* k attached: each '!' point it comes from ends its list. */
void stp_alt_close(struct stp_closed_lists *c, const struct stp_kprobe_desc *k)
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

/* Variant v, which this kernel can have: 0, or a negative errno; said with -v. */
static int attach_variant(struct stp_rt *rt, struct stp_session *ss, int v)
{
	const struct stp_kprobe_desc *var = &rt->tool->kprobes[v];
	struct bpf_program *prog = bpf_object__find_program_by_name(ss->obj, var->prog);
	int err = attach_one(rt, ss, prog, v);
	if (!stp_verbosity)
		return err;
	if (!err)
		stp_say("probe %s: attached as %s (%s)", var->pp, var->prog, attach_name(var->attach));
	else
		stp_say("probe %s: %s did not attach (%s)", var->pp, var->prog, why(rt->tool, var, err));
	return err;
}

/* Why probe k attached no variant (err: the last one's), in one sentence. */
static void say_cannot_probe(const struct stp_tool *t, const struct stp_kprobe_desc *k, int err)
{
	const struct stp_site_expander *e = stp_site_expander_of(t, k);
	struct utsname u;
	uname(&u);
	if (is_kernel_function(t, k) && !stp_kernel_functions_probeable(k->target))
		stp_say("cannot probe %s: kernel %s can probe no kernel function (it has "
			"no kprobes and no BPF trampolines)",
			k->pp, u.release);
	else if (e && e->failure && e->failure((int)(k - t->kprobes)))
		stp_say("cannot probe %s: %s", k->pp, e->failure((int)(k - t->kprobes)));
	else if (is_kernel_function(t, k) && (!err || err == -ENOENT))
		stp_say("cannot probe %s: kernel %s has no function %s that can be probed", k->pp,
			u.release, k->target);
	else
		stp_say("cannot probe %s: %s", k->pp, why(t, k, err ? err : -ENOENT));
}

/*
 * Probe i, whose variants run up to end: the first that attaches is the
 * probe's. 0, or 1 when it attached none and is not optional.
 */
static int attach_probe(struct stp_rt *rt, struct stp_session *ss, int i, int end,
			struct stp_closed_lists *closed, unsigned char *state)
{
	const struct stp_kprobe_desc *k = &rt->tool->kprobes[i];
	if (stp_alt_superseded(closed, k)) {
		state[i] = STP_SUB_SUPERSEDED;
		if (stp_verbosity)
			stp_say("probe %s: not needed, an alternative before it attached", k->pp);
		return 0;
	}
	int err = 0;
	for (int v = i; v < end; v++) {
		const struct stp_kprobe_desc *var = &rt->tool->kprobes[v];
		if (!ss->viable[v]) {
			if (stp_verbosity)
				stp_say("probe %s: %s (%s) is not possible on this kernel", var->pp,
					var->prog, attach_name(var->attach));
			continue;
		}
		err = attach_variant(rt, ss, v);
		if (!err) {
			state[i] = STP_SUB_ATTACHED;
			stp_alt_close(closed, k);
			return 0;
		}
	}
	if (k->optional)
		return 0;
	say_cannot_probe(rt->tool, k, err);
	return 1;
}

/* The end of probe i's variants: the next probe's first. */
static int probe_end(const struct stp_tool *t, int i)
{
	int end = i + 1;
	while (end < t->nkprobes && t->kprobes[end].subgroup == t->kprobes[i].subgroup)
		end++;
	return end;
}

int stp_attach(struct stp_rt *rt, struct stp_session *ss)
{
	const struct stp_tool *t = rt->tool;
	struct stp_closed_lists closed = { 0 };
	/* What became of each probe, for the account of compile-time wildcards. */
	unsigned char *state = calloc((size_t)t->nkprobes + 1, 1);
	int rc = 1;
	if (!state)
		goto cleanup;
	for (int i = 0; i < t->nkprobes; i = probe_end(t, i))
		if (attach_probe(rt, ss, i, probe_end(t, i), &closed, state) != 0)
			goto cleanup;
	rc = stp_report_wildcards(t, state);
cleanup:
	free(closed.at);
	free(state);
	return rc;
}
