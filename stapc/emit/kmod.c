// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmod.c - writes NAME.kmod.c: the kernel half of a tool built for the
 * module backend (--backend=module), from the same plan as NAME.bpf.c.
 *
 * The handlers are the BPF backend's, written by the same code (bpf.c's
 * kgen_handler_text): runtime/kmod/stp_kmod.h gives them what stp_bpf.h
 * gives BPF. What differs is around them: each probe registers through
 * the kernel's own API instead of a BPF program section,
 *
 *   kernel.function("f")          a kprobe, its handler probe_N_kp
 *   kernel.function("f").return   a kretprobe, probe_N_krp
 *   kernel.trace("sys:ev")        a tracepoint probe, probe_N_tp
 *   kernel.trace("syscalls:sys_enter_NAME"), sys_exit_NAME
 *                                 a probe of the raw sys_enter (sys_exit)
 *                                 tracepoint that keeps syscall __NR_NAME
 *                                 only, probe_N_sc, handing the body the
 *                                 classic event's record
 *   timer.ms(N) ... in the kernel, timer.profile
 *                                 an hrtimer (one per CPU for a profile)
 *                                 calling probe_N_tm with the interrupted
 *                                 registers, where BPF has a cpu-clock
 *                                 perf event
 *
 * each calling probe_N_body(ctx, args...) with the arguments the handler
 * reads. The arrays and statistics kernel probes touch are the BPF
 * backend's maps made of kernel memory (STP_KMAP: stp_kmod.h gives them
 * BPF's map helpers), listed in stp_maps in the order NAME.c binds them.
 * What the backend cannot do yet is an error at the construct.
 */
#include "../stapc.h"

#include <stdlib.h>
#include <string.h>

static bool in_k(const void *obj)
{
	return place_of(obj)->sides & SIDE_K;
}

/* The syscall of a classic syscall tracepoint ("read" of syscalls:sys_enter_read), else NULL. */
static const char *syscall_of(const struct variant *v, bool *is_exit)
{
	const char *t = v->target;
	if (v->attach != STP_ATTACH_TRACEPOINT || !t)
		return NULL;
	*is_exit = !strncmp(t, "syscalls:sys_exit_", 18);
	if (*is_exit)
		return t + 18;
	return strncmp(t, "syscalls:sys_enter_", 19) ? NULL : t + 19;
}

/* A timer probe's cpu-clock perf event, which an hrtimer does in a module (not perf.*'s). */
static bool is_timer(const struct kprog *kp)
{
	const struct variant *v = &kp->var;
	return v->attach == STP_ATTACH_PERF && v->perf_type == 1 /* PERF_TYPE_SOFTWARE */ &&
	       v->perf_config == 0 /* PERF_COUNT_SW_CPU_CLOCK */ && v->perf_period &&
	       !strncmp(vec_at(&kp->d->chain, 0), "timer.", 6);
}

/*
 * The variant a module registers: a kprobe, a kretprobe, a tracepoint
 * with typed arguments, a syscall's classic tracepoint, or a timer.
 */
static int module_variant(const struct kprog **kps, int n)
{
	for (int i = 0; i < n; i++) {
		enum stp_attach a = kps[i]->var.attach;
		bool is_exit;
		if ((a == STP_ATTACH_KPROBE || a == STP_ATTACH_KRETPROBE ||
		     a == STP_ATTACH_TP_BTF || syscall_of(&kps[i]->var, &is_exit) ||
		     is_timer(kps[i])) &&
		    !kps[i]->var.kwild)
			return i;
	}
	return -1;
}

/* The variants of one probe: kprogs from first on, n of them. */
static int group_len(const struct plan *pl, int first)
{
	const struct kprog *kp = vec_at(&pl->kprogs, first);
	int n = 1;
	while (first + n < pl->kprogs.len && n < MAX_VARIANTS &&
	       ((const struct kprog *)vec_at(&pl->kprogs, first + n))->d == kp->d)
		n++;
	return n;
}

static void refuse(const struct loc *at, const char *what)
{
	diag_error(at, "the kernel-module backend cannot do %s yet (it has kprobes, kretprobes, "
		       "tracepoints, globals, arrays, statistics and output); use --backend=bpf",
		   what);
}

/* What this slice of the backend cannot do, each an error at its construct. */
static bool kmod_supported(const struct plan *pl)
{
	int errors = diag_error_count();
	for (int i = 0; i < pl->prog->globals.len; i++) {
		struct symbol *g = vec_at(&pl->prog->globals, i);
		if (in_k(g) && g->arity && g->decl && g->decl->wrap)
			refuse(&g->loc, arena_printf("the wrap array '%s' (%%[N]) in a kernel probe",
						     g->name));
	}
	for (int i = 0; i < pl->kprogs.len;) {
		int n = group_len(pl, i);
		const struct kprog *kps[MAX_VARIANTS];
		for (int v = 0; v < n; v++)
			kps[v] = vec_at(&pl->kprogs, i + v);
		int c = module_variant(kps, n);
		const struct dprobe *d = kps[0]->d;
		if (c < 0)
			refuse(&d->user->loc, arena_printf("the probe point %s",
							   (const char *)vec_at(&d->chain, 0)));
		else if (kps[c]->stash)
			refuse(&d->user->loc, "a return probe that reads parameters or @entry()");
		else if (kps[c]->var.attach == STP_ATTACH_TP_BTF && kps[c]->var.params &&
			 kps[c]->var.params->n > 5)
			refuse(&d->user->loc, "a tracepoint of more than five arguments");
		i += n;
	}
	if (pl->usites_map || pl->ksites_map || pl->kconfigs.len)
		refuse(NULL, "run-time probe sites or %( CONFIG_ %) conditions in kernel probes");
	return diag_error_count() == errors;
}

/* "file, count": the arguments the body takes, each as the wrapper fetches it. */
static const char *wrapper_args(const struct kprog *kp, const struct kgen *k)
{
	const struct fn_params *fp = kp->var.params;
	bool tp = kp->var.attach == STP_ATTACH_TP_BTF;
	struct strbuf sb = { 0 };
	sb_puts(&sb, tp ? "ctx" : "regs");
	for (int i = 0; fp && i < fp->n; i++)
		if (k->args_used & (1u << i))
			sb_printf(&sb, ", (%s)%s", fp->type[i],
				  tp ? arena_printf("ctx[%d]", i)
				     : arena_printf("PT_REGS_PARM%d(regs)", i + 1));
	if (fp && k->ret_used)
		sb_printf(&sb, ", (%s)PT_REGS_RC(regs)", fp->ret_type);
	const char *r = arena_strdup(sb.buf);
	sb_free(&sb);
	return r;
}

/* A timer's hrtimer callback, probe_N_tm, and its row: one timer, or one per CPU. */
static void write_timer(struct cw *w, struct cw *rows, const struct kprog *kp)
{
	const struct variant *v = &kp->var;
	uint64_t ns = v->perf_freq ? 1000000000ull / v->perf_period : v->perf_period;
	cw_open(w, "static void %s_tm(struct pt_regs *regs)", kp->name);
	cw_line(w, "%s_body(regs);", kp->name);
	cw_close(w, NULL);
	cw_line(rows, "{ .kind = STP_KM_TIMER, .target = %s, .timer_fn = %s_tm, "
		      ".period_ns = %lluULL, .all_cpus = %d },",
		c_string(c_comment(vec_at(&kp->d->chain, 0))), kp->name, (unsigned long long)ns,
		strcmp(v->target ? v->target : "", "one-cpu") != 0);
}

/*
 * A syscall's classic tracepoint: probe_N_sc on the raw sys_enter or
 * sys_exit, kept to the syscall, giving the body the record the classic
 * event has (8 bytes of header, the number, the arguments or the return
 * value). A kernel without the syscall gets a row that cannot attach.
 */
static void write_syscall(struct cw *w, struct cw *rows, const struct kprog *kp)
{
	bool is_exit;
	const char *sc = syscall_of(&kp->var, &is_exit);
	if (is_exit) {
		cw_open(w, "static void %s_sc(void *data, struct pt_regs *regs, long ret)", kp->name);
		cw_line(w, "s64 ctx[3] = { 0, syscall_get_nr(current, regs), ret };");
	} else {
		cw_open(w, "static void %s_sc(void *data, struct pt_regs *regs, long id)", kp->name);
		cw_line(w, "s64 ctx[8] = { 0, id, regs->di, regs->si, regs->dx, regs->r10, "
			   "regs->r8, regs->r9 };");
	}
	const char *ifdef = arena_printf("#ifdef __NR_%s\n", sc);
	cw_raw(w, ifdef);
	cw_line(w, "if (ctx[1] == __NR_%s)", sc);
	cw_line(w, "\t%s_body((void *)ctx);", kp->name);
	cw_raw(w, "#endif\n");
	cw_close(w, NULL);
	cw_raw(rows, ifdef);
	cw_line(rows, "{ .kind = STP_KM_TRACEPOINT, .target = \"%s\", .tp_fn = (void *)%s_sc },",
		is_exit ? "sys_exit" : "sys_enter", kp->name);
	cw_raw(rows, "#else\n");
	cw_line(rows, "{ .kind = STP_KM_TRACEPOINT, .target = %s, .tp_fn = (void *)%s_sc },",
		c_string(kp->var.target), kp->name);
	cw_raw(rows, "#endif\n");
}

/* probe_N_body, then the function the kernel calls, and the probe's row in stp_probes. */
static void write_probe(struct cw *w, struct cw *rows, const struct kprog *kp,
			const struct kgen *k, const char *body)
{
	const char *name = kp->name;
	cw_line(w, "/* %s */", c_comment(vec_at(&kp->d->chain, 0)));
	cw_line(w, "static int %s_body(%s)", name, kgen_body_args(kp->var.params, k, true));
	cw_block(w);
	cw_raw(w, body);
	cw_close(w, NULL);
	cw_blank(w);
	const char *args = wrapper_args(kp, k);
	switch (kp->var.attach) {
	case STP_ATTACH_PERF:
		write_timer(w, rows, kp);
		break;
	case STP_ATTACH_TRACEPOINT:
		write_syscall(w, rows, kp);
		break;
	case STP_ATTACH_KPROBE:
		cw_open(w, "static int %s_kp(struct kprobe *p, struct pt_regs *regs)", name);
		cw_line(w, "return %s_body(%s);", name, args);
		cw_close(w, NULL);
		cw_line(rows, "{ .kind = STP_KM_KPROBE, .target = %s, .pre = %s_kp },",
			c_string(kp->var.target), name);
		break;
	case STP_ATTACH_KRETPROBE:
		cw_open(w, "static int %s_krp(struct kretprobe_instance *ri, struct pt_regs *regs)",
			name);
		cw_line(w, "return %s_body(%s);", name, args);
		cw_close(w, NULL);
		cw_line(rows, "{ .kind = STP_KM_KRETPROBE, .target = %s, .ret = %s_krp },",
			c_string(kp->var.target), name);
		break;
	default:
		/* A tracepoint calls its probes with (data, its arguments...), all in registers. */
		cw_open(w, "static void %s_tp(void *data, u64 a0, u64 a1, u64 a2, u64 a3, u64 a4)",
			name);
		cw_line(w, "u64 ctx[5] = { a0, a1, a2, a3, a4 };");
		cw_line(w, "%s_body(%s);", name, args);
		cw_close(w, NULL);
		cw_line(rows, "{ .kind = STP_KM_TRACEPOINT, .target = %s, .tp_fn = (void *)%s_tp },",
			c_string(kp->var.target), name);
	}
	cw_blank(w);
}

/*
 * The handlers, in the BPF emitter's order so that the plan's record
 * sites are met as planned: a probe whose variants share one body writes
 * it once; else each variant's handler is written and the module keeps
 * the one it registers.
 */
static void kmod_code(struct kgen_run *run, struct cw *w, struct cw *rows)
{
	const struct plan *pl = run->pl;
	kgen_functions(run, w);
	for (int i = 0; i < pl->kprogs.len;) {
		int n = group_len(pl, i);
		const struct kprog *kps[MAX_VARIANTS];
		bool any_array = false;
		for (int v = 0; v < n; v++) {
			kps[v] = vec_at(&pl->kprogs, i + v);
			any_array |= kps[v]->var.args == ARGS_CTX_ARRAY;
		}
		int c = module_variant(kps, n);
		struct kgen k;
		int m = n == 1 && kps[0]->shares_body ? kgen_alike_probes(pl, i) : 1;
		if (m > 1) {
			/* Alike probes sharing the first's body (and its record sites). */
			const char *body = kgen_handler_text(run, kps[0], any_array, &k);
			for (int p = 0; p < m; p++)
				write_probe(w, rows, vec_at(&pl->kprogs, i + p), &k, body);
			i += m;
			continue;
		}
		if (n > 1 && kps[0]->shares_body) {
			const char *body = kgen_handler_text(run, kps[0], any_array, &k);
			write_probe(w, rows, kps[c], &k, body);
		} else {
			for (int v = 0; v < n; v++) {
				const struct variant *var = &kps[v]->var;
				bool copy = var->args == ARGS_CTX_ARRAY && !var->entry_stash;
				const char *body = kgen_handler_text(run, kps[v], copy, &k);
				if (v == c)
					write_probe(w, rows, kps[v], &k, body);
			}
		}
		i += n;
	}
}

/*
 * The arrays and statistics kernel probes touch, as emit/bpf.c's maps: a
 * hash (per CPU for statistics), a per-CPU slot for a statistic without
 * keys; then stp_maps, whose order is the tool's (emit/user.c's bind).
 */
static void kmod_maps(const struct plan *pl, struct cw *w, struct cw *list)
{
	for (int i = 0; i < pl->prog->globals.len; i++) {
		struct symbol *g = vec_at(&pl->prog->globals, i);
		if (!in_k(g) || (g->arity == 0 && g->type != VT_STATS))
			continue;
		bool stats = g->type == VT_STATS;
		int64_t entries = g->decl && g->decl->max_entries ? g->decl->max_entries
								   : pl->maxmapentries;
		if (g->arity == 0)
			cw_line(w, "STP_KMAP(m_%s, BPF_MAP_TYPE_PERCPU_ARRAY, u32, %s, 1);", g->name,
				kgen_value_type(g, pl));
		else
			cw_line(w, "STP_KMAP(m_%s, BPF_MAP_TYPE_%sHASH, struct key_%s, %s, %lld);",
				g->name, stats ? "PERCPU_" : "", g->name, kgen_value_type(g, pl),
				(long long)entries);
		if (stats)
			cw_line(w, "static const struct stat_%s stp_zero_%s;", g->name, g->name);
		cw_line(list, "&m_%s,", g->name);
	}
	cw_line(list, "NULL,");
}

void emit_kmod(const struct plan *pl, struct strbuf *out)
{
	if (!kmod_supported(pl))
		return;
	struct cw body = { 0 }, rows = { .indent = 1 }, inits = { 0 }, fields = { 0 },
		  values = { 0 }, regexes = { 0 }, maps = { 0 }, map_list = { .indent = 1 };
	struct kgen_run run = { .pl = pl };
	kmod_code(&run, &body, &rows);
	if (run.next_site != pl->sites.len) {
		fprintf(stderr, "stapc: bug: NAME.kmod.c differs from its plan\n");
		abort();
	}
	kmod_maps(pl, &maps, &map_list);
	kgen_hist_functions(pl, &maps);
	kgen_slice_deletes(pl, &maps);
	kgen_kglobal_inits(pl, &inits);
	kgen_literals(pl, &fields, &values);
	regex_emit_tables(pl, &regexes);
	const struct tvar vars[] = {
		{ "NAME", pl->name },
		{ "VERSION", STAPC_VERSION },
		{ "MAXSTRINGLEN", arena_printf("%lld", (long long)pl->maxstringlen) },
		{ "SCRATCH_SIZE", arena_printf("%d", kgen_pow2_at_least(pl->scratch_max + (int)pl->maxstringlen)) },
		{ "RECORD_MAX", arena_printf("%d", kgen_pow2_at_least(pl->record_max)) },
		{ "LAZY_MAX", arena_printf("%d", LAZY_MAX) },
		{ "KGLOBAL_INITS", inits.sb.buf },
		{ "LITERAL_FIELDS", fields.sb.buf },
		{ "LITERAL_VALUES", values.sb.buf },
		{ "REGEXES", regexes.sb.buf ? regexes.sb.buf : "" },
		{ "MAPS", maps.sb.buf ? maps.sb.buf : "" },
		{ "MAP_LIST", map_list.sb.buf },
		{ "BODY", body.sb.buf },
		{ "PROBES", rows.sb.buf },
		{ 0 },
	};
	sb_puts(out, template_expand("tool.kmod.c", vars));
	struct cw *all[] = { &body, &rows, &inits, &fields, &values, &regexes, &maps, &map_list };
	for (size_t i = 0; i < ARRAY_SIZE(all); i++)
		sb_free(&all[i]->sb);
}
