// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * symbolize.c - names for user-space addresses BPF sent: usymname(),
 * usymdata(), umodname(), ubacktrace() and friends (the STP_P_USTACK and
 * STP_P_USYM pieces of stp_record.h).
 *
 * BPF locates each address while the task runs: the mapped file's identity
 * (device, inode) and the offset in it. The tool names the file from the
 * mappings of the tasks it can see (/proc/PID/maps, read again when an
 * identity is new), then the function from the file's symbols (usym.c),
 * so a task that is gone by then is still named. What cannot be named is
 * printed in hex, as stap prints an address it cannot name.
 */
#include "stp_gen.h"
#include "stp_internal.h"
#include "usym.h"

#include <bpf/bpf.h>

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

/* A located address, as stp_bpf.h's struct stp_uloc writes it. */
struct stp_uloc_rec {
	uint64_t addr, dev, ino, off;
};

static struct stp_uloc_rec read_uloc(const char **p, const char *end)
{
	struct stp_uloc_rec l = { 0 };
	l.addr = (uint64_t)stp_read_long(p, end);
	l.dev = (uint64_t)stp_read_long(p, end);
	l.ino = (uint64_t)stp_read_long(p, end);
	l.off = (uint64_t)stp_read_long(p, end);
	return l;
}

/* A file some task maps: its identity as the kernel numbers it, its path. */
struct known_file {
	uint64_t dev, ino;
	char *path;
	uint64_t size;
	struct usym_list syms;
	bool syms_read, syms_ok;
};

static struct known_file *known;
static int nknown;

static struct known_file *by_identity(uint64_t dev, uint64_t ino)
{
	for (int i = 0; i < nknown; i++)
		if (known[i].dev == dev && known[i].ino == ino)
			return &known[i];
	return NULL;
}

static void learn(const char *path)
{
	u64 dev, ino;
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return;
	dev = ((u64)major(st.st_dev) << 20) | minor(st.st_dev);
	ino = (u64)st.st_ino;
	if (by_identity(dev, ino))
		return;
	known = realloc(known, sizeof(*known) * (size_t)(nknown + 1));
	known[nknown++] = (struct known_file){ .dev = dev, .ino = ino, .path = strdup(path),
					       .size = (uint64_t)st.st_size };
}

static bool known_path(const char *path)
{
	for (int i = 0; i < nknown; i++)
		if (!strcmp(known[i].path, path))
			return true;
	return false;
}

/* The files one task maps now (pid: its name in /proc). */
static void scan_task(const char *pid, bool new_paths_only)
{
	char name[300], line[PATH_MAX + 128], last[PATH_MAX] = "";
	snprintf(name, sizeof(name), "/proc/%s/maps", pid);
	FILE *f = fopen(name, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *path = strchr(line, '/');
		if (!path)
			continue;
		path[strcspn(path, "\n")] = 0;
		if (strcmp(path, last) && !(new_paths_only && known_path(path)))
			learn(path);
		snprintf(last, sizeof(last), "%s", path);
	}
	fclose(f);
}

/* Every file mapped by any task now: where the names of identities come from. */
static void scan_maps(void)
{
	DIR *d = opendir("/proc");
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] >= '0' && e->d_name[0] <= '9')
			scan_task(e->d_name, false);
	closedir(d);
}

/* The file with this identity: known, or after one more look at the tasks. */
static struct known_file *file_of(uint64_t dev, uint64_t ino)
{
	static uint64_t last_dev, last_ino;
	if (!ino)
		return NULL;
	struct known_file *k = by_identity(dev, ino);
	if (k || (dev == last_dev && ino == last_ino))
		return k;
	last_dev = dev, last_ino = ino; /* one scan per unknown file in a row */
	scan_maps();
	return by_identity(dev, ino);
}

/* What is known of one located address. */
struct where {
	const char *module; /* the mapped file's path, or NULL */
	const struct usym *sym;
	uint64_t off;	    /* into sym, or into the module */
	uint64_t modsize;
};

static struct where locate(const struct stp_uloc_rec *l)
{
	struct where w = { 0 };
	struct known_file *k = file_of(l->dev, l->ino);
	if (!k)
		return w;
	w.module = k->path;
	w.off = l->off;
	w.modsize = k->size;
	if (!k->syms_read) {
		char err[256];
		k->syms_read = true;
		k->syms_ok = usym_read(k->path, USYM_FUNCTIONS, &k->syms, err, sizeof(err)) == 0;
	}
	if (!k->syms_ok)
		return w;
	uint64_t faddr = usym_offset_to_addr(&k->syms, l->off);
	w.sym = faddr ? usym_lookup(&k->syms, faddr) : NULL;
	if (w.sym)
		w.off = faddr - w.sym->addr;
	return w;
}

static void symdata(char *out, size_t n, const struct stp_uloc_rec *l)
{
	struct where w = locate(l);
	if (w.sym)
		snprintf(out, n, "%s+0x%llx/0x%llx [%s]", w.sym->name, (unsigned long long)w.off,
			 (unsigned long long)w.sym->size, w.module);
	else if (w.module)
		snprintf(out, n, "0x%llx [%s+0x%llx/0x%llx]", (unsigned long long)l->addr, w.module,
			 (unsigned long long)w.off, (unsigned long long)w.modsize);
	else
		snprintf(out, n, "0x%llx", (unsigned long long)l->addr);
}

static void one_symbol(char *dst, uint8_t what, const struct stp_uloc_rec *l)
{
	char buf[PATH_MAX + 160];
	struct where w = locate(l);
	switch (what) {
	case STP_USYM_NAME:
		if (w.sym) {
			stp_append(dst, w.sym->name);
			return;
		}
		break;
	case STP_USYM_DATA:
		symdata(buf, sizeof(buf), l);
		stp_append(dst, buf);
		return;
	case STP_USYM_MOD: {
		const char *base = w.module ? strrchr(w.module, '/') : NULL;
		stp_append(dst, base ? base + 1 : "<unknown>");
		return;
	}
	default: /* file:line needs DWARF the tool does not read here */
		break;
	}
	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)l->addr);
	stp_append(dst, buf);
}

static void frame(char *buf, size_t n, uint8_t kind, const struct stp_uloc_rec *l)
{
	struct where w = locate(l);
	char d[PATH_MAX + 128];
	switch (kind) {
	case STP_USTACK_HEX:
		snprintf(buf, n, "0x%llx ", (unsigned long long)l->addr);
		break;
	case STP_USTACK_DATA:
		symdata(d, sizeof(d), l);
		snprintf(buf, n, "%s\n", d);
		break;
	case STP_USTACK_PRINT:
		if (w.sym || w.module) {
			symdata(d, sizeof(d), l);
			snprintf(buf, n, " 0x%llx : %s\n", (unsigned long long)l->addr, d);
		} else {
			snprintf(buf, n, " 0x%llx\n", (unsigned long long)l->addr);
		}
		break;
	default:
		if (w.sym)
			snprintf(buf, n, " %s+0x%llx\n", w.sym->name, (unsigned long long)w.off);
		else
			snprintf(buf, n, " 0x%llx\n", (unsigned long long)l->addr);
	}
}

void stp_read_usymbol_piece(struct stp_rt *rt, int tag, const char **p, const char *end, char *dst)
{
	uint8_t what = *p < end ? (uint8_t) * *p : 0;
	*p += 1;
	if (tag == STP_P_USYM) {
		struct stp_uloc_rec l = read_uloc(p, end);
		one_symbol(dst, what, &l);
		return;
	}
	uint8_t max = *p < end ? (uint8_t) * *p : 0;
	uint8_t n = *p + 1 < end ? (uint8_t)(*p)[1] : 0;
	*p += 2;
	char buf[2 * PATH_MAX + 64];
	for (int i = 0; i < n && i < STP_USTACK_MAX; i++) {
		struct stp_uloc_rec l = read_uloc(p, end);
		/* The frame-pointer walk ends on a 0 where no frame pointer was kept. */
		if (i >= max || !l.addr)
			continue;
		frame(buf, sizeof(buf), what, &l);
		/*
		 * print_ubacktrace() prints every frame, past MAXSTRINGLEN:
		 * straight out, as the print() it is the only argument of would.
		 */
		if (what == STP_USTACK_PRINT || what == STP_USTACK_BRIEF)
			stp_out_str(rt, buf);
		else
			stp_append(dst, buf);
	}
}

int stp_uaddrs_fd = -1;

void stp_usym_frame(char *buf, size_t n, uint64_t addr)
{
	struct stp_uloc_rec l = { 0 };
	struct where w = { 0 };
	if (stp_uaddrs_fd >= 0 && bpf_map_lookup_elem(stp_uaddrs_fd, &addr, &l) == 0)
		w = locate(&l);
	const char *base = w.module ? strrchr(w.module, '/') : NULL;
	if (w.sym)
		snprintf(buf, n, "%s", w.sym->name);
	else if (base)
		snprintf(buf, n, "[%s]", base + 1);
	else
		snprintf(buf, n, "[unknown]");
}

/*
 * The target's files, learnt while it runs (the poll loop calls this on
 * each turn): a stack kept as a key is named at the end, when a -c
 * command may be gone with its mappings. Only new paths cost a stat.
 */
void stp_usym_watch(int pid)
{
	char p[24];
	if (stp_uaddrs_fd < 0 || pid <= 0)
		return;
	snprintf(p, sizeof(p), "%d", pid);
	scan_task(p, true);
}
