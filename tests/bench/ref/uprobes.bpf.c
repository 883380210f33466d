// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * ref (g), for the many-probes figure: one program attached as a uprobe to
 * each of N functions of a binary, counting calls.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

__u64 calls;

SEC("uprobe")
int hit(void *ctx)
{
	__sync_fetch_and_add(&calls, 1);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
