/* SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause */
/*
 * stp.h - the runtime that every generated tool links (libstaprt.a): the
 * interface between a tool's generated NAME.c and the library.
 *
 * The generated code describes the tool (struct stp_tool: its BPF object,
 * probes, handlers, globals) and calls stp_main(). The runtime does the
 * rest of a tool's life: options, preflight checks, loading, choosing and
 * attaching probe variants, begin probes, the event loop (ring buffer and
 * timers), and on exit(), a signal or -T: end probes, then detaching.
 */
#ifndef STP_H
#define STP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../stp_attach_kinds.h" /* enum stp_attach */

struct stp_rt;
struct bpf_object;
struct stp_site_expander;
extern const struct stp_site_expander stp_uprobe_ops;

/* ------------------------------------------------------------ description */

/* What a uprobe's func names. */
enum stp_ukind {
	STP_U_NONE,	/* not a uprobe */
	STP_U_FUNCTION, /* functions of the binary's symbol table */
	STP_U_PLT,	/* its PLT stubs */
	STP_U_MARK,	/* USDT marks */
	STP_U_STATEMENT, /* func@file:line, from DWARF's line table */
};

/*
 * A point list a probe was derived through (the user's probe, an alias's
 * body): which point of it, and whether that point ends with '!'.
 */
#define STP_MAX_ALT_SCOPES 8
struct stp_alt_scope {
	int list, index;
	bool sufficient;
};

/*
 * One BPF program: a probe, or one variant of a probe. A probe that came
 * from a '!' point and attaches leaves the later points of that point's
 * list unattached: `vfs.read = kernel !, syscall` uses the syscall
 * tracepoints only where vfs_read cannot be probed. `optional` ones may
 * fail to attach.
 */
struct stp_kprobe_desc {
	const char *prog;      /* the program's name in the BPF object */
	const char *pp;	       /* the probe point, for -v and errors */
	enum stp_attach attach;
	const char *target;
	uint32_t perf_type;
	uint64_t perf_config, perf_period;
	bool perf_freq;
	struct stp_alt_scope scopes[STP_MAX_ALT_SCOPES]; /* outermost first */
	int nscopes;
	bool sufficient, optional;
	/*
	 * The variants of one probe (fentry, kprobe, a tracepoint ...) share a
	 * subgroup: the first that attaches is that probe's.
	 */
	int subgroup;
	const char *func; /* uprobes: the function pattern, or the mark */
	enum stp_ukind ukind;
	const char *usuffix; /* uprobes: ".call", ".return" or "", for pp() */
	uint64_t uparams_used; /* bit N: the handler reads $NAME number N (stp_tool.uparams) */
	/*
	 * A match of a wildcard the compiler expanded: the point as written.
	 * The tool needs one match of it to attach (unless origin_optional)
	 * and with -v says how many did, and why the others did not.
	 */
	const char *origin;
	bool origin_optional;
	/*
	 * STP_ATTACH_K*_MULTI/EACH: the module pattern, what pp() of a match
	 * is ("%F" the function, "%M" its module), and the functions the
	 * pattern matched on the build host, to say why one is not here.
	 */
	const char *kmod;
	const char *site_pp;
	const char *const *host_matches;
	int nhost_matches;
};

/* A handler that runs in the tool: begin, end, error, never. */
struct stp_uprobe_desc {
	const char *pp;
	int64_t order; /* begin(N): lower first */
	void (*fn)(struct stp_rt *rt);
};

struct stp_timer_desc {
	const char *pp;
	int64_t interval_ns, randomize_ns;
	void (*fn)(struct stp_rt *rt);
};

/* A procfs probe's file (runtime/user/procfs.c). */
struct stp_procfs_desc {
	const char *pp;
	const char *path;     /* its name in the tool's folder */
	int64_t umask;	      /* -1: stap's default */
	int64_t maxsize;      /* read: the most $value holds; 0: MAXSTRINGLEN */
	bool write;	      /* a write probe; else a read probe */
	void (*fn)(struct stp_rt *rt);
};

/* A global the command line may set with -G NAME=VALUE. */
struct stp_global_desc {
	const char *name;
	bool is_string;
	void *addr; /* U-side storage, or NULL when it lives in BPF memory */
	size_t kernel_offset; /* offset in the BPF globals area when addr is NULL */
};

/* A kernel module built for one kernel (--backend=module), embedded in the tool. */
struct stp_kmod_blob {
	const char *release;  /* the kernel it was built for, as uname -r says */
	const char *vermagic; /* its .modinfo vermagic */
	const char *name;     /* its name, ending in the tag each run replaces (unique) */
	const char *sha256;
	const unsigned char *data;
	size_t len;
};
extern const struct stp_kmod_blob stp_kmods[];
extern const int stp_nkmods;

struct stp_tool {
	const char *name;	 /* the tool's name, e.g. "killwatch" */
	const char *stapc_version;
	const char *description; /* from the script's leading comment */
	const char *script;	 /* the script, for --script */
	const char *manifest;	 /* JSON, for --manifest */
	const unsigned char *bpf_object;
	size_t bpf_object_len;
	size_t kglobals_size;	 /* the BPF globals area (.data), 0 if none */
	const struct stp_kprobe_desc *kprobes;
	int nkprobes;
	const struct stp_uprobe_desc *begins, *ends, *errors;
	int nbegins, nends, nerrors;
	const struct stp_timer_desc *timers;
	int ntimers;
	const struct stp_procfs_desc *procfs;
	int nprocfs;
	const struct stp_global_desc *globals;
	int nglobals;
	int nargs_max; /* highest $N / @N the script uses */
	/* After load: the generated code finds its maps. */
	int (*bind)(struct stp_rt *rt, struct bpf_object *obj);
	/* A record from BPF. */
	void (*on_event)(struct stp_rt *rt, const void *data, size_t len);
	/* After the end probes: the globals the script set but never read. */
	void (*autoprint)(struct stp_rt *rt);
	/* Tools with uprobes: runtime/user/uprobes.c's site expander, and the $NAMEs BPF reads. */
	const struct stp_site_expander *uprobes;
	const char *const *uparams;
	int nuparams;
	bool uses_uparms; /* $$parms or $$return: DWARF is read, or its absence told */
	/* Module tools: the kernel side, one module per kernel (runtime/user/kmod.c). */
	const struct stp_kmod_blob *kmods;
	int nkmods;
	/*
	 * Built from a kernel's DWARF (kernel.statement): that kernel's build
	 * id, lower-case hex, and its release; NULL: any kernel will do.
	 */
	const char *kernel_build_id, *kernel_release;
	/* -D limits the script was built with */
	int64_t maxstringlen, maxmapentries, maxerrors, maxaction, maxnesting;
};

int stp_main(const struct stp_tool *tool, int argc, char **argv);

/* The tool's own signature (verify.c): --verify PUB, and --trust's check. */
int stp_verify_cmd(const struct stp_tool *t, const char *pub);
int stp_trust_check(const struct stp_tool *t);

/* ------------------------------------------------------------ run time */

/* The state of a running tool, as handlers see it. */
struct stp_rt {
	const struct stp_tool *tool;
	struct bpf_object *obj;
	void *kglobals; /* the BPF globals area, mapped */
	FILE *out;	/* stdout, or -o FILE */
	int verbose;
	int target_pid; /* -x PID, or the -c command's pid */
	int argc;	/* script arguments */
	char **argv;
	int64_t errors; /* reported so far */
	bool exiting;	/* exit() was called */
	int exit_status;
	/*
	 * A handler's error, for try/catch in the generated code: the message
	 * (what a catch takes), and where, " near ... at FILE:LINE:COL", which
	 * only the report prints, as stap's last_error and last_stmt.
	 */
	char error_msg[256];
	const char *error_where;
	bool in_error;
	bool aborted;	/* errors beyond MAXERRORS: error probes, not end ones */
	int64_t actions; /* what the handler may still do, for MAXACTION */
	/*
	 * The handler unwinds past every catch, as stap's: MAXACTION, or a
	 * stop signal (no message then).
	 */
	bool unwinding;
	int nesting;	/* function calls in progress, for MAXNESTING */
};

/* Output, buffered; flushed after each handler and event batch. */
void stp_out_write(struct stp_rt *rt, const char *s, size_t n);
void stp_out_str(struct stp_rt *rt, const char *s);
void stp_out_flush(struct stp_rt *rt);

/* Control from handlers. */
void stp_exit(struct stp_rt *rt);
void stp_warn(struct stp_rt *rt, const char *msg);
/* Records an error; the handler's generated code then unwinds, to a catch
 * or out of the handler, where stp_report_error() prints and counts it. */
void stp_error(struct stp_rt *rt, const char *msg);
void stp_error_at(struct stp_rt *rt, const char *msg, const char *where);
void stp_report_error(struct stp_rt *rt);
/* Reports an error that happened in BPF (the record names it). */
void stp_kernel_error(struct stp_rt *rt, const char *msg);

/* Script arguments: $N as a number, @N as a string. */
const char *stp_arg_str(struct stp_rt *rt, int n);

#endif /* STP_H */
