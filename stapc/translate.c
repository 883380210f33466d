// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * translate.c - pass 3 end to end: placement, then the three generated
 * files (NAME.bpf.c, NAME.h, NAME.c), and the manifest.
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
		sb_putn(&sb, line + skip, n - skip);
		sb_putc(&sb, '\n');
	}
	while (sb.len && sb.buf[sb.len - 1] == '\n')
		sb.buf[--sb.len] = 0;
	const char *r = arena_strdup(sb.buf ? sb.buf : "");
	sb_free(&sb);
	return r;
}

static void json_str(struct strbuf *sb, const char *s)
{
	sb_putc(sb, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			sb_printf(sb, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			sb_printf(sb, "\\u%04x", *s);
		else
			sb_putc(sb, *s);
	}
	sb_putc(sb, '"');
}

static const char *manifest(struct plan *pl, const char *script_name)
{
	struct strbuf sb = { 0 };
	sb_puts(&sb, "{\n  \"stapc\": ");
	json_str(&sb, STAPC_VERSION);
	sb_puts(&sb, ",\n  \"tool\": ");
	json_str(&sb, pl->name);
	sb_puts(&sb, ",\n  \"script\": ");
	json_str(&sb, script_name);
	sb_puts(&sb, ",\n  \"probes\": [");
	for (int i = 0; i < pl->prog->probes.len; i++) {
		struct dprobe *d = vec_at(&pl->prog->probes, i);
		struct strbuf p = { 0 };
		dump_probe_point(&p, d->point);
		sb_puts(&sb, i ? ",\n    " : "\n    ");
		json_str(&sb, p.buf);
		sb_free(&p);
	}
	sb_printf(&sb, "\n  ],\n  \"limits\": { \"MAXSTRINGLEN\": %lld, \"MAXMAPENTRIES\": %lld, "
		       "\"MAXACTION\": %lld, \"MAXERRORS\": %lld },\n  \"license\": \"GPL-2.0-or-later "
		       "(libelf) with LGPL-2.1-or-later OR BSD-2-Clause (stapc runtime, libbpf)\"\n}\n",
		  (long long)pl->maxstringlen, (long long)pl->maxmapentries, (long long)pl->maxactions,
		  (long long)pl->maxerrors);
	const char *r = arena_strdup(sb.buf);
	sb_free(&sb);
	return r;
}

struct translation *translate(struct session *s, struct program *prog, const char *name,
			      const struct source_file *script)
{
	struct translation *t = arena_alloc(sizeof(*t));
	struct plan *pl = place_program(s, prog, tool_c_name(name));
	pl->nargs_max = s->runtime_args_max;
	if (diag_error_count())
		return NULL;
	t->name = pl->name;
	t->has_bpf = pl->kprobes.len > 0;
	struct strbuf bpf = { 0 }, hdr = { 0 }, user = { 0 };
	if (t->has_bpf)
		emit_bpf(pl, &bpf);
	emit_user(pl, &user, arena_strndup(script->text, script->len),
		  script_description(script->text));
	emit_header(pl, &hdr);
	if (diag_error_count()) {
		sb_free(&bpf);
		sb_free(&hdr);
		sb_free(&user);
		return NULL;
	}
	t->bpf_c = arena_strdup(bpf.buf ? bpf.buf : "");
	t->header = arena_strdup(hdr.buf);
	t->user_c = arena_strdup(user.buf);
	t->manifest = manifest(pl, script->name);
	sb_free(&bpf);
	sb_free(&hdr);
	sb_free(&user);
	return t;
}
