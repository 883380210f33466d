// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * threads.c - THREADS threads (default 2) each make COUNT getppid() system
 * calls (default 100000), for probes that race on the same array elements
 * from several CPUs at once.
 */
#include <pthread.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static long count = 100000;

static void *run(void *arg)
{
	for (long i = 0; i < count; i++)
		syscall(SYS_getppid);
	return arg;
}

int main(int argc, char **argv)
{
	pthread_t t[16];
	int n = argc > 2 ? atoi(argv[2]) : 2;
	if (argc > 1)
		count = atol(argv[1]);
	if (n < 1 || n > 16)
		return 2;
	for (int i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, run, NULL))
			return 1;
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	return 0;
}
