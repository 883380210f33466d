// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * kmod.c - a module tool's kernel side (--backend=module): the module
 * built for the running kernel, loaded from the tool's own memory, its
 * records read from /proc/MODULE (runtime/kmod/stp_kmod_abi.h) and handed
 * to the same on_event the BPF ring buffer's records go to.
 *
 * Each run gives its copy of the module a name of its own (two tools of
 * one script run at once), loads it with finit_module on a memfd (else
 * init_module), and removes it on every way out. A run killed with
 * SIGKILL leaves a module whose probes stopped when its file closed: the
 * next start of the same tool removes it.
 */
#include "stp_gen.h"
#include "stp_internal.h"
#include "../kmod/stp_kmod_abi.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

/* The module's /proc file while it is open: maps.c reaches the module's arrays through it. */
static int kmod_fd = -1;

int stp_kmod_fd(void)
{
	return kmod_fd;
}

/* The module built for this kernel's release, or NULL after saying which kernels the tool has. */
static const struct stp_kmod_blob *pick(const struct stp_tool *t)
{
	struct utsname u;
	uname(&u);
	for (int i = 0; i < t->nkmods; i++)
		if (!strcmp(t->kmods[i].release, u.release))
			return &t->kmods[i];
	char list[1024] = "";
	for (int i = 0; i < t->nkmods; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "",
			 t->kmods[i].release);
	stp_say("carries kernel modules for %s only, not for this kernel (%s): rebuild it with "
		"stapc --kernel %s", list, u.release, u.release);
	return NULL;
}

/* The module's name up to the tag: stapc_NAME_. */
static size_t name_stem(const struct stp_kmod_blob *m)
{
	return strlen(m->name) - strlen(STP_KMOD_NAME_TAG) + 1;
}

/* Every copy of the module's name in image, renamed to name (of the same length). */
static void rename_image(unsigned char *image, size_t len, const char *from, const char *to)
{
	size_t n = strlen(from);
	for (size_t i = 0; i + n <= len; i++)
		if (image[i] == (unsigned char)from[0] && !memcmp(image + i, from, n))
			memcpy(image + i, to, n);
}

static void say_load_error(const struct stp_kmod_blob *m, int err)
{
	switch (err) {
	case ENOSYS:
		stp_say("this kernel cannot load modules (it was built without CONFIG_MODULES)");
		break;
	case EPERM:
		stp_say("the kernel refused to load its module: run it as root, and check "
			"/proc/sys/kernel/modules_disabled");
		break;
	case EKEYREJECTED:
	case ENOKEY:
	case EBADMSG:
		stp_say("the kernel loads signed modules only (module.sig_enforce or lockdown) and "
			"this tool's module is not signed by a key it trusts");
		break;
	case ENOEXEC:
		stp_say("the kernel refused its module as built for another kernel (vermagic %s)",
			m->vermagic);
		break;
	default:
		stp_say("cannot load its kernel module: %s", strerror(err));
	}
}

/* finit_module on a memfd holding image, else init_module; 0 or an errno. */
static int load_image(const unsigned char *image, size_t len, const char *name)
{
	int fd = (int)syscall(SYS_memfd_create, name, 1u /* MFD_CLOEXEC */);
	int err = ENOSYS;
	if (fd >= 0) {
		size_t done = 0;
		while (done < len) {
			ssize_t n = write(fd, image + done, len - done);
			if (n <= 0)
				break;
			done += (size_t)n;
		}
		if (done == len && syscall(SYS_finit_module, fd, "", 0) == 0) {
			close(fd);
			return 0;
		}
		err = errno;
		close(fd);
		if (err == EEXIST || err == EPERM)
			return err;
	}
	if (syscall(SYS_init_module, image, len, "") == 0)
		return 0;
	return err == ENOSYS || err == EBADF || err == EINVAL ? errno : err;
}

/*
 * Modules of this tool a killed run left: the run named in the module's
 * name (its pid, the first six digits after the stem) is gone, and no one
 * has its file open. A run that is starting has loaded its module before
 * it opens the file: its pid, alive, keeps it from being taken for one.
 */
static void remove_stale(const struct stp_kmod_blob *m, const char *tool)
{
	FILE *f = fopen("/proc/modules", "re");
	char line[512];
	size_t stem = name_stem(m);
	while (f && fgets(line, sizeof(line), f)) {
		char *sp = strchr(line, ' ');
		if (!sp || (size_t)(sp - line) != strlen(m->name) || strncmp(line, m->name, stem))
			continue;
		*sp = 0;
		char pid[7] = { 0 };
		memcpy(pid, line + stem, 6);
		if (kill((pid_t)strtol(pid, NULL, 16), 0) == 0 || errno != ESRCH)
			continue;
		char path[600];
		snprintf(path, sizeof(path), "/proc/%s", line);
		int fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue; /* EBUSY: another run's */
		close(fd);
		if (syscall(SYS_delete_module, line, O_NONBLOCK) == 0 && stp_verbosity)
			fprintf(stderr, "%s: removed module %s, left by a run that was killed\n",
				tool, line);
	}
	if (f)
		fclose(f);
}

static int map_area(struct stp_rt *rt, struct stp_session *ss)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_SHARED, ss->kmod_fd, 0);
	if (p == MAP_FAILED)
		goto fail;
	size_t size = (size_t)((struct stp_kmod_shared *)p)->area_size;
	size = (size + (size_t)page - 1) & ~((size_t)page - 1);
	if (size > (size_t)page) {
		munmap(p, (size_t)page);
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, ss->kmod_fd, 0);
		if (p == MAP_FAILED)
			goto fail;
	} else {
		size = (size_t)page;
	}
	ss->kmod_area = p;
	ss->kmod_area_len = size;
	rt->kglobals = (char *)p + STP_KMOD_KG_OFFSET;
	return 0;
fail:
	stp_say("cannot map its module's globals: %s", strerror(errno));
	return 1;
}

int stp_kmod_load(struct stp_rt *rt, struct stp_session *ss)
{
	const struct stp_kmod_blob *m = pick(rt->tool);
	if (!m)
		return 1;
	remove_stale(m, rt->tool->name);
	unsigned char *image = malloc(m->len);
	if (!image)
		return 1;
	memcpy(image, m->data, m->len);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	/* Unique while this run lives: its pid (as remove_stale() reads it), then a nonce. */
	unsigned long long id = ((unsigned long long)getpid() & 0xffffff) << 24 |
				(((unsigned long long)ts.tv_nsec ^ (unsigned long long)ts.tv_sec) & 0xffffff);
	size_t stem = name_stem(m);
	snprintf(ss->kmod_name, sizeof(ss->kmod_name), "%.*s%012llx", (int)stem, m->name, id);
	rename_image(image, m->len, m->name, ss->kmod_name);
	int err = load_image(image, m->len, ss->kmod_name);
	free(image);
	if (err) {
		say_load_error(m, err);
		return 1;
	}
	ss->kmod_loaded = true;
	if (stp_verbosity)
		fprintf(stderr, "%s: loaded module %s (kernel %s)\n", rt->tool->name,
			ss->kmod_name, m->release);
	char path[128];
	snprintf(path, sizeof(path), "/proc/%s", ss->kmod_name);
	ss->kmod_fd = open(path, O_RDWR | O_CLOEXEC);
	if (ss->kmod_fd < 0) {
		stp_say("cannot open its module's %s: %s", path, strerror(errno));
		return 1;
	}
	kmod_fd = ss->kmod_fd;
	if (map_area(rt, ss) != 0)
		return 1;
	return rt->tool->bind && rt->tool->bind(rt, NULL) != 0;
}

/*
 * The module's probes on, one per probe of the tool's (the variants of a
 * subgroup are one module probe), in order, as attach.c attaches BPF's: a
 * probe after a '!' alternative that attached stays off, one that cannot
 * be had is an error unless it is optional.
 */
int stp_kmod_attach(struct stp_rt *rt, struct stp_session *ss)
{
	const struct stp_tool *t = rt->tool;
	struct stp_closed_lists closed = { 0 };
	int rc = 0, n = 0;
	for (int i = 0; i < t->nkprobes && !rc; n++) {
		const struct stp_kprobe_desc *k = &t->kprobes[i];
		int end = i + 1;
		while (end < t->nkprobes && t->kprobes[end].subgroup == k->subgroup)
			end++;
		i = end;
		if (stp_alt_superseded(&closed, k)) {
			if (stp_verbosity)
				stp_say("probe %s: not needed, an alternative before it attached", k->pp);
			continue;
		}
		char cmd[32];
		snprintf(cmd, sizeof(cmd), STP_KMOD_PROBE_ON " %d", n);
		if (write(ss->kmod_fd, cmd, strlen(cmd)) >= 0) {
			if (stp_verbosity)
				stp_say("probe %s: attached by the module", k->pp);
			stp_alt_close(&closed, k);
			continue;
		}
		int err = errno;
		if (k->optional) {
			if (stp_verbosity)
				stp_say("probe %s: did not attach (%s)", k->pp, strerror(err));
			continue;
		}
		if (err == ENOENT)
			stp_say("this kernel has nothing %s can attach to", k->pp);
		else
			stp_say("cannot attach %s: %s", k->pp, strerror(err));
		rc = 1;
	}
	free(closed.at);
	return rc;
}

/* The records in buf[0..n): each a u32 length, then the record. */
static void hand_out(struct stp_rt *rt, const char *buf, size_t n, bool drain)
{
	size_t off = 0;
	while (off + 4 <= n) {
		uint32_t len;
		memcpy(&len, buf + off, 4);
		if (off + 4 + len > n || rt->aborted || (!drain && stp_interrupt))
			return;
		rt->tool->on_event(rt, buf + off + 4, len);
		off += 4 + len;
	}
}

void stp_kmod_read(struct stp_rt *rt, struct stp_session *ss, int wait_ms, bool drain)
{
	static char buf[1 << 18];
	if (ss->kmod_fd <= 0)
		return;
	if (wait_ms > 0) {
		struct pollfd p = { .fd = ss->kmod_fd, .events = POLLIN };
		poll(&p, 1, wait_ms);
	}
	/* A last drain reads at most a ring's worth: a probe the tool's output triggers never ends it. */
	size_t budget = drain ? 1 << 20 : (size_t)-1;
	while (budget && !rt->aborted && (drain || !stp_interrupt)) {
		ssize_t n = read(ss->kmod_fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		hand_out(rt, buf, (size_t)n, drain);
		budget = (size_t)n >= budget ? 0 : budget - (size_t)n;
	}
}

void stp_kmod_counters(struct stp_session *ss, uint64_t *skipped, uint64_t *lost)
{
	const struct stp_kmod_shared *sh = ss->kmod_area;
	*skipped = sh ? sh->skipped : 0;
	*lost = sh ? sh->lost : 0;
}

void stp_kmod_unload(struct stp_session *ss)
{
	if (ss->kmod_area)
		munmap(ss->kmod_area, ss->kmod_area_len);
	ss->kmod_area = NULL;
	if (ss->kmod_fd > 0)
		close(ss->kmod_fd); /* the module stops its probes */
	ss->kmod_fd = 0;
	kmod_fd = -1;
	if (!ss->kmod_loaded)
		return;
	ss->kmod_loaded = false;
	for (int i = 0; i < 50; i++) {
		if (syscall(SYS_delete_module, ss->kmod_name, O_NONBLOCK) == 0 || errno == ENOENT)
			return;
		if (errno != EAGAIN && errno != EBUSY)
			break;
		usleep(100000);
	}
	stp_say("cannot remove its module %s: %s; remove it with rmmod %s", ss->kmod_name,
		strerror(errno), ss->kmod_name);
}
