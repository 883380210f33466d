// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * benchctl - runs one traced measurement and prints what it saw, as
 * key=value lines:
 *
 *   benchctl [--out F] [--err F] [--ready STR | --delay MS] [--load CMD]
 *            [--hold MS] [--exit] [--timeout S] -- TOOL ARG...
 *
 * It starts TOOL with stdout in F (default /dev/null) and stderr in --err,
 * then waits for STR to appear in F (the tool's begin probe printed it: its
 * probes are attached) or for MS milliseconds. Then it runs CMD through
 * /bin/sh with TOOL_PID set, passing on CMD's stdout, waits --hold MS, reads
 * the tool's peak RSS (VmHWM) and stops it with SIGINT. With --exit it only
 * waits for the tool to end by itself (a script that exits in begin).
 *
 *   attach_ms  exec -> STR seen          hwm_kb  VmHWM just before the stop
 *   stop_ms    SIGINT -> exited          total_ms exec -> exited
 *   rc         the tool's exit status (128+N for signal N); ready=0 if STR never came
 *   cpu_ms     user + system CPU time the tool used, all told (wait4)
 *   sigint_again  SIGINTs sent again, one a second, to a tool that did not stop
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static long status_kb(pid_t pid, const char *field)
{
	char path[64], line[256];
	long kb = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = strlen(field);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n) && line[n] == ':')
			kb = atol(line + n + 1);
	fclose(f);
	return kb;
}

static struct rusage usage; /* of the tool, once it ended */

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * Waits up to secs for pid to end; every second it is still there it gets
 * sig again (0: none), as a user presses Ctrl-C again. Past secs it is
 * killed. Returns how many times sig was sent again, or -1 if killed.
 */
static int wait_bounded(pid_t pid, int *st, double secs, int sig)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval one = { .it_value = { 1, 0 } }, off = { 0 };
	double deadline = now_ms() + secs * 1e3;
	int again = 0;

	sigaction(SIGALRM, &sa, NULL);
	for (;;) {
		setitimer(ITIMER_REAL, &one, NULL);
		pid_t r = wait4(pid, st, 0, &usage);
		setitimer(ITIMER_REAL, &off, NULL);
		if (r == pid)
			return again;
		if (r < 0 && errno != EINTR)
			return again;
		if (now_ms() > deadline) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			wait4(pid, st, 0, &usage);
			return -1;
		}
		if (sig) {
			kill(pid, sig);
			again++;
		}
	}
}

static int decode(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Whether STR is in the file (it only grows: we read it whole each time, up to 1 MiB). */
static int file_has(const char *path, const char *str)
{
	static char buf[1 << 20];
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	return memmem(buf, n, str, strlen(str)) != NULL;
}

int main(int argc, char **argv)
{
	const char *out = "/dev/null", *err = NULL, *ready = NULL, *load = NULL;
	long delay = 0, hold = 0;
	double timeout = 120;
	int wait_exit = 0, i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--"))
			break;
		if (i + 1 >= argc && strcmp(a, "--exit")) {
			fprintf(stderr, "benchctl: %s needs a value\n", a);
			return 2;
		}
		if (!strcmp(a, "--out"))
			out = argv[++i];
		else if (!strcmp(a, "--err"))
			err = argv[++i];
		else if (!strcmp(a, "--ready"))
			ready = argv[++i];
		else if (!strcmp(a, "--delay"))
			delay = atol(argv[++i]);
		else if (!strcmp(a, "--load"))
			load = argv[++i];
		else if (!strcmp(a, "--hold"))
			hold = atol(argv[++i]);
		else if (!strcmp(a, "--timeout"))
			timeout = atof(argv[++i]);
		else if (!strcmp(a, "--exit"))
			wait_exit = 1;
		else {
			fprintf(stderr, "benchctl: unknown option %s\n", a);
			return 2;
		}
	}
	if (i + 1 >= argc) {
		fprintf(stderr, "usage: benchctl [OPTIONS] -- TOOL ARG...\n");
		return 2;
	}
	char **tool = argv + i + 1;
	int ofd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int efd = open(err ? err : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (ofd < 0 || efd < 0) {
		perror("benchctl: output file");
		return 2;
	}

	double t0 = now_ms();
	pid_t pid = fork();
	if (pid == 0) {
		dup2(ofd, 1);
		dup2(efd, 2);
		setpgid(0, 0);
		execvp(tool[0], tool);
		fprintf(stderr, "benchctl: cannot run %s: %s\n", tool[0], strerror(errno));
		_exit(127);
	}
	close(ofd);
	close(efd);

	int st = 0, exited = 0, is_ready = 1;
	double t_ready = 0, t_stop = 0, t_end;
	long hwm = -1;

	if (wait_exit) {
		wait_bounded(pid, &st, timeout, 0);
		t_end = now_ms();
		printf("total_ms=%.2f\nrc=%d\n", t_end - t0, decode(st));
		return 0;
	}

	if (ready) {
		is_ready = 0;
		while (!is_ready) {
			if (file_has(out, ready) || (err && file_has(err, ready))) {
				is_ready = 1;
				t_ready = now_ms();
				break;
			}
			if (wait4(pid, &st, WNOHANG, &usage) == pid) {
				exited = 1;
				break;
			}
			if (now_ms() - t0 > timeout * 1e3)
				break;
			sleep_us(50);
		}
	} else {
		sleep_us(delay * 1000);
		t_ready = now_ms();
	}
	if (is_ready && load) {
		char env[32];
		snprintf(env, sizeof(env), "%d", (int)pid);
		setenv("TOOL_PID", env, 1);
		fflush(stdout);
		int rc = system(load);
		if (rc != 0)
			printf("load_rc=%d\n", rc);
	}
	if (is_ready && hold)
		sleep_us(hold * 1000);
	if (!exited) {
		hwm = status_kb(pid, "VmHWM");
		t_stop = now_ms();
		kill(pid, SIGINT);
		int again = wait_bounded(pid, &st, timeout, SIGINT);
		if (again < 0)
			printf("killed=1\n");
		else if (again > 0)
			printf("sigint_again=%d\n", again);
	}
	t_end = now_ms();
	printf("ready=%d\n", is_ready);
	if (is_ready)
		printf("attach_ms=%.2f\n", t_ready - t0);
	if (hwm >= 0)
		printf("hwm_kb=%ld\n", hwm);
	if (t_stop)
		printf("stop_ms=%.2f\n", t_end - t_stop);
	printf("cpu_ms=%.2f\n", usage.ru_utime.tv_sec * 1e3 + usage.ru_utime.tv_usec / 1e3 +
				      usage.ru_stime.tv_sec * 1e3 + usage.ru_stime.tv_usec / 1e3);
	printf("total_ms=%.2f\nrc=%d\n", t_end - t0, decode(st));
	return 0;
}
