// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * translate.c - pass 3 end to end: placement, then the three generated
 * files (NAME.bpf.c, NAME.h, NAME.c), the manifest (manifest.c) and the
 * tool's man page (man_page.c).
 */
#include "stapc.h"

#include <ctype.h>
#include <string.h>

/* The tool's name as a C identifier: "iotop-trace" -> "iotop_trace". */
const char *tool_c_name(const char *name)
{
	struct strbuf sb = { 0 };
	if (!isalpha((unsigned char)name[0]) && name[0] != '_')
		sb_putc(&sb, '_');
	for (const char *p = name; *p; p++)
		sb_putc(&sb, isalnum((unsigned char)*p) ? *p : '_');
	const char *r = arena_strdup(sb.buf);
	sb_free(&sb);
	return r;
}

/*
 * The script's leading comment, for --help: the # and // lines at its top,
 * without the #! line and licence tags.
 */
const char *script_description(const char *text)
{
	struct strbuf sb = { 0 };
	const char *p = text;
	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		const char *line = p;
		p = eol ? eol + 1 : p + n;
		size_t skip = 0;
		if (n >= 2 && line[0] == '#' && line[1] == '!')
			continue;
		if (n >= 1 && line[0] == '#')
			skip = 1;
		else if (n >= 2 && line[0] == '/' && line[1] == '/')
			skip = 2;
		else if (n == 0 && !sb.len)
			continue;
		else
			break;
		while (skip < n && line[skip] == ' ')
			skip++;
		if (n - skip >= 24 && !strncmp(line + skip, "SPDX-License-Identifier:", 24))
			continue;
		if (n - skip >= 5 && !strncmp(line + skip, "tool:", 5))
			continue; /* the Makefile's name for the tool */
		if (n - skip >= 12 && !strncmp(line + skip, "stapc-flags:", 12))
			continue; /* and the options it builds it with */
		sb_putn(&sb, line + skip, n - skip);
		sb_putc(&sb, '\n');
	}
	while (sb.len && sb.buf[sb.len - 1] == '\n')
		sb.buf[--sb.len] = 0;
	const char *r = arena_strdup(sb.buf ? sb.buf : "");
	sb_free(&sb);
	return r;
}

struct translation *translate(struct session *s, struct program *prog, const char *name,
			      const struct source_file *script)
{
	struct translation *t = arena_alloc(sizeof(*t));
	struct plan *pl = place_program(s, prog, name);
	if (diag_error_count())
		return NULL;
	/*
	 * The BPF programs, then what the code refers to. An @entry() they
	 * cannot keep is an error that lets the planning go on, and report
	 * what else the code generators refuse, at once.
	 */
	place_kprogs(pl);
	place_code(pl);
	if (diag_error_count())
		return NULL;
	/* The plan is whole: the emitters only read it, in any order. */
	t->name = pl->name;
	t->has_kmod = s->backend.backend == BACKEND_MODULE && pl->kprobes.len > 0;
	t->has_bpf = pl->kprobes.len > 0 && !t->has_kmod;
	struct strbuf bpf = { 0 }, hdr = { 0 }, user = { 0 }, kmod = { 0 };
	if (t->has_kmod) {
		emit_kmod(pl, &kmod);
		if (diag_error_count())
			return NULL;
	}
	emit_user(pl, &user, arena_strndup(script->text, script->len),
		  script_description(script->text));
	emit_header(pl, &hdr);
	if (t->has_bpf)
		emit_bpf(pl, &bpf);
	t->bpf_c = arena_strdup(bpf.buf ? bpf.buf : "");
	t->kmod_c = arena_strdup(kmod.buf ? kmod.buf : "");
	sb_free(&kmod);
	t->header = arena_strdup(hdr.buf);
	t->user_c = arena_strdup(user.buf);
	t->manifest = manifest(pl, script, t->has_bpf, pl->bpf_uses);
	t->man_page = man_page(name, script->name, script->text, pl->nargs_max);
	sb_free(&bpf);
	sb_free(&hdr);
	sb_free(&user);
	return t;
}
