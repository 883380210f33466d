// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * files.c - every file stapc writes goes through here.
 *
 * stapc runs as root and writes where the user says (-o /tmp/NAME), so a
 * file is never opened by a name someone else could have planted: it is
 * made with mkstemp (O_CREAT|O_EXCL, which does not follow a link) in the
 * destination's own folder, given its mode with fchmod while only we hold
 * it, and renamed over the destination. rename() replaces a link planted
 * at the destination instead of writing through it, and a reader never
 * sees half a file.
 */
#include "stapc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int mkdir_p_mode(const char *path, mode_t mode)
{
	char buf[4096];
	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, mode) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, mode) != 0 && errno != EEXIST ? -1 : 0;
}

int mkdir_p(const char *path)
{
	return mkdir_p_mode(path, 0755);
}

static bool write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		data += n;
		len -= (size_t)n;
	}
	return true;
}

bool write_file_mode(const char *path, const char *data, size_t len, mode_t mode)
{
	/* The temporary file sits beside the destination: rename() stays in one file system. */
	char tmp[4096];
	const char *slash = strrchr(path, '/');
	int n = slash ? snprintf(tmp, sizeof(tmp), "%.*s/.%s.XXXXXX", (int)(slash - path), path,
				 slash + 1)
		      : snprintf(tmp, sizeof(tmp), ".%s.XXXXXX", path);
	if (n < 0 || n >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return false;
	}
	int fd = mkstemp(tmp);
	if (fd < 0)
		return false;
	bool ok = fchmod(fd, mode) == 0 && write_all(fd, data, len);
	int err = errno;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		err = ok ? errno : err;
		unlink(tmp);
		errno = err;
		return false;
	}
	return true;
}

bool write_file(const char *path, const char *data, size_t len)
{
	return write_file_mode(path, data, len, 0644);
}

bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}
