/* SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause */
/* ulib.h - the library a process.library("NAME") probe means, on this host (ulib.c). */
#ifndef STP_ULIB_H
#define STP_ULIB_H

/*
 * The real path of a library whose file name matches pattern (shell
 * wildcards): mapped by pid (if > 0), linked or shipped beside program (if
 * not NULL), or found as its usual home says ($JAVA_HOME). malloc'd, or NULL.
 */
char *stp_find_library(const char *pattern, int pid, const char *program);

#endif /* STP_ULIB_H */
