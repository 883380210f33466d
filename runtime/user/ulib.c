// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * ulib.c - the library a process.library("NAME") probe means, found on the
 * host the tool runs on, never fixed when the tool was built: the JVM's
 * libjvm.so lives under whichever JDK the target runs, a Python built with
 * a shared libpython keeps its marks there.
 *
 * In order: the library the -x process has mapped; one the -c program (or
 * the -x process's executable) links (DT_NEEDED, through its RUNPATH, with
 * $ORIGIN, LD_LIBRARY_PATH and the system's library folders); one in the
 * lib/ folder beside the program's bin/ folder, up to two levels down (a
 * JDK's lib/server/libjvm.so, which the java launcher loads with dlopen);
 * for libjvm, one under $JAVA_HOME, then under the JDK of the java on $PATH.
 */
#include "usym.h"
#include "ulib.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <gelf.h>
#include <glob.h>
#include <libelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool name_matches(const char *pattern, const char *path)
{
	const char *base = strrchr(path, '/');
	return fnmatch(pattern, base ? base + 1 : path, 0) == 0;
}

/* A library of that name the process has mapped. */
static char *mapped(const char *pattern, int pid)
{
	char file[64], line[PATH_MAX + 256];
	snprintf(file, sizeof(file), "/proc/%d/maps", pid);
	FILE *f = fopen(file, "re");
	char *found = NULL;
	while (f && !found && fgets(line, sizeof(line), f)) {
		char *path = strchr(line, '/');
		if (!path)
			continue;
		path[strcspn(path, "\n")] = 0;
		if (name_matches(pattern, path))
			found = usym_find_binary(path);
	}
	if (f)
		fclose(f);
	return found;
}

/* The first regular file pattern (a glob) matches. */
static char *first_glob(const char *pattern)
{
	glob_t g;
	char *found = NULL;
	if (glob(pattern, 0, NULL, &g) != 0)
		return NULL;
	for (size_t i = 0; i < g.gl_pathc && !found; i++)
		found = usym_find_binary(g.gl_pathv[i]);
	globfree(&g);
	return found;
}

/* name (no slash) in the folders of a colon-separated list, $ORIGIN being origin. */
static char *in_path_list(const char *list, const char *origin, const char *name)
{
	char *copy = strdup(list ? list : ""), *save = NULL, *found = NULL;
	for (char *dir = strtok_r(copy, ":", &save); dir && !found;
	     dir = strtok_r(NULL, ":", &save)) {
		char path[PATH_MAX];
		if (!strncmp(dir, "$ORIGIN", 7))
			snprintf(path, sizeof(path), "%s%s/%s", origin, dir + 7, name);
		else
			snprintf(path, sizeof(path), "%s/%s", dir, name);
		found = first_glob(path);
	}
	free(copy);
	return found;
}

#if defined(__x86_64__)
#define SYSTEM_LIBS "/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:/lib64:/usr/lib64:/lib:/usr/lib"
#elif defined(__aarch64__)
#define SYSTEM_LIBS "/lib/aarch64-linux-gnu:/usr/lib/aarch64-linux-gnu:/lib64:/usr/lib64:/lib:/usr/lib"
#else
#define SYSTEM_LIBS "/lib64:/usr/lib64:/lib:/usr/lib"
#endif

/* The program's dynamic section: its DT_NEEDED that match, and where it looks for them. */
static char *needed(const char *pattern, const char *program)
{
	int fd = open(program, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	elf_version(EV_CURRENT);
	Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
	char *found = NULL, origin[PATH_MAX];
	snprintf(origin, sizeof(origin), "%s", program);
	*strrchr(origin, '/') = 0;
	for (Elf_Scn *scn = NULL; elf && (scn = elf_nextscn(elf, scn)) != NULL && !found;) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNAMIC)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		const char *runpath = NULL;
		for (size_t i = 0; d && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Dyn dyn;
			if (gelf_getdyn(d, (int)i, &dyn) &&
			    (dyn.d_tag == DT_RUNPATH || dyn.d_tag == DT_RPATH))
				runpath = elf_strptr(elf, sh.sh_link, dyn.d_un.d_val);
		}
		for (size_t i = 0; d && i < sh.sh_size / sh.sh_entsize && !found; i++) {
			GElf_Dyn dyn;
			if (!gelf_getdyn(d, (int)i, &dyn) || dyn.d_tag != DT_NEEDED)
				continue;
			const char *lib = elf_strptr(elf, sh.sh_link, dyn.d_un.d_val);
			if (!lib || !name_matches(pattern, lib))
				continue;
			if (runpath)
				found = in_path_list(runpath, origin, lib);
			if (!found)
				found = in_path_list(getenv("LD_LIBRARY_PATH"), origin, lib);
			if (!found)
				found = in_path_list(SYSTEM_LIBS, origin, lib);
		}
	}
	if (elf)
		elf_end(elf);
	close(fd);
	return found;
}

/* In PREFIX/lib, up to two folders down: a JDK's lib/server/libjvm.so. */
static char *under_lib(const char *pattern, const char *prefix)
{
	static const char *const depth[] = { "%s/lib/%s", "%s/lib/*/%s", "%s/lib/*/*/%s",
					     "%s/jre/lib/*/*/%s" };
	char *found = NULL;
	for (size_t i = 0; i < sizeof(depth) / sizeof(depth[0]) && !found; i++) {
		char glob_pattern[2 * PATH_MAX];
		snprintf(glob_pattern, sizeof(glob_pattern), depth[i], prefix, pattern);
		found = first_glob(glob_pattern);
	}
	return found;
}

/*
 * The folder above the program's folder, when the program has a tree of its
 * own: /usr/lib/jvm/X for /usr/lib/jvm/X/bin/java. Not /usr or /usr/local:
 * /usr/lib holds every library, not only the program's (Debian's
 * python3.11 links no libpython3.11.so, though one may be installed).
 */
static char *beside_program(const char *pattern, const char *program)
{
	char prefix[PATH_MAX];
	snprintf(prefix, sizeof(prefix), "%s", program);
	for (int up = 0; up < 2; up++) {
		char *slash = strrchr(prefix, '/');
		if (!slash || slash == prefix)
			return NULL;
		*slash = 0;
	}
	if (!strcmp(prefix, "/usr") || !strcmp(prefix, "/usr/local"))
		return NULL;
	return under_lib(pattern, prefix);
}

/* libjvm: $JAVA_HOME, else the JDK of the java on $PATH. */
static char *java_home(const char *pattern)
{
	if (fnmatch(pattern, "libjvm.so", 0) != 0)
		return NULL;
	const char *home = getenv("JAVA_HOME");
	char *found = home && *home ? under_lib(pattern, home) : NULL;
	if (found)
		return found;
	char *java = usym_find_binary("java");
	if (java)
		found = beside_program(pattern, java);
	free(java);
	return found;
}

char *stp_find_library(const char *pattern, int pid, const char *program)
{
	char *found = pid > 0 ? mapped(pattern, pid) : NULL;
	if (!found && program)
		found = needed(pattern, program);
	if (!found && program)
		found = beside_program(pattern, program);
	if (!found)
		found = java_home(pattern);
	return found;
}
