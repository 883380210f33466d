// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * system.c - system(cmd): /bin/sh -c cmd, started by the tool in the
 * background with its environment and standard output and error, as stap's
 * staprun starts it. What the script printed before comes out first. The
 * commands are not waited for while the tool runs; those still running
 * when it stops are waited for, so none is left a zombie or cut short.
 */
#include "stp_gen.h"
#include "stp_internal.h"

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

extern char **environ;

static pid_t *running;
static int nrunning;

/* Forgets the commands that finished. */
static void reap(bool wait)
{
	int kept = 0;
	for (int i = 0; i < nrunning; i++) {
		pid_t r;
		do
			r = waitpid(running[i], NULL, wait ? 0 : WNOHANG);
		while (r < 0 && errno == EINTR);
		if (r == 0)
			running[kept++] = running[i];
	}
	nrunning = kept;
}

void stp_system(struct stp_rt *rt, const char *cmd)
{
	reap(false);
	stp_out_flush(rt);
	fflush(stdout);
	char *argv[] = { "sh", "-c", (char *)cmd, NULL };
	pid_t pid;
	int err = posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, environ);
	if (err) {
		stp_warn(rt, "system() cannot start /bin/sh");
		return;
	}
	pid_t *v = realloc(running, sizeof(*v) * (size_t)(nrunning + 1));
	if (!v) {
		waitpid(pid, NULL, 0);
		return;
	}
	running = v;
	running[nrunning++] = pid;
}

void stp_system_wait(void)
{
	reap(true);
	free(running);
	running = NULL;
	nrunning = 0;
}
