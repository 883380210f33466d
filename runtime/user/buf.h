/* SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause */
/*
 * buf.h - a growable byte buffer, the one output type of the runtime's
 * formatters (printf, print, histograms).
 *
 * The bytes are not a C string: printf("%c", 0) and printf("%b", 1) put NUL
 * bytes in stap's output, so every consumer uses len. A NUL is still kept
 * after the last byte so a buffer of text can be handed to puts() as is.
 *
 * An allocation failure is sticky: the append that failed and every later
 * one return -ENOMEM and leave the buffer as it was, so a formatter can
 * append freely and check once at the end.
 */
#ifndef STP_BUF_H
#define STP_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct stp_buf {
	char *data;	/* NULL until the first append; then NUL-terminated */
	size_t len;
	size_t cap;	/* bytes allocated, always > len once data is set */
	bool failed;	/* an allocation failed: appends are refused */
};

#define STP_BUF_INIT                                                                               \
	{                                                                                          \
		NULL, 0, 0, false                                                                  \
	}

void stp_buf__init(struct stp_buf *b);
void stp_buf__free(struct stp_buf *b);
/* Forget the contents, keep the memory (and clear a failure). */
void stp_buf__reset(struct stp_buf *b);
/* Cut back to the first len bytes (len <= b->len). */
void stp_buf__truncate(struct stp_buf *b, size_t len);
/* Make room for n more bytes. */
int stp_buf__reserve(struct stp_buf *b, size_t n);

int stp_buf__append(struct stp_buf *b, const void *p, size_t n);
int stp_buf__puts(struct stp_buf *b, const char *s);
int stp_buf__putc(struct stp_buf *b, char c);
/* Append n copies of c. */
int stp_buf__fill(struct stp_buf *b, char c, size_t n);
int stp_buf__printf(struct stp_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The contents as a C string ("" for an empty buffer): valid until the next append. */
const char *stp_buf__str(const struct stp_buf *b);

#endif /* STP_BUF_H */
