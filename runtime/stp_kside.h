/* SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause */
/*
 * stp_kside.h - what both kernel sides of a tool share, the BPF programs
 * (bpf/stp_bpf.h) and a generated module (kmod/stp_kmod.h): the per-CPU
 * frame a handler works in, the writes of an array's element, the read of
 * a statistic in a kernel probe and the walk of a regex's table. One
 * source, so that a script means the same in both.
 *
 * The includer has defined before it: s64/u64/u32/u16/u8,
 * STP_MAXSTRINGLEN, STP_LAZY_MAX, STP_SCRATCH_SIZE, struct pt_regs,
 * stp_count(which), and BPF's map helpers (bpf_map_lookup_elem,
 * bpf_map_update_elem, bpf_map_delete_elem, bpf_map_lookup_percpu_elem,
 * bpf_loop) with BPF's meaning: the module makes them of kernel memory.
 */
#ifndef STP_KSIDE_H
#define STP_KSIDE_H

#include "stp_record.h"

/* ------------------------------------------------------------ the frame */

/*
 * One frame per CPU and nesting level: level 0 for probes in process or
 * softirq context, level 1 for perf events (NMI), which may interrupt them.
 * `busy` catches the rest: a probe that would reuse a busy frame is
 * skipped and counted, as stap skips a probe whose context is in use.
 */
struct stp_frame {
	u32 busy;
	/*
	 * The current handler's error: 0 if none, N for the tool's literal
	 * N - 1 (its full report), STP_ERR_PIECES for a report made here, in
	 * emsg, of site esite (error(msg), a fault at an address).
	 */
	u32 error;
	/*
	 * The handler ends, and no try stops that, as in stap: MAXACTION
	 * exceeded, or `next` in a function.
	 */
	u32 unwind;
	u32 esite;
	u64 elen; /* bytes of emsg in use */
	/* The message alone, what `catch (msg)` gets: "division by 0". */
	char cmsg[STP_MAXSTRINGLEN];
	char emsg[STP_LAZY_MAX];
	/* 8-aligned, whatever MAXSTRINGLEN: its slots are (kgen_slot). */
	char s[STP_SCRATCH_SIZE] __attribute__((aligned(8)));
	struct pt_regs sregs; /* stp_syscall_regs() */
};

#define STP_ERR_PIECES 0xffffu

/* The frame a probe claims (NULL: none): skipped and counted if its CPU's is busy. */
static __always_inline struct stp_frame *stp_frame_claim(struct stp_frame *f)
{
	if (!f)
		return 0;
	if (f->busy) {
		stp_count(0);
		return 0;
	}
	f->busy = 1;
	f->error = 0;
	f->unwind = 0;
	return f;
}

static __always_inline void stp_frame_put(struct stp_frame *f)
{
	f->busy = 0;
}

/* ------------------------------------------------------------ arrays */

/* `delete a` of a whole array: each element, as the map is walked. */
static __attribute__((unused)) long stp_clear_elem(void *map, const void *key, void *val, void *ctx)
{
	bpf_map_delete_elem(map, key);
	return 0;
}

/* What map updates fail with: the array is full, the element is (not) there. */
#define STP_ENOENT 2
#define STP_E2BIG 7
#define STP_EEXIST 17

/*
 * Whether an insert's rc means the array is full. Only E2BIG does: an
 * insert that finds the element made by another CPU (EEXIST), even one a
 * third CPU deleted before it could be read again, is no overflow; the
 * write is then ordered just before that delete, as stap's locks would
 * have ordered it.
 */
#define stp_insert_full(rc) ((rc) && (rc) != -STP_EEXIST && (rc) != -STP_ENOENT)

/*
 * map[key] += v, or map[key] = v when !add, making the element if it is
 * not there: what `a[k] += v` and `a[k] = v` are on a long array. The
 * value is changed in place (an atomic add: no lookup+update per event).
 * Returns 0, with the new value in *res unless res is NULL (inlined with
 * a NULL res the add needs no fetch), or -1 when the array is full.
 */
static __always_inline int stp_map_write(void *map, const void *key, s64 v, int add, s64 *res)
{
	s64 *p = bpf_map_lookup_elem(map, key);
	if (!p) {
		s64 init = v;
		long rc = bpf_map_update_elem(map, key, &init, BPF_NOEXIST);
		if (stp_insert_full(rc))
			return -1;
		/* Another CPU made it first: it is there, unless deleted since. */
		p = rc ? bpf_map_lookup_elem(map, key) : NULL;
		if (!p) {
			if (res)
				*res = v;
			return 0;
		}
	}
	if (!add)
		*p = v;
	else if (res)
		*res = __sync_fetch_and_add(p, v) + v;
	else
		__sync_fetch_and_add(p, v);
	if (res && !add)
		*res = v;
	return 0;
}
#define stp_map_add(map, key, v, res) stp_map_write((map), (key), (v), 1, (res))
#define stp_map_set(map, key, v, res) stp_map_write((map), (key), (v), 0, (res))

/* ------------------------------------------------------------ statistics read */

/*
 * @count(s) ... @variance(s) in a kernel probe: the statistic's per-CPU
 * parts merged as the tool merges them (runtime/user/stats.c), each CPU's
 * read in place (bpf_map_lookup_percpu_elem), by a bpf_loop so that the
 * verifier checks one CPU's merge, whatever the number of CPUs.
 */
enum { STP_SREAD_COUNT, STP_SREAD_SUM, STP_SREAD_MIN, STP_SREAD_MAX, STP_SREAD_AVG,
       STP_SREAD_VARIANCE };

struct stp_stat_walk {
	void *map;
	const void *key;
	struct stp_stat agg;
	s64 total; /* a scalar's variance: the parts' spread around the mean of all */
	int pass;  /* a scalar's variance: 1 for the spread, once agg is summed */
	int keyed; /* an array's element: merged pairwise, as the tool does */
};

/* n * (avg_a - avg)^2 + (n - 1) * variance: one part's share of the total. */
static __always_inline s64 stp_stat_spread(const struct stp_stat *p, s64 avg)
{
	u64 d = (u64)p->avg_s - (u64)avg;
	return (s64)((u64)p->count * d * d + (u64)(p->count - 1) * (u64)p->variance_s);
}

static long stp_stat_cpu(u32 cpu, void *data)
{
	struct stp_stat_walk *w = data;
	const struct stp_stat *p = bpf_map_lookup_percpu_elem(w->map, w->key, cpu);
	struct stp_stat *a = &w->agg;
	if (!p)
		return 1; /* past the last CPU, or no such element */
	if (!p->count)
		return 0;
	if (w->pass) {
		w->total = (s64)((u64)w->total + (u64)stp_stat_spread(p, a->avg_s));
		return 0;
	}
	if (!a->count) {
		*a = *p;
		if (!w->keyed)
			a->variance_s = 0;
		return 0;
	}
	s64 count = a->count + p->count, sum = (s64)((u64)a->sum + (u64)p->sum);
	if (w->keyed) {
		s64 avg = stp_sdiv64((s64)((u64)sum << a->shift), count);
		s64 total = (s64)((u64)stp_stat_spread(a, avg) + (u64)stp_stat_spread(p, avg));
		a->variance_s = stp_sdiv64(total, count - 1);
		a->avg_s = avg;
	}
	if (p->min < a->min)
		a->min = p->min;
	if (p->max > a->max)
		a->max = p->max;
	a->count = count;
	a->sum = sum;
	return 0;
}

/* The STP_SREAD_* of the statistic at map[key] into *v; -1 if it needs values and has none. */
static __always_inline int stp_stat_read(void *map, const void *key, int op, int keyed, s64 *v)
{
	struct stp_stat_walk w = { .map = map, .key = key, .keyed = keyed };
	*v = 0;
	bpf_loop(1 << 20, stp_stat_cpu, &w, 0);
	struct stp_stat *a = &w.agg;
	if (op == STP_SREAD_COUNT || op == STP_SREAD_SUM) {
		*v = op == STP_SREAD_COUNT ? a->count : a->sum;
		return 0;
	}
	if (!a->count)
		return -1;
	if (op == STP_SREAD_MIN || op == STP_SREAD_MAX) {
		*v = op == STP_SREAD_MIN ? a->min : a->max;
		return 0;
	}
	if (op == STP_SREAD_AVG) {
		*v = stp_sdiv64(a->sum, a->count);
		return 0;
	}
	if (!keyed) {
		/* All parts at once: the mean from the total sum, then each part's spread. */
		a->avg_s = stp_sdiv64((s64)((u64)a->sum << a->shift), a->count);
		w.pass = 1;
		bpf_loop(1 << 20, stp_stat_cpu, &w, 0);
		a->variance_s = a->count > 1 ? stp_sdiv64(w.total, a->count - 1) : 0;
	}
	*v = a->variance_s >> ((2 * a->shift) & 63);
	return 0;
}

/* ------------------------------------------------------------ regular expressions */

/*
 * s =~ re: the walk of re's DFA table (stapc/regex.c), mask + 1 states of
 * 256 next states each, then whether s may end in each state. State 0
 * starts, state 1 has matched. One path per byte for the verifier.
 */
static __always_inline int stp_re_match(const unsigned char *t, u32 mask, const char *s)
{
	u32 st = 0;
	for (u32 i = 0; i < STP_MAXSTRINGLEN; i++) {
		unsigned char c = s[i];
		if (!c)
			break;
		st = t[((st & mask) << 8) | c];
		if (st == 1)
			return 1;
	}
	return t[(mask + 1) * 256 + (st & mask)];
}

#endif /* STP_KSIDE_H */
