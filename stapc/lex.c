// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lex.c - turns a script into tokens.
 *
 * Strings keep stap's raw form: an escaped quote becomes a plain quote,
 * every other escape stays as written (backslash and all). That is what
 * `stap -p1` prints back, and later passes decode the C escapes themselves.
 */
#include "stapc.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const keywords[] = {
	"probe", "global",   "private", "function", "if",     "else",  "for",
	"foreach", "in",     "limit",   "return",   "delete", "while", "break",
	"continue", "next",  "string",  "long",     "try",    "catch",
};

/* Longest first, so the first match is the longest one. */
static const char *const operators[] = {
	"<<<", "<<=", ">>=", "==", "!=", "<=", ">=", "&&", "||", "++", "--", "+=", "-=",
	"*=",  "/=",  "%=",  "&=", "^=", "|=", ".=", "<<", ">>", "->", "=~", "!~", "%(",
	"%?",  "%:",  "%)",  "{",  "}",  "(",  ")",  "[",  "]",  ";",  ",",  ".",  "=",
	"+",   "-",   "*",   "/",  "%",  "<",  ">",  "!",  "~",  "&",  "|",  "^",  "?",
	":",
};

struct lexer {
	struct source_file *f;
	int errors;
	const char *p, *end;
	int line;
	const char *line_start;
	struct tokvec *out;
};

/* As the parser's limit: past it, the input is not a script at all. */
#define MAX_LEX_ERRORS 50
/* Some 8 MB of dense script: past what the parser accepts of one file. */
#define MAX_TOKENS 2000000
#define lex_error(lx, ...) ((lx)->errors++, diag_error(__VA_ARGS__))

static struct loc here(const struct lexer *lx, const char *at)
{
	return (struct loc){ .file = lx->f, .line = lx->line, .col = (int)(at - lx->line_start) + 1,
			     .len = 1 };
}

static void newline(struct lexer *lx, const char *nl)
{
	lx->line++;
	lx->line_start = nl + 1;
}

static struct token *push(struct lexer *lx, enum tok_kind kind, struct loc loc, bool space)
{
	struct tokvec *v = lx->out;
	if (v->len == v->cap) {
		/*
		 * Room for a token every two bytes left (more than any script
		 * has), so the vector is not regrown and copied: untouched, the
		 * room costs no memory.
		 */
		long left = (long)(lx->end - lx->p);
		int cap = v->cap ? v->cap * 2 : 256;
		if (!v->cap && left / 2 + 256 > cap)
			cap = left / 2 + 256 < MAX_TOKENS + 1 ? (int)(left / 2 + 256) : MAX_TOKENS + 1;
		struct token *t = arena_alloc_raw(sizeof(*t) * (size_t)cap);
		if (v->len)
			memcpy(t, v->t, sizeof(*t) * (size_t)v->len);
		v->t = t;
		v->cap = cap;
	}
	struct token *t = &v->t[v->len++];
	*t = (struct token){ .kind = kind, .loc = loc, .space_before = space };
	return t;
}

/* Skips blanks and comments; returns whether anything was skipped. */
static bool skip_space(struct lexer *lx)
{
	const char *start = lx->p;
	while (lx->p < lx->end) {
		char c = *lx->p;
		if (c == '\n') {
			newline(lx, lx->p);
			lx->p++;
		} else if (isspace((unsigned char)c)) {
			lx->p++;
		} else if (c == '#' || (c == '/' && lx->p + 1 < lx->end && lx->p[1] == '/')) {
			while (lx->p < lx->end && *lx->p != '\n')
				lx->p++;
		} else if (c == '/' && lx->p + 1 < lx->end && lx->p[1] == '*') {
			struct loc l = here(lx, lx->p);
			l.len = 2;
			lx->p += 2;
			for (;;) {
				if (lx->p + 1 >= lx->end) {
					lex_error(lx, &l, "unterminated comment: no '*/' before the end of the file");
					lx->p = lx->end;
					break;
				}
				if (lx->p[0] == '*' && lx->p[1] == '/') {
					lx->p += 2;
					break;
				}
				if (*lx->p == '\n')
					newline(lx, lx->p);
				lx->p++;
			}
		} else {
			break;
		}
	}
	return lx->p != start;
}

static bool is_ident_start(char c)
{
	return isalpha((unsigned char)c) || c == '_' || c == '$' || c == '@';
}

static bool is_ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '$';
}

static void lex_number(struct lexer *lx, struct token *t, const char *start)
{
	const char *p = start;
	while (p < lx->end && isalnum((unsigned char)*p))
		p++;
	lx->p = p;
	t->text = intern_n(start, (size_t)(p - start));
	t->loc.len = (int)(p - start);
	char *endp;
	errno = 0;
	unsigned long long v = strtoull(t->text, &endp, 0);
	if (errno || *endp) {
		lex_error(lx, &t->loc, "invalid number '%s': not a decimal, octal (0...) or hex (0x...) "
				    "value that fits in 64 bits", t->text);
		v = 0;
	}
	/* stap's numbers are 64-bit two's complement: 0xffffffffffffffff is -1. */
	t->num = (int64_t)v;
}

static void lex_string(struct lexer *lx, struct token *t, const char *start)
{
	struct strbuf sb = { 0 };
	const char *p = start + 1;
	int line = lx->line;
	const char *line_start = lx->line_start;
	for (;;) {
		if (p >= lx->end) {
			lex_error(lx, &t->loc, "unterminated string: no closing '\"' before the end of the file");
			break;
		}
		char c = *p++;
		if (c == '"')
			break;
		if (c == 0) {
			struct loc l = { lx->f, line, (int)(p - 1 - line_start) + 1, 1, NULL };
			lex_error(lx, &l, "a NUL byte inside a string");
			continue;
		}
		if (c == '\n') {
			line++;
			line_start = p;
		}
		if (c == '\\' && p < lx->end) {
			char e = *p++;
			if (e == '"') {
				sb_putc(&sb, '"');
				continue;
			}
			sb_putc(&sb, '\\');
			c = e;
			if (c == '\n') {
				line++;
				line_start = p;
			}
		}
		sb_putc(&sb, c);
	}
	t->text = intern_n(sb.buf ? sb.buf : "", sb.len);
	sb_free(&sb);
	t->loc.len = line == lx->line ? (int)(p - start) : 1;
	lx->line = line;
	lx->line_start = line_start;
	lx->p = p;
}

static void lex_embedded(struct lexer *lx, struct token *t, const char *start)
{
	const char *p = start + 2;
	const char *code = p;
	int line = lx->line;
	const char *line_start = lx->line_start;
	for (;;) {
		if (p + 1 >= lx->end) {
			lex_error(lx, &t->loc, "unterminated embedded code: no '%%}' before the end of the file");
			p = lx->end;
			t->text = intern_n(code, (size_t)(p - code));
			break;
		}
		if (p[0] == '%' && p[1] == '}') {
			t->text = intern_n(code, (size_t)(p - code));
			p += 2;
			break;
		}
		if (*p == '\n') {
			line++;
			line_start = p + 1;
		}
		p++;
	}
	t->loc.len = 2;
	lx->line = line;
	lx->line_start = line_start;
	lx->p = p;
}

static bool lex_operator(struct lexer *lx, struct token *t, const char *start)
{
	size_t avail = (size_t)(lx->end - start);
	for (size_t i = 0; i < ARRAY_SIZE(operators); i++) {
		size_t n = strlen(operators[i]);
		if (n <= avail && memcmp(start, operators[i], n) == 0) {
			t->text = intern(operators[i]);
			t->loc.len = (int)n;
			lx->p = start + n;
			return true;
		}
	}
	return false;
}

int lex_file(struct source_file *f, struct tokvec *out)
{
	struct lexer lx = { .f = f, .p = f->text, .end = f->text + f->len, .line = 1,
			    .line_start = f->text, .out = out };
	/* A #! line is a comment like any other # line. */
	for (;;) {
		bool space = skip_space(&lx);
		if (lx.p >= lx.end)
			break;
		const char *start = lx.p;
		struct loc loc = here(&lx, start);
		if (lx.errors == MAX_LEX_ERRORS) {
			/* Not a script: stop here rather than list every byte of it. */
			diag_error(&loc, "too many errors in this file; giving up on it");
			break;
		}
		if (lx.out->len == MAX_TOKENS) {
			/* The parser would refuse it anyway (MAX_FILE_NODES): keep memory bounded. */
			diag_error(&loc, "this file is too large: more than %d tokens; giving up on it",
				   MAX_TOKENS);
			break;
		}
		char c = *start;
		if (is_ident_start(c)) {
			const char *p = start + 1;
			/* $# and @# are the argument count. */
			if ((c == '$' || c == '@') && p < lx.end && *p == '#') {
				p++;
			} else {
				while (p < lx.end && is_ident_char(*p))
					p++;
			}
			struct token *t = push(&lx, TK_IDENT, loc, space);
			t->text = intern_n(start, (size_t)(p - start));
			t->loc.len = (int)(p - start);
			for (size_t i = 0; i < ARRAY_SIZE(keywords); i++)
				if (strcmp(t->text, keywords[i]) == 0)
					t->kind = TK_KEYWORD;
			lx.p = p;
		} else if (isdigit((unsigned char)c)) {
			lex_number(&lx, push(&lx, TK_NUMBER, loc, space), start);
		} else if (c == '"') {
			lex_string(&lx, push(&lx, TK_STRING, loc, space), start);
		} else if (c == '%' && start + 1 < lx.end && start[1] == '{') {
			lex_embedded(&lx, push(&lx, TK_EMBEDDED, loc, space), start);
		} else {
			struct token *t = push(&lx, TK_OP, loc, space);
			if (!lex_operator(&lx, t, start)) {
				lx.out->len--;
				if (isprint((unsigned char)c)) {
					lex_error(&lx, &loc, "unexpected character '%c'", c);
					lx.p++;
					continue;
				}
				/* A run of non-text bytes is one error, not one per byte. */
				const char *q = lx.p;
				while (q < lx.end && *q != '\n' && !isprint((unsigned char)*q) &&
				       !isspace((unsigned char)*q))
					q++;
				loc.len = (int)(q - lx.p);
				if (q - lx.p > 1)
					lex_error(&lx, &loc, "%d unexpected bytes (0x%02x ...): is this a text "
							     "file?", (int)(q - lx.p), (unsigned char)c);
				else
					lex_error(&lx, &loc, "unexpected byte 0x%02x", (unsigned char)c);
				lx.p = q;
			}
		}
	}
	/* The end of the file is shown at the end of its last line. */
	struct loc end = here(&lx, lx.p);
	if (lx.p > f->text && lx.p[-1] == '\n' && end.line > 1) {
		const char *prev = lx.p - 1;
		while (prev > f->text && prev[-1] != '\n')
			prev--;
		end.line--;
		end.col = (int)(lx.p - 1 - prev) + 1;
	}
	struct token *eof = push(&lx, TK_EOF, end, true);
	eof->text = intern("");
	return lx.errors;
}

bool tok_is(const struct token *t, const char *text)
{
	return (t->kind == TK_OP || t->kind == TK_KEYWORD) && strcmp(t->text, text) == 0;
}

const char *tok_describe(const struct token *t)
{
	switch (t->kind) {
	case TK_EOF:
		return "the end of the file";
	case TK_IDENT:
		return arena_printf("identifier '%s'", t->text);
	case TK_NUMBER:
		return arena_printf("number '%s'", t->text);
	case TK_STRING:
		return "a string";
	case TK_OP:
		return arena_printf("'%s'", t->text);
	case TK_KEYWORD:
		return arena_printf("keyword '%s'", t->text);
	case TK_EMBEDDED:
		return "embedded code '%{ ... %}'";
	case TK_KCONFIG:
		return "a preprocessor conditional";
	case TK_KCONFIG_ELSE:
		return "'%:'";
	case TK_KCONFIG_END:
		return "'%)'";
	}
	return "?";
}
