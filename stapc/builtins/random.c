// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * random.c - randint(n): a random number in [0, n), from the kernel's
 * generator in BPF and from getrandom in the tool.
 */
#include "builtins.h"

#include "../emit/emitters.h"

static const char *bpf_randint(struct kgen *k, struct expr *x)
{
	return arena_printf("stp_randint(%s)", kgen_long(k, vec_at(&x->args, 0)));
}

static const char *user_randint(struct ugen *u, struct expr *x)
{
	return arena_printf("stp_randint(%s)", ugen_long(u, vec_at(&x->args, 0)));
}

const struct builtin builtins_random[] = {
	{ .name = "randint", .sig = { "long(long)" }, .bpf_long = bpf_randint,
	  .user_long = user_randint },
	{ 0 }
};
