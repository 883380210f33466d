// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * wildcards.c - the account of a kernel.function wildcard on this kernel.
 *
 * The compiler expands kernel.function("vfs_*") into one probe per match
 * on the build host, each optional here. After attaching, this says per
 * wildcard how many matched functions attached and why the others did not
 * (missing from this kernel, inlined, notrace), with -v, and stops the tool
 * when none did and the user did not make the point optional.
 */
#include "kfeatures.h"
#include "stp_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

/* A sorted list of function names read from a /proc or tracefs file. */
struct name_set {
	char **names;
	size_t n;
	bool loaded, readable;
};

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Loads the names of `path`, one per line: with `field` 2 the third word
 * of a kallsyms line of a text symbol, with 0 the first word.
 */
static void load_names(struct name_set *s, const char *path, int field)
{
	s->loaded = true;
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	s->readable = true;
	char line[512];
	size_t cap = 0;
	while (fgets(line, sizeof(line), f)) {
		char *w[3] = { 0 };
		char *save = NULL;
		w[0] = strtok_r(line, " \t\n", &save);
		for (int i = 1; i < 3 && w[i - 1]; i++)
			w[i] = strtok_r(NULL, " \t\n", &save);
		if (field == 2 && !(w[1] && (w[1][0] == 't' || w[1][0] == 'T')))
			continue;
		const char *name = w[field];
		if (!name)
			continue;
		if (s->n == cap) {
			cap = cap ? 2 * cap : 4096;
			char **v = realloc(s->names, cap * sizeof(*v));
			if (!v)
				break;
			s->names = v;
		}
		s->names[s->n++] = strdup(name);
	}
	fclose(f);
	if (s->n > 1)
		qsort(s->names, s->n, sizeof(*s->names), cmp_name);
}

static bool has_name(const struct name_set *s, const char *name)
{
	return s->n && bsearch(&name, s->names, s->n, sizeof(*s->names), cmp_name);
}

static void free_names(struct name_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->names[i]);
	free(s->names);
}

/* What the reasons are read from, each once, when first needed. */
static struct reasons {
	struct name_set kallsyms, traceable;
	bool probeable_known, probeable;
} reasons;

/* Why function f could not be probed here, in a few words. */
const char *stp_why_not_probed(const char *f)
{
	struct reasons *r = &reasons;
	if (!r->probeable_known) {
		r->probeable_known = true;
		r->probeable = stp_kernel_functions_probeable(f);
	}
	if (!r->probeable)
		return "this kernel can probe no kernel function (it has no kprobes and no BPF "
		       "trampolines)";
	if (!r->kallsyms.loaded)
		load_names(&r->kallsyms, "/proc/kallsyms", 2);
	if (r->kallsyms.readable && !has_name(&r->kallsyms, f))
		return "not in this kernel (removed, renamed or inlined into its callers)";
	if (!r->traceable.loaded) {
		char path[512];
		snprintf(path, sizeof(path), "%s/available_filter_functions", stp_tracefs());
		load_names(&r->traceable, path, 0);
	}
	if (r->traceable.readable && !has_name(&r->traceable, f))
		return "notrace (the kernel does not let it be traced)";
	return "the kernel refused both fentry and kprobe (-vv shows libbpf's account)";
}

#define MAX_LISTED 10

void stp_why_not_free(void)
{
	free_names(&reasons.kallsyms);
	free_names(&reasons.traceable);
	reasons = (struct reasons){ 0 };
}

int stp_report_wildcards(const struct stp_tool *t, const unsigned char *state)
{
	int rc = 0;
	for (int i = 0; i < t->nkprobes;) {
		const char *origin = t->kprobes[i].origin;
		if (!origin) {
			i++;
			continue;
		}
		/* The run of subgroups from this wildcard. */
		int matched = 0, attached = 0, skipped = 0, end = i;
		while (end < t->nkprobes && t->kprobes[end].origin &&
		       !strcmp(t->kprobes[end].origin, origin)) {
			int sub = t->kprobes[end].subgroup;
			if (state[end] != STP_SUB_SUPERSEDED) {
				matched++;
				attached += state[end] == STP_SUB_ATTACHED;
			}
			while (end < t->nkprobes && t->kprobes[end].subgroup == sub)
				end++;
		}
		bool none = matched && !attached && !t->kprobes[i].origin_optional;
		if (stp_verbosity && matched)
			stp_say("probe %s: %d of %d functions attached", origin, attached, matched);
		for (int j = i; j < end; j++) {
			const struct stp_kprobe_desc *k = &t->kprobes[j];
			if (j > i && k->subgroup == t->kprobes[j - 1].subgroup)
				continue; /* a later variant of the same function */
			if (state[j] != STP_SUB_FAILED)
				continue;
			if (none && !stp_verbosity) {
				struct utsname u;
				uname(&u);
				stp_say("cannot probe %s: none of the %d functions it matched when it was "
					"compiled can be probed on kernel %s (%s: %s)",
					origin, matched, u.release, k->target, stp_why_not_probed(k->target));
				break;
			}
			if (stp_verbosity && skipped++ < MAX_LISTED)
				stp_say("probe %s: skipped %s: %s", origin, k->target, stp_why_not_probed(k->target));
		}
		if (stp_verbosity && skipped > MAX_LISTED)
			stp_say("probe %s: ... and %d more skipped", origin, skipped - MAX_LISTED);
		if (none) {
			if (stp_verbosity)
				stp_say("cannot probe %s: none of the functions it matched can be probed here",
					origin);
			rc = 1;
		}
		i = end;
	}
	return rc;
}
