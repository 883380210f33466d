// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * loop.c - the event loop: records from BPF through one ring buffer, and
 * the tool's own timers. BPF submits records without waking the tool
 * (waking per event costs the traced program dearly), so the loop drains
 * the ring on a short period, and sooner when BPF forces a wake-up (the
 * ring half full, or exit()).
 */
#include "stp_gen.h"
#include "stp_internal.h"

#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t stp_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * How long BPF's records may wait before the tool reads them: 20 ms while
 * none come, 1 ms while they do (as the hand-written references drain),
 * so that a busy ring is read before it fills.
 */
#define DRAIN_PERIOD_NS (20 * 1000000LL)
#define BUSY_DRAIN_PERIOD_NS (1000000LL)
/* How long a reader of a procfs file may wait for the tool to notice it. */
#define PROCFS_PERIOD_NS (10 * 1000000LL)

/* Whether the last drain read any record. */
static bool ring_busy;

/* Records the last drain may still read (-1: reading as usual). */
static int64_t drain_budget = -1;

/*
 * A negative return stops libbpf's reading where it is. After an error
 * that ends the run nothing more is read, as stap's probes stop firing;
 * after a stop signal, the loop reads no further, and the last drain reads
 * at most what the ring held: records that the tool's own output keeps
 * triggering (a probe on write()) must not keep it from stopping.
 */
static int on_record(void *ctx, void *data, size_t len)
{
	struct stp_rt *rt = ctx;
	if (rt->aborted)
		return -1;
	if (drain_budget >= 0 ? drain_budget-- == 0 : stp_interrupt)
		return -1;
	rt->tool->on_event(rt, data, len);
	return 0;
}

static void setup(struct stp_rt *rt, struct stp_session *ss)
{
	if (ss->timers || !rt)
		return;
	const struct stp_tool *t = rt->tool;
	ss->timers = calloc((size_t)(t->ntimers ? t->ntimers : 1), sizeof(*ss->timers));
	int64_t now = stp_now_ns();
	for (int i = 0; i < t->ntimers; i++)
		ss->timers[i].next_ns = now + t->timers[i].interval_ns;
	if (ss->obj) {
		struct bpf_map *m = bpf_object__find_map_by_name(ss->obj, "stp_events");
		if (m)
			ss->rb = ring_buffer__new(bpf_map__fd(m), on_record, rt, NULL);
	}
}

static int64_t jitter(int64_t range)
{
	return range ? (int64_t)((uint64_t)rand() % (uint64_t)(2 * range + 1)) - range : 0;
}

static void run_timers(struct stp_rt *rt, struct stp_session *ss)
{
	const struct stp_tool *t = rt->tool;
	int64_t now = stp_now_ns();
	for (int i = 0; i < t->ntimers && !rt->exiting && !stp_interrupt; i++) {
		struct stp_timer_state *ts = &ss->timers[i];
		if (now < ts->next_ns)
			continue;
		t->timers[i].fn(rt);
		stp_out_flush(rt);
		ts->next_ns += t->timers[i].interval_ns + jitter(t->timers[i].randomize_ns);
		/* A handler slower than its period does not queue up runs. */
		if (ts->next_ns < now)
			ts->next_ns = now + t->timers[i].interval_ns;
	}
}

void stp_drain(struct stp_rt *rt, struct stp_session *ss)
{
	setup(rt, ss);
	struct bpf_map *m = ss->obj ? bpf_object__find_map_by_name(ss->obj, "stp_events") : NULL;
	stp_kmod_read(rt, ss, 0, true);
	if (ss->rb && m) {
		/* A record takes at least 16 bytes: its 8-byte header, and data 8-aligned. */
		drain_budget = bpf_map__max_entries(m) / 16;
		ring_buffer__consume(ss->rb);
		drain_budget = -1;
	}
	stp_out_flush(rt);
}

void stp_poll(struct stp_rt *rt, struct stp_session *ss, int64_t deadline)
{
	setup(rt, ss);
	const struct stp_tool *t = rt->tool;
	int64_t now = stp_now_ns();
	int64_t period = ring_busy ? BUSY_DRAIN_PERIOD_NS : DRAIN_PERIOD_NS;
	int64_t wake = now + (ss->rb || ss->kmod_fd > 0 ? period : 1000 * 1000000LL);
	for (int i = 0; i < t->ntimers; i++)
		if (ss->timers[i].next_ns < wake)
			wake = ss->timers[i].next_ns;
	if (t->nprocfs && now + PROCFS_PERIOD_NS < wake)
		wake = now + PROCFS_PERIOD_NS;
	if (deadline && deadline < wake)
		wake = deadline;
	int64_t wait_ns = wake - now;
	if (wait_ns < 0)
		wait_ns = 0;
	if (ss->rb) {
		/* Woken early only by a forced wake-up (exit, or a filling ring). */
		int n = ring_buffer__poll(ss->rb, (int)((wait_ns + 999999) / 1000000));
		int m = ring_buffer__consume(ss->rb);
		ring_busy = n > 0 || m > 0;
	} else if (ss->kmod_fd > 0) {
		stp_kmod_read(rt, ss, (int)((wait_ns + 999999) / 1000000), false);
	} else if (wait_ns) {
		struct timespec ts = { wait_ns / 1000000000LL, wait_ns % 1000000000LL };
		nanosleep(&ts, NULL);
	}
	stp_out_flush(rt);
	/* The target's mappings, for user stacks kept as keys: at most every 20 ms. */
	static int64_t watched;
	if (stp_now_ns() - watched >= DRAIN_PERIOD_NS) {
		watched = stp_now_ns();
		stp_usym_watch(rt->target_pid);
	}
	run_timers(rt, ss);
	stp_procfs_serve(rt);
}

static int cmp_order(const void *a, const void *b)
{
	const struct stp_uprobe_desc *x = a, *y = b;
	return x->order < y->order ? -1 : x->order > y->order;
}

static void run_all(struct stp_rt *rt, const struct stp_uprobe_desc *list, int n)
{
	/* begin(N)/end(N): lower N first; equal ones in script order (stable). */
	struct stp_uprobe_desc *sorted = malloc(sizeof(*sorted) * (size_t)(n ? n : 1));
	memcpy(sorted, list, sizeof(*sorted) * (size_t)n);
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && cmp_order(&sorted[j - 1], &sorted[j]) > 0; j--) {
			struct stp_uprobe_desc tmp = sorted[j];
			sorted[j] = sorted[j - 1];
			sorted[j - 1] = tmp;
		}
	for (int i = 0; i < n; i++) {
		sorted[i].fn(rt);
		stp_out_flush(rt);
		/* exit() or a stop in a begin probe: the later ones do not run. */
		if ((rt->exiting || stp_interrupt) && list == rt->tool->begins)
			break;
		/*
		 * An error that ends the run: no more begin or end probes (the
		 * error probes run); every error probe is still tried.
		 */
		if (rt->aborted && list != rt->tool->errors)
			break;
	}
	free(sorted);
}

void stp_run_begins(struct stp_rt *rt)
{
	run_all(rt, rt->tool->begins, rt->tool->nbegins);
}

void stp_run_ends(struct stp_rt *rt)
{
	run_all(rt, rt->tool->ends, rt->tool->nends);
}

void stp_run_errors(struct stp_rt *rt)
{
	run_all(rt, rt->tool->errors, rt->tool->nerrors);
}
