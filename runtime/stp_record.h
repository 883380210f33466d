/* SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause */
/*
 * stp_record.h - the records BPF sends the tool through the ring buffer,
 * included by both sides (plain C, no includes).
 *
 * A record is a u32 site id, then the site's values in order: a long as 8
 * bytes, a string as a stream of pieces ended by STP_P_END. Pieces let a
 * string travel unassembled: its literal parts by number, the arguments of
 * an sprintf unformatted, a quoted string unquoted. The tool assembles
 * them as stap would have, MAXSTRINGLEN included.
 */
#ifndef STP_RECORD_H
#define STP_RECORD_H

enum stp_piece {
	STP_P_END = 0,	  /* the end of a string */
	STP_P_LIT = 1,	  /* u16: a literal from the tool's table */
	STP_P_STR = 2,	  /* u16 n, then n bytes */
	STP_P_FMT = 3,	  /* u16: sprintf with this format; then its values */
	STP_P_QUOTE = 4,  /* string_quoted() of the string that follows */
	STP_P_TEXT = 5,	  /* text_str() of the string that follows */
	STP_P_UQUOTE = 6, /* u16 n, n bytes; n = 0xffff: u64 address, unreadable */
	STP_P_NUM = 7,	  /* s64, printed in decimal */
	/* User-space probes: the site is the attach cookie, an index the tool gave. */
	STP_P_USITE = 8,  /* u32 site, u8 what (STP_USITE_*): pp() or the function, of the site */
	STP_P_UPARMS = 9, /* u32 site, 6 u64: the argument registers, for $$parms */
	STP_P_URET = 10,  /* u32 site, u64: the return value register, for $$return */
	/* Symbols of the current task's user space, found by the tool in its mappings. */
	STP_P_USTACK = 11, /* u8 kind (STP_USTACK_*), u8 max, u8 n, n stp_uloc (addr, dev, ino, off) */
	STP_P_USYM = 12,   /* u8 what (STP_USYM_*), one stp_uloc */
	/* A kernel function wildcard expanded by the tool: the site is the attach cookie. */
	STP_P_KSITE = 13, /* u32 site, u8 what (STP_USITE_*): pp() or the function, of the site */
	/* Kernel addresses, named by the tool from /proc/kallsyms. */
	STP_P_KSTACK = 14, /* u8 kind (STP_KSTACK_*), u8 n, n u64 addresses */
	STP_P_KSYM = 15,   /* u8 what (STP_KSYM_*), u64 address */
};

enum stp_ustack_kind { STP_USTACK_HEX = 0, STP_USTACK_DATA = 1, STP_USTACK_PRINT = 2, STP_USTACK_BRIEF = 3 };
enum stp_usym_what { STP_USYM_NAME = 0, STP_USYM_DATA = 1, STP_USYM_MOD = 2, STP_USYM_FILELINE = 3 };
#define STP_USTACK_MAX 20 /* frames, stap's MAXBACKTRACE */

enum stp_kstack_kind { STP_KSTACK_HEX = 0, STP_KSTACK_DATA = 1, STP_KSTACK_PRINT = 2 };
enum stp_ksym_what { STP_KSYM_NAME = 0, STP_KSYM_DATA = 1, STP_KSYM_MOD = 2 };
enum stp_usite_what { STP_USITE_PP = 0, STP_USITE_FUNC = 1 };
#define STP_UREGS 6 /* integer arguments the x86-64 ABI passes in registers */

/*
 * pystack(): the CPython interpreter of the -x/-c process as the tool found
 * it where it runs (runtime/user/pystack.c), and the layout of its minor
 * version's thread and frame structures (offsets in bytes), for BPF to walk
 * (the map stp_py_target of stp_bpf.h). ino 0: no interpreter, no stacks.
 */
struct stp_py_target {
	unsigned long long dev, ino;   /* the interpreter executable, as the kernel numbers it */
	unsigned long long runtime;    /* _PyRuntime's address as linked */
	unsigned long long text_vaddr; /* the lowest executable PT_LOAD's p_vaddr: mm->start_code less the load bias */
	unsigned short runtime_tstate_current; /* _PyRuntime.gilstate.tstate_current: the GIL holder */
	unsigned short runtime_interp_head;    /* _PyRuntime.interpreters.head */
	unsigned short interp_threads_head;    /* PyInterpreterState.threads.head */
	unsigned short tstate_next;	       /* PyThreadState.next */
	unsigned short tstate_thread_id;       /* PyThreadState.thread_id: the thread's pthread_self() */
	unsigned short tstate_cframe;	       /* PyThreadState.cframe */
	unsigned short cframe_current_frame;   /* _PyCFrame.current_frame */
	unsigned short frame_code;	       /* _PyInterpreterFrame.f_code */
	unsigned short frame_previous;	       /* _PyInterpreterFrame.previous */
	unsigned short code_name;	       /* PyCodeObject.co_qualname (co_name before 3.11) */
	unsigned short str_state;	       /* PyASCIIObject.state */
	unsigned short str_ascii_data;	       /* sizeof(PyASCIIObject): a compact ASCII string's bytes */
	unsigned short str_utf8;	       /* PyCompactUnicodeObject.utf8: another's UTF-8, if made */
	unsigned char str_compact_ascii;       /* the state bits of a compact ASCII string */
	unsigned char str_compact;	       /* the state bit of a compact string */
	unsigned char pad[4];
};
#define STP_PY_DEPTH 32	    /* the Python frames pystack() walks, innermost first */
#define STP_PY_NAME 64	    /* the bytes of one frame's name it reads */
#define STP_PY_FOLDED 512   /* the bytes of the names it joins, root first */

/* Site ids at or above this are not output but events. */
#define STP_SITE_EXIT 0xffffff00u  /* exit() */
#define STP_SITE_ERROR 0xffffff01u /* u16 error number: its message in the tool's table */

#define STP_UQUOTE_FAULT 0xffffu

/*
 * Statistics as gathered per CPU (in BPF, or in the tool), then merged by
 * runtime/user/stats.c. @variance follows stap's integer Welford algorithm,
 * the samples scaled by 2^shift (the shift @variance(x, shift) asks for).
 */
struct stp_stat {
	long long count, sum, min, max;
	long long avg_s;      /* the running mean, times 2^shift */
	long long m2;	      /* Welford's sum of squared differences, scaled */
	long long variance_s; /* the variance, times 4^shift */
	int shift;
	int pad;
};

#define STP_ALWAYS_INLINE static inline __attribute__((always_inline))

/*
 * Signed 64-bit division and remainder, truncating toward zero as C does,
 * from unsigned ones: BPF before cpu v4 (kernel 6.6) has no signed division.
 * b is never 0 here (callers check); INT64_MIN / -1 wraps, as stap's does.
 */
STP_ALWAYS_INLINE long long stp_sdiv64(long long a, long long b)
{
	unsigned long long ua = a < 0 ? 0ULL - (unsigned long long)a : (unsigned long long)a;
	unsigned long long ub = b < 0 ? 0ULL - (unsigned long long)b : (unsigned long long)b;
	unsigned long long q = ua / ub;
	return (a < 0) != (b < 0) ? (long long)(0ULL - q) : (long long)q;
}

STP_ALWAYS_INLINE long long stp_smod64(long long a, long long b)
{
	unsigned long long ua = a < 0 ? 0ULL - (unsigned long long)a : (unsigned long long)a;
	unsigned long long ub = b < 0 ? 0ULL - (unsigned long long)b : (unsigned long long)b;
	unsigned long long r = ua % ub;
	return a < 0 ? (long long)(0ULL - r) : (long long)r;
}

/* x <<< v: what runtime/user/stats.c's stp_stat__add does, for BPF too. */
STP_ALWAYS_INLINE void stp_stat_add(struct stp_stat *s, long long v, int shift)
{
	long long vs = (long long)((unsigned long long)v << shift);
	if (s->count == 0) {
		s->count = 1;
		s->sum = s->min = s->max = v;
		s->avg_s = vs;
		s->m2 = 0;
		s->variance_s = 0;
		s->shift = shift;
		return;
	}
	s->count++;
	s->sum = (long long)((unsigned long long)s->sum + (unsigned long long)v);
	if (v < s->min)
		s->min = v;
	if (v > s->max)
		s->max = v;
	/* stap keeps this difference in an int: large samples lose bits here. */
	int delta = (int)(long long)((unsigned long long)vs - (unsigned long long)s->avg_s);
	s->avg_s = (long long)((unsigned long long)s->avg_s +
			       (unsigned long long)stp_sdiv64(delta, s->count));
	s->m2 = (long long)((unsigned long long)s->m2 +
			    (unsigned long long)delta *
				    ((unsigned long long)vs - (unsigned long long)s->avg_s));
	s->variance_s = stp_sdiv64(s->m2, s->count - 1);
}

/*
 * @hist_log buckets, 128 of them: 64 is zero; 64 + n holds the positive
 * values of n bits (1; 2-3; 4-7 ...), 64 - n the negative ones (INT64_MIN
 * in 0), as runtime/user/hist.c numbers them.
 */
#define STP_LOG_BUCKETS 128

STP_ALWAYS_INLINE int stp_fls64(unsigned long long x)
{
	int n = 0;
	if (x >> 32) { n += 32; x >>= 32; }
	if (x >> 16) { n += 16; x >>= 16; }
	if (x >> 8) { n += 8; x >>= 8; }
	if (x >> 4) { n += 4; x >>= 4; }
	if (x >> 2) { n += 2; x >>= 2; }
	if (x >> 1) { n += 1; x >>= 1; }
	return n + (int)x;
}

STP_ALWAYS_INLINE int stp_log_bucket(long long v)
{
	if (v == 0)
		return 64;
	if (v > 0)
		return 64 + stp_fls64((unsigned long long)v);
	return 64 - stp_fls64(0ULL - (unsigned long long)v);
}

/*
 * @hist_linear(start, stop, interval) buckets, as runtime/user/hist.c
 * numbers them: 0 for values under start, then one bucket per interval up
 * to the one holding stop, then one for everything above.
 */
STP_ALWAYS_INLINE int stp_linear_bucket(long long v, long long start, long long stop,
					long long interval)
{
	long long nreg = stp_sdiv64(stop - start, interval) + 1;
	if (v < start)
		return 0;
	long long idx = stp_sdiv64(v - start, interval);
	if (idx >= nreg)
		return (int)(nreg + 1) & 0xfff;
	return (int)(idx + 1) & 0xfff;
}

#endif /* STP_RECORD_H */
