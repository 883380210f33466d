// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * template.c - generated files are written from the skeletons in
 * templates/, which the Makefile embeds into stapc (build/gen/templates.c).
 *
 * A placeholder is @NAME@, NAME in capitals, digits and '_'. Inside a line
 * it is replaced by its value. A line that holds nothing but a placeholder
 * is replaced by the value as whole lines (the value brings its own line
 * ends), so a block the emitter leaves empty leaves no blank line behind.
 * A placeholder with no value is a bug in stapc: it stops with a message
 * instead of writing a file with an @NAME@ in it.
 */
#include "stapc.h"

#include <stdlib.h>
#include <string.h>

static const struct template_file *find_template(const char *name)
{
	for (const struct template_file *t = stp_templates; t->name; t++)
		if (!strcmp(t->name, name))
			return t;
	fprintf(stderr, "stapc: bug: no template '%s' in templates/\n", name);
	abort();
}

/* The length of the placeholder's name at p (just after an '@'), 0 if none. */
static size_t placeholder_len(const char *p)
{
	size_t n = 0;
	while ((p[n] >= 'A' && p[n] <= 'Z') || (p[n] >= '0' && p[n] <= '9') || p[n] == '_')
		n++;
	return n && p[0] >= 'A' && p[0] <= 'Z' && p[n] == '@' ? n : 0;
}

static const char *value_of(const char *tname, const struct tvar *vars, const char *name,
			    size_t n)
{
	for (const struct tvar *v = vars; v->name; v++)
		if (strlen(v->name) == n && !strncmp(v->name, name, n))
			return v->value ? v->value : "";
	fprintf(stderr, "stapc: bug: template '%s' has @%.*s@, which has no value\n", tname,
		(int)n, name);
	abort();
}

const char *template_expand(const char *name, const struct tvar *vars)
{
	const struct template_file *t = find_template(name);
	struct strbuf sb = { 0 };
	const char *p = t->text, *end = t->text + t->len;
	bool line_start = true;
	while (p < end) {
		size_t n = *p == '@' ? placeholder_len(p + 1) : 0;
		if (!n) {
			line_start = *p == '\n';
			sb_putc(&sb, *p++);
			continue;
		}
		const char *value = value_of(name, vars, p + 1, n);
		p += n + 2;
		if (line_start && p < end && *p == '\n') {
			/* A line of its own: the value's lines, or none. */
			sb_puts(&sb, value);
			if (*value && value[strlen(value) - 1] != '\n')
				sb_putc(&sb, '\n');
			p++;
			continue;
		}
		sb_puts(&sb, value);
		line_start = false;
	}
	const char *r = arena_strdup(sb.buf ? sb.buf : "");
	sb_free(&sb);
	return r;
}
