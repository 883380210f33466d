// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/* ref (a): reads[comm] += count, in-place atomic add; prints the map at exit. */
#include "ref.h"
#include "reads_atomic.skel.h"

int main(int argc, char **argv)
{
	struct ref_opts o;
	struct reads_atomic_bpf *skel;

	ref_init(argc, argv, &o);
	skel = reads_atomic_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "failed to open and load BPF object\n");
		return 1;
	}
	if (reads_atomic_bpf__attach(skel)) {
		fprintf(stderr, "failed to attach BPF programs\n");
		reads_atomic_bpf__destroy(skel);
		return 1;
	}
	ref_ready();
	ref_wait(&o, NULL, NULL, 0);
	if (!o.fork_detach)
		reads_atomic_bpf__detach(skel);
	ref_print_comm_map("reads", bpf_map__fd(skel->maps.reads));
	ref_fork_detach(&o);
	reads_atomic_bpf__destroy(skel);
	return 0;
}
