// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * features - what the running kernel lets a BPF tracer do.
 *
 * Built static on the host (gcc -static, no libbpf: raw syscalls and
 * hand-assembled programs, so it depends on nothing but the kernel's ABI)
 * and run inside kmatrix guests. Each check prints one line
 *
 *     feature NAME yes|no DETAIL
 *
 * and "yes" means the mechanism was attached *and fired*, not just that a
 * file exists. Exit status: 0 when every check ran (whatever the answers).
 *
 *     features [-m MODULE.ko]     also try to load MODULE.ko (finit_module)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define TRACEFS "/sys/kernel/tracing"
#define TARGET "vfs_read"

static void report(const char *name, int ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void report(const char *name, int ok, const char *fmt, ...)
{
	va_list ap;

	printf("feature %s %s ", name, ok ? "yes" : "no");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* ---- small file helpers ------------------------------------------------ */

static char *slurp(const char *path, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	int fd = open(path, O_RDONLY);
	ssize_t r;

	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((r = read(fd, buf + n, cap - n - 1)) > 0) {
		n += r;
		if (n + 1 == cap)
			buf = realloc(buf, cap *= 2);
	}
	close(fd);
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

static int write_str(const char *path, const char *s, int append)
{
	int fd = open(path, O_WRONLY | (append ? O_APPEND : O_TRUNC));
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static long read_long(const char *path)
{
	char *s = slurp(path, NULL);
	long v = s ? strtol(s, NULL, 10) : -1;

	free(s);
	return v;
}

/* Calls vfs_read in the kernel: read(2) on a regular file does. */
static void trigger_vfs_read(void)
{
	char c[64];
	int fd = open("/proc/self/exe", O_RDONLY);

	for (int i = 0; i < 4 && fd >= 0; i++)
		if (pread(fd, c, sizeof(c), 0) < 0)
			break;
	if (fd >= 0)
		close(fd);
	fd = open("/proc/version", O_RDONLY);
	if (fd >= 0) {
		if (read(fd, c, sizeof(c)) < 0)
			c[0] = 0;
		close(fd);
	}
}

/* The uprobe target: a real call the compiler must keep. */
__attribute__((noinline)) int km_uprobe_target(int x)
{
	__asm__ volatile("" : "+r"(x));
	return x + 1;
}

/* ---- tracefs ----------------------------------------------------------- */

static void check_btf(void)
{
	struct stat st;

	if (stat("/sys/kernel/btf/vmlinux", &st) == 0)
		report("btf", 1, "/sys/kernel/btf/vmlinux %lld bytes", (long long)st.st_size);
	else
		report("btf", 0, "/sys/kernel/btf/vmlinux: %s", strerror(errno));
}

static void check_filter_functions(void)
{
	char *s = slurp(TRACEFS "/available_filter_functions", NULL);
	char *p;
	int found = 0;

	if (!s) {
		report("ftrace_functions", 0, "available_filter_functions: %s", strerror(errno));
		return;
	}
	/* Lines are "name" or "name [module]". */
	for (p = s; (p = strstr(p, TARGET)); p++)
		if ((p == s || p[-1] == '\n') && (p[8] == '\n' || p[8] == ' ' || !p[8])) {
			found = 1;
			break;
		}
	report("ftrace_functions", found, TARGET " %s in available_filter_functions",
	       found ? "listed" : "not listed");
	free(s);
}

/*
 * Hits of a probe: kprobe_profile lines are "name hits misses", uprobe_profile
 * lines "path name hits"; either way the count follows the name.
 */
static long profile_hits(const char *file, const char *name)
{
	char *s = slurp(file, NULL), *p, *next;
	long hits = -1;

	if (!s)
		return -1;
	for (p = strtok(s, " \t\n"); p; p = next) {
		next = strtok(NULL, " \t\n");
		if (next && !strcmp(p, name))
			hits = strtol(next, NULL, 10);
	}
	free(s);
	return hits;
}

/* Defines a probe through tracefs, enables it, fires it, removes it. */
static void check_tracefs_probe(const char *feature, const char *events, const char *group,
				const char *def, const char *name, void (*fire)(void))
{
	char path[256];
	char del[160];
	long hits;
	int err;

	snprintf(del, sizeof(del), "-:%s", name);
	err = write_str(events, def, 1);
	if (err) {
		report(feature, 0, "write '%s': %s", def, strerror(-err));
		return;
	}
	snprintf(path, sizeof(path), TRACEFS "/events/%s/%s/enable", group, name);
	err = write_str(path, "1", 0);
	if (!err) {
		fire();
		write_str(path, "0", 0);
	}
	hits = profile_hits(strstr(events, "kprobe") ? TRACEFS "/kprobe_profile"
						     : TRACEFS "/uprobe_profile", name);
	if (write_str(events, del, 1))
		report(feature, 0, "could not remove %s", name);
	else if (err)
		report(feature, 0, "enable: %s", strerror(-err));
	else
		report(feature, hits > 0, "'%s' hit %ld times, removed", def, hits);
}

/* File offset of a function of this executable (what uprobes want). */
struct off_query {
	uintptr_t addr;
	unsigned long off;
};

static int phdr_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	struct off_query *q = data;
	(void)size;

	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t start = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type == PT_LOAD && q->addr >= start && q->addr < start + ph->p_memsz) {
			q->off = q->addr - start + ph->p_offset;
			return 1;
		}
	}
	return 0;
}

static unsigned long self_offset(void *fn)
{
	struct off_query q = { (uintptr_t)fn, 0 };

	dl_iterate_phdr(phdr_cb, &q);
	return q.off;
}

static char self_path[256];

static void fire_uprobe(void)
{
	volatile int x = 0;

	for (int i = 0; i < 3; i++)
		x = km_uprobe_target(x);
}

/* ---- bpf syscall ------------------------------------------------------- */

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static int perf_open(struct perf_event_attr *attr)
{
	return syscall(__NR_perf_event_open, attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
}

static int counter_map = -1;

static int make_counter(void)
{
	union bpf_attr a = { 0 };

	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = 8;
	a.max_entries = 1;
	return sys_bpf(BPF_MAP_CREATE, &a);
}

static long counter_read_reset(void)
{
	union bpf_attr a = { 0 };
	uint32_t key = 0;
	uint64_t val = 0, zero = 0;

	a.map_fd = counter_map;
	a.key = (uintptr_t)&key;
	a.value = (uintptr_t)&val;
	if (sys_bpf(BPF_MAP_LOOKUP_ELEM, &a))
		return -1;
	a.value = (uintptr_t)&zero;
	sys_bpf(BPF_MAP_UPDATE_ELEM, &a);
	return (long)val;
}

#define INSN(c, d, s, o, i) ((struct bpf_insn){ c, d, s, o, i })

static char vlog[1 << 16];

/*
 * Loads "counter[0] += 1; return 0" as a program of the given type. The
 * same bytes suit kprobe, uprobe, tracepoint, fentry and kprobe_multi.
 */
static int load_counter_prog(enum bpf_prog_type type, enum bpf_attach_type eat, uint32_t btf_id)
{
	struct bpf_insn insns[] = {
		INSN(BPF_ST | BPF_MEM | BPF_W, BPF_REG_10, 0, -4, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_10, 0, 0),
		INSN(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, -4),
		INSN(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_1, BPF_PSEUDO_MAP_FD, 0, counter_map),
		INSN(0, 0, 0, 0, 0),
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem),
		INSN(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, 2, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_1, 0, 0, 1),
		INSN(BPF_STX | BPF_ATOMIC | BPF_DW, BPF_REG_0, BPF_REG_1, 0, BPF_ADD),
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0),
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	union bpf_attr a = { 0 };

	a.prog_type = type;
	a.expected_attach_type = eat;
	a.attach_btf_id = btf_id;
	a.insns = (uintptr_t)insns;
	a.insn_cnt = sizeof(insns) / sizeof(insns[0]);
	a.license = (uintptr_t)"GPL";
	a.log_buf = (uintptr_t)vlog;
	a.log_size = sizeof(vlog);
	a.log_level = 1;
	vlog[0] = 0;
	return sys_bpf(BPF_PROG_LOAD, &a);
}

/* Last line of the verifier log, for a one-line reason. */
static const char *vlog_tail(void)
{
	size_t n = strlen(vlog);

	while (n && vlog[n - 1] == '\n')
		vlog[--n] = 0;
	while (n && vlog[n - 1] != '\n')
		n--;
	return vlog + n;
}

static int pmu_type(const char *pmu)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/bus/event_source/devices/%s/type", pmu);
	return (int)read_long(path);
}

/* Attaches prog to a perf event, runs fire(), reports the counter. */
static void attach_perf_and_fire(const char *feature, struct perf_event_attr *pa, int prog,
				 void (*fire)(void), const char *what)
{
	int pfd = perf_open(pa);
	long n;

	if (pfd < 0) {
		report(feature, 0, "perf_event_open(%s): %s", what, strerror(errno));
		close(prog);
		return;
	}
	if (ioctl(pfd, PERF_EVENT_IOC_SET_BPF, prog) || ioctl(pfd, PERF_EVENT_IOC_ENABLE, 0)) {
		report(feature, 0, "attach to %s: %s", what, strerror(errno));
	} else {
		counter_read_reset();
		fire();
		n = counter_read_reset();
		report(feature, n > 0, "bpf program on %s ran %ld times", what, n);
	}
	close(pfd);
	close(prog);
}

static void check_bpf_kprobe(void)
{
	struct perf_event_attr pa = { 0 };
	int type = pmu_type("kprobe"), prog;

	if (type < 0) {
		report("bpf_kprobe", 0, "no kprobe PMU in sysfs");
		return;
	}
	prog = load_counter_prog(BPF_PROG_TYPE_KPROBE, 0, 0);
	if (prog < 0) {
		report("bpf_kprobe", 0, "load: %s: %s", strerror(errno), vlog_tail());
		return;
	}
	pa.size = sizeof(pa);
	pa.type = type;
	pa.kprobe_func = (uintptr_t)TARGET;
	attach_perf_and_fire("bpf_kprobe", &pa, prog, trigger_vfs_read, "kprobe:" TARGET);
}

static void check_bpf_uprobe(void)
{
	struct perf_event_attr pa = { 0 };
	int type = pmu_type("uprobe"), prog;

	if (type < 0) {
		report("bpf_uprobe", 0, "no uprobe PMU in sysfs");
		return;
	}
	prog = load_counter_prog(BPF_PROG_TYPE_KPROBE, 0, 0);
	if (prog < 0) {
		report("bpf_uprobe", 0, "load: %s: %s", strerror(errno), vlog_tail());
		return;
	}
	pa.size = sizeof(pa);
	pa.type = type;
	pa.uprobe_path = (uintptr_t)self_path;
	pa.probe_offset = self_offset((void *)km_uprobe_target);
	attach_perf_and_fire("bpf_uprobe", &pa, prog, fire_uprobe, "uprobe:km_uprobe_target");
}

static void fire_getpid(void)
{
	for (int i = 0; i < 3; i++)
		syscall(__NR_getpid);
}

static void check_bpf_tracepoint(void)
{
	struct perf_event_attr pa = { 0 };
	long id = read_long(TRACEFS "/events/syscalls/sys_enter_getpid/id");
	int prog;

	if (id < 0) {
		report("bpf_tracepoint", 0, "no syscalls/sys_enter_getpid in tracefs");
		return;
	}
	prog = load_counter_prog(BPF_PROG_TYPE_TRACEPOINT, 0, 0);
	if (prog < 0) {
		report("bpf_tracepoint", 0, "load: %s: %s", strerror(errno), vlog_tail());
		return;
	}
	pa.size = sizeof(pa);
	pa.type = PERF_TYPE_TRACEPOINT;
	pa.config = id;
	pa.sample_period = 1;
	attach_perf_and_fire("bpf_tracepoint", &pa, prog, fire_getpid,
			     "tracepoint:syscalls/sys_enter_getpid");
}

/* BTF type id of the FUNC named name in vmlinux BTF, or -1. */
static long btf_func_id(const char *name)
{
	struct btf_header {
		uint16_t magic;
		uint8_t version, flags;
		uint32_t hdr_len, type_off, type_len, str_off, str_len;
	} *h;
	size_t len;
	char *btf = slurp("/sys/kernel/btf/vmlinux", &len);
	long id = 1, found = -1;

	if (!btf || len < sizeof(*h))
		goto out;
	h = (void *)btf;
	if (h->magic != 0xeB9F)
		goto out;
	const char *strs = btf + h->hdr_len + h->str_off;
	char *p = btf + h->hdr_len + h->type_off, *end = p + h->type_len;

	/* struct btf_type is 12 bytes; the kind says what follows it. */
	while (p + 12 <= end) {
		uint32_t name_off = ((uint32_t *)p)[0], info = ((uint32_t *)p)[1];
		unsigned kind = (info >> 24) & 0x1f, vlen = info & 0xffff;
		size_t extra = 0;

		switch (kind) {
		case 1: /* INT */
		case 14: /* VAR */
		case 17: /* DECL_TAG */
			extra = 4;
			break;
		case 3: /* ARRAY */
			extra = 12;
			break;
		case 4: /* STRUCT */
		case 5: /* UNION */
		case 15: /* DATASEC */
		case 19: /* ENUM64 */
			extra = 12 * vlen;
			break;
		case 6: /* ENUM */
		case 13: /* FUNC_PROTO */
			extra = 8 * vlen;
			break;
		}
		if (kind == 12 && !strcmp(strs + name_off, name)) {
			found = id;
			break;
		}
		p += 12 + extra;
		id++;
	}
out:
	free(btf);
	return found;
}

static void check_bpf_fentry(void)
{
	long id = btf_func_id(TARGET);
	union bpf_attr a = { 0 };
	int prog, link;
	long n;

	if (id < 0) {
		report("bpf_fentry", 0, "no BTF FUNC " TARGET);
		return;
	}
	prog = load_counter_prog(BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, id);
	if (prog < 0) {
		report("bpf_fentry", 0, "load: %s: %s", strerror(errno), vlog_tail());
		return;
	}
	a.raw_tracepoint.prog_fd = prog;
	link = sys_bpf(BPF_RAW_TRACEPOINT_OPEN, &a);
	if (link < 0) {
		report("bpf_fentry", 0, "attach fentry/" TARGET ": %s", strerror(errno));
		close(prog);
		return;
	}
	counter_read_reset();
	trigger_vfs_read();
	n = counter_read_reset();
	report("bpf_fentry", n > 0, "fentry/" TARGET " (btf id %ld) ran %ld times", id, n);
	close(link);
	close(prog);
}

static void check_bpf_kprobe_multi(void)
{
	const char *syms[] = { TARGET };
	union bpf_attr a = { 0 };
	int prog, link;
	long n;

	prog = load_counter_prog(BPF_PROG_TYPE_KPROBE, BPF_TRACE_KPROBE_MULTI, 0);
	if (prog < 0) {
		report("bpf_kprobe_multi", 0, "load: %s", strerror(errno));
		return;
	}
	a.link_create.prog_fd = prog;
	a.link_create.attach_type = BPF_TRACE_KPROBE_MULTI;
	a.link_create.kprobe_multi.syms = (uintptr_t)syms;
	a.link_create.kprobe_multi.cnt = 1;
	link = sys_bpf(BPF_LINK_CREATE, &a);
	if (link < 0) {
		report("bpf_kprobe_multi", 0, "link_create: %s", strerror(errno));
		close(prog);
		return;
	}
	counter_read_reset();
	trigger_vfs_read();
	n = counter_read_reset();
	report("bpf_kprobe_multi", n > 0, "kprobe.multi/" TARGET " ran %ld times", n);
	close(link);
	close(prog);
}

static void check_ringbuf(void)
{
	union bpf_attr a = { 0 };
	int fd;

	a.map_type = BPF_MAP_TYPE_RINGBUF;
	a.max_entries = 4096 * 4;
	fd = sys_bpf(BPF_MAP_CREATE, &a);
	report("bpf_ringbuf", fd >= 0, "%s", fd >= 0 ? "ring buffer map created" : strerror(errno));
	if (fd >= 0)
		close(fd);
}

static void check_module(const char *path)
{
	int fd;

	if (access("/proc/modules", F_OK)) {
		report("modules", 0, "no /proc/modules (CONFIG_MODULES off)");
		return;
	}
	if (!path) {
		report("modules", 1, "/proc/modules exists (no module given to load)");
		return;
	}
	fd = open(path, O_RDONLY);
	if (fd < 0 || syscall(__NR_finit_module, fd, "", 0)) {
		report("modules", 0, "finit_module %s: %s", path, strerror(errno));
	} else {
		report("modules", 1, "loaded %s", path);
	}
	if (fd >= 0)
		close(fd);
}

static void kprobe_events_check(void)
{
	check_tracefs_probe("kprobe_events", TRACEFS "/kprobe_events", "kprobes",
			    "p:kmatrix_kp " TARGET, "kmatrix_kp", trigger_vfs_read);
}

static void uprobe_events_check(void)
{
	char def[512];

	snprintf(def, sizeof(def), "p:kmatrix_up %s:0x%lx", self_path,
		 self_offset((void *)km_uprobe_target));
	check_tracefs_probe("uprobe_events", TRACEFS "/uprobe_events", "uprobes", def,
			    "kmatrix_up", fire_uprobe);
}

int main(int argc, char **argv)
{
	const char *module = NULL;
	ssize_t n;

	if (argc == 3 && !strcmp(argv[1], "-m"))
		module = argv[2];
	n = readlink("/proc/self/exe", self_path, sizeof(self_path) - 1);
	if (n > 0)
		self_path[n] = 0;

	check_btf();
	check_filter_functions();
	kprobe_events_check();
	uprobe_events_check();
	counter_map = make_counter();
	if (counter_map < 0) {
		report("bpf", 0, "BPF_MAP_CREATE: %s", strerror(errno));
	} else {
		check_bpf_tracepoint();
		check_bpf_kprobe();
		check_bpf_kprobe_multi();
		check_bpf_fentry();
		check_bpf_uprobe();
		check_ringbuf();
	}
	check_module(module);
	return 0;
}
