// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * uprobes.c - user-space probes on the target: function and PLT uprobes,
 * USDT marks.
 *
 * A uprobe probe's pattern is expanded here, at start-up, from the binary
 * on this host (usym.c), so the tool follows another build of the program.
 * Each match is a site: the probe's one BPF program is attached once per
 * site, with the site's index as the attach cookie. A path with wildcards
 * (process("/usr/lib*\/libssl.so.*")) is globbed here too (uglob.c): the
 * probe's sites are those of every match, each named by its own path. BPF sends the index;
 * the tool knows the site's pp(), function and DWARF parameters
 * (udwarf.c) and prints them.
 *
 * Only tools with uprobes link this file (stp_tool.uprobes), and with it
 * libelf's symbol reading and libdw.
 */
#include "kfeatures.h"
#include "sites.h"
#include "stp_gen.h"
#include "udwarf.h"
#include "uglob.h"
#include "ulib.h"
#include "uprobe_multi.h"
#include "usym.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

struct binary;

struct site {
	int desc;
	struct binary *bin; /* the file the site is in */
	char *pp, *func;
	char *provider, *mark; /* marks */
	uint64_t addr, offset;
	const struct udw_func *dw; /* NULL: no debuginfo */
};

/* A binary the tool probes, read once. */
struct binary {
	char *path;
	struct usym_list funcs, plt, marks;
	bool funcs_read, plt_read, marks_read;
	struct udw_file *dw;
	bool dw_tried, warned;
};

/* Per kprobe description: its sites (of one binary, or of each a glob matches) and the process. */
struct udesc {
	int first, n;
	int pid; /* -1: every process running the binary */
	char *failure; /* why it has no sites, when that is not fatal at once */
};

static int *multi_links;  /* uprobe_multi links' fds, closed at the end */
static int nmulti_links;

static struct site *sites;
static int nsites;
/* Each on its own: udescs keep pointers to them while more are added. */
static struct binary **binaries;
static int nbinaries;
static struct udesc *udescs;
static int nudescs;

static struct binary *binary(const char *path)
{
	for (int i = 0; i < nbinaries; i++)
		if (!strcmp(binaries[i]->path, path))
			return binaries[i];
	binaries = realloc(binaries, sizeof(*binaries) * (size_t)(nbinaries + 1));
	struct binary *b = calloc(1, sizeof(*b));
	binaries[nbinaries++] = b;
	b->path = strdup(path);
	return b;
}

static struct udw_file *dwarf_of(struct binary *b)
{
	if (!b->dw_tried) {
		b->dw_tried = true;
		b->dw = udw_open(b->path);
	}
	return b->dw;
}

static const struct usym_list *symbols(struct binary *b, enum stp_ukind kind, char *err,
				       size_t errlen)
{
	struct usym_list *l = kind == STP_U_PLT ? &b->plt : kind == STP_U_MARK ? &b->marks : &b->funcs;
	bool *done = kind == STP_U_PLT ? &b->plt_read : kind == STP_U_MARK ? &b->marks_read
									  : &b->funcs_read;
	if (!*done) {
		enum usym_kind k = kind == STP_U_PLT ? USYM_PLT : kind == STP_U_MARK ? USYM_MARKS
										   : USYM_FUNCTIONS;
		if (usym_read(b->path, k, l, err, errlen) != 0)
			return NULL;
		*done = true;
	}
	return l;
}

/* The -c command's program, or the -x process's: what a bare process.function probes. */
char *stp_target_binary(struct stp_rt *rt, struct stp_session *ss)
{
	if (ss->command) {
		char **words = stp_simple_command(ss->command);
		char *path = words ? usym_find_binary(words[0]) : NULL;
		stp_free_command(words);
		return path;
	}
	if (rt->target_pid) {
		char link[64], buf[PATH_MAX];
		snprintf(link, sizeof(link), "/proc/%d/exe", rt->target_pid);
		ssize_t n = readlink(link, buf, sizeof(buf) - 1);
		if (n <= 0)
			return NULL;
		buf[n] = 0;
		return strdup(buf);
	}
	return NULL;
}

/* The function a mark sits in: the closest function symbol at or below it. */
static const char *function_around(struct binary *b, uint64_t addr)
{
	char err[256];
	const struct usym_list *fl = symbols(b, STP_U_FUNCTION, err, sizeof(err));
	const char *best = "";
	for (int i = 0; fl && i < fl->n && fl->v[i].addr <= addr; i++)
		best = fl->v[i].name;
	return best;
}

/*
 * A probe that cannot be placed here but may be spared: one of '!'
 * alternatives (process.mark("x") !, process.library("libpython*").mark("x"))
 * or an optional one. The attacher says why if none of its list attaches.
 */
static void record_failure(int desc, const char *fmt, ...)
{
	va_list ap;
	char buf[1024];
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	free(udescs[desc].failure);
	udescs[desc].failure = strdup(buf);
}

static const char *why_failed(int desc)
{
	return udescs && desc >= 0 ? udescs[desc].failure : NULL;
}

static void quote_path(char *out, size_t n, const char *path)
{
	snprintf(out, n, "process(\"%s\")", path);
}

static void add_site(int desc, struct binary *b, const struct usym *sym)
{
	sites = realloc(sites, sizeof(*sites) * (size_t)(nsites + 1));
	struct site *s = &sites[nsites++];
	memset(s, 0, sizeof(*s));
	s->desc = desc;
	s->bin = b;
	s->addr = sym->addr;
	s->offset = sym->offset;
	s->func = strdup(sym->name);
	if (sym->provider) {
		s->provider = strdup(sym->provider);
		s->mark = strdup(sym->name);
	}
}

/* pp() of a site, as stap spells it for this kind of probe. */
static void name_site(struct site *s, const struct stp_kprobe_desc *k, struct binary *b)
{
	char proc[PATH_MAX + 16], buf[2 * PATH_MAX + 256];
	quote_path(proc, sizeof(proc), b->path);
	switch (k->ukind) {
	case STP_U_FUNCTION:
		if (s->dw && s->dw->decl_file)
			snprintf(buf, sizeof(buf), "%s.function(\"%s@%s:%d\")%s", proc, s->func,
				 s->dw->decl_file, s->dw->decl_line, k->usuffix);
		else
			snprintf(buf, sizeof(buf), "%s.function(\"%s\")%s", proc, s->func, k->usuffix);
		break;
	case STP_U_PLT:
		/* stap names a PLT probe by the stub's address. */
		snprintf(buf, sizeof(buf), "%s.statement(0x%llx)%s", proc, (unsigned long long)s->addr,
			 k->usuffix);
		break;
	default: {
		snprintf(buf, sizeof(buf), "%s.mark(\"%s\")", proc, s->mark);
		/* probefunc() of a mark: the function it is in. */
		char *around = strdup(function_around(b, s->addr));
		free(s->func);
		s->func = around;
	}
	}
	s->pp = strdup(buf);
}

static void warn_stripped(struct binary *b, const struct usym_list *l, bool uses_dwarf)
{
	if (b->warned)
		return;
	if (l->from_dynsym) {
		b->warned = true;
		fprintf(stderr,
			"WARNING: %s is stripped: only the %d functions it exports can be probed%s\n",
			b->path, usym_count_addresses(l),
			uses_dwarf ? ", and without debuginfo their parameters are not known ($$parms "
				     "and $$return are empty)"
				   : "");
	} else if (uses_dwarf && !dwarf_of(b)) {
		b->warned = true;
		fprintf(stderr,
			"WARNING: %s has no debuginfo: the parameters of its functions are not known "
			"($$parms and $$return are empty)\n",
			b->path);
	}
}

/*
 * process("PATH").statement("func@file:line"): one site in b, from its line
 * table. 0, or 1 when the probe cannot be placed; quiet (one match of a
 * glob): b without that line is no error, 1 is only "no site here".
 */
static int expand_statement(const struct stp_kprobe_desc *k, int i, struct binary *b, bool quiet)
{
	char func[256], file[1024];
	int line = 0;
	const char *at = strchr(k->func, '@'), *colon = strrchr(k->func, ':');
	if (!at || !colon || colon < at || sscanf(colon + 1, "%d", &line) != 1) {
		stp_say("cannot probe %s: write statement(\"FUNCTION@FILE:LINE\")", k->pp);
		return 1;
	}
	snprintf(func, sizeof(func), "%.*s", (int)(at - k->func), k->func);
	snprintf(file, sizeof(file), "%.*s", (int)(colon - at - 1), at + 1);
	struct udw_file *dw = dwarf_of(b);
	if (!dw) {
		if (quiet)
			return 1;
		stp_say("cannot probe %s: %s has no debuginfo, so no line table", k->pp, b->path);
		return k->optional ? 0 : 1;
	}
	uint64_t addr = 0, off = 0;
	char *src = NULL;
	if (udw_statement(dw, func, file, line, &addr, &src) != 0 ||
	    usym_offset(b->path, addr, &off) != 0) {
		free(src);
		if (k->optional || quiet)
			return quiet;
		stp_say("cannot probe %s: no code of %s:%d in %s in %s", k->pp, file, line, func, b->path);
		return 1;
	}
	struct usym sym = { .name = func, .addr = addr, .offset = off };
	add_site(i, b, &sym);
	char proc[PATH_MAX + 16], buf[2 * PATH_MAX + 256];
	quote_path(proc, sizeof(proc), b->path);
	snprintf(buf, sizeof(buf), "%s.statement(\"%s@%s:%d\")", proc, func, src, line);
	sites[nsites - 1].pp = strdup(buf);
	free(src);
	return 0;
}

/* The sites of probe i in b: each symbol its pattern matches. -1 (err says why) if b cannot be read. */
static int sites_in(struct stp_rt *rt, int i, struct binary *b, char *err, size_t errlen)
{
	const struct stp_kprobe_desc *k = &rt->tool->kprobes[i];
	const struct usym_list *l = symbols(b, k->ukind, err, errlen);
	if (!l)
		return -1;
	int first = nsites;
	bool uses_dwarf = rt->tool->uses_uparms || rt->tool->nuparams;
	for (int j = 0; j < l->n; j++) {
		const struct usym *sym = &l->v[j];
		bool ok = k->ukind == STP_U_MARK ? usym_mark_match(k->func, sym->name)
						 : usym_match(k->func, sym->name);
		if (!ok)
			continue;
		/*
		 * The entry point never returns, and where a return probe would
		 * put its trampoline the kernel left argc: skip it.
		 */
		if (k->attach == STP_ATTACH_URETPROBE && sym->addr == l->entry) {
			if (stp_verbosity)
				stp_say("%s: not probing the return of %s, the entry point", k->pp,
					sym->name);
			continue;
		}
		/*
		 * One attachment per (provider, name) of a mark: libbpf finds
		 * each of its places; one per address of a function, under the
		 * best of its names the pattern matches.
		 */
		bool dup = false;
		for (int s = first; s < nsites && !dup; s++)
			dup = k->ukind == STP_U_MARK ? !strcmp(sites[s].mark, sym->name) &&
							       !strcmp(sites[s].provider, sym->provider)
						     : sites[s].addr == sym->addr;
		if (!dup)
			add_site(i, b, sym);
	}
	if (k->ukind == STP_U_FUNCTION && nsites > first)
		warn_stripped(b, l, uses_dwarf);
	for (int s = first; s < nsites; s++) {
		/* With debuginfo, pp() names the declaration, as stap's does. */
		if (k->ukind == STP_U_FUNCTION)
			sites[s].dw = udw_func_at(dwarf_of(b), sites[s].addr);
		name_site(&sites[s], k, b);
	}
	return nsites - first;
}

static const char *const what_kind[] = { "", "function", "PLT entry", "mark", "statement" };

/*
 * process("/usr/lib*\/libssl.so.*"): every binary the glob matches here,
 * each with the sites it has; a match without any is no error (stap's
 * build-time glob drops it too), no match at all, or no site in any, is.
 * Not fatal here: the attacher says it, unless the probe is optional or
 * a '!' alternative before it attached.
 */
static void expand_glob(struct stp_rt *rt, int i)
{
	const struct stp_kprobe_desc *k = &rt->tool->kprobes[i];
	struct udesc *u = &udescs[i];
	char **paths;
	bool multiarch;
	int n = uglob_binaries(k->target, &paths, &multiarch);
	if (!n) {
		if (uglob_is_pattern(k->target))
			record_failure(i, "no file matches \"%s\"", k->target);
		else /* a full path, not here nor in the multiarch folder */
			record_failure(i, "%s: %s", k->target, strerror(ENOENT));
		uglob_free(paths, n);
		return;
	}
	if (multiarch && stp_verbosity)
		stp_say("%s: \"%s\" matches nothing here; using Debian's multiarch folder (%s)", k->pp,
			k->target, paths[0]);
	for (int p = 0; p < n; p++) {
		struct binary *b = binary(paths[p]);
		char err[512];
		int got = k->ukind == STP_U_STATEMENT ? !expand_statement(k, i, b, true)
						       : sites_in(rt, i, b, err, sizeof(err));
		if (got < 0 && stp_verbosity)
			stp_say("%s: %s", k->pp, err);
		else if (stp_verbosity)
			stp_say("%s: %d sites in %s", k->pp, got, paths[p]);
	}
	u->n = nsites - u->first;
	if (!u->n)
		record_failure(i, "no %s matches \"%s\" in %s%s", what_kind[k->ukind], k->func,
			       n > 1 ? "any file matching " : "", n > 1 ? k->target : paths[0]);
	uglob_free(paths, n);
}

static int expand_one(struct stp_rt *rt, struct stp_session *ss, int i)
{
	const struct stp_kprobe_desc *k = &rt->tool->kprobes[i];
	struct udesc *u = &udescs[i];
	u->first = nsites;
	u->pid = -1;
	char *path;
	if (*k->target == '/' && (uglob_is_pattern(k->target) || access(k->target, F_OK) != 0)) {
		/* A glob, or a library stapc found in Debian's multiarch folder. */
		expand_glob(rt, i);
		return 0;
	} else if (*k->target == '/') {
		path = strdup(k->target);
	} else if (*k->target) {
		/* process.library("NAME"): the library is looked for here, now. */
		char *program = stp_target_binary(rt, ss);
		path = stp_find_library(k->target, rt->target_pid, program);
		free(program);
		if (!path) {
			record_failure(i, "no library %s found: run the tool with -c COMMAND or -x PID "
					  "of a program that uses it%s",
				       k->target, strncmp(k->target, "libjvm", 6) ? "" : ", or set JAVA_HOME");
			return 0;
		}
		u->pid = rt->target_pid ? rt->target_pid : -1;
	} else {
		path = stp_target_binary(rt, ss);
		if (!path) {
			stp_say("%s probes the target process's program: run the tool with -c "
				"COMMAND or -x PID",
				k->pp);
			return 1;
		}
		u->pid = rt->target_pid;
	}
	if (access(path, R_OK) != 0) {
		stp_say("cannot probe %s: %s: %s", k->pp, path, strerror(errno));
		free(path);
		return k->optional ? 0 : 1;
	}
	struct binary *b = binary(path);
	free(path);
	if (k->ukind == STP_U_STATEMENT) {
		int err = expand_statement(k, i, b, false);
		u->n = nsites - u->first;
		return err;
	}
	char err[512];
	u->n = sites_in(rt, i, b, err, sizeof(err));
	if (u->n < 0) {
		u->n = 0;
		stp_say("cannot probe %s: %s", k->pp, err);
		return k->optional ? 0 : 1;
	}
	if (!u->n) {
		record_failure(i, "no %s matches \"%s\" in %s", what_kind[k->ukind], k->func, b->path);
		if (!k->optional) {
			stp_say("cannot probe %s: %s", k->pp, udescs[i].failure);
			return 1;
		}
	}
	return 0;
}

static const struct udw_value *param_named(const struct udw_func *fn, const char *name)
{
	for (int i = 0; fn && i < fn->nparams; i++)
		if (!strcmp(fn->params[i].name, name))
			return &fn->params[i];
	return NULL;
}

/* Where each $NAME is at each site; an error if DWARF cannot say. */
static int place_params(struct stp_rt *rt)
{
	for (int s = 0; s < nsites; s++) {
		const struct stp_kprobe_desc *k = &rt->tool->kprobes[sites[s].desc];
		for (int p = 0; p < rt->tool->nuparams && p < 64; p++) {
			if (!(k->uparams_used >> p & 1))
				continue;
			const char *name = rt->tool->uparams[p];
			if (!sites[s].dw) {
				stp_say("cannot probe %s: $%s needs debuginfo, and %s has none for %s",
					k->pp, name, sites[s].bin->path, sites[s].func);
				return 1;
			}
			if (!param_named(sites[s].dw, name)) {
				stp_say("cannot probe %s: %s has no parameter named %s", k->pp,
					sites[s].func, name);
				return 1;
			}
		}
	}
	return 0;
}

/*
 * Without uprobe_multi links each site costs a perf event and a link: two
 * file descriptors. Root may raise its own limit up to fs.nr_open.
 */
static void room_for_sites(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	rlim_t want = (rlim_t)nsites * 2 + 1024;
	if (rl.rlim_cur >= want)
		return;
	if (rl.rlim_max < want) {
		rlim_t cap = want;
		FILE *f = fopen("/proc/sys/fs/nr_open", "re");
		unsigned long nr_open = 0;
		if (f && fscanf(f, "%lu", &nr_open) == 1 && nr_open < cap)
			cap = nr_open;
		if (f)
			fclose(f);
		struct rlimit more = { cap, cap };
		if (setrlimit(RLIMIT_NOFILE, &more) == 0)
			return;
	}
	rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
	setrlimit(RLIMIT_NOFILE, &rl);
}

static int expand(struct stp_rt *rt, struct stp_session *ss)
{
	udescs = calloc((size_t)rt->tool->nkprobes, sizeof(*udescs));
	nudescs = rt->tool->nkprobes;
	for (int i = 0; i < rt->tool->nkprobes; i++)
		if (rt->tool->kprobes[i].ukind != STP_U_NONE && expand_one(rt, ss, i) != 0)
			return 1;
	room_for_sites();
	if (place_params(rt) != 0)
		return 1;
	if (stp_verbosity)
		stp_say("%d user-space probe sites", nsites);
	return 0;
}

static bool viable(const struct stp_tool *t, int desc)
{
	(void)t;
	return udescs && udescs[desc].n > 0;
}

/* Before load: room in the sites map for every site, and how programs attach. */
static void before_load(struct stp_rt *rt, struct bpf_object *obj)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, "stp_usites");
	if (m)
		bpf_map__set_max_entries(m, nsites ? (uint32_t)nsites : 1);
	if (!stp_have_uprobe_multi())
		return;
	for (int i = 0; i < rt->tool->nkprobes; i++) {
		const struct stp_kprobe_desc *k = &rt->tool->kprobes[i];
		if (k->ukind == STP_U_NONE || k->ukind == STP_U_MARK)
			continue;
		struct bpf_program *prog = bpf_object__find_program_by_name(obj, k->prog);
		if (prog)
			bpf_program__set_expected_attach_type(prog, STP_TRACE_UPROBE_MULTI);
		/* A return's entry program (@entry) goes to the same sites. */
		prog = stp_entry_program(obj, k);
		if (prog)
			bpf_program__set_expected_attach_type(prog, STP_TRACE_UPROBE_MULTI);
	}
}

/* Sites first..first+n-1, all in one binary, in one uprobe_multi link. */
static int attach_multi_run(const struct stp_kprobe_desc *k, struct bpf_program *prog,
			    const struct udesc *u, int first, int n, bool ret)
{
	unsigned long *offsets = calloc((size_t)n, sizeof(*offsets));
	__u64 *cookies = calloc((size_t)n, sizeof(*cookies));
	for (int j = 0; j < n; j++) {
		offsets[j] = (unsigned long)sites[first + j].offset;
		cookies[j] = (__u64)(first + j);
	}
	const char *path = sites[first].bin->path;
	int fd = stp_uprobe_multi_link_create(bpf_program__fd(prog), path, offsets, cookies,
					      (__u32)n, ret, u->pid);
	int err = -errno;
	free(offsets);
	free(cookies);
	if (fd < 0)
		return err;
	multi_links = realloc(multi_links, sizeof(*multi_links) * (size_t)(nmulti_links + 1));
	multi_links[nmulti_links++] = fd;
	if (stp_verbosity)
		stp_say("probe %s: %d sites attached in one uprobe_multi link on %s", k->pp, n, path);
	return 0;
}

/* Every site of a uprobe program: one uprobe_multi link per binary (a glob has several). */
static int attach_multi(struct bpf_program *prog, const struct stp_kprobe_desc *k,
			const struct udesc *u, bool ret)
{
	for (int first = u->first, end = u->first + u->n; first < end;) {
		int n = 1;
		while (first + n < end && sites[first + n].bin == sites[first].bin)
			n++;
		int err = attach_multi_run(k, prog, u, first, n, ret);
		if (err)
			return err;
		first += n;
	}
	return 0;
}

/* After load: each site's strings and parameter places, for BPF. */
static int fill_maps(struct stp_rt *rt, struct bpf_object *obj)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, "stp_usites");
	if (!m)
		return 0;
	size_t len = (size_t)rt->tool->maxstringlen;
	size_t vsize = bpf_map__value_size(m);
	char *v = malloc(vsize);
	for (int s = 0; s < nsites; s++) {
		memset(v, 0, vsize);
		snprintf(v, len, "%s", sites[s].pp);
		snprintf(v + len, len, "%s", sites[s].func);
		/* One slot of 4 bytes per $NAME, then $return's (stp_bpf.h). */
		uint8_t *slot = (uint8_t *)v + 2 * len;
		int nslots = rt->tool->nuparams + 1;
		for (int p = 0; p < nslots && 2 * len + 4 * (size_t)(p + 1) <= vsize; p++) {
			const struct udw_value *pv =
				p < rt->tool->nuparams ? param_named(sites[s].dw, rt->tool->uparams[p])
				: sites[s].dw	       ? &sites[s].dw->ret
						       : NULL;
			slot[4 * p] = pv && pv->reg >= 0 ? (uint8_t)pv->reg : 0xff;
			slot[4 * p + 1] = pv && pv->kind == UDW_INT ? (uint8_t)pv->size : 8;
			slot[4 * p + 2] = pv && pv->is_signed;
			slot[4 * p + 3] = pv != NULL;
		}
		uint32_t key = (uint32_t)s;
		if (bpf_map_update_elem(bpf_map__fd(m), &key, v, 0) != 0) {
			stp_say("cannot set up the user-space probe sites: %s", strerror(errno));
			free(v);
			return 1;
		}
	}
	free(v);
	return 0;
}

/* prog on every site of desc; ret: at their returns. */
static int attach_as(struct stp_rt *rt, struct stp_session *ss, struct bpf_program *prog, int desc,
		     bool ret)
{
	const struct stp_kprobe_desc *k = &rt->tool->kprobes[desc];
	const struct udesc *u = &udescs[desc];
	if (k->ukind != STP_U_MARK && stp_have_uprobe_multi())
		return attach_multi(prog, k, u, ret);
	int attached = 0, err = 0;
	for (int s = u->first; s < u->first + u->n; s++) {
		struct bpf_link *link;
		if (k->ukind == STP_U_MARK) {
			LIBBPF_OPTS(bpf_usdt_opts, o, .usdt_cookie = (uint64_t)s);
			link = bpf_program__attach_usdt(prog, u->pid, sites[s].bin->path, sites[s].provider,
							sites[s].mark, &o);
		} else {
			LIBBPF_OPTS(bpf_uprobe_opts, o, .bpf_cookie = (uint64_t)s, .retprobe = ret);
			link = bpf_program__attach_uprobe_opts(prog, u->pid, sites[s].bin->path,
							       (size_t)sites[s].offset, &o);
		}
		if (!link) {
			err = -errno;
			if (stp_verbosity)
				stp_say("%s: did not attach (%s)", sites[s].pp, strerror(-err));
			continue;
		}
		stp_add_link(ss, link, k->pp);
		attached++;
	}
	if (stp_verbosity)
		stp_say("probe %s: %d of %d sites attached", k->pp, attached, u->n);
	if (attached < u->n && attached)
		fprintf(stderr, "WARNING: %s: %d of its %d places could not be probed\n", k->pp,
			u->n - attached, u->n);
	return attached ? 0 : (err ? err : -ENOENT);
}

/* A return probe's entry program (@entry) goes first, at the entry of each site. */
static int attach(struct stp_rt *rt, struct stp_session *ss, struct bpf_program *prog,
		  struct bpf_program *entry, int desc)
{
	int err = entry ? attach_as(rt, ss, entry, desc, false) : 0;
	if (err)
		return err;
	return attach_as(rt, ss, prog, desc, rt->tool->kprobes[desc].attach == STP_ATTACH_URETPROBE);
}

static void put_hex(char *out, size_t n, uint64_t v)
{
	/* stap's %#llx: 0 is 0x0 too. */
	snprintf(out, n, "0x%llx", (unsigned long long)v);
}

static void format_value(char *out, size_t n, const struct udw_value *v, uint64_t raw,
			 bool have)
{
	if (v->kind == UDW_STRUCT)
		snprintf(out, n, "{...}");
	else if (!have || v->kind == UDW_OTHER)
		snprintf(out, n, "?");
	else
		put_hex(out, n, udw_extend(v, raw));
}

static const struct site *site_at(uint32_t id)
{
	return id < (uint32_t)nsites ? &sites[id] : NULL;
}

/* The STP_P_U* pieces of stp_record.h. */
static bool piece(struct stp_rt *rt, int tag, const char **p, const char *end, char *dst)
{
	(void)rt;
	if (tag != STP_P_USITE && tag != STP_P_UPARMS && tag != STP_P_URET)
		return false;
	uint32_t id = 0;
	if (*p + 4 <= end)
		memcpy(&id, *p, 4);
	*p += 4;
	const struct site *s = site_at(id);
	char buf[64];
	if (tag == STP_P_USITE) {
		uint8_t what = *p < end ? (uint8_t) * *p : 0;
		*p += 1;
		if (s)
			stp_append(dst, what == STP_USITE_PP ? s->pp : s->func);
		return true;
	}
	if (tag == STP_P_URET) {
		uint64_t rax = (uint64_t)stp_read_long(p, end);
		if (!s || !s->dw || s->dw->ret.kind == UDW_VOID)
			return true; /* stap: "" without DWARF, and for void */
		format_value(buf, sizeof(buf), &s->dw->ret, rax, true);
		stp_append(dst, "return=");
		stp_append(dst, buf);
		return true;
	}
	uint64_t regs[STP_UREGS];
	for (int i = 0; i < STP_UREGS; i++)
		regs[i] = (uint64_t)stp_read_long(p, end);
	for (int i = 0; s && s->dw && i < s->dw->nparams; i++) {
		const struct udw_value *v = &s->dw->params[i];
		format_value(buf, sizeof(buf), v, v->reg >= 0 ? regs[v->reg] : 0, v->reg >= 0);
		if (i)
			stp_append(dst, " ");
		stp_append(dst, v->name);
		stp_append(dst, "=");
		stp_append(dst, buf);
	}
	return true;
}

static void cleanup(void)
{
	for (int i = 0; i < nmulti_links; i++)
		close(multi_links[i]);
	free(multi_links);
	multi_links = NULL;
	nmulti_links = 0;
	for (int i = 0; i < nsites; i++) {
		free(sites[i].pp);
		free(sites[i].func);
		free(sites[i].provider);
		free(sites[i].mark);
	}
	free(sites);
	for (int i = 0; udescs && i < nudescs; i++)
		free(udescs[i].failure);
	for (int i = 0; i < nbinaries; i++) {
		usym_free(&binaries[i]->funcs);
		usym_free(&binaries[i]->plt);
		usym_free(&binaries[i]->marks);
		udw_close(binaries[i]->dw);
		free(binaries[i]->path);
		free(binaries[i]);
	}
	free(binaries);
	free(udescs);
	sites = NULL;
	binaries = NULL;
	udescs = NULL;
	nsites = nbinaries = 0;
}

static bool is_uprobe(const struct stp_kprobe_desc *k)
{
	return k->ukind != STP_U_NONE;
}

/* Its name is the one generated tools have always set .uprobes to. */
const struct stp_site_expander stp_uprobe_ops = {
	.owns = is_uprobe,
	.expand = expand,
	.viable = viable,
	.before_load = before_load,
	.fill_maps = fill_maps,
	.attach = attach,
	.failure = why_failed,
	.piece = piece,
	.cleanup = cleanup,
};
