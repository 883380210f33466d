// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/* ref (c): an empty program on the same tracepoint: what attaching alone costs. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_enter_read")
int read_enter(struct trace_event_raw_sys_enter *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
