// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * format.c - stap's printf engine: parse a format once, render it per event.
 *
 * Written from SystemTap's documentation and from outputs observed with
 * stap 4.8; see tests/unit/test_format.c for the behaviour pinned down.
 *
 * One thing is not reproduced: when a printf is cut at STP_PRINTF_MAX and
 * a %b or %M no longer fits whole, stap still emits its whole reservation,
 * whatever its print buffer held in the unwritten bytes; we emit only what
 * was written.
 */
#include "format.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct stp_arg stp_arg__str(const char *s)
{
	return (struct stp_arg){ .kind = STP_ARG_STR, .s = s, .len = strlen(s) };
}

/* ---------------------------------------------------------------- parse */

static void set_err(char *err, size_t errlen, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
}

/*
 * A width or precision in digits. stap keeps it in 32 bits and then reads
 * it as an int, so 4294967301 is 5 and 3000000000 is negative (then 0).
 */
static int parse_count(const char **p)
{
	uint32_t v = 0;

	while (**p >= '0' && **p <= '9')
		v = v * 10 + (uint32_t)(*(*p)++ - '0');
	int n = (int)(int32_t)v;
	return n < 0 ? 0 : n;
}

static enum stp_conv_kind conv_kind(char c)
{
	switch (c) {
	case 'd':
	case 'i':
		return STP_CONV_SIGNED;
	case 'u':
		return STP_CONV_UNSIGNED;
	case 'o':
		return STP_CONV_OCTAL;
	case 'x':
		return STP_CONV_HEX;
	case 'X':
		return STP_CONV_HEX_UPPER;
	case 'p':
		return STP_CONV_POINTER;
	case 'c':
		return STP_CONV_CHAR;
	case 's':
		return STP_CONV_STRING;
	case 'b':
		return STP_CONV_BINARY;
	case 'm':
		return STP_CONV_MEMORY;
	case 'M':
		return STP_CONV_MEMORY_HEX;
	default:
		return STP_CONV_TEXT; /* not a conversion */
	}
}

static unsigned int flag_bit(char c)
{
	switch (c) {
	case '-':
		return STP_FLAG_LEFT;
	case '+':
		return STP_FLAG_PLUS;
	case ' ':
		return STP_FLAG_SPACE;
	case '#':
		return STP_FLAG_ALT;
	case '0':
		return STP_FLAG_ZERO;
	default:
		return 0;
	}
}

/*
 * Parse one conversion after its '%' into *cv; returns the character after
 * it, or NULL with the message in err.
 */
static const char *parse_conv(const char *p, struct stp_conv *cv, int *nargs, char *err,
			      size_t errlen)
{
	*cv = (struct stp_conv){ .width = STP_FMT_UNSET, .precision = STP_FMT_UNSET };
	cv->flags = flag_bit(*p);
	if (cv->flags)
		p++;
	if (*p == '*') {
		cv->width = STP_FMT_FROM_ARG;
		++*nargs;
		p++;
	} else if (*p >= '0' && *p <= '9') {
		cv->width = parse_count(&p);
	}
	if (*p == '.') {
		p++;
		if (*p == '*') {
			cv->precision = STP_FMT_FROM_ARG;
			++*nargs;
			p++;
		} else if (*p >= '0' && *p <= '9') {
			cv->precision = parse_count(&p);
		}
	}
	if (*p == 'l')
		p++;
	if (!*p) {
		set_err(err, errlen, "trailing incomplete print format conversion");
		return NULL;
	}
	cv->kind = conv_kind(*p);
	if (cv->kind == STP_CONV_TEXT) {
		set_err(err, errlen, "invalid or missing conversion specifier");
		return NULL;
	}
	++*nargs;
	return p + 1;
}

struct stp_format *stp_format__parse(const char *fmt, char *err, size_t errlen)
{
	/* At most one conversion and one text run per '%', plus a text run. */
	size_t max_conv = 1, flen = strlen(fmt);
	for (const char *c = fmt; *c; c++)
		max_conv += *c == '%' ? 2 : 0;

	/* One block: the header, the conversions, then the literal text. */
	size_t conv_off = (sizeof(struct stp_format) + _Alignof(struct stp_conv) - 1) /
			  _Alignof(struct stp_conv) * _Alignof(struct stp_conv);
	size_t text_off = conv_off + max_conv * sizeof(struct stp_conv);
	char *block = malloc(text_off + flen + 1);
	if (!block) {
		set_err(err, errlen, "out of memory");
		return NULL;
	}
	struct stp_format *f = (struct stp_format *)block;
	char *text = block + text_off;
	*f = (struct stp_format){ .conv = (struct stp_conv *)(block + conv_off) };

	const char *p = fmt;
	size_t tlen = 0;
	while (*p) {
		if (*p != '%' || p[1] == '%') {
			/* Literal text; "%%" is one '%'. Runs merge into one conversion. */
			if (!f->nconv || f->conv[f->nconv - 1].kind != STP_CONV_TEXT) {
				f->conv[f->nconv++] = (struct stp_conv){
					.kind = STP_CONV_TEXT, .text = text + tlen };
			}
			text[tlen++] = *p;
			f->conv[f->nconv - 1].len++;
			p += *p == '%' ? 2 : 1;
			continue;
		}
		p = parse_conv(p + 1, &f->conv[f->nconv], &f->nargs, err, errlen);
		if (!p) {
			free(f);
			return NULL;
		}
		f->nconv++;
	}
	f->unclamped = true;
	for (int c = 0; c < f->nconv; c++)
		if (f->conv[c].width != STP_FMT_UNSET || f->conv[c].precision != STP_FMT_UNSET)
			f->unclamped = false;
	return f;
}

void stp_format__free(struct stp_format *f)
{
	free(f);
}

static enum stp_arg_kind conv_arg_kind(enum stp_conv_kind k)
{
	switch (k) {
	case STP_CONV_STRING:
	case STP_CONV_MEMORY:
	case STP_CONV_MEMORY_HEX:
		return STP_ARG_STR;
	default:
		return STP_ARG_INT;
	}
}

enum stp_arg_kind stp_format__arg_kind(const struct stp_format *f, int i)
{
	for (int c = 0; c < f->nconv; c++) {
		const struct stp_conv *cv = &f->conv[c];
		if (cv->kind == STP_CONV_TEXT)
			continue;
		if (cv->width == STP_FMT_FROM_ARG && i-- == 0)
			return STP_ARG_INT;
		if (cv->precision == STP_FMT_FROM_ARG && i-- == 0)
			return STP_ARG_INT;
		if (i-- == 0)
			return conv_arg_kind(cv->kind);
	}
	return STP_ARG_INT;
}

/* ------------------------------------------------------------- writers */

/*
 * Output goes through a sink that holds at most limit bytes, as stap's
 * print buffer does. Most writers keep the part of their output that fits;
 * put_whole() keeps all or nothing (stap's %b value and %M digit pairs).
 * A sink without a buffer only counts: stap sizes a printf that way first.
 */
struct sink {
	struct stp_buf *b; /* NULL: measure only */
	size_t pos;	   /* bytes this sink has output */
	size_t limit;
};

static size_t room(const struct sink *s)
{
	return s->pos < s->limit ? s->limit - s->pos : 0;
}

/*
 * Widths and precisions are clamped to the room left, as stap clamps them
 * to the end of its reservation; while measuring, to STP_PRINTF_MAX.
 */
static int clamp_to_room(const struct sink *s, int v)
{
	size_t r = s->b ? room(s) : STP_PRINTF_MAX;

	return v >= 0 && (size_t)v > r ? (int)r : v;
}

static void put(struct sink *s, const void *p, size_t n)
{
	size_t r = room(s);

	if (n > r)
		n = r;
	if (s->b)
		stp_buf__append(s->b, p, n);
	s->pos += n;
}

static void put_whole(struct sink *s, const void *p, size_t n)
{
	if (n <= room(s))
		put(s, p, n);
}

static void pad(struct sink *s, char c, long n)
{
	if (n <= 0)
		return;
	size_t r = room(s);
	if ((size_t)n > r)
		n = (long)r;
	if (s->b)
		stp_buf__fill(s->b, c, (size_t)n);
	s->pos += (size_t)n;
}

/*
 * Integers. The layout is [spaces][sign][0x or 0][zeros][digits][spaces]:
 * the '0' flag turns the leading spaces into zeros even with a precision,
 * the precision (digits at least) never suppresses a lone 0, and '#' adds
 * its prefix to zero too.
 */
static void put_number(struct sink *s, enum stp_conv_kind kind, int64_t value, int width,
		       int precision, unsigned int flags)
{
	static const char lower[] = "0123456789abcdef", upper[] = "0123456789ABCDEF";
	const char *digit = kind == STP_CONV_HEX_UPPER ? upper : lower;
	unsigned int base = 10;
	const char *prefix = "";
	char sign = 0;
	uint64_t u = (uint64_t)value;

	switch (kind) {
	case STP_CONV_OCTAL:
		base = 8;
		prefix = flags & STP_FLAG_ALT ? "0" : "";
		break;
	case STP_CONV_HEX:
	case STP_CONV_POINTER:
		base = 16;
		prefix = (flags & STP_FLAG_ALT) || kind == STP_CONV_POINTER ? "0x" : "";
		break;
	case STP_CONV_HEX_UPPER:
		base = 16;
		prefix = flags & STP_FLAG_ALT ? "0X" : "";
		break;
	case STP_CONV_SIGNED:
		/* Only signed conversions get a sign: %+u and %+x print none. */
		if (value < 0) {
			sign = '-';
			u = 0 - u;
		} else if (flags & STP_FLAG_PLUS) {
			sign = '+';
		} else if (flags & STP_FLAG_SPACE) {
			sign = ' ';
		}
		break;
	default:
		break;
	}

	char tmp[64];
	int n = 0;
	do {
		tmp[n++] = digit[u % base];
		u /= base;
	} while (u);
	int ndigits = n > precision ? n : precision;
	long fill = (long)width - (sign != 0) - (long)strlen(prefix) - ndigits;

	if (!(flags & (STP_FLAG_LEFT | STP_FLAG_ZERO)))
		pad(s, ' ', fill);
	if (sign)
		put(s, &sign, 1);
	put(s, prefix, strlen(prefix));
	if ((flags & (STP_FLAG_LEFT | STP_FLAG_ZERO)) == STP_FLAG_ZERO)
		pad(s, '0', fill);
	pad(s, '0', ndigits - n);
	while (n)
		put(s, &tmp[--n], 1);
	if (flags & STP_FLAG_LEFT)
		pad(s, ' ', fill);
}

/* Pad text of len bytes to width: spaces before it, or after with '-'. */
static void put_padded(struct sink *s, const char *text, size_t len, int width,
		       unsigned int flags)
{
	long fill = (long)width - (long)len;

	if (!(flags & STP_FLAG_LEFT))
		pad(s, ' ', fill);
	put(s, text, len);
	if (flags & STP_FLAG_LEFT)
		pad(s, ' ', fill);
}

/* %#c: C escapes where C has one, octal for the other unprintable bytes. */
static size_t escape_char(unsigned char c, char out[4])
{
	static const char esc[] = "\aa\bb\tt\nn\vv\ff\rr\\\\''";

	for (const char *e = esc; *e; e += 2) {
		if ((unsigned char)e[0] == c) {
			out[0] = '\\';
			out[1] = e[1];
			return 2;
		}
	}
	if (c >= ' ' && c <= '~') {
		out[0] = (char)c;
		return 1;
	}
	out[0] = '\\';
	out[1] = (char)('0' + (c >> 6));
	out[2] = (char)('0' + ((c >> 3) & 7));
	out[3] = (char)('0' + (c & 7));
	return 4;
}

/* %c: the low byte of the number; '0' pads with spaces like the others. */
static void put_char(struct sink *s, int64_t value, int width, unsigned int flags)
{
	char text[4];
	size_t len = 1;

	text[0] = (char)(uint8_t)value;
	if (flags & STP_FLAG_ALT)
		len = escape_char((uint8_t)value, text);
	put_padded(s, text, len, width, flags);
}

/*
 * stap appends a NUL byte to %s, %m and %M output when the '0' flag is
 * given; scripts that write binary records with "%0s" rely on seeing it.
 */
static void put_nul_for_zero_flag(struct sink *s, unsigned int flags)
{
	if (flags & STP_FLAG_ZERO)
		put(s, "", 1);
}

static void put_string(struct sink *s, const struct stp_arg *a, int width, int precision,
		       unsigned int flags)
{
	size_t len = strnlen(a->s, a->len);

	if (precision >= 0 && (size_t)precision < len)
		len = (size_t)precision;
	put_padded(s, a->s, len, width, flags);
	put_nul_for_zero_flag(s, flags);
}

/*
 * %m dumps the bytes, %M the same as lowercase hex. The precision is the
 * byte count, 1 when absent or 0; the width pads with spaces.
 */
static void put_memory(struct sink *s, enum stp_conv_kind kind, const struct stp_arg *a,
		       size_t nbytes, int width, unsigned int flags)
{
	static const char hex[] = "0123456789abcdef";
	size_t len = kind == STP_CONV_MEMORY_HEX ? 2 * nbytes : nbytes;
	long fill = (long)width - (long)len;

	if (!(flags & STP_FLAG_LEFT))
		pad(s, ' ', fill);
	if (kind == STP_CONV_MEMORY) {
		put(s, a->s, nbytes);
	} else {
		for (size_t i = 0; i < nbytes; i++) {
			uint8_t c = (uint8_t)a->s[i];
			char two[2] = { hex[c >> 4], hex[c & 15] };
			put_whole(s, two, 2);
		}
	}
	if (flags & STP_FLAG_LEFT)
		pad(s, ' ', fill);
	put_nul_for_zero_flag(s, flags);
}

static bool binary_size_ok(int n)
{
	return n == 1 || n == 2 || n == 4 || n == 8;
}

/*
 * %b writes the number's low bytes in the machine's byte order. The size
 * is the precision if it is 1, 2, 4 or 8, else the width if it is, else 8;
 * a wider width pads with NUL bytes, before the value (after it with '-').
 */
static void put_binary(struct sink *s, int64_t value, int width, int precision,
		       unsigned int flags)
{
	int size = binary_size_ok(precision) ? precision : binary_size_ok(width) ? width : 8;
	uint8_t u8 = (uint8_t)value;
	uint16_t u16 = (uint16_t)value;
	uint32_t u32 = (uint32_t)value;
	uint64_t u64 = (uint64_t)value;
	const void *bytes = size == 1 ? (const void *)&u8 :
			    size == 2 ? (const void *)&u16 :
			    size == 4 ? (const void *)&u32 : (const void *)&u64;
	long fill = (long)width - size;

	if (!(flags & STP_FLAG_LEFT))
		pad(s, '\0', fill);
	put_whole(s, bytes, (size_t)size);
	if (flags & STP_FLAG_LEFT)
		pad(s, '\0', fill);
}

/* -------------------------------------------------------------- render */

/* stap reads a '*' argument as an int, then clamps it like a literal. */
static int star_count(const struct sink *s, int64_t v)
{
	int n = (int)(int32_t)(uint32_t)(uint64_t)v;

	return clamp_to_room(s, n < 0 ? 0 : n);
}

/* Arguments must match the format; stap refuses a dump above a page up front. */
static int check_args(const struct stp_format *f, const struct stp_arg *args, int nargs)
{
	int ai = 0;

	if (!f || nargs != f->nargs)
		return -EINVAL;
	for (int c = 0; c < f->nconv; c++) {
		const struct stp_conv *cv = &f->conv[c];
		if (cv->kind == STP_CONV_TEXT)
			continue;
		if (cv->width == STP_FMT_FROM_ARG && args[ai++].kind != STP_ARG_INT)
			return -EINVAL;
		int64_t precision = cv->precision;
		if (cv->precision == STP_FMT_FROM_ARG) {
			if (args[ai].kind != STP_ARG_INT)
				return -EINVAL;
			precision = args[ai++].n;
		}
		const struct stp_arg *a = &args[ai++];
		if (a->kind != conv_arg_kind(cv->kind) || (a->kind == STP_ARG_STR && !a->s))
			return -EINVAL;
		if ((cv->kind == STP_CONV_MEMORY || cv->kind == STP_CONV_MEMORY_HEX) &&
		    precision > STP_MEMDUMP_MAX)
			return -E2BIG;
	}
	return 0;
}

static int render_into(struct sink *s, const struct stp_format *f, const struct stp_arg *args)
{
	int ai = 0;

	for (int c = 0; c < f->nconv; c++) {
		const struct stp_conv *cv = &f->conv[c];
		if (cv->kind == STP_CONV_TEXT) {
			put(s, cv->text, cv->len);
			continue;
		}
		int width = cv->width, precision = cv->precision;
		if (width == STP_FMT_FROM_ARG)
			width = star_count(s, args[ai++].n);
		else
			width = clamp_to_room(s, width);
		if (precision == STP_FMT_FROM_ARG)
			precision = star_count(s, args[ai++].n);
		else
			precision = clamp_to_room(s, precision);
		const struct stp_arg *a = &args[ai++];

		switch (cv->kind) {
		case STP_CONV_CHAR:
			put_char(s, a->n, width, cv->flags);
			break;
		case STP_CONV_STRING:
			put_string(s, a, width, precision, cv->flags);
			break;
		case STP_CONV_BINARY:
			put_binary(s, a->n, width, precision, cv->flags);
			break;
		case STP_CONV_MEMORY:
		case STP_CONV_MEMORY_HEX: {
			size_t nbytes = precision > 0 ? (size_t)precision : 1;
			if (a->len < nbytes)
				return -EFAULT;
			put_memory(s, cv->kind, a, nbytes, width, cv->flags);
			break;
		}
		default:
			put_number(s, cv->kind, a->n, width, precision, cv->flags);
			break;
		}
	}
	return 0;
}

/* Render into out with room for cap bytes; on error out is left as it was. */
static int render(struct stp_buf *out, const struct stp_format *f, const struct stp_arg *args,
		  size_t cap)
{
	size_t start = out->len;
	struct sink s = { .b = out, .limit = cap };
	int err = render_into(&s, f, args);

	if (!err && out->failed)
		err = -ENOMEM;
	if (err)
		stp_buf__truncate(out, start);
	return err;
}

int stp_format__render(struct stp_buf *out, const struct stp_format *f,
		       const struct stp_arg *args, int nargs)
{
	int err = check_args(f, args, nargs);
	if (err)
		return err;

	/*
	 * stap first sizes the output, reserves that much (at most
	 * STP_PRINTF_MAX) and then clamps widths and precisions to what is
	 * left of the reservation. The clamp shows: "%1.3b|" reserves 2
	 * bytes, then writes %.2b into them and drops the '|'.
	 */
	if (f->unclamped) /* sizing first would change nothing: one pass */
		return render(out, f, args, STP_PRINTF_MAX);
	struct sink measure = { .limit = SIZE_MAX };
	err = render_into(&measure, f, args);
	if (err)
		return err;
	return render(out, f, args, measure.pos < STP_PRINTF_MAX ? measure.pos : STP_PRINTF_MAX);
}

/*
 * A string value is a C string of at most maxstringlen - 1 bytes. stap
 * renders into a maxstringlen buffer (so widths clamp against that) and
 * then terminates it, cutting the last byte if the buffer filled up.
 */
static void cut_string(struct stp_buf *out, size_t start, size_t maxstringlen)
{
	size_t max = maxstringlen ? maxstringlen - 1 : 0;
	size_t len = strnlen(out->data ? out->data + start : "", out->len - start);

	stp_buf__truncate(out, start + (len < max ? len : max));
}

int stp_format__render_string(struct stp_buf *out, const struct stp_format *f,
			      const struct stp_arg *args, int nargs, size_t maxstringlen)
{
	int err = check_args(f, args, nargs);
	if (err)
		return err;

	size_t start = out->len;
	err = render(out, f, args, maxstringlen);
	if (!err)
		cut_string(out, start, maxstringlen);
	return err;
}

/* --------------------------------------------------------------- print */

static int print_values(struct stp_buf *out, const char *delim, bool newline,
			const struct stp_arg *args, int nargs, size_t cap)
{
	size_t start = out->len;
	struct sink s = { .b = out, .limit = cap };

	for (int i = 0; i < nargs; i++) {
		if (i && delim)
			put(&s, delim, strlen(delim));
		if (args[i].kind == STP_ARG_STR)
			put_string(&s, &args[i], STP_FMT_UNSET, STP_FMT_UNSET, 0);
		else
			put_number(&s, STP_CONV_SIGNED, args[i].n, STP_FMT_UNSET, STP_FMT_UNSET, 0);
	}
	if (newline)
		put(&s, "\n", 1);
	if (out->failed) {
		stp_buf__truncate(out, start);
		return -ENOMEM;
	}
	return 0;
}

int stp_format__print(struct stp_buf *out, const char *delim, bool newline,
		      const struct stp_arg *args, int nargs)
{
	return print_values(out, delim, newline, args, nargs, STP_PRINTF_MAX);
}

int stp_format__sprint(struct stp_buf *out, const char *delim, bool newline,
		       const struct stp_arg *args, int nargs, size_t maxstringlen)
{
	size_t start = out->len;
	int err = print_values(out, delim, newline, args, nargs, maxstringlen);

	if (!err)
		cut_string(out, start, maxstringlen);
	return err;
}
