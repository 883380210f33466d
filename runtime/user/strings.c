// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * strings.c - the string builtins, as stap computes them: every result is
 * cut to MAXSTRINGLEN - 1 bytes, positions count from 0, and bad input
 * gives "" rather than a crash.
 */
#include "stp_gen.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

size_t stp_maxstr = 128;

/* Into an n-byte array key: the compiler sized it for every string put there. */
void stp_strncpy(char *dst, const char *src, size_t n)
{
	size_t len = strnlen(src, n - 1);
	memmove(dst, src, len);
	dst[len] = 0;
}

void stp_strcpy(char *dst, const char *src)
{
	if (dst == src)
		return;
	size_t n = strnlen(src, stp_maxstr - 1);
	memmove(dst, src, n);
	dst[n] = 0;
}

void stp_strcat(char *dst, const char *src)
{
	size_t have = strnlen(dst, stp_maxstr - 1);
	size_t n = strnlen(src, stp_maxstr - 1 - have);
	memmove(dst + have, src, n);
	dst[have + n] = 0;
}


s64 stp_strcmp(const char *a, const char *b)
{
	return strncmp(a, b, stp_maxstr);
}

s64 stp_strlen(const char *s)
{
	return (s64)strnlen(s, stp_maxstr - 1);
}

void stp_append(char *dst, const char *s)
{
	size_t have = strnlen(dst, stp_maxstr - 1);
	size_t n = strlen(s);
	if (n > stp_maxstr - 1 - have)
		n = stp_maxstr - 1 - have;
	memcpy(dst + have, s, n);
	dst[have + n] = 0;
}

void stp_substr(char *dst, const char *s, s64 start, s64 len)
{
	s64 n = stp_strlen(s);
	if (start < 0 || len <= 0 || start >= n) {
		dst[0] = 0;
		return;
	}
	if (len > n - start)
		len = n - start;
	memmove(dst, s + start, (size_t)len);
	dst[len] = 0;
}

s64 stp_stringat(struct stp_rt *rt, const char *s, s64 pos)
{
	if (pos < 0 || pos >= stp_strlen(s)) {
		stp_error(rt, "Position out of range");
		return 0;
	}
	return (unsigned char)s[pos];
}

s64 stp_isinstr(const char *s1, const char *s2)
{
	return strstr(s1, s2) != NULL;
}

s64 stp_strpos(const char *s1, const char *s2)
{
	const char *p = strstr(s1, s2);
	return p ? p - s1 : -1;
}

s64 stp_strtol(const char *s, s64 base)
{
	if (base != 0 && (base < 2 || base > 36))
		return 0;
	/*
	 * As the kernel's simple_strtol, which stap calls: digits past 63 bits
	 * wrap rather than saturate, so a kernel address in hex comes back whole.
	 */
	bool neg = *s == '-';
	unsigned long long v = strtoull(neg ? s + 1 : s, NULL, (int)base);
	return neg ? -(s64)v : (s64)v;
}

s64 stp_isdigit(const char *s)
{
	return isdigit((unsigned char)s[0]) != 0;
}

void stp_str_replace(char *dst, const char *s, const char *from, const char *to)
{
	char out[65536];
	size_t o = 0, limit = stp_maxstr - 1, nf = strlen(from), nt = strlen(to);
	if (limit > sizeof(out) - 1)
		limit = sizeof(out) - 1;
	while (*s && o < limit) {
		if (nf && !strncmp(s, from, nf)) {
			for (size_t i = 0; i < nt && o < limit; i++)
				out[o++] = to[i];
			s += nf;
		} else {
			out[o++] = *s++;
		}
	}
	out[o] = 0;
	stp_strcpy(dst, out);
}

/*
 * The escaping of text_str and string_quoted, of one byte c into e: C's
 * escape where C has one, the byte itself if printable, else three octal
 * digits. Returns its length. Written by hand, without snprintf: it runs
 * for every byte of every quoted string the tool prints.
 */
static size_t escape_byte(unsigned char c, char e[4])
{
	char named = 0;
	switch (c) {
	case '\a': named = 'a'; break;
	case '\b': named = 'b'; break;
	case '\f': named = 'f'; break;
	case '\n': named = 'n'; break;
	case '\r': named = 'r'; break;
	case '\t': named = 't'; break;
	case '\v': named = 'v'; break;
	case '"': named = '"'; break;
	case '\\': named = '\\'; break;
	}
	if (named) {
		e[0] = '\\';
		e[1] = named;
		return 2;
	}
	if (isprint(c)) {
		e[0] = (char)c;
		return 1;
	}
	e[0] = '\\';
	e[1] = (char)('0' + (c >> 6));
	e[2] = (char)('0' + ((c >> 3) & 7));
	e[3] = (char)('0' + (c & 7));
	return 4;
}

static size_t escape_into(char *out, size_t cap, const char *s, size_t maxlen, bool *cut)
{
	size_t o = 0;
	*cut = false;
	for (size_t i = 0; s[i] && i < maxlen; i++) {
		char e[4];
		size_t n = escape_byte((unsigned char)s[i], e);
		if (o + n >= cap) {
			*cut = true;
			break;
		}
		memcpy(out + o, e, n);
		o += n;
	}
	out[o] = 0;
	return o;
}

void stp_text_str(char *dst, const char *s)
{
	bool cut;
	escape_into(dst, stp_maxstr, s, stp_maxstr, &cut);
}

void stp_text_strn(char *dst, const char *s, s64 len, s64 quoted)
{
	char buf[65536];
	size_t cap = stp_maxstr < sizeof(buf) ? stp_maxstr : sizeof(buf);
	size_t room = cap - 1 - (quoted ? 2 : 0);
	if (len > 0 && (size_t)len < room)
		room = (size_t)len;
	bool cut;
	escape_into(buf, room + 1, s, stp_maxstr, &cut);
	if (cut && room >= 3)
		strcpy(buf + strlen(buf) - (strlen(buf) >= 3 ? 3 : 0), "...");
	if (quoted)
		snprintf(dst, cap, "\"%s\"", buf);
	else
		snprintf(dst, cap, "%s", buf);
}

void stp_string_quoted(char *dst, const char *s)
{
	/* What fits in MAXSTRINGLEN with the quotes; "..." when cut. */
	char buf[65536];
	size_t cap = stp_maxstr < sizeof(buf) ? stp_maxstr : sizeof(buf);
	bool cut;
	size_t n = escape_into(buf, cap - 2, s, stp_maxstr, &cut);
	if (cut && n >= 3)
		memcpy(buf + n - 3, "...", 3);
	/* n <= cap - 3: the quotes and the NUL fit. */
	dst[0] = '"';
	memcpy(dst + 1, buf, n);
	dst[n + 1] = '"';
	dst[n + 2] = 0;
}

void stp_tokenize(char *dst, const char *input, const char *delim)
{
	static char saved[65536];
	static size_t pos;
	if (*input) {
		snprintf(saved, sizeof(saved), "%s", input);
		pos = 0;
	}
	while (saved[pos] && strchr(delim, saved[pos]) && *delim)
		pos++;
	size_t start = pos;
	while (saved[pos] && !(*delim && strchr(delim, saved[pos])))
		pos++;
	size_t n = pos - start;
	if (n > stp_maxstr - 1)
		n = stp_maxstr - 1;
	memcpy(dst, saved + start, n);
	dst[n] = 0;
	if (saved[pos])
		pos++;
}

void stp_long_str(char *dst, s64 v)
{
	snprintf(dst, stp_maxstr, "%lld", (long long)v);
}

void stp_arg(struct stp_rt *rt, char *dst, int n)
{
	stp_strcpy(dst, stp_arg_str(rt, n));
}

s64 stp_arg_long(struct stp_rt *rt, int n)
{
	return strtoll(stp_arg_str(rt, n), NULL, 0);
}
