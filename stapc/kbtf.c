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

void kbtf_release(void)
{
	btf__free(loaded);
	loaded = NULL;
	free(loaded_path);
	loaded_path = NULL;
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
		id = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC);
		if (id > 0)
			return (int)btf__type_by_id(btf, id)->type;
	}
	snprintf(name, sizeof(name), "btf_trace_%s", event);
	id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
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
		id = btf__find_by_name_kind(btf, words[1],
					    words[0][0] == 's' ? BTF_KIND_STRUCT : BTF_KIND_UNION);
	} else {
		char name[128] = "";
		for (int i = 0; i < n; i++)
			snprintf(name + strlen(name), sizeof(name) - strlen(name), "%s%s", i ? " " : "",
				 words[i]);
		id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
		if (id <= 0)
			id = btf__find_by_name_kind(btf, name, BTF_KIND_INT);
	}
	if (id <= 0)
		return 0;
	while (stars-- > 0 && id > 0)
		id = ptr_to(btf, id);
	return id > 0 ? id : 0;
}
