/* SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause */
/*
 * ref.h - the user-space shape all hand-written references share, written
 * the way libbpf-tools writes its tools: a skeleton opened, loaded and
 * attached, a "ready" line once the probes are live (what a script's begin
 * probe prints), then a wait for SIGINT/SIGTERM or -T SECS, then detach
 * and print. -B exits right after attaching: the "exits in begin" case.
 */
#ifndef REF_H
#define REF_H

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

struct ref_opts {
	double secs; /* -T: stop after this many seconds (0: until a signal) */
	bool exit_in_begin; /* -B */
	bool fork_detach; /* -F: an experiment, see ref_fork_detach() */
};

static volatile sig_atomic_t ref_exiting;

static void ref_on_signal(int sig)
{
	(void)sig;
	ref_exiting = 1;
}

static int ref_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !getenv("REF_VERBOSE"))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void ref_init(int argc, char **argv, struct ref_opts *o)
{
	int c;
	memset(o, 0, sizeof(*o));
	while ((c = getopt(argc, argv, "T:BFh")) != -1) {
		switch (c) {
		case 'T':
			o->secs = atof(optarg);
			break;
		case 'B':
			o->exit_in_begin = true;
			break;
		case 'F':
			o->fork_detach = true;
			break;
		default:
			fprintf(stderr, "usage: %s [-T SECS] [-B] [-F]\n", argv[0]);
			exit(c == 'h' ? 0 : 2);
		}
	}
	libbpf_set_print(ref_print);
	struct sigaction sa = { .sa_handler = ref_on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* The probes are attached: say so, as a script's begin probe would. */
static void ref_ready(void)
{
	fputs("ready\n", stdout);
	fflush(stdout);
}

static double ref_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Waits for a signal or the -T deadline, calling tick (if any) every
 * period_us: a ring-buffer drain. Without a tick it sleeps in sigsuspend,
 * so a signal ends the wait at once.
 */
static void ref_wait(const struct ref_opts *o, void (*tick)(void *), void *arg, long period_us)
{
	double deadline = o->secs > 0 ? ref_now() + o->secs : 0;
	if (o->exit_in_begin)
		return;
	if (!tick) {
		sigset_t block, old;
		sigemptyset(&block);
		sigaddset(&block, SIGINT);
		sigaddset(&block, SIGTERM);
		sigaddset(&block, SIGALRM);
		sigprocmask(SIG_BLOCK, &block, &old);
		if (deadline) {
			struct sigaction sa = { .sa_handler = ref_on_signal };
			sigaction(SIGALRM, &sa, NULL);
			struct itimerval it = { .it_value = { (long)o->secs,
							      (long)((o->secs - (long)o->secs) * 1e6) } };
			setitimer(ITIMER_REAL, &it, NULL);
		}
		while (!ref_exiting)
			sigsuspend(&old);
		sigprocmask(SIG_SETMASK, &old, NULL);
		return;
	}
	struct timespec ts = { period_us / 1000000, (period_us % 1000000) * 1000 };
	while (!ref_exiting) {
		tick(arg);
		if (deadline && ref_now() >= deadline)
			break;
		nanosleep(&ts, NULL);
	}
	tick(arg);
}

/* Prints a comm-keyed u64 hash map as stap's autoprint does: NAME["k"]=v. */
static inline void ref_print_comm_map(const char *name, int fd)
{
	char key[16], next[16];
	unsigned long long v;
	void *prev = NULL;
	while (bpf_map_get_next_key(fd, prev, next) == 0) {
		if (bpf_map_lookup_elem(fd, next, &v) == 0)
			printf("%s[\"%.16s\"]=%llu\n", name, next, v);
		memcpy(key, next, sizeof(key));
		prev = key;
	}
}

/*
 * -F, an experiment and not part of the reference: detaching a classic
 * (perf-event) tracepoint waits for a kernel grace period, ~65 ms per
 * tracepoint, whether the tool closes its fds or exit() does: whoever drops
 * the last reference pays. Here a child inherits the fds, waits until the
 * tool has exited (EOF on a pipe), then detaches: the tool itself exits at
 * once, its probes stay attached ~65 ms longer. Returns in the child only
 * (which goes on to destroy the skeleton and exit).
 */
static inline void ref_fork_detach(const struct ref_opts *o)
{
	int fds[2];
	char c;

	if (!o->fork_detach || pipe(fds))
		return;
	fflush(NULL);
	if (fork() != 0)
		_exit(0);
	close(fds[1]);
	while (read(fds[0], &c, 1) > 0)
		;
	close(fds[0]);
}

#endif
