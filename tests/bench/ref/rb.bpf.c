// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * ref (e): one ring-buffer record per event, formatted in user space.
 * Built twice: -DRB_OPEN, printf("%s %s\n", execname(), filename) per
 * openat(2); else printf("%s %d\n", execname(), $count) per read(2).
 * Records are submitted with BPF_RB_NO_WAKEUP, user space drains every
 * 1 ms; a record that finds the buffer full is counted as lost.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "rb.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, RB_SIZE);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} lost SEC(".maps");

static __always_inline void count_lost(void)
{
	u32 zero = 0;
	u64 *n = bpf_map_lookup_elem(&lost, &zero);
	if (n)
		(*n)++;
}

#ifdef RB_OPEN
SEC("tracepoint/syscalls/sys_enter_openat")
int openat_enter(struct trace_event_raw_sys_enter *ctx)
{
	struct rb_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e) {
		count_lost();
		return 0;
	}
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_probe_read_user_str(e->fname, sizeof(e->fname), (const char *)ctx->args[1]);
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
	return 0;
}
#else
SEC("tracepoint/syscalls/sys_enter_read")
int read_enter(struct trace_event_raw_sys_enter *ctx)
{
	struct rb_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e) {
		count_lost();
		return 0;
	}
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->count = ctx->args[2];
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
	return 0;
}
#endif

char LICENSE[] SEC("license") = "Dual BSD/GPL";
