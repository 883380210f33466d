// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * lifecycle.c - a generated tool's life, libbpf-tools' shape:
 *
 *   options -> preflight -> open -> choose variants -> load (load.c)
 *   -> -G values -> attach (attach.c)
 *   -> begin probes -> event loop (ring buffer, timers, -c, -T, signals)
 *   -> end probes -> detach -> exit status
 *
 * Nothing stays attached on any way out, whatever the reason it stops:
 * every link is destroyed, by a child that does it once the tool has
 * exited (detach.c), so that the user does not wait for it.
 */
#include "flamegraph.h"
#include "sites.h"
#include "stp_gen.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/*
	 * libbpf speaks only with -vv: with -v the tool says in its own words
	 * which variant failed and why. Its last words are kept for errors.
	 */
	(void)level;
	if (stp_verbosity >= 2)
		return vfprintf(stderr, fmt, ap);
	stp_log_append(fmt, ap);
	return 0;
}

/* BPF's counters: probes skipped (their frame was busy), records lost. */
static void read_counters(struct stp_session *ss, uint64_t *skipped, uint64_t *lost)
{
	*skipped = *lost = 0;
	if (ss->kmod_area) {
		stp_kmod_counters(ss, skipped, lost);
		return;
	}
	struct bpf_map *m = ss->obj ? bpf_object__find_map_by_name(ss->obj, "stp_counters") : NULL;
	if (!m)
		return;
	int ncpus = libbpf_num_possible_cpus();
	uint64_t *v = calloc((size_t)ncpus, sizeof(uint64_t));
	for (uint32_t key = 0; key < 2 && v; key++) {
		if (bpf_map_lookup_elem(bpf_map__fd(m), &key, v))
			continue;
		uint64_t sum = 0;
		for (int c = 0; c < ncpus; c++)
			sum += v[c];
		*(key ? lost : skipped) = sum;
	}
	free(v);
}

/* The end of a run: end probes, then everything detached, then the status. */
static int finish(struct stp_rt *rt, struct stp_session *ss)
{
	/*
	 * The end probes run after a stop, anew interruptible by the next
	 * signal. An error beyond MAXERRORS (before or in them) skips the
	 * rest, and the error probes run instead, as in stap.
	 */
	if (!ss->ended) {
		ss->ended = true;
		alarm(0); /* -T's time is up, or no longer matters: not a stop of the end probes */
		stp_interrupt = 0;
		if (!rt->aborted)
			stp_run_ends(rt);
		if (!rt->aborted && rt->tool->autoprint)
			rt->tool->autoprint(rt);
		if (rt->aborted)
			stp_run_errors(rt);
	}
	stp_out_flush(rt);
	if (stp_flame_finish() != 0)
		stp_say("cannot write the flame graph %s: %s", ss->flamegraph_path, strerror(errno));
	uint64_t skipped = 0, lost = 0;
	read_counters(ss, &skipped, &lost);
	if (rt->errors || skipped)
		fprintf(stderr, "WARNING: Number of errors: %lld, skipped probes: %llu\n",
			(long long)rt->errors, (unsigned long long)skipped);
	if (lost)
		fprintf(stderr, "WARNING: %llu output records were lost: the ring buffer was full\n",
			(unsigned long long)lost);
	/* The kernel module's unload and procfs's files stay here, in order. */
	stp_kmod_unload(ss);
	stp_procfs_close(rt);
	stp_why_not_free();
	stp_ksym_free();
	stp_system_wait();
	stp_child_reap(ss);
	if (rt->out && rt->out != stdout)
		fclose(rt->out);
	/* Last: everything is out; the slow detach is a child's (detach.c). */
	stp_detach_after_exit(rt, ss);
	free(ss->viable);
	return rt->exit_status;
}

/* The probes could not all be loaded and attached: nothing ran, no end probes. */
static int fail_to_start(struct stp_rt *rt, struct stp_session *ss)
{
	stp_child_kill(ss);
	rt->exit_status = 1;
	ss->ended = true;
	return finish(rt, ss);
}

int stp_main(const struct stp_tool *tool, int argc, char **argv)
{
	struct stp_rt rt = { .tool = tool, .out = stdout };
	struct stp_session ss = { 0 };
	stp_parse_options(&rt, &ss, argc, argv);
	stp_verbosity = rt.verbose;
	/*
	 * Output to a file or a pipe is written in large blocks (it is flushed
	 * after every drain, timer and begin or end probe all the same).
	 */
	if (!isatty(fileno(rt.out)))
		setvbuf(rt.out, NULL, _IOFBF, 1 << 16);
	/* Built with --trust: nothing loads unless the file is as signed. */
	if (stp_trust_check(tool) != 0)
		return 1;
	libbpf_set_print(libbpf_print);

	stp_catch_stop_signals();

	/* A module tool's kernel side is its module (kmod.c), not BPF. */
	bool bpf = tool->nkprobes && !tool->nkmods;
	if (bpf && stp_preflight(&rt) != 0)
		return 1;
	if (ss.command && stp_child_prepare(&rt, &ss) != 0)
		return 1;
	if (bpf && stp_load(&rt, &ss) != 0)
		return fail_to_start(&rt, &ss);
	if (tool->nkmods && stp_kmod_load(&rt, &ss) != 0)
		return fail_to_start(&rt, &ss);
	/* -G values are in place before any probe can fire. */
	stp_apply_global_options(&rt, &ss);
	if (bpf && stp_attach(&rt, &ss) != 0)
		return fail_to_start(&rt, &ss);
	if (tool->nkmods && stp_kmod_attach(&rt, &ss) != 0)
		return fail_to_start(&rt, &ss);
	if (tool->nprocfs && stp_procfs_open(&rt) != 0)
		return fail_to_start(&rt, &ss);

	/* -T: a signal, so that it also stops a begin probe that loops. */
	if (ss.timeout_s)
		alarm((unsigned)ss.timeout_s);
	stp_run_begins(&rt);
	/*
	 * -c's command runs once the begin probes have: what they set (a
	 * global a kernel probe reads) is there for its first event, as in
	 * stap. A run that begin already ended never starts it.
	 */
	if (ss.command && !rt.exiting && !stp_stop_requested())
		stp_child_start(&ss);
	else if (ss.command)
		stp_child_kill(&ss);
	while (!rt.exiting && !stp_stop_requested()) {
		if (ss.command && stp_child_done(&ss))
			break;
		stp_poll(&rt, &ss, 0);
	}
	/* What BPF wrote before the stop is still output, in order. */
	stp_drain(&rt, &ss);
	return finish(&rt, &ss);
}
