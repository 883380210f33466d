// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kbtf.c - the kernel's types, from BTF: the build host's
 * /sys/kernel/btf/vmlinux, or the file given with --btf. Used to check and
 * type target variables; the tool itself relocates every access on the
 * target with CO-RE, so these types need only be of a similar kernel.
 */
#include "stapc.h"

#include <bpf/btf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static struct btf *loaded; /* freed by kbtf_release() */
static char *loaded_path;

/*
 * Indexes of `indexed`, made on first use: libbpf's lookups by name walk
 * every type, and syscall.* asks some thousands of times (12 s, now 0.3).
 * by_name: open addressing on (name, kind), the first id of each; ptr_of:
 * for each type id, the first PTR type to it.
 */
static const struct btf *indexed;
static uint32_t *by_name, *ptr_of;
static size_t by_name_mask;

static void drop_index(void)
{
	free(by_name);
	free(ptr_of);
	by_name = ptr_of = NULL;
	indexed = NULL;
}

void kbtf_release(void)
{
	drop_index();
	btf__free(loaded);
	loaded = NULL;
	free(loaded_path);
	loaded_path = NULL;
}

static size_t name_hash(const char *name, int kind)
{
	size_t h = 1469598103934665603ull;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 1099511628211ull;
	return (h ^ (size_t)kind) * 0x9e3779b97f4a7c15ull;
}

static bool build_index(const struct btf *btf)
{
	drop_index();
	uint32_t n = btf__type_cnt(btf);
	size_t cap = 64;
	while (cap < 2 * (size_t)n)
		cap *= 2;
	by_name = calloc(cap, sizeof(*by_name));
	ptr_of = calloc(n, sizeof(*ptr_of));
	if (!by_name || !ptr_of) {
		drop_index();
		return false;
	}
	by_name_mask = cap - 1;
	for (uint32_t id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		if (btf_is_ptr(t) && t->type < n && !ptr_of[t->type])
			ptr_of[t->type] = id;
		const char *name = btf__name_by_offset(btf, t->name_off);
		if (!name || !*name)
			continue;
		int kind = btf_kind(t);
		size_t i = name_hash(name, kind) & by_name_mask;
		for (; by_name[i]; i = (i + 1) & by_name_mask) {
			const struct btf_type *o = btf__type_by_id(btf, by_name[i]);
			if (btf_kind(o) == kind && !strcmp(btf__name_by_offset(btf, o->name_off), name))
				break; /* the first of that name stays */
		}
		if (!by_name[i])
			by_name[i] = id;
	}
	indexed = btf;
	return true;
}

/* btf__find_by_name_kind(), in constant time. */
static int find_by_name_kind(const struct btf *btf, const char *name, int kind)
{
	if (indexed != btf && !build_index(btf))
		return btf__find_by_name_kind(btf, name, (__u32)kind);
	for (size_t i = name_hash(name, kind) & by_name_mask; by_name[i];
	     i = (i + 1) & by_name_mask) {
		const struct btf_type *t = btf__type_by_id(btf, by_name[i]);
		if (btf_kind(t) == kind && !strcmp(btf__name_by_offset(btf, t->name_off), name))
			return (int)by_name[i];
	}
	return -ENOENT;
}

struct btf *kbtf_get(struct elab *e)
{
	if (e->btf_tried)
		return e->btf;
	e->btf_tried = true;
	const char *path = e->s->btf_path ? e->s->btf_path : "/sys/kernel/btf/vmlinux";
	/* Read once per process: the fuzzer elaborates many scripts. */
	if (loaded && !strcmp(loaded_path, path)) {
		e->btf = loaded;
		return loaded;
	}
	struct btf *btf = btf__parse(path, NULL);
	if (!btf) {
		diag_error(NULL, "cannot read kernel types from %s (%s): build on a kernel with "
				 "CONFIG_DEBUG_INFO_BTF, or name a BTF file with --btf FILE",
			   path, strerror(errno));
		return NULL;
	}
	e->btf = btf;
	kbtf_release();
	loaded = btf;
	loaded_path = strdup(path);
	return btf;
}

int kbtf_strip(const struct btf *btf, int id)
{
	for (int guard = 0; id > 0 && guard < 64; guard++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		if (!t)
			return 0;
		if (!btf_is_typedef(t) && !btf_is_const(t) && !btf_is_volatile(t) &&
		    !btf_is_restrict(t) && !btf_is_type_tag(t) && !btf_is_decl_tag(t))
			return id;
		id = (int)t->type;
	}
	return id;
}

static void type_name(struct strbuf *sb, const struct btf *btf, int id, int depth)
{
	const struct btf_type *t = id ? btf__type_by_id(btf, id) : NULL;
	if (!t) {
		sb_puts(sb, "void");
		return;
	}
	const char *name = btf__name_by_offset(btf, t->name_off);
	if (depth > 8) {
		sb_puts(sb, "void");
		return;
	}
	switch (btf_kind(t)) {
	case BTF_KIND_PTR:
		type_name(sb, btf, (int)t->type, depth + 1);
		sb_putc(sb, '*');
		return;
	case BTF_KIND_STRUCT:
		sb_printf(sb, "struct %s", name && *name ? name : "(anon)");
		return;
	case BTF_KIND_UNION:
		sb_printf(sb, "union %s", name && *name ? name : "(anon)");
		return;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		sb_printf(sb, "enum %s", name && *name ? name : "(anon)");
		return;
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		type_name(sb, btf, (int)t->type, depth + 1);
		return;
	case BTF_KIND_ARRAY:
		type_name(sb, btf, (int)btf_array(t)->type, depth + 1);
		sb_printf(sb, "[%u]", btf_array(t)->nelems);
		return;
	case BTF_KIND_FUNC_PROTO:
		sb_puts(sb, "void (*)(void)");
		return;
	default:
		sb_puts(sb, name && *name ? name : "void");
	}
}

const char *kbtf_type_name(const struct btf *btf, int id)
{
	struct strbuf sb = { 0 };
	type_name(&sb, btf, id, 0);
	const char *r = intern(sb.buf);
	sb_free(&sb);
	return r;
}

/* Names generated code declares itself: an argument so named is renamed. */
static bool name_taken(const char *n)
{
	static const char *const taken[] = { "ctx", "fr", "ret", "regs", "sp", "rv", "p", "e", "id", "init" };
	for (size_t i = 0; i < ARRAY_SIZE(taken); i++)
		if (!strcmp(n, taken[i]))
			return true;
	if (strchr("tpe", n[0]) && n[1] && strspn(n + 1, "0123456789") == strlen(n + 1))
		return true;
	return !strncmp(n, "stp_", 4) || (n[0] && n[1] == '_' && strchr("lgmf", n[0]));
}

const struct fn_params *kbtf_fn_params(const struct btf *btf, int proto, int skip)
{
	const struct btf_type *t = btf__type_by_id(btf, (__u32)proto);
	if (!t || !btf_is_func_proto(t))
		return NULL;
	struct fn_params *fp = arena_alloc(sizeof(*fp));
	const struct btf_param *pa = btf_params(t);
	for (int i = skip; i < btf_vlen(t) && fp->n < MAX_FN_PARAMS; i++) {
		const char *pn = btf__name_by_offset(btf, pa[i].name_off);
		const struct btf_type *pt = btf__type_by_id(btf, (__u32)kbtf_strip(btf, (int)pa[i].type));
		bool scalar = pt && (btf_is_int(pt) || btf_is_ptr(pt) || btf_is_enum(pt) ||
				     btf_is_enum64(pt));
		fp->name[fp->n] = pn && *pn && !name_taken(pn) ? pn
							      : arena_printf("stp_arg%d", fp->n);
		const char *ct = kbtf_type_name(btf, (int)pa[i].type);
		/* A struct by value is no macro's cast; "int (*)(void)" declares no name. */
		fp->type[fp->n] = scalar && !strchr(ct, '(') ? ct : "u64";
		fp->n++;
	}
	fp->ret_type = t->type ? kbtf_type_name(btf, (int)t->type) : NULL;
	if (fp->ret_type && strchr(fp->ret_type, '('))
		fp->ret_type = "u64";
	return fp;
}

/*
 * Tracepoint arguments have names only on the kernel's __bpf_trace_EVENT
 * function (its first parameter is the probe's private data). Fall back to
 * the unnamed btf_trace_EVENT typedef when the function is not in BTF.
 */
int kbtf_tracepoint_proto(const struct btf *btf, const char *event)
{
	char name[256];
	/*
	 * Events defined through an event class share their class's
	 * __bpf_trace function; __traceiter_EVENT is the event's own.
	 */
	static const char *const fmts[] = { "__traceiter_%s", "__bpf_trace_%s" };
	int id;
	for (size_t i = 0; i < ARRAY_SIZE(fmts); i++) {
		snprintf(name, sizeof(name), fmts[i], event);
		id = find_by_name_kind(btf, name, BTF_KIND_FUNC);
		if (id > 0)
			return (int)btf__type_by_id(btf, id)->type;
	}
	snprintf(name, sizeof(name), "btf_trace_%s", event);
	id = find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
	if (id <= 0)
		return -1;
	const struct btf_type *t = btf__type_by_id(btf, (__u32)kbtf_strip(btf, id));
	if (!t || !btf_is_ptr(t))
		return -1;
	int proto = (int)t->type;
	t = btf__type_by_id(btf, (__u32)proto);
	return t && btf_is_func_proto(t) ? proto : -1;
}

/* A PTR type to `target`, if the BTF has one. */
static int ptr_to(const struct btf *btf, int target)
{
	if ((indexed == btf || build_index(btf)) && target > 0 &&
	    (uint32_t)target < btf__type_cnt(btf))
		return (int)ptr_of[target];
	for (__u32 id = 1; id < btf__type_cnt(btf); id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		if (btf_is_ptr(t) && (int)t->type == target)
			return (int)id;
	}
	return 0;
}

int kbtf_parse_c_type(const struct btf *btf, const char *c_type)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", c_type);
	int stars = 0;
	for (char *p = buf; *p; p++)
		if (*p == '*') {
			stars++;
			*p = ' ';
		}
	/* Drop qualifiers and __user; keep "struct NAME" or the base name. */
	char *words[8];
	int n = 0;
	for (char *w = strtok(buf, " "); w && n < 8; w = strtok(NULL, " "))
		if (strcmp(w, "const") && strcmp(w, "volatile") && strcmp(w, "__user"))
			words[n++] = w;
	if (!n)
		return 0;
	int id = 0;
	if (n == 2 && (!strcmp(words[0], "struct") || !strcmp(words[0], "union"))) {
		id = find_by_name_kind(btf, words[1],
					    words[0][0] == 's' ? BTF_KIND_STRUCT : BTF_KIND_UNION);
	} else {
		char name[128] = "";
		for (int i = 0; i < n; i++)
			snprintf(name + strlen(name), sizeof(name) - strlen(name), "%s%s", i ? " " : "",
				 words[i]);
		id = find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
		if (id <= 0)
			id = find_by_name_kind(btf, name, BTF_KIND_INT);
	}
	if (id <= 0)
		return 0;
	while (stars-- > 0 && id > 0)
		id = ptr_to(btf, id);
	return id > 0 ? id : 0;
}
