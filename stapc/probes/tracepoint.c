// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tracepoint.c - kernel.trace("[system:]event"): a kernel tracepoint.
 *
 * $name are the tracepoint's C arguments, as in stap. Where the kernel's
 * BTF describes the event (btf_trace_EVENT), the probe is a BTF-typed raw
 * tracepoint (tp_btf): cheapest to run and to detach, every argument typed
 * and read with CO-RE. Events BTF does not describe, the syscalls:* ones,
 * are classic tracepoints whose record layout comes from tracefs.
 * Wildcards (kernel.trace("sched:*")) expand here, at compile time.
 */
#include "../stapc.h"

#include <bpf/btf.h>
#include <fnmatch.h>
#include <string.h>

/* What this provider keeps in dprobe->data. */
struct trace_probe {
	const char *system; /* NULL when the script named only the event */
	const char *event;
	bool classic;	    /* a tracefs record (syscalls:*), not tp_btf */
	int proto;	    /* tp_btf: BTF FUNC_PROTO of the arguments */
	const struct fn_params *params; /* tp_btf: the arguments, for a typed program */
	struct vec fields;  /* classic: struct tp_field * */
};

/* Splits "system:event"; system is NULL when not given. */
static void split(const char *spec, const char **system, const char **event)
{
	const char *colon = strchr(spec, ':');
	*system = colon ? intern_n(spec, (size_t)(colon - spec)) : NULL;
	*event = intern(colon ? colon + 1 : spec);
}

static const char *spec_of(const struct probe_point *p)
{
	if (point_ncomps(p) != 2 || !point_is(p, 0, "kernel") || point_arg(p, 0) ||
	    !point_is(p, 1, "trace"))
		return NULL;
	const struct expr *arg = point_arg(p, 1);
	return arg && arg->kind == E_STRING ? arg->str : NULL;
}

static bool event_dir_exists(const char *system, const char *event)
{
	const char *dir = tracefs_dir();
	if (!dir)
		return true; /* cannot tell: trust BTF */
	return read_file(arena_printf("%s/events/%s/%s/format", dir, system, event), NULL) != NULL;
}

static bool match(struct elab *e, struct dprobe *d)
{
	const char *spec = spec_of(d->point);
	if (!spec)
		return false;
	struct trace_probe *tp = arena_alloc(sizeof(*tp));
	split(spec, &tp->system, &tp->event);
	if (!*tp->event || (tp->system && !*tp->system)) {
		diag_error(&d->point->loc, "kernel.trace(\"%s\"): write kernel.trace(\"system:event\") or "
					   "kernel.trace(\"event\")", spec);
		return false;
	}
	struct btf *btf = kbtf_get(e);
	if (!btf)
		return false;
	tp->proto = kbtf_tracepoint_proto(btf, tp->event);
	if (tp->proto > 0 && (!tp->system || event_dir_exists(tp->system, tp->event))) {
		/* The first parameter of __bpf_trace_EVENT is the probe's data, not the event's. */
		tp->params = kbtf_fn_params(btf, tp->proto, 1);
		d->data = tp;
		return true;
	}
	if (tp->system && tracefs_fields(tp->system, tp->event, &tp->fields)) {
		tp->classic = true;
		d->data = tp;
		return true;
	}
	if (d->optional)
		return false;
	if (!tp->system && !tracefs_dir())
		diag_error(&d->point->loc, "no tracepoint '%s' in the kernel's BTF", spec);
	else if (!tracefs_dir())
		diag_error(&d->point->loc, "no tracepoint '%s' in the kernel's BTF, and tracefs is not "
					   "mounted to look further (mount -t tracefs tracefs "
					   "/sys/kernel/tracing)", spec);
	else
		diag_error(&d->point->loc, "no tracepoint '%s' in this kernel (see stapc -l "
					   "'kernel.trace(\"*\")')", spec);
	return false;
}

static bool is_pattern(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* Every "system:event" the build host knows, from tracefs or else BTF. */
static void all_events(struct elab *e, struct vec *out)
{
	tracefs_events(out);
	if (out->len)
		return;
	struct btf *btf = kbtf_get(e);
	if (!btf)
		return;
	for (__u32 id = 1; id < btf__type_cnt(btf); id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		if (!btf_is_typedef(t))
			continue;
		const char *n = btf__name_by_offset(btf, t->name_off);
		if (n && !strncmp(n, "btf_trace_", 10))
			vec_push(out, (void *)intern(n + 10));
	}
}

static bool spec_matches(const char *pattern, const char *event_line)
{
	if (strchr(pattern, ':'))
		return fnmatch(pattern, event_line, 0) == 0;
	const char *colon = strchr(event_line, ':');
	return fnmatch(pattern, colon ? colon + 1 : event_line, 0) == 0;
}

static void expand(struct elab *e, const struct probe_point *p, const struct stmt *body,
		   const struct expr *cond, struct vec *out)
{
	(void)body;
	(void)cond;
	const char *spec = spec_of(p);
	if (!spec || !is_pattern(spec))
		return;
	struct vec events = { 0 };
	all_events(e, &events);
	for (int i = 0; i < events.len; i++) {
		const char *ev = vec_at(&events, i);
		if (!spec_matches(spec, ev))
			continue;
		struct probe_point *np = arena_alloc(sizeof(*np));
		*np = *p;
		np->comps = (struct vec){ 0 };
		vec_push(&np->comps, vec_at(&p->comps, 0));
		struct pp_component *c = arena_alloc(sizeof(*c));
		*c = *(struct pp_component *)vec_at(&p->comps, 1);
		c->arg = expr_new(E_STRING, c->loc);
		c->arg->str = ev;
		vec_push(&np->comps, c);
		vec_push(out, np);
	}
}

/* Named parameters of the event, without the probe's private first one. */
static const struct btf_param *params(const struct btf *btf, int proto, int *n)
{
	const struct btf_type *t = btf__type_by_id(btf, (__u32)proto);
	*n = btf_vlen(t) - 1;
	return btf_params(t) + 1;
}

static bool target(struct elab *e, struct dprobe *d, struct expr *x)
{
	struct trace_probe *tp = d->data;
	const char *name = x->name + 1;
	if (x->name[1] == '$') {
		/* $$vars, $$parms: every argument, printed. */
		if (!strcmp(x->name, "$$vars") || !strcmp(x->name, "$$parms") ||
		    !strcmp(x->name, "$$locals")) {
			x->type = VT_STRING;
			return true;
		}
		return false;
	}
	struct btf *btf = kbtf_get(e);
	if (!btf)
		return false;
	struct target_ref *r = arena_alloc(sizeof(*r));
	if (!tp->classic) {
		int n;
		const struct btf_param *pa = params(btf, tp->proto, &n);
		for (int i = 0; i < n; i++) {
			const char *pn = btf__name_by_offset(btf, pa[i].name_off);
			if (!pn || strcmp(pn, name))
				continue;
			r->base = TREF_TP_ARG;
			r->index = i;
			r->type = (int)pa[i].type;
			tref_resolve(e, r, x);
			return true;
		}
		return false;
	}
	for (int i = 0; i < tp->fields.len; i++) {
		struct tp_field *f = vec_at(&tp->fields, i);
		if (strcmp(f->name, name))
			continue;
		r->base = TREF_TP_FIELD;
		r->offset = f->offset;
		r->size = f->size;
		r->is_signed = f->is_signed;
		r->type = kbtf_parse_c_type(btf, f->c_type);
		/* Syscall arguments that are pointers point into the caller's memory. */
		r->user = strchr(f->c_type, '*') && tp->system && !strcmp(tp->system, "syscalls");
		if (f->array) {
			x->type = VT_LONG;
			x->target = r;
			return true;
		}
		tref_resolve(e, r, x);
		return true;
	}
	return false;
}

/* "const char *" as stap -L spells types: "const char*". */
static const char *c_type_tight(const char *t)
{
	struct strbuf sb = { 0 };
	for (const char *p = t; *p; p++)
		if (!(*p == ' ' && p[1] == '*'))
			sb_putc(&sb, *p);
	const char *r = intern(sb.buf ? sb.buf : "");
	sb_free(&sb);
	return r;
}

static void vars(struct elab *e, const struct dprobe *d, struct vec *out)
{
	const struct trace_probe *tp = d->data;
	struct btf *btf = kbtf_get(e);
	if (tp->classic) {
		for (int i = 0; i < tp->fields.len; i++) {
			const struct tp_field *f = vec_at(&tp->fields, i);
			if (f->name[0] != '_')
				vec_push(out, (void *)arena_printf("$%s:%s%s", f->name,
								   c_type_tight(f->c_type),
								   f->array ? "[]" : ""));
		}
		return;
	}
	if (!btf)
		return;
	int n;
	const struct btf_param *pa = params(btf, tp->proto, &n);
	for (int i = 0; i < n; i++) {
		const char *pn = btf__name_by_offset(btf, pa[i].name_off);
		vec_push(out, (void *)arena_printf("$%s:%s", pn && *pn ? pn : "?",
						   kbtf_type_name(btf, (int)pa[i].type)));
	}
}

/* syscalls:* and raw_syscalls:* fire in the task, at its system call. */
static bool is_syscall_event(const struct trace_probe *tp)
{
	if (tp->system)
		return !strcmp(tp->system, "syscalls") || !strcmp(tp->system, "raw_syscalls");
	return !strcmp(tp->event, "sys_enter") || !strcmp(tp->event, "sys_exit");
}

static int variants(const struct dprobe *d, struct variant *out, int max)
{
	const struct trace_probe *tp = d->data;
	if (max < 1)
		return 0;
	if (tp->classic) {
		out[0] = (struct variant){
			.section = attach_kind_section(STP_ATTACH_TRACEPOINT,
						       arena_printf("%s/%s", tp->system, tp->event)),
			.attach = STP_ATTACH_TRACEPOINT,
			.target = arena_printf("%s:%s", tp->system, tp->event),
			.args = ARGS_RECORD,
			.syscall_regs = is_syscall_event(tp),
		};
	} else {
		/* BTF-typed raw tracepoints: cheapest to run, and to detach. */
		out[0] = (struct variant){
			.section = attach_kind_section(STP_ATTACH_TP_BTF, tp->event),
			.attach = STP_ATTACH_TP_BTF,
			.target = tp->event,
			.args = ARGS_CTX_ARRAY,
			.ctx_macro = "BPF_PROG",
			.params = tp->params,
			.syscall_regs = is_syscall_event(tp),
		};
	}
	return 1;
}

/* syscalls:sys_exit_X's entry: syscalls:sys_enter_X, whose record is not the exit's. */
static bool entry_of(const struct dprobe *d, struct variant *ev)
{
	(void)d;
	const char *exit = "syscalls:sys_exit_";
	if (ev->attach != STP_ATTACH_TRACEPOINT || strncmp(ev->target, exit, strlen(exit)))
		return false;
	ev->section = attach_kind_section(ev->attach, arena_printf("syscalls/sys_enter_%s",
								   ev->target + strlen(exit)));
	ev->args = ARGS_NONE;
	return true;
}

static void print(struct strbuf *out, const struct dprobe *d)
{
	const struct trace_probe *tp = d->data;
	if (tp->system)
		sb_printf(out, "kernel.trace(\"%s:%s\")", tp->system, tp->event);
	else
		sb_printf(out, "kernel.trace(\"%s\")", tp->event);
}

static void list(struct elab *e, const struct probe_point *pattern, struct vec *out)
{
	if (point_ncomps(pattern) != 2 || !point_match(point_name(pattern, 0), "kernel") ||
	    !point_match(point_name(pattern, 1), "trace"))
		return;
	const struct expr *arg = point_arg(pattern, 1);
	const char *spec = arg && arg->kind == E_STRING ? arg->str : "*";
	struct vec events = { 0 };
	all_events(e, &events);
	for (int i = 0; i < events.len; i++) {
		const char *ev = vec_at(&events, i);
		if (spec_matches(spec, ev))
			vec_push(out, (void *)arena_printf("kernel.trace(\"%s\")", ev));
	}
}

const struct provider provider_tracepoint = {
	.name = "kernel.trace",
	.match = match,
	.expand = expand,
	.target = target,
	.vars = vars,
	.variants = variants,
	.entry_of = entry_of,
	.print = print,
	.list = list,
};
