/* SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause */
/*
 * stp_kmod.h - the kernel-side runtime of a generated module (NAME.kmod.c),
 * written from the kernel's public API: kprobes, tracepoints, procfs.
 *
 * The handlers are the ones the BPF backend writes (stapc/emit/bpf*.c), so
 * this file gives them what runtime/bpf/stp_bpf.h gives BPF: the per-CPU
 * frame, records, string helpers, and the few BPF helpers they call, here
 * made of kernel functions. The records go into a ring the tool reads from
 * /proc/MODULE (stp_kmod_abi.h), byte for byte what BPF's ring carries, so
 * the tool's runtime prints them unchanged.
 *
 * The generated file defines STP_MAXSTRINGLEN, STP_SCRATCH_SIZE,
 * STP_RECORD_MAX and STP_LAZY_MAX before including this, and ends with
 * STP_KMOD_MODULE(probes, maps, kg_init), after NAME.stp.h (struct stp_kglobals).
 */
#ifndef STP_KMOD_H
#define STP_KMOD_H

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/tracepoint.h>
#include <linux/proc_fs.h>
#include <linux/vmalloc.h>
#include <linux/mm.h>
#include <linux/uaccess.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/cred.h>
#include <linux/percpu.h>
#include <linux/poll.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/string.h>
#include <linux/random.h>
#include <linux/hrtimer.h>
#include <linux/cpu.h>
#include <asm/irq_regs.h>
#include <asm/unistd.h>
#include <asm/syscall.h>

#include "stp_record.h"
#include "stp_kmod_abi.h"

#define STP_RINGBUF_SIZE (1 << 20)

/* ------------------------------------------------------------ BPF's helpers, in kernel terms */

#define barrier_var(v) asm volatile("" : "+r"(v))
#define PT_REGS_PARM1(x) (((struct pt_regs *)(x))->di)
#define PT_REGS_PARM2(x) (((struct pt_regs *)(x))->si)
#define PT_REGS_PARM3(x) (((struct pt_regs *)(x))->dx)
#define PT_REGS_PARM4(x) (((struct pt_regs *)(x))->cx)
#define PT_REGS_PARM5(x) (((struct pt_regs *)(x))->r8)
#define PT_REGS_PARM6(x) (((struct pt_regs *)(x))->r9)
#define PT_REGS_RC(x) (((struct pt_regs *)(x))->ax)

static __always_inline u64 bpf_get_current_pid_tgid(void)
{
	return ((u64)current->tgid << 32) | (u32)current->pid;
}

static __always_inline u64 bpf_get_current_uid_gid(void)
{
	const struct cred *c = current_cred();
	return ((u64)from_kgid(&init_user_ns, c->gid) << 32) | from_kuid(&init_user_ns, c->uid);
}

static __always_inline long bpf_get_current_comm(char *buf, u32 size)
{
	u32 i;
	for (i = 0; i + 1 < size && i < TASK_COMM_LEN && current->comm[i]; i++)
		buf[i] = current->comm[i];
	for (; i < size; i++)
		buf[i] = 0;
	return 0;
}

#define bpf_get_current_task() ((u64)(unsigned long)current)
#define bpf_get_current_task_btf() current
#define bpf_task_pt_regs(t) task_pt_regs(t)
#define bpf_get_smp_processor_id() raw_smp_processor_id()
#define bpf_ktime_get_ns() ktime_get_mono_fast_ns()
#define bpf_ktime_get_boot_ns() ktime_get_boot_fast_ns()
#define bpf_get_prandom_u32() get_random_u32()

static __always_inline long bpf_probe_read_kernel(void *dst, u32 size, const void *src)
{
	long rc = copy_from_kernel_nofault(dst, src, size);
	if (rc)
		memset(dst, 0, size);
	return rc;
}

static __always_inline long bpf_probe_read_user(void *dst, u32 size, const void *src)
{
	long rc = copy_from_user_nofault(dst, (const void __user *)src, size);
	if (rc)
		memset(dst, 0, size);
	return rc;
}

/*
 * As BPF's: the length with its NUL, or a negative error. Byte by byte:
 * the kernel's strncpy_from_*_nofault are not exported to modules.
 */
static long stp_read_str(char *dst, u32 size, const void *src, bool user)
{
	u32 i;
	if (!size)
		return 0;
	for (i = 0; i + 1 < size; i++) {
		char c;
		long rc = user ? copy_from_user_nofault(&c, (const char __user *)src + i, 1)
			       : copy_from_kernel_nofault(&c, (const char *)src + i, 1);
		if (rc) {
			((char *)dst)[0] = 0;
			return -EFAULT;
		}
		((char *)dst)[i] = c;
		if (!c)
			return i + 1;
	}
	((char *)dst)[i] = 0;
	return i + 1;
}
#define bpf_probe_read_kernel_str(dst, size, src) stp_read_str((dst), (size), (src), false)
#define bpf_probe_read_user_str(dst, size, src) stp_read_str((dst), (size), (src), true)

/*
 * CO-RE reads (BPF_CORE_READ(p, a, b): p->a->b) as fault-tolerant reads of
 * this kernel's own fields: the module is built against its headers, so
 * the offsets need no relocation; a read that faults gives zeros, as
 * bpf_probe_read_kernel's does.
 */
#define __builtin_preserve_access_index(x) (x)
#define bpf_core_field_exists(x) 1
#define bpf_core_read(dst, sz, src) bpf_probe_read_kernel((dst), (sz), (src))
#define bpf_core_read_user(dst, sz, src) bpf_probe_read_user((dst), (sz), (src))
#define STP_CR_PICK(_s, _1, _2, _3, m, ...) m
#define STP_CR1(rd, s, a)                                                                       \
	({                                                                                      \
		typeof((s)->a) __v;                                                             \
		rd(&__v, sizeof(__v), &(s)->a);                                                 \
		__v;                                                                            \
	})
#define STP_CR2(rd, s, a, b)                                                                    \
	({                                                                                      \
		typeof((s)->a) __p = STP_CR1(bpf_probe_read_kernel, s, a);                      \
		STP_CR1(rd, __p, b);                                                            \
	})
#define STP_CR3(rd, s, a, b, c)                                                                 \
	({                                                                                      \
		typeof((s)->a) __q = STP_CR1(bpf_probe_read_kernel, s, a);                      \
		STP_CR2(rd, __q, b, c);                                                         \
	})
#define BPF_CORE_READ(...)                                                                      \
	STP_CR_PICK(__VA_ARGS__, STP_CR3, STP_CR2, STP_CR1)(bpf_probe_read_kernel, __VA_ARGS__)
#define BPF_CORE_READ_USER(...)                                                                 \
	STP_CR_PICK(__VA_ARGS__, STP_CR3, STP_CR2, STP_CR1)(bpf_probe_read_user, __VA_ARGS__)
/* dst (a char array's address) gets the string at src->a->b, b an array member. */
#define BPF_CORE_READ_STR_INTO(dst, src, a, b)                                                  \
	({                                                                                      \
		typeof((src)->a) __t = STP_CR1(bpf_probe_read_kernel, src, a);                  \
		bpf_probe_read_kernel_str((char *)(dst), sizeof(*(dst)), __t ? __t->b : "");    \
	})

/* bpf_snprintf's shape over the kernel's: a fault's message has at most three values. */
static __always_inline long bpf_snprintf(char *buf, u32 size, const char *fmt, const u64 *a,
					 u32 len)
{
	u32 n = len / 8;
	return snprintf(buf, size, fmt, n > 0 ? a[0] : 0, n > 1 ? a[1] : 0, n > 2 ? a[2] : 0);
}

/* ------------------------------------------------------------ arrays: BPF's maps, in kernel memory */

/*
 * A script's array or statistic that kernel probes touch: what BPF's hash,
 * per-CPU hash and per-CPU array maps are to a BPF tool, with their
 * helpers' meaning (bpf_map_lookup_elem gives a pointer to the value, this
 * CPU's for a per-CPU map, which the handler changes in place). Elements
 * come from a pool made at load, max_entries of them, so a probe never
 * allocates; a full array fails an insert with -E2BIG, which the handler
 * reports as stap's "Array overflow". Each map has a raw spinlock, taken
 * with interrupts off for the few instructions of a lookup, insert or
 * delete; the tool's reads (stp_kmap_ioctl) take it too, with this CPU's
 * probes held off meanwhile (stp_cpu_in_map): a probe firing inside the
 * lock, on its CPU, would wait for it forever. As in BPF's preallocated
 * maps, a value a handler holds stays mapped after a delete, and may be
 * another key's once reused.
 */
#include <linux/jhash.h>
#include <uapi/linux/bpf.h>

struct stp_kelem {
	u32 next; /* the next element of its bucket, or of the free list: index + 1, 0 ends */
	u32 used;
	u32 hash;
	u32 pad;
	/* The key (its size rounded to 8), then the value, one per CPU for a per-CPU map. */
	char data[];
};

struct stp_kmap {
	u32 type, key_size, value_size, max_entries;
	/* Made at load (stp_kmap_alloc). */
	u32 nbuckets, vstride, esize, ncpus, free;
	u32 *buckets;
	char *pool;
	raw_spinlock_t lock;
};

#define STP_KMAP(name, map_type, key_type, value_type, entries)                               \
	static struct stp_kmap name = { .type = (map_type),                                    \
					.key_size = sizeof(key_type),                          \
					.value_size = sizeof(value_type),                      \
					.max_entries = (entries) }

static DEFINE_PER_CPU(u32, stp_cpu_in_map);

static __always_inline bool stp_kmap_percpu(const struct stp_kmap *m)
{
	return m->type == BPF_MAP_TYPE_PERCPU_HASH || m->type == BPF_MAP_TYPE_PERCPU_ARRAY;
}

static __always_inline struct stp_kelem *stp_kelem_at(struct stp_kmap *m, u32 i)
{
	return (struct stp_kelem *)(m->pool + (size_t)i * m->esize);
}

static __always_inline char *stp_kelem_val(struct stp_kmap *m, struct stp_kelem *e, u32 cpu)
{
	return e->data + ALIGN(m->key_size, 8) + (size_t)cpu * m->vstride;
}

/* The element of key, or NULL; *hash its hash. Under m->lock. */
static struct stp_kelem *stp_kmap_find(struct stp_kmap *m, const void *key, u32 *hash)
{
	u32 h = jhash(key, m->key_size, 0), i;
	*hash = h;
	for (i = m->buckets[h & (m->nbuckets - 1)]; i; i = stp_kelem_at(m, i - 1)->next) {
		struct stp_kelem *e = stp_kelem_at(m, i - 1);
		if (e->hash == h && !memcmp(e->data, key, m->key_size))
			return e;
	}
	return NULL;
}

/* A new element of key, its values zero; NULL when the pool is empty. Under m->lock. */
static struct stp_kelem *stp_kmap_insert(struct stp_kmap *m, const void *key, u32 h)
{
	u32 i = m->free, *b = &m->buckets[h & (m->nbuckets - 1)];
	struct stp_kelem *e;
	if (!i)
		return NULL;
	e = stp_kelem_at(m, i - 1);
	m->free = e->next;
	memset(e->data, 0, m->esize - sizeof(*e));
	memcpy(e->data, key, m->key_size);
	e->hash = h;
	e->used = 1;
	e->next = *b;
	*b = i;
	return e;
}

/* Unlinks e (found by key) into the free list. Under m->lock. */
static void stp_kmap_remove(struct stp_kmap *m, struct stp_kelem *e)
{
	u32 idx = (u32)(((char *)e - m->pool) / m->esize) + 1, *p;
	for (p = &m->buckets[e->hash & (m->nbuckets - 1)]; *p; p = &stp_kelem_at(m, *p - 1)->next)
		if (*p == idx) {
			*p = e->next;
			break;
		}
	e->used = 0;
	e->next = m->free;
	m->free = idx;
}

static void *bpf_map_lookup_elem(void *map, const void *key)
{
	struct stp_kmap *m = map;
	struct stp_kelem *e;
	unsigned long flags;
	u32 h;
	raw_spin_lock_irqsave(&m->lock, flags);
	e = stp_kmap_find(m, key, &h);
	raw_spin_unlock_irqrestore(&m->lock, flags);
	return e ? stp_kelem_val(m, e, stp_kmap_percpu(m) ? raw_smp_processor_id() : 0) : NULL;
}

static void *bpf_map_lookup_percpu_elem(void *map, const void *key, u32 cpu)
{
	struct stp_kmap *m = map;
	struct stp_kelem *e;
	unsigned long flags;
	u32 h;
	if (cpu >= m->ncpus)
		return NULL;
	raw_spin_lock_irqsave(&m->lock, flags);
	e = stp_kmap_find(m, key, &h);
	raw_spin_unlock_irqrestore(&m->lock, flags);
	return e ? stp_kelem_val(m, e, cpu) : NULL;
}

/* As BPF's: a per-CPU map's value is this CPU's; a new element's other CPUs' are zero. */
static long bpf_map_update_elem(void *map, const void *key, const void *value, u64 how)
{
	struct stp_kmap *m = map;
	struct stp_kelem *e;
	unsigned long flags;
	long rc = 0;
	u32 h;
	raw_spin_lock_irqsave(&m->lock, flags);
	e = stp_kmap_find(m, key, &h);
	if (e && how == BPF_NOEXIST)
		rc = -EEXIST;
	else if (!e && how == BPF_EXIST)
		rc = -ENOENT;
	else if (!e && !(e = stp_kmap_insert(m, key, h)))
		rc = -E2BIG;
	else
		memcpy(stp_kelem_val(m, e, stp_kmap_percpu(m) ? raw_smp_processor_id() : 0), value,
		       m->value_size);
	raw_spin_unlock_irqrestore(&m->lock, flags);
	return rc;
}

static long bpf_map_delete_elem(void *map, const void *key)
{
	struct stp_kmap *m = map;
	struct stp_kelem *e;
	unsigned long flags;
	u32 h;
	if (m->type == BPF_MAP_TYPE_PERCPU_ARRAY)
		return -EINVAL;
	raw_spin_lock_irqsave(&m->lock, flags);
	e = stp_kmap_find(m, key, &h);
	if (e)
		stp_kmap_remove(m, e);
	raw_spin_unlock_irqrestore(&m->lock, flags);
	return e ? 0 : -ENOENT;
}

/* Each element, by its place in the pool (the callback may delete it), until cb says 1. */
static long bpf_for_each_map_elem(void *map, void *cb, void *ctx, u64 flags)
{
	long (*fn)(void *, void *, void *, void *) = cb;
	struct stp_kmap *m = map;
	u32 i, cpu = stp_kmap_percpu(m) ? raw_smp_processor_id() : 0;
	long n = 0;
	(void)flags;
	for (i = 0; i < m->max_entries; i++) {
		struct stp_kelem *e = stp_kelem_at(m, i);
		if (!READ_ONCE(e->used))
			continue;
		n++;
		if (fn(map, e->data, stp_kelem_val(m, e, cpu), ctx))
			break;
	}
	return n;
}

static long bpf_loop(u32 n, long (*cb)(u32, void *), void *ctx, u64 flags)
{
	u32 i;
	(void)flags;
	for (i = 0; i < n; i++)
		if (cb(i, ctx))
			return i + 1;
	return n;
}

static void stp_kmap_free(struct stp_kmap *m)
{
	vfree(m->pool);
	vfree(m->buckets);
	m->pool = NULL;
	m->buckets = NULL;
}

/* The pool and buckets of m; an array's elements made at once, as BPF's are. */
static int stp_kmap_alloc(struct stp_kmap *m)
{
	u32 i;
	raw_spin_lock_init(&m->lock);
	m->ncpus = stp_kmap_percpu(m) ? nr_cpu_ids : 1;
	m->vstride = ALIGN(m->value_size, 8);
	m->esize = sizeof(struct stp_kelem) + ALIGN(m->key_size, 8) + m->vstride * m->ncpus;
	m->nbuckets = roundup_pow_of_two(m->max_entries ? m->max_entries : 1);
	m->pool = vzalloc((size_t)m->esize * m->max_entries);
	m->buckets = vzalloc(sizeof(u32) * m->nbuckets);
	if (!m->pool || !m->buckets) {
		stp_kmap_free(m);
		return -ENOMEM;
	}
	for (i = m->max_entries; i > 0; i--) {
		stp_kelem_at(m, i - 1)->next = m->free;
		m->free = i;
	}
	for (i = 0; m->type == BPF_MAP_TYPE_PERCPU_ARRAY && i < m->max_entries; i++)
		stp_kmap_insert(m, &i, jhash(&i, sizeof(i), 0));
	return 0;
}

/*
 * The tool's side (STP_KMOD_IOC_MAP): one element looked up, updated or
 * deleted, or the elements from a place in the pool on read in order
 * (taken out with TAKE), each copied out of the lock into the caller's
 * buffers. A per-CPU value goes as all CPUs' (ncpus of vstride bytes).
 */
static struct stp_kmap **stp_kmaps;
static int stp_nkmaps;

static long stp_kmap_op(struct stp_kmap *m, struct stp_kmod_map_op *op, char *kbuf)
{
	size_t vall = (size_t)m->vstride * m->ncpus, ks = m->key_size;
	char *kkey = kbuf, *kval = kbuf + ALIGN(ks, 8);
	struct stp_kelem *e;
	unsigned long flags;
	long rc = 0;
	u32 h, i, n = 0;
	if (op->op != STP_KMOD_MAP_DUMP && op->op != STP_KMOD_MAP_TAKE &&
	    copy_from_user(kkey, u64_to_user_ptr(op->key), ks))
		return -EFAULT;
	if (op->op == STP_KMOD_MAP_UPDATE && copy_from_user(kval, u64_to_user_ptr(op->value), vall))
		return -EFAULT;
	if (op->op == STP_KMOD_MAP_LOOKUP || op->op == STP_KMOD_MAP_UPDATE ||
	    op->op == STP_KMOD_MAP_DELETE) {
		preempt_disable();
		this_cpu_write(stp_cpu_in_map, 1);
		raw_spin_lock_irqsave(&m->lock, flags);
		e = stp_kmap_find(m, kkey, &h);
		if (op->op == STP_KMOD_MAP_LOOKUP) {
			if (e)
				memcpy(kval, stp_kelem_val(m, e, 0), vall);
		} else if (op->op == STP_KMOD_MAP_UPDATE) {
			if (!e)
				e = stp_kmap_insert(m, kkey, h);
			if (e)
				memcpy(stp_kelem_val(m, e, 0), kval, vall);
		} else if (e && m->type != BPF_MAP_TYPE_PERCPU_ARRAY) {
			stp_kmap_remove(m, e);
		}
		raw_spin_unlock_irqrestore(&m->lock, flags);
		this_cpu_write(stp_cpu_in_map, 0);
		preempt_enable();
		if (!e)
			return op->op == STP_KMOD_MAP_UPDATE ? -E2BIG : -ENOENT;
		if (op->op == STP_KMOD_MAP_LOOKUP && copy_to_user(u64_to_user_ptr(op->value), kval, vall))
			return -EFAULT;
		return 0;
	}
	for (i = (u32)op->cursor; i < m->max_entries && n < op->count; i++) {
		bool got = false;
		preempt_disable();
		this_cpu_write(stp_cpu_in_map, 1);
		raw_spin_lock_irqsave(&m->lock, flags);
		e = stp_kelem_at(m, i);
		if (e->used) {
			memcpy(kkey, e->data, ks);
			memcpy(kval, stp_kelem_val(m, e, 0), vall);
			if (op->op == STP_KMOD_MAP_TAKE && m->type != BPF_MAP_TYPE_PERCPU_ARRAY)
				stp_kmap_remove(m, e);
			got = true;
		}
		raw_spin_unlock_irqrestore(&m->lock, flags);
		this_cpu_write(stp_cpu_in_map, 0);
		preempt_enable();
		if (!got)
			continue;
		if (copy_to_user(u64_to_user_ptr(op->key) + (size_t)n * ks, kkey, ks) ||
		    copy_to_user(u64_to_user_ptr(op->value) + (size_t)n * vall, kval, vall)) {
			rc = -EFAULT;
			break;
		}
		n++;
	}
	op->count = n;
	op->cursor = i;
	return rc;
}

static long stp_kmap_ioctl(struct stp_kmod_map_op __user *uop)
{
	struct stp_kmod_map_op op;
	struct stp_kmap *m;
	char *kbuf;
	long rc;
	if (copy_from_user(&op, uop, sizeof(op)))
		return -EFAULT;
	if (op.map >= (u32)stp_nkmaps)
		return -EINVAL;
	m = stp_kmaps[op.map];
	if (op.op == STP_KMOD_MAP_INFO) {
		op.key_size = m->key_size;
		op.value_size = m->value_size;
		op.max_entries = m->max_entries;
		op.type = m->type;
		op.ncpus = m->ncpus;
		return copy_to_user(uop, &op, sizeof(op)) ? -EFAULT : 0;
	}
	kbuf = kvmalloc(ALIGN(m->key_size, 8) + (size_t)m->vstride * m->ncpus, GFP_KERNEL);
	if (!kbuf)
		return -ENOMEM;
	rc = stp_kmap_op(m, &op, kbuf);
	kvfree(kbuf);
	if (!rc && copy_to_user(uop, &op, sizeof(op)))
		rc = -EFAULT;
	return rc;
}

/* ------------------------------------------------------------ shared area, frames */

/* The tool's window on the module: counters, then the scalar globals (mmapped). */
static char *stp_area;
static size_t stp_area_size;
#define stp_shared ((struct stp_kmod_shared *)stp_area)
#define stp_kg (*(struct stp_kglobals *)(stp_area + STP_KMOD_KG_OFFSET))

/* Set by exit(): a handler that starts after it does not run, as in stap. */
static volatile u32 stp_exiting;

static __always_inline void stp_count(u32 which)
{
	__sync_fetch_and_add(which ? &stp_shared->lost : &stp_shared->skipped, 1);
}

/* The frame, map writes, statistics read, regex walk: as BPF's (stp_kside.h). */
#include "stp_kside.h"

struct stp_frames {
	struct stp_frame f[2];
};
static struct stp_frames __percpu *stp_frames;

/* Probe handlers run with preemption off (kprobes, tracepoints): this CPU's frame is ours. */
static __always_inline struct stp_frame *stp_frame_get(u32 level)
{
	if (stp_exiting || this_cpu_read(stp_cpu_in_map))
		return NULL;
	return stp_frame_claim(&this_cpu_ptr(stp_frames)->f[level & 1]);
}

static __always_inline struct pt_regs *stp_syscall_regs(struct stp_frame *fr)
{
	struct pt_regs *r = &fr->sregs;
	*r = *task_pt_regs(current);
	r->cx = r->r10;
	return r;
}

/* ------------------------------------------------------------ the ring */

/*
 * One ring for all CPUs, as BPF's: each record is an 8-byte header (its
 * length, BUSY while being written, PAD for the unused end of the ring)
 * and its bytes, 8-aligned. Writers reserve under a spinlock and fill
 * outside it; the one reader (the tool, through read()) stops at a busy
 * record, so order across CPUs is the order of reservation. Nothing here
 * wakes the reader: a probe may fire where a wake-up would deadlock (the
 * scheduler's own tracepoints); the tool polls on a short period.
 */
#define STP_HDR_BUSY (1u << 31)
#define STP_HDR_PAD (1u << 30)
static char *stp_ring;
static u64 stp_ring_head, stp_ring_tail;
static DEFINE_RAW_SPINLOCK(stp_ring_lock);

static char *stp_ring_reserve(u32 size)
{
	u64 need = 8 + ALIGN((u64)size, 8), head, off, pad;
	unsigned long flags;
	u32 *h;
	raw_spin_lock_irqsave(&stp_ring_lock, flags);
	head = stp_ring_head;
	off = head & (STP_RINGBUF_SIZE - 1);
	pad = off + need > STP_RINGBUF_SIZE ? STP_RINGBUF_SIZE - off : 0;
	if (head + pad + need - smp_load_acquire(&stp_ring_tail) > STP_RINGBUF_SIZE) {
		raw_spin_unlock_irqrestore(&stp_ring_lock, flags);
		stp_count(1);
		return NULL;
	}
	if (pad) {
		WRITE_ONCE(*(u32 *)(stp_ring + off), (u32)pad | STP_HDR_PAD);
		head += pad;
		off = 0;
	}
	h = (u32 *)(stp_ring + off);
	WRITE_ONCE(*h, size | STP_HDR_BUSY);
	smp_store_release(&stp_ring_head, head + need);
	raw_spin_unlock_irqrestore(&stp_ring_lock, flags);
	return (char *)(h + 2);
}

static __always_inline void stp_ring_commit(char *p)
{
	u32 *h = (u32 *)(p - 8);
	smp_store_release(h, READ_ONCE(*h) & ~STP_HDR_BUSY);
}

/* A record given back (an error while it was written): the reader skips it as padding. */
static __always_inline void bpf_ringbuf_discard(void *p, u64 flags)
{
	u32 *h = (u32 *)((char *)p - 8);
	u32 size = READ_ONCE(*h) & ~STP_HDR_BUSY;
	(void)flags;
	smp_store_release(h, (u32)(8 + ALIGN(size, 8)) | STP_HDR_PAD);
}

/* ------------------------------------------------------------ records (as stp_bpf.h's) */

static __always_inline void stp_send_error(u32 id)
{
	char *p = stp_ring_reserve(8);
	if (!p)
		return;
	*(u32 *)p = STP_SITE_ERROR;
	*(u16 *)(p + 4) = (u16)id;
	stp_ring_commit(p);
}

struct stp_rec {
	char *p;
	u64 off, size;
	bool ring; /* in the ring (committed at the end), or a frame's error buffer */
};

static __always_inline int stp_rec_begin(struct stp_rec *r, u32 size, u32 site)
{
	r->p = stp_ring_reserve(size);
	if (!r->p)
		return -1;
	r->ring = true;
	r->size = size;
	memset(r->p, 0, size);
	*(u32 *)r->p = site;
	r->off = 4;
	return 0;
}

static __always_inline void stp_rec_end(struct stp_rec *r, int force_wakeup)
{
	(void)force_wakeup; /* the tool drains on its period */
	stp_ring_commit(r->p);
}

static __always_inline void stp_put_u8(struct stp_rec *r, u8 v)
{
	if (r->off + 1 <= r->size)
		r->p[r->off++] = v;
}

static __always_inline void stp_put_u16(struct stp_rec *r, u16 v)
{
	if (r->off + 2 <= r->size) {
		memcpy(r->p + r->off, &v, 2);
		r->off += 2;
	}
}

static __always_inline void stp_put_s64(struct stp_rec *r, s64 v)
{
	if (r->off + 8 <= r->size) {
		memcpy(r->p + r->off, &v, 8);
		r->off += 8;
	}
}

/* n bytes as one STP_P_STR piece. */
static __always_inline void stp_put_bytes(struct stp_rec *r, const char *s, u16 n)
{
	if (r->off + 3 + n > r->size)
		return;
	r->p[r->off] = STP_P_STR;
	memcpy(r->p + r->off + 1, &n, 2);
	memcpy(r->p + r->off + 3, s, n);
	r->off += 3 + n;
}

static __always_inline void stp_put_str(struct stp_rec *r, const char *s)
{
	char buf[STP_MAXSTRINGLEN];
	long n = bpf_probe_read_kernel_str(buf, STP_MAXSTRINGLEN, s);
	stp_put_bytes(r, buf, n > 0 ? (u16)(n - 1) : 0);
}

static __always_inline long stp_put_user_str(struct stp_rec *r, const void *uaddr, u32 max)
{
	char buf[STP_MAXSTRINGLEN];
	long n;
	if (max > STP_MAXSTRINGLEN)
		max = STP_MAXSTRINGLEN;
	n = bpf_probe_read_user_str(buf, max, uaddr);
	stp_put_bytes(r, buf, n > 0 ? (u16)(n - 1) : 0);
	return n;
}

/* user_string_quoted(): the bytes, or the address when they are unreadable. */
static __always_inline void stp_put_user_quoted(struct stp_rec *r, const void *uaddr, u32 max)
{
	char *d = r->p + r->off;
	long n;
	u16 len;
	if (r->off + 3 + STP_MAXSTRINGLEN > r->size)
		return;
	if (max > STP_MAXSTRINGLEN)
		max = STP_MAXSTRINGLEN;
	d[0] = STP_P_UQUOTE;
	n = bpf_probe_read_user_str(d + 3, max, uaddr);
	if (n < 0) {
		u16 fault = STP_UQUOTE_FAULT;
		u64 a = (u64)(unsigned long)uaddr;
		memcpy(d + 1, &fault, 2);
		memcpy(d + 3, &a, 8);
		r->off += 11;
		return;
	}
	len = n > 0 ? (u16)(n - 1) : 0;
	memcpy(d + 1, &len, 2);
	r->off += 3 + len;
}

static __always_inline void stp_put_comm(struct stp_rec *r)
{
	char comm[TASK_COMM_LEN];
	bpf_get_current_comm(comm, sizeof(comm));
	stp_put_bytes(r, comm, (u16)strnlen(comm, sizeof(comm)));
}

static __always_inline void stp_put_pieces(struct stp_rec *r, const char *buf, u32 len, u32 max)
{
	if (len > max)
		len = max;
	if (r->off + len > r->size)
		return;
	memcpy(r->p + r->off, buf, len);
	r->off += len;
}

/* ------------------------------------------------------------ strings (as stp_bpf.h's) */

static __always_inline void stp_strcpy(char *dst, const char *src)
{
	strscpy(dst, src, STP_MAXSTRINGLEN);
}
#define stp_strncpy(dst, src, n) bpf_probe_read_kernel_str((dst), (n), (src))

static __always_inline void stp_strcat(char *dst, const char *src)
{
	size_t n = strnlen(dst, STP_MAXSTRINGLEN);
	if (n < STP_MAXSTRINGLEN)
		strscpy(dst + n, src, STP_MAXSTRINGLEN - n);
}

static __always_inline s64 stp_strlen(const char *s)
{
	return (s64)strnlen(s, STP_MAXSTRINGLEN);
}

static __always_inline int stp_strcmp(const char *a, const char *b)
{
	return strncmp(a, b, STP_MAXSTRINGLEN);
}

/* ------------------------------------------------------------ errors (as BPF's) */

#include "stp_kside_errors.h"

/* ------------------------------------------------------------ probes */

enum stp_kmod_kind { STP_KM_KPROBE, STP_KM_KRETPROBE, STP_KM_TRACEPOINT, STP_KM_TIMER };

struct stp_kmod_probe;

/* A timer probe's hrtimer, one per CPU for timer.profile. */
struct stp_ktimer {
	struct hrtimer t;
	struct stp_kmod_probe *p;
	bool on;
};

struct stp_kmod_probe {
	enum stp_kmod_kind kind;
	const char *target; /* the function, or the tracepoint */
	kprobe_pre_handler_t pre;
	kretprobe_handler_t ret;
	void *tp_fn;
	/* Timers: the handler, given the interrupted registers; its period; every CPU's or one. */
	void (*timer_fn)(struct pt_regs *regs);
	u64 period_ns;
	bool all_cpus;
	/* What registering made. */
	struct kprobe kp;
	struct kretprobe krp;
	struct tracepoint *tp;
	struct stp_ktimer one;
	struct stp_ktimer __percpu *cpus;
	bool on;
};

/*
 * Timer probes (timer.ms/s/jiffies/hz whose handler reads the interrupted
 * task, timer.profile) fire in hard interrupt context from hrtimers, as
 * BPF's fire from a cpu-clock perf event: one timer, or one pinned to each
 * CPU. The handler runs at frame level 1, as BPF's perf programs do, so a
 * kprobe handler it interrupts keeps its frame.
 */
static enum hrtimer_restart stp_timer_fire(struct hrtimer *t)
{
	struct stp_ktimer *k = container_of(t, struct stp_ktimer, t);
	k->p->timer_fn(get_irq_regs());
	hrtimer_forward_now(t, ns_to_ktime(k->p->period_ns));
	return HRTIMER_RESTART;
}

static void stp_timer_start(struct stp_ktimer *k, struct stp_kmod_probe *p, enum hrtimer_mode mode)
{
	k->p = p;
	hrtimer_init(&k->t, CLOCK_MONOTONIC, mode);
	k->t.function = stp_timer_fire;
	k->on = true;
	hrtimer_start(&k->t, ns_to_ktime(p->period_ns), mode);
}

static void stp_timer_start_cpu(void *data)
{
	struct stp_kmod_probe *p = data;
	stp_timer_start(this_cpu_ptr(p->cpus), p, HRTIMER_MODE_REL_PINNED_HARD);
}

static int stp_timer_on(struct stp_kmod_probe *p)
{
	if (!p->all_cpus) {
		stp_timer_start(&p->one, p, HRTIMER_MODE_REL_HARD);
		return 0;
	}
	p->cpus = alloc_percpu(struct stp_ktimer);
	if (!p->cpus)
		return -ENOMEM;
	cpus_read_lock();
	on_each_cpu(stp_timer_start_cpu, p, 1);
	cpus_read_unlock();
	return 0;
}

static void stp_timer_off(struct stp_kmod_probe *p)
{
	int cpu;
	if (!p->all_cpus) {
		hrtimer_cancel(&p->one.t);
		return;
	}
	for_each_possible_cpu(cpu) {
		struct stp_ktimer *k = per_cpu_ptr(p->cpus, cpu);
		if (k->on)
			hrtimer_cancel(&k->t);
	}
	free_percpu(p->cpus);
	p->cpus = NULL;
}

static void stp_find_tp(struct tracepoint *tp, void *priv)
{
	struct stp_kmod_probe *p = priv;
	if (!p->tp && !strcmp(tp->name, p->target))
		p->tp = tp;
}

static int stp_probe_on(struct stp_kmod_probe *p)
{
	int rc;
	switch (p->kind) {
	case STP_KM_KPROBE:
		memset(&p->kp, 0, sizeof(p->kp));
		p->kp.symbol_name = p->target;
		p->kp.pre_handler = p->pre;
		rc = register_kprobe(&p->kp);
		break;
	case STP_KM_KRETPROBE:
		memset(&p->krp, 0, sizeof(p->krp));
		p->krp.kp.symbol_name = p->target;
		p->krp.handler = p->ret;
		rc = register_kretprobe(&p->krp);
		break;
	case STP_KM_TIMER:
		rc = stp_timer_on(p);
		break;
	default:
		for_each_kernel_tracepoint(stp_find_tp, p);
		rc = p->tp ? tracepoint_probe_register(p->tp, p->tp_fn, NULL) : -ENOENT;
	}
	p->on = rc == 0;
	return rc;
}

static void stp_probe_off(struct stp_kmod_probe *p)
{
	if (!p->on)
		return;
	if (p->kind == STP_KM_KPROBE)
		unregister_kprobe(&p->kp);
	else if (p->kind == STP_KM_KRETPROBE)
		unregister_kretprobe(&p->krp);
	else if (p->kind == STP_KM_TIMER)
		stp_timer_off(p);
	else
		tracepoint_probe_unregister(p->tp, p->tp_fn, NULL);
	p->on = false;
}

static struct stp_kmod_probe *stp_probes_all;
static int stp_nprobes;
static DEFINE_MUTEX(stp_probes_lock);
static bool stp_started;

static void stp_probes_stop(void)
{
	int i;
	mutex_lock(&stp_probes_lock);
	if (stp_started) {
		for (i = 0; i < stp_nprobes; i++)
			stp_probe_off(&stp_probes_all[i]);
		/* No handler of ours runs, nor will, once this returns. */
		tracepoint_synchronize_unregister();
		stp_started = false;
	}
	mutex_unlock(&stp_probes_lock);
}

/*
 * Probe n on (the tool asks for each probe it wants, in order, and skips
 * those a '!' alternative before them made unneeded): 0 or its error.
 */
static int stp_probe_start(unsigned int n)
{
	int rc = 0;
	if (n >= (unsigned int)stp_nprobes)
		return -EINVAL;
	mutex_lock(&stp_probes_lock);
	stp_started = true;
	if (!stp_probes_all[n].on)
		rc = stp_probe_on(&stp_probes_all[n]);
	mutex_unlock(&stp_probes_lock);
	return rc;
}

/* ------------------------------------------------------------ /proc/MODULE */

static atomic_t stp_opened = ATOMIC_INIT(0);
static DEFINE_MUTEX(stp_read_lock);

static int stp_open(struct inode *inode, struct file *f)
{
	return atomic_cmpxchg(&stp_opened, 0, 1) ? -EBUSY : 0;
}

static int stp_release(struct inode *inode, struct file *f)
{
	stp_exiting = 1;
	stp_probes_stop();
	atomic_set(&stp_opened, 0);
	return 0;
}

static ssize_t stp_write(struct file *f, const char __user *buf, size_t n, loff_t *pos)
{
	char cmd[16] = { 0 };
	unsigned int probe;
	int rc;
	if (n >= sizeof(cmd) || copy_from_user(cmd, buf, n))
		return -EINVAL;
	if (sscanf(cmd, STP_KMOD_PROBE_ON " %u", &probe) != 1)
		return -EINVAL;
	rc = stp_probe_start(probe);
	return rc ? rc : (ssize_t)n;
}

static ssize_t stp_read(struct file *f, char __user *buf, size_t n, loff_t *pos)
{
	size_t done = 0;
	mutex_lock(&stp_read_lock);
	for (;;) {
		u64 tail = stp_ring_tail;
		u32 hv, len;
		const char *h;
		if (tail == smp_load_acquire(&stp_ring_head))
			break;
		h = stp_ring + (tail & (STP_RINGBUF_SIZE - 1));
		hv = smp_load_acquire((const u32 *)h);
		if (hv & STP_HDR_BUSY)
			break;
		if (hv & STP_HDR_PAD) {
			smp_store_release(&stp_ring_tail, tail + (hv & ~STP_HDR_PAD));
			continue;
		}
		len = hv;
		if (done + 4 + len > n)
			break;
		if (copy_to_user(buf + done, &len, 4) || copy_to_user(buf + done + 4, h + 8, len)) {
			mutex_unlock(&stp_read_lock);
			return done ? (ssize_t)done : -EFAULT;
		}
		done += 4 + len;
		smp_store_release(&stp_ring_tail, tail + 8 + ALIGN((u64)len, 8));
	}
	mutex_unlock(&stp_read_lock);
	return (ssize_t)done;
}

static DECLARE_WAIT_QUEUE_HEAD(stp_wq);

static __poll_t stp_poll(struct file *f, poll_table *wait)
{
	poll_wait(f, &stp_wq, wait);
	return READ_ONCE(stp_ring_head) != READ_ONCE(stp_ring_tail) ? EPOLLIN | EPOLLRDNORM : 0;
}

static int stp_mmap(struct file *f, struct vm_area_struct *vma)
{
	if (vma->vm_end - vma->vm_start > PAGE_ALIGN(stp_area_size))
		return -EINVAL;
	return remap_vmalloc_range(vma, stp_area, vma->vm_pgoff);
}

static long stp_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	if (cmd != STP_KMOD_IOC_MAP)
		return -ENOTTY;
	return stp_kmap_ioctl((struct stp_kmod_map_op __user *)arg);
}

static const struct proc_ops stp_proc_ops = {
	.proc_open = stp_open,
	.proc_release = stp_release,
	.proc_read = stp_read,
	.proc_write = stp_write,
	.proc_poll = stp_poll,
	.proc_mmap = stp_mmap,
	.proc_ioctl = stp_ioctl,
	.proc_lseek = noop_llseek,
};

static void stp_kmod_free(void)
{
	int i;
	for (i = 0; i < stp_nkmaps; i++)
		stp_kmap_free(stp_kmaps[i]);
	if (stp_frames)
		free_percpu(stp_frames);
	vfree(stp_ring);
	vfree(stp_area);
}

static int stp_kmod_init(struct stp_kmod_probe *probes, int n, struct stp_kmap **maps,
			 int nmaps, const void *kg, size_t kg_size)
{
	int i;
	stp_probes_all = probes;
	stp_nprobes = n;
	stp_kmaps = maps;
	stp_nkmaps = nmaps;
	for (i = 0; i < nmaps; i++)
		if (stp_kmap_alloc(maps[i])) {
			stp_kmod_free();
			return -ENOMEM;
		}
	stp_area_size = STP_KMOD_KG_OFFSET + kg_size;
	stp_area = vmalloc_user(PAGE_ALIGN(stp_area_size));
	stp_ring = vmalloc(STP_RINGBUF_SIZE);
	stp_frames = alloc_percpu(struct stp_frames);
	if (!stp_area || !stp_ring || !stp_frames) {
		stp_kmod_free();
		return -ENOMEM;
	}
	memcpy(stp_area + STP_KMOD_KG_OFFSET, kg, kg_size);
	stp_shared->area_size = stp_area_size;
	if (!proc_create(THIS_MODULE->name, 0600, NULL, &stp_proc_ops)) {
		stp_kmod_free();
		return -ENOMEM;
	}
	return 0;
}

static void stp_kmod_exit(void)
{
	remove_proc_entry(THIS_MODULE->name, NULL);
	stp_probes_stop();
	stp_kmod_free();
}

/*
 * The module's entry points, after NAME.stp.h: its probes, its arrays (a
 * NULL-ended list) and its scalar globals' first values.
 */
#define STP_KMOD_MODULE(probes, maps, kg_init)                                                 \
	static int __init stp_init(void)                                                      \
	{                                                                                      \
		return stp_kmod_init(probes, ARRAY_SIZE(probes), maps, ARRAY_SIZE(maps) - 1,   \
				     &(kg_init), sizeof(kg_init));                             \
	}                                                                                      \
	static void __exit stp_exit(void)                                                     \
	{                                                                                      \
		stp_kmod_exit();                                                               \
	}                                                                                      \
	module_init(stp_init);                                                                 \
	module_exit(stp_exit);                                                                 \
	MODULE_LICENSE("Dual BSD/GPL");                                                        \
	MODULE_DESCRIPTION("probes of a SystemTap script, built by stapc")

#endif /* STP_KMOD_H */
