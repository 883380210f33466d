// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * uglob.c - a process("PATH") probe's PATH with wildcards, matched on this
 * host (see uglob.h). stap globs it when it builds; a tool built here runs
 * elsewhere, where the library may sit in another folder, have another
 * version in its name, or not exist on the build host at all: so the tool
 * globs again where it runs, with this same code.
 */
#include "uglob.h"
#include "usym.h"

#include <elf.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__x86_64__)
#define NATIVE_MACHINE EM_X86_64
#define MULTIARCH "x86_64-linux-gnu"
#elif defined(__aarch64__)
#define NATIVE_MACHINE EM_AARCH64
#define MULTIARCH "aarch64-linux-gnu"
#endif

bool uglob_is_pattern(const char *path)
{
	return strpbrk(path, "*?[") != NULL;
}

/* A 64-bit ELF file of this machine's kind: /lib32's libc is not a match. */
static bool native_elf(const char *path)
{
	Elf64_Ehdr eh;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	bool ok = read(fd, &eh, sizeof(eh)) == (ssize_t)sizeof(eh) &&
		  !memcmp(eh.e_ident, ELFMAG, SELFMAG) && eh.e_ident[EI_CLASS] == ELFCLASS64;
#ifdef NATIVE_MACHINE
	ok = ok && eh.e_machine == NATIVE_MACHINE;
#endif
	close(fd);
	return ok;
}

struct found {
	char **v;
	int n;
};

/* Adds the real paths of the native ELF files pattern matches, once each. */
static void add_matches(const char *pattern, struct found *f)
{
	glob_t g;
	if (glob(pattern, 0, NULL, &g) != 0)
		return;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		char *real = usym_find_binary(g.gl_pathv[i]);
		bool keep = real && native_elf(real);
		for (int j = 0; keep && j < f->n; j++)
			keep = strcmp(f->v[j], real) != 0;
		if (!keep) {
			free(real);
			continue;
		}
		f->v = realloc(f->v, sizeof(*f->v) * (size_t)(f->n + 1));
		f->v[f->n++] = real;
	}
	globfree(&g);
}

/*
 * The example scripts name libraries where Fedora keeps them
 * (/lib*\/libc.so.6, /lib64/libc.so.6); Debian keeps them in its multiarch
 * folders. Only a file name of its own in a top library folder (/lib,
 * /lib64, /usr/lib*, not /usr/lib/foo/) is looked for there: a name that
 * starts with * would take the whole folder.
 */
static void add_multiarch(const char *pattern, struct found *f)
{
#ifdef MULTIARCH
	const char *slash = strrchr(pattern, '/');
	if (!slash || slash[1] == '*')
		return;
	const char *lib = !strncmp(pattern, "/usr/lib", 8) ? pattern + 8
			  : !strncmp(pattern, "/lib", 4)   ? pattern + 4
							   : NULL;
	if (!lib || memchr(lib, '/', (size_t)(slash - lib)))
		return;
	static const char *const dirs[] = { "/usr/lib/" MULTIARCH, "/lib/" MULTIARCH };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		size_t len = strlen(dirs[i]) + strlen(slash) + 1;
		char *p = malloc(len);
		snprintf(p, len, "%s%s", dirs[i], slash);
		add_matches(p, f);
		free(p);
	}
#else
	(void)pattern, (void)f;
#endif
}

int uglob_binaries(const char *pattern, char ***out, bool *multiarch)
{
	struct found f = { 0 };
	add_matches(pattern, &f);
	*multiarch = false;
	if (!f.n) {
		add_multiarch(pattern, &f);
		*multiarch = f.n > 0;
	}
	*out = f.v;
	return f.n;
}

void uglob_free(char **paths, int n)
{
	for (int i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}
