// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * kfeatures.c - what the running kernel can do, asked once, in one place.
 *
 * A tool is built on one host and runs on another kernel, so before it
 * loads anything it asks this kernel: is tracefs there, are there kprobes,
 * BTF, BPF trampolines for a function, kprobe_multi and uprobe_multi
 * links, such a tracepoint? Each answer is a file that exists or a tiny
 * program the kernel agrees to load or link; the ones that cost a program
 * load are remembered.
 */
#include "kfeatures.h"
#include "stp_internal.h"
#include "uprobe_multi.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

const char *stp_tracefs(void)
{
	return exists("/sys/kernel/tracing/events") ? "/sys/kernel/tracing" : "/sys/kernel/debug/tracing";
}

int stp_tracefs_access(const char **denied)
{
	static const char *const dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	int state = ENOENT;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char path[64];
		struct stat st;
		snprintf(path, sizeof(path), "%s/events", dirs[i]);
		if (stat(path, &st) == 0)
			return 0;
		if ((errno == EACCES || errno == EPERM) && state == ENOENT) {
			state = EACCES;
			*denied = dirs[i];
		}
	}
	return state;
}

bool stp_have_vmlinux_btf(void)
{
	return exists("/sys/kernel/btf/vmlinux");
}

bool stp_lockdown_confidential(void)
{
	char mode[128] = "";
	FILE *f = fopen("/sys/kernel/security/lockdown", "r");
	if (f) {
		if (!fgets(mode, sizeof(mode), f))
			mode[0] = 0;
		fclose(f);
	}
	return strstr(mode, "[confidentiality]") != NULL;
}

bool stp_have_kprobes(void)
{
	/* The perf kprobe PMU libbpf prefers, or the legacy tracefs interface. */
	char path[512];
	snprintf(path, sizeof(path), "%s/kprobe_events", stp_tracefs());
	return exists("/sys/bus/event_source/devices/kprobe") || exists(path);
}

bool stp_have_tracepoint(const char *target)
{
	char path[512];
	const char *colon = strchr(target, ':');
	if (!colon)
		return false;
	snprintf(path, sizeof(path), "%s/events/%.*s/%s", stp_tracefs(), (int)(colon - target), target,
		 colon + 1);
	return exists(path);
}

/* The running kernel's BTF, read once, only for fentry/fexit and BTF tracepoints. */
static struct btf *kernel_btf(void)
{
	static struct btf *btf;
	static bool tried;
	if (!tried) {
		tried = true;
		btf = btf__load_vmlinux_btf();
		if (libbpf_get_error(btf))
			btf = NULL;
	}
	return btf;
}

bool stp_have_btf_tracepoint(const char *event)
{
	/* Any tracepoint the kernel has also has its btf_trace_ type. */
	struct btf *btf = kernel_btf();
	if (!btf)
		return true; /* cannot tell: let the load decide */
	char name[512];
	snprintf(name, sizeof(name), "btf_trace_%s", event);
	return btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF) > 0;
}

int stp_load_probe_prog(int type, int attach_type, uint32_t btf_id)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, o, .attach_btf_id = btf_id,
		    .expected_attach_type = (enum bpf_attach_type)attach_type);
	return bpf_prog_load((enum bpf_prog_type)type, NULL, "GPL", insns, 2, &o);
}

bool stp_fentry_can_attach(const char *func, bool fexit)
{
	if (getenv("STAPC_NO_FENTRY"))
		return false; /* the switch the kernel matrix uses to test kprobes */
	struct btf *btf = kernel_btf();
	int id = btf ? btf__find_by_name_kind(btf, func, BTF_KIND_FUNC) : -1;
	if (id <= 0)
		return false;
	int fd = stp_load_probe_prog(BPF_PROG_TYPE_TRACING, fexit ? BPF_TRACE_FEXIT : BPF_TRACE_FENTRY,
				     (uint32_t)id);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

bool stp_kernel_functions_probeable(const char *func)
{
	return stp_have_kprobes() || stp_fentry_can_attach(func, false);
}

/*
 * Loads a do-nothing program for the multi-link kind `attach_type` and
 * tries try_link(prog) on it: the errno the link failed with, 0 when it
 * linked, -1 when the program itself would not load.
 */
static int multi_link_errno(int attach_type, int (*try_link)(int prog))
{
	int fd = stp_load_probe_prog(BPF_PROG_TYPE_KPROBE, attach_type, 0);
	if (fd < 0)
		return -1;
	int link = try_link(fd);
	int err = link >= 0 ? 0 : errno;
	if (link >= 0)
		close(link);
	close(fd);
	return err;
}

/* A kprobe_multi link to a function that does not exist. */
static int link_missing_function(int prog)
{
	const char *syms[] = { "stapc_no_such_function_" };
	LIBBPF_OPTS(bpf_link_create_opts, lo, .kprobe_multi.syms = syms, .kprobe_multi.cnt = 1);
	return bpf_link_create(prog, 0, BPF_TRACE_KPROBE_MULTI, &lo);
}

/* An uprobe_multi link on "/", which is not a file one can probe. */
static int link_directory(int prog)
{
	unsigned long off = 0;
	return stp_uprobe_multi_link_create(prog, "/", &off, NULL, 1, false, getpid());
}

bool stp_have_kprobe_multi(void)
{
	static int ok = -1;
	if (ok < 0) {
		/*
		 * Linking to a function that does not exist says whether the link
		 * kind does. Without fprobe: EOPNOTSUPP; before 5.18: EINVAL, an
		 * unknown attach type.
		 */
		int err = multi_link_errno(BPF_TRACE_KPROBE_MULTI, link_missing_function);
		ok = err == 0 || err == ENOENT || err == ESRCH;
	}
	return ok;
}

bool stp_have_uprobe_multi(void)
{
	static int ok = -1;
	if (ok < 0)
		/* As libbpf asks: a link on "/" fails with EBADF, not EINVAL, where it works. */
		ok = multi_link_errno(STP_TRACE_UPROBE_MULTI, link_directory) == EBADF;
	return ok;
}
