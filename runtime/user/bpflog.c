// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/* bpflog.c - libbpf's messages, kept to explain a load failure. */
#include "bpflog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *log_buf;
static size_t log_len, log_cap;

/*
 * libbpf prints a program's whole verifier log in one call, and the
 * verifier's complaint is at its end: a message is kept whole, however
 * long, and only the messages of the last megabyte are kept.
 */
void stp_log_append(const char *fmt, va_list ap)
{
	va_list again;
	va_copy(again, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	if (n <= 0)
		goto out;
	if (log_len + (size_t)n + 1 > (1u << 20))
		log_len = 0;
	if (log_len + (size_t)n + 1 > log_cap) {
		size_t cap = (log_len + (size_t)n + 1) * 2;
		char *buf = realloc(log_buf, cap);
		if (!buf)
			goto out;
		log_buf = buf;
		log_cap = cap;
	}
	vsnprintf(log_buf + log_len, (size_t)n + 1, fmt, again);
	log_len += (size_t)n;
out:
	va_end(again);
}

const char *stp_log_text(void)
{
	return log_buf ? log_buf : "";
}

void stp_log_clear(void)
{
	log_len = 0;
	if (log_buf)
		log_buf[0] = 0;
}

/*
 * The line before the verifier's closing statistics ("verification time",
 * or "processed N insns" on kernels that print no time) is its reason.
 */
int stp_log_reason(const char **reason)
{
	const char *log = stp_log_text();
	const char *end = strstr(log, "\nverification time");
	if (!end)
		end = strstr(log, "\nprocessed ");
	if (!end)
		return 0;
	const char *start = end;
	while (start > log && start[-1] != '\n')
		start--;
	*reason = start;
	return (int)(end - start);
}
