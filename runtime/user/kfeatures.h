/* SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause */
/*
 * kfeatures.h - what the running kernel can do (kfeatures.c): the checks
 * preflight, load and attach ask before they try.
 */
#ifndef STP_KFEATURES_H
#define STP_KFEATURES_H

#include <stdbool.h>
#include <stdint.h>

/* Where tracefs is mounted. */
const char *stp_tracefs(void);
/*
 * Whether tracefs can be used: 0, ENOENT where it is not mounted, or
 * EACCES (and *denied: where) when it is but this user may not look inside
 * it, as with CAP_BPF and CAP_PERFMON but not root: they do not open tracefs.
 */
int stp_tracefs_access(const char **denied);
/* Whether the kernel has BTF (/sys/kernel/btf/vmlinux). */
bool stp_have_vmlinux_btf(void);
/* Whether lockdown refuses BPF programs that read kernel memory. */
bool stp_lockdown_confidential(void);

/* Whether kprobes can be made here. */
bool stp_have_kprobes(void);
/* Whether the classic tracepoint "system:event" exists. */
bool stp_have_tracepoint(const char *target);
/* Whether the BTF-typed tracepoint event may exist (true when BTF cannot tell). */
bool stp_have_btf_tracepoint(const char *event);
/*
 * Whether a BPF trampoline can be put on func here: a tiny fentry (fexit)
 * program for it must load. Kernels without trampolines (or that refuse
 * them) say no here, not when the whole object loads.
 */
bool stp_fentry_can_attach(const char *func, bool fexit);
/* Whether this kernel can probe kernel functions at all: kprobes or trampolines (func: one to try). */
bool stp_kernel_functions_probeable(const char *func);
/* Whether this kernel has kprobe_multi links (fprobe, 5.18 and later). */
bool stp_have_kprobe_multi(void);
/*
 * Whether uprobe_multi links work (6.6), with the process (not thread)
 * filtering that kernels fixed after 6.6's first version.
 */
bool stp_have_uprobe_multi(void);

/*
 * A program that returns 0, loaded to ask the kernel whether it has a kind
 * of program or link: its fd, or -1 with errno.
 */
int stp_load_probe_prog(int type, int attach_type, uint32_t btf_id);

#endif /* STP_KFEATURES_H */
