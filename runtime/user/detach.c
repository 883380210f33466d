// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * detach.c - the last step of a run, off the user's path: closing the last
 * perf event of a classic tracepoint waits for a kernel grace period (tens
 * of ms each), whoever closes it, the tool or its exit. So once the end
 * probes' output is out, a child inherits every link and BPF fd, waits
 * until the tool has exited, detaches them all and exits: the prompt comes
 * back at once, and the probes stay attached only those milliseconds more,
 * with no reader of what they send.
 */
#include "sites.h"
#include "stp_internal.h"

#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Everything detached and closed: links, site expanders' links, the object. */
static void detach_now(struct stp_rt *rt, struct stp_session *ss)
{
	stp_detach_all(ss);
	stp_sites_cleanup(rt->tool);
	if (ss->obj)
		bpf_object__close(ss->obj);
	ss->obj = NULL;
}

/*
 * The child keeps only what holds probes attached (BPF objects, links and
 * perf events are anonymous inodes): not the terminal, nor a pipe a shell
 * or a test harness waits on for its end.
 */
static void keep_only_anon_fds(int keep)
{
	int null = open("/dev/null", O_RDWR);
	for (int fd = 0; fd < 3 && null >= 0; fd++)
		dup2(null, fd);
	if (null > 2)
		close(null);
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);
		char path[64], target[64];
		if (e->d_name[0] == '.' || fd < 3 || fd == keep || fd == dirfd(d))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		ssize_t n = readlink(path, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = 0;
		if (strncmp(target, "anon_inode:", 11))
			close(fd);
	}
	closedir(d);
}

/*
 * The test suite's hook: with STP_TEST_DETACH_HOLD=FILE the child waits
 * until FILE exists, so that a test sees the tool gone while its probes
 * are still attached, then sees them go. A test that fails before it makes
 * FILE must not leave the probes attached for every later test: the wait
 * also ends when FILE's folder goes (bats removes a test's folder) and
 * after a minute.
 */
static void test_hold(void)
{
	const char *f = getenv("STP_TEST_DETACH_HOLD");
	if (!f || !*f)
		return;
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", f);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = 0;
	struct stat st;
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	for (int i = 0; i < 6000 && stat(f, &st) != 0 && (!slash || stat(dir, &st) == 0); i++)
		nanosleep(&tick, NULL);
}

static void detacher(struct stp_rt *rt, struct stp_session *ss, int tool_alive)
{
	char c;
	setsid();
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	keep_only_anon_fds(tool_alive);
	/* EOF: the tool has exited (its end of the pipe closed with it). */
	while (read(tool_alive, &c, 1) > 0 || errno == EINTR)
		errno = 0;
	test_hold();
	detach_now(rt, ss);
	_exit(0);
}

void stp_detach_after_exit(struct stp_rt *rt, struct stp_session *ss)
{
	int p[2];
	if (!ss->nlinks && !ss->obj) {
		detach_now(rt, ss);
		return;
	}
	fflush(NULL); /* the child must not write the tool's buffers again */
	if (pipe2(p, O_CLOEXEC) != 0) {
		detach_now(rt, ss);
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		close(p[1]);
		errno = 0;
		detacher(rt, ss, p[0]);
	}
	close(p[0]);
	if (pid < 0) {
		close(p[1]);
		detach_now(rt, ss);
		return;
	}
	/* p[1] stays open until this process exits: the child's signal. */
	free(ss->links);
	free((void *)ss->attached_pp);
	ss->links = NULL;
	ss->nlinks = 0;
	ss->obj = NULL;
}
