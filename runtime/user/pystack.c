// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * pystack.c - pystack(): which CPython the -x/-c process runs, found where
 * the tool runs, for the BPF side's frame walk (stp_bpf.h, STP_PYSTACK).
 *
 * The interpreter is the target's executable (Debian's python3.X links
 * its libpython statically). From its ELF file, without debuginfo: the
 * exported symbol _PyRuntime (where the walk starts), Py_Version (the
 * version, 3.11 and later; before it, the file's name python3.N), and the
 * lowest executable segment's address, from which BPF finds the load bias
 * as mm->start_code less it. The version picks the layout (pylayout.c).
 * What does not fit is said once, and the stacks are then empty.
 */
#include "stp_gen.h"
#include "stp_internal.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct py_elf {
	uint64_t runtime, version_at, text_vaddr;
	bool has_runtime, has_version, has_text;
	uint32_t version; /* Py_Version: 0x030b02f0 is 3.11.2 final */
};

static void read_symbols(Elf *elf, struct py_elf *e)
{
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_DYNSYM && sh.sh_type != SHT_SYMTAB) ||
		    !(d = elf_getdata(scn, NULL)) || !sh.sh_entsize)
			continue;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *name;
			if (!gelf_getsym(d, (int)i, &sym) || sym.st_shndx == SHN_UNDEF ||
			    !(name = elf_strptr(elf, sh.sh_link, sym.st_name)))
				continue;
			if (!strcmp(name, "_PyRuntime"))
				e->runtime = sym.st_value, e->has_runtime = true;
			else if (!strcmp(name, "Py_Version"))
				e->version_at = sym.st_value, e->has_version = true;
		}
	}
}

/* The segments: where the text starts, and Py_Version's bytes in the file. */
static void read_segments(Elf *elf, int fd, struct py_elf *e)
{
	size_t nph = 0;
	if (elf_getphdrnum(elf, &nph) != 0)
		return;
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if ((ph.p_flags & PF_X) && (!e->has_text || ph.p_vaddr < e->text_vaddr))
			e->text_vaddr = ph.p_vaddr, e->has_text = true;
		if (e->has_version && e->version_at >= ph.p_vaddr &&
		    e->version_at + 4 <= ph.p_vaddr + ph.p_filesz &&
		    pread(fd, &e->version, 4, (off_t)(e->version_at - ph.p_vaddr + ph.p_offset)) != 4)
			e->has_version = false;
	}
}

static int read_elf(const char *path, struct py_elf *e)
{
	memset(e, 0, sizeof(*e));
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	elf_version(EV_CURRENT);
	Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		if (elf)
			elf_end(elf);
		close(fd);
		return -1;
	}
	read_symbols(elf, e);
	read_segments(elf, fd, e);
	elf_end(elf);
	close(fd);
	return 0;
}

/* The version from the file's name, python3.N or libpython3.N.so: before Py_Version. */
static bool version_from_name(const char *path, int *major, int *minor)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	if (!strncmp(base, "lib", 3))
		base += 3;
	return sscanf(base, "python%d.%d", major, minor) == 2;
}

/* Fills py for the interpreter at path; else says why not, and returns -1. */
static int find_interpreter(const char *path, struct stp_py_target *py, char *why, size_t n)
{
	struct py_elf e;
	int major = 0, minor = 0;
	if (read_elf(path, &e) != 0) {
		snprintf(why, n, "%s is not an ELF file the tool can read", path);
		return -1;
	}
	if (!e.has_runtime || !e.has_text) {
		snprintf(why, n, "%s has no symbol _PyRuntime: not a CPython interpreter, or one "
				 "that keeps it in a shared libpython (not covered)", path);
		return -1;
	}
	if (e.has_version)
		major = (int)(e.version >> 24), minor = (int)((e.version >> 16) & 0xff);
	else if (!version_from_name(path, &major, &minor)) {
		snprintf(why, n, "%s has no Py_Version and its name says no version", path);
		return -1;
	}
	const struct stp_py_target *layout = stp_py_layout(major, minor);
	if (!layout) {
		snprintf(why, n, "%s is CPython %d.%d: this tool knows the frames of CPython %s only",
			 path, major, minor, stp_py_covered);
		return -1;
	}
	u64 dev, ino;
	if (stp_exe_identity(path, &dev, &ino) != 0)
		return -1;
	*py = *layout;
	py->dev = dev, py->ino = ino;
	py->runtime = e.runtime;
	py->text_vaddr = e.text_vaddr;
	if (stp_verbosity)
		stp_say("pystack(): CPython %d.%d (%s) at %s, _PyRuntime at 0x%llx", major, minor,
			e.has_version ? "Py_Version" : "its name", path, (unsigned long long)e.runtime);
	return 0;
}

int stp_pystack_bind(struct stp_rt *rt, struct stp_session *ss)
{
	struct bpf_map *m = bpf_object__find_map_by_name(ss->obj, "stp_py_target");
	if (!m)
		return 0;
	struct stp_py_target py = { 0 };
	char why[PATH_MAX + 256] = "";
	char *path = stp_target_binary(rt, ss);
	if (!path)
		snprintf(why, sizeof(why), "no Python process: run the tool with -x PID or "
					   "-c 'python3 SCRIPT'");
	else if (find_interpreter(path, &py, why, sizeof(why)) != 0)
		memset(&py, 0, sizeof(py));
	free(path);
	if (why[0])
		stp_say("pystack(): %s; Python stacks are empty", why);
	uint32_t zero = 0;
	if (bpf_map_update_elem(bpf_map__fd(m), &zero, &py, BPF_ANY) != 0) {
		stp_say("pystack(): cannot fill the map stp_py_target");
		return 1;
	}
	return 0;
}
