// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cache.c - where stapc keeps what it built, and why it may trust it.
 *
 * `stapc script.stp` runs a tool from the cache, usually as root, so the
 * cache must be a folder only the user running stapc can write:
 *
 *   $XDG_CACHE_HOME/stapc, else $HOME/.cache/stapc, else (root, as from a
 *   systemd unit or cron, which set no HOME) /var/cache/stapc, else the
 *   home folder of the passwd entry. Never a shared folder such as /tmp,
 *   which anyone could create first and fill with a tool of their own.
 *
 * The folder is made 0700; an existing one must be a real folder owned by
 * us and writable by nobody else, in a parent nobody else can rename it
 * out of. A cached tool is run only if it is a regular file that we own
 * and nobody else can write. The cache is bounded: after each build the
 * least recently used entries go until it is under STAPC_CACHE_MB
 * (default 256 MiB).
 */
#include "stapc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CACHE_DEFAULT_MB 256

/* The folder stapc would use, without making it (for --help, too). */
const char *cache_path(void)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	/* The XDG spec: a relative XDG_CACHE_HOME is invalid and ignored. */
	if (xdg && xdg[0] == '/')
		return arena_printf("%s/stapc", xdg);
	if (home && home[0] == '/')
		return arena_printf("%s/.cache/stapc", home);
	if (geteuid() == 0)
		return "/var/cache/stapc";
	struct passwd *pw = getpwuid(geteuid());
	if (pw && pw->pw_dir && pw->pw_dir[0] == '/')
		return arena_printf("%s/.cache/stapc", pw->pw_dir);
	return NULL;
}

/* NULL if path is a folder that only we can change, else why not. */
static const char *private_dir_problem(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return arena_printf("cannot use it: %s", strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return "it is not a folder (a link or a file stands there)";
	if (st.st_uid != geteuid())
		return arena_printf("it belongs to uid %u, not to uid %u who runs stapc",
				    (unsigned)st.st_uid, (unsigned)geteuid());
	if (st.st_mode & 022)
		return arena_printf("others can write into it (mode %04o)",
				    (unsigned)(st.st_mode & 07777));
	/* Nobody else may rename it away and put their own in its place. */
	char *parent = arena_strdup(path);
	char *slash = strrchr(parent, '/');
	if (slash && slash != parent)
		*slash = 0;
	else if (slash)
		parent = "/";
	if (stat(parent, &st) != 0)
		return arena_printf("cannot look at %s: %s", parent, strerror(errno));
	if (st.st_uid != geteuid() && st.st_uid != 0)
		return arena_printf("its folder %s belongs to uid %u", parent, (unsigned)st.st_uid);
	if ((st.st_mode & 022) && !(st.st_mode & S_ISVTX))
		return arena_printf("its folder %s is writable by others and not sticky", parent);
	return NULL;
}

const char *cache_dir(void)
{
	static const char *dir;
	if (dir)
		return dir;
	const char *path = cache_path();
	if (!path) {
		diag_error(NULL, "no folder for stapc's cache: set HOME or XDG_CACHE_HOME");
		return NULL;
	}
	if (mkdir_p_mode(path, 0700) != 0) {
		diag_error(NULL, "cannot make stapc's cache %s: %s", path, strerror(errno));
		return NULL;
	}
	const char *why = private_dir_problem(path);
	if (why) {
		diag_error(NULL, "refusing to use stapc's cache %s: %s (remove it, or set "
				 "XDG_CACHE_HOME to a folder of your own)", path, why);
		return NULL;
	}
	dir = path;
	return dir;
}

bool cache_file_trusted(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
	       !(st.st_mode & 022);
}

/* Marks a cache entry (a folder) as just used, for the trimming below. */
void cache_touch(const char *entry)
{
	utimensat(AT_FDCWD, entry, NULL, AT_SYMLINK_NOFOLLOW);
}

/* ------------------------------------------------------------ trimming */

struct cache_entry {
	const char *path;
	time_t used;
	off_t bytes;
};

static off_t walk_bytes;

static int add_bytes(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)p, (void)flag, (void)ftw;
	walk_bytes += st->st_blocks * 512;
	return 0;
}

static int remove_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)ftw;
	return flag == FTW_DP ? rmdir(p) : unlink(p);
}

static int by_use(const void *a, const void *b)
{
	const struct cache_entry *x = a, *y = b;
	return x->used < y->used ? -1 : x->used > y->used;
}

/* Adds the folders of dir whose names start with prefix. */
static void collect(struct vec *out, const char *dir, const char *prefix, off_t *total)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || strncmp(e->d_name, prefix, strlen(prefix)))
			continue;
		struct stat st;
		const char *p = arena_printf("%s/%s", dir, e->d_name);
		if (lstat(p, &st) != 0 || !S_ISDIR(st.st_mode))
			continue;
		walk_bytes = 0;
		nftw(p, add_bytes, 8, FTW_PHYS);
		struct cache_entry *ce = arena_alloc(sizeof(*ce));
		*ce = (struct cache_entry){ p, st.st_mtime, walk_bytes };
		*total += walk_bytes;
		vec_push(out, ce);
	}
	closedir(d);
}

/*
 * Removes the least recently used entries until the cache fits its bound;
 * keep (the entry in use now) stays whatever its age.
 */
void cache_trim(const char *keep)
{
	const char *dir = cache_dir();
	if (!dir)
		return;
	const char *env = getenv("STAPC_CACHE_MB");
	long limit_mb = env && *env ? strtol(env, NULL, 10) : CACHE_DEFAULT_MB;
	if (limit_mb < 0)
		limit_mb = CACHE_DEFAULT_MB;
	struct vec entries = { 0 };
	off_t total = 0;
	collect(&entries, arena_printf("%s/build", dir), "", &total);
	collect(&entries, dir, "vmlinux-", &total);
	struct cache_entry *all = arena_alloc(sizeof(*all) * (entries.len + 1));
	for (int i = 0; i < entries.len; i++)
		all[i] = *(struct cache_entry *)vec_at(&entries, i);
	qsort(all, entries.len, sizeof(*all), by_use);
	off_t limit = (off_t)limit_mb << 20;
	for (int i = 0; i < entries.len && total > limit; i++) {
		if (keep && !strcmp(all[i].path, keep))
			continue;
		nftw(all[i].path, remove_one, 8, FTW_DEPTH | FTW_PHYS);
		total -= all[i].bytes;
	}
}
