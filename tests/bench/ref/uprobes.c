// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * ref (g): uprobes BINARY FUNCLIST [-T SECS] [-B] - attaches one counting
 * program to every function named in FUNCLIST (one per line). The symbol
 * table is read once with libelf and each uprobe attached by file offset
 * (libbpf 1.1 would reopen the ELF file for every name otherwise).
 */
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <linux/types.h>
#include "ref.h"
#include "uprobes.skel.h"

struct sym {
	char *name;
	unsigned long off;
};

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct sym *)a)->name, ((const struct sym *)b)->name);
}

/* The defined functions of path's .dynsym and .symtab, as file offsets. */
static struct sym *read_syms(const char *path, size_t *n)
{
	struct sym *syms = NULL;
	size_t cap = 0;
	int fd = open(path, O_RDONLY);
	Elf *elf;
	Elf_Scn *scn = NULL;
	size_t phnum;

	*n = 0;
	if (fd < 0 || elf_version(EV_CURRENT) == EV_NONE)
		return NULL;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_getphdrnum(elf, &phnum))
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;
		if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_DYNSYM && sh.sh_type != SHT_SYMTAB))
			continue;
		data = elf_getdata(scn, NULL);
		for (size_t i = 0; data && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym s;
			if (!gelf_getsym(data, i, &s) || GELF_ST_TYPE(s.st_info) != STT_FUNC ||
			    s.st_shndx == SHN_UNDEF || !s.st_value)
				continue;
			/* virtual address -> file offset through the PT_LOAD holding it */
			for (size_t p = 0; p < phnum; p++) {
				GElf_Phdr ph;
				if (!gelf_getphdr(elf, p, &ph) || ph.p_type != PT_LOAD ||
				    s.st_value < ph.p_vaddr || s.st_value >= ph.p_vaddr + ph.p_memsz)
					continue;
				if (*n == cap) {
					cap = cap ? 2 * cap : 1024;
					syms = realloc(syms, cap * sizeof(*syms));
				}
				syms[*n].name = strdup(elf_strptr(elf, sh.sh_link, s.st_name));
				syms[*n].off = s.st_value - ph.p_vaddr + ph.p_offset;
				(*n)++;
				break;
			}
		}
	}
	elf_end(elf);
	close(fd);
	qsort(syms, *n, sizeof(*syms), by_name);
	return syms;
}

int main(int argc, char **argv)
{
	struct ref_opts o;
	struct uprobes_bpf *skel;
	struct bpf_link **links = NULL;
	size_t nsyms, nlinks = 0, cap = 0;
	char line[512];

	ref_init(argc, argv, &o);
	if (argc - optind != 2) {
		fprintf(stderr, "usage: %s [-T SECS] [-B] BINARY FUNCLIST\n", argv[0]);
		return 2;
	}
	const char *binary = argv[optind];
	FILE *list = fopen(argv[optind + 1], "r");
	struct sym *syms = read_syms(binary, &nsyms);
	if (!list || !syms) {
		fprintf(stderr, "cannot read %s or its symbols\n", !list ? argv[optind + 1] : binary);
		return 1;
	}
	skel = uprobes_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "failed to open and load BPF object\n");
		return 1;
	}
	while (fgets(line, sizeof(line), list)) {
		line[strcspn(line, "\n")] = 0;
		struct sym key = { .name = line }, *s;
		if (!*line)
			continue;
		s = bsearch(&key, syms, nsyms, sizeof(*syms), by_name);
		if (!s) {
			fprintf(stderr, "no function %s in %s\n", line, binary);
			continue;
		}
		struct bpf_link *l = bpf_program__attach_uprobe(skel->progs.hit, false, -1, binary,
								s->off);
		if (!l) {
			fprintf(stderr, "cannot attach to %s: %s\n", line, strerror(errno));
			continue;
		}
		if (nlinks == cap) {
			cap = cap ? 2 * cap : 256;
			links = realloc(links, cap * sizeof(*links));
		}
		links[nlinks++] = l;
	}
	fclose(list);
	ref_ready();
	ref_wait(&o, NULL, NULL, 0);
	for (size_t i = 0; i < nlinks; i++)
		bpf_link__destroy(links[i]);
	printf("probes=%zu calls=%llu\n", nlinks, (unsigned long long)skel->bss->calls);
	uprobes_bpf__destroy(skel);
	return 0;
}
