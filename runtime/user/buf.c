// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * buf.c - the growable output buffer (see buf.h).
 */
#include "buf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void stp_buf__init(struct stp_buf *b)
{
	*b = (struct stp_buf)STP_BUF_INIT;
}

void stp_buf__free(struct stp_buf *b)
{
	free(b->data);
	stp_buf__init(b);
}

void stp_buf__reset(struct stp_buf *b)
{
	b->len = 0;
	b->failed = false;
	if (b->data)
		b->data[0] = '\0';
}

void stp_buf__truncate(struct stp_buf *b, size_t len)
{
	if (len >= b->len)
		return;
	b->len = len;
	b->data[len] = '\0';
}

int stp_buf__reserve(struct stp_buf *b, size_t n)
{
	if (b->failed)
		return -ENOMEM;
	/* Strictly less: one byte stays for the terminating NUL. */
	if (b->data && n < b->cap - b->len)
		return 0;
	if (n > SIZE_MAX / 2 - b->len)
		goto fail;
	size_t cap = b->cap ? b->cap : 64;
	while (cap <= b->len + n)
		cap *= 2;
	char *data = realloc(b->data, cap);
	if (!data)
		goto fail;
	b->data = data;
	b->cap = cap;
	b->data[b->len] = '\0';
	return 0;
fail:
	b->failed = true;
	return -ENOMEM;
}

int stp_buf__append(struct stp_buf *b, const void *p, size_t n)
{
	int err = stp_buf__reserve(b, n);

	if (err)
		return err;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += (size_t)n;
	b->data[b->len] = '\0';
	return 0;
}

int stp_buf__puts(struct stp_buf *b, const char *s)
{
	return stp_buf__append(b, s, strlen(s));
}

int stp_buf__putc(struct stp_buf *b, char c)
{
	return stp_buf__append(b, &c, 1);
}

int stp_buf__fill(struct stp_buf *b, char c, size_t n)
{
	int err = stp_buf__reserve(b, n);

	if (err)
		return err;
	memset(b->data + b->len, c, n);
	b->len += (size_t)n;
	b->data[b->len] = '\0';
	return 0;
}

int stp_buf__printf(struct stp_buf *b, const char *fmt, ...)
{
	va_list ap;
	char small[128];

	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n < sizeof(small))
		return stp_buf__append(b, small, (size_t)n);

	int err = stp_buf__reserve(b, (size_t)n);
	if (err)
		return err;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

const char *stp_buf__str(const struct stp_buf *b)
{
	return b->data ? b->data : "";
}
