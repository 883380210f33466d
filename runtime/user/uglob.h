/* SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause */
/*
 * uglob.h - the binaries a process("PATH") probe with wildcards names, on
 * the host that asks: the tool at start-up (where the probe attaches), and
 * stapc, to check a script against the build host's copies when it has
 * some (uglob.c).
 */
#ifndef STP_UGLOB_H
#define STP_UGLOB_H

#include <stdbool.h>

/* Whether a probe's path has shell wildcards (*, ?, [...]). */
bool uglob_is_pattern(const char *path);

/*
 * The native ELF files (64-bit, this machine's) pattern matches, each by
 * its real path and once, in glob's (sorted) order. When nothing matches
 * and pattern names a file in a top library folder (Fedora's /lib64/libc.so.6,
 * /usr/lib*\/libssl.so.*), the same file name in Debian's multiarch folders:
 * *multiarch says so. Returns how many paths *out holds (a malloc'd array
 * of malloc'd strings, for uglob_free).
 */
int uglob_binaries(const char *pattern, char ***out, bool *multiarch);
void uglob_free(char **paths, int n);

#endif /* STP_UGLOB_H */
