// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cw.c - writing generated C: indentation, and #line directives so that
 * clang's and the verifier's messages name the script's lines.
 */
#include "../stapc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/*
 * A #line waits for the code it describes: written before the next line
 * of code, replaced by a later one, dropped at the end of a function, so
 * the file has no run of #lines for statements that emit nothing.
 */
static void flush_loc(struct cw *w)
{
	if (!w->pending_file)
		return;
	sb_printf(&w->sb, "#line %d %s\n", w->pending_line, c_string(w->pending_file));
	w->pending_file = NULL;
}

static void indent(struct cw *w)
{
	flush_loc(w);
	for (int i = 0; i < w->indent; i++)
		sb_putc(&w->sb, '\t');
}

/* A formatted line of any length (an embedded script is one long string). */
static char *format(const char *fmt, va_list ap)
{
	va_list again;
	va_copy(again, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	char *buf = malloc((size_t)(n > 0 ? n : 0) + 1);
	vsnprintf(buf, (size_t)(n > 0 ? n : 0) + 1, fmt, again);
	va_end(again);
	return buf;
}

void cw_line(struct cw *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *buf = format(fmt, ap);
	va_end(ap);
	if (buf[0])
		indent(w);
	else
		flush_loc(w);
	sb_puts(&w->sb, buf);
	sb_putc(&w->sb, '\n');
	free(buf);
	if (w->line_file)
		w->line++;
}

void cw_open(struct cw *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *buf = format(fmt, ap);
	va_end(ap);
	indent(w);
	sb_printf(&w->sb, "%s {\n", buf);
	free(buf);
	w->indent++;
}

void cw_blank(struct cw *w)
{
	sb_putc(&w->sb, '\n');
}

/* An anonymous block: a scope for temporaries. */
void cw_block(struct cw *w)
{
	indent(w);
	sb_puts(&w->sb, "{\n");
	w->indent++;
}

void cw_close(struct cw *w, const char *tail)
{
	w->indent--;
	if (w->indent == 0)
		w->pending_file = NULL; /* nothing of the function follows */
	for (int i = 0; i < w->indent; i++)
		sb_putc(&w->sb, '\t');
	sb_printf(&w->sb, "}%s\n", tail ? tail : "");
}

void cw_raw(struct cw *w, const char *s)
{
	flush_loc(w);
	sb_puts(&w->sb, s);
}

/* A #line for statement at `l`; tapset code keeps its own file name. */
void cw_loc(struct cw *w, const struct loc *l)
{
	if (!l || !l->file)
		return;
	w->pending_file = l->file->name;
	w->pending_line = l->line;
}

/*
 * Text of the script inside a generated comment: a probe point such as
 * process("/lib*\/libc.so.6") must not end the comment, nor one such as
 * process("/usr/lib/\*\/libssl.so.*") seem to open another (clang's -Wcomment).
 */
const char *c_comment(const char *s)
{
	if (!strstr(s, "*/") && !strstr(s, "/*"))
		return s;
	struct strbuf sb = { 0 };
	for (; *s; s++) {
		sb_putc(&sb, *s);
		if ((s[0] == '*' && s[1] == '/') || (s[0] == '/' && s[1] == '*'))
			sb_putc(&sb, ' ');
	}
	const char *r = arena_strdup(sb.buf);
	sb_free(&sb);
	return r;
}

const char *c_string(const char *s)
{
	struct strbuf sb = { 0 };
	sb_putc(&sb, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': sb_puts(&sb, "\\\""); break;
		case '\\': sb_puts(&sb, "\\\\"); break;
		case '\n': sb_puts(&sb, "\\n"); break;
		case '\t': sb_puts(&sb, "\\t"); break;
		case '\r': sb_puts(&sb, "\\r"); break;
		default:
			if (*p < 0x20 || *p >= 0x7f)
				/* Octal, always three digits, so a digit after it stays apart. */
				sb_printf(&sb, "\\%03o", *p);
			else
				sb_putc(&sb, (char)*p);
		}
	}
	sb_putc(&sb, '"');
	const char *r = arena_strdup(sb.buf);
	sb_free(&sb);
	return r;
}
