// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tkload - the workloads of tests/kmatrix_tapsets.bats, one static binary
 * that runs the same in the busybox guests and on the host:
 *
 *   tkload pages N     write one byte to each of N fresh anonymous pages
 *   tkload fork N      fork N children that exit at once, and reap them
 *   tkload net N       send N bytes over a loopback TCP connection in
 *                      1000-byte send()s and receive them, then send
 *                      5 UDP datagrams of 100 bytes to itself and receive
 *                      them, then disconnect both with connect(AF_UNSPEC)
 *   tkload bio DEV N   read N 4 KiB blocks of block device DEV with O_DIRECT
 *
 * Several in one run do one after the other: tkload net 1000 fork 3.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static int pages(long n)
{
	long sz = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, (size_t)(n * sz), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	if (p == MAP_FAILED)
		die("mmap");
	for (long i = 0; i < n; i++)
		p[i * sz] = 1;
	return 0;
}

static int forks(long n)
{
	for (long i = 0; i < n; i++) {
		pid_t p = fork();
		if (p < 0)
			die("fork");
		if (p == 0)
			_exit(0);
		waitpid(p, NULL, 0);
	}
	return 0;
}

static void unconnect(int fd)
{
	struct sockaddr sa = { .sa_family = AF_UNSPEC };
	if (connect(fd, &sa, sizeof(sa)) < 0)
		die("connect AF_UNSPEC");
}

static int net(long n)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	char buf[1000];
	memset(buf, 'x', sizeof(buf));

	int l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 1) < 0 ||
	    getsockname(l, (struct sockaddr *)&a, &len) < 0)
		die("tcp listen");
	int c = socket(AF_INET, SOCK_STREAM, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("tcp connect");
	int s = accept(l, NULL, NULL);
	if (s < 0)
		die("accept");
	for (long left = n; left > 0;) {
		long k = left < (long)sizeof(buf) ? left : (long)sizeof(buf);
		if (send(c, buf, (size_t)k, 0) != k)
			die("send");
		left -= k;
	}
	for (long got = 0; got < n;) {
		ssize_t k = recv(s, buf, sizeof(buf), 0);
		if (k <= 0)
			die("recv");
		got += k;
	}
	unconnect(c);

	int u = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in b = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	len = sizeof(b);
	if (u < 0 || bind(u, (struct sockaddr *)&b, sizeof(b)) < 0 ||
	    getsockname(u, (struct sockaddr *)&b, &len) < 0 ||
	    connect(u, (struct sockaddr *)&b, sizeof(b)) < 0)
		die("udp socket");
	for (int i = 0; i < 5; i++)
		if (send(u, buf, 100, 0) != 100)
			die("udp send");
	for (int i = 0; i < 5; i++)
		if (recv(u, buf, sizeof(buf), 0) != 100)
			die("udp recv");
	unconnect(u);
	printf("tcp port %d udp port %d\n", ntohs(a.sin_port), ntohs(b.sin_port));
	return 0;
}

static int bio(const char *dev, long n)
{
	int fd = open(dev, O_RDONLY | O_DIRECT);
	if (fd < 0)
		die(dev);
	void *buf;
	if (posix_memalign(&buf, 4096, 4096))
		die("posix_memalign");
	for (long i = 0; i < n; i++)
		if (pread(fd, buf, 4096, i * 4096) != 4096)
			die("pread");
	return 0;
}

int main(int argc, char **argv)
{
	int i = 1, rc = 0;
	while (rc == 0 && i + 1 < argc) {
		if (!strcmp(argv[i], "pages"))
			rc = pages(atol(argv[i + 1]));
		else if (!strcmp(argv[i], "fork"))
			rc = forks(atol(argv[i + 1]));
		else if (!strcmp(argv[i], "net"))
			rc = net(atol(argv[i + 1]));
		else if (!strcmp(argv[i], "bio") && i + 2 < argc)
			rc = bio(argv[i + 1], atol(argv[i + 2])), i++;
		else
			break;
		i += 2;
	}
	if (i == 1 || i < argc) {
		fprintf(stderr, "usage: tkload [pages N | fork N | net N | bio DEV N]...\n");
		return 2;
	}
	return rc;
}
