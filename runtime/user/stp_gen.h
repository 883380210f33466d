/* SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause */
/*
 * stp_gen.h - what generated NAME.c calls: string builtins, printing,
 * arrays (in the tool or in BPF maps, one interface), statistics, and the
 * records BPF sends. A string is a NUL-terminated buffer of the tool's
 * MAXSTRINGLEN bytes (stp_maxstr); every operation cuts to fit, as stap.
 */
#ifndef STP_GEN_H
#define STP_GEN_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

typedef int64_t s64;
typedef uint64_t u64;
typedef uint32_t u32;
typedef uint16_t u16;
typedef uint8_t u8;

#include "../stp_record.h"
#include "format.h"
#include "stp.h"

extern size_t stp_maxstr;

/* ------------------------------------------------------------ control */

/* Set by a signal that stops the tool (SIGINT, SIGTERM, SIGHUP, -T). */
extern volatile sig_atomic_t stp_interrupt;
bool stp_act_stop(struct stp_rt *rt, const char *where);
/* next in a function: the handler ends, as stap's next does. */
void stp_act_next(struct stp_rt *rt);

/*
 * Memory in the tool's own handlers (memory.c): user memory is the tool's;
 * a string that cannot be read is err_msg, or (NULL) stap's error; kernel
 * memory is never readable from here: stap's fault error for `what`.
 */
void stp_user_string(struct stp_rt *rt, char *dst, s64 addr, s64 n, const char *err_msg);
s64 stp_user_number(s64 addr, int size);
s64 stp_user_number_error(struct stp_rt *rt, s64 addr, int size);
void stp_kernel_fault(struct stp_rt *rt, const char *what, s64 addr);

/*
 * Charges n actions (statements) to the handler that runs, as stap's
 * MAXACTION counts them, at each loop iteration and function call: true
 * when the handler must unwind, for the limit (the error `where`) or for
 * a signal, which a looping handler must not keep waiting.
 */
static inline bool stp_act(struct stp_rt *rt, s64 n, const char *where /* " near ..." */)
{
	rt->actions -= n;
	return (rt->actions <= 0 || stp_interrupt) && stp_act_stop(rt, where);
}

/* ------------------------------------------------------------ strings */

void stp_strcpy(char *dst, const char *src);
void stp_strncpy(char *dst, const char *src, size_t n);
/* kconfig.c: whether the running kernel's CONFIG_X is `want` ("y", "m", "n"). */
int64_t stp_kconfig_is(const char *name, const char *want);
void stp_strcat(char *dst, const char *src);
/* procfs probes' $value: what a read handler answers, what a writer wrote (procfs.c). */
const char *stp_procfs_value(struct stp_rt *rt);
void stp_procfs_set(struct stp_rt *rt, const char *s, int append);
s64 stp_strcmp(const char *a, const char *b);
/* s =~ re, by re's DFA table (stapc/regex.c), of mask + 1 states. */
int stp_re_match(const unsigned char *t, unsigned mask, const char *s);
s64 stp_strlen(const char *s);
/* system(cmd): /bin/sh -c cmd in the background (system.c). */
void stp_system(struct stp_rt *rt, const char *cmd);
/* Appends s to the string dst, cut at MAXSTRINGLEN as stap cuts. */
void stp_append(char *dst, const char *s);
void stp_substr(char *dst, const char *s, s64 start, s64 len);
s64 stp_stringat(struct stp_rt *rt, const char *s, s64 pos);
s64 stp_isinstr(const char *s1, const char *s2);
s64 stp_strpos(const char *s1, const char *s2);
s64 stp_strtol(const char *s, s64 base);
s64 stp_isdigit(const char *s);
/* randint(n): a number in [0, n); 0 when n < 1 (random.c). */
s64 stp_randint(s64 n);
void stp_str_replace(char *dst, const char *s, const char *from, const char *to);
void stp_text_str(char *dst, const char *s);
void stp_text_strn(char *dst, const char *s, s64 len, s64 quoted);
void stp_string_quoted(char *dst, const char *s);
void stp_tokenize(char *dst, const char *input, const char *delim);
/* symname(), symdata(), modname() (what: STP_KSYM_*) of a kernel address, from /proc/kallsyms. */
void stp_ksym(char *dst, s64 what, s64 addr);
/* Stacks kept as keys (backtrace(), ubacktrace()) as one folded line, root first (folded.c). */
void stp_stack_folded(char *dst, const char *kstack, const char *ustack);
/* A number as stap prints it in a concatenation: decimal. */
void stp_long_str(char *dst, s64 v);
/* Script argument @n, or "" (the count is checked at start-up). */
void stp_arg(struct stp_rt *rt, char *dst, int n);
s64 stp_arg_long(struct stp_rt *rt, int n);

/* ------------------------------------------------------------ context in the tool */

void stp_execname(char *dst);
s64 stp_getpid(void);
s64 stp_gettid(void);
s64 stp_getppid(void);
s64 stp_time_ns(void); /* gettimeofday_ns() */
s64 stp_monotonic_ns(void);
s64 stp_boottime_ns(void);
/* PATH's device (as the kernel numbers it) and inode; an error said if none. */
int stp_exe_identity(const char *path, u64 *dev, u64 *ino);
s64 stp_cpu(void);
/* The local time zone: seconds west of UTC, and its abbreviation. */
s64 stp_tz_gmtoff(void);
void stp_tz_name(char *dst);
void stp_cmdline_str(char *dst);
void stp_pid2execname(char *dst, s64 pid); /* "" if there is no such process */
/* switch_file(): with -o FILE, the output goes on in the next file (outfile.c). */
void stp_switch_file(struct stp_rt *rt);

/* ------------------------------------------------------------ output */

/* The formats and literals of a tool, parsed once at start-up. */
void stp_set_tables(const char *const *formats, int nformats, const char *const *literals,
		    int nliterals);
void stp_printf(struct stp_rt *rt, int format, const struct stp_arg *args, int nargs);
void stp_sprintf(struct stp_rt *rt, char *dst, int format, const struct stp_arg *args, int nargs);
void stp_print(struct stp_rt *rt, const char *delim, bool newline, const struct stp_arg *args,
	       int nargs);
void stp_sprint(struct stp_rt *rt, char *dst, const char *delim, bool newline,
		const struct stp_arg *args, int nargs);
void stp_log(struct stp_rt *rt, const char *msg);
/* The tool's tables: a literal, a parsed format. */
const char *stp_literal(int id);
const struct stp_format *stp_format_at(int id);

/*
 * Reads a string sent by BPF (pieces up to STP_P_END) at *p, assembles it
 * into dst as stap would have built it, and moves *p past it.
 */
void stp_read_string(struct stp_rt *rt, const char **p, const char *end, char *dst);
s64 stp_read_long(const char **p, const char *end);

/* ------------------------------------------------------------ arrays */

/* Where each key column is in a key struct, for sorting. */
struct stp_layout {
	int nkeys;
	struct {
		unsigned offset;
		bool is_string;
	} key[9];
	enum { STP_VAL_LONG, STP_VAL_STRING, STP_VAL_STATS } value;
	size_t key_size, value_size;
	int buckets; /* statistics: histogram buckets after struct stp_stat */
};

struct stp_map;
/* sized: max_entries is the array's declared size, which a full array's error names. */
struct stp_map *stp_map__new(const struct stp_layout *l, s64 max_entries, bool wrap, bool sized);
/* From now on the map is BPF's: `fd`, per-CPU for statistics. */
void stp_map__bind(struct stp_map *m, int fd);
/* A module tool's: the module's array number index (emit/kmod.c's stp_maps order). */
int stp_map__bind_kmod(struct stp_map *m, struct stp_rt *rt, int index);
/* The value for key, or NULL; statistics come merged across CPUs. */
const void *stp_map__get(struct stp_map *m, const void *key);
/* Sets key's value; false (with an error) when the array is full. */
bool stp_map__set(struct stp_rt *rt, struct stp_map *m, const void *key, const void *value);
/* The value for key in the tool's own map, created zeroed, for in-place updates. */
void *stp_map__ref(struct stp_rt *rt, struct stp_map *m, const void *key);
void stp_map__del(struct stp_map *m, const void *key);
void stp_map__clear(struct stp_map *m);
s64 stp_map__count(struct stp_map *m);

/* A foreach: the entries, copied and sorted, then walked. */
struct stp_iter {
	char *data; /* n records of key then value */
	size_t rec;
	int n, i;
	const struct stp_layout *layout;
};
/*
 * column: -1 unsorted, 0 the value (agg: an @op for statistics), 1..n a key;
 * dir +1 or -1; limit < 0 for none. fixed: a slice's keys, NULL entries
 * being '*'.
 */
enum stp_agg { STP_AGG_NONE, STP_AGG_COUNT, STP_AGG_SUM, STP_AGG_MIN, STP_AGG_MAX, STP_AGG_AVG };
void stp_iter__init(struct stp_iter *it, struct stp_map *m, int column, int dir, enum stp_agg agg,
		    s64 limit, const void *slice_key, const bool *slice_fixed);
bool stp_iter__next(struct stp_iter *it, const void **key, const void **value);
void stp_iter__free(struct stp_iter *it);

/* ------------------------------------------------------------ statistics */

void stp_stat_add_u(struct stp_stat *s, s64 *hist, int buckets, int kind, s64 lo, s64 hi, s64 step,
		    s64 v);
/* @count ... @variance of merged statistics; errors as stap reports them. */
s64 stp_stat_extract(struct stp_rt *rt, const struct stp_stat *s, enum stp_agg op);
s64 stp_stat_variance(struct stp_rt *rt, const struct stp_stat *s, s64 bucket_bits);
void stp_hist_print_log(struct stp_rt *rt, const struct stp_stat *s, const s64 *h);
void stp_hist_print_linear(struct stp_rt *rt, const struct stp_stat *s, const s64 *h, s64 lo,
			   s64 hi, s64 step);
s64 stp_hist_bucket_log(const s64 *h, s64 i);
/* BPF's per-CPU statistics values, merged into one (maps.c reads them). */
void stp_stats_merge_cpus(const struct stp_layout *l, void *out, const char *percpu, int ncpus);
s64 stp_stats_agg(const void *value, enum stp_agg agg);
void stp_hist_str(struct stp_rt *rt, char *dst, const struct stp_stat *s, const s64 *h, int kind,
		  s64 lo, s64 hi, s64 step);

#endif /* STP_GEN_H */
