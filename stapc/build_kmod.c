// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * build_kmod.c - pass 4 of the module backend: NAME.kmod.c built by kbuild
 * once per kernel named with --kernel, each .ko embedded in the tool.
 *
 *   dist/fetch-kernel-headers REL   Debian's linux-headers-REL (+ -common,
 *                                   linux-kbuild), cached outside the tree
 *   DIR/kmod-REL/                   Kbuild, Makefile, probes.c (NAME.kmod.c),
 *                                   NAME.stp.h and the runtime it includes
 *   make -C TREE M=DIR/kmod-REL     CC=gcc-12, as Debian built the kernel
 *
 * The module is named stapc_NAME_000000000000: the tool gives each run its
 * own name by rewriting the zeros in its copy before loading it.
 */
#include "stapc.h"

#include "../runtime/kmod/stp_kmod_abi.h"

#include <stdlib.h>
#include <string.h>

/* "stapc_" + the tool's C name (cut to fit the kernel's 55) + the tag the tool rewrites. */
static const char *module_name(const char *name)
{
	return arena_printf("stapc_%.36s%s", name, STP_KMOD_NAME_TAG);
}

/* The build tree of kernel rel: what dist/fetch-kernel-headers prints (it fetches once). */
static const char *headers_tree(struct session *s, const char *datadir, const char *rel,
				const char *dir)
{
	const char *helper = arena_printf("%s/dist/fetch-kernel-headers", datadir);
	const char *out = arena_printf("%s/headers-%s.path", dir, rel);
	const char *argv[] = { helper, rel, NULL };
	size_t len;
	char *path;
	if (!build_run(s, NULL, argv, out) || !(path = read_file(out, &len)) || !len) {
		diag_error(NULL, "cannot get the headers of kernel %s (Debian's linux-headers-%s): "
				 "run %s %s to see why", rel, rel, helper, rel);
		return NULL;
	}
	while (len && (path[len - 1] == '\n' || path[len - 1] == ' '))
		path[--len] = 0;
	return path;
}

static bool copy_file(const char *from, const char *to)
{
	size_t len;
	char *data = read_file(from, &len);
	return data && write_file(to, data, len);
}

/* DIR/kmod-REL: the module's sources, and what they include. */
static bool write_kbuild_dir(const char *kdir, const struct translation *t, const char *module,
			     const char *runtime, const char *tree)
{
	const struct tvar vars[] = {
		{ "MODULE", module },
		{ "VERSION", STAPC_VERSION },
		{ "OBJECTS", "probes.o" },
		{ "KDIR", tree },
		{ 0 },
	};
	const char *kbuild = template_expand("Kbuild", vars);
	const char *makefile = template_expand("Makefile", vars);
	return mkdir_p(arena_printf("%s/runtime/kmod", kdir)) == 0 &&
	       write_file(arena_printf("%s/Kbuild", kdir), kbuild, strlen(kbuild)) &&
	       write_file(arena_printf("%s/Makefile", kdir), makefile, strlen(makefile)) &&
	       write_file(arena_printf("%s/probes.c", kdir), t->kmod_c, strlen(t->kmod_c)) &&
	       write_file(arena_printf("%s/%s.stp.h", kdir, t->name), t->header,
			  strlen(t->header)) &&
	       copy_file(arena_printf("%s/stp_record.h", runtime),
			 arena_printf("%s/runtime/stp_record.h", kdir)) &&
	       copy_file(arena_printf("%s/stp_kside.h", runtime),
			 arena_printf("%s/runtime/stp_kside.h", kdir)) &&
	       copy_file(arena_printf("%s/stp_kside_errors.h", runtime),
			 arena_printf("%s/runtime/stp_kside_errors.h", kdir)) &&
	       copy_file(arena_printf("%s/kmod/stp_kmod.h", runtime),
			 arena_printf("%s/runtime/kmod/stp_kmod.h", kdir)) &&
	       copy_file(arena_printf("%s/kmod/stp_kmod_abi.h", runtime),
			 arena_printf("%s/runtime/kmod/stp_kmod_abi.h", kdir));
}

/* The module's vermagic=, from its .modinfo: what the kernel checks it against. */
static const char *vermagic(const char *ko, size_t len)
{
	static const char key[] = "vermagic=";
	for (size_t i = 0; i + sizeof(key) < len; i++)
		if (!memcmp(ko + i, key, sizeof(key) - 1) && (i == 0 || ko[i - 1] == 0))
			return arena_strndup(ko + i + sizeof(key) - 1,
					     strnlen(ko + i + sizeof(key) - 1, len - i - sizeof(key)));
	return "";
}

struct built_module {
	const char *release, *vermagic, *sha256;
	char *data;
	size_t len;
};

static bool build_one(struct session *s, const char *dir, const struct translation *t,
		      const char *runtime, const char *datadir, const char *rel,
		      struct built_module *m)
{
	const char *tree = headers_tree(s, datadir, rel, dir);
	if (!tree)
		return false;
	const char *module = module_name(t->name);
	const char *kdir = arena_printf("%s/kmod-%s", dir, rel);
	if (!write_kbuild_dir(kdir, t, module, runtime, tree)) {
		diag_error(NULL, "cannot write the module's sources into %s", kdir);
		return false;
	}
	const char *argv[] = { "make", "-s", "-C", tree, arena_printf("M=%s", kdir), "CC=gcc-12",
			       "CONFIG_DEBUG_INFO_BTF_MODULES=", "modules", NULL };
	const char *ko = arena_printf("%s/%s.ko", kdir, module);
	/* Without its DWARF, as distributions install modules: a tenth of the size. */
	const char *strip[] = { "strip", "--strip-debug", ko, NULL };
	if (!build_run(s, NULL, argv, NULL) || !build_run(s, NULL, strip, NULL) ||
	    !(m->data = read_file(ko, &m->len))) {
		diag_error(NULL, "kbuild could not build the module for kernel %s: this is a bug in "
				 "stapc; the generated code is in %s", rel, kdir);
		return false;
	}
	m->release = rel;
	m->vermagic = vermagic(m->data, m->len);
	m->sha256 = sha256_hex(m->data, m->len);
	return true;
}

/* The modules as C data (NAME.obj.c), with the empty BPF object the tool's code names. */
static void modules_c(struct strbuf *sb, const struct built_module *ms, int n, const char *module)
{
	sb_puts(sb, "#include <stddef.h>\n#include \"stp.h\"\n");
	sb_puts(sb, "const size_t stp_bpf_object_len = 0;\n");
	sb_puts(sb, "const unsigned char stp_bpf_object[1];\n");
	for (int i = 0; i < n; i++) {
		sb_printf(sb, "__attribute__((aligned(8))) static const unsigned char stp_ko%d[] = {", i);
		for (size_t j = 0; j < ms[i].len; j++)
			sb_printf(sb, "%s%u,", j % 20 ? "" : "\n", (unsigned char)ms[i].data[j]);
		sb_puts(sb, "\n};\n");
	}
	sb_printf(sb, "const struct stp_kmod_blob stp_kmods[%d] = {\n", n);
	for (int i = 0; i < n; i++)
		sb_printf(sb, "\t{ %s, %s, %s, %s, stp_ko%d, sizeof(stp_ko%d) },\n",
			  c_string(ms[i].release), c_string(ms[i].vermagic), c_string(module),
			  c_string(ms[i].sha256), i, i);
	sb_printf(sb, "};\nconst int stp_nkmods = %d;\n", n);
}

/* The manifest with the modules (kernel, vermagic, size, hash) before "limits". */
static const char *manifest_with(const char *manifest, const struct built_module *ms, int n)
{
	const char *at = strstr(manifest, "\n  \"limits\"");
	if (!at)
		return manifest;
	struct strbuf sb = { 0 };
	sb_putn(&sb, manifest, (size_t)(at - manifest) + 1);
	sb_puts(&sb, "  \"backend\": \"module\",\n  \"modules\": [");
	for (int i = 0; i < n; i++)
		sb_printf(&sb, "%s\n    { \"kernel\": %s, \"vermagic\": %s, \"size\": %zu, "
			       "\"sha256\": \"%s\" }",
			  i ? "," : "", c_string(ms[i].release), c_string(ms[i].vermagic), ms[i].len,
			  ms[i].sha256);
	sb_puts(&sb, "\n  ],");
	sb_puts(&sb, at);
	const char *r = arena_strdup(sb.buf);
	sb_free(&sb);
	return r;
}

bool build_kmods(struct session *s, const char *dir, const struct translation *t,
		 const char *runtime, const char *datadir, const char **object,
		 const char **manifest)
{
	int n = s->kernels.len;
	if (!n) {
		diag_error(NULL, "the kernel-module backend builds for named kernels: add --kernel "
				 "RELEASE (e.g. --kernel %s)", s->target.kernel_vr);
		return false;
	}
	struct built_module *ms = arena_alloc(sizeof(*ms) * (size_t)n);
	for (int i = 0; i < n; i++)
		if (!build_one(s, dir, t, runtime, datadir, vec_at(&s->kernels, i), &ms[i]))
			return false;
	struct strbuf sb = { 0 };
	modules_c(&sb, ms, n, module_name(t->name));
	*object = arena_strdup(sb.buf);
	sb_free(&sb);
	*manifest = manifest_with(*manifest, ms, n);
	return true;
}
