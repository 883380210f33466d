// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * manifest.c - the manifest (--manifest): how a tool was built, as JSON,
 * written from templates/manifest.json.in.
 *
 * Everything in it comes from the build's inputs, in a fixed order: no
 * time, no path but the script's file name, so that the same inputs give
 * the same bytes. Its "license" names what a tool links statically (the
 * stapc runtime, libbpf, and libdw, liblzma, libbz2 for uprobes).
 */
#include "stapc.h"

#include <string.h>
#include <sys/utsname.h>

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

/* s as a JSON string, in the arena. */
static const char *json(const char *s)
{
	struct strbuf sb = { 0 };
	json_str(&sb, s ? s : "");
	const char *r = arena_strdup(sb.buf);
	sb_free(&sb);
	return r;
}

static void json_list(struct strbuf *sb, const struct vec *v)
{
	sb_putc(sb, '[');
	for (int i = 0; i < v->len; i++) {
		sb_puts(sb, i ? ", " : "");
		json_str(sb, vec_at(v, i));
	}
	sb_putc(sb, ']');
}

static const char *json_array(const struct vec *v)
{
	struct strbuf sb = { 0 };
	json_list(&sb, v);
	const char *r = arena_strdup(sb.buf);
	sb_free(&sb);
	return r;
}

static void add_unique(struct vec *v, const char *s)
{
	for (int i = 0; i < v->len; i++)
		if (!strcmp(vec_at(v, i), s))
			return;
	vec_push(v, (void *)s);
}

/*
 * What every BPF side uses, and the helpers its code calls (facts the BPF
 * emitters record), with the release that first has them; each way of
 * attaching names its own (runtime/stp_attach_kinds.h).
 */
static const struct feature {
	unsigned helper; /* BPF_USES_*, 0 for every BPF side */
	const char *name;
	int since; /* major * 1000 + minor */
} features[] = {
	{ 0, "bpf", 4018 },
	{ 0, "btf", 5004 },
	{ 0, "ringbuf", 5008 },
	{ BPF_USES_PROBE_READ_KERNEL, "probe_read_kernel", 5005 },
	{ BPF_USES_PROBE_READ_USER, "probe_read_user", 5005 },
	{ BPF_USES_SNPRINTF, "bpf_snprintf", 5013 },
	{ BPF_USES_PERCPU_LOOKUP, "map_lookup_percpu_elem", 5019 },
	{ BPF_USES_UADDRS, "bpf_find_vma", 5017 },
};

/* What the kernel must offer: required features, alternatives, a release. */
struct needs {
	struct vec required; /* const char * */
	struct vec one_of;   /* struct vec *: the kernel needs one of each */
	int since;
};

/* One probe's variants, and what the kernel needs to attach them. */
static void probe_variants(struct strbuf *sb, const struct dprobe *d, struct needs *k)
{
	struct vec names = { 0 };
	int lowest = 1 << 30;
	sb_puts(sb, ", \"variants\": [");
	for (int v = 0; v < d->nvariants; v++) {
		const struct variant *var = &d->variants[v];
		int first;
		const char *feature = attach_kind_feature(var->attach, &first);
		sb_puts(sb, v ? ",\n        { \"program\": " : "\n        { \"program\": ");
		json_str(sb, prog_name(d, v));
		sb_puts(sb, ", \"section\": ");
		json_str(sb, var->section);
		sb_puts(sb, ", \"attach\": ");
		json_str(sb, feature ? feature : attach_kind_name(var->attach));
		sb_puts(sb, ", \"target\": ");
		json_str(sb, var->target ? var->target : "");
		sb_puts(sb, " }");
		if (feature) {
			add_unique(&names, feature);
			lowest = first < lowest ? first : lowest;
		}
	}
	sb_puts(sb, " ] }");
	/* Alternatives: the kernel needs one of them, whichever attaches. */
	if (d->optional || !names.len)
		return;
	if (lowest > k->since)
		k->since = lowest;
	if (names.len == 1)
		add_unique(&k->required, vec_at(&names, 0));
	else
		vec_push(&k->one_of, memcpy(arena_alloc(sizeof(names)), &names, sizeof(names)));
}

/* Each probe: what the script wrote, what it resolved to, its programs. */
static const char *probes(const struct plan *pl, struct needs *k)
{
	struct strbuf sb = { 0 };
	for (int i = 0; i < pl->prog->probes.len; i++) {
		const struct dprobe *d = vec_at(&pl->prog->probes, i);
		struct strbuf p = { 0 };
		dump_probe_point(&p, d->point);
		sb_puts(&sb, i ? ",\n    { \"point\": " : "\n    { \"point\": ");
		json_str(&sb, d->chain.len ? vec_at(&d->chain, 0) : p.buf);
		sb_puts(&sb, ", \"resolved\": ");
		json_str(&sb, p.buf);
		sb_free(&p);
		sb_printf(&sb, ", \"runs_in\": \"%s\"", d->in_tool ? "tool" : "kernel");
		if (d->optional)
			sb_puts(&sb, ", \"optional\": true");
		if (d->nvariants)
			probe_variants(&sb, d, k);
		else
			sb_puts(&sb, " }");
	}
	const char *r = arena_strdup(sb.buf ? sb.buf : "");
	sb_free(&sb);
	return r;
}

/* The BPF side's own needs: every BPF side's, and its helpers'. */
static void bpf_needs(struct needs *k, bool has_bpf, unsigned uses)
{
	for (size_t i = 0; has_bpf && i < ARRAY_SIZE(features); i++) {
		const struct feature *f = &features[i];
		if (f->helper && !(uses & f->helper))
			continue;
		add_unique(&k->required, f->name);
		k->since = f->since > k->since ? f->since : k->since;
	}
}

static const char *one_of_lists(const struct needs *k)
{
	struct strbuf sb = { 0 };
	for (int i = 0; i < k->one_of.len; i++) {
		sb_puts(&sb, i ? ", " : "");
		json_list(&sb, vec_at(&k->one_of, i));
	}
	const char *r = arena_strdup(sb.buf ? sb.buf : "");
	sb_free(&sb);
	return r;
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

/* The sha256 of the kernel types the BPF side was compiled against. */
static const char *btf_sha256(const struct plan *pl, bool has_bpf)
{
	const char *btf = pl->s->btf_path ? pl->s->btf_path : "/sys/kernel/btf/vmlinux";
	size_t len;
	const char *data = has_bpf ? read_file(btf, &len) : NULL;
	return data ? arena_printf(", \"btf_sha256\": \"%s\"", sha256_hex(data, len)) : "";
}

static const char *num(long long v)
{
	return arena_printf("%lld", v);
}

const char *manifest(const struct plan *pl, const struct source_file *script, bool has_bpf,
		     unsigned bpf_uses)
{
	const char *base = strrchr(script->name, '/') ? strrchr(script->name, '/') + 1 : script->name;
	struct utsname u;
	if (uname(&u) != 0)
		memset(&u, 0, sizeof(u));
	struct needs k = { 0 };
	bpf_needs(&k, has_bpf, bpf_uses);
	const char *probe_list = probes(pl, &k);
	const char *trust = sign_trust_id();
	const char *lic = script_license(script->text);
	const struct tvar vars[] = {
		{ "VERSION", json(STAPC_VERSION) },
		{ "TOOL", json(pl->tool_name ? pl->tool_name : pl->name) },
		{ "SCRIPT", json(base) },
		{ "SCRIPT_SHA256", sha256_hex(script->text, script->len) },
		{ "HOST_KERNEL", json(u.release) },
		{ "HOST_ARCH", json(u.machine) },
		{ "BTF_SHA256", btf_sha256(pl, has_bpf) },
		{ "TARGET_KERNEL", json(pl->s->target.kernel_vr) },
		{ "TARGET_ARCH", json(pl->s->target.arch) },
		{ "GURU", pl->s->guru ? "true" : "false" },
		{ "DEFINES", json_array(&pl->s->defines) },
		{ "SCRIPT_ARGS", json_array(&pl->s->args) },
		{ "PROBES", probe_list },
		{ "REQUIRED", json_array(&k.required) },
		{ "ONE_OF", one_of_lists(&k) },
		{ "MIN_KERNEL", k.since ? arena_printf(", \"min_kernel\": \"%d.%d\"", k.since / 1000,
						       k.since % 1000)
					: "" },
		{ "MAXSTRINGLEN", num(pl->maxstringlen) },
		{ "MAXMAPENTRIES", num(pl->maxmapentries) },
		{ "MAXACTION", num(pl->maxactions) },
		{ "MAXERRORS", num(pl->maxerrors) },
		{ "MAXNESTING", num(pl->maxnesting) },
		{ "TRUST", trust ? arena_printf("{ \"key_id\": \"%s\" }", trust) : "null" },
		{ "SCRIPT_LICENSE", lic ? json(lic) : "null" },
		{ 0 },
	};
	return template_expand("manifest.json", vars);
}
