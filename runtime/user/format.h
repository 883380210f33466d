/* SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause */
/*
 * format.h - stap's printf engine, and print/println/printd/printdln.
 *
 * A format is parsed once (at start-up, from the table the compiler emits)
 * and rendered per event. The output is what SystemTap 4.8 prints, byte for
 * byte, including where stap differs from C:
 *
 *   - every integer is 64-bit: %x of -1 is ffffffffffffffff, %u of -1 is
 *     18446744073709551615; the 'l' modifier is accepted and ignored;
 *   - %p is "0x" and the minimal hex digits (0x0 for 0), like %#x;
 *   - %#x of 0 is 0x0 and %#o of 0 is 00; precision .0 still prints 0;
 *   - '0' pads with zeros after the sign even when a precision is given;
 *   - a '*' width or precision taken from a negative argument is 0;
 *   - %c prints the low byte of the number, %#c escapes it (\n, \033);
 *   - %s, %m and %M with the '0' flag append a NUL byte;
 *   - %b writes the raw bytes of the number, %m/%M dump memory;
 *   - one printf prints at most 8192 bytes (stap's STP_BUFFER_SIZE).
 *
 * Only one flag is allowed per conversion, as in stap's parser: "%-05d" is
 * the flag '-' and the width 05; "%0-5d" is an error.
 */
#ifndef STP_FORMAT_H
#define STP_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* The most one printf prints; longer output is cut, as stap's is. */
#define STP_PRINTF_MAX 8192
/* The most bytes one %m or %M may dump (stap: PAGE_SIZE). */
#define STP_MEMDUMP_MAX 4096

/* ------------------------------------------------------------ arguments */

enum stp_arg_kind {
	STP_ARG_INT,	/* n: a long */
	STP_ARG_STR,	/* s, len: a string, or the bytes a %m/%M dumps */
};

/*
 * One value to format. Strings need not be NUL-terminated: len counts the
 * bytes, and a NUL inside ends the string as it would in stap. For %m and
 * %M, s/len hold the bytes read at the script's address (the BPF side reads
 * them, as many as the precision asks for).
 */
struct stp_arg {
	enum stp_arg_kind kind;
	int64_t n;
	const char *s;
	size_t len;
};

static inline struct stp_arg stp_arg__int(int64_t n)
{
	return (struct stp_arg){ .kind = STP_ARG_INT, .n = n };
}

/* s must not be NULL. */
struct stp_arg stp_arg__str(const char *s);

static inline struct stp_arg stp_arg__mem(const void *p, size_t len)
{
	return (struct stp_arg){ .kind = STP_ARG_STR, .s = (const char *)p, .len = len };
}

/* ---------------------------------------------------------- conversions */

enum stp_conv_kind {
	STP_CONV_TEXT,		/* literal text; "%%" is already one '%' */
	STP_CONV_SIGNED,	/* %d %i */
	STP_CONV_UNSIGNED,	/* %u */
	STP_CONV_OCTAL,		/* %o */
	STP_CONV_HEX,		/* %x */
	STP_CONV_HEX_UPPER,	/* %X */
	STP_CONV_POINTER,	/* %p */
	STP_CONV_CHAR,		/* %c */
	STP_CONV_STRING,	/* %s */
	STP_CONV_BINARY,	/* %b */
	STP_CONV_MEMORY,	/* %m */
	STP_CONV_MEMORY_HEX,	/* %M */
};

/* The one flag a conversion may have. */
enum stp_conv_flag {
	STP_FLAG_LEFT = 1 << 0,	 /* - */
	STP_FLAG_PLUS = 1 << 1,	 /* + */
	STP_FLAG_SPACE = 1 << 2, /* space */
	STP_FLAG_ALT = 1 << 3,	 /* # */
	STP_FLAG_ZERO = 1 << 4,	 /* 0 */
};

/* Width and precision are a number >= 0, or one of these. */
#define STP_FMT_UNSET	 (-1) /* not given ("%.d" has no precision either) */
#define STP_FMT_FROM_ARG (-2) /* '*': the next argument gives it */

struct stp_conv {
	enum stp_conv_kind kind;
	unsigned int flags;
	int width;
	int precision;
	const char *text; /* STP_CONV_TEXT: the text, in the format's own storage */
	size_t len;
};

struct stp_format {
	int nconv;
	int nargs; /* arguments render takes, '*' ones included */
	/* No width nor precision anywhere: the reservation clamps nothing. */
	bool unclamped;
	struct stp_conv *conv;
};

/* ------------------------------------------------------------------ API */

/*
 * Parse a format string (C escapes already decoded by the compiler). On an
 * invalid format returns NULL and writes stap's message to err (which may
 * be NULL): "invalid or missing conversion specifier" or "trailing
 * incomplete print format conversion". Also NULL, with "out of memory",
 * when allocation fails.
 */
struct stp_format *stp_format__parse(const char *fmt, char *err, size_t errlen);
void stp_format__free(struct stp_format *f);

/* What kind argument i (0-based, '*' ones counted) must be. */
enum stp_arg_kind stp_format__arg_kind(const struct stp_format *f, int i);

/*
 * printf: append the formatted output to out (at most STP_PRINTF_MAX bytes).
 * Returns 0, or a negative errno and appends nothing:
 *   -EINVAL  nargs or an argument's kind does not match the format
 *   -E2BIG   a %m/%M precision above STP_MEMDUMP_MAX (stap: "N is too
 *            many bytes for a memory dump")
 *   -EFAULT  a %m/%M argument holds fewer bytes than the dump needs (the
 *            memory could not be read)
 *   -ENOMEM
 */
int stp_format__render(struct stp_buf *out, const struct stp_format *f,
		       const struct stp_arg *args, int nargs);

/*
 * sprintf: like render, but the result is a string value: it ends at the
 * first NUL and holds at most maxstringlen - 1 bytes (stap's MAXSTRINGLEN;
 * widths are clamped against it the way stap clamps them).
 */
int stp_format__render_string(struct stp_buf *out, const struct stp_format *f,
			      const struct stp_arg *args, int nargs, size_t maxstringlen);

/*
 * print (delim NULL, !newline), println (delim NULL, newline), printd and
 * printdln: numbers in decimal, strings as they are, delim between values,
 * then "\n" for the -ln forms. Returns 0 or -ENOMEM.
 */
int stp_format__print(struct stp_buf *out, const char *delim, bool newline,
		      const struct stp_arg *args, int nargs);

/* sprint, sprintln, sprintd, sprintdln: the same as a string value. */
int stp_format__sprint(struct stp_buf *out, const char *delim, bool newline,
		       const struct stp_arg *args, int nargs, size_t maxstringlen);

#endif /* STP_FORMAT_H */
