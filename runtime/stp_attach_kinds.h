/* SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause */
/*
 * stp_attach_kinds.h - the ways a BPF program attaches, one list for the
 * compiler and the runtime (plain C, no includes). The compiler names a
 * kind in the tool's description, the runtime attaches by it; both derive
 * their tables from this list, so the two cannot disagree.
 *
 * STP_ATTACH_KIND(NAME, section, said, feature, since):
 *   NAME     the kind is STP_ATTACH_NAME
 *   section  the ELF section (program type) of its programs: "section" or
 *            "section/target"
 *   said     how the tool names it in messages ("cannot attach as ...")
 *   feature  the kernel feature the manifest lists for it, or NULL for none
 *   since    the kernel release that first has the feature, major*1000+minor
 */
#ifndef STP_ATTACH_KINDS_H
#define STP_ATTACH_KINDS_H

#define STP_ATTACH_KINDS(X)                                                              \
	/* BTF-typed raw tracepoint: target = event */                                   \
	X(TP_BTF, "tp_btf", "BTF tracepoint", "tp_btf", 5005)                            \
	/* classic tracepoint: target = "system:event" */                                \
	X(TRACEPOINT, "tracepoint", "tracepoint", "tracepoint", 4007)                    \
	/* raw tracepoint: target = event */                                             \
	X(RAW_TP, "raw_tp", "raw tracepoint", "raw_tracepoint", 4017)                    \
	/* target = function */                                                          \
	X(KPROBE, "kprobe", "kprobe", "kprobe", 4017)                                    \
	X(KRETPROBE, "kretprobe", "kretprobe", "kprobe", 4017)                           \
	X(FENTRY, "fentry", "fentry", "fentry", 5005)                                    \
	X(FEXIT, "fexit", "fexit", "fentry", 5005)                                       \
	/* perf event: type, config, period; every CPU, or target "one-cpu" */           \
	X(PERF, "perf_event", "perf event", "perf_event", 4009)                          \
	/* target = binary, func = function or offset */                                 \
	X(UPROBE, "uprobe", "uprobe", "uprobe", 4017)                                    \
	X(URETPROBE, "uretprobe", "uretprobe", "uprobe", 4017)                           \
	X(USDT, "usdt", "USDT", "usdt", 4017)                                            \
	/*                                                                               \
	 * A kernel function wildcard expanded by the tool (kwild.c): target =          \
	 * the function pattern, kmod = the module pattern (NULL: the kernel).          \
	 * MULTI: one kprobe_multi link for all matches; EACH: a kprobe each.           \
	 */                                                                              \
	X(KPROBE_MULTI, "kprobe.multi", "kprobe_multi", NULL, 0)                         \
	X(KRETPROBE_MULTI, "kretprobe.multi", "kretprobe_multi", NULL, 0)                \
	X(KPROBE_EACH, "kprobe", "a kprobe each", NULL, 0)                               \
	X(KRETPROBE_EACH, "kretprobe", "a kretprobe each", NULL, 0)

/* How a BPF program attaches. */
enum stp_attach {
#define STP_ATTACH_ENUM(name, section, said, feature, since) STP_ATTACH_##name,
	STP_ATTACH_KINDS(STP_ATTACH_ENUM)
#undef STP_ATTACH_ENUM
	STP_ATTACH_NKINDS
};

#endif
