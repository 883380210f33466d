// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * load.c - open the tool's BPF object, choose the variants this kernel can
 * have, load it, and set up what BPF reads before any probe fires.
 *
 * A probe written with alternatives (`a!, b` or `a?`), and every probe
 * compiled in several variants (fentry, kprobe, tracepoint), comes as a
 * group of programs. Before loading, variants the running kernel cannot
 * have are switched off (no such tracepoint, function or binary), so that
 * they neither fail the load nor cost the verifier's time; attach.c then
 * attaches the others.
 *
 * Every step leaves what it made in the session (ss->obj, ss->viable, the
 * site expanders' state), which the end of the run frees on every way out.
 */
#include "kfeatures.h"
#include "sites.h"

#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static int open_object(struct stp_rt *rt, struct stp_session *ss)
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
	return 0;
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

/* Which variants load: ss->viable, and each program's (and its entry program's) autoload. */
static int choose_variants(struct stp_rt *rt, struct stp_session *ss)
{
	const struct stp_tool *t = rt->tool;
	ss->viable = calloc((size_t)t->nkprobes, sizeof(bool));
	if (!ss->viable)
		return 1;
	for (int i = 0; i < t->nkprobes; i++) {
		const struct stp_kprobe_desc *k = &t->kprobes[i];
		struct bpf_program *prog = bpf_object__find_program_by_name(ss->obj, k->prog);
		if (!prog) {
			stp_say("internal error: no BPF program %s", k->prog);
			return 1;
		}
		/* A probe whose places are found here can be had where it has some. */
		const struct stp_site_expander *e = stp_site_expander_of(t, k);
		ss->viable[i] = e ? e->viable(t, i) : viable(k);
		bpf_program__set_autoload(prog, ss->viable[i]);
		struct bpf_program *ep = stp_entry_program(ss->obj, k);
		if (ep)
			bpf_program__set_autoload(ep, ss->viable[i]);
	}
	return 0;
}

/* Turns libbpf's verifier log into one sentence and, with -v, the log. */
static void explain_load_failure(const char *name, int err)
{
	const char *log = stp_log_text();
	/* The line the verifier complained about: its `; source @ file:line`. */
	const char *where = NULL, *reason = "";
	for (const char *p = log; (p = strstr(p, "\n; ")); p++)
		where = p + 3;
	int nreason = stp_log_reason(&reason);
	if (where) {
		const char *end = strchr(where, '\n');
		stp_say("the kernel's BPF verifier rejected the probe handlers near: %.*s%s%.*s%s",
			(int)(end ? end - where : (long)strlen(where)), where, nreason ? " (" : "",
			nreason, reason, nreason ? ")" : "");
	} else {
		stp_say("cannot load the BPF programs: %s", strerror(-err));
	}
	if (stp_verbosity)
		fprintf(stderr, "%s", log);
	else
		fprintf(stderr, "%s: run with -v for the verifier's log\n", name);
}

static int load_object(struct stp_rt *rt, struct bpf_object *obj)
{
	stp_log_clear();
	int err = bpf_object__load(obj);
	if (!err) {
		struct bpf_map *u = bpf_object__find_map_by_name(obj, "stp_uaddrs");
		stp_uaddrs_fd = u ? bpf_map__fd(u) : -1;
		return 0;
	}
	if (bpf_object__find_map_by_name(obj, ".kconfig") && !stp_kconfig_available())
		stp_say("cannot read this kernel's configuration (/boot/config-RELEASE or "
			"/proc/config.gz), which the script's %%( CONFIG_... %%) conditions need");
	else
		explain_load_failure(rt->tool->name, err);
	return 1;
}

/* The BPF globals area (.data), for the tool's handlers: rt->kglobals. */
static int map_globals(struct stp_rt *rt, struct bpf_object *obj)
{
	rt->kglobals = NULL;
	struct bpf_map *m;
	bpf_object__for_each_map(m, obj) {
		const char *n = bpf_map__name(m);
		size_t len = strlen(n);
		if (len < 5 || strcmp(n + len - 5, ".data"))
			continue;
		/* libbpf maps global data for skeletons only: map it ourselves. */
		size_t sz = (bpf_map__value_size(m) + 4095) & ~(size_t)4095;
		void *p = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(m), 0);
		if (p == MAP_FAILED) {
			stp_say("cannot map the BPF globals: %s", strerror(errno));
			return 1;
		}
		rt->kglobals = p;
	}
	return 0;
}

int stp_load(struct stp_rt *rt, struct stp_session *ss)
{
	const struct stp_tool *t = rt->tool;
	if (open_object(rt, ss) != 0)
		return 1;
	/* Probes whose places are found here: uprobes' binaries, this kernel's functions. */
	if (stp_sites_expand(rt, ss) != 0 || choose_variants(rt, ss) != 0)
		return 1;
	stp_sites_before_load(rt, ss->obj);
	if (load_object(rt, ss->obj) != 0 || map_globals(rt, ss->obj) != 0)
		return 1;
	/* The generated code finds its maps; the expanders fill theirs. */
	if ((t->bind && t->bind(rt, ss->obj) != 0) || stp_pystack_bind(rt, ss) != 0)
		return 1;
	return stp_sites_fill_maps(rt, ss->obj);
}
