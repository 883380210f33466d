// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * diag.c - diagnostics in clang's shape:
 *
 *   iotop.stp:3:3: error: type mismatch: 'x' is used as string
 *       3 |   x = "s"
 *         |   ^~~~~~~
 *
 * They are recorded during a pass and printed, sorted by position, when
 * the driver flushes them; a note stays with the message before it.
 */
#include "stapc.h"

#include <stdlib.h>
#include <string.h>

/* Longer lines are shown in part, around the caret. */
#define SNIPPET_MAX 160
/* Beyond this many, a long chain of expansions is summarised. */
#define MAX_EXPANSION_NOTES 6
/*
 * Errors shown per pass, the earliest first (clang's -ferror-limit): past
 * the first few, errors are mostly echoes of an earlier one, and garbage
 * input would otherwise print thousands.
 */
#define MAX_ERRORS_SHOWN 20

struct diag {
	enum diag_level level;
	struct loc loc;
	bool has_loc;
	const char *msg;
	struct vec notes; /* struct diag * */
	int seq;	  /* recording order, to keep the sort stable */
};

static struct vec diags;
static int error_count;
static struct diag *last_main;
static bool dropping_notes; /* the notes of a suppressed warning */
static int quiet_depth, quiet_errors; /* diag_quiet(): count, do not keep */
bool diag_color;
bool diag_no_warnings;
bool diag_werror;

static void record(enum diag_level level, const struct loc *l, const char *fmt, va_list ap)
{
	if (quiet_depth) {
		if (level == DIAG_ERROR)
			quiet_errors++;
		return;
	}
	/* -W: a warning stops the build as an error does (and -w does not hide it). */
	if (level == DIAG_WARNING && diag_werror)
		level = DIAG_ERROR;
	if (level == DIAG_WARNING && diag_no_warnings) {
		dropping_notes = true;
		return;
	}
	if (level == DIAG_NOTE && dropping_notes)
		return;
	if (level != DIAG_NOTE)
		dropping_notes = false;
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	char *msg = arena_alloc((size_t)n + 1);
	vsnprintf(msg, (size_t)n + 1, fmt, ap2);
	va_end(ap2);

	struct diag *d = arena_alloc(sizeof(*d));
	d->level = level;
	d->msg = msg;
	if (l && l->file) {
		d->loc = *l;
		d->has_loc = true;
	}
	if (level == DIAG_NOTE && last_main) {
		vec_push(&last_main->notes, d);
		return;
	}
	d->seq = diags.len;
	vec_push(&diags, d);
	last_main = d;
	if (level == DIAG_ERROR)
		error_count++;
}

void diag_error(const struct loc *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	record(DIAG_ERROR, l, fmt, ap);
	va_end(ap);
}

void diag_warning(const struct loc *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	record(DIAG_WARNING, l, fmt, ap);
	va_end(ap);
}

void diag_note(const struct loc *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	record(DIAG_NOTE, l, fmt, ap);
	va_end(ap);
}

void diag_quiet(bool on)
{
	quiet_depth += on ? 1 : -1;
	if (on && quiet_depth == 1)
		quiet_errors = 0;
}

int diag_quiet_errors(void)
{
	return quiet_errors;
}

int diag_error_count(void)
{
	return error_count;
}

void diag_reset(void)
{
	diags = (struct vec){ 0 };
	error_count = 0;
	last_main = NULL;
}

static int cmp_diag(const void *a, const void *b)
{
	const struct diag *x = *(struct diag *const *)a;
	const struct diag *y = *(struct diag *const *)b;
	int fx = x->has_loc ? x->loc.file->order : -1;
	int fy = y->has_loc ? y->loc.file->order : -1;
	if (fx != fy)
		return fx < fy ? -1 : 1;
	if (x->has_loc && x->loc.line != y->loc.line)
		return x->loc.line < y->loc.line ? -1 : 1;
	if (x->has_loc && x->loc.col != y->loc.col)
		return x->loc.col < y->loc.col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Finds line `line` (1-based) of a file; sets *len to its length. */
static const char *line_text(const struct source_file *f, int line, size_t *len)
{
	const char *p = f->text, *end = f->text + f->len;
	for (int i = 1; i < line && p < end; i++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return NULL;
		p = nl + 1;
	}
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	*len = (size_t)((nl ? nl : end) - p);
	return p;
}

static const char *level_name(enum diag_level l)
{
	return l == DIAG_ERROR ? "error" : l == DIAG_WARNING ? "warning" : "note";
}

static const char *level_color(enum diag_level l)
{
	return l == DIAG_ERROR ? "\033[1;31m" : l == DIAG_WARNING ? "\033[1;35m" : "\033[1;36m";
}

/* Echoes the source line with tabs expanded, then a caret under the column. */
static void print_snippet(FILE *out, const struct loc *l)
{
	size_t len;
	const char *text = line_text(l->file, l->line, &len);
	if (!text)
		return;
	char num[16];
	int w = snprintf(num, sizeof(num), "%d", l->line);
	if (w < 4)
		w = 4;
	fprintf(out, "%*d | ", w + 1, l->line);
	/* A long line is shown around the caret, not whole. */
	size_t from = 0;
	if (len > SNIPPET_MAX) {
		size_t col = (size_t)(l->col > 0 ? l->col - 1 : 0);
		from = col > SNIPPET_MAX / 2 ? col - SNIPPET_MAX / 2 : 0;
		if (from + SNIPPET_MAX > len)
			from = len - SNIPPET_MAX;
		len = from + SNIPPET_MAX;
	}
	int vcol = 0, caret_at = -1;
	for (size_t i = from; i < len; i++) {
		if ((int)i == l->col - 1)
			caret_at = vcol;
		if (text[i] == '\t') {
			do
				fputc(' ', out);
			while (++vcol % 8);
		} else if ((unsigned char)text[i] < 0x20) {
			fputc(' ', out);
			vcol++;
		} else {
			fputc(text[i], out);
			vcol++;
		}
	}
	if (caret_at < 0)
		caret_at = vcol;
	fprintf(out, "\n%*s | %*s", w + 1, "", caret_at, "");
	if (diag_color)
		fputs("\033[1;32m", out);
	fputc('^', out);
	int tildes = l->len - 1;
	if (tildes > (int)len - (l->col - 1) - 1)
		tildes = (int)len - (l->col - 1) - 1;
	if (tildes > 80)
		tildes = 80;
	for (int i = 0; i < tildes && i < 200; i++)
		fputc('~', out);
	if (diag_color)
		fputs("\033[0m", out);
	fputc('\n', out);
}

static void print_one(FILE *out, const struct diag *d)
{
	if (diag_color)
		fputs("\033[1m", out);
	if (d->has_loc)
		fprintf(out, "%s:%d:%d: ", d->loc.file->name, d->loc.line, d->loc.col);
	else
		fputs("stapc: ", out);
	if (diag_color)
		fprintf(out, "%s%s:\033[0m\033[1m %s\033[0m\n", level_color(d->level),
			level_name(d->level), d->msg);
	else
		fprintf(out, "%s: %s\n", level_name(d->level), d->msg);
	if (d->has_loc)
		print_snippet(out, &d->loc);
	/* The expansion chain: innermost first, as clang does for macros. */
	int depth = 0;
	for (struct expansion *e = d->has_loc ? d->loc.exp : NULL; e; e = e->at.exp) {
		if (!e->at.file)
			break;
		if (++depth > MAX_EXPANSION_NOTES) {
			int more = 0;
			for (; e; e = e->at.exp)
				more++;
			fprintf(out, "note: (%d more expansions not shown)\n", more);
			break;
		}
		fprintf(out, "%s:%d:%d: %s: in expansion of %s\n", e->at.file->name, e->at.line,
			e->at.col, level_name(DIAG_NOTE), e->what);
		print_snippet(out, &e->at);
	}
}

static bool same_place(const struct diag *a, const struct diag *b)
{
	return a->has_loc == b->has_loc &&
	       (!a->has_loc || (a->loc.file == b->loc.file && a->loc.line == b->loc.line &&
				a->loc.col == b->loc.col));
}

/*
 * The same message at the same place, said before in this run of equal
 * places (each probe an alias expands to is checked on its own, and says
 * the same of the alias body): stap's "similar messages suppressed".
 */
static bool said_before(int i)
{
	const struct diag *d = vec_at(&diags, i);
	for (int j = i - 1; j >= 0 && i - j <= 64; j--) {
		const struct diag *prev = vec_at(&diags, j);
		if (!same_place(prev, d))
			return false;
		if (prev->level == d->level && !strcmp(prev->msg, d->msg))
			return true;
	}
	return false;
}

void diag_flush(FILE *out)
{
	if (diags.len)
		qsort(diags.data, (size_t)diags.len, sizeof(void *), cmp_diag);
	int shown = 0, hidden = 0;
	for (int i = 0; i < diags.len; i++) {
		struct diag *d = vec_at(&diags, i);
		if (said_before(i))
			continue;
		if (shown == MAX_ERRORS_SHOWN) {
			hidden += d->level == DIAG_ERROR;
			continue;
		}
		shown += d->level == DIAG_ERROR;
		print_one(out, d);
		for (int j = 0; j < d->notes.len; j++)
			print_one(out, vec_at(&d->notes, j));
	}
	if (hidden)
		fprintf(out, "stapc: %d more error%s not shown\n", hidden, hidden == 1 ? "" : "s");
	diags = (struct vec){ 0 };
	last_main = NULL;
	fflush(out);
}
