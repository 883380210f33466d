// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * time.c - built-ins of time: the wall clock, the monotonic clocks, jiffies
 * and the time zone. BPF reads the wall clock as boot time plus the boot's
 * epoch, which the tool writes before attaching.
 */
#include "builtins.h"

#include "../emit/emitters.h"

static void user_tz_name(struct ugen *u, struct expr *x, const char *d)
{
	(void)x;
	cw_line(u->w, "stp_tz_name(%s);", d);
}

#define WALL_NS "(bpf_ktime_get_boot_ns() + stp_boot_epoch_ns)"

const struct builtin builtins_time[] = {
	{ .name = "gettimeofday_s", .sig = { "long()" }, .flags = BI_PURE,
	  .bpf_c = "(s64)(" WALL_NS " / 1000000000)", .user_c = "(stp_time_ns() / 1000000000)" },
	{ .name = "gettimeofday_ms", .sig = { "long()" }, .flags = BI_PURE,
	  .bpf_c = "(s64)(" WALL_NS " / 1000000)", .user_c = "(stp_time_ns() / 1000000)" },
	{ .name = "gettimeofday_us", .sig = { "long()" }, .flags = BI_PURE,
	  .bpf_c = "(s64)(" WALL_NS " / 1000)", .user_c = "(stp_time_ns() / 1000)" },
	{ .name = "gettimeofday_ns", .sig = { "long()" }, .flags = BI_PURE,
	  .bpf_c = "(s64)" WALL_NS, .user_c = "stp_time_ns()" },
	{ .name = "local_clock_ns", .sig = { "long()" }, .flags = BI_PURE,
	  .bpf_c = "(s64)bpf_ktime_get_ns()", .user_c = "stp_monotonic_ns()" },
	/* Every CPU's clock is the one monotonic clock. */
	{ .name = "cpu_clock_ns", .sig = { "long(long)" }, .flags = BI_PURE,
	  .bpf_c = "(s64)bpf_ktime_get_ns()", .user_c = "stp_monotonic_ns()" },
	{ .name = "get_cycles", .sig = { "long()" }, .flags = BI_PURE,
	  .bpf_c = "(s64)bpf_ktime_get_ns()", .user_c = "stp_monotonic_ns()" },
	/* The tool counts jiffies of 4 ms (HZ=250). */
	{ .name = "jiffies", .sig = { "long()" }, .flags = BI_PURE,
	  .bpf_c = "(s64)bpf_jiffies64()", .user_c = "(stp_monotonic_ns() / 4000000)" },
	{ .name = "tz_gmtoff", .sig = { "long()" }, .flags = BI_PURE, .user_c = "stp_tz_gmtoff()" },
	{ .name = "tz_name", .sig = { "string()" }, .flags = BI_PURE, .user_str = user_tz_name },
	{ 0 }
};
