// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * user.c - writes NAME.c: the tool. Its handlers that run in user space,
 * the decoding of what BPF sends, the arrays, and the description the
 * runtime's stp_main() runs: probes to attach, begin/end/timers, globals.
 */
#include "user.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static bool in_k(const void *obj)
{
	return place_of(obj)->sides & SIDE_K;
}

static bool in_u(const void *obj)
{
	return place_of(obj)->sides & SIDE_U;
}

static void declare_locals(struct ugen *u, struct vec *locals)
{
	for (int i = 0; i < locals->len; i++) {
		struct symbol *l = vec_at(locals, i);
		if (l->type == VT_STRING)
			cw_line(u->w, "char %s[STP_MAXSTR] = \"\";", gen_local(l));
		else
			cw_line(u->w, "s64 %s = 0;", gen_local(l));
	}
}

static const char *signature(const struct function *fn)
{
	struct strbuf sb = { 0 };
	sb_printf(&sb, "static %s %s(struct stp_rt *rt", fn->type == VT_LONG ? "s64" : "void",
		  gen_function(fn));
	if (fn->type == VT_STRING)
		sb_puts(&sb, ", char *ret");
	for (int i = 0; i < fn->param_syms.len; i++) {
		struct symbol *p = vec_at(&fn->param_syms, i);
		/* A string parameter the body writes is copied first (copy_written_params). */
		sb_printf(&sb, ", %s%s%s", p->type == VT_STRING ? "const char *" : "s64 ", gen_local(p),
			  p->type == VT_STRING && p->assigned ? "_in" : "");
	}
	sb_putc(&sb, ')');
	const char *r = arena_strdup(sb.buf);
	sb_free(&sb);
	return r;
}

/*
 * A string parameter is the caller's bytes (a literal, its local): one the
 * body writes (s .= "x") gets its own copy, as stap passes strings by value.
 */
static void copy_written_params(struct cw *w, const struct function *fn)
{
	for (int i = 0; i < fn->param_syms.len; i++) {
		struct symbol *p = vec_at(&fn->param_syms, i);
		if (p->type != VT_STRING || !p->assigned)
			continue;
		cw_line(w, "char %s[STP_MAXSTR];", gen_local(p));
		cw_line(w, "stp_strcpy(%s, %s_in);", gen_local(p), gen_local(p));
	}
}

static void emit_function(const struct plan *pl, struct plan *planning, struct cw *w,
			  struct function *fn)
{
	struct ugen u = { .pl = pl, .planning = planning, .w = w, .fn = fn, .err_label = "out" };
	cw_loc(w, &fn->loc);
	cw_open(w, "%s", signature(fn));
	if (fn->type == VT_LONG)
		cw_line(w, "s64 rv = 0;");
	/* stap's MAXNESTING: how deep calls may go (recursion). */
	cw_open(w, "if (++rt->nesting > %lld)", (long long)pl->maxnesting);
	const char *where = ugen_where(arena_printf("identifier '%s'", fn->name), &fn->loc);
	cw_line(w, "stp_error_at(rt, \"MAXNESTING exceeded\", %s);", where);
	cw_line(w, "goto out;");
	cw_close(w, NULL);
	/* A call charges its body: recursion that stays shallow still ends. */
	cw_line(w, "if (stp_act(rt, %d, %s)) goto out;", 1 + ugen_actions(fn->body), where);
	declare_locals(&u, &fn->locals);
	copy_written_params(w, fn);
	ugen_stmt(&u, fn->body);
	cw_line(w, "out:");
	cw_line(w, "rt->nesting--;");
	cw_line(w, "return%s;", fn->type == VT_LONG ? " rv" : "");
	cw_close(w, NULL);
	cw_blank(w);
}

static const char *define_of(const struct plan *pl, const char *name)
{
	size_t n = strlen(name);
	for (int i = 0; i < pl->s->defines.len; i++) {
		const char *d = vec_at(&pl->s->defines, i);
		if (!strncmp(d, name, n) && (d[n] == '=' || !d[n]))
			return d[n] ? d + n + 1 : "";
	}
	return NULL;
}

/* Where the tool runs probe d, as its provider says: nowhere if it does not. */
static struct tool_entry tool_entry_of(const struct dprobe *d)
{
	struct tool_entry te = { .list = TOOL_NONE };
	if (d->prov->tool_entry)
		d->prov->tool_entry(d, &te);
	return te;
}

/*
 * The files the tool serves (procfs probes): name, mode bits taken away,
 * read's capacity, direction. Returns how many; writes no table if none.
 */
static int emit_procfs_table(const struct plan *pl, struct cw *w)
{
	int n = 0;
	for (int i = 0; i < pl->uprobes.len; i++) {
		struct dprobe *d = vec_at(&pl->uprobes, i);
		struct tool_entry te = tool_entry_of(d);
		if (te.list != TOOL_PROCFS)
			continue;
		if (!n++)
			cw_open(w, "static const struct stp_procfs_desc procfs[] =");
		cw_line(w, "{ %s, %s, %lldLL, %lldLL, %d, probe_%d },", c_string(vec_at(&d->chain, 0)),
			c_string(te.path), (long long)te.umask, (long long)te.maxsize, te.write, d->id);
	}
	if (n)
		cw_close(w, ";");
	return n;
}

/*
 * What one hit of probe d may do, as stap counts: MAXACTION, and ten times
 * that (MAXACTION_INTERRUPTIBLE) for begin, end and error probes, which
 * stap runs with interrupts enabled; no limit with
 * STAP_SUPPRESS_TIME_LIMITS_ENABLE.
 */
static long long action_limit(const struct plan *pl, struct dprobe *d)
{
	if (define_of(pl, "STAP_SUPPRESS_TIME_LIMITS_ENABLE"))
		return INT64_MAX;
	if (!tool_entry_of(d).interruptible)
		return (long long)pl->maxactions;
	const char *v = define_of(pl, "MAXACTION_INTERRUPTIBLE");
	return v ? strtoll(v, NULL, 0) : (long long)pl->maxactions * 10;
}

static void emit_probe(const struct plan *pl, struct plan *planning, struct cw *w,
		       struct dprobe *d)
{
	struct ugen u = { .pl = pl, .planning = planning, .w = w, .probe = d, .err_label = "err" };
	cw_line(w, "/* %s */", c_comment(vec_at(&d->chain, 0)));
	cw_open(w, "static void probe_%d(struct stp_rt *rt)", d->id);
	cw_line(w, "rt->actions = %lldLL; /* MAXACTION */", action_limit(pl, d));
	declare_locals(&u, &d->locals);
	if (d->cond)
		cw_line(w, "if (!(%s)) goto out;", ugen_long(&u, d->cond));
	ugen_stmt(&u, d->body);
	cw_line(w, "goto out;");
	cw_line(w, "err:");
	cw_line(w, "stp_report_error(rt);");
	cw_line(w, "out:;");
	cw_close(w, NULL);
	cw_blank(w);
}

/* ------------------------------------------------------------ records from BPF */

static void decode_value(struct cw *w, const struct expr *a, int i, struct strbuf *args)
{
	if (a->type == VT_STRING) {
		cw_line(w, "char a%d[STP_MAXSTR];", i);
		cw_line(w, "stp_read_string(rt, &p, end, a%d);", i);
		sb_printf(args, "%sstp_arg__str(a%d)", args->len ? ", " : "", i);
	} else {
		cw_line(w, "s64 a%d = stp_read_long(&p, end);", i);
		sb_printf(args, "%sstp_arg__int(a%d)", args->len ? ", " : "", i);
	}
}

static void emit_on_event(const struct plan *pl, struct cw *w)
{
	cw_open(w, "static void on_event(struct stp_rt *rt, const void *data, size_t len)");
	cw_line(w, "const char *p = (const char *)data + 4, *end = (const char *)data + len;");
	cw_line(w, "u32 site;");
	cw_line(w, "memcpy(&site, data, 4);");
	cw_open(w, "switch (site)");
	for (int i = 0; i < pl->sites.len; i++) {
		struct out_site *s = vec_at(&pl->sites, i);
		const struct expr *x = s->x;
		cw_line(w, "case %d: /* %s:%d */", s->id,
			c_comment(source_shown_name(x->loc.file)), x->loc.line);
		cw_block(w);
		struct strbuf args = { 0 };
		for (int j = 0; j < x->args.len; j++)
			decode_value(w, vec_at(&x->args, j), j, &args);
		switch (s->kind) {
		case SITE_PRINT:
		case SITE_LOG:
			if (args.len)
				cw_line(w, "struct stp_arg args[] = { %s };", args.buf);
			cw_line(w, "stp_printf(rt, %d, %s, %d);", s->format, args.len ? "args" : "NULL",
				x->args.len);
			break;
		case SITE_WARN:
			cw_line(w, "stp_warn(rt, a0);");
			break;
		case SITE_SYSTEM:
			cw_line(w, "stp_system(rt, a0);");
			break;
		case SITE_ERROR:
			cw_line(w, "stp_kernel_error(rt, a0);");
			break;
		case SITE_EXIT:
			cw_line(w, "stp_exit(rt);");
			break;
		}
		sb_free(&args);
		cw_line(w, "break;");
		cw_close(w, NULL);
	}
	cw_line(w, "case STP_SITE_ERROR:");
	cw_block(w);
	cw_line(w, "u16 id = 0;");
	cw_line(w, "if (p + 2 <= end) memcpy(&id, p, 2);");
	cw_line(w, "stp_kernel_error(rt, id < STP_NLITERALS ? stp_literals[id] : \"?\");");
	cw_line(w, "break;");
	cw_close(w, NULL);
	cw_close(w, NULL);
	cw_close(w, NULL);
	cw_blank(w);
}

/* ------------------------------------------------------------ arrays and globals */

static void emit_layouts(const struct plan *pl, struct cw *w)
{
	for (int i = 0; i < pl->prog->globals.len; i++) {
		struct symbol *g = vec_at(&pl->prog->globals, i);
		if (g->arity == 0 && g->type != VT_STATS)
			continue;
		const char *key = g->arity ? arena_printf("struct key_%s", g->name) : "u32";
		const char *val = g->type == VT_STATS ? arena_printf("struct stat_%s", g->name)
				  : g->type == VT_STRING ? "char[STP_MAXSTR]" : "s64";
		cw_open(w, "static const struct stp_layout layout_%s =", g->name);
		cw_line(w, ".nkeys = %d,", g->arity);
		if (g->arity) {
			cw_line(w, ".key = {");
			for (int k = 0; k < g->arity; k++)
				cw_line(w, "\t{ offsetof(struct key_%s, k%d), %s },", g->name, k,
					g->keys[k] == VT_STRING ? "true" : "false");
			cw_line(w, "},");
		}
		cw_line(w, ".value = %s,", g->type == VT_STATS ? "STP_VAL_STATS"
					   : g->type == VT_STRING ? "STP_VAL_STRING" : "STP_VAL_LONG");
		cw_line(w, ".key_size = sizeof(%s),", key);
		cw_line(w, ".value_size = sizeof(%s),", val);
		cw_line(w, ".buckets = %d,", place_of(g)->buckets);
		cw_close(w, ";");
		cw_line(w, "static struct stp_map *m_%s;", g->name);
	}
	cw_blank(w);
}

static void emit_scalars(const struct plan *pl, struct cw *w)
{
	for (int i = 0; i < pl->prog->globals.len; i++) {
		struct symbol *g = vec_at(&pl->prog->globals, i);
		if (g->arity != 0 || g->type == VT_STATS || in_k(g))
			continue;
		const struct expr *init = g->decl ? g->decl->init : NULL;
		if (g->type == VT_STRING)
			cw_line(w, "static char %s[STP_MAXSTR] = %s;", gen_global(g),
				c_string(init ? decode_escapes(init->str) : ""));
		else
			cw_line(w, "static s64 %s = %lldLL;", gen_global(g),
				init ? (long long)init->num : 0LL);
	}
	cw_blank(w);
}

/*
 * stap prints, when a run ends, every global the script assigns but never
 * reads: `count=42`, `names[1,"x"]="hello"`, `reads["a"] @count=2 @min=10
 * @max=20 @sum=30 @avg=15`, in declaration order, arrays in their order.
 */
static void autoprint_value(struct cw *w, const struct symbol *g, const char *v)
{
	if (g->type == VT_STATS) {
		cw_line(w, "{ const struct stp_stat *st = (const struct stp_stat *)(%s);", v);
		cw_line(w, "  if (st->count) fprintf(rt->out, \" @count=%%lld @min=%%lld @max=%%lld "
			   "@sum=%%lld @avg=%%lld\\n\", st->count, st->min, st->max, st->sum, "
			   "st->sum / st->count); else fputc('\\n', rt->out); }");
	} else if (g->type == VT_STRING) {
		cw_line(w, "fprintf(rt->out, \"=\\\"%%s\\\"\\n\", (const char *)(%s));", v);
	} else {
		cw_line(w, "fprintf(rt->out, \"=%%lld\\n\", (long long)*(const s64 *)(%s));", v);
	}
}

static void emit_autoprint(const struct plan *pl, struct cw *w)
{
	cw_open(w, "static void autoprint(struct stp_rt *rt)");
	for (int i = 0; i < pl->prog->globals.len; i++) {
		struct symbol *g = vec_at(&pl->prog->globals, i);
		if (g->from_tapset || !g->assigned || g->read)
			continue;
		cw_line(w, "/* %s: assigned, never read */", g->name);
		if (g->arity == 0 && g->type != VT_STATS) {
			const char *v = in_k(g) ? arena_printf("&KG->%s", gen_global(g))
						: arena_printf("&%s", gen_global(g));
			if (g->type == VT_STRING)
				v = in_k(g) ? arena_printf("KG->%s", gen_global(g)) : gen_global(g);
			cw_line(w, "fputs(%s, rt->out);", c_string(g->name));
			autoprint_value(w, g, v);
			continue;
		}
		cw_block(w);
		cw_line(w, "struct stp_iter it;");
		cw_line(w, "const void *kp, *vp;");
		cw_line(w, "stp_iter__init(&it, m_%s, -1, 1, STP_AGG_NONE, -1, NULL, NULL);", g->name);
		cw_open(w, "while (stp_iter__next(&it, &kp, &vp))");
		cw_line(w, "fputs(%s, rt->out);", c_string(g->name));
		if (g->arity > 0) {
			cw_line(w, "fputc('[', rt->out);");
			for (int k = 0; k < g->arity; k++) {
				const char *field = arena_printf("((const struct key_%s *)kp)->k%d", g->name, k);
				if (k)
					cw_line(w, "fputc(',', rt->out);");
				if (g->keys[k] == VT_STRING)
					cw_line(w, "fprintf(rt->out, \"\\\"%%s\\\"\", %s);", field);
				else
					cw_line(w, "fprintf(rt->out, \"%%lld\", (long long)%s);", field);
			}
			cw_line(w, "fputc(']', rt->out);");
		}
		autoprint_value(w, g, "vp");
		cw_close(w, NULL);
		cw_line(w, "stp_iter__free(&it);");
		cw_close(w, NULL);
	}
	cw_close(w, NULL);
	cw_blank(w);
}

static void emit_bind(const struct plan *pl, struct cw *w)
{
	cw_open(w, "static int bind(struct stp_rt *rt, struct bpf_object *obj)");
	cw_line(w, "if (!rt->kglobals) return 0;");
	cw_line(w, "KG->stp_target_pid = rt->target_pid;");
	cw_line(w, "KG->stp_boot_epoch_ns = stp_time_ns() - stp_boottime_ns();");
	for (int i = 0; i < pl->prog->exe_paths.len; i++)
		cw_line(w, "if (stp_exe_identity(%s, &KG->stp_exe[%d].dev, &KG->stp_exe[%d].ino)) return 1;",
			c_string(vec_at(&pl->prog->exe_paths, i)), i, i);
	if (pl->nargs_max) {
		cw_open(w, "for (int i = 0; i < rt->argc && i < 64; i++)");
		cw_line(w, "KG->stp_argl[i] = stp_arg_long(rt, i + 1);");
		cw_line(w, "stp_arg(rt, KG->stp_args[i], i + 1);");
		cw_close(w, NULL);
	}
	/* A module's arrays are numbered in this order (emit/kmod.c's stp_maps). */
	int nkmap = 0;
	for (int i = 0; i < pl->prog->globals.len; i++) {
		struct symbol *g = vec_at(&pl->prog->globals, i);
		if (!in_k(g) || (g->arity == 0 && g->type != VT_STATS))
			continue;
		if (pl->s->backend.backend == BACKEND_MODULE)
			cw_line(w, "if (stp_map__bind_kmod(m_%s, rt, %d)) return 1;", g->name, nkmap++);
		else
			cw_line(w, "stp_map__bind(m_%s, bpf_map__fd(bpf_object__find_map_by_name(obj, "
				   "\"m_%s\")));", g->name, g->name);
	}
	cw_line(w, "return 0;");
	cw_close(w, NULL);
	cw_blank(w);
}

static void emit_tables(const struct plan *pl, struct cw *w)
{
	cw_line(w, "#define STP_NLITERALS %d", pl->literals.len);
	cw_open(w, "static const char *const stp_literals[STP_NLITERALS + 1] =");
	for (int i = 0; i < pl->literals.len; i++)
		cw_line(w, "%s,", c_string(vec_at(&pl->literals, i)));
	cw_line(w, "NULL,");
	cw_close(w, ";");
	cw_open(w, "static const char *const stp_formats[%d] =", pl->formats.len + 1);
	for (int i = 0; i < pl->formats.len; i++)
		cw_line(w, "%s,", c_string(vec_at(&pl->formats, i)));
	cw_line(w, "NULL,");
	cw_close(w, ";");
	cw_blank(w);
	regex_emit_tables(pl, w);
}

/* ------------------------------------------------------------ the description */

/* ".nscopes = N, .scopes = { ... }, ": the point lists a probe came through. */
static const char *scopes_init(const struct dprobe *d)
{
	struct strbuf sb = { 0 };
	sb_printf(&sb, ".nscopes = %d, .scopes = { ", d->nscopes);
	for (int i = 0; i < d->nscopes; i++)
		sb_printf(&sb, "%s{ %d, %d, %d }", i ? ", " : "", d->scopes[i].list, d->scopes[i].index,
			  d->scopes[i].sufficient);
	sb_puts(&sb, " }, ");
	const char *r = arena_strdup(sb.buf);
	sb_free(&sb);
	return r;
}

/*
 * The functions each kernel wildcard the tool expands matched on the build
 * host (kwild_host_ID[]), for -v to say why the running kernel lacks one.
 */
static void emit_host_matches(const struct plan *pl, struct cw *w)
{
	for (int i = 0; i < pl->kprobes.len; i++) {
		struct dprobe *d = vec_at(&pl->kprobes, i);
		const struct variant *var = d->variants;
		if (!d->nvariants || !var->kwild || !var->host_matches->len)
			continue;
		cw_open(w, "static const char *const kwild_host_%d[] =", d->id);
		for (int j = 0; j < var->host_matches->len; j++)
			cw_line(w, "%s,", c_string(vec_at(var->host_matches, j)));
		cw_close(w, ";");
	}
}

/* ".kmod = ..., .site_pp = ..., ": what a kernel wildcard's variant adds. */
static const char *kwild_init(const struct dprobe *d, const struct variant *var)
{
	if (!var->kwild)
		return "";
	int nhost = var->host_matches->len;
	return arena_printf(".kmod = %s, .site_pp = %s, .host_matches = %s, .nhost_matches = %d, ",
			    var->kmod ? c_string(var->kmod) : "NULL", c_string(var->site_pp),
			    nhost ? arena_printf("kwild_host_%d", d->id) : "NULL", nhost);
}

static void emit_descriptions(const struct plan *pl, struct cw *w, const char *script,
			      const char *description)
{
	int nkprobes = 0;
	bool uses_uprobes = false;
	emit_host_matches(pl, w);
	if (pl->kprobes.len) {
		cw_open(w, "static const struct stp_kprobe_desc kprobes[] =");
		for (int i = 0; i < pl->kprobes.len; i++) {
			struct dprobe *d = vec_at(&pl->kprobes, i);
			struct strbuf pp = { 0 };
			dump_probe_point(&pp, d->point);
			for (int v = 0; v < d->nvariants; v++, nkprobes++) {
				const struct variant *var = &d->variants[v];
				cw_line(w, "{ .prog = \"%s\", .pp = %s, .attach = %s, .target = %s, "
					   ".func = %s, .perf_type = %u, .perf_config = %lluULL, "
					   ".perf_period = %lluULL, .perf_freq = %d, %s"
					   ".subgroup = %d, .sufficient = %d, .optional = %d, "
					   ".ukind = %s, .usuffix = %s, .uparams_used = 0x%llxULL, "
					   ".origin = %s, .origin_optional = %d, %s},",
					prog_name(d, v), c_string(pp.buf), attach_kind_name(var->attach),
					c_string(var->target ? var->target : ""),
					c_string(var->func ? var->func : ""), var->perf_type,
					(unsigned long long)var->perf_config,
					(unsigned long long)var->perf_period, var->perf_freq, scopes_init(d), d->id,
					d->sufficient, d->optional || d->sufficient,
					var->ukind ? var->ukind : "STP_U_NONE",
					c_string(var->usuffix ? var->usuffix : ""),
					(unsigned long long)var->uparams_used,
					d->origin ? c_string(d->origin) : "NULL", d->origin_optional,
					kwild_init(d, var));
				if (var->ukind)
					uses_uprobes = true;
			}
			sb_free(&pp);
		}
		cw_close(w, ";");
	}
	if (uses_uprobes) {
		cw_open(w, "static const char *const uparams[] =");
		for (int i = 0; i < pl->prog->uparams.len; i++)
			cw_line(w, "%s,", c_string(vec_at(&pl->prog->uparams, i)));
		cw_line(w, "NULL,");
		cw_close(w, ";");
	}
	const char *lists[] = { "begins", "ends", "errors" };
	enum tool_list kinds[] = { TOOL_BEGIN, TOOL_END, TOOL_ERROR };
	int counts[3] = { 0, 0, 0 };
	for (int l = 0; l < 3; l++) {
		cw_open(w, "static const struct stp_uprobe_desc %s[] =", lists[l]);
		for (int i = 0; i < pl->uprobes.len; i++) {
			struct dprobe *d = vec_at(&pl->uprobes, i);
			struct tool_entry te = tool_entry_of(d);
			if (te.list != kinds[l])
				continue;
			cw_line(w, "{ %s, %lldLL, probe_%d },", c_string(vec_at(&d->chain, 0)),
				(long long)te.order, d->id);
			counts[l]++;
		}
		cw_line(w, "{ 0 }");
		cw_close(w, ";");
	}
	int ntimers = 0;
	cw_open(w, "static const struct stp_timer_desc timers[] =");
	for (int i = 0; i < pl->uprobes.len; i++) {
		struct dprobe *d = vec_at(&pl->uprobes, i);
		struct tool_entry te = tool_entry_of(d);
		if (te.list != TOOL_TIMER)
			continue;
		cw_line(w, "{ %s, %lldLL, %lldLL, probe_%d },", c_string(vec_at(&d->chain, 0)),
			(long long)te.interval_ns, (long long)te.randomize_ns, d->id);
		ntimers++;
	}
	cw_line(w, "{ 0 }");
	cw_close(w, ";");
	int nprocfs = emit_procfs_table(pl, w);
	int nglobals = 0;
	cw_open(w, "static const struct stp_global_desc globals[] =");
	for (int i = 0; i < pl->prog->globals.len; i++) {
		struct symbol *g = vec_at(&pl->prog->globals, i);
		if (g->arity != 0 || g->type == VT_STATS)
			continue;
		if (in_k(g))
			cw_line(w, "{ %s, %d, NULL, offsetof(struct stp_kglobals, %s) },",
				c_string(g->name), g->type == VT_STRING, gen_global(g));
		else
			cw_line(w, "{ %s, %d, %s%s, 0 },", c_string(g->name), g->type == VT_STRING,
				g->type == VT_STRING ? "" : "&", gen_global(g));
		nglobals++;
	}
	cw_line(w, "{ 0 }");
	cw_close(w, ";");
	cw_blank(w);
	/* Not const: the BPF object's size is only known at link time. */
	cw_open(w, "static struct stp_tool tool =");
	cw_line(w, ".name = %s,", c_string(pl->tool_name ? pl->tool_name : pl->name));
	cw_line(w, ".stapc_version = %s,", c_string(STAPC_VERSION));
	cw_line(w, ".description = %s,", c_string(description));
	cw_line(w, ".script = %s,", c_string(script));
	cw_line(w, ".manifest = stp_manifest,");
	if (pl->kprobes.len) {
		cw_line(w, ".bpf_object = stp_bpf_object,");
		cw_line(w, ".kprobes = kprobes,");
		cw_line(w, ".nkprobes = %d,", nkprobes);
		cw_line(w, ".bind = bind,");
		cw_line(w, ".on_event = on_event,");
	}
	cw_line(w, ".begins = begins, .nbegins = %d,", counts[0]);
	cw_line(w, ".ends = ends, .nends = %d,", counts[1]);
	cw_line(w, ".errors = errors, .nerrors = %d,", counts[2]);
	cw_line(w, ".timers = timers, .ntimers = %d,", ntimers);
	if (nprocfs)
		cw_line(w, ".procfs = procfs, .nprocfs = %d,", nprocfs);
	cw_line(w, ".globals = globals, .nglobals = %d,", nglobals);
	cw_line(w, ".autoprint = autoprint,");
	if (uses_uprobes) {
		/* Only tools with uprobes link the symbol and DWARF readers. */
		cw_line(w, ".uprobes = &stp_uprobe_ops,");
		cw_line(w, ".uparams = uparams, .nuparams = %d,", pl->prog->uparams.len);
		cw_line(w, ".uses_uparms = %d,", pl->uses_uparms);
	}
	if (pl->s->kernel_build_id) {
		cw_line(w, ".kernel_build_id = %s,", c_string(pl->s->kernel_build_id));
		cw_line(w, ".kernel_release = %s,", c_string(pl->s->kernel_release));
	}
	cw_line(w, ".nargs_max = %d,", pl->nargs_max);
	cw_line(w, ".maxstringlen = %lld,", (long long)pl->maxstringlen);
	cw_line(w, ".maxmapentries = %lld,", (long long)pl->maxmapentries);
	cw_line(w, ".maxerrors = %lld,", (long long)pl->maxerrors);
	cw_line(w, ".maxaction = %lld,", (long long)pl->maxactions);
	cw_line(w, ".maxnesting = %lld,", (long long)pl->maxnesting);
	cw_close(w, ";");
	cw_blank(w);
}

/* The maps main() makes before stp_main() runs the tool. */
static void emit_map_news(const struct plan *pl, struct cw *w)
{
	w->indent = 1;
	for (int i = 0; i < pl->prog->globals.len; i++) {
		struct symbol *g = vec_at(&pl->prog->globals, i);
		if (g->arity == 0 && g->type != VT_STATS)
			continue;
		bool sized = g->decl && g->decl->max_entries;
		int64_t entries = sized ? g->decl->max_entries : pl->maxmapentries;
		cw_line(w, "m_%s = stp_map__new(&layout_%s, %lld, %d, %d);", g->name, g->name,
			(long long)entries, g->decl && g->decl->wrap, sized);
	}
}

/* NAME.c: templates/tool.c.in around the tables, the code and the descriptors. */
static void write_tool_file(const struct plan *pl, struct strbuf *out, const char *body,
			    const char *script, const char *description)
{
	struct cw tables = { 0 }, descriptions = { 0 }, maps = { 0 };
	emit_tables(pl, &tables);
	emit_layouts(pl, &tables);
	emit_scalars(pl, &tables);
	emit_descriptions(pl, &descriptions, script, description);
	emit_map_news(pl, &maps);
	const struct tvar vars[] = {
		{ "NAME", pl->name },
		{ "VERSION", STAPC_VERSION },
		{ "MAXSTR", arena_printf("%lld", (long long)pl->maxstringlen) },
		{ "TABLES", tables.sb.buf },
		{ "BODY", body },
		{ "DESCRIPTIONS", descriptions.sb.buf },
		{ "MAIN_BPF", !pl->kprobes.len ? ""
			      : pl->s->backend.backend == BACKEND_MODULE
				      ? "\ttool.bpf_object_len = 0;\n"
					"\ttool.kmods = stp_kmods;\n\ttool.nkmods = stp_nkmods;"
				      : "\ttool.bpf_object_len = stp_bpf_object_len;" },
		{ "NFORMATS", arena_printf("%d", pl->formats.len) },
		{ "MAIN_MAPS", maps.sb.buf },
		{ 0 },
	};
	sb_puts(out, template_expand("tool.c", vars));
	sb_free(&tables.sb);
	sb_free(&descriptions.sb);
	sb_free(&maps.sb);
}

/* The functions the tool runs, then its probes: the code that refers to the plan. */
void ugen_code(const struct plan *pl, struct plan *planning, struct cw *w)
{
	/* Declared first so any order of calls works. */
	for (int i = 0; i < pl->prog->functions.len; i++) {
		struct function *fn = vec_at(&pl->prog->functions, i);
		if (!fn->builtin && in_u(fn))
			cw_line(w, "%s;", signature(fn));
	}
	cw_blank(w);
	for (int i = 0; i < pl->prog->functions.len; i++) {
		struct function *fn = vec_at(&pl->prog->functions, i);
		if (!fn->builtin && in_u(fn))
			emit_function(pl, planning, w, fn);
	}
	for (int i = 0; i < pl->uprobes.len; i++)
		emit_probe(pl, planning, w, vec_at(&pl->uprobes, i));
}

void emit_user(const struct plan *pl, struct strbuf *out, const char *script,
	       const char *description)
{
	struct cw body = { 0 };
	ugen_code(pl, NULL, &body);
	emit_autoprint(pl, &body);
	if (pl->kprobes.len) {
		emit_on_event(pl, &body);
		emit_bind(pl, &body);
	}

	write_tool_file(pl, out, body.sb.buf, script, description);
	sb_free(&body.sb);
}
