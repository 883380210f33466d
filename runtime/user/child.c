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
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * The words of a command that needs no shell: quotes and backslashes are
 * undone, but any operator, redirection, expansion or glob outside quotes
 * means NULL (the shell runs it).
 */
char **stp_simple_command(const char *cmd)
{
	size_t n = strlen(cmd);
	char *buf = malloc(n + 1), *o = buf;
	char **words = calloc(n / 2 + 2, sizeof(char *));
	int nw = 0;
	bool in_word = false;
	char q = 0;
	for (const char *p = cmd; *p; p++) {
		char c = *p;
		if (q == '\'') {
			if (c == '\'')
				q = 0;
			else
				*o++ = c;
			continue;
		}
		if (q == '"') {
			if (c == '"')
				q = 0;
			else if (c == '\\' && p[1] && strchr("\"\\$`", p[1]))
				*o++ = *++p;
			else if (strchr("$`", c))
				goto shell;
			else
				*o++ = c;
			continue;
		}
		if (c == ' ' || c == '\t') {
			if (in_word) {
				*o++ = 0;
				in_word = false;
			}
			continue;
		}
		if (strchr(";&|<>()$`*?[]\n", c))
			goto shell;
		if (!in_word) {
			words[nw++] = o;
			in_word = true;
		}
		if (c == '\'' || c == '"')
			q = c;
		else if (c == '\\' && p[1])
			*o++ = *++p;
		else
			*o++ = c;
	}
	if (q || !nw)
		goto shell;
	*o = 0;
	return words;
shell:
	free(buf);
	free(words);
	return NULL;
}

void stp_free_command(char **words)
{
	if (words)
		free(words[0]); /* the buffer every word is in */
	free(words);
}

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
		/*
		 * A tool killed with SIGKILL cannot stop its command: the kernel
		 * does. If the tool died before this prctl, the gate below reads
		 * EOF and the command never runs. (No getppid() here: its
		 * probes may already be attached, and target()'s syscalls before
		 * the exec would be the script's first events.)
		 */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
			_exit(127);
		close(ss->child_gate[1]);
		/* Wait for the go; EOF (the tool died) means do not run at all. */
		if (read(ss->child_gate[0], &c, 1) != 1)
			_exit(127);
		close(ss->child_gate[0]);
		signal(SIGPIPE, SIG_DFL);
		/* A simple command runs itself, so that target() is its pid. */
		char **words = stp_simple_command(ss->command);
		if (words) {
			execvp(words[0], words);
			fprintf(stderr, "%s: cannot run %s: %s\n", stp_tool_name, words[0],
				strerror(errno));
			_exit(127);
		}
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
