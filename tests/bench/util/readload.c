// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * readload [N] - N one-byte read(2)s of /dev/zero; prints the mean cost of
 * one call in nanoseconds ("ns_per_call=123.4"). A first N/10 calls warm
 * the caches and are not timed.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 2000000;
	char c;
	struct timespec a, b;
	int fd = open("/dev/zero", O_RDONLY);

	if (fd < 0 || n <= 0) {
		perror("readload: /dev/zero");
		return 1;
	}
	for (long i = 0; i < n / 10; i++)
		if (read(fd, &c, 1) != 1)
			return 1;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++)
		if (read(fd, &c, 1) != 1)
			return 1;
	clock_gettime(CLOCK_MONOTONIC, &b);
	double ns = (b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec);
	printf("ns_per_call=%.1f\ncalls=%ld\n", ns / n, n + n / 10);
	return 0;
}
