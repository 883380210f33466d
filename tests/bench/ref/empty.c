// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/* ref (c): an empty program on sys_enter_read. */
#include "ref.h"
#include "empty.skel.h"

int main(int argc, char **argv)
{
	struct ref_opts o;
	struct empty_bpf *skel;

	ref_init(argc, argv, &o);
	skel = empty_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "failed to open and load BPF object\n");
		return 1;
	}
	if (empty_bpf__attach(skel)) {
		fprintf(stderr, "failed to attach BPF programs\n");
		empty_bpf__destroy(skel);
		return 1;
	}
	ref_ready();
	ref_wait(&o, NULL, NULL, 0);
	empty_bpf__destroy(skel);
	return 0;
}
