// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * context.c - the context builtins in a handler that runs in the tool
 * (begin, end, timers): the current process is the tool itself, as stap's
 * begin probes see stapio.
 */

#include "stp_gen.h"

#include "stp_internal.h"

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

void stp_execname(char *dst)
{
	char comm[17] = "";
	prctl(PR_GET_NAME, comm, 0, 0, 0);
	stp_strcpy(dst, comm);
}

s64 stp_getpid(void)
{
	return getpid();
}

s64 stp_gettid(void)
{
	return gettid();
}

s64 stp_getppid(void)
{
	return getppid();
}

s64 stp_cpu(void)
{
	int c = sched_getcpu();
	return c < 0 ? 0 : c;
}

s64 stp_time_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (s64)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

s64 stp_monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (s64)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The clock BPF's bpf_ktime_get_boot_ns() reads. */
s64 stp_boottime_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (s64)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void stp_cmdline_str(char *dst)
{
	char buf[4096];
	FILE *f = fopen("/proc/self/cmdline", "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	if (f)
		fclose(f);
	for (size_t i = 0; i + 1 < n; i++)
		if (!buf[i])
			buf[i] = ' ';
	buf[n] = 0;
	stp_strcpy(dst, buf);
}

void stp_pid2execname(char *dst, s64 pid)
{
	char path[64], comm[32] = "";
	snprintf(path, sizeof(path), "/proc/%lld/comm", (long long)pid);
	FILE *f = pid > 0 ? fopen(path, "r") : NULL;
	if (f) {
		if (!fgets(comm, sizeof(comm), f))
			comm[0] = 0;
		fclose(f);
	}
	comm[strcspn(comm, "\n")] = 0;
	stp_strcpy(dst, comm);
}

int stp_exe_identity(const char *path, u64 *dev, u64 *ino)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		fprintf(stderr, "%s: cannot watch for processes of %s: %s\n", stp_tool_name, path,
			strerror(errno));
		return 1;
	}
	/* The kernel's dev_t: major in the high 12 bits of 32, minor in the low 20. */
	*dev = ((u64)major(st.st_dev) << 20) | minor(st.st_dev);
	*ino = (u64)st.st_ino;
	return 0;
}

static struct tm *local_now(struct tm *tm)
{
	time_t now = time(NULL);
	return localtime_r(&now, tm);
}

s64 stp_tz_gmtoff(void)
{
	struct tm tm;
	return local_now(&tm) ? -(s64)tm.tm_gmtoff : 0;
}

void stp_tz_name(char *dst)
{
	struct tm tm;
	stp_strcpy(dst, local_now(&tm) && tm.tm_zone ? tm.tm_zone : "UTC");
}
