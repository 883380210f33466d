// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/* ref (d): s <<< count; at exit prints count=@count(s) sum=@sum(s). */
#include <linux/types.h>
#include "ref.h"
#include "stats.h"
#include "stats.skel.h"

int main(int argc, char **argv)
{
	struct ref_opts o;
	struct stats_bpf *skel;
	int ncpu = libbpf_num_possible_cpus();

	ref_init(argc, argv, &o);
	if (ncpu <= 0) {
		fprintf(stderr, "cannot count the CPUs\n");
		return 1;
	}
	skel = stats_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "failed to open and load BPF object\n");
		return 1;
	}
	if (stats_bpf__attach(skel)) {
		fprintf(stderr, "failed to attach BPF programs\n");
		stats_bpf__destroy(skel);
		return 1;
	}
	ref_ready();
	ref_wait(&o, NULL, NULL, 0);
	stats_bpf__detach(skel);

	struct stats per_cpu[ncpu], total = { 0 };
	__u32 zero = 0;
	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.stats), &zero, per_cpu) == 0) {
		for (int i = 0; i < ncpu; i++) {
			total.count += per_cpu[i].count;
			total.sum += per_cpu[i].sum;
		}
	}
	printf("count=%llu sum=%llu\n", (unsigned long long)total.count,
	       (unsigned long long)total.sum);
	stats_bpf__destroy(skel);
	return 0;
}
