// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * preflight.c - before touching BPF, check what the tool needs and say in
 * one sentence what is missing: privileges, kernel BTF, tracefs, lockdown.
 */
#include "stp_internal.h"

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

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
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
	if (!exists("/sys/kernel/btf/vmlinux")) {
		stp_say("this kernel has no BTF type information (/sys/kernel/btf/vmlinux): it must "
			"be built with CONFIG_DEBUG_INFO_BTF=y");
		return 1;
	}
	bool tracefs = exists("/sys/kernel/tracing/events") ||
		       exists("/sys/kernel/debug/tracing/events");
	/* Kernel function wildcards are matched on its list of traceable functions. */
	bool kwild = tool_uses(t, STP_ATTACH_KPROBE_MULTI) || tool_uses(t, STP_ATTACH_KRETPROBE_MULTI);
	if (!tracefs && (tool_uses(t, STP_ATTACH_TRACEPOINT) || tool_uses(t, STP_ATTACH_KPROBE) ||
			 tool_uses(t, STP_ATTACH_KRETPROBE) || kwild)) {
		stp_say("tracefs is not mounted; mount it with: mount -t tracefs tracefs "
			"/sys/kernel/tracing");
		return 1;
	}
	char mode[128] = "";
	FILE *f = fopen("/sys/kernel/security/lockdown", "r");
	if (f) {
		if (!fgets(mode, sizeof(mode), f))
			mode[0] = 0;
		fclose(f);
	}
	if (strstr(mode, "[confidentiality]")) {
		stp_say("the kernel is locked down (confidentiality): it refuses BPF programs that "
			"read kernel memory");
		return 1;
	}
	return 0;
}
