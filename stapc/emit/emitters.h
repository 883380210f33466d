/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * emitters.h - what the built-ins' emitters (stapc/builtins/) use of the
 * BPF and tool-C code generators, beyond stapc.h: temporaries, errors and
 * faults, literals, output records. Nothing else includes it.
 */
#ifndef STAPC_EMIT_EMITTERS_H
#define STAPC_EMIT_EMITTERS_H

#include "../stapc.h"

/* ---------------------------------------------------------------- BPF (emit/bpf_*.c) */

const char *kgen_tmp(struct kgen *k); /* a fresh temporary's name */
/* A run-time error of a fixed text, then to the error label. */
void kgen_fail(struct kgen *k, const struct loc *loc, const char *msg, const char *near);
/* A memory fault of call x: its message made from fmt, the address and rc, reported. */
void kgen_fault(struct kgen *k, struct expr *x, const char *fmt, const char *rc, const char *addr);
const char *kgen_lit(struct kgen *k, const char *raw); /* a script literal's bytes */
/* Whether BPF can make the bytes of string x (else only the tool can, from pieces). */
bool kgen_plain_ok(const struct expr *x);
/* A record site of kind for x, and a record of it carrying values (exprs), then sent. */
/* The scratch bytes call keeps for its callee's (a function of the script). */
int kgen_call_slot(struct kgen *k, const struct expr *call);
/* fmt: the site's printf format, or NULL. */
const struct out_site *kgen_new_site(struct kgen *k, enum site_kind kind, struct expr *x,
				     const char *fmt);
void kgen_site_size(struct kgen *k, const struct out_site *s, int size);
void kgen_send(struct kgen *k, const struct out_site *site, struct vec *values, bool wake);

/* ---------------------------------------------------------------- tool C (emit/user*.c) */

const char *ugen_tmp(struct ugen *u); /* a fresh temporary's name */
void ugen_check_error(struct ugen *u); /* to the error label if the call before failed */
void ugen_check_fault(struct ugen *u, struct expr *x); /* the same, naming built-in x */

#endif /* STAPC_EMIT_EMITTERS_H */
