// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * usym.c - functions, PLT stubs and USDT marks of a user-space binary,
 * read with libelf (see usym.h).
 */
#include "usym.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NT_STAPSDT 3

static void say(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static void push(struct usym_list *l, const char *name, const char *provider, uint64_t addr,
		 uint64_t offset, int rank, uint64_t size)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = realloc(l->v, sizeof(*l->v) * (size_t)l->cap);
	}
	/* The rank rides in the provider slot until the aliases are merged. */
	l->v[l->n++] = (struct usym){
		.name = strdup(name),
		.provider = provider ? strdup(provider) : (char *)(intptr_t)rank,
		.addr = addr,
		.offset = offset,
		.size = size,
	};
}

static Elf_Scn *find_section(Elf *elf, const char *want, GElf_Shdr *sh)
{
	size_t shstrndx;
	if (elf_getshdrstrndx(elf, &shstrndx))
		return NULL;
	for (Elf_Scn *s = NULL; (s = elf_nextscn(elf, s));) {
		if (!gelf_getshdr(s, sh))
			continue;
		const char *n = elf_strptr(elf, shstrndx, sh->sh_name);
		if (n && !strcmp(n, want))
			return s;
	}
	return NULL;
}

static Elf_Scn *find_symtab(Elf *elf, Elf64_Word type, GElf_Shdr *sh)
{
	for (Elf_Scn *s = NULL; (s = elf_nextscn(elf, s));)
		if (gelf_getshdr(s, sh) && sh->sh_type == type)
			return s;
	return NULL;
}

/* A symbol's file offset, through the section that holds it. */
static bool file_offset(Elf *elf, const GElf_Sym *sym, uint64_t *off)
{
	GElf_Shdr sh;
	Elf_Scn *s = elf_getscn(elf, sym->st_shndx);
	if (!s || !gelf_getshdr(s, &sh) || sh.sh_type == SHT_NOBITS)
		return false;
	*off = sym->st_value - sh.sh_addr + sh.sh_offset;
	return true;
}

static int read_functions(Elf *elf, struct usym_list *out)
{
	GElf_Shdr sh;
	Elf_Scn *scn = find_symtab(elf, SHT_SYMTAB, &sh);
	out->from_dynsym = !scn;
	if (!scn)
		scn = find_symtab(elf, SHT_DYNSYM, &sh);
	if (!scn)
		return 0;
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t n = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
	for (size_t i = 0; data && i < n; i++) {
		GElf_Sym sym;
		if (!gelf_getsym(data, (int)i, &sym))
			continue;
		if (GELF_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_shndx == SHN_UNDEF ||
		    sym.st_shndx >= SHN_LORESERVE || !sym.st_value)
			continue;
		const char *name = elf_strptr(elf, sh.sh_link, sym.st_name);
		uint64_t off;
		if (!name || !*name || !file_offset(elf, &sym, &off))
			continue;
		/* Of aliases, a global name is the one to show. */
		int bind = GELF_ST_BIND(sym.st_info);
		int rank = bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 1 : 2;
		push(out, name, NULL, sym.st_value, off, rank, sym.st_size);
	}
	return 0;
}

/*
 * PLT stubs, one per R_X86_64_JUMP_SLOT relocation, in relocation order:
 * in .plt.sec when the binary has one (IBT), else after .plt's header.
 */
static int read_plt(Elf *elf, struct usym_list *out)
{
	GElf_Shdr rsh, psh, dsh;
	Elf_Scn *rela = find_section(elf, ".rela.plt", &rsh);
	Elf_Scn *plt = find_section(elf, ".plt.sec", &psh);
	uint64_t first = 0;
	if (!plt) {
		plt = find_section(elf, ".plt", &psh);
		first = 16;
	}
	if (!rela || !plt)
		return 0;
	Elf_Scn *dyn = elf_getscn(elf, rsh.sh_link);
	if (!dyn || !gelf_getshdr(dyn, &dsh))
		return 0;
	Elf_Data *rdata = elf_getdata(rela, NULL);
	Elf_Data *sdata = elf_getdata(dyn, NULL);
	size_t n = rsh.sh_entsize ? rsh.sh_size / rsh.sh_entsize : 0;
	for (size_t i = 0; rdata && sdata && i < n; i++) {
		GElf_Rela r;
		GElf_Sym sym;
		if (!gelf_getrela(rdata, (int)i, &r) || GELF_R_TYPE(r.r_info) != 7 /* JUMP_SLOT */)
			continue;
		if (!gelf_getsym(sdata, (int)GELF_R_SYM(r.r_info), &sym))
			continue;
		const char *name = elf_strptr(elf, dsh.sh_link, sym.st_name);
		if (!name || !*name)
			continue;
		uint64_t addr = psh.sh_addr + first + 16 * i;
		push(out, name, NULL, addr, addr - psh.sh_addr + psh.sh_offset, 0, 16);
	}
	return 0;
}

/* USDT marks: NT_STAPSDT notes, "stapsdt" owner, pc/base/semaphore, provider, name, args. */
static int read_marks(Elf *elf, struct usym_list *out)
{
	GElf_Shdr sh;
	Elf_Scn *scn = find_section(elf, ".note.stapsdt", &sh);
	if (!scn)
		return 0;
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t off = 0, name_off, desc_off;
	GElf_Nhdr nh;
	while (data && (off = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
		if (nh.n_type != NT_STAPSDT || nh.n_descsz < 3 * 8 + 2)
			continue;
		const char *desc = (const char *)data->d_buf + desc_off;
		const char *end = desc + nh.n_descsz;
		uint64_t pc;
		memcpy(&pc, desc, 8);
		const char *provider = desc + 24;
		const char *name = provider + strnlen(provider, (size_t)(end - provider)) + 1;
		if (name >= end)
			continue;
		push(out, name, provider, pc, 0, 0, 0);
	}
	return 0;
}

static int by_addr(const void *a, const void *b)
{
	const struct usym *x = a, *y = b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int by_addr_rank(const void *a, const void *b)
{
	const struct usym *x = a, *y = b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	intptr_t rx = (intptr_t)x->provider, ry = (intptr_t)y->provider;
	if (rx != ry)
		return rx < ry ? -1 : 1;
	return strcmp(x->name, y->name);
}

/*
 * By address, the names of one address best first (global, weak, local):
 * a pattern may match any of them ("malloc" and "__libc_malloc"), a lookup
 * shows the first.
 */
static void sort_aliases(struct usym_list *l)
{
	if (l->n > 1)
		qsort(l->v, (size_t)l->n, sizeof(*l->v), by_addr_rank);
	for (int i = 0; i < l->n; i++)
		l->v[i].provider = NULL;
}

static bool has_section(Elf *elf, const char *name)
{
	GElf_Shdr sh;
	return find_section(elf, name, &sh) != NULL;
}

int usym_read(const char *path, enum usym_kind kind, struct usym_list *out, char *err,
	      size_t errlen)
{
	memset(out, 0, sizeof(*out));
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		say(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	elf_version(EV_CURRENT);
	Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		say(err, errlen, "%s is not an ELF file", path);
		if (elf)
			elf_end(elf);
		close(fd);
		return -1;
	}
	out->has_debuginfo = has_section(elf, ".debug_info");
	size_t nph = 0;
	if (elf_getphdrnum(elf, &nph) == 0 && nph) {
		out->segs = calloc(nph, sizeof(*out->segs));
		for (size_t i = 0; i < nph; i++) {
			GElf_Phdr ph;
			if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD)
				out->segs[out->nsegs++] = (struct usym_seg){ ph.p_vaddr, ph.p_offset,
									     ph.p_filesz };
		}
	}
	GElf_Ehdr eh;
	if (gelf_getehdr(elf, &eh))
		out->entry = eh.e_entry;
	if (kind == USYM_FUNCTIONS) {
		read_functions(elf, out);
		sort_aliases(out);
	} else if (kind == USYM_PLT) {
		read_plt(elf, out);
		for (int i = 0; i < out->n; i++)
			out->v[i].provider = NULL;
		if (out->n > 1)
			qsort(out->v, (size_t)out->n, sizeof(*out->v), by_addr);
	} else {
		read_marks(elf, out);
	}
	elf_end(elf);
	close(fd);
	return 0;
}

void usym_free(struct usym_list *l)
{
	for (int i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].provider);
	}
	free(l->v);
	free(l->segs);
	memset(l, 0, sizeof(*l));
}

int usym_offset(const char *path, uint64_t addr, uint64_t *offset)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	elf_version(EV_CURRENT);
	Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
	size_t n = 0;
	int rc = -1;
	if (elf && elf_getphdrnum(elf, &n) == 0) {
		for (size_t i = 0; i < n && rc; i++) {
			GElf_Phdr ph;
			if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD &&
			    addr >= ph.p_vaddr && addr < ph.p_vaddr + ph.p_filesz) {
				*offset = addr - ph.p_vaddr + ph.p_offset;
				rc = 0;
			}
		}
	}
	if (elf)
		elf_end(elf);
	close(fd);
	return rc;
}

const struct usym *usym_lookup(const struct usym_list *l, uint64_t addr)
{
	int lo = 0, hi = l->n - 1, best = -1;
	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		if (l->v[mid].addr <= addr) {
			best = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	if (best < 0)
		return NULL;
	while (best > 0 && l->v[best - 1].addr == l->v[best].addr)
		best--; /* the best-ranked name of the address */
	const struct usym *s = &l->v[best];
	int next = best + 1;
	while (next < l->n && l->v[next].addr == s->addr)
		next++;
	uint64_t end = s->size ? s->addr + s->size : next < l->n ? l->v[next].addr : addr + 1;
	return addr < end ? s : NULL;
}

uint64_t usym_offset_to_addr(const struct usym_list *l, uint64_t offset)
{
	for (int i = 0; i < l->nsegs; i++)
		if (offset >= l->segs[i].offset && offset < l->segs[i].offset + l->segs[i].filesz)
			return offset - l->segs[i].offset + l->segs[i].vaddr;
	return 0;
}

int usym_count_addresses(const struct usym_list *l)
{
	int n = 0;
	for (int i = 0; i < l->n; i++)
		n += !i || l->v[i].addr != l->v[i - 1].addr;
	return n;
}

bool usym_match(const char *pattern, const char *name)
{
	return fnmatch(pattern, name, 0) == 0;
}

bool usym_mark_match(const char *pattern, const char *name)
{
	if (usym_match(pattern, name))
		return true;
	/* "function-entry" names the mark function__entry. */
	char alt[256];
	size_t j = 0;
	for (const char *p = pattern; *p && j + 2 < sizeof(alt); p++) {
		if (*p == '-') {
			alt[j++] = '_';
			alt[j++] = '_';
		} else {
			alt[j++] = *p;
		}
	}
	alt[j] = 0;
	return usym_match(alt, name);
}

static bool executable_file(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

char *usym_find_binary(const char *path)
{
	char buf[PATH_MAX];
	if (!strchr(path, '/')) {
		const char *env = getenv("PATH");
		bool found = false;
		for (const char *p = env ? env : "/usr/bin:/bin"; p && *p && !found;) {
			const char *colon = strchr(p, ':');
			size_t n = colon ? (size_t)(colon - p) : strlen(p);
			snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, p, path);
			found = n && executable_file(buf) && access(buf, X_OK) == 0;
			p = colon ? colon + 1 : NULL;
		}
		if (!found)
			return NULL;
		path = buf;
	}
	if (!executable_file(path))
		return NULL;
	return realpath(path, NULL);
}
