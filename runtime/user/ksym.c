// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * ksym.c - names for kernel addresses: symname(), symdata(), modname(),
 * backtrace(), sprint_backtrace(), print_backtrace().
 *
 * BPF sends the addresses (STP_P_KSYM, STP_P_KSTACK pieces of
 * stp_record.h); the tool names them from /proc/kallsyms of the kernel it
 * runs on, read once when first needed. A symbol's size is the distance to
 * the next one. What cannot be named is printed in hex, as stap does.
 */
#include "stp_gen.h"
#include "stp_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ksym {
	uint64_t addr;
	char *name;
	char *mod; /* NULL: the kernel itself */
};

static struct ksym *syms;
static size_t nsyms;
static bool loaded;

static int cmp_addr(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* The text symbols of /proc/kallsyms: "ADDR t NAME [MODULE]". */
static void load(void)
{
	loaded = true;
	FILE *f = fopen("/proc/kallsyms", "re");
	if (!f)
		return;
	char line[512];
	size_t cap = 0;
	while (fgets(line, sizeof(line), f)) {
		char *save = NULL;
		char *addr = strtok_r(line, " \t\n", &save);
		char *type = strtok_r(NULL, " \t\n", &save);
		char *name = strtok_r(NULL, " \t\n", &save);
		char *mod = strtok_r(NULL, " \t\n", &save);
		if (!addr || !type || !name || !strchr("tTwW", type[0]))
			continue;
		uint64_t a = strtoull(addr, NULL, 16);
		if (!a)
			continue; /* kptr_restrict hides them all: nothing to name */
		if (nsyms == cap) {
			cap = cap ? 2 * cap : 65536;
			struct ksym *v = realloc(syms, cap * sizeof(*v));
			if (!v)
				break;
			syms = v;
		}
		if (mod && mod[0] == '[') {
			mod++;
			mod[strcspn(mod, "]")] = 0;
		} else {
			mod = NULL;
		}
		syms[nsyms++] = (struct ksym){ a, strdup(name), mod ? strdup(mod) : NULL };
	}
	fclose(f);
	qsort(syms, nsyms, sizeof(*syms), cmp_addr);
}

/* The symbol holding addr, and its size (to the next symbol, 0 at the last). */
static const struct ksym *lookup(uint64_t addr, uint64_t *size)
{
	if (!loaded)
		load();
	size_t lo = 0, hi = nsyms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	const struct ksym *s = &syms[lo - 1];
	*size = lo < nsyms ? syms[lo].addr - s->addr : 0;
	/* Past the last symbol of a module, or the kernel's: not its. */
	if (lo < nsyms && !*size)
		return NULL;
	return s;
}

/*
 * Whether addr is in the machinery that ran the probe (the BPF program,
 * its trampoline, the tracepoint or kprobe dispatch): the frames a stack
 * taken in BPF starts with, which stap's does not show.
 */
static bool in_probe_machinery(uint64_t addr)
{
	static const char *const prefixes[] = {
		"bpf_prog_", "bpf_trampoline_", "__bpf_prog_enter", "__bpf_prog_exit", "bpf_trace_run",
		"__bpf_trace_", "trace_call_bpf", "perf_trace_", "perf_syscall_", "kprobe_perf_func",
		"kretprobe_perf_func", "kprobe_dispatcher", "kretprobe_dispatcher", "kprobe_ftrace_handler",
		"kprobe_multi_link_", "fprobe_", "__kretprobe_trampoline", "kretprobe_trampoline",
		"trampoline_handler", "arch_rethook_", "rethook_", "ftrace_trampoline", "bpf_get_stack",
		"bpf_get_stackid", NULL,
	};
	uint64_t size;
	const struct ksym *s = lookup(addr, &size);
	if (!s)
		return false;
	if (s->mod && !strcmp(s->mod, "bpf"))
		return true;
	for (int i = 0; prefixes[i]; i++)
		if (!strncmp(s->name, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

/* One name of addr (what: STP_KSYM_*) into buf. */
static void name_of(char *buf, size_t len, int what, uint64_t addr)
{
	uint64_t size = 0;
	const struct ksym *s = lookup(addr, &size);
	if (what == STP_KSYM_MOD) {
		snprintf(buf, len, "%s", !s ? "<unknown>" : s->mod ? s->mod : "kernel");
	} else if (!s) {
		snprintf(buf, len, "0x%llx", (unsigned long long)addr);
	} else if (what == STP_KSYM_NAME) {
		snprintf(buf, len, "%s", s->name);
	} else {
		snprintf(buf, len, "%s+0x%llx/0x%llx [%s]", s->name, (unsigned long long)(addr - s->addr),
			 (unsigned long long)size, s->mod ? s->mod : "kernel");
	}
}

bool stp_ksym_frame(char *buf, size_t n, uint64_t addr)
{
	if (in_probe_machinery(addr))
		return false;
	uint64_t size = 0;
	const struct ksym *s = lookup(addr, &size);
	snprintf(buf, n, "%s", s ? s->name : "[unknown]");
	return true;
}

void stp_ksym(char *dst, s64 what, s64 addr)
{
	name_of(dst, stp_maxstr, (int)what, (uint64_t)addr);
}

/*
 * print_backtrace()'s lines go straight to the output, as its print would
 * write them, so that a deep stack is not cut at MAXSTRINGLEN: stap prints
 * it whole.
 */
void stp_read_ksymbol_piece(struct stp_rt *rt, int tag, const char **p, const char *end, char *dst)
{
	char buf[320];
	int kind = *p < end ? (uint8_t) * *p : 0;
	*p += 1;
	if (tag == STP_P_KSYM) {
		uint64_t addr = (uint64_t)stp_read_long(p, end);
		name_of(buf, sizeof(buf), kind, addr);
		stp_append(dst, buf);
		return;
	}
	int n = *p < end ? (uint8_t) * *p : 0;
	*p += 1;
	bool leading = true;
	for (int i = 0; i < n && i < STP_USTACK_MAX; i++) {
		uint64_t addr = (uint64_t)stp_read_long(p, end);
		if (leading && in_probe_machinery(addr))
			continue;
		leading = false;
		char data[300];
		if (kind == STP_KSTACK_HEX) {
			snprintf(buf, sizeof(buf), "0x%llx ", (unsigned long long)addr);
		} else {
			name_of(data, sizeof(data), STP_KSYM_DATA, addr);
			if (kind == STP_KSTACK_DATA)
				snprintf(buf, sizeof(buf), "%s\n", data);
			else if (data[0] == '0' && data[1] == 'x')
				snprintf(buf, sizeof(buf), " 0x%llx\n", (unsigned long long)addr);
			else
				snprintf(buf, sizeof(buf), " 0x%llx : %s\n", (unsigned long long)addr, data);
		}
		if (kind == STP_KSTACK_PRINT)
			stp_out_write(rt, buf, strlen(buf));
		else
			stp_append(dst, buf);
	}
}

void stp_ksym_free(void)
{
	for (size_t i = 0; i < nsyms; i++) {
		free(syms[i].name);
		free(syms[i].mod);
	}
	free(syms);
	syms = NULL;
	nsyms = 0;
	loaded = false;
}
