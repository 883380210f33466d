// SPDX-License-Identifier: GPL-2.0-or-later
/* util.c - arena, vectors, string buffers, interned strings, file reading. */
#include "stapc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- arena */

struct arena_block {
	struct arena_block *next;
	size_t used, size;
	_Alignas(16) unsigned char data[];
};

static struct arena_block *arena_head;

void *arena_alloc(size_t size)
{
	void *p = arena_alloc_raw(size);
	memset(p, 0, size);
	return p;
}

void *arena_alloc_raw(size_t size)
{
	size = (size + 15) & ~(size_t)15;
	struct arena_block *b = arena_head;
	if (!b || b->size - b->used < size) {
		size_t bsize = size > 64 * 1024 ? size : 64 * 1024;
		b = malloc(sizeof(*b) + bsize);
		if (!b) {
			fprintf(stderr, "stapc: out of memory\n");
			abort();
		}
		b->size = bsize;
		b->used = 0;
		b->next = arena_head;
		arena_head = b;
	}
	void *p = b->data + b->used;
	b->used += size;
	return p;
}

static void intern_reset(void);

void arena_reset(void)
{
	while (arena_head) {
		struct arena_block *next = arena_head->next;
		free(arena_head);
		arena_head = next;
	}
	intern_reset();
}

char *arena_strndup(const char *s, size_t n)
{
	char *p = arena_alloc(n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

char *arena_strdup(const char *s)
{
	return arena_strndup(s, strlen(s));
}

char *arena_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *p = arena_alloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

/* ------------------------------------------------------------- vec */

void vec_push(struct vec *v, void *item)
{
	if (v->len == v->cap) {
		int cap = v->cap ? v->cap * 2 : 8;
		void **data = arena_alloc(sizeof(void *) * (size_t)cap);
		if (v->len)
			memcpy(data, v->data, sizeof(void *) * (size_t)v->len);
		v->data = data;
		v->cap = cap;
	}
	v->data[v->len++] = item;
}

/* ------------------------------------------------------------- strbuf */

static void sb_reserve(struct strbuf *sb, size_t extra)
{
	if (sb->len + extra + 1 <= sb->cap)
		return;
	size_t cap = sb->cap ? sb->cap : 256;
	while (cap < sb->len + extra + 1)
		cap *= 2;
	char *buf = realloc(sb->buf, cap);
	if (!buf) {
		fprintf(stderr, "stapc: out of memory\n");
		abort();
	}
	sb->buf = buf;
	sb->cap = cap;
}

void sb_putn(struct strbuf *sb, const char *s, size_t n)
{
	sb_reserve(sb, n);
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = 0;
}

void sb_putc(struct strbuf *sb, char c)
{
	sb_putn(sb, &c, 1);
}

void sb_puts(struct strbuf *sb, const char *s)
{
	sb_putn(sb, s, strlen(s));
}

void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	sb_reserve(sb, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

void sb_free(struct strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}

/* ------------------------------------------------------------- intern */

/* Open addressing over arena-held strings; grows at 50% load. */
static const char **intern_tab;
static size_t intern_cap, intern_count;

static void intern_reset(void)
{
	free(intern_tab);
	intern_tab = NULL;
	intern_cap = intern_count = 0;
}

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

static void intern_grow(void)
{
	size_t cap = intern_cap ? intern_cap * 2 : 1024;
	const char **tab = calloc(cap, sizeof(*tab));
	if (!tab) {
		fprintf(stderr, "stapc: out of memory\n");
		abort();
	}
	for (size_t i = 0; i < intern_cap; i++) {
		const char *s = intern_tab[i];
		if (!s)
			continue;
		size_t j = hash_bytes(s, strlen(s)) & (cap - 1);
		while (tab[j])
			j = (j + 1) & (cap - 1);
		tab[j] = s;
	}
	free(intern_tab);
	intern_tab = tab;
	intern_cap = cap;
}

const char *intern_n(const char *s, size_t n)
{
	if (2 * (intern_count + 1) > intern_cap)
		intern_grow();
	size_t j = hash_bytes(s, n) & (intern_cap - 1);
	for (;;) {
		const char *t = intern_tab[j];
		if (!t)
			break;
		if (strncmp(t, s, n) == 0 && t[n] == 0)
			return t;
		j = (j + 1) & (intern_cap - 1);
	}
	const char *copy = arena_strndup(s, n);
	intern_tab[j] = copy;
	intern_count++;
	return copy;
}

const char *intern(const char *s)
{
	return intern_n(s, strlen(s));
}

/* ------------------------------------------------------------- files */

char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct strbuf sb = { 0 };
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		sb_putn(&sb, chunk, n);
	int err = ferror(f) ? errno : 0;
	fclose(f);
	if (err) {
		sb_free(&sb);
		errno = err;
		return NULL;
	}
	char *text = arena_strndup(sb.buf ? sb.buf : "", sb.len);
	if (len)
		*len = sb.len;
	sb_free(&sb);
	return text;
}
