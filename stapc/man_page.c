// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * man_page.c - NAME.1, the manual page of a generated tool, from
 * templates/tool.1.in. It says what --help says, in roff: the script's
 * leading comment is the description, and a first line "NAME - what it
 * does" is the summary.
 */
#include "stapc.h"

#include <ctype.h>
#include <string.h>

/* One line of text in roff: backslashes and minus signs escaped, no request. */
static void roff_line(struct strbuf *sb, const char *s, size_t n)
{
	if (n && (s[0] == '.' || s[0] == '\''))
		sb_puts(sb, "\\&");
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\')
			sb_puts(sb, "\\e");
		else if (s[i] == '-')
			sb_puts(sb, "\\-");
		else
			sb_putc(sb, s[i]);
	}
}

static const char *roff(const char *s, size_t n)
{
	struct strbuf sb = { 0 };
	roff_line(&sb, s, n);
	const char *r = arena_strdup(sb.buf ? sb.buf : "");
	sb_free(&sb);
	return r;
}

/* The description's lines in roff, a blank line a new paragraph; *summary its "- " part. */
static const char *description(const char *text, const char **summary)
{
	struct strbuf sb = { 0 };
	const char *eol = strchr(text, '\n');
	size_t n = eol ? (size_t)(eol - text) : strlen(text);
	const char *dash = memmem(text, n, " - ", 3);
	*summary = "a SystemTap script compiled by stapc";
	if (dash) {
		const char *s = dash + 3;
		size_t len = n - (size_t)(s - text);
		if (len && s[len - 1] == '.')
			len--;
		*summary = roff(s, len);
		text = eol ? eol + 1 : text + n;
	}
	while (*text == '\n')
		text++;
	for (const char *p = text; *p;) {
		eol = strchr(p, '\n');
		n = eol ? (size_t)(eol - p) : strlen(p);
		if (n)
			roff_line(&sb, p, n);
		else
			sb_puts(&sb, ".PP");
		sb_putc(&sb, '\n');
		p = eol ? eol + 1 : p + n;
	}
	const char *r = arena_strdup(sb.buf ? sb.buf : "");
	sb_free(&sb);
	return r;
}

const char *man_page(const char *name, const char *script_name, const char *text, int nargs)
{
	const char *summary, *body = description(script_description(text), &summary);
	const char *base = strrchr(script_name, '/') ? strrchr(script_name, '/') + 1 : script_name;
	char *upper = arena_strdup(name);
	for (char *p = upper; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	const char *args = nargs ? arena_printf(".PP\nThe script takes %d argument%s: $1..$%d "
						"(@1.. as strings).",
						nargs, nargs == 1 ? "" : "s", nargs)
				 : "";
	const struct tvar vars[] = {
		{ "NAME", roff(name, strlen(name)) },
		{ "TITLE", roff(upper, strlen(upper)) },
		{ "VERSION", STAPC_VERSION },
		{ "SCRIPT", roff(base, strlen(base)) },
		{ "SUMMARY", summary },
		{ "DESCRIPTION", body },
		{ "ARGUMENTS", args },
		{ 0 },
	};
	return template_expand("tool.1", vars);
}
