// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * translate.c - pass 3 end to end: placement, then the three generated
 * files (NAME.bpf.c, NAME.h, NAME.c), and the manifest.
 */
#include "stapc.h"

#include <ctype.h>
#include <string.h>
#include <sys/utsname.h>

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

/* ------------------------------------------------------------ the manifest */

/*
 * The manifest (--manifest): how the tool was built, as JSON. Everything in
 * it comes from the build's inputs, in a fixed order: no time, no path but
 * the script's file name, so that the same inputs give the same bytes.
 */

/*
 * What every BPF side uses, and helpers found in the generated code, with
 * the release that first has them; each way of attaching names its own
 * (runtime/stp_attach_kinds.h).
 */
static const struct feature {
	const char *helper, *name;
	int since; /* major * 1000 + minor */
} features[] = {
	{ NULL, "bpf", 4018 },				 { NULL, "btf", 5004 },
	{ NULL, "ringbuf", 5008 },			 { "bpf_probe_read_kernel", "probe_read_kernel", 5005 },
	{ "bpf_probe_read_user", "probe_read_user", 5005 }, { "bpf_snprintf(", "bpf_snprintf", 5013 },
};

static void json_list(struct strbuf *sb, struct vec *v)
{
	sb_putc(sb, '[');
	for (int i = 0; i < v->len; i++) {
		sb_puts(sb, i ? ", " : "");
		json_str(sb, vec_at(v, i));
	}
	sb_putc(sb, ']');
}

static void add_unique(struct vec *v, const char *s)
{
	for (int i = 0; i < v->len; i++)
		if (!strcmp(vec_at(v, i), s))
			return;
	vec_push(v, (void *)s);
}

/* Each probe: what the script wrote, what it resolved to, its programs. */
static void manifest_probes(struct strbuf *sb, struct plan *pl, struct vec *req,
			    struct vec *one_of, int *since)
{
	sb_puts(sb, "  \"probes\": [");
	for (int i = 0; i < pl->prog->probes.len; i++) {
		struct dprobe *d = vec_at(&pl->prog->probes, i);
		struct strbuf p = { 0 };
		dump_probe_point(&p, d->point);
		sb_puts(sb, i ? ",\n    { \"point\": " : "\n    { \"point\": ");
		json_str(sb, d->chain.len ? vec_at(&d->chain, 0) : p.buf);
		sb_puts(sb, ", \"resolved\": ");
		json_str(sb, p.buf);
		sb_free(&p);
		sb_printf(sb, ", \"runs_in\": \"%s\"", d->in_tool ? "tool" : "kernel");
		if (d->optional)
			sb_puts(sb, ", \"optional\": true");
		const struct variant *vars = d->variants;
		int n = d->nvariants;
		if (!n) {
			sb_puts(sb, " }");
			continue;
		}
		sb_puts(sb, ", \"variants\": [");
		struct vec names = { 0 };
		int lowest = 1 << 30;
		for (int v = 0; v < n; v++) {
			int first;
			const char *feature = attach_kind_feature(vars[v].attach, &first);
			sb_puts(sb, v ? ",\n        { \"program\": " : "\n        { \"program\": ");
			json_str(sb, prog_name(d, v));
			sb_puts(sb, ", \"section\": ");
			json_str(sb, vars[v].section);
			sb_puts(sb, ", \"attach\": ");
			json_str(sb, feature ? feature : attach_kind_name(vars[v].attach));
			sb_puts(sb, ", \"target\": ");
			json_str(sb, vars[v].target ? vars[v].target : "");
			sb_puts(sb, " }");
			if (feature) {
				add_unique(&names, feature);
				lowest = first < lowest ? first : lowest;
			}
		}
		sb_puts(sb, " ] }");
		/* Alternatives: the kernel needs one of them, whichever attaches. */
		if (d->optional || !names.len)
			continue;
		if (lowest > *since)
			*since = lowest;
		if (names.len == 1)
			add_unique(req, vec_at(&names, 0));
		else
			vec_push(one_of, memcpy(arena_alloc(sizeof(names)), &names, sizeof(names)));
	}
	sb_puts(sb, "\n  ],\n");
}

static void manifest_features(struct strbuf *sb, struct plan *pl, const char *bpf_c)
{
	struct vec req = { 0 }, one_of = { 0 };
	int since = 0;
	for (size_t i = 0; bpf_c && *bpf_c && i < ARRAY_SIZE(features); i++) {
		const struct feature *f = &features[i];
		if (f->helper && !strstr(bpf_c, f->helper))
			continue;
		add_unique(&req, f->name);
		since = f->since > since ? f->since : since;
	}
	manifest_probes(sb, pl, &req, &one_of, &since);
	sb_puts(sb, "  \"kernel_features\": { \"required\": ");
	json_list(sb, &req);
	sb_puts(sb, ", \"one_of\": [");
	for (int i = 0; i < one_of.len; i++) {
		sb_puts(sb, i ? ", " : "");
		json_list(sb, vec_at(&one_of, i));
	}
	sb_puts(sb, "]");
	if (since)
		sb_printf(sb, ", \"min_kernel\": \"%d.%d\"", since / 1000, since % 1000);
	sb_puts(sb, " },\n");
}

/* The script's SPDX-License-Identifier, if its leading comment has one. */
static const char *script_license(const char *text)
{
	const char *tag = strstr(text, "SPDX-License-Identifier:");
	if (!tag || tag - text > 512)
		return NULL;
	tag += 24;
	while (*tag == ' ')
		tag++;
	return arena_strndup(tag, strcspn(tag, "\r\n"));
}

static void manifest_build(struct strbuf *sb, struct plan *pl, const struct source_file *script,
			   bool has_bpf)
{
	const char *base = strrchr(script->name, '/') ? strrchr(script->name, '/') + 1 : script->name;
	sb_puts(sb, "  \"script\": ");
	json_str(sb, base);
	sb_printf(sb, ",\n  \"script_sha256\": \"%s\",\n", sha256_hex(script->text, script->len));
	struct utsname u;
	if (uname(&u) != 0)
		memset(&u, 0, sizeof(u));
	sb_puts(sb, "  \"build_host\": { \"kernel\": ");
	json_str(sb, u.release);
	sb_puts(sb, ", \"arch\": ");
	json_str(sb, u.machine);
	/* The kernel types the BPF side was compiled against (vmlinux.h). */
	const char *btf = pl->s->btf_path ? pl->s->btf_path : "/sys/kernel/btf/vmlinux";
	size_t len;
	const char *data = has_bpf ? read_file(btf, &len) : NULL;
	if (data)
		sb_printf(sb, ", \"btf_sha256\": \"%s\"", sha256_hex(data, len));
	sb_puts(sb, " },\n  \"target\": { \"kernel\": ");
	json_str(sb, pl->s->target.kernel_vr ? pl->s->target.kernel_vr : "");
	sb_puts(sb, ", \"arch\": ");
	json_str(sb, pl->s->target.arch ? pl->s->target.arch : "");
	sb_printf(sb, " },\n  \"options\": { \"guru\": %s, \"defines\": ",
		  pl->s->guru ? "true" : "false");
	json_list(sb, &pl->s->defines);
	sb_puts(sb, ", \"script_args\": ");
	json_list(sb, &pl->s->args);
	sb_puts(sb, " },\n");
}

static const char *manifest(struct plan *pl, const struct source_file *script, const char *bpf_c)
{
	struct strbuf sb = { 0 };
	sb_puts(&sb, "{\n  \"stapc\": ");
	json_str(&sb, STAPC_VERSION);
	sb_puts(&sb, ",\n  \"tool\": ");
	json_str(&sb, pl->tool_name ? pl->tool_name : pl->name);
	sb_puts(&sb, ",\n");
	manifest_build(&sb, pl, script, bpf_c && *bpf_c);
	manifest_features(&sb, pl, bpf_c);
	sb_printf(&sb, "  \"limits\": { \"MAXSTRINGLEN\": %lld, \"MAXMAPENTRIES\": %lld, "
		       "\"MAXACTION\": %lld, \"MAXERRORS\": %lld, \"MAXNESTING\": %lld },\n",
		  (long long)pl->maxstringlen, (long long)pl->maxmapentries, (long long)pl->maxactions,
		  (long long)pl->maxerrors, (long long)pl->maxnesting);
	const char *trust = sign_trust_id();
	sb_puts(&sb, "  \"trust\": ");
	if (trust)
		sb_printf(&sb, "{ \"key_id\": \"%s\" }", trust);
	else
		sb_puts(&sb, "null");
	sb_puts(&sb, ",\n  \"license\": { \"script\": ");
	const char *lic = script_license(script->text);
	if (lic)
		json_str(&sb, lic);
	else
		sb_puts(&sb, "null");
	/* What a tool links statically (libdw, liblzma, libbz2: for uprobes). */
	sb_puts(&sb, ", \"bpf\": \"Dual BSD/GPL\", \"tool\": \"LGPL-2.1-or-later OR BSD-2-Clause "
		     "(stapc runtime), LGPL-2.1 OR BSD-2-Clause (libbpf), GPL-2.0-or-later OR "
		     "LGPL-3.0-or-later (libelf, libdw), Zlib (zlib), 0BSD (liblzma), "
		     "bzip2-1.0.6 (libbz2), ISC (libsodium), LGPL-2.1-or-later (glibc)\" }\n}\n");
	const char *r = arena_strdup(sb.buf);
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
	 * The BPF programs. An @entry() they cannot keep is an error that lets
	 * the emitters run on, and report what else they refuse, at once.
	 */
	place_kprogs(pl);
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
	t->manifest = manifest(pl, script, t->bpf_c);
	t->man_page = man_page(name, script->name, script->text, pl->nargs_max);
	sb_free(&bpf);
	sb_free(&hdr);
	sb_free(&user);
	return t;
}
