// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * kwild.c - kernel function wildcards, matched on the kernel the tool runs on.
 *
 * kernel.function("vfs_*") whose handler reads no $variable compiles to one
 * program. Here its pattern is matched against the functions this kernel
 * lets be traced (tracefs available_filter_functions, "name [module]"
 * lines), so a function only this kernel has is probed too. Each match is
 * a site: its index is the attach cookie, by which pp() and probefunc()
 * find its names. The program attaches to every match in one kprobe_multi
 * link where the kernel has them (fprobe, 5.18 and later), else with one
 * kprobe each, skipping those the kernel refuses.
 *
 * -v says per wildcard how many functions attached and why the others did
 * not: those it matched on the build host but this kernel lacks (inlined,
 * removed), those it will not trace (notrace), those it refused.
 */
#include "kfeatures.h"
#include "sites.h"
#include "stp_gen.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

/* One function a wildcard matched here. */
struct ksite {
	char *func, *mod; /* mod: NULL for the kernel itself */
	char *pp;
};

/* The sites of one desc: variants of one probe share them. */
struct kdesc {
	int first, n;
};

static struct ksite *sites;
static int nsites, cap_sites;
static struct kdesc *kdescs;
/* Why the last desc that attached nothing did not, for the tool's one sentence. */
static char failure[512];

/* One kprobe each for more than this takes minutes to attach and detach. */
#define MAX_EACH 2000

static bool is_kwild(const struct stp_kprobe_desc *k)
{
	return k->attach == STP_ATTACH_KPROBE_MULTI || k->attach == STP_ATTACH_KRETPROBE_MULTI ||
	       k->attach == STP_ATTACH_KPROBE_EACH || k->attach == STP_ATTACH_KRETPROBE_EACH;
}

static bool is_multi(const struct stp_kprobe_desc *k)
{
	return k->attach == STP_ATTACH_KPROBE_MULTI || k->attach == STP_ATTACH_KRETPROBE_MULTI;
}

static bool is_return(const struct stp_kprobe_desc *k)
{
	return k->attach == STP_ATTACH_KRETPROBE_MULTI || k->attach == STP_ATTACH_KRETPROBE_EACH;
}

/* k's site_pp with %F the function and %M the module. */
static char *site_pp(const struct stp_kprobe_desc *k, const char *func, const char *mod)
{
	size_t cap = strlen(k->site_pp) + strlen(func) + (mod ? strlen(mod) : 0) + 1;
	char *out = malloc(cap), *o = out;
	if (!out)
		return NULL;
	for (const char *s = k->site_pp; *s; s++) {
		if (s[0] == '%' && (s[1] == 'F' || s[1] == 'M')) {
			const char *w = s[1] == 'F' ? func : mod ? mod : "";
			o = stpcpy(o, w);
			s++;
		} else {
			*o++ = *s;
		}
	}
	*o = 0;
	return out;
}

static int cmp_site(const void *a, const void *b)
{
	const struct ksite *x = a, *y = b;
	int c = strcmp(x->func, y->func);
	return c ? c : strcmp(x->mod ? x->mod : "", y->mod ? y->mod : "");
}

static FILE *open_traceable(void)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/available_filter_functions", stp_tracefs());
	return fopen(path, "re");
}

/*
 * Whether name, a function of module mod (NULL: the kernel), is a match of
 * k. Compiler-made clones ("f.isra.0", "f.cold") are parts of f, not
 * functions of their own, unless the pattern names them.
 */
static bool matches(const struct stp_kprobe_desc *k, const char *name, const char *mod)
{
	if (!strncmp(name, "__ftrace_invalid_address__", 26))
		return false;
	if (strchr(name, '.') && !strchr(k->target, '.'))
		return false;
	if (!k->kmod != !mod)
		return false;
	if (mod && fnmatch(k->kmod, mod, 0))
		return false;
	return !fnmatch(k->target, name, 0);
}

/* The sites of desc i: the traceable functions its patterns match, sorted, once each. */
static void expand_one(const struct stp_kprobe_desc *k, struct kdesc *d, FILE *f)
{
	d->first = nsites;
	if (!f)
		return;
	rewind(f);
	char line[512];
	while (fgets(line, sizeof(line), f)) {
		char *save = NULL;
		char *name = strtok_r(line, " \t\n", &save);
		char *mod = strtok_r(NULL, " \t\n", &save);
		if (!name)
			continue;
		if (mod && mod[0] == '[') {
			mod++;
			mod[strcspn(mod, "]")] = 0;
		} else {
			mod = NULL;
		}
		if (!matches(k, name, mod))
			continue;
		if (nsites == cap_sites) {
			int cap = cap_sites ? 2 * cap_sites : 256;
			struct ksite *v = realloc(sites, sizeof(*v) * (size_t)cap);
			if (!v)
				break;
			sites = v;
			cap_sites = cap;
		}
		sites[nsites++] = (struct ksite){ strdup(name), mod ? strdup(mod) : NULL, NULL };
	}
	d->n = nsites - d->first;
	qsort(sites + d->first, (size_t)d->n, sizeof(*sites), cmp_site);
	/* A static function of the same name in two files: attached by name, once. */
	int out = 0;
	for (int j = 0; j < d->n; j++) {
		struct ksite *s = &sites[d->first + j];
		if (out && !cmp_site(s, &sites[d->first + out - 1])) {
			free(s->func);
			free(s->mod);
			continue;
		}
		sites[d->first + out++] = *s;
	}
	d->n = out;
	nsites = d->first + out;
	for (int j = 0; j < d->n; j++) {
		struct ksite *s = &sites[d->first + j];
		s->pp = site_pp(k, s->func, s->mod);
	}
}

/* Before load: each wildcard's matches among this kernel's traceable functions. */
static int expand(struct stp_rt *rt, struct stp_session *ss)
{
	(void)ss;
	const struct stp_tool *t = rt->tool;
	FILE *f = NULL;
	bool opened = false;
	for (int i = 0; i < t->nkprobes; i++) {
		const struct stp_kprobe_desc *k = &t->kprobes[i];
		if (!is_kwild(k))
			continue;
		if (!kdescs)
			kdescs = calloc((size_t)t->nkprobes, sizeof(*kdescs));
		if (!kdescs)
			return 0;
		/* The variants of one probe: the same functions. */
		const struct stp_kprobe_desc *prev = i ? &t->kprobes[i - 1] : NULL;
		if (prev && prev->subgroup == k->subgroup && is_kwild(prev)) {
			kdescs[i] = kdescs[i - 1];
			continue;
		}
		if (!opened) {
			f = open_traceable();
			opened = true;
		}
		expand_one(k, &kdescs[i], f);
	}
	if (f)
		fclose(f);
	return 0;
}

static bool viable(const struct stp_tool *t, int desc)
{
	const struct stp_kprobe_desc *k = &t->kprobes[desc];
	if (is_multi(k))
		return stp_have_kprobe_multi();
	/* One kprobe each: a kernel built without kprobes has no way to make them. */
	return stp_have_kprobes();
}

/* After load: each site's pp() and function, for handlers that use them as strings. */
static int fill_map(struct stp_rt *rt, struct bpf_object *obj)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, "stp_ksites");
	if (!m)
		return 0;
	size_t len = (size_t)rt->tool->maxstringlen;
	size_t vsize = bpf_map__value_size(m);
	char *v = malloc(vsize);
	for (int s = 0; v && s < nsites && (uint32_t)s < bpf_map__max_entries(m); s++) {
		memset(v, 0, vsize);
		snprintf(v, len, "%s", sites[s].pp);
		snprintf(v + len, len, "%s", sites[s].func);
		uint32_t key = (uint32_t)s;
		if (bpf_map_update_elem(bpf_map__fd(m), &key, v, 0) != 0) {
			stp_say("cannot set up the kernel function sites: %s", strerror(errno));
			free(v);
			return 1;
		}
	}
	free(v);
	return 0;
}

/* Before load: room in the sites map for every site. */
static void size_map(struct stp_rt *rt, struct bpf_object *obj)
{
	(void)rt;
	struct bpf_map *m = bpf_object__find_map_by_name(obj, "stp_ksites");
	if (m)
		bpf_map__set_max_entries(m, nsites ? (uint32_t)nsites : 1);
}

/* "ext4:ext4_read" or "vfs_read": how a kprobe names a function. */
static const char *sym_of(const struct ksite *s, char *buf, size_t len)
{
	if (!s->mod)
		return s->func;
	snprintf(buf, len, "%s:%s", s->mod, s->func);
	return buf;
}

/* Every match in one kprobe_multi link. */
static int attach_multi(struct stp_session *ss, struct bpf_program *prog,
			const struct stp_kprobe_desc *k, const struct kdesc *d)
{
	const char **syms = calloc((size_t)d->n, sizeof(*syms));
	__u64 *cookies = calloc((size_t)d->n, sizeof(*cookies));
	int err = -ENOMEM;
	if (syms && cookies) {
		/* kprobe_multi looks a name up in the kernel, then in every module. */
		for (int j = 0; j < d->n; j++) {
			syms[j] = sites[d->first + j].func;
			cookies[j] = (__u64)(d->first + j);
		}
		LIBBPF_OPTS(bpf_kprobe_multi_opts, o, .syms = syms, .cookies = cookies,
			    .cnt = (size_t)d->n, .retprobe = is_return(k));
		struct bpf_link *link = bpf_program__attach_kprobe_multi_opts(prog, NULL, &o);
		err = link ? 0 : -errno;
		if (link)
			stp_add_link(ss, link, k->pp);
	}
	free(syms);
	free(cookies);
	return err;
}

/* A kprobe on each match, skipping those the kernel refuses: how many attached. */
static int attach_each(struct stp_session *ss, struct bpf_program *prog,
		       const struct stp_kprobe_desc *k, const struct kdesc *d, int *refused_err)
{
	int attached = 0;
	for (int j = 0; j < d->n; j++) {
		const struct ksite *s = &sites[d->first + j];
		char name[256];
		LIBBPF_OPTS(bpf_kprobe_opts, o, .bpf_cookie = (__u64)(d->first + j),
			    .retprobe = is_return(k));
		struct bpf_link *link = bpf_program__attach_kprobe_opts(prog, sym_of(s, name, sizeof(name)), &o);
		if (!link) {
			*refused_err = -errno;
			if (stp_verbosity)
				stp_say("probe %s: skipped %s: the kernel refused a kprobe on it (%s)", k->pp,
					s->func, strerror(errno));
			if (!attached)
				snprintf(failure, sizeof(failure), "%s: the kernel refused a kprobe on it (%s)",
					 s->func, strerror(errno));
			continue;
		}
		stp_add_link(ss, link, k->pp);
		attached++;
	}
	return attached;
}

/* Whether the functions of d include name. */
static bool has_site(const struct kdesc *d, const char *name)
{
	for (int j = 0; j < d->n; j++)
		if (!strcmp(sites[d->first + j].func, name))
			return true;
	return false;
}

#define MAX_LISTED 10

/*
 * The build host's matches this kernel lacks: with -v, each and why (up
 * to MAX_LISTED); how many there were.
 */
static int report_missing(const struct stp_kprobe_desc *k, const struct kdesc *d)
{
	int missing = 0;
	for (int j = 0; j < k->nhost_matches; j++) {
		const char *f = k->host_matches[j];
		if (has_site(d, f))
			continue;
		if (stp_verbosity && missing < MAX_LISTED)
			stp_say("probe %s: skipped %s: %s", k->pp, f, stp_why_not_probed(f));
		missing++;
	}
	if (stp_verbosity && missing > MAX_LISTED)
		stp_say("probe %s: ... and %d more skipped", k->pp, missing - MAX_LISTED);
	return missing;
}

/* prog on every match of desc; a return has no entry program: it reads no $variable. */
static int attach(struct stp_rt *rt, struct stp_session *ss, struct bpf_program *prog,
		  struct bpf_program *entry, int desc)
{
	(void)entry;
	const struct stp_kprobe_desc *k = &rt->tool->kprobes[desc];
	const struct kdesc *d = &kdescs[desc];
	struct utsname u;
	uname(&u);
	if (!d->n) {
		int missing = report_missing(k, d);
		snprintf(failure, sizeof(failure), "kernel %s has no function it matches that can be "
			 "traced%s", u.release,
			 missing && !stp_verbosity ? " (-v says why not those it matched when it was compiled)" : "");
		return -ENOENT;
	}
	int attached, err = 0;
	if (is_multi(k)) {
		err = attach_multi(ss, prog, k, d);
		if (err) {
			snprintf(failure, sizeof(failure), "the kernel refused a kprobe_multi link to its "
				 "%d functions (%s)", d->n, strerror(-err));
			return err; /* the next variant attaches them one by one */
		}
		attached = d->n;
	} else {
		if (d->n > MAX_EACH) {
			snprintf(failure, sizeof(failure), "it matches %d functions on kernel %s, which has "
				 "no kprobe_multi links to attach so many at once: narrow the pattern",
				 d->n, u.release);
			return -E2BIG;
		}
		attached = attach_each(ss, prog, k, d, &err);
	}
	int missing = stp_verbosity ? report_missing(k, d) : 0;
	if (stp_verbosity)
		stp_say("probe %s: %d of %d functions attached", k->pp, attached, d->n + missing);
	return attached ? 0 : err ? err : -ENOENT;
}

/* Why the last desc that attached nothing did not: which function, or how many. */
static const char *why_failed(int desc)
{
	(void)desc;
	return failure[0] ? failure : "none of the functions it matches can be probed here";
}

/* An STP_P_KSITE piece: a site's id and which of its names, pp() or the function. */
static bool piece(struct stp_rt *rt, int tag, const char **p, const char *end, char *dst)
{
	(void)rt;
	if (tag != STP_P_KSITE)
		return false;
	uint32_t site = 0;
	if (*p + 5 <= end)
		memcpy(&site, *p, 4);
	int what = *p + 5 <= end ? (uint8_t)(*p)[4] : 0;
	*p += 5;
	if (site < (uint32_t)nsites)
		stp_append(dst, what == STP_USITE_PP ? sites[site].pp : sites[site].func);
	return true;
}

static void cleanup(void)
{
	for (int i = 0; i < nsites; i++) {
		free(sites[i].func);
		free(sites[i].mod);
		free(sites[i].pp);
	}
	free(sites);
	free(kdescs);
	failure[0] = 0;
	sites = NULL;
	kdescs = NULL;
	nsites = cap_sites = 0;
}

const struct stp_site_expander stp_kwild_expander = {
	.owns = is_kwild,
	.expand = expand,
	.viable = viable,
	.before_load = size_map,
	.fill_maps = fill_map,
	.attach = attach,
	.failure = why_failed,
	.kernel_functions = true,
	.piece = piece,
	.cleanup = cleanup,
};
