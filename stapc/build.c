// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * build.c - pass 4: the generated C into one static executable.
 *
 *   vmlinux.h      from the build host's BTF, once, cached by its hash
 *   NAME.bpf.o     clang -target bpf, then llvm-strip -g (BTF stays)
 *   NAME.obj.c     the object as a C array, the manifest and the signature
 *                  slot (templates/tool.obj.c.in)
 *   TOOL           cc -static NAME.c NAME.obj.c libstaprt.a libbpf.a ...
 *
 * Commands run with fixed arguments, no shell; their errors are shown.
 */
#include "stapc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static bool exists(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0;
}

/* Runs argv in cwd (NULL: ours); its output goes to stderr when it fails (or with -v). */
static bool run_in(struct session *s, const char *cwd, const char *const *argv,
		   const char *out_path)
{
	if (s->verbose) {
		for (int i = 0; argv[i]; i++)
			fprintf(stderr, "%s%s", i ? " " : "+ ", argv[i]);
		fprintf(stderr, out_path ? " > %s\n" : "\n", out_path);
	}
	struct timespec start, end;
	clock_gettime(CLOCK_MONOTONIC, &start);
	pid_t pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0) {
		if (cwd && chdir(cwd) != 0)
			_exit(126);
		if (out_path) {
			int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0644);
			if (fd < 0)
				_exit(126);
			dup2(fd, 1);
			close(fd);
		}
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "stapc: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	int status;
	if (waitpid(pid, &status, 0) < 0)
		return false;
	if (s->verbose) {
		clock_gettime(CLOCK_MONOTONIC, &end);
		fprintf(stderr, "  %s: %.1f ms\n", argv[0],
			(double)(end.tv_sec - start.tv_sec) * 1e3 +
				(double)(end.tv_nsec - start.tv_nsec) / 1e6);
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static bool run(struct session *s, const char *const *argv, const char *out_path)
{
	return run_in(s, NULL, argv, out_path);
}

bool build_run(struct session *s, const char *cwd, const char *const *argv, const char *out_path)
{
	return run_in(s, cwd, argv, out_path);
}

uint64_t hash_bytes64(const void *data, size_t n, uint64_t h)
{
	const unsigned char *p = data;
	if (!h)
		h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

/* vmlinux.h for the kernel types in BTF, made once per distinct BTF. */
static const char *vmlinux_header(struct session *s)
{
	const char *btf = s->btf_path ? s->btf_path : "/sys/kernel/btf/vmlinux";
	size_t len;
	char *data = read_file(btf, &len);
	if (!data) {
		diag_error(NULL, "cannot read kernel types from %s: %s", btf, strerror(errno));
		return NULL;
	}
	const char *cache = cache_dir();
	if (!cache)
		return NULL;
	const char *dir = arena_printf("%s/vmlinux-%016llx", cache,
				       (unsigned long long)hash_bytes64(data, len, 0));
	const char *header = arena_printf("%s/vmlinux.h", dir);
	if (exists(header)) {
		cache_touch(dir);
		return dir;
	}
	mkdir_p(dir);
	const char *tmp = arena_printf("%s.%d", header, (int)getpid());
	const char *argv[] = { "bpftool", "btf", "dump", "file", btf, "format", "c", NULL };
	if (!run(s, argv, tmp) || rename(tmp, header) != 0) {
		unlink(tmp);
		diag_error(NULL, "bpftool could not turn %s into C types (is bpftool installed?)", btf);
		return NULL;
	}
	return dir;
}

/* The BPF object as a C array, so the tool needs no file beside it. */
static const char *object_array(const char *obj)
{
	size_t len;
	char *data = read_file(obj, &len);
	if (!data)
		return NULL;
	struct strbuf sb = { 0 };
	sb_puts(&sb, "#include <stddef.h>\n");
	sb_printf(&sb, "const size_t stp_bpf_object_len = %zu;\n", len);
	sb_puts(&sb, "__attribute__((aligned(8))) const unsigned char stp_bpf_object[] = {");
	for (size_t i = 0; i < len; i++)
		sb_printf(&sb, "%s%u,", i % 20 ? "" : "\n", (unsigned char)data[i]);
	sb_puts(&sb, "\n};\n");
	const char *r = arena_strdup(sb.buf);
	sb_free(&sb);
	return r;
}

/* NAME.obj.c (templates/tool.obj.c.in): the object, manifest and signature slot. */
static bool write_obj_c(const char *out, const char *name, const char *object,
			const char *manifest)
{
	struct strbuf slot = { 0 };
	sign_obj_c(&slot);
	const struct tvar vars[] = {
		{ "NAME", name },
		{ "VERSION", STAPC_VERSION },
		{ "BPF_OBJECT", object },
		{ "MANIFEST", c_string(manifest) },
		{ "SIGNATURE_SLOT", slot.buf },
		{ 0 },
	};
	const char *text = template_expand("tool.obj.c", vars);
	sb_free(&slot);
	return write_file(out, text, strlen(text));
}

struct build_paths {
	const char *runtime; /* runtime/ (headers, bpf/, user/) */
	const char *lib;     /* libstaprt.a */
};

/*
 * The folder of the running stapc: make O=DIR builds DIR/stapc beside its
 * DIR/libstaprt.a, and a tool must link that one, not build/'s.
 */
static const char *exe_dir(void)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return "/nonexistent";
	exe[n] = 0;
	char *slash = strrchr(exe, '/');
	return slash ? arena_strndup(exe, (size_t)(slash - exe)) : ".";
}

static bool find_runtime(struct session *s, struct build_paths *bp)
{
	for (int i = 0; i < s->include_dirs.len; i++) {
		/* The tapset dir's sibling: DATADIR/tapset -> DATADIR/runtime. */
		const char *t = vec_at(&s->include_dirs, i);
		const char *slash = strrchr(t, '/');
		if (!slash || strcmp(slash, "/tapset"))
			continue;
		const char *base = arena_strndup(t, (size_t)(slash - t));
		const char *rt = arena_printf("%s/runtime", base);
		/* Installed: PREFIX/share/stapc and PREFIX/lib/stapc/libstaprt.a. */
		const char *libs[] = { arena_printf("%s/libstaprt.a", exe_dir()),
				       arena_printf("%s/../libstaprt.a", exe_dir()), /* O/asan/stapc */
				       arena_printf("%s/build/libstaprt.a", base),
				       arena_printf("%s/lib/libstaprt.a", base),
				       arena_printf("%s/../../lib/stapc/libstaprt.a", base) };
		for (size_t j = 0; j < ARRAY_SIZE(libs); j++)
			if (exists(rt) && exists(libs[j])) {
				bp->runtime = rt;
				bp->lib = libs[j];
				return true;
			}
	}
	diag_error(NULL, "cannot find stapc's runtime (runtime/ and libstaprt.a): run stapc from "
			 "its build tree or install it, or set STAPC_DATADIR");
	return false;
}

/* The folder that holds runtime/ and tapset/. */
static const char *datadir_of(const struct build_paths *bp)
{
	const char *slash = strrchr(bp->runtime, '/');
	return slash ? arena_strndup(bp->runtime, (size_t)(slash - bp->runtime)) : ".";
}

/* The user's script is named in line info as its file name alone. */
static const char *script_dir_map(struct session *s)
{
	const struct stapfile *f = s->files.len ? vec_at(&s->files, 0) : NULL;
	const char *name = f ? f->src->name : "";
	const char *slash = strrchr(name, '/');
	return slash ? arena_printf("-ffile-prefix-map=%.*s/=", (int)(slash - name), name)
		     : "-ffile-prefix-map=./=";
}

/*
 * Where clang runs: the user's script's folder. The line info's source
 * text is read again by each file's mapped name, from the current folder;
 * from there the script's bare name is found however stapc was started,
 * so the text, and the object, are the same from any folder.
 */
static const char *script_folder(struct session *s)
{
	const struct stapfile *f = s->files.len ? vec_at(&s->files, 0) : NULL;
	const char *name = f ? f->src->name : NULL;
	if (!name || name[0] == '<')
		return NULL; /* -e or stdin: no file to read */
	const char *slash = strrchr(name, '/');
	char *dir = realpath(slash ? arena_strndup(name, (size_t)(slash - name)) : ".", NULL);
	if (!dir)
		return NULL;
	const char *r = arena_strdup(dir);
	free(dir);
	return r;
}

/* p made absolute, for a command run in another folder. */
static const char *absolute(const char *p)
{
	char *a = realpath(p, NULL);
	if (!a)
		return p;
	const char *r = arena_strdup(a);
	free(a);
	return r;
}

/*
 * What a cached tool depends on besides its generated sources: the runtime
 * library and the headers the tool and its BPF side include, by content.
 * Size and time were not enough: a staged or rebuilt library can keep both
 * (SOURCE_DATE_EPOCH, padding) while its code changed, and the cache then
 * handed out tools built with the old one.
 */
uint64_t build_fingerprint(struct session *s)
{
	struct build_paths bp;
	uint64_t h = 0;
	diag_quiet(true);
	bool ok = find_runtime(s, &bp);
	diag_quiet(false);
	if (!ok)
		return 0;
	const char *files[] = { bp.lib,
				arena_printf("%s/bpf/stp_bpf.h", bp.runtime),
				arena_printf("%s/stp_record.h", bp.runtime),
				arena_printf("%s/stp_kside.h", bp.runtime),
				arena_printf("%s/stp_kside_errors.h", bp.runtime),
				arena_printf("%s/stp_attach_kinds.h", bp.runtime),
				arena_printf("%s/user/stp_gen.h", bp.runtime),
				arena_printf("%s/user/stp.h", bp.runtime),
				arena_printf("%s/user/format.h", bp.runtime),
				arena_printf("%s/kmod/stp_kmod.h", bp.runtime),
				arena_printf("%s/kmod/stp_kmod_abi.h", bp.runtime) };
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		size_t len;
		char *data = read_file(files[i], &len);
		if (!data)
			continue;
		h = hash_bytes64(data, len, h);
	}
	return h;
}

bool build_tool(struct session *s, const char *dir, const struct translation *t,
		const char *out)
{
	struct build_paths bp;
	if (!find_runtime(s, &bp))
		return false;
	const char *name = t->name, *manifest = t->manifest;
	const char *obj_c = arena_printf("%s/%s.obj.c", dir, name);
	const char *object = "";
	if (t->has_kmod && !build_kmods(s, absolute(dir), t, absolute(bp.runtime),
					absolute(datadir_of(&bp)), &object, &manifest))
		return false;
	if (t->has_bpf) {
		const char *vmlinux = vmlinux_header(s);
		if (!vmlinux)
			return false;
		const char *adir = absolute(dir), *avmlinux = absolute(vmlinux);
		const char *aruntime = absolute(bp.runtime);
		const char *src = arena_printf("%s/%s.bpf.c", adir, name);
		const char *obj = arena_printf("%s/%s.bpf.o", adir, name);
		const char *argv[] = {
			"clang", "-g", "-O2", "-target", "bpf", "-D__TARGET_ARCH_x86", "-Wall",
			"-Wno-address-of-packed-member", "-Wno-compare-distinct-pointer-types",
			arena_printf("-I%s", avmlinux), arena_printf("-I%s/bpf", aruntime),
			arena_printf("-I%s", aruntime), arena_printf("-I%s", adir),
			/* No build-host paths in the object: tapset/x.stp, runtime/... */
			arena_printf("-ffile-prefix-map=%s/=", adir),
			arena_printf("-ffile-prefix-map=%s/=", avmlinux),
			arena_printf("-ffile-prefix-map=%s/=", datadir_of(&bp)),
			arena_printf("-ffile-prefix-map=%s/=", absolute(datadir_of(&bp))),
			script_dir_map(s),
			/* libbpf's usdt.bpf.h wants <asm/errno.h>, multiarch on Debian. */
			"-idirafter", "/usr/include/x86_64-linux-gnu",
			"-fdebug-compilation-dir=.", "-gdwarf-5", "-gembed-source", "-c", src, "-o",
			obj, NULL,
		};
		if (!run_in(s, script_folder(s), argv, NULL)) {
			diag_error(NULL, "clang could not compile the BPF side (%s): this is a bug in "
					 "stapc; the generated code is in %s", src, dir);
			return false;
		}
		const char *strip[] = { "llvm-strip", "-g", obj, NULL };
		if (!run(s, strip, NULL)) {
			diag_error(NULL, "llvm-strip failed on %s", obj);
			return false;
		}
		object = object_array(obj);
		if (!object) {
			diag_error(NULL, "cannot read %s", obj);
			return false;
		}
	}
	if (!write_obj_c(obj_c, name, object, manifest)) {
		diag_error(NULL, "cannot write %s", obj_c);
		return false;
	}
	const char *tool_c = arena_printf("%s/%s.c", dir, name);
	const char *tmp_out = arena_printf("%s.tmp%d", out, (int)getpid());
	const char *argv[] = {
		"cc", "-O2", "-static", "-std=gnu11", "-w",
		arena_printf("-I%s/user", bp.runtime), arena_printf("-I%s", bp.runtime),
		arena_printf("-I%s", dir), arena_printf("-ffile-prefix-map=%s/=", dir),
		arena_printf("-ffile-prefix-map=%s/=", datadir_of(&bp)),
		/* Stripped: no symbols nor libstaprt's debug info (and its paths). */
		"-s", tool_c, obj_c, bp.lib, "-lbpf", "-ldw", "-lelf", "-lz", "-llzma", "-lbz2", "-lsodium",
		"-o", tmp_out, NULL,
	};
	if (!run(s, argv, NULL)) {
		unlink(tmp_out);
		diag_error(NULL, "the C compiler could not build the tool: this is a bug in stapc; the "
				 "generated code is in %s", dir);
		return false;
	}
	if (rename(tmp_out, out) != 0) {
		unlink(tmp_out);
		diag_error(NULL, "cannot write the tool to %s: %s", out, strerror(errno));
		return false;
	}
	return true;
}
