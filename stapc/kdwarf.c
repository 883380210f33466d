// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kdwarf.c - the kernel's DWARF, read at build time only: which source
 * lines of which functions a kernel.statement("FUNC@FILE:LINES") pattern
 * names, and where each is (a symbol and an offset into it, which a BPF
 * kprobe attaches to).
 *
 * The DWARF is a vmlinux from --debuginfo PATH (Debian's
 * linux-image-REL-dbg has one of 590 MB). Reading the line tables of the
 * files a pattern names takes seconds, so each query's answer is kept in
 * the cache, under the kernel's build id: a second build of the same
 * script reads one small file and never opens the DWARF.
 *
 * Lines as stap lists them: a function (a subprogram, or a copy inlined
 * into one) whose name and declaring file match the pattern has a probe
 * at each line of its own (from its declaration to the next function's
 * of that file) that the line table puts inside its ranges, at the
 * lowest address the table gives that line there.
 */
#include "kdwarf.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwelf.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <gelf.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct kdwarf {
	const char *path;
	const char *build_id; /* lower-case hex */
	int fd;
	Elf *elf;
	Dwarf *dw;		/* opened on the first query the cache cannot answer */
	struct ksym *syms;	/* FUNC symbols by address, read with dw */
	size_t nsyms;
};

struct ksym {
	GElf_Addr addr, size;
	const char *name;
};

/* One function's copy: a subprogram, or a function inlined into one. */
struct kfn_inst {
	const char *name, *decl_file;
	bool inlined;		 /* a copy inlined into another function */
	int decl_line, end_line; /* its lines: [decl_line, end_line) */
	Dwarf_Addr lo, hi;	 /* the span of its ranges; its ranges say exactly */
	Dwarf_Die die;
	Dwarf_Die outer;	 /* the subprogram it is in (itself, if it is one) */
};

static const char *hex_of(const unsigned char *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char *s = arena_alloc(2 * n + 1);
	for (size_t i = 0; i < n; i++) {
		s[2 * i] = digits[p[i] >> 4];
		s[2 * i + 1] = digits[p[i] & 15];
	}
	return s;
}

static struct kdwarf *opened; /* one DWARF open at a time; kdwarf_release() closes it */

void kdwarf_release(void)
{
	if (!opened)
		return;
	if (opened->dw)
		dwarf_end(opened->dw);
	elf_end(opened->elf);
	close(opened->fd);
	opened = NULL;
}

struct kdwarf *kdwarf_get(const char *path)
{
	if (opened && !strcmp(opened->path, path))
		return opened;
	kdwarf_release();
	if (elf_version(EV_CURRENT) == EV_NONE)
		return NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		diag_error(NULL, "cannot read the kernel's DWARF from %s: %s", path, strerror(errno));
		return NULL;
	}
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	const void *id = NULL;
	ssize_t n = elf ? dwelf_elf_gnu_build_id(elf, &id) : -1;
	if (n <= 0) {
		diag_error(NULL, "%s is not a kernel image with a build id (a vmlinux with DWARF, "
				 "as Debian's linux-image-REL-dbg has)", path);
		if (elf)
			elf_end(elf);
		close(fd);
		return NULL;
	}
	struct kdwarf *kd = arena_alloc(sizeof(*kd));
	kd->path = arena_strdup(path);
	kd->fd = fd;
	kd->elf = elf;
	kd->build_id = hex_of(id, (size_t)n);
	opened = kd;
	return kd;
}

const char *kdwarf_build_id(const struct kdwarf *kd)
{
	return kd->build_id;
}

/*
 * The kernel's release, from its banner ("Linux version 6.1.0-57-cloud-amd64
 * (...)") in .rodata; "" if it has none.
 */
const char *kdwarf_kernel_release(const struct kdwarf *kd)
{
	static const char banner[] = "Linux version ";
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	if (elf_getshdrstrndx(kd->elf, &shstrndx) != 0)
		return "";
	while ((scn = elf_nextscn(kd->elf, scn))) {
		GElf_Shdr sh;
		const char *name;
		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(kd->elf, shstrndx, sh.sh_name)) ||
		    strcmp(name, ".rodata"))
			continue;
		Elf_Data *d = elf_rawdata(scn, NULL);
		const char *p = d ? memmem(d->d_buf, d->d_size, banner, sizeof(banner) - 1) : NULL;
		if (!p)
			return "";
		p += sizeof(banner) - 1;
		const char *end = memchr(p, ' ', (size_t)((const char *)d->d_buf + d->d_size - p));
		return end ? arena_strndup(p, (size_t)(end - p)) : "";
	}
	return "";
}

static int by_addr(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* The kernel's function symbols, sorted, for address -> symbol+offset. */
static void read_symbols(struct kdwarf *kd)
{
	Elf_Scn *scn = NULL;
	struct vec syms = { 0 };
	while ((scn = elf_nextscn(kd->elf, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
			continue;
		Elf_Data *data = elf_getdata(scn, NULL);
		size_t n = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
		for (size_t i = 0; data && i < n; i++) {
			GElf_Sym sym;
			if (!gelf_getsym(data, (int)i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
			    !sym.st_value)
				continue;
			struct ksym *k = arena_alloc(sizeof(*k));
			*k = (struct ksym){ sym.st_value, sym.st_size,
					    elf_strptr(kd->elf, sh.sh_link, sym.st_name) };
			if (k->name)
				vec_push(&syms, k);
		}
	}
	kd->syms = arena_alloc(sizeof(*kd->syms) * (size_t)(syms.len + 1));
	for (int i = 0; i < syms.len; i++)
		kd->syms[i] = *(struct ksym *)vec_at(&syms, i);
	kd->nsyms = (size_t)syms.len;
	qsort(kd->syms, kd->nsyms, sizeof(*kd->syms), by_addr);
}

/* The function symbol holding addr, or NULL. */
static const struct ksym *symbol_at(const struct kdwarf *kd, Dwarf_Addr addr)
{
	size_t lo = 0, hi = kd->nsyms;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (kd->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	const struct ksym *k = &kd->syms[lo - 1];
	return addr < k->addr + (k->size ? k->size : 1) ? k : NULL;
}

static bool open_dwarf(struct kdwarf *kd)
{
	if (kd->dw)
		return true;
	kd->dw = dwarf_begin_elf(kd->elf, DWARF_C_READ, NULL);
	if (!kd->dw) {
		diag_error(NULL, "%s has no DWARF (%s): name the -dbg package's vmlinux", kd->path,
			   dwarf_errmsg(-1));
		return false;
	}
	read_symbols(kd);
	return true;
}

/* A path inside the kernel's source tree: comp_dir/ stripped. */
static const char *tree_path(const char *path, const char *comp_dir)
{
	size_t n = comp_dir ? strlen(comp_dir) : 0;
	if (n && !strncmp(path, comp_dir, n) && path[n] == '/')
		return path + n + 1;
	return path;
}

/* stap's file match: the whole path inside the tree, or its last components. */
bool kdwarf_file_match(const char *pat, const char *path)
{
	if (!fnmatch(pat, path, 0))
		return true;
	for (const char *s = strchr(path, '/'); s; s = strchr(s + 1, '/'))
		if (!fnmatch(pat, s + 1, 0))
			return true;
	return false;
}

static bool inst_span(Dwarf_Die *die, Dwarf_Addr *lo, Dwarf_Addr *hi)
{
	Dwarf_Addr base, start, end;
	ptrdiff_t off = 0;
	*lo = (Dwarf_Addr)-1;
	*hi = 0;
	while ((off = dwarf_ranges(die, off, &base, &start, &end)) > 0) {
		if (start < *lo)
			*lo = start;
		if (end > *hi)
			*hi = end;
	}
	return *lo < *hi;
}

static bool inst_holds(Dwarf_Die *die, Dwarf_Addr addr)
{
	Dwarf_Addr base, start, end;
	ptrdiff_t off = 0;
	while ((off = dwarf_ranges(die, off, &base, &start, &end)) > 0)
		if (addr >= start && addr < end)
			return true;
	return false;
}

/* Every function copy under die (a CU, a subprogram, a block), depth first. */
static void collect_insts(Dwarf_Die *die, const Dwarf_Die *outer, const char *comp_dir,
			  struct vec *out)
{
	Dwarf_Die child;
	if (dwarf_child(die, &child) != 0)
		return;
	do {
		int tag = dwarf_tag(&child);
		bool fn = tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine;
		if (!fn && tag != DW_TAG_lexical_block)
			continue;
		Dwarf_Addr lo, hi;
		if (!inst_span(&child, &lo, &hi))
			continue;
		if (fn) {
			struct kfn_inst *fi = arena_alloc(sizeof(*fi));
			const char *name = dwarf_diename(&child);
			const char *file = dwarf_decl_file(&child);
			fi->name = name ? arena_strdup(name) : "";
			fi->decl_file = file ? arena_strdup(tree_path(file, comp_dir)) : "";
			fi->inlined = tag == DW_TAG_inlined_subroutine;
			if (dwarf_decl_line(&child, &fi->decl_line) != 0)
				fi->decl_line = 0;
			fi->lo = lo;
			fi->hi = hi;
			fi->die = child;
			fi->outer = tag == DW_TAG_subprogram || !outer ? child : *outer;
			vec_push(out, fi);
		}
		collect_insts(&child, tag == DW_TAG_subprogram ? &child : outer, comp_dir, out);
	} while (dwarf_siblingof(&child, &child) == 0);
}

/*
 * Where each function's lines end: where the next function of its file
 * begins. A line of the file inlined into it from elsewhere (a helper
 * above it) is that helper's, not its own.
 */
static void set_end_lines(struct vec *insts)
{
	for (int i = 0; i < insts->len; i++) {
		struct kfn_inst *fi = vec_at(insts, i);
		fi->end_line = INT_MAX;
		for (int j = 0; j < insts->len; j++) {
			const struct kfn_inst *o = vec_at(insts, j);
			if (o->decl_line > fi->decl_line && o->decl_line < fi->end_line &&
			    !strcmp(o->decl_file, fi->decl_file))
				fi->end_line = o->decl_line;
		}
	}
}

/* Adds (or lowers the address of) the statement of fi at line. */
static void add_stmt(struct vec *out, int first, struct kfn_inst *fi,
		     int line, Dwarf_Addr addr)
{
	for (int i = first; i < out->len; i++) {
		struct kstmt *st = vec_at(out, i);
		if (st->inst == fi && st->line == line) {
			if (addr < st->addr)
				st->addr = addr;
			return;
		}
	}
	struct kstmt *st = arena_alloc(sizeof(*st));
	st->func = fi->name;
	st->file = fi->decl_file;
	st->line = line;
	st->addr = addr;
	st->inst = fi;
	vec_push(out, st);
}

static bool line_wanted(const struct kdwarf_query *q, int line)
{
	return line >= q->line_lo && line <= q->line_hi;
}

/*
 * Lines that share a function's address are one place: the first line
 * there is its statement (stap's choice), the others are dropped.
 */
static void one_line_per_address(struct vec *v, int first)
{
	int n = first;
	for (int i = first; i < v->len; i++) {
		struct kstmt *st = vec_at(v, i);
		bool dup = false;
		for (int j = first; j < v->len && !dup; j++) {
			const struct kstmt *o = vec_at(v, j);
			dup = o != st && o->inst == st->inst && o->addr == st->addr &&
			      o->line < st->line;
		}
		if (!dup)
			v->data[n++] = st;
	}
	v->len = n;
}

/*
 * q->functions: the functions (not inlined copies) of the CU that q names,
 * each at its entry and declaration line; with lines, those whose own
 * lines ([decl_line, end_line)) hold one of them.
 */
static void functions_of(struct vec *insts, const struct kdwarf_query *q, struct vec *out)
{
	for (int k = 0; k < insts->len; k++) {
		struct kfn_inst *fi = vec_at(insts, k);
		if (fi->inlined || fnmatch(q->func, fi->name, 0) ||
		    !kdwarf_file_match(q->file, fi->decl_file) || fi->decl_line > q->line_hi ||
		    fi->end_line <= q->line_lo)
			continue;
		struct kstmt *st = arena_alloc(sizeof(*st));
		*st = (struct kstmt){ .func = fi->name, .file = fi->decl_file,
				      .line = fi->decl_line, .addr = fi->lo, .inst = fi };
		vec_push(out, st);
	}
}

/* The statements of one CU that q names. */
static void query_cu(Dwarf_Die *cu, const struct kdwarf_query *q,
		     struct vec *out)
{
	Dwarf_Attribute at;
	const char *comp_dir = dwarf_formstring(dwarf_attr(cu, DW_AT_comp_dir, &at));
	const char *name = dwarf_diename(cu);
	if (!name || !kdwarf_file_match(q->file, tree_path(name, comp_dir)))
		return;
	Dwarf_Lines *lines;
	size_t nlines;
	if (dwarf_getsrclines(cu, &lines, &nlines) != 0)
		return;
	struct vec insts = { 0 };
	collect_insts(cu, NULL, comp_dir, &insts);
	set_end_lines(&insts);
	if (q->functions) {
		functions_of(&insts, q, out);
		return;
	}
	int first = out->len;
	for (size_t i = 0; i < nlines; i++) {
		Dwarf_Line *l = dwarf_onesrcline(lines, i);
		bool end;
		int lineno;
		Dwarf_Addr addr;
		if (dwarf_lineendsequence(l, &end) || end || dwarf_lineno(l, &lineno) ||
		    !line_wanted(q, lineno) || dwarf_lineaddr(l, &addr))
			continue;
		const char *src = dwarf_linesrc(l, NULL, NULL);
		src = src ? tree_path(src, comp_dir) : NULL;
		if (!src || !kdwarf_file_match(q->file, src))
			continue;
		for (int k = 0; k < insts.len; k++) {
			struct kfn_inst *fi = vec_at(&insts, k);
			if (addr < fi->lo || addr >= fi->hi || lineno <= fi->decl_line ||
			    lineno >= fi->end_line || strcmp(fi->decl_file, src) ||
			    (q->rel_line && lineno != fi->decl_line + q->rel_line) ||
			    fnmatch(q->func, fi->name, 0) || !inst_holds(&fi->die, addr))
				continue;
			add_stmt(out, first, fi, lineno, addr);
		}
	}
	one_line_per_address(out, first);
}

/* Each statement's kprobe place: the function symbol that holds it, and how far in. */
static void place_stmts(struct kdwarf *kd, const struct kdwarf_query *q, struct vec *out)
{
	Dwarf_CFI *cfi = q->functions ? NULL : dwarf_getcfi(kd->dw);
	for (int i = 0; i < out->len; i++) {
		struct kstmt *st = vec_at(out, i);
		const struct ksym *k = symbol_at(kd, st->addr);
		st->sym = k ? k->name : NULL;
		st->offset = k ? st->addr - k->addr : 0;
		struct kfn_inst *fi = (struct kfn_inst *)st->inst;
		if (!q->functions)
			kdwarf_vars_at(&fi->die, &fi->outer, cfi, st->addr, &st->vars);
	}
}

static int by_place(const void *a, const void *b)
{
	const struct kstmt *x = *(const struct kstmt *const *)a;
	const struct kstmt *y = *(const struct kstmt *const *)b;
	int c = strcmp(x->file, y->file);
	if (c)
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* ------------------------------------------------------------ the cache */

static const char *cache_file(const struct kdwarf *kd, const struct kdwarf_query *q)
{
	const char *dir = cache_dir();
	if (!dir)
		return NULL;
	const char *key = arena_printf("%s\n%s\n%d\n%d\n%d\n%d", q->func, q->file, q->line_lo,
				       q->line_hi, q->rel_line, q->functions);
	uint64_t h = hash_bytes64(key, strlen(key), 0);
	return arena_printf("%s/kdwarf/%s/%016llx", dir, kd->build_id, (unsigned long long)h);
}

/* One statement a line: FUNC FILE LINE ADDR SYM OFFSET, tab-separated ("-": no symbol). */
static void save(const char *path, const struct kdwarf_query *q, struct vec *out)
{
	struct strbuf sb = { 0 };
	sb_printf(&sb, "kdwarf 2\t%s\t%s\t%d\t%d\t%d\t%d\n", q->func, q->file, q->line_lo,
		  q->line_hi, q->rel_line, q->functions);
	for (int i = 0; i < out->len; i++) {
		const struct kstmt *st = vec_at(out, i);
		sb_printf(&sb, "%s\t%s\t%d\t%llx\t%s\t%llx\n", st->func, st->file, st->line,
			  (unsigned long long)st->addr, st->sym ? st->sym : "-",
			  (unsigned long long)st->offset);
		for (int j = 0; j < st->vars.len; j++) {
			const struct kvar *v = vec_at(&st->vars, j);
			sb_printf(&sb, "\tv\t%s\t%s\t%d\t%d\t%d\t%d\t%lld\n", v->name, v->c_type,
				  v->size, v->param, (int)v->kind, v->reg, (long long)v->offset);
		}
	}
	char *slash = strrchr(path, '/');
	const char *dir = arena_strndup(path, (size_t)(slash - path));
	if (mkdir_p_mode(dir, 0700) == 0)
		write_file(path, sb.buf, sb.len);
	sb_free(&sb);
}

/* "\tv\tNAME\tCTYPE\tSIZE\tPARAM\tKIND\tREG\tOFFSET": a variable of the statement above. */
static bool load_var(const char *line, struct vec *vars)
{
	char name[256], ctype[512];
	int size, param, kind, reg;
	long long off;
	if (sscanf(line, "\tv\t%255[^\t]\t%511[^\t]\t%d\t%d\t%d\t%d\t%lld", name, ctype, &size,
		   &param, &kind, &reg, &off) != 7 || kind < KVAR_NONE || kind > KVAR_CONST ||
	    reg < 0 || reg > 15)
		return false;
	struct kvar *v = arena_alloc(sizeof(*v));
	*v = (struct kvar){ .name = intern(name), .c_type = intern(ctype), .size = size,
			    .param = param, .kind = (enum kvar_kind)kind, .reg = reg, .offset = off };
	vec_push(vars, v);
	return true;
}

static bool load(const char *path, const struct kdwarf_query *q, struct vec *out)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	char head[4096], line[4096];
	const char *want = arena_printf("kdwarf 2\t%s\t%s\t%d\t%d\t%d\t%d\n", q->func, q->file,
					q->line_lo, q->line_hi, q->rel_line, q->functions);
	bool ok = fgets(head, sizeof(head), f) && !strcmp(head, want);
	struct kstmt *last = NULL;
	while (ok && fgets(line, sizeof(line), f)) {
		if (line[0] == '\t') {
			ok = last && load_var(line, &last->vars);
			continue;
		}
		char func[512], file[1024], sym[512];
		unsigned long long addr, off;
		int lineno;
		if (sscanf(line, "%511[^\t]\t%1023[^\t]\t%d\t%llx\t%511[^\t]\t%llx", func, file,
			   &lineno, &addr, sym, &off) != 6) {
			ok = false;
			break;
		}
		struct kstmt *st = arena_alloc(sizeof(*st));
		*st = (struct kstmt){ .func = intern(func), .file = intern(file), .line = lineno,
				      .addr = addr, .sym = strcmp(sym, "-") ? intern(sym) : NULL,
				      .offset = off };
		vec_push(out, st);
		last = st;
	}
	fclose(f);
	if (!ok)
		out->len = 0;
	return ok;
}

int kdwarf_statements(struct kdwarf *kd, const struct kdwarf_query *q, struct vec *out,
		      const char **source)
{
	const char *cached = cache_file(kd, q);
	int first = out->len;
	*source = cached;
	if (cached && load(cached, q, out))
		return out->len - first;
	*source = kd->path;
	if (!open_dwarf(kd))
		return -1;
	struct vec found = { 0 };
	Dwarf_Off off = 0, next;
	size_t hsize;
	while (dwarf_nextcu(kd->dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu;
		if (dwarf_offdie(kd->dw, off + hsize, &cu))
			query_cu(&cu, q, &found);
		off = next;
	}
	place_stmts(kd, q, &found);
	if (found.len)
		qsort(found.data, (size_t)found.len, sizeof(void *), by_place);
	if (cached)
		save(cached, q, &found);
	for (int i = 0; i < found.len; i++)
		vec_push(out, vec_at(&found, i));
	return found.len;
}
