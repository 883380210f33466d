// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * ref (a), the 1.00 bar: reads[comm] += count on every read(2), a hash map
 * keyed by the 16-byte comm, the value added to in place with an atomic.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define TASK_COMM_LEN 16
#define MAX_ENTRIES 10240

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_ENTRIES);
	__type(key, char[TASK_COMM_LEN]);
	__type(value, u64);
} reads SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_read")
int read_enter(struct trace_event_raw_sys_enter *ctx)
{
	char comm[TASK_COMM_LEN];
	u64 count = ctx->args[2];
	u64 *v;

	bpf_get_current_comm(&comm, sizeof(comm));
	v = bpf_map_lookup_elem(&reads, &comm);
	if (!v) {
		if (bpf_map_update_elem(&reads, &comm, &count, BPF_NOEXIST) == 0)
			return 0;
		/* another CPU created it first */
		v = bpf_map_lookup_elem(&reads, &comm);
		if (!v)
			return 0;
	}
	__sync_fetch_and_add(v, count);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
