// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * memory.c - user_string(), kernel_long() and their kin in the handlers
 * that run in the tool (begin, end, error). The current process is the
 * tool itself, as stap's begin probes see stapio: user memory is the
 * tool's own, read with process_vm_readv so that a bad address is an
 * error, never a crash. Kernel memory cannot be read from user space at
 * all: a read of a user-half address faults with stap's words, one of a
 * kernel address says that the tool cannot read it.
 */
#include "stp_gen.h"

#include "stp_internal.h"

#include <errno.h>
#include <sys/uio.h>
#include <unistd.h>

/* Reads n bytes at addr of the tool's memory: 0, or -errno. */
static long read_self(void *dst, uint64_t addr, size_t n)
{
	struct iovec local = { dst, n }, remote = { (void *)(uintptr_t)addr, n };
	ssize_t r = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	if (r == (ssize_t)n)
		return 0;
	return r < 0 ? -errno : -EFAULT;
}

/*
 * The string at addr, at most n bytes and MAXSTRINGLEN - 1, read a page
 * at a time so that a string that ends before an unmapped page reads.
 */
static long read_self_string(char *dst, uint64_t addr, s64 n)
{
	size_t max = stp_maxstr - 1, got = 0;
	if (n >= 0 && (size_t)n < max)
		max = (size_t)n;
	while (got < max) {
		size_t chunk = 4096 - (size_t)((addr + got) & 4095);
		if (chunk > max - got)
			chunk = max - got;
		long rc = read_self(dst + got, addr + got, chunk);
		if (rc)
			return rc;
		char *nul = memchr(dst + got, 0, chunk);
		if (nul)
			return 0;
		got += chunk;
	}
	dst[got] = 0;
	return 0;
}

void stp_user_string(struct stp_rt *rt, char *dst, s64 addr, s64 n, const char *err_msg)
{
	long rc = read_self_string(dst, (uint64_t)addr, n);
	if (!rc)
		return;
	if (err_msg) {
		stp_strcpy(dst, err_msg);
		return;
	}
	char msg[128];
	snprintf(msg, sizeof(msg), "user string copy fault %ld at 0x%llx [man error::fault]", rc,
		 (unsigned long long)addr);
	stp_strcpy(dst, "<unknown>");
	stp_error(rt, msg);
}

/* A signed number of size bytes at addr into *out; nonzero if unreadable. */
static long read_number(s64 addr, int size, s64 *out)
{
	union {
		int64_t l;
		int32_t i;
		int16_t s;
		int8_t c;
	} v = { 0 };
	long rc = read_self(&v, (uint64_t)addr, (size_t)size);
	*out = rc ? 0 : size == 8 ? v.l : size == 4 ? v.i : size == 2 ? v.s : v.c;
	return rc;
}

/* user_long() and its kin: 0 when the memory cannot be read, as stap's. */
s64 stp_user_number(s64 addr, int size)
{
	s64 v;
	read_number(addr, size, &v);
	return v;
}

/* user_long_error() and its kin: stap's read fault when the memory cannot be read. */
s64 stp_user_number_error(struct stp_rt *rt, s64 addr, int size)
{
	s64 v;
	if (read_number(addr, size, &v) == 0)
		return v;
	char msg[128];
	snprintf(msg, sizeof(msg), "read fault [man error::fault] at 0x%llx",
		 (unsigned long long)addr);
	stp_error(rt, msg);
	return 0;
}

void stp_kernel_fault(struct stp_rt *rt, const char *what, s64 addr)
{
	char msg[256];
	/*
	 * A kernel address stap could read here, but the tool cannot: say so,
	 * rather than call a readable address a fault. Others fault in stap too.
	 */
	if (addr < 0)
		snprintf(msg, sizeof(msg), "kernel memory at 0x%llx cannot be read in begin, end "
			 "or timer probes: read it in a kernel probe", (unsigned long long)addr);
	else
		snprintf(msg, sizeof(msg), "kernel %s copy fault at 0x%llx [man error::fault]",
			 what, (unsigned long long)addr);
	stp_error(rt, msg);
}
