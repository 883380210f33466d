/* SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause */
/*
 * uprobe_multi.h - uprobe_multi links (Linux 6.6): every site of a probe in
 * one link, so that detaching thousands of uprobes waits for one RCU grace
 * period, not one each (minutes for /usr/bin/bash's 1,670 functions).
 * libbpf 1.1 and Debian 12's UAPI headers predate them: the attach type and
 * the link_create layout are spelled here.
 */
#ifndef STP_UPROBE_MULTI_H
#define STP_UPROBE_MULTI_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <sys/syscall.h>
#include <unistd.h>

#define STP_TRACE_UPROBE_MULTI 48
#define STP_F_UPROBE_MULTI_RETURN 1U

struct stp_uprobe_multi_attr {
	__u32 prog_fd, target_fd, attach_type, flags;
	__aligned_u64 path, offsets, ref_ctr_offsets, cookies;
	__u32 cnt, flags_multi, pid;
};

/* A uprobe_multi link of prog_fd to cnt offsets of path: its fd, or -1 with errno. */
static inline int stp_uprobe_multi_link_create(int prog_fd, const char *path,
					       const unsigned long *offsets, const __u64 *cookies,
					       __u32 cnt, bool ret, int pid)
{
	struct stp_uprobe_multi_attr a = {
		.prog_fd = (__u32)prog_fd,
		.attach_type = STP_TRACE_UPROBE_MULTI,
		.path = (__u64)(unsigned long)path,
		.offsets = (__u64)(unsigned long)offsets,
		.cookies = (__u64)(unsigned long)cookies,
		.cnt = cnt,
		.flags_multi = ret ? STP_F_UPROBE_MULTI_RETURN : 0,
		.pid = pid > 0 ? (__u32)pid : 0,
	};
	return (int)syscall(__NR_bpf, BPF_LINK_CREATE, &a, sizeof(a));
}

#endif /* STP_UPROBE_MULTI_H */
