// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * sites.c - the tool's site expanders (sites.h), each step run on all of
 * them in one order: uprobes first, then kernel function wildcards.
 */
#include "sites.h"

#define MAX_EXPANDERS 2

/* The tool's expanders, in order: how many. */
static int expanders(const struct stp_tool *t, const struct stp_site_expander **out)
{
	int n = 0;
	if (t->uprobes)
		out[n++] = t->uprobes; /* only tools with uprobes link uprobes.c and libdw */
	out[n++] = &stp_kwild_expander;
	return n;
}

const struct stp_site_expander *stp_site_expander_of(const struct stp_tool *t,
						     const struct stp_kprobe_desc *k)
{
	const struct stp_site_expander *e[MAX_EXPANDERS];
	int n = expanders(t, e);
	for (int i = 0; i < n; i++)
		if (e[i]->owns(k))
			return e[i];
	return NULL;
}

int stp_sites_expand(struct stp_rt *rt, struct stp_session *ss)
{
	const struct stp_site_expander *e[MAX_EXPANDERS];
	int n = expanders(rt->tool, e);
	for (int i = 0; i < n; i++)
		if (e[i]->expand(rt, ss) != 0)
			return 1;
	return 0;
}

void stp_sites_before_load(struct stp_rt *rt, struct bpf_object *obj)
{
	const struct stp_site_expander *e[MAX_EXPANDERS];
	int n = expanders(rt->tool, e);
	for (int i = 0; i < n; i++)
		e[i]->before_load(rt, obj);
}

int stp_sites_fill_maps(struct stp_rt *rt, struct bpf_object *obj)
{
	const struct stp_site_expander *e[MAX_EXPANDERS];
	int n = expanders(rt->tool, e);
	for (int i = 0; i < n; i++)
		if (e[i]->fill_maps(rt, obj) != 0)
			return 1;
	return 0;
}

bool stp_sites_piece(struct stp_rt *rt, int tag, const char **p, const char *end, char *dst)
{
	const struct stp_site_expander *e[MAX_EXPANDERS];
	int n = expanders(rt->tool, e);
	for (int i = 0; i < n; i++)
		if (e[i]->piece(rt, tag, p, end, dst))
			return true;
	return false;
}

void stp_sites_cleanup(const struct stp_tool *t)
{
	const struct stp_site_expander *e[MAX_EXPANDERS];
	int n = expanders(t, e);
	for (int i = 0; i < n; i++)
		e[i]->cleanup();
}
