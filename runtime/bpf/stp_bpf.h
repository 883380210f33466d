/* SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause */
/*
 * stp_bpf.h - what a generated NAME.bpf.c includes: kernel types, libbpf's
 * helpers, and stapc's BPF-side runtime: the per-CPU scratch frame where
 * strings live (the 512-byte stack is too small), the ring buffer to the
 * tool, string operations and the writing of records.
 *
 * The generated file defines STP_MAXSTRINGLEN, STP_SCRATCH_SIZE and
 * STP_RINGBUF_SIZE before including this.
 */
#ifndef STP_BPF_H
#define STP_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "stp_record.h"

typedef __s64 s64;
typedef __u64 u64;
typedef __u32 u32;
typedef __u16 u16;
typedef __u8 u8;

/* ------------------------------------------------------------ maps */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, STP_RINGBUF_SIZE);
} stp_events SEC(".maps");

/* Counters the tool reports at the end: [0] skipped probes, [1] lost records. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, u32);
	__type(value, u64);
} stp_counters SEC(".maps");

static __always_inline void stp_count(u32 which)
{
	u64 *c = bpf_map_lookup_elem(&stp_counters, &which);
	if (c)
		*c += 1;
}

/* The frame, map writes, statistics read, regex walk: as the module's (stp_kside.h). */
#include "stp_kside.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, u32);
	__type(value, struct stp_frame);
} stp_frames SEC(".maps");

/* Set by exit(): a handler that starts after it does not run, as in stap. */
volatile u32 stp_exiting SEC(".bss");

static __always_inline struct stp_frame *stp_frame_get(u32 level)
{
	if (stp_exiting)
		return 0;
	return stp_frame_claim(bpf_map_lookup_elem(&stp_frames, &level));
}

/*
 * The registers of a syscall's tracepoint: the user's, saved at the
 * syscall's entry, which hold its arguments (at its exit too). The syscall
 * ABI has the fourth in r10 where a function's is in cx: the copy has it in
 * both, so that int_arg(4) is the syscall's fourth argument there, as in
 * stap's syscall probes. A failed read leaves zeros.
 */
static __always_inline struct pt_regs *stp_syscall_regs(struct stp_frame *fr)
{
	struct pt_regs *r = &fr->sregs;
	bpf_probe_read_kernel(r, sizeof(*r),
			      (const void *)bpf_task_pt_regs(bpf_get_current_task_btf()));
	r->cx = r->r10;
	return r;
}

/* ------------------------------------------------------------ strings */

/* Copies a NUL-terminated kernel string (the frame, .rodata) into dst. */
static __always_inline void stp_strcpy(char *dst, const char *src)
{
	bpf_probe_read_kernel_str(dst, STP_MAXSTRINGLEN, src);
}

/* Copies src into an n-byte array key (keywidth.c sized it for every src). */
#define stp_strncpy(dst, src, n) bpf_probe_read_kernel_str((dst), (n), (src))

/* Appends src to dst, both in BPF memory; the result is cut at MAXSTRINGLEN-1. */
static __always_inline void stp_strcat(char *dst, const char *src)
{
	u32 n = 0;
	for (u32 i = 0; i < STP_MAXSTRINGLEN; i++) {
		if (!dst[i])
			break;
		n++;
	}
	if (n >= STP_MAXSTRINGLEN - 1)
		return;
	bpf_probe_read_kernel_str(dst + n, STP_MAXSTRINGLEN - n, src);
}

static __always_inline s64 stp_strlen(const char *s)
{
	s64 n = 0;
	for (u32 i = 0; i < STP_MAXSTRINGLEN; i++) {
		if (!s[i])
			break;
		n++;
	}
	return n;
}

/* cmdline_str(): the current process's arguments, from its memory, separated by spaces. */
static __always_inline void stp_cmdline_str(char *dst)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	unsigned long start = BPF_CORE_READ(t, mm, arg_start), end = BPF_CORE_READ(t, mm, arg_end);
	u64 n = end > start ? end - start : 0;
	dst[0] = 0;
	if (n > STP_MAXSTRINGLEN - 1)
		n = STP_MAXSTRINGLEN - 1;
	barrier_var(n);
	if (!n || n > STP_MAXSTRINGLEN - 1 || bpf_probe_read_user(dst, n, (const void *)start) < 0) {
		dst[0] = 0;
		return;
	}
	/* Each argument ends in a NUL: the last one ends the string, the others become spaces. */
	for (u32 i = 0; i < STP_MAXSTRINGLEN - 1; i++) {
		if (i + 1 >= n)
			break;
		if (!dst[i])
			dst[i] = ' ';
	}
	dst[n] = 0;
}

/*
 * pid2task(): the task_struct of thread id `id` as pid() and tid() count
 * (the root pid namespace), or 0. The kernel's find_vpid() and pid_task()
 * done by hand with reads that cannot fault, so any probe can ask: the
 * namespace's idr is an xarray, walked from its head down the nodes' slots
 * (the target kernel's node size, from its BTF), and the struct pid found
 * there links to its task. No lock is held: a task exiting meanwhile reads
 * as 0 or as the task it was, as in stap.
 */
static __always_inline s64 stp_pid2task(s64 id)
{
	struct task_struct *cur = (struct task_struct *)bpf_get_current_task();
	struct pid_namespace *ns = BPF_CORE_READ(cur, thread_pid, numbers[0].ns);
	u64 mask = bpf_core_field_size(struct xa_node, slots) / sizeof(void *) - 1;
	u64 slots = bpf_core_field_offset(struct xa_node, slots);
	u64 entry = (u64)BPF_CORE_READ(ns, idr.idr_rt.xa_head);
	u64 index = (u64)id - BPF_CORE_READ(ns, idr.idr_base);
	if (id <= 0 || !ns)
		return 0;
	for (int i = 0; i < 8; i++) {
		/* An internal entry above 4096 is a node; the ones below are markers. */
		if ((entry & 3) != 2 || entry <= 4096)
			break;
		struct xa_node *node = (struct xa_node *)(entry - 2);
		u8 shift = BPF_CORE_READ(node, shift);
		/* Past the root's reach: no such id. */
		if (shift > 60 || (!i && (index >> shift) > mask))
			return 0;
		entry = 0;
		bpf_probe_read_kernel(&entry, sizeof(entry),
				      (char *)node + slots + ((index >> shift) & mask) * sizeof(void *));
		if (!shift) {
			index = 0; /* the leaf's slot is the one asked for */
			break;
		}
	}
	/* Not a pid: a node still (too deep), a marker, or the root's index-0 entry for another id. */
	if (!entry || (entry & 3) || index)
		return 0;
	struct pid *p = (struct pid *)entry;
	u64 first = (u64)BPF_CORE_READ(p, tasks[0].first); /* PIDTYPE_PID */
	if (!first)
		return 0;
	return (s64)(first - bpf_core_field_offset(struct task_struct, pid_links));
}

/* pid2execname(): the name (comm) of thread `id`, or "" if there is none. */
static __always_inline void stp_pid2execname(char *dst, s64 id)
{
	struct task_struct *t = (struct task_struct *)stp_pid2task(id);
	dst[0] = 0;
	if (t)
		BPF_CORE_READ_STR_INTO((char (*)[16])dst, t, comm);
}

/* substr(): len bytes of s from start, as much of them as s has; "" if start is outside it. */
static __always_inline void stp_substr(char *dst, const char *s, s64 start, s64 len)
{
	s64 n = stp_strlen(s);
	dst[0] = 0;
	if (start < 0 || len <= 0 || start >= n)
		return;
	if (len > n - start)
		len = n - start;
	/* The verifier wants bounds it can see: within the string's room. */
	u32 from = (u32)start, count = (u32)len;
	barrier_var(count);
	if (from >= STP_MAXSTRINGLEN || count >= STP_MAXSTRINGLEN)
		return;
	bpf_probe_read_kernel(dst, count, s + from);
	dst[count] = 0;
}

static __always_inline u32 stp_digit(char c)
{
	if (c >= '0' && c <= '9')
		return (u32)(c - '0');
	c |= 32;
	if (c >= 'a' && c <= 'z')
		return (u32)(c - 'a' + 10);
	return 99;
}

/*
 * strtol(): the tool's reading (runtime/user/strings.c), so both sides
 * agree: a leading '-', then strtoull's: blanks, a sign, 0x or 0 for the
 * base, digits; digits past 64 bits wrap. A base outside 2..36 (but 0): 0.
 */
static __always_inline s64 stp_strtol(const char *s, s64 base)
{
	if (base != 0 && (base < 2 || base > 36))
		return 0;
	int neg = s[0] == '-', neg2 = 0;
	u32 i = neg;
	for (; i < STP_MAXSTRINGLEN - 3; i++)
		if (s[i] != ' ' && (s[i] < '\t' || s[i] > '\r'))
			break;
	if (i < STP_MAXSTRINGLEN - 3 && (s[i] == '+' || s[i] == '-')) {
		neg2 = s[i] == '-';
		i++;
	}
	if (i < STP_MAXSTRINGLEN - 3 && (base == 0 || base == 16) && s[i] == '0' &&
	    (s[i + 1] | 32) == 'x' && stp_digit(s[i + 2]) < 16) {
		i += 2;
		base = 16;
	} else if (base == 0) {
		base = i < STP_MAXSTRINGLEN && s[i] == '0' ? 8 : 10;
	}
	u64 v = 0;
	for (; i < STP_MAXSTRINGLEN; i++) {
		u32 d = stp_digit(s[i]);
		if (d >= base)
			break;
		v = v * (u64)base + d;
	}
	if (neg2)
		v = 0 - v;
	return neg ? -(s64)v : (s64)v;
}

/* randint(n): a number in [0, n), n at most 2**20 as stap allows; 0 when n < 1. */
static __always_inline s64 stp_randint(s64 n)
{
	if (n <= 0)
		return 0;
	return (s64)(bpf_get_prandom_u32() % (u64)n);
}

static __always_inline s64 stp_isdigit(const char *s)
{
	return s[0] >= '0' && s[0] <= '9';
}

static __always_inline int stp_strcmp(const char *a, const char *b)
{
	for (u32 i = 0; i < STP_MAXSTRINGLEN; i++) {
		unsigned char x = a[i], y = b[i];
		if (x != y)
			return x < y ? -1 : 1;
		if (!x)
			return 0;
	}
	return 0;
}


/*
 * sprintf's %o, %#x, %#X and %p as bytes: the digits of v in base 8
 * (bits 3) or 16 (bits 4), after the tool's prefix with alt: "0", "0x" or
 * "0X", even for 0. d has room for 32 bytes.
 */
static __always_inline void stp_radix(char *d, u64 v, u32 bits, int upper, int alt)
{
	u32 n = 1, o = 0, mask = (1u << bits) - 1;
	for (u32 i = 1; i < 22; i++)
		if (i * bits < 64 && (v >> (i * bits)))
			n = i + 1;
	if (alt) {
		d[0] = '0';
		o = 1;
		if (bits == 4) {
			d[1] = upper ? 'X' : 'x';
			o = 2;
		}
	}
	for (u32 i = 0; i < 22; i++) {
		if (i >= n)
			break;
		u32 digit = (v >> (bits * (n - 1 - i))) & mask;
		d[(o + i) & 31] = digit < 10 ? '0' + digit : (upper ? 'A' : 'a') + digit - 10;
	}
	d[(o + n) & 31] = 0;
}

/*
 * The escaping of text_str() and string_quoted(), as the tool's
 * (runtime/user/strings.c): C escapes for the control characters that have
 * one, \ooo for the other bytes outside ' '..'~'. Per byte, from tables,
 * how many bytes it becomes and the second of them: every byte takes the
 * same path, so that the verifier walks the loop once, not once per
 * combination of escapes.
 */
static const u8 stp_esc_len[256] = {
	[0 ... 6] = 4, ['\a' ... '\r'] = 2, [14 ... 31] = 4, [' ' ... '!'] = 1, ['"'] = 2,
	['#' ... '['] = 1, ['\\'] = 2, [']' ... '~'] = 1, [127 ... 255] = 4,
};
static const char stp_esc_2nd[256] = {
	[0 ... 6] = '0', ['\a'] = 'a', ['\b'] = 'b', ['\t'] = 't', ['\n'] = 'n', ['\v'] = 'v',
	['\f'] = 'f', ['\r'] = 'r', [14 ... 31] = '0', ['"'] = '"', ['\\'] = '\\', [127] = '1',
	[128 ... 191] = '2', [192 ... 255] = '3',
};

/*
 * text_str() (quoted 0) and string_quoted() (quoted 1) of src into dst,
 * which has MAXSTRINGLEN + 8 bytes: each byte's escape is written whole (4
 * bytes, the next ones overwrite what is not its), and what fits in
 * MAXSTRINGLEN is kept, "..." at its end for string_quoted when cut.
 */
static __always_inline void stp_quote(char *dst, const char *src, int quoted)
{
	u64 cap = quoted ? STP_MAXSTRINGLEN - 2 : STP_MAXSTRINGLEN;
	char *out = dst + (quoted ? 1 : 0);
	u64 o = 0, cut = 0;
	for (u32 i = 0; i < STP_MAXSTRINGLEN; i++) {
		u8 c = src[i];
		if (!c)
			break;
		u64 n = stp_esc_len[c] & 7;
		/* Checked in the register it is used from (see stp_put_u8). */
		u64 at = o;
		barrier_var(at);
		if (at > STP_MAXSTRINGLEN - 1 || at + n >= cap) {
			cut = 1;
			break;
		}
		u64 esc = (n + 6) >> 3; /* 0 for a byte as it is, 1 for an escape */
		out[at] = (char)(c + esc * ('\\' - c));
		out[at + 1] = stp_esc_2nd[c];
		out[at + 2] = '0' + ((c >> 3) & 7);
		out[at + 3] = '0' + (c & 7);
		o = at + n;
	}
	/*
	 * The end in a 64-bit register of its own, checked as it is used: a
	 * 32-bit o would be checked as a zero-extended copy, which the verifier
	 * does not relate to o, so o - 3 was unbounded on some paths.
	 */
	u64 e = o;
	barrier_var(e);
	if (e > cap - 1)
		e = cap - 1;
	if (quoted && cut && e >= 3) {
		out[e - 3] = '.';
		out[e - 2] = '.';
		out[e - 1] = '.';
	}
	if (quoted) {
		dst[0] = '"';
		out[e] = '"';
		out[e + 1] = 0;
		return;
	}
	out[e] = 0;
}

/* ------------------------------------------------------------ records */

/* An error whose message is in the tool's table (division by 0, ...). */
static __always_inline void stp_send_error(u32 id)
{
	char *p = bpf_ringbuf_reserve(&stp_events, 8, 0);
	if (!p) {
		stp_count(1);
		return;
	}
	*(u32 *)p = STP_SITE_ERROR;
	*(u16 *)(p + 4) = (u16)id;
	bpf_ringbuf_submit(p, BPF_RB_FORCE_WAKEUP);
}

/*
 * A record being written: reserved at its largest size in the ring buffer
 * (no copy), filled, submitted without waking the tool unless the ring is
 * half full. Every write checks the room left, so the verifier sees each
 * offset bounded by the record's size.
 */
struct stp_rec {
	char *p;
	/*
	 * 64-bit: a verifier before Linux 6.6 keeps the bounds of a spilled
	 * register only for whole 8-byte stack slots.
	 */
	u64 off, size;
};

static __always_inline int stp_rec_begin(struct stp_rec *r, u32 size, u32 site)
{
	r->p = bpf_ringbuf_reserve(&stp_events, size, 0);
	if (!r->p) {
		stp_count(1);
		return -1;
	}
	r->size = size;
	*(u32 *)r->p = site;
	r->off = 4;
	return 0;
}

static __always_inline void stp_rec_end(struct stp_rec *r, int force_wakeup)
{
	u64 flags = BPF_RB_NO_WAKEUP;
	if (force_wakeup ||
	    bpf_ringbuf_query(&stp_events, BPF_RB_AVAIL_DATA) > STP_RINGBUF_SIZE / 2)
		flags = BPF_RB_FORCE_WAKEUP;
	bpf_ringbuf_submit(r->p, flags);
}

/*
 * Every writer below takes the offset into a register, hides it from the
 * compiler (barrier_var), then checks exactly that register: clang would
 * otherwise check a value it derived the offset from, which the verifiers
 * of kernels before 6.6 cannot relate to the offset used.
 */
static __always_inline void stp_put_u8(struct stp_rec *r, u8 v)
{
	u64 off = r->off;
	barrier_var(off);
	if (off < r->size - 1 && off < STP_RECORD_MAX) {
		r->p[off] = v;
		r->off = off + 1;
	}
}

static __always_inline void stp_put_u16(struct stp_rec *r, u16 v)
{
	u64 off = r->off;
	barrier_var(off);
	if (off + 2 <= r->size && off < STP_RECORD_MAX) {
		__builtin_memcpy(r->p + off, &v, 2);
		r->off = off + 2;
	}
}

static __always_inline void stp_put_s64(struct stp_rec *r, s64 v)
{
	u64 off = r->off;
	barrier_var(off);
	if (off + 8 <= r->size && off < STP_RECORD_MAX) {
		__builtin_memcpy(r->p + off, &v, 8);
		r->off = off + 8;
	}
}

/* A string in BPF memory, as one STP_P_STR piece. */
static __always_inline void stp_put_str(struct stp_rec *r, const char *s)
{
	u64 off = r->off;
	barrier_var(off);
	if (off + 3 + STP_MAXSTRINGLEN > r->size || off >= STP_RECORD_MAX)
		return;
	r->p[off] = STP_P_STR;
	long n = bpf_probe_read_kernel_str(r->p + off + 3, STP_MAXSTRINGLEN, s);
	u16 len = n > 0 ? (u16)(n - 1) : 0;
	__builtin_memcpy(r->p + off + 1, &len, 2);
	r->off = off + 3 + len;
}

/*
 * A string read from user memory, as STP_P_STR; "" if unreadable, and the
 * read's result, negative then (-EFAULT), for user_string() to raise.
 */
static __always_inline long stp_put_user_str(struct stp_rec *r, const void *uaddr, u32 max)
{
	u64 off = r->off;
	barrier_var(off);
	if (off + 3 + STP_MAXSTRINGLEN > r->size || off >= STP_RECORD_MAX)
		return 0;
	if (max > STP_MAXSTRINGLEN)
		max = STP_MAXSTRINGLEN;
	r->p[off] = STP_P_STR;
	long n = bpf_probe_read_user_str(r->p + off + 3, max & (STP_MAXSTRINGLEN - 1 | STP_MAXSTRINGLEN), uaddr);
	u16 len = n > 0 ? (u16)(n - 1) : 0;
	__builtin_memcpy(r->p + off + 1, &len, 2);
	r->off = off + 3 + len;
	return n;
}

/* user_string_quoted(): the bytes, or the address when they are unreadable. */
static __always_inline void stp_put_user_quoted(struct stp_rec *r, const void *uaddr, u32 max)
{
	u64 off = r->off;
	barrier_var(off);
	if (off + 3 + STP_MAXSTRINGLEN > r->size || off >= STP_RECORD_MAX)
		return;
	if (max > STP_MAXSTRINGLEN)
		max = STP_MAXSTRINGLEN;
	r->p[off] = STP_P_UQUOTE;
	long n = bpf_probe_read_user_str(r->p + off + 3, max & (STP_MAXSTRINGLEN - 1 | STP_MAXSTRINGLEN), uaddr);
	if (n < 0) {
		u16 fault = STP_UQUOTE_FAULT;
		u64 a = (u64)uaddr;
		__builtin_memcpy(r->p + off + 1, &fault, 2);
		__builtin_memcpy(r->p + off + 3, &a, 8);
		r->off = off + 11;
		return;
	}
	u16 len = n > 0 ? (u16)(n - 1) : 0;
	__builtin_memcpy(r->p + off + 1, &len, 2);
	r->off = off + 3 + len;
}

/* The current task's comm, as STP_P_STR. */
static __always_inline void stp_put_comm(struct stp_rec *r)
{
	u64 off = r->off;
	barrier_var(off);
	if (off + 3 + 16 > r->size || off >= STP_RECORD_MAX)
		return;
	r->p[off] = STP_P_STR;
	/*
	 * All 16 bytes, NUL-padded: the tool stops at the NUL (pieces.c), so
	 * no loop here measures the name on every event.
	 */
	bpf_get_current_comm(r->p + off + 3, 16);
	u16 len = 16;
	__builtin_memcpy(r->p + off + 1, &len, 2);
	r->off = off + 3 + 16;
}

/* Copies a finished piece stream (a lazy local) into the record. */
static __always_inline void stp_put_pieces(struct stp_rec *r, const char *buf, u32 len, u32 max)
{
	u64 off = r->off;
	barrier_var(off);
	if (len > max)
		len = max;
	if (off + max > r->size || off >= STP_RECORD_MAX)
		return;
	/*
	 * All `max` bytes are copied, a size the verifier sees as a constant:
	 * 6.1's loses the bound of a clamped length. Only len of them count.
	 */
	bpf_probe_read_kernel(r->p + off, max & (STP_LAZY_MAX - 1 | STP_LAZY_MAX), buf);
	r->off = off + len;
}

#include "stp_kside_errors.h"

/* ------------------------------------------------------------ user-space probes */

/*
 * A typed pointer (fentry's, tp_btf's arguments) as a plain number: the
 * verifier tracks the original and would refuse byte-wise stores of it.
 */
static __always_inline u64 stp_scalar(u64 v)
{
	u64 r = 0;
	bpf_probe_read_kernel(&r, sizeof(r), &v);
	return r;
}

#ifndef PT_REGS_PARM6 /* libbpf before 1.2 stops at five */
#define PT_REGS_PARM6(x) (((struct pt_regs *)(x))->r9)
#endif

/*
 * pp() or probefunc() of a site (tag STP_P_USITE: a uprobe's; STP_P_KSITE:
 * a kernel function a wildcard matched), as a piece the tool fills in.
 */
static __always_inline void stp_put_site(struct stp_rec *r, u8 tag, u32 site, u8 what)
{
	u64 off = r->off;
	barrier_var(off);
	if (off + 6 > r->size || off >= STP_RECORD_MAX)
		return;
	r->p[off] = tag;
	__builtin_memcpy(r->p + off + 1, &site, 4);
	r->p[(off + 5) & (STP_RECORD_MAX - 1)] = what;
	r->off = off + 6;
}

/* $$parms: the argument registers at entry; the tool names them from DWARF. */
static __always_inline void stp_put_uparms_vals(struct stp_rec *r, u32 site, const u64 *v)
{
	u64 off = r->off;
	barrier_var(off);
	if (off + 5 + 8 * STP_UREGS > r->size || off >= STP_RECORD_MAX)
		return;
	r->p[off] = STP_P_UPARMS;
	__builtin_memcpy(r->p + off + 1, &site, 4);
	__builtin_memcpy(r->p + off + 5, v, 8 * STP_UREGS);
	r->off = off + 5 + 8 * STP_UREGS;
}

static __always_inline void stp_put_uparms(struct stp_rec *r, u32 site, struct pt_regs *regs)
{
	u64 v[STP_UREGS] = { PT_REGS_PARM1(regs), PT_REGS_PARM2(regs), PT_REGS_PARM3(regs),
			     PT_REGS_PARM4(regs), PT_REGS_PARM5(regs), PT_REGS_PARM6(regs) };
	stp_put_uparms_vals(r, site, v);
}

/* $$return: the return register; the tool types it from DWARF. */
static __always_inline void stp_put_uret(struct stp_rec *r, u32 site, struct pt_regs *regs)
{
	u64 off = r->off;
	barrier_var(off);
	if (off + 13 > r->size || off >= STP_RECORD_MAX)
		return;
	u64 v = PT_REGS_RC(regs);
	r->p[off] = STP_P_URET;
	__builtin_memcpy(r->p + off + 1, &site, 4);
	__builtin_memcpy(r->p + off + 5, &v, 8);
	r->off = off + 13;
}

/*
 * Whether the current process runs the executable with this identity:
 * the device and inode as stat(2) shows them to the tool, so through the
 * path the process was started from (an overlay's, not the layer's).
 */
static __always_inline int stp_exe_is(u64 dev, u64 ino)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct inode *in = BPF_CORE_READ(t, mm, exe_file, f_path.dentry, d_inode);
	if (!in || !ino)
		return 0;
	return BPF_CORE_READ(in, i_ino) == ino && (u64)BPF_CORE_READ(in, i_sb, s_dev) == dev;
}

/* At sched_process_exit: whether the exiting thread was the process's last. */
static __always_inline int stp_group_dead(void)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	return BPF_CORE_READ(t, signal, live.counter) == 0;
}

/*
 * Where a user address is: the mapped file's identity (the device and
 * inode stat(2) shows) and the offset in it, found now, while the task and
 * its mappings exist; the tool names them later, even after the task died.
 */
struct stp_uloc {
	u64 addr, dev, ino, off;
};

static long stp_uloc_vma(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct stp_uloc *l = data;
	struct inode *in = BPF_CORE_READ(vma, vm_file, f_path.dentry, d_inode);
	if (!in)
		return 0;
	l->dev = BPF_CORE_READ(in, i_sb, s_dev);
	l->ino = BPF_CORE_READ(in, i_ino);
	l->off = l->addr - BPF_CORE_READ(vma, vm_start) + (BPF_CORE_READ(vma, vm_pgoff) << 12);
	return 0;
}

static __always_inline void stp_uloc_find(struct stp_uloc *l)
{
	l->dev = l->ino = l->off = 0;
	bpf_find_vma(bpf_get_current_task_btf(), l->addr, stp_uloc_vma, l, 0);
}

/* Room for a stack's addresses while its frames are located. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64[STP_USTACK_MAX]);
} stp_ustack_ips SEC(".maps");

/* A user stack (STP_P_USTACK): each frame located for the tool to name. */
static __always_inline void stp_put_ustack(struct stp_rec *r, void *ctx, u8 kind, s64 max)
{
	u64 off = r->off;
	barrier_var(off);
	u32 zero = 0;
	u32 room = 4 + sizeof(struct stp_uloc) * STP_USTACK_MAX;
	u64 *ips = bpf_map_lookup_elem(&stp_ustack_ips, &zero);
	if (!ips || off + room > r->size || off >= STP_RECORD_MAX)
		return;
	long got = bpf_get_stack(ctx, ips, 8 * STP_USTACK_MAX, BPF_F_USER_STACK);
	u32 n = got > 0 ? (u32)got / 8 : 0;
	r->p[off] = STP_P_USTACK;
	r->p[(off + 1) & (STP_RECORD_MAX - 1)] = kind;
	r->p[(off + 2) & (STP_RECORD_MAX - 1)] = (char)(max < 0 ? 0 : max > 255 ? 255 : max);
	r->p[(off + 3) & (STP_RECORD_MAX - 1)] = (char)n;
	for (u32 i = 0; i < STP_USTACK_MAX && i < n; i++) {
		struct stp_uloc l = { .addr = ips[i] };
		stp_uloc_find(&l);
		__builtin_memcpy(r->p + off + 4 + i * sizeof(l), &l, sizeof(l));
	}
	r->off = off + 4 + (n & 31) * sizeof(struct stp_uloc);
}

/* The kernel stack at the probe (STP_P_KSTACK): addresses for the tool to name. */
static __always_inline void stp_put_kstack(struct stp_rec *r, void *ctx, u8 kind)
{
	u64 off = r->off;
	barrier_var(off);
	u32 zero = 0;
	u64 *ips = bpf_map_lookup_elem(&stp_ustack_ips, &zero);
	if (!ips || off + 3 + 8 * STP_USTACK_MAX > r->size || off >= STP_RECORD_MAX)
		return;
	long got = bpf_get_stack(ctx, ips, 8 * STP_USTACK_MAX, 0);
	u32 n = got > 0 ? (u32)got / 8 : 0;
	r->p[off] = STP_P_KSTACK;
	r->p[(off + 1) & (STP_RECORD_MAX - 1)] = kind;
	r->p[(off + 2) & (STP_RECORD_MAX - 1)] = (char)n;
	for (u32 i = 0; i < STP_USTACK_MAX && i < n; i++)
		__builtin_memcpy(r->p + off + 3 + 8 * i, &ips[i], 8);
	r->off = off + 3 + 8 * (n & 31);
}

/*
 * backtrace() and ubacktrace() as bytes, where a stack is a key or is
 * stored: "0x%x " per frame, innermost first, as many whole frames as
 * MAXSTRINGLEN holds (stap cuts them there too).
 */
static const char stp_fmt_frame[] = "0x%llx ";

static __always_inline void stp_stack_hex(char *d, const u64 *ips, u32 n)
{
	u32 pos = 0;
	d[0] = 0;
	for (u32 i = 0; i < STP_USTACK_MAX && i < n; i++) {
		u64 a[1] = { ips[i] };
		if (!a[0] || pos + 20 > STP_MAXSTRINGLEN - 1)
			break;
		barrier_var(pos);
		if (pos > STP_MAXSTRINGLEN - 20)
			break;
		long w = bpf_snprintf(d + pos, 20, stp_fmt_frame, a, sizeof(a)) - 1;
		if (w <= 0 || w > 19)
			break;
		pos += (u32)w;
	}
}

static __always_inline void stp_kstack_str(char *d, void *ctx)
{
	u32 zero = 0;
	u64 *ips = bpf_map_lookup_elem(&stp_ustack_ips, &zero);
	d[0] = 0;
	if (!ips)
		return;
	long got = bpf_get_stack(ctx, ips, 8 * STP_USTACK_MAX, 0);
	stp_stack_hex(d, ips, got > 0 ? (u32)got / 8 : 0);
}

#ifdef STP_UADDRS
/*
 * Where each address of a user stack kept as bytes is (its file and the
 * offset in it), found while the task runs: the tool names the frames of
 * such a key later from here (sprint_ustack_folded()), when the task may
 * be gone. By address alone, as the key has it: the last task to have a
 * frame there names it.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, u64);
	__type(value, struct stp_uloc);
} stp_uaddrs SEC(".maps");

/* The mapping holding an address: its range, and its file's identity (0: none). */
struct stp_uvma {
	u64 start, end, pgoff, dev, ino;
};

static long stp_uvma_of(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct stp_uvma *v = data;
	struct inode *in = BPF_CORE_READ(vma, vm_file, f_path.dentry, d_inode);
	v->start = BPF_CORE_READ(vma, vm_start);
	v->end = BPF_CORE_READ(vma, vm_end);
	v->pgoff = BPF_CORE_READ(vma, vm_pgoff);
	if (in) {
		v->dev = BPF_CORE_READ(in, i_sb, s_dev);
		v->ino = BPF_CORE_READ(in, i_ino);
	}
	return 0;
}

/*
 * Locates the frames stp_uaddrs does not know yet, one mapping per event:
 * every frame in the mapping of the first unknown one (in a perf event,
 * an NMI, the kernel lets one bpf_find_vma() through at a time anyway).
 * The next events of the same stack locate the rest.
 */
static __always_inline void stp_uaddrs_learn(const u64 *ips, u32 n)
{
	struct stp_uvma v = {};
	u32 i;
	for (i = 0; i < STP_USTACK_MAX && i < n; i++)
		if (ips[i] && !bpf_map_lookup_elem(&stp_uaddrs, &ips[i]))
			break;
	if (i >= STP_USTACK_MAX || i >= n ||
	    bpf_find_vma(bpf_get_current_task_btf(), ips[i], stp_uvma_of, &v, 0))
		return;
	for (u32 j = 0; j < STP_USTACK_MAX && j < n; j++) {
		u64 b = ips[j];
		if (b < v.start || b >= v.end)
			continue;
		struct stp_uloc l = { .addr = b, .dev = v.dev, .ino = v.ino };
		l.off = v.ino ? b - v.start + (v.pgoff << 12) : 0;
		bpf_map_update_elem(&stp_uaddrs, &b, &l, BPF_ANY);
	}
}

static __always_inline void stp_ustack_str(char *d, void *ctx, s64 max)
{
	u32 zero = 0;
	u64 *ips = bpf_map_lookup_elem(&stp_ustack_ips, &zero);
	d[0] = 0;
	if (!ips)
		return;
	long got = bpf_get_stack(ctx, ips, 8 * STP_USTACK_MAX, BPF_F_USER_STACK);
	u32 n = got > 0 ? (u32)got / 8 : 0;
	if (max >= 0 && max < n)
		n = (u32)max;
	stp_uaddrs_learn(ips, n);
	stp_stack_hex(d, ips, n);
}
#endif

/* symname(), symdata(), modname() of a kernel address. */
static __always_inline void stp_put_ksym(struct stp_rec *r, u8 what, s64 addr)
{
	u64 off = r->off;
	barrier_var(off);
	if (off + 10 > r->size || off >= STP_RECORD_MAX)
		return;
	r->p[off] = STP_P_KSYM;
	r->p[(off + 1) & (STP_RECORD_MAX - 1)] = what;
	__builtin_memcpy(r->p + off + 2, &addr, 8);
	r->off = off + 10;
}

/*
 * symname(), symdata(), modname() as bytes, where they are compared or
 * stored: the kernel's own %ps and %pS, which name an address from
 * kallsyms as the tool does ("name", "name+0xoff/0xsize [mod]", "0x..."
 * when no symbol holds it), with " [kernel]" added for vmlinux, which the
 * kernel leaves out; modname() is what is within those brackets.
 */
static const char stp_fmt_ps[] = "%ps", stp_fmt_pS[] = "%pS";

static __always_inline void stp_ksym_str(char *d, char *t, u8 what, s64 addr)
{
	u64 a[1] = { (u64)addr };
	if (what == STP_KSYM_NAME) {
		bpf_snprintf(d, STP_MAXSTRINGLEN, stp_fmt_ps, a, sizeof(a));
		return;
	}
	char *out = what == STP_KSYM_DATA ? d : t;
	long n = bpf_snprintf(out, STP_MAXSTRINGLEN, stp_fmt_pS, a, sizeof(a)) - 1;
	int unknown = out[0] == '0' && out[1] == 'x';
	u32 len = n > 0 && n < STP_MAXSTRINGLEN ? (u32)n : 0;
	barrier_var(len);
	int in_module = len > 0 && len < STP_MAXSTRINGLEN && out[len - 1] == ']';
	if (what == STP_KSYM_DATA) {
		if (!unknown && !in_module)
			stp_strcat(d, " [kernel]");
		return;
	}
	if (unknown || !in_module) {
		stp_strcpy(d, unknown ? "<unknown>" : "kernel");
		return;
	}
	/* The last '[', searched from the end: one path through the loop. */
	u32 open = 0;
	for (u32 i = 2; i < STP_MAXSTRINGLEN; i++) {
		if (i > len)
			break;
		u32 j = len - i;
		if (j < STP_MAXSTRINGLEN && t[j] == '[') {
			open = j + 1;
			break;
		}
	}
	u32 size = open && len - 1 > open ? len - 1 - open : 0;
	barrier_var(size);
	if (size > STP_MAXSTRINGLEN - 1 || open > STP_MAXSTRINGLEN - 1)
		size = 0;
	d[0] = 0;
	if (size && bpf_probe_read_kernel(d, size, t + open) == 0)
		d[size] = 0;
}

/* usymname(), usymdata(), umodname() of an address of the current task. */
static __always_inline void stp_put_usym(struct stp_rec *r, u8 what, s64 addr)
{
	u64 off = r->off;
	barrier_var(off);
	if (off + 2 + sizeof(struct stp_uloc) > r->size || off >= STP_RECORD_MAX)
		return;
	struct stp_uloc l = { .addr = (u64)addr };
	stp_uloc_find(&l);
	r->p[off] = STP_P_USYM;
	r->p[(off + 1) & (STP_RECORD_MAX - 1)] = what;
	__builtin_memcpy(r->p + off + 2, &l, sizeof(l));
	r->off = off + 2 + sizeof(l);
}

#ifdef STP_PYSTACK
/*
 * pystack(): the Python call stack of the current thread, read from
 * CPython's own structures with the layout the tool put in stp_py_target
 * (no debuginfo): _PyRuntime -> the thread's PyThreadState -> its current
 * _PyInterpreterFrame -> previous ..., each frame's code object naming it.
 * The names are joined by ';', the outermost first: "<module>;main;hot",
 * the form of a folded stack. "" in a thread that runs no Python, in
 * another program, or where a read faults (a page not in memory).
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct stp_py_target);
} stp_py_target SEC(".maps");

/* The code objects of the frames, then their names joined (2 * STP_PY_FOLDED: masked writes). */
struct stp_py_scratch {
	u64 code[STP_PY_DEPTH];
	char buf[2 * STP_PY_FOLDED];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct stp_py_scratch);
} stp_py_scratch SEC(".maps");

static __always_inline u64 stp_py_read(u64 addr)
{
	u64 v = 0;
	if (!addr || bpf_probe_read_user(&v, sizeof(v), (const void *)addr) != 0)
		return 0;
	return v;
}

/* The current thread's pthread_self(), which CPython keeps in PyThreadState.thread_id. */
static __always_inline u64 stp_py_self(void)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
#if defined(__TARGET_ARCH_x86)
	return BPF_CORE_READ(t, thread.fsbase);
#elif defined(__TARGET_ARCH_arm64)
	return BPF_CORE_READ(t, thread.uw.tp_value);
#else
	return 0;
#endif
}

/*
 * The current thread's PyThreadState, or 0: the GIL holder's if it is this
 * thread (a thread running Python holds the GIL), else the one of this
 * thread in the main interpreter's list (one waiting for the GIL).
 */
static __always_inline u64 stp_py_tstate(const struct stp_py_target *py)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	if (!py->ino || !stp_exe_is(py->dev, py->ino))
		return 0;
	u64 rt = py->runtime + BPF_CORE_READ(t, mm, start_code) - py->text_vaddr;
	u64 self = stp_py_self();
	u64 ts = stp_py_read(rt + py->runtime_tstate_current);
	if (ts && stp_py_read(ts + py->tstate_thread_id) == self)
		return ts;
	ts = stp_py_read(stp_py_read(rt + py->runtime_interp_head) + py->interp_threads_head);
	for (u32 i = 0; i < 64 && ts; i++) {
		if (stp_py_read(ts + py->tstate_thread_id) == self)
			return ts;
		ts = stp_py_read(ts + py->tstate_next);
	}
	return 0;
}

/* Appends the name of code object `code` at buf[pos]; the new end. */
static __always_inline u32 stp_py_name(const struct stp_py_target *py, char *buf, u32 pos, u64 code)
{
	u64 name = stp_py_read(code + py->code_name), bytes = 0;
	u8 state = 0;
	long got = 0;
	barrier_var(pos); /* keep the mask: the verifier needs it, clang sees no use */
	pos &= STP_PY_FOLDED - 1;
	if (name && bpf_probe_read_user(&state, 1, (const void *)(name + py->str_state)) == 0) {
		if ((state & py->str_compact_ascii) == py->str_compact_ascii)
			bytes = name + py->str_ascii_data;
		else if (state & py->str_compact)
			bytes = stp_py_read(name + py->str_utf8);
	}
	if (bytes)
		got = bpf_probe_read_user_str(buf + pos, STP_PY_NAME, (const void *)bytes);
	if (got > 1)
		return pos + (u32)got - 1;
	buf[pos] = '?'; /* a name not in UTF-8 yet, or not readable now */
	return pos + 1;
}

/* One walk: its frame, the code objects found, the bytes of names written. */
struct stp_py_walk {
	u64 f;
	u32 n, pos;
};

/* bpf_loop: one frame, innermost first (the verifier checks one, not STP_PY_DEPTH). */
static long stp_py_frame(u32 i, void *data)
{
	struct stp_py_walk *w = data;
	u32 zero = 0;
	struct stp_py_target *py = bpf_map_lookup_elem(&stp_py_target, &zero);
	struct stp_py_scratch *s = bpf_map_lookup_elem(&stp_py_scratch, &zero);
	if (!py || !s || !w->f || w->n >= STP_PY_DEPTH)
		return 1;
	u64 code = stp_py_read(w->f + py->frame_code);
	if (code)
		s->code[w->n++ & (STP_PY_DEPTH - 1)] = code;
	w->f = stp_py_read(w->f + py->frame_previous);
	return 0;
}

/* bpf_loop: the name of the j-th frame from the root; the names past STP_PY_FOLDED are left out. */
static long stp_py_join(u32 j, void *data)
{
	struct stp_py_walk *w = data;
	u32 zero = 0, pos = w->pos;
	struct stp_py_target *py = bpf_map_lookup_elem(&stp_py_target, &zero);
	struct stp_py_scratch *s = bpf_map_lookup_elem(&stp_py_scratch, &zero);
	if (!py || !s || j >= w->n || pos > STP_PY_FOLDED - STP_PY_NAME - 2)
		return 1;
	if (j)
		s->buf[pos++ & (STP_PY_FOLDED - 1)] = ';';
	w->pos = stp_py_name(py, s->buf, pos, s->code[(w->n - 1 - j) & (STP_PY_DEPTH - 1)]);
	return 0;
}

static __always_inline void stp_pystack_str(char *dst)
{
	u32 zero = 0;
	dst[0] = 0;
	struct stp_py_target *py = bpf_map_lookup_elem(&stp_py_target, &zero);
	struct stp_py_scratch *s = bpf_map_lookup_elem(&stp_py_scratch, &zero);
	if (!py || !s)
		return;
	u64 ts = stp_py_tstate(py);
	if (!ts)
		return;
	struct stp_py_walk w = {
		.f = stp_py_read(stp_py_read(ts + py->tstate_cframe) + py->cframe_current_frame),
	};
	bpf_loop(STP_PY_DEPTH, stp_py_frame, &w, 0);
	bpf_loop(STP_PY_DEPTH, stp_py_join, &w, 0);
	s->buf[w.pos & (2 * STP_PY_FOLDED - 1)] = 0;
	bpf_probe_read_kernel(dst, STP_MAXSTRINGLEN < STP_PY_FOLDED ? STP_MAXSTRINGLEN : STP_PY_FOLDED,
			      s->buf);
	dst[STP_MAXSTRINGLEN - 1] = 0;
}
#endif

#ifdef STP_USITES
/*
 * What the tool wrote for each site before attaching: pp() and the
 * function as bytes, and where each named parameter is ($NAME).
 */
struct stp_uslot {
	u8 reg, size, is_signed, ok;
};

/* The $NAMEs the script reads, in the compiler's order, then $return. */
struct stp_usite_val {
	char pp[STP_MAXSTRINGLEN];
	char func[STP_MAXSTRINGLEN];
	struct stp_uslot slot[STP_NUPARAMS];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* the tool sets the number of sites */
	__type(key, u32);
	__type(value, struct stp_usite_val);
} stp_usites SEC(".maps");

static __always_inline const char *stp_usite_str(u32 site, u8 what)
{
	struct stp_usite_val *v = bpf_map_lookup_elem(&stp_usites, &site);
	if (!v)
		return "";
	return what == STP_USITE_PP ? v->pp : v->func;
}

/*
 * $NAME from the argument registers `all` (as at the entry): its register,
 * cut to its type's size and extended by its sign.
 */
static __always_inline s64 stp_uparam_of(const u64 *all, u32 site, u32 slot)
{
	struct stp_usite_val *v = bpf_map_lookup_elem(&stp_usites, &site);
	if (!v || slot >= STP_NUPARAMS - 1)
		return 0;
	struct stp_uslot s = v->slot[slot];
	if (s.reg >= STP_UREGS)
		return 0;
	u64 x = 0;
	bpf_probe_read_kernel(&x, sizeof(x), &all[s.reg]);
	switch (s.size) {
	case 1: return s.is_signed ? (s64)(s8)x : (s64)(u8)x;
	case 2: return s.is_signed ? (s64)(s16)x : (s64)(u16)x;
	case 4: return s.is_signed ? (s64)(s32)x : (s64)(u32)x;
	default: return (s64)x;
	}
}

/* $NAME now, from the probe's registers. */
static __always_inline s64 stp_uparam(struct pt_regs *regs, u32 site, u32 slot)
{
	/*
	 * Not a switch on the register: clang turns it into an offset into
	 * the context, which the verifier refuses. A copy, read at an index.
	 */
	u64 all[STP_UREGS] = { PT_REGS_PARM1(regs), PT_REGS_PARM2(regs), PT_REGS_PARM3(regs),
			       PT_REGS_PARM4(regs), PT_REGS_PARM5(regs), PT_REGS_PARM6(regs) };
	return stp_uparam_of(all, site, slot);
}

/* $return: the return register, cut and extended as the function's type says. */
static __always_inline s64 stp_uret(struct pt_regs *regs, u32 site)
{
	u64 x = PT_REGS_RC(regs);
	struct stp_usite_val *v = bpf_map_lookup_elem(&stp_usites, &site);
	if (!v)
		return (s64)x;
	struct stp_uslot s = v->slot[STP_NUPARAMS - 1];
	switch (s.size) {
	case 1: return s.is_signed ? (s64)(s8)x : (s64)(u8)x;
	case 2: return s.is_signed ? (s64)(s16)x : (s64)(u16)x;
	case 4: return s.is_signed ? (s64)(s32)x : (s64)(u32)x;
	default: return (s64)x;
	}
}
#endif

#ifdef STP_KSITES
/* The functions a kernel wildcard matched: what the tool wrote before attaching. */
struct stp_ksite_val {
	char pp[STP_MAXSTRINGLEN];
	char func[STP_MAXSTRINGLEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* the tool sets the number of sites */
	__type(key, u32);
	__type(value, struct stp_ksite_val);
} stp_ksites SEC(".maps");

static __always_inline const char *stp_ksite_str(u32 site, u8 what)
{
	struct stp_ksite_val *v = bpf_map_lookup_elem(&stp_ksites, &site);
	if (!v)
		return "";
	return what == STP_USITE_PP ? v->pp : v->func;
}
#endif

#endif /* STP_BPF_H */
