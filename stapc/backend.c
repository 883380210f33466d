// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * backend.c - which kernel-side code generator serves a script: BPF
 * (emit/bpf*.c) or a kernel module (emit/kmod.c), and why.
 *
 * --backend=auto (the default) picks BPF unless the script needs what
 * only a module can do: embedded C in the user's script, or a write to
 * kernel memory. --backend=module forces the module; --backend=bpf
 * forces BPF, and a module-only construct is then an error at it. -p2
 * and -v say which backend was chosen and the construct that chose it.
 *
 * stap's --runtime=kernel (its default, the module runtime) keeps only
 * its stap meaning here, what `%( runtime == "kernel" %)` sees: it does
 * not force the module, since every script that BPF can run prints the
 * same from both.
 */
#include "stapc.h"

#include <string.h>

struct needs {
	const char *what;    /* "embedded C", "a write to kernel memory" */
	const struct loc *at;
	const struct dprobe *probe; /* the handler being walked, or NULL in a function */
};

static bool is_kernel_lvalue(const struct expr *x)
{
	return x && (x->kind == E_TARGET || x->kind == E_CAST || x->kind == E_ATVAR ||
		     x->kind == E_AUTOCAST);
}

static bool from_user(const struct loc *l)
{
	return l->file && !l->file->is_tapset;
}

static enum walk_next need_expr(struct walker *w, struct expr *x)
{
	struct needs *n = w->ctx;
	if (x->kind == E_EMBEDDED && from_user(&x->loc)) {
		n->what = "embedded C";
		n->at = &x->loc;
		return WALK_STOP;
	}
	bool writes = x->kind == E_ASSIGN || x->kind == E_PREINC || x->kind == E_POSTINC;
	/* procfs's $value is the probe's answer to its reader, not kernel memory. */
	bool own = x->left && x->left->kind == E_TARGET && n->probe && n->probe->prov->target_writable;
	if (writes && is_kernel_lvalue(x->left) && !own && from_user(&x->left->loc)) {
		n->what = "a write to kernel memory";
		n->at = &x->left->loc;
		return WALK_STOP;
	}
	return WALK_ON;
}

static enum walk_next need_stmt(struct walker *w, struct stmt *s)
{
	struct needs *n = w->ctx;
	if (s->kind == S_EMBEDDED && from_user(&s->loc)) {
		n->what = "embedded C";
		n->at = &s->loc;
		return WALK_STOP;
	}
	return WALK_ON;
}

/* The first construct of prog only a module can run, in script order; NULL what if none. */
static struct needs module_need(struct program *prog)
{
	struct needs n = { 0 };
	struct walker w = { .expr = need_expr, .stmt = need_stmt, .ctx = &n };
	for (int i = 0; i < prog->probes.len && !n.what; i++) {
		struct dprobe *d = vec_at(&prog->probes, i);
		n.probe = d;
		walk_handler(&w, d->cond, d->body);
	}
	n.probe = NULL;
	for (int i = 0; i < prog->functions.len && !n.what; i++) {
		struct function *fn = vec_at(&prog->functions, i);
		if (!fn->builtin)
			walk_handler(&w, NULL, fn->body);
	}
	return n;
}

const char *backend_name(enum backend b)
{
	return b == BACKEND_MODULE ? "module" : b == BACKEND_BPF ? "bpf" : "auto";
}

static const char *where(const struct loc *l)
{
	return arena_printf("%s:%d:%d", source_shown_name(l->file), l->line, l->col);
}

bool backend_choose(struct session *s, struct program *prog)
{
	struct backend_choice *c = &s->backend;
	struct needs n = module_need(prog);
	switch (s->backend_req) {
	case BACKEND_MODULE:
		*c = (struct backend_choice){ BACKEND_MODULE, "forced by --backend=module" };
		break;
	case BACKEND_BPF:
		if (n.what) {
			diag_error(n.at, "%s needs the kernel-module backend, not BPF: drop "
					 "--backend=bpf", n.what);
			return false;
		}
		*c = (struct backend_choice){ BACKEND_BPF, "forced by --backend=bpf" };
		break;
	default:
		if (n.what)
			*c = (struct backend_choice){ BACKEND_MODULE,
						      arena_printf("the script needs it: %s at %s",
								   n.what, where(n.at)) };
		else
			*c = (struct backend_choice){ BACKEND_BPF,
						      "the default: BPF can run the whole script" };
	}
	if (s->verbose)
		fprintf(stderr, "stapc: backend %s (%s)\n", backend_name(c->backend), c->why);
	return true;
}

/* -p2's line, for a module only: the BPF dump stays stap -p2's layout. */
void backend_dump(struct strbuf *out, const struct session *s)
{
	if (s->backend.backend == BACKEND_MODULE)
		sb_printf(out, "# backend: module (%s)\n", s->backend.why);
}
