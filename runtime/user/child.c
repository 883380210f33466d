// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * child.c - -c CMD: the command is forked before the probes attach, held
 * on a pipe, and released once they are attached, so that nothing it does
 * is missed; its pid is what target() returns. The run ends when it exits.
 */
#include "stp_internal.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int stp_child_prepare(struct stp_rt *rt, struct stp_session *ss)
{
	if (pipe(ss->child_gate) != 0) {
		stp_say("cannot start the command: %s", strerror(errno));
		return 1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		stp_say("cannot start the command: %s", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		char c;
		close(ss->child_gate[1]);
		/* Wait for the go; EOF (the tool died) means do not run at all. */
		if (read(ss->child_gate[0], &c, 1) != 1)
			_exit(127);
		close(ss->child_gate[0]);
		signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", ss->command, (char *)NULL);
		fprintf(stderr, "%s: cannot run /bin/sh: %s\n", stp_tool_name, strerror(errno));
		_exit(127);
	}
	close(ss->child_gate[0]);
	ss->child = pid;
	rt->target_pid = pid;
	return 0;
}

void stp_child_start(struct stp_session *ss)
{
	if (ss->child_gate[1] > 0) {
		if (write(ss->child_gate[1], "g", 1) != 1)
			stp_say("cannot start the command: %s", strerror(errno));
		close(ss->child_gate[1]);
		ss->child_gate[1] = -1;
	}
}

bool stp_child_done(struct stp_session *ss)
{
	if (ss->child_exited)
		return true;
	int status;
	pid_t r = waitpid(ss->child, &status, WNOHANG);
	if (r == ss->child)
		ss->child_exited = true;
	return ss->child_exited;
}

void stp_child_kill(struct stp_session *ss)
{
	if (ss->child > 0 && !ss->child_exited) {
		if (ss->child_gate[1] > 0) {
			/* Never released: closing the gate makes it exit unrun. */
			close(ss->child_gate[1]);
			ss->child_gate[1] = -1;
		} else {
			kill(ss->child, SIGTERM);
		}
	}
}

void stp_child_reap(struct stp_session *ss)
{
	if (ss->child > 0 && !ss->child_exited) {
		stp_child_kill(ss);
		waitpid(ss->child, NULL, 0);
		ss->child_exited = true;
	}
}
