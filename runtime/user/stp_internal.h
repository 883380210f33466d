/* SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause */
/* stp_internal.h - what the runtime's files share and tools do not see. */
#ifndef STP_INTERNAL_H
#define STP_INTERNAL_H

#include "bpflog.h" /* libbpf's words, kept to explain a failure */
#include "stp.h"

#include <stdarg.h>
#include <sys/types.h>

struct bpf_link;
struct ring_buffer;

struct stp_timer_state {
	int64_t next_ns;
};

/* What the lifecycle keeps beside the handlers' view (struct stp_rt). */
struct stp_session {
	struct bpf_object *obj;
	bool *viable; /* per stp_kprobe_desc: this kernel can have it (load.c) */
	struct bpf_link **links;
	int nlinks;
	const char **attached_pp; /* for -v */
	struct ring_buffer *rb;
	struct stp_timer_state *timers;
	const char *command; /* -c */
	pid_t child;
	int child_gate[2]; /* the child waits on it until probes are attached */
	bool child_exited;
	long timeout_s;	   /* -T */
	const char *output_path;
	const char *flamegraph_path; /* --flamegraph */
	char **global_sets; /* -G NAME=VALUE */
	int nglobal_sets;
	bool ended;
	/* A module tool's module (kmod.c): its /proc file, shared area and name. */
	int kmod_fd;
	void *kmod_area;
	size_t kmod_area_len;
	char kmod_name[64];
	bool kmod_loaded;
};

extern int stp_verbosity;

/* loop.c: the monotonic clock the timers run on. */
int64_t stp_now_ns(void);
/* signals.c: SIGINT, SIGTERM, SIGHUP and SIGALRM stop the tool; whether one did. */
void stp_catch_stop_signals(void);
bool stp_stop_requested(void);
void stp_parse_options(struct stp_rt *rt, struct stp_session *ss, int argc, char **argv);
/* outfile.c: -o FILE with -S SIZE,N (0: none); 0, or 1 once said why. */
int stp_outfile_open(struct stp_rt *rt, const char *path, long size_mb, int max_files);
/* After each flush: the next file, if switch_file() asked or -S's size is reached. */
void stp_outfile_check(struct stp_rt *rt);
int stp_preflight(struct stp_rt *rt);
/*
 * load.c: opens the BPF object, chooses the variants this kernel can have
 * (ss->viable), loads it and fills what BPF reads; 0, or 1 once said why.
 */
int stp_load(struct stp_rt *rt, struct stp_session *ss);
/* attach.c: attaches the loaded probes; 0, or 1 once said which could not. */
int stp_attach(struct stp_rt *rt, struct stp_session *ss);
/*
 * kmod.c, a module tool's instead: load the module that matches this
 * kernel and map its globals; start its probes; read its records; unload.
 */
int stp_kmod_load(struct stp_rt *rt, struct stp_session *ss);
int stp_kmod_attach(struct stp_rt *rt, struct stp_session *ss);
/* Reads what waits, after waiting up to wait_ms for it; false at the end of the run. */
void stp_kmod_read(struct stp_rt *rt, struct stp_session *ss, int wait_ms, bool drain);
void stp_kmod_counters(struct stp_session *ss, uint64_t *skipped, uint64_t *lost);
void stp_kmod_unload(struct stp_session *ss);

/*
 * attach.c's '!' alternatives, for BPF's programs and a module's probes
 * alike: the point lists where a '!' point's probe attached (list, and
 * that point's index), whether k comes after one, and k attached.
 */
struct stp_closed_lists {
	struct stp_alt_scope *at;
	int n;
};
bool stp_alt_superseded(const struct stp_closed_lists *c, const struct stp_kprobe_desc *k);
void stp_alt_close(struct stp_closed_lists *c, const struct stp_kprobe_desc *k);
int stp_kmod_fd(void); /* the module's /proc file, -1 when none is open */

/* What became of each probe (by the index of its first variant) at attach. */
enum { STP_SUB_FAILED, STP_SUB_ATTACHED, STP_SUB_SUPERSEDED };
/* kconfig.c: whether the running kernel's configuration can be read. */
bool stp_kconfig_available(void);
struct bpf_program;
/*
 * links.c: PROG_entry, the entry program of a return probe (emit/bpf.c):
 * it keeps the arguments and @entry() values for the return; NULL if none.
 */
struct bpf_program *stp_entry_program(struct bpf_object *obj, const struct stp_kprobe_desc *k);
/* wildcards.c: reports on compile-time wildcards; 1 if one matched nothing here. */
int stp_report_wildcards(const struct stp_tool *t, const unsigned char *state);
/* Why kernel function f cannot be probed here, in a few words; and freeing what that read. */
const char *stp_why_not_probed(const char *f);
void stp_why_not_free(void);
/* Destroys every link, in reverse order (links.c). */
void stp_detach_all(struct stp_session *ss);
/* At the end of a run: links, sites and object closed by a child, after this process exits. */
void stp_detach_after_exit(struct stp_rt *rt, struct stp_session *ss);
void stp_apply_global_options(struct stp_rt *rt, struct stp_session *ss);
void stp_run_begins(struct stp_rt *rt);
void stp_run_ends(struct stp_rt *rt);
void stp_run_errors(struct stp_rt *rt);
void stp_poll(struct stp_rt *rt, struct stp_session *ss, int64_t deadline);
/* procfs.c: the procfs probes' FIFOs, made (0, or -1 once said why), served, removed. */
int stp_procfs_open(struct stp_rt *rt);
void stp_procfs_serve(struct stp_rt *rt);
void stp_procfs_close(struct stp_rt *rt);
void stp_drain(struct stp_rt *rt, struct stp_session *ss);
int stp_child_prepare(struct stp_rt *rt, struct stp_session *ss);
void stp_child_start(struct stp_session *ss);
bool stp_child_done(struct stp_session *ss);
void stp_child_kill(struct stp_session *ss);
void stp_child_reap(struct stp_session *ss);

/* A link to destroy when the tool stops (links.c). */
void stp_add_link(struct stp_session *ss, struct bpf_link *link, const char *pp);
/* The words of a command that needs no shell, or NULL (child.c). */
char **stp_simple_command(const char *cmd);
void stp_free_command(char **words);

/* An STP_P_KSTACK or STP_P_KSYM piece, named from /proc/kallsyms (ksym.c). */
void stp_read_ksymbol_piece(struct stp_rt *rt, int tag, const char **p, const char *end, char *dst);
void stp_ksym_free(void);
/* Waits for the system() commands still running (system.c). */
void stp_system_wait(void);
/* An STP_P_USTACK or STP_P_USYM piece, named from the task's mappings (symbolize.c). */
void stp_read_usymbol_piece(struct stp_rt *rt, int tag, const char **p, const char *end, char *dst);
/*
 * The stp_uaddrs map (stp_bpf.h) of a tool that keeps ubacktrace() as
 * bytes, -1 if none; and one frame of such a stack named from it for a
 * folded line: the function, "[FILE]" or "[unknown]".
 */
extern int stp_uaddrs_fd;
void stp_usym_frame(char *buf, size_t n, uint64_t addr);
/* Learns the files the target (-x, -c) maps, where such stacks are kept. */
void stp_usym_watch(int pid);
/* A kernel frame's function for a folded line; false for the probe's own machinery. */
bool stp_ksym_frame(char *buf, size_t n, uint64_t addr);

/* The -c command's program, or the -x process's executable; malloc'd, or NULL (uprobes.c). */
char *stp_target_binary(struct stp_rt *rt, struct stp_session *ss);
/* pystack(): fills the BPF side's stp_py_target, if it has one (pystack.c). */
int stp_pystack_bind(struct stp_rt *rt, struct stp_session *ss);
/*
 * The frame layout of CPython major.minor, the fields of stp_py_target
 * other than the interpreter's identity and addresses; NULL if the tool
 * carries none for it (pylayout.c). *covered: the versions it carries.
 */
struct stp_py_target;
const struct stp_py_target *stp_py_layout(int major, int minor);
extern const char stp_py_covered[];

/* One line on stderr, "TOOL: message", and for -v more. */
void stp_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern const char *stp_tool_name;

#endif /* STP_INTERNAL_H */
