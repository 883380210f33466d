// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * procfs.c - the files of procfs probes, served as FIFOs.
 *
 * A module would make /proc/systemtap/MODULE/NAME; a tool makes the FIFO
 * /var/tmp/systemtap-USER/TOOL/NAME, as stap's BPF runtime does. The loop
 * calls stp_procfs_serve() every few milliseconds:
 *
 * - a read file: opening its FIFO for writing without blocking succeeds
 *   only while a reader waits. Then the handler makes $value, which is
 *   written whole (the pipe is sized for it first, so a slow reader never
 *   stalls the tool), and the FIFO is replaced by a fresh one before it is
 *   closed: the reader gets its end of file, and a reader that comes later
 *   opens the new FIFO and waits for its own turn instead of being taken
 *   for the one just served.
 * - a write file: the tool holds the FIFO's read end open, so writers never
 *   block; when its writers have all closed it, the handler runs with
 *   $value set to what they wrote.
 *
 * The folder is locked (flock) while the tool runs; a second tool of the
 * same name uses TOOL.PID. Everything is removed when the tool stops.
 */
#include "stp_gen.h"
#include "stp_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static struct {
	char dir[256];
	int dir_fd;   /* holds the folder's lock */
	int *read_fd; /* per write probe: the FIFO's read end; -1 for read probes */
	char **pending; /* per write probe: what its writers sent so far */
	char *value;  /* $value of the handler running */
	size_t cap;   /* its size, with the terminating NUL */
} pf = { .dir_fd = -1 };

const char *stp_procfs_value(struct stp_rt *rt)
{
	(void)rt;
	return pf.value ? pf.value : "";
}

void stp_procfs_set(struct stp_rt *rt, const char *s, int append)
{
	(void)rt;
	if (!pf.value)
		return;
	size_t have = append ? strlen(pf.value) : 0;
	size_t n = strnlen(s, pf.cap - 1 - have);
	memmove(pf.value + have, s, n);
	pf.value[have + n] = 0;
}

/* The user's name, from /etc/passwd (a static tool has no NSS); else the uid. */
static void user_name(char *out, size_t size)
{
	uid_t uid = geteuid();
	snprintf(out, size, "%u", (unsigned)uid);
	FILE *f = fopen("/etc/passwd", "re");
	if (!f)
		return;
	char line[512];
	while (fgets(line, sizeof(line), f)) {
		char *name = strtok(line, ":"), *pw = strtok(NULL, ":"), *id = strtok(NULL, ":");
		if (name && pw && id && strtoul(id, NULL, 10) == uid) {
			snprintf(out, size, "%s", name);
			break;
		}
	}
	fclose(f);
}

static int mode_of(const struct stp_procfs_desc *p)
{
	/* stap: 0400 for reading, 0200 for writing; umask(N) takes bits from 0444 or 0222. */
	int base = p->write ? 0222 : 0444;
	int umask = p->umask >= 0 ? (int)p->umask : p->write ? 0022 : 0044;
	return base & ~umask;
}

/* A fresh FIFO for p at its path, with its mode exactly. */
static int make_fifo(const struct stp_procfs_desc *p)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", pf.dir, p->path);
	unlink(path);
	if (mkfifo(path, 0600) != 0 || chmod(path, (mode_t)mode_of(p)) != 0) {
		fprintf(stderr, "ERROR: cannot make %s for %s: %s\n", path, p->pp, strerror(errno));
		return -1;
	}
	return 0;
}

/* Removes folder dir of base if no tool holds it: one a SIGKILL left behind. */
static void remove_if_stale(int base_fd, const char *dir)
{
	int fd = openat(base_fd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	DIR *d = flock(fd, LOCK_EX | LOCK_NB) == 0 ? fdopendir(dup(fd)) : NULL;
	struct dirent *de;
	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.')
			unlinkat(fd, de->d_name, 0);
	if (d) {
		closedir(d);
		unlinkat(base_fd, dir, AT_REMOVEDIR);
	}
	close(fd);
}

/* The folders NAME.PID that copies of this tool killed with SIGKILL left. */
static void sweep_stale(const char *base, const char *tool)
{
	DIR *d = opendir(base);
	if (!d)
		return;
	size_t n = strlen(tool);
	struct dirent *de;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, tool, n) && de->d_name[n] == '.' && de->d_name[n + 1] &&
		    strspn(de->d_name + n + 1, "0123456789") == strlen(de->d_name + n + 1))
			remove_if_stale(dirfd(d), de->d_name);
	closedir(d);
}

/* /var/tmp/systemtap-USER/NAME, made and locked; NAME.PID if another tool has NAME. */
static int open_dir(const char *tool)
{
	char user[64], base[128];
	user_name(user, sizeof(user));
	snprintf(base, sizeof(base), "/var/tmp/systemtap-%s", user);
	if (mkdir(base, 0755) != 0 && errno != EEXIST)
		goto fail;
	for (int attempt = 0; attempt < 2; attempt++) {
		if (attempt)
			snprintf(pf.dir, sizeof(pf.dir), "%s/%s.%d", base, tool, (int)getpid());
		else
			snprintf(pf.dir, sizeof(pf.dir), "%s/%s", base, tool);
		if (mkdir(pf.dir, 0755) != 0 && errno != EEXIST)
			goto fail;
		pf.dir_fd = open(pf.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (pf.dir_fd < 0)
			goto fail;
		if (flock(pf.dir_fd, LOCK_EX | LOCK_NB) == 0) {
			sweep_stale(base, tool);
			return 0;
		}
		close(pf.dir_fd);
		pf.dir_fd = -1;
	}
	errno = EBUSY;
fail:
	fprintf(stderr, "ERROR: cannot make the folder of the procfs files, %s: %s\n",
		pf.dir[0] ? pf.dir : "/var/tmp", strerror(errno));
	return -1;
}

int stp_procfs_open(struct stp_rt *rt)
{
	const struct stp_tool *t = rt->tool;
	if (open_dir(t->name) != 0)
		return -1;
	pf.read_fd = malloc(sizeof(int) * (size_t)t->nprocfs);
	pf.pending = calloc((size_t)t->nprocfs, sizeof(char *));
	for (int i = 0; i < t->nprocfs; i++)
		pf.read_fd[i] = -1;
	for (int i = 0; i < t->nprocfs; i++) {
		const struct stp_procfs_desc *p = &t->procfs[i];
		if (make_fifo(p) != 0)
			return -1;
		if (p->write) {
			char path[512];
			snprintf(path, sizeof(path), "%s/%s", pf.dir, p->path);
			pf.read_fd[i] = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
			if (pf.read_fd[i] < 0) {
				fprintf(stderr, "ERROR: cannot open %s: %s\n", path, strerror(errno));
				return -1;
			}
		}
	}
	if (rt->verbose)
		fprintf(stderr, "procfs files in %s\n", pf.dir);
	return 0;
}

/* Runs p's handler with a $value of cap bytes, set to init. */
static void run(struct stp_rt *rt, const struct stp_procfs_desc *p, size_t cap, const char *init)
{
	pf.cap = cap;
	pf.value = calloc(1, cap);
	snprintf(pf.value, cap, "%s", init);
	p->fn(rt);
	stp_out_flush(rt);
}

/* A reader waits on read file p: the handler's $value is its answer. */
static void serve_read(struct stp_rt *rt, const struct stp_procfs_desc *p)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", pf.dir, p->path);
	int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return; /* ENXIO: nobody reads it now */
	run(rt, p, (size_t)(p->maxsize > 0 ? p->maxsize : rt->tool->maxstringlen), "");
	size_t len = strlen(pf.value);
	if ((size_t)fcntl(fd, F_GETPIPE_SZ) < len)
		fcntl(fd, F_SETPIPE_SZ, (int)len);
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, pf.value + off, len - off);
		if (n <= 0)
			break; /* the reader left, or the pipe could not grow: it gets what fit */
		off += (size_t)n;
	}
	free(pf.value);
	pf.value = NULL;
	make_fifo(p); /* before the close: see the top of the file */
	close(fd);
}

/*
 * What writers sent to write file p, once they have all closed it: the
 * handler runs once per such session with what it wrote (to MAXSTRINGLEN),
 * as a module's runs once per write. Writers whose sessions overlap, or
 * end within one period of the loop, come as one.
 */
static void serve_write(struct stp_rt *rt, const struct stp_procfs_desc *p, int i)
{
	size_t cap = (size_t)rt->tool->maxstringlen;
	if (!pf.pending[i])
		pf.pending[i] = calloc(1, cap);
	char *buf = pf.pending[i], drop[512];
	size_t have = strlen(buf);
	ssize_t n;
	while ((n = read(pf.read_fd[i], have < cap - 1 ? buf + have : drop,
			 have < cap - 1 ? cap - 1 - have : sizeof(drop))) > 0)
		if (have < cap - 1)
			buf[have += (size_t)n] = 0;
	if (n < 0 || !have)
		return; /* EAGAIN: a writer is still at it; or nothing came */
	run(rt, p, cap, buf);
	free(pf.value);
	pf.value = NULL;
	buf[0] = 0;
}

void stp_procfs_serve(struct stp_rt *rt)
{
	const struct stp_tool *t = rt->tool;
	for (int i = 0; i < t->nprocfs && pf.dir_fd >= 0 && !rt->exiting && !stp_interrupt; i++) {
		if (t->procfs[i].write)
			serve_write(rt, &t->procfs[i], i);
		else
			serve_read(rt, &t->procfs[i]);
	}
}

void stp_procfs_close(struct stp_rt *rt)
{
	const struct stp_tool *t = rt->tool;
	if (pf.dir_fd < 0)
		return;
	for (int i = 0; i < t->nprocfs; i++) {
		if (pf.read_fd && pf.read_fd[i] >= 0)
			close(pf.read_fd[i]);
		free(pf.pending ? pf.pending[i] : NULL);
		unlinkat(pf.dir_fd, t->procfs[i].path, 0);
	}
	free(pf.read_fd);
	free(pf.pending);
	pf.read_fd = NULL;
	pf.pending = NULL;
	rmdir(pf.dir);
	close(pf.dir_fd);
	pf.dir_fd = -1;
}
