// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * ref (e): one ring-buffer record per event, formatted here; the buffer is
 * drained every 1 ms (the kernel side submits without a wakeup). Records
 * that found the buffer full are reported at exit as stapc's tools do.
 */
#include <linux/types.h>
#include "ref.h"
#include "rb.h"
#include RB_SKEL

static int on_event(void *ctx, void *data, size_t len)
{
	const struct rb_event *e = data;
	(void)ctx;
	(void)len;
#ifdef RB_OPEN
	printf("%.16s %.128s\n", e->comm, e->fname);
#else
	printf("%.16s %llu\n", e->comm, (unsigned long long)e->count);
#endif
	return 0;
}

static void drain(void *rb)
{
	ring_buffer__consume(rb);
}

int main(int argc, char **argv)
{
	struct ref_opts o;
	struct rb_bpf *skel;
	struct ring_buffer *rb;
	int ncpu = libbpf_num_possible_cpus();

	ref_init(argc, argv, &o);
	skel = rb_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "failed to open and load BPF object\n");
		return 1;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, NULL, NULL);
	if (!rb || rb_bpf__attach(skel)) {
		fprintf(stderr, "failed to set up the ring buffer or attach\n");
		rb_bpf__destroy(skel);
		return 1;
	}
	ref_ready();
	ref_wait(&o, drain, rb, 1000);
	rb_bpf__detach(skel);
	drain(rb);
	fflush(stdout);

	unsigned long long per_cpu[ncpu > 0 ? ncpu : 1], lost = 0;
	__u32 zero = 0;
	if (ncpu > 0 && bpf_map_lookup_elem(bpf_map__fd(skel->maps.lost), &zero, per_cpu) == 0)
		for (int i = 0; i < ncpu; i++)
			lost += per_cpu[i];
	if (lost)
		fprintf(stderr, "WARNING: %llu output records were lost\n", lost);
	ring_buffer__free(rb);
	rb_bpf__destroy(skel);
	return 0;
}
