// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * preflight.c - before touching BPF, check what the tool needs and say in
 * one sentence what is missing: privileges, kernel BTF, tracefs, lockdown.
 */
#include "kfeatures.h"
#include "stp_internal.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static bool has_cap(int cap)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	if (syscall(SYS_capget, &hdr, data) != 0)
		return false;
	return data[cap / 32].effective & (1u << (cap % 32));
}

static bool tool_uses(const struct stp_tool *t, enum stp_attach a)
{
	for (int i = 0; i < t->nkprobes; i++)
		if (t->kprobes[i].attach == a)
			return true;
	return false;
}

int stp_preflight(struct stp_rt *rt)
{
	const struct stp_tool *t = rt->tool;
	if (geteuid() != 0 && !(has_cap(CAP_SYS_ADMIN) || (has_cap(CAP_BPF) && has_cap(CAP_PERFMON)))) {
		stp_say("needs root, or the CAP_BPF and CAP_PERFMON capabilities, to load its BPF "
			"programs; run it with sudo");
		return 1;
	}
	if (!stp_have_vmlinux_btf()) {
		stp_say("this kernel has no BTF type information (/sys/kernel/btf/vmlinux): it must "
			"be built with CONFIG_DEBUG_INFO_BTF=y");
		return 1;
	}
	const char *denied = NULL;
	int tracefs = stp_tracefs_access(&denied);
	/* Kernel function wildcards are matched on its list of traceable functions. */
	bool kwild = tool_uses(t, STP_ATTACH_KPROBE_MULTI) || tool_uses(t, STP_ATTACH_KRETPROBE_MULTI);
	bool needs_tracefs = tool_uses(t, STP_ATTACH_TRACEPOINT) || tool_uses(t, STP_ATTACH_KPROBE) ||
			     tool_uses(t, STP_ATTACH_KRETPROBE) || kwild;
	if (needs_tracefs && tracefs == EACCES) {
		stp_say("cannot read tracefs: permission denied on %s; run it as root, or let this "
			"user read tracefs (mount it with -o gid=GROUP,mode=0750)", denied);
		return 1;
	}
	if (needs_tracefs && tracefs) {
		stp_say("tracefs is not mounted; mount it with: mount -t tracefs tracefs "
			"/sys/kernel/tracing");
		return 1;
	}
	if (stp_lockdown_confidential()) {
		stp_say("the kernel is locked down (confidentiality): it refuses BPF programs that "
			"read kernel memory");
		return 1;
	}
	return 0;
}
