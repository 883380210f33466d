/* SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause */
/* bpflog.h - libbpf's words, kept to explain a failure in one sentence (bpflog.c). */
#ifndef STP_BPFLOG_H
#define STP_BPFLOG_H

#include <stdarg.h>

void stp_log_append(const char *fmt, va_list ap);
const char *stp_log_text(void);
void stp_log_clear(void);
/* The verifier's reason for a rejection in the kept log: its length, 0 if none. */
int stp_log_reason(const char **reason);

#endif
