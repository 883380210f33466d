// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * procfs.c - files the tool serves to whoever reads or writes them.
 *
 *   procfs[("PATH")][.umask(N)].read[.maxsize(N)]   a reader gets $value
 *   procfs[("PATH")][.umask(N)].write               $value is what was written
 *
 * A kernel module would make /proc/systemtap/MODULE/PATH; a tool has no
 * module, so it serves a FIFO at /var/tmp/systemtap-USER/TOOL/PATH, as
 * stap's own BPF runtime does (`man stapprobes`). The handler runs in the
 * tool. PATH defaults to "command"; one file has a read or a write probe,
 * not both (a FIFO has one direction), and at most one of each.
 */
#include "../stapc.h"

#include <string.h>

/* What this provider keeps in dprobe->data. */
struct procfs_probe {
	const char *path;
	int64_t maxsize; /* read: how much $value holds; 0: MAXSTRINGLEN */
	int64_t umask;	 /* -1: the default (0400 read, 0200 write) */
	bool write;
};

extern const struct provider provider_procfs;

/* A file name in the tool's folder: not empty, no '/', not "." or "..", not stap's "__stdin". */
static bool path_ok(const char *s)
{
	return *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..") && strcmp(s, "__stdin");
}

/* A positive number argument of component i, or an error saying what it is for. */
static bool number_arg(const struct probe_point *p, int i, const char *what, int64_t *out)
{
	const struct expr *a = point_arg(p, i);
	if (!a || a->kind != E_NUMBER || a->num < 0) {
		diag_error(&p->loc, "procfs .%s needs a number: .%s(N), %s", point_name(p, i),
			   point_name(p, i), what);
		return false;
	}
	*out = a->num;
	return true;
}

/* A second probe on the same file, or a read and a write on one FIFO. */
static bool clashes(struct elab *e, const struct dprobe *d, const struct procfs_probe *pp)
{
	for (int i = 0; i < e->prog->probes.len; i++) {
		const struct dprobe *o = vec_at(&e->prog->probes, i);
		if (o == d || o->prov != &provider_procfs || !o->data)
			continue;
		const struct procfs_probe *op = o->data;
		if (strcmp(op->path, pp->path))
			continue;
		if (op->write == pp->write)
			diag_error(&d->point->loc, "procfs file '%s' has a %s probe already, at %s:%d",
				   pp->path, pp->write ? "write" : "read", o->point->loc.file->name,
				   o->point->loc.line);
		else
			diag_error(&d->point->loc,
				   "procfs file '%s' cannot have both a read and a write probe: a tool "
				   "serves it as a FIFO, which goes one way; use two files",
				   pp->path);
		return true;
	}
	return false;
}

static bool match(struct elab *e, struct dprobe *d)
{
	const struct probe_point *p = d->point;
	int n = point_ncomps(p);
	if (!point_is(p, 0, "procfs") || n < 2)
		return false;
	struct procfs_probe pp = { .path = "command", .umask = -1 };
	const struct expr *path = point_arg(p, 0);
	if (path) {
		if (path->kind != E_STRING || !path_ok(path->str)) {
			diag_error(&p->loc, "procfs needs a file name, as in procfs(\"stats\"): no "
					    "folders, '..' or '__stdin'");
			return false;
		}
		pp.path = path->str;
	}
	int i = 1;
	if (point_is(p, i, "umask")) {
		if (!number_arg(p, i, "the permissions taken away", &pp.umask))
			return false;
		i++;
	}
	if (i < n && point_is(p, i, "read") && !point_arg(p, i))
		pp.write = false;
	else if (i < n && point_is(p, i, "write") && !point_arg(p, i))
		pp.write = true;
	else
		return false;
	i++;
	if (!pp.write && i < n && point_is(p, i, "maxsize")) {
		if (!number_arg(p, i, "the most a reader gets", &pp.maxsize))
			return false;
		i++;
	}
	if (i != n)
		return false;
	if (clashes(e, d, &pp))
		return false;
	struct procfs_probe *keep = arena_alloc(sizeof(*keep));
	*keep = pp;
	d->data = keep;
	d->in_tool = true;
	return true;
}

/* $value: what a read handler gives the reader, or what the writer wrote. */
static bool target(struct elab *e, struct dprobe *d, struct expr *t)
{
	(void)e;
	(void)d;
	if (strcmp(t->name, "$value"))
		return false;
	if (t->comps.len) {
		diag_error(&t->loc, "$value is a string: it has no fields or elements");
		return true;
	}
	t->type = VT_STRING;
	return true;
}

static void vars(struct elab *e, const struct dprobe *d, struct vec *out)
{
	(void)e;
	(void)d;
	vec_push(out, (void *)"$value:string");
}

static void tool_entry(const struct dprobe *d, struct tool_entry *out)
{
	const struct procfs_probe *pp = d->data;
	*out = (struct tool_entry){
		.list = TOOL_PROCFS,
		.path = pp->path,
		.maxsize = pp->maxsize,
		.umask = pp->umask,
		.write = pp->write,
	};
}

static void list(struct elab *e, const struct probe_point *pattern, struct vec *out)
{
	(void)e;
	static const char *const forms[] = { "procfs(\"PATH\").read", "procfs(\"PATH\").read.maxsize(N)",
					     "procfs(\"PATH\").umask(N).read", "procfs(\"PATH\").write",
					     "procfs(\"PATH\").umask(N).write" };
	if (!point_match(point_name(pattern, 0), "procfs"))
		return;
	for (size_t i = 0; i < ARRAY_SIZE(forms); i++)
		vec_push(out, (void *)forms[i]);
}

const struct provider provider_procfs = {
	.name = "procfs",
	.match = match,
	.target = target,
	.vars = vars,
	.tool_entry = tool_entry,
	.list = list,
	.target_writable = true,
};
