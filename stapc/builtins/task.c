// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * task.c - built-ins of the current task: pid, tid, execname, its ids, cpu.
 * In BPF the task the probe interrupted; in the tool, the tool itself.
 */
#include "builtins.h"

#include "../emit/emitters.h"

static const char *bpf_execname(struct kgen *k, struct expr *x, const char *d)
{
	(void)x;
	cw_line(k->w, "bpf_get_current_comm(%s, 16);", d);
	return d;
}

/* In a record, the name travels as its bytes: no copy in the frame first. */
static void bpf_execname_out(struct kgen *k, struct expr *x, const char *rec)
{
	(void)x;
	cw_line(k->w, "stp_put_comm(%s);", rec);
}

static int bpf_execname_out_size(struct kgen *k, struct expr *x)
{
	(void)k, (void)x;
	return 3 + 16;
}

static const char *bpf_pexecname(struct kgen *k, struct expr *x, const char *d)
{
	(void)x;
	cw_line(k->w, "BPF_CORE_READ_STR_INTO((char (*)[16])%s, (struct task_struct "
		      "*)bpf_get_current_task(), real_parent, comm);", d);
	return d;
}

static const char *bpf_cmdline_str(struct kgen *k, struct expr *x, const char *d)
{
	(void)x;
	cw_line(k->w, "stp_cmdline_str(%s);", d);
	return d;
}

static void user_execname(struct ugen *u, struct expr *x, const char *d)
{
	(void)x;
	cw_line(u->w, "stp_execname(%s);", d);
}

static void user_cmdline_str(struct ugen *u, struct expr *x, const char *d)
{
	(void)x;
	cw_line(u->w, "stp_cmdline_str(%s);", d);
}

/* The tool gives no name for its own parent: an empty string. */
static void user_pexecname(struct ugen *u, struct expr *x, const char *d)
{
	(void)x;
	cw_line(u->w, "%s[0] = 0;", d);
}

/* In BPF, the task found in the kernel's pid table (stp_bpf.h); the tool has no kernel tasks. */
static const char *bpf_pid2task(struct kgen *k, struct expr *x)
{
	return arena_printf("stp_pid2task(%s)", kgen_long(k, vec_at(&x->args, 0)));
}

static const char *bpf_pid2execname(struct kgen *k, struct expr *x, const char *d)
{
	cw_line(k->w, "stp_pid2execname(%s, %s);", d, kgen_long(k, vec_at(&x->args, 0)));
	return d;
}

/* In the tool, the name /proc gives the process. */
static void user_pid2execname(struct ugen *u, struct expr *x, const char *d)
{
	cw_line(u->w, "stp_pid2execname(%s, %s);", d, ugen_long(u, vec_at(&x->args, 0)));
}

#define CRED(field) "(s64)BPF_CORE_READ((struct task_struct *)bpf_get_current_task(), " field ")"

const struct builtin builtins_task[] = {
	{ .name = "pid", .sig = { "long()" }, .flags = BI_PURE | BI_KCTX,
	  .bpf_c = "(s64)(bpf_get_current_pid_tgid() >> 32)", .user_c = "stp_getpid()" },
	{ .name = "tid", .sig = { "long()" }, .flags = BI_PURE | BI_KCTX,
	  .bpf_c = "(s64)(u32)bpf_get_current_pid_tgid()", .user_c = "stp_gettid()" },
	{ .name = "ppid", .sig = { "long()" }, .flags = BI_PURE | BI_KCTX,
	  .bpf_c = CRED("real_parent, tgid"), .user_c = "stp_getppid()" },
	{ .name = "uid", .sig = { "long()" }, .flags = BI_PURE | BI_KCTX,
	  .bpf_c = "(s64)(u32)bpf_get_current_uid_gid()", .user_c = "(s64)getuid()" },
	{ .name = "gid", .sig = { "long()" }, .flags = BI_PURE | BI_KCTX,
	  .bpf_c = "(s64)(bpf_get_current_uid_gid() >> 32)", .user_c = "(s64)getgid()" },
	{ .name = "euid", .sig = { "long()" }, .flags = BI_PURE | BI_KCTX,
	  .bpf_c = CRED("cred, euid.val"), .user_c = "(s64)geteuid()" },
	{ .name = "egid", .sig = { "long()" }, .flags = BI_PURE | BI_KCTX,
	  .bpf_c = CRED("cred, egid.val"), .user_c = "(s64)getegid()" },
	/* TASK_COMM_LEN: the task's name is 16 bytes at most, with the NUL. */
	{ .name = "execname", .sig = { "string()" }, .flags = BI_PURE | BI_KCTX, .str_width = 16,
	  .bpf_str = bpf_execname, .bpf_out = bpf_execname_out,
	  .bpf_out_size = bpf_execname_out_size, .user_str = user_execname },
	{ .name = "pexecname", .sig = { "string()" }, .flags = BI_PURE | BI_KCTX, .str_width = 16,
	  .bpf_str = bpf_pexecname, .user_str = user_pexecname },
	{ .name = "cpu", .sig = { "long()" }, .flags = BI_PURE | BI_KCTX,
	  .bpf_c = "(s64)bpf_get_smp_processor_id()", .user_c = "stp_cpu()" },
	{ .name = "task_current", .sig = { "long()" }, .flags = BI_PURE | BI_KCTX,
	  .bpf_c = "(s64)bpf_get_current_task()" },
	{ .name = "cmdline_str", .sig = { "string()" }, .flags = BI_PURE,
	  .bpf_str = bpf_cmdline_str, .user_str = user_cmdline_str },
	/* The process of -x PID or -c CMD. */
	{ .name = "target", .sig = { "long()" }, .flags = BI_PURE,
	  .bpf_c = "(s64)stp_target_pid", .user_c = "(s64)rt->target_pid" },
	{ .name = "pid2task", .sig = { "long(long)" }, .flags = BI_PURE, .bpf_long = bpf_pid2task },
	{ .name = "pid2execname", .sig = { "string(long)" }, .flags = BI_PURE, .str_width = 16,
	  .bpf_str = bpf_pid2execname, .user_str = user_pid2execname },
	{ 0 }
};
