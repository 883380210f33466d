// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rlimit_shim.so - LD_PRELOADed into stapbpf (systemtap 4.8), which raises
 * RLIMIT_MEMLOCK before loading its programs and gives up when it cannot.
 * This machine's hard limit is 8 MiB and cannot be raised; the kernel (5.11
 * and later) charges BPF memory to the memory cgroup instead, so the limit
 * no longer matters. Raising MEMLOCK is made to succeed; nothing else changes.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sys/resource.h>

int setrlimit(__rlimit_resource_t res, const struct rlimit *rl)
{
	static int (*real)(__rlimit_resource_t, const struct rlimit *);
	if (res == RLIMIT_MEMLOCK)
		return 0;
	if (!real)
		real = (int (*)(__rlimit_resource_t, const struct rlimit *))dlsym(RTLD_NEXT, "setrlimit");
	return real(res, rl);
}

int setrlimit64(__rlimit_resource_t res, const struct rlimit64 *rl)
{
	static int (*real)(__rlimit_resource_t, const struct rlimit64 *);
	if (res == RLIMIT_MEMLOCK)
		return 0;
	if (!real)
		real = (int (*)(__rlimit_resource_t, const struct rlimit64 *))dlsym(RTLD_NEXT, "setrlimit64");
	return real(res, rl);
}
