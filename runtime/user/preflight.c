// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * preflight.c - before touching BPF, check what the tool needs and say in
 * one sentence what is missing: privileges, kernel BTF, tracefs, lockdown.
 */
#include "kfeatures.h"
#include "stp_internal.h"

#include <errno.h>
#include <stdio.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
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

/*
 * The running kernel's build id, lower-case hex, from its ELF notes
 * (/sys/kernel/notes: Elf_Nhdr, name, desc, each 4-aligned); false if unknown.
 */
static bool running_build_id(char *hex, size_t size)
{
	unsigned char notes[4096];
	FILE *f = fopen("/sys/kernel/notes", "re");
	if (!f)
		return false;
	size_t n = fread(notes, 1, sizeof(notes), f);
	fclose(f);
	for (size_t off = 0; off + 12 <= n;) {
		uint32_t namesz, descsz, type;
		memcpy(&namesz, notes + off, 4);
		memcpy(&descsz, notes + off + 4, 4);
		memcpy(&type, notes + off + 8, 4);
		size_t name = off + 12, desc = name + ((namesz + 3u) & ~3u);
		if (desc + descsz > n)
			break;
		if (type == 3 /* NT_GNU_BUILD_ID */ && namesz == 4 &&
		    !memcmp(notes + name, "GNU", 4) && 2 * descsz < size) {
			for (uint32_t i = 0; i < descsz; i++)
				snprintf(hex + 2 * i, 3, "%02x", notes[desc + i]);
			return true;
		}
		off = desc + ((descsz + 3u) & ~3u);
	}
	return false;
}

/* A tool placed by a kernel's DWARF runs on that kernel build alone. */
static int check_kernel_build(const struct stp_tool *t)
{
	char id[129];
	if (!t->kernel_build_id)
		return 0;
	if (!running_build_id(id, sizeof(id)) || strcmp(id, t->kernel_build_id)) {
		struct utsname u;
		stp_say("was built for kernel %s (build id %.12s), whose DWARF placed its statement "
			"probes; this is %s (build id %.12s): rebuild it with this kernel's debuginfo",
			t->kernel_release, t->kernel_build_id, uname(&u) ? "another kernel" : u.release,
			running_build_id(id, sizeof(id)) ? id : "unknown");
		return 1;
	}
	return 0;
}

int stp_preflight(struct stp_rt *rt)
{
	const struct stp_tool *t = rt->tool;
	if (check_kernel_build(t))
		return 1;
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
