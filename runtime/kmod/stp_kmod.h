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
 * STP_KMOD_MODULE(probes), after NAME.stp.h (struct stp_kglobals).
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

/* bpf_snprintf's shape over the kernel's: a fault's message has at most three values. */
static __always_inline long bpf_snprintf(char *buf, u32 size, const char *fmt, const u64 *a,
					 u32 len)
{
	u32 n = len / 8;
	return snprintf(buf, size, fmt, n > 0 ? a[0] : 0, n > 1 ? a[1] : 0, n > 2 ? a[2] : 0);
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

/* As BPF's frame (stp_bpf.h): one per CPU and nesting level. */
struct stp_frame {
	u32 busy;
	u32 error;
	u32 unwind;
	u32 esite;
	u64 elen;
	char cmsg[STP_MAXSTRINGLEN];
	char emsg[STP_LAZY_MAX];
	char s[STP_SCRATCH_SIZE];
	struct pt_regs sregs;
};
#define STP_ERR_PIECES 0xffffu

struct stp_frames {
	struct stp_frame f[2];
};
static struct stp_frames __percpu *stp_frames;

/* Probe handlers run with preemption off (kprobes, tracepoints): this CPU's frame is ours. */
static __always_inline struct stp_frame *stp_frame_get(u32 level)
{
	struct stp_frame *f;
	if (stp_exiting)
		return NULL;
	f = &this_cpu_ptr(stp_frames)->f[level & 1];
	if (f->busy) {
		stp_count(0);
		return NULL;
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

/* s =~ re by re's table (stapc/regex.c), as stp_bpf.h's walk. */
static __always_inline int stp_re_match(const unsigned char *t, u32 mask, const char *s)
{
	u32 st = 0;
	for (u32 i = 0; i < STP_MAXSTRINGLEN && s[i]; i++) {
		st = t[((st & mask) << 8) | (unsigned char)s[i]];
		if (st == 1)
			return 1;
	}
	return t[(mask + 1) * 256 + (st & mask)];
}

/* ------------------------------------------------------------ errors (as stp_bpf.h's) */

static __always_inline struct stp_rec stp_error_rec(struct stp_frame *fr)
{
	struct stp_rec r = { .p = fr->emsg, .size = STP_LAZY_MAX };
	return r;
}

static __always_inline void stp_error_at(struct stp_frame *fr, u32 site, u16 where)
{
	struct stp_rec r = stp_error_rec(fr);
	stp_put_str(&r, fr->cmsg);
	stp_put_u8(&r, STP_P_LIT);
	stp_put_u16(&r, where);
	fr->elen = r.off;
	fr->esite = site;
	fr->error = STP_ERR_PIECES;
}

#define STP_ERR_RECORD ((4 + STP_LAZY_MAX + 1 + 7) & ~7)

static __always_inline void stp_report_error(struct stp_frame *fr)
{
	struct stp_rec r;
	if (fr->error != STP_ERR_PIECES) {
		if (fr->error)
			stp_send_error(fr->error - 1);
		return;
	}
	if (stp_rec_begin(&r, STP_ERR_RECORD, fr->esite))
		return;
	stp_put_pieces(&r, fr->emsg, (u32)fr->elen, STP_LAZY_MAX);
	stp_put_u8(&r, STP_P_END);
	stp_rec_end(&r, 1);
}

/* ------------------------------------------------------------ probes */

enum stp_kmod_kind { STP_KM_KPROBE, STP_KM_KRETPROBE, STP_KM_TRACEPOINT };

struct stp_kmod_probe {
	enum stp_kmod_kind kind;
	const char *target; /* the function, or the tracepoint */
	kprobe_pre_handler_t pre;
	kretprobe_handler_t ret;
	void *tp_fn;
	/* What registering made. */
	struct kprobe kp;
	struct kretprobe krp;
	struct tracepoint *tp;
	bool on;
};

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

/* All probes on, or none: the first failure's error, its probe in shared->failed. */
static int stp_probes_start(void)
{
	int i, rc = 0;
	mutex_lock(&stp_probes_lock);
	if (!stp_started) {
		stp_started = true;
		for (i = 0; i < stp_nprobes && !rc; i++) {
			rc = stp_probe_on(&stp_probes_all[i]);
			if (rc)
				stp_shared->failed = i + 1;
		}
	}
	mutex_unlock(&stp_probes_lock);
	if (rc)
		stp_probes_stop();
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
	char cmd[8] = { 0 };
	int rc;
	if (n >= sizeof(cmd) || copy_from_user(cmd, buf, n))
		return -EINVAL;
	if (strcmp(cmd, STP_KMOD_START))
		return -EINVAL;
	rc = stp_probes_start();
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

static const struct proc_ops stp_proc_ops = {
	.proc_open = stp_open,
	.proc_release = stp_release,
	.proc_read = stp_read,
	.proc_write = stp_write,
	.proc_poll = stp_poll,
	.proc_mmap = stp_mmap,
	.proc_lseek = noop_llseek,
};

static void stp_kmod_free(void)
{
	if (stp_frames)
		free_percpu(stp_frames);
	vfree(stp_ring);
	vfree(stp_area);
}

static int stp_kmod_init(struct stp_kmod_probe *probes, int n, const void *kg, size_t kg_size)
{
	stp_probes_all = probes;
	stp_nprobes = n;
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

/* The module's entry points, after NAME.stp.h: its probes and its globals' first values. */
#define STP_KMOD_MODULE(probes, kg_init)                                                      \
	static int __init stp_init(void)                                                      \
	{                                                                                      \
		return stp_kmod_init(probes, ARRAY_SIZE(probes), &(kg_init), sizeof(kg_init)); \
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
