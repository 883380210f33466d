// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * flamegraph.c - a tool's --flamegraph FILE.svg: the folded stacks its
 * script prints ("main;work;hot 42": frames from the root, ';' between
 * them, a space, a count) are kept as they go out, merged into one tree,
 * and drawn at exit as an SVG flame graph, with no Perl on the target.
 *
 * One <rect> per frame of the merged tree (and no other rect), its width
 * proportional to the samples under it, the root frames at the bottom;
 * its name as <text> where it fits, and a <title> with the samples and the
 * share of the whole that a browser shows on hover. Children are drawn in
 * the order of their names and the colours come from the names, so the
 * same input gives the same file.
 */
#include "flamegraph.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct node {
	char *name;
	uint64_t value; /* the samples of this frame and the ones above it */
	struct node **kids;
	int nkids;
};

static struct node root;
static char *line; /* the part of a line written so far */
static size_t line_len, line_cap;

static struct node *child(struct node *n, const char *name, size_t len)
{
	for (int i = 0; i < n->nkids; i++)
		if (strlen(n->kids[i]->name) == len && !memcmp(n->kids[i]->name, name, len))
			return n->kids[i];
	struct node *k = calloc(1, sizeof(*k));
	struct node **v = realloc(n->kids, sizeof(*v) * (size_t)(n->nkids + 1));
	if (!k || !v || !(k->name = strndup(name, len))) {
		free(k);
		if (v)
			n->kids = v;
		return NULL;
	}
	n->kids = v;
	n->kids[n->nkids++] = k;
	return k;
}

/* A folded line: frames, one space, a whole count; no space in the frames. */
bool stp_flame_add_line(const char *s, size_t len)
{
	const char *sp = memrchr(s, ' ', len);
	if (!sp || sp == s || sp + 1 == s + len || memchr(s, ' ', (size_t)(sp - s)))
		return false;
	uint64_t count = 0;
	for (const char *p = sp + 1; p < s + len; p++) {
		if (*p < '0' || *p > '9')
			return false;
		count = count * 10 + (uint64_t)(*p - '0');
	}
	if (!count)
		return true;
	struct node *n = &root;
	root.value += count;
	for (const char *f = s; f < sp && n;) {
		const char *e = memchr(f, ';', (size_t)(sp - f));
		if (!e)
			e = sp;
		if (e > f) {
			n = child(n, f, (size_t)(e - f));
			if (n)
				n->value += count;
		}
		f = e + 1;
	}
	return true;
}

static FILE *flame_file;

int stp_flame_open(const char *path)
{
	flame_file = fopen(path, "w");
	return flame_file ? 0 : -1;
}

void stp_flame_feed(const char *s, size_t n)
{
	if (!flame_file)
		return;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n') {
			stp_flame_add_line(line ? line : "", line_len);
			line_len = 0;
			continue;
		}
		if (line_len + 1 >= line_cap) {
			size_t cap = line_cap ? 2 * line_cap : 256;
			char *l = realloc(line, cap);
			if (!l)
				return;
			line = l, line_cap = cap;
		}
		line[line_len++] = s[i];
	}
}

/* ------------------------------------------------------------ drawing */

enum { WIDTH = 1200, PAD = 10, FRAME_H = 16, TOP = 40, FONT = 12 };
#define CHAR_W (FONT * 0.59) /* the width of an average character */

static int by_name(const void *a, const void *b)
{
	return strcmp((*(struct node *const *)a)->name, (*(struct node *const *)b)->name);
}

static int depth_of(struct node *n)
{
	int d = 0;
	qsort(n->kids, (size_t)n->nkids, sizeof(*n->kids), by_name);
	for (int i = 0; i < n->nkids; i++) {
		int k = depth_of(n->kids[i]) + 1;
		if (k > d)
			d = k;
	}
	return d;
}

static void put_escaped(FILE *f, const char *s, size_t max)
{
	for (size_t i = 0; s[i] && i < max; i++) {
		switch (s[i]) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default:
			/* Control characters are not XML: a frame never needs them. */
			fputc((unsigned char)s[i] < 0x20 ? '?' : s[i], f);
		}
	}
}

/* Warm colours, the usual flame graph's, chosen by the name's hash. */
static void colour(const char *name, int *r, int *g, int *b)
{
	uint32_t h = 2166136261u;
	for (const char *p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	*r = 205 + (int)(h % 51);
	*g = (int)((h >> 8) % 231);
	*b = (int)((h >> 16) % 56);
}

static void draw(FILE *f, const struct node *n, int depth, int height, double x, double scale)
{
	for (int i = 0; i < n->nkids; i++) {
		const struct node *k = n->kids[i];
		double w = (double)k->value * scale;
		double y = height - PAD - (depth + 1) * FRAME_H;
		int r, g, b;
		colour(k->name, &r, &g, &b);
		fputs("<g><title>", f);
		put_escaped(f, k->name, (size_t)-1);
		fprintf(f, " (%llu samples, %.2f%%)</title>", (unsigned long long)k->value,
			100.0 * (double)k->value / (double)root.value);
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" "
			   "fill=\"rgb(%d,%d,%d)\" rx=\"2\" ry=\"2\"/>",
			x, y, w, FRAME_H - 1, r, g, b);
		size_t fits = (size_t)((w - 6) / CHAR_W);
		if (fits >= 3) {
			size_t len = strlen(k->name);
			fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">", x + 3, y + FRAME_H - 4.5);
			put_escaped(f, k->name, len <= fits ? len : fits - 2);
			fputs(len <= fits ? "</text>" : "..</text>", f);
		}
		fputs("</g>\n", f);
		draw(f, k, depth + 1, height, x, scale);
		x += w;
	}
}

int stp_flame_write_svg(FILE *f)
{
	int depth = depth_of(&root);
	int height = TOP + depth * FRAME_H + 2 * PAD;
	fprintf(f, "<?xml version=\"1.0\" standalone=\"no\"?>\n"
		   "<svg version=\"1.1\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		   "xmlns=\"http://www.w3.org/2000/svg\" style=\"background-color:#f8f8f0\">\n"
		   "<style>text { font-family: Verdana, sans-serif; font-size: %dpx; fill: #000; }"
		   " g:hover rect { stroke: #000; stroke-width: 0.5; }</style>\n"
		   "<text x=\"%d\" y=\"24\" text-anchor=\"middle\" style=\"font-size: 17px\">"
		   "Flame Graph</text>\n",
		WIDTH, height, WIDTH, height, FONT, WIDTH / 2);
	if (!root.value)
		fprintf(f, "<text x=\"%d\" y=\"%d\">no folded stacks were printed</text>\n", PAD,
			TOP + PAD);
	else
		draw(f, &root, 0, height, PAD, (double)(WIDTH - 2 * PAD) / (double)root.value);
	fputs("</svg>\n", f);
	return ferror(f) ? -1 : 0;
}

int stp_flame_finish(void)
{
	if (!flame_file)
		return 0;
	if (line_len)
		stp_flame_add_line(line, line_len);
	line_len = 0;
	int err = stp_flame_write_svg(flame_file);
	if (fclose(flame_file) != 0)
		err = -1;
	flame_file = NULL;
	return err;
}
