// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * output.c - built-ins called for what they do: log, warn, error, exit,
 * system. In BPF each is a record the tool acts on; in the tool, a call of
 * the runtime.
 */
#include "builtins.h"

#include "../emit/emitters.h"

static void bpf_log(struct kgen *k, struct expr *x)
{
	const struct out_site *site = kgen_new_site(k, SITE_LOG, x, "%s\n");
	kgen_send(k, site, &x->args, false);
}

static void bpf_warn(struct kgen *k, struct expr *x)
{
	kgen_send(k, kgen_new_site(k, SITE_WARN, x, NULL), &x->args, false);
}

static void bpf_system(struct kgen *k, struct expr *x)
{
	kgen_send(k, kgen_new_site(k, SITE_SYSTEM, x, NULL), &x->args, false);
}

static void bpf_exit(struct kgen *k, struct expr *x)
{
	struct vec none = { 0 };
	cw_line(k->w, "stp_exiting = 1;");
	kgen_send(k, kgen_new_site(k, SITE_EXIT, x, NULL), &none, true);
}

/*
 * error(msg): the message waits in the frame, as bytes for a catch to
 * take and as pieces for the tool to report if nothing catches it.
 */
static void bpf_error(struct kgen *k, struct expr *x)
{
	struct expr *msg = vec_at(&x->args, 0);
	const struct out_site *site = kgen_new_site(k, SITE_ERROR, x, NULL);
	kgen_site_size(k, site, (4 + LAZY_MAX + 1 + 7) & ~7);
	const char *r = kgen_tmp(k);
	cw_line(k->w, "struct stp_rec %s = stp_error_rec(fr);", r);
	if (kgen_plain_ok(msg)) {
		cw_line(k->w, "stp_strcpy(fr->cmsg, %s);", kgen_str(k, msg));
		cw_line(k->w, "stp_put_str(&%s, fr->cmsg);", r);
	} else {
		if (k->pl->k_catches_message)
			diag_error(&msg->loc, "only the tool can make this message, and a catch in a "
					      "kernel probe needs it made there: build it with sprintf() or "
					      "'.'");
		cw_line(k->w, "fr->cmsg[0] = 0;");
		kgen_out(k, msg, arena_printf("&%s", r));
	}
	cw_line(k->w, "fr->elen = %s.off;", r);
	cw_line(k->w, "fr->esite = %d;", site->id);
	cw_line(k->w, "fr->error = STP_ERR_PIECES;");
	cw_line(k->w, "goto %s;", kgen_jump(k, k->err_label));
}

/* exit() and abort() alike, in the tool. */
static void user_exit(struct ugen *u, struct expr *x)
{
	(void)x;
	cw_line(u->w, "stp_exit(rt);");
}

static void user_log(struct ugen *u, struct expr *x)
{
	cw_line(u->w, "stp_log(rt, %s);", ugen_str(u, vec_at(&x->args, 0)));
}

static void user_system(struct ugen *u, struct expr *x)
{
	cw_line(u->w, "stp_system(rt, %s);", ugen_str(u, vec_at(&x->args, 0)));
}

static void user_warn(struct ugen *u, struct expr *x)
{
	cw_line(u->w, "stp_warn(rt, %s);", ugen_str(u, vec_at(&x->args, 0)));
}

static void user_error(struct ugen *u, struct expr *x)
{
	cw_line(u->w, "stp_error(rt, %s);", ugen_str(u, vec_at(&x->args, 0)));
	cw_line(u->w, "goto %s;", u->err_label);
}

/* The tool switches its output file after the handler, when its output is flushed. */
static void user_switch_file(struct ugen *u, struct expr *x)
{
	(void)x;
	cw_line(u->w, "stp_switch_file(rt);");
}

const struct builtin builtins_output[] = {
	/* Their message goes to the tool, which can finish it from pieces. */
	{ .name = "log", .sig = { "void(string)" }, .flags = BI_OUTPUT, .bpf_stmt = bpf_log,
	  .user_stmt = user_log },
	{ .name = "warn", .sig = { "void(string)" }, .flags = BI_OUTPUT, .bpf_stmt = bpf_warn,
	  .user_stmt = user_warn },
	{ .name = "error", .sig = { "void(string)" }, .flags = BI_OUTPUT, .bpf_stmt = bpf_error,
	  .user_stmt = user_error },
	{ .name = "system", .sig = { "void(string)" }, .flags = BI_OUTPUT, .bpf_stmt = bpf_system,
	  .user_stmt = user_system },
	{ .name = "exit", .sig = { "void()" }, .bpf_stmt = bpf_exit, .user_stmt = user_exit },
	{ .name = "abort", .sig = { "void()" }, .user_stmt = user_exit },
	{ .name = "printk", .sig = { "void(long,string)" } },
	{ .name = "switch_file", .sig = { "void()" }, .user_stmt = user_switch_file },
	{ 0 }
};
