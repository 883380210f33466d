// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * openload SECS JOBS PATH - JOBS processes each openat(2)+close(2) PATH in
 * a loop for SECS seconds; prints the total number of opens and the rate
 * ("opens=N rate=R"). Each open is one event for a tool tracing openat.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: openload SECS JOBS PATH\n");
		return 2;
	}
	double secs = atof(argv[1]);
	int jobs = atoi(argv[2]);
	const char *path = argv[3];
	int fds[2];
	if (pipe(fds))
		return 1;
	double start = now();
	for (int j = 0; j < jobs; j++) {
		if (fork() == 0) {
			long n = 0;
			double end = start + secs;
			close(fds[0]);
			for (;;) {
				for (int i = 0; i < 256; i++, n++) {
					int fd = openat(AT_FDCWD, path, O_RDONLY);
					if (fd < 0) {
						perror(path);
						_exit(1);
					}
					close(fd);
				}
				if (now() >= end)
					break;
			}
			if (write(fds[1], &n, sizeof(n)) != sizeof(n))
				_exit(1);
			_exit(0);
		}
	}
	close(fds[1]);
	long total = 0, n;
	while (read(fds[0], &n, sizeof(n)) == sizeof(n))
		total += n;
	int st, ok = 1;
	while (wait(&st) > 0)
		ok &= WIFEXITED(st) && WEXITSTATUS(st) == 0;
	double took = now() - start;
	printf("opens=%ld\nrate=%.0f\nsecs=%.3f\n", total, total / took, took);
	return ok ? 0 : 1;
}
