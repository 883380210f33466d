// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * ref (d): s <<< count, printed at the end as @count and @sum: one per-CPU
 * slot, summed over the CPUs in user space.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "stats.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct stats);
} stats SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_read")
int read_enter(struct trace_event_raw_sys_enter *ctx)
{
	u32 zero = 0;
	struct stats *s = bpf_map_lookup_elem(&stats, &zero);

	if (!s)
		return 0;
	s->count++;
	s->sum += ctx->args[2];
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
