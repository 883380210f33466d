// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * links.c - the programs a probe attaches and the links that attaching
 * made: every link is kept here, and all are destroyed at the end.
 */
#include "stp_internal.h"

#include <bpf/libbpf.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct bpf_program *stp_entry_program(struct bpf_object *obj, const struct stp_kprobe_desc *k)
{
	char entry[128];
	snprintf(entry, sizeof(entry), "%s_entry", k->prog);
	return bpf_object__find_program_by_name(obj, entry);
}

void stp_add_link(struct stp_session *ss, struct bpf_link *link, const char *pp)
{
	ss->links = realloc(ss->links, sizeof(*ss->links) * (size_t)(ss->nlinks + 1));
	ss->attached_pp = realloc((void *)ss->attached_pp, sizeof(char *) * (size_t)(ss->nlinks + 1));
	ss->links[ss->nlinks] = link;
	ss->attached_pp[ss->nlinks] = pp;
	ss->nlinks++;
}

struct detach_slice {
	struct bpf_link **links;
	int from, to;
};

static void *detach_slice(void *arg)
{
	struct detach_slice *d = arg;
	for (int i = d->to - 1; i >= d->from; i--)
		bpf_link__destroy(d->links[i]);
	return NULL;
}

/*
 * Each uprobe or kprobe perf event waits for an RCU grace period when it
 * goes: thousands of them, one after the other, take minutes. Detached
 * from several threads the waits overlap.
 */
#define DETACH_THREADS 32

void stp_detach_all(struct stp_session *ss)
{
	int n = ss->nlinks, nthreads = n >= 256 ? DETACH_THREADS : 0;
	pthread_t th[DETACH_THREADS];
	struct detach_slice slice[DETACH_THREADS];
	int started = 0;
	for (int t = 0; t < nthreads; t++) {
		slice[t] = (struct detach_slice){ ss->links, n * t / nthreads, n * (t + 1) / nthreads };
		if (pthread_create(&th[t], NULL, detach_slice, &slice[t]) != 0)
			break;
		started++;
	}
	for (int t = 0; t < started; t++)
		pthread_join(th[t], NULL);
	int done_upto = started ? slice[started - 1].to : 0;
	for (int i = n - 1; i >= done_upto; i--)
		bpf_link__destroy(ss->links[i]);
	free(ss->links);
	free((void *)ss->attached_pp);
	ss->links = NULL;
	ss->nlinks = 0;
}
