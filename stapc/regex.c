// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * regex.c - a stap regular expression (POSIX ERE, on bytes) compiled at
 * build time into a DFA table that BPF and the tool walk the same way.
 *
 * `s =~ "re"` asks whether re matches anywhere in s. The pattern becomes a
 * Thompson NFA, then by subset construction a DFA that restarts the search
 * at every byte, so a match is found in one pass with no backtracking: a
 * loop of at most MAXSTRINGLEN table reads, which the verifier walks once.
 * State 0 is the start, state 1 "matched" (it stays there). The table is
 * P rows of 256 next states and then P bytes "matches if the string ends
 * here" (for '$'), P a power of two so that a masked state is in bounds.
 * matched(N) would need the positions of groups, which a DFA does not keep:
 * it is refused in a kernel probe and in the tool alike.
 */
#include "stapc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

enum { RE_MAX_NFA = 1024, RE_MAX_DFA = 64, RE_MAX_REPEAT = 16 };

enum nkind { N_SET, N_EPS, N_SPLIT, N_BOL, N_EOL, N_ACCEPT };

struct nstate {
	enum nkind kind;
	unsigned char set[32]; /* N_SET: the bytes it takes */
	int out, out1;
};

struct re_parse {
	const char *p;
	struct nstate n[RE_MAX_NFA];
	int len;
	const char *err;
};

struct frag {
	int s, e; /* e: an N_EPS whose out is still to be set */
};

static int node(struct re_parse *rp, enum nkind kind, int out, int out1)
{
	if (rp->len >= RE_MAX_NFA) {
		rp->err = "it is too large";
		return 0;
	}
	struct nstate *n = &rp->n[rp->len];
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->out = out;
	n->out1 = out1;
	return rp->len++;
}

static struct frag single(struct re_parse *rp, enum nkind kind, const unsigned char *set)
{
	int e = node(rp, N_EPS, -1, -1);
	int s = node(rp, kind, e, -1);
	if (set)
		memcpy(rp->n[s].set, set, 32);
	return (struct frag){ s, e };
}

static struct frag concat(struct re_parse *rp, struct frag a, struct frag b)
{
	rp->n[a.e].out = b.s;
	return (struct frag){ a.s, b.e };
}

static void set_add(unsigned char *set, int c)
{
	set[(unsigned char)c >> 3] |= (unsigned char)(1u << (c & 7));
}

static bool set_has(const unsigned char *set, int c)
{
	return set[(unsigned char)c >> 3] & (1u << (c & 7));
}

/* [:name:] inside a bracket. */
static bool add_class(unsigned char *set, const char *name, size_t len)
{
	static const struct {
		const char *name;
		int (*is)(int);
	} classes[] = {
		{ "alpha", isalpha }, { "digit", isdigit }, { "alnum", isalnum }, { "upper", isupper },
		{ "lower", islower }, { "space", isspace }, { "punct", ispunct }, { "xdigit", isxdigit },
		{ "print", isprint }, { "graph", isgraph }, { "cntrl", iscntrl }, { "blank", isblank },
	};
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		if (strlen(classes[i].name) != len || strncmp(classes[i].name, name, len))
			continue;
		for (int c = 0; c < 128; c++)
			if (classes[i].is(c))
				set_add(set, c);
		return true;
	}
	return false;
}

static struct frag bracket(struct re_parse *rp)
{
	unsigned char set[32] = { 0 };
	bool negate = *rp->p == '^';
	if (negate)
		rp->p++;
	bool first = true;
	while (*rp->p && (*rp->p != ']' || first)) {
		first = false;
		if (rp->p[0] == '[' && rp->p[1] == ':') {
			const char *end = strstr(rp->p + 2, ":]");
			if (!end || !add_class(set, rp->p + 2, (size_t)(end - rp->p - 2))) {
				rp->err = "it has an unknown character class";
				return single(rp, N_EPS, NULL);
			}
			rp->p = end + 2;
			continue;
		}
		int lo = (unsigned char)*rp->p++, hi = lo;
		if (rp->p[0] == '-' && rp->p[1] && rp->p[1] != ']') {
			hi = (unsigned char)rp->p[1];
			rp->p += 2;
		}
		for (int c = lo; c <= hi; c++)
			set_add(set, c);
	}
	if (*rp->p != ']')
		rp->err = "a '[' is not closed";
	else
		rp->p++;
	if (negate)
		for (int i = 0; i < 32; i++)
			set[i] = (unsigned char)~set[i];
	return single(rp, N_SET, set);
}

static struct frag alternation(struct re_parse *rp);

static struct frag atom(struct re_parse *rp)
{
	unsigned char set[32] = { 0 };
	char c = *rp->p++;
	switch (c) {
	case '(': {
		struct frag f = alternation(rp);
		if (*rp->p != ')')
			rp->err = "a '(' is not closed";
		else
			rp->p++;
		return f;
	}
	case '[':
		return bracket(rp);
	case '.':
		memset(set, 0xff, sizeof(set));
		return single(rp, N_SET, set);
	case '^':
		return single(rp, N_BOL, NULL);
	case '$':
		return single(rp, N_EOL, NULL);
	case '\\':
		if (!*rp->p) {
			rp->err = "it ends with a '\\'";
			return single(rp, N_EPS, NULL);
		}
		c = *rp->p++;
		break;
	default:
		break;
	}
	set_add(set, (unsigned char)c);
	return single(rp, N_SET, set);
}

/* {m}, {m,} or {m,n} after an atom; false if this '{' is not one. */
static bool bounds(struct re_parse *rp, int *lo, int *hi)
{
	const char *p = rp->p + 1;
	if (!isdigit((unsigned char)*p))
		return false;
	*lo = (int)strtol(p, (char **)&p, 10);
	*hi = *lo;
	if (*p == ',') {
		p++;
		*hi = isdigit((unsigned char)*p) ? (int)strtol(p, (char **)&p, 10) : -1;
	}
	if (*p != '}')
		return false;
	rp->p = p + 1;
	return true;
}

/* The atom at text, made again: x{2,3} is x x x?. */
static struct frag atom_at(struct re_parse *rp, const char *text)
{
	const char *save = rp->p;
	rp->p = text;
	struct frag f = atom(rp);
	rp->p = save;
	return f;
}

static struct frag repeat(struct re_parse *rp, const char *text, struct frag f, int lo, int hi)
{
	if (lo > RE_MAX_REPEAT || hi > RE_MAX_REPEAT || (hi >= 0 && hi < lo)) {
		rp->err = "a repetition count is too large";
		return f;
	}
	struct frag all = lo ? f : single(rp, N_EPS, NULL);
	for (int i = 1; i < lo; i++)
		all = concat(rp, all, atom_at(rp, text));
	if (hi < 0) { /* x{m,}: then x* */
		struct frag x = lo ? atom_at(rp, text) : f;
		int e = node(rp, N_EPS, -1, -1);
		int s = node(rp, N_SPLIT, x.s, e);
		rp->n[x.e].out = s;
		return concat(rp, all, (struct frag){ s, e });
	}
	for (int i = lo; i < hi; i++) {
		struct frag x = i || lo ? atom_at(rp, text) : f;
		int e = node(rp, N_EPS, -1, -1);
		rp->n[x.e].out = e;
		all = concat(rp, all, (struct frag){ node(rp, N_SPLIT, x.s, e), e });
	}
	return all;
}

static struct frag piece(struct re_parse *rp)
{
	const char *text = rp->p;
	struct frag f = atom(rp);
	for (;;) {
		int lo, hi;
		if (*rp->p == '*' || *rp->p == '+' || *rp->p == '?') {
			char op = *rp->p++;
			int e = node(rp, N_EPS, -1, -1);
			int s = node(rp, N_SPLIT, f.s, e);
			rp->n[f.e].out = op == '?' ? e : s;
			f = (struct frag){ op == '+' ? f.s : s, e };
		} else if (*rp->p == '{' && bounds(rp, &lo, &hi)) {
			f = repeat(rp, text, f, lo, hi);
		} else {
			return f;
		}
	}
}

static struct frag branch(struct re_parse *rp)
{
	struct frag f = single(rp, N_EPS, NULL);
	while (*rp->p && *rp->p != '|' && *rp->p != ')' && !rp->err)
		f = concat(rp, f, piece(rp));
	return f;
}

static struct frag alternation(struct re_parse *rp)
{
	struct frag f = branch(rp);
	while (*rp->p == '|' && !rp->err) {
		rp->p++;
		struct frag g = branch(rp);
		int e = node(rp, N_EPS, -1, -1);
		rp->n[f.e].out = e;
		rp->n[g.e].out = e;
		f = (struct frag){ node(rp, N_SPLIT, f.s, g.s), e };
	}
	return f;
}

/* ------------------------------------------------------------ subsets */

struct nset {
	unsigned char bit[RE_MAX_NFA / 8];
};

static void closure_add(const struct re_parse *rp, struct nset *s, int i, bool at_start,
			bool at_end)
{
	if (i < 0 || (s->bit[i >> 3] & (1u << (i & 7))))
		return;
	s->bit[i >> 3] |= (unsigned char)(1u << (i & 7));
	const struct nstate *n = &rp->n[i];
	if (n->kind == N_EPS || n->kind == N_SPLIT || (n->kind == N_BOL && at_start) ||
	    (n->kind == N_EOL && at_end))
		closure_add(rp, s, n->out, at_start, at_end);
	if (n->kind == N_SPLIT)
		closure_add(rp, s, n->out1, at_start, at_end);
}

static bool has(const struct nset *s, int i)
{
	return s->bit[i >> 3] & (1u << (i & 7));
}

/* Whether the string may end here: the set, its '$'s followed. */
static bool accepts_at_end(const struct re_parse *rp, const struct nset *s, int accept)
{
	struct nset end = { 0 };
	for (int i = 0; i < rp->len; i++)
		if (has(s, i))
			closure_add(rp, &end, i, false, true);
	return has(&end, accept);
}

struct dfa_build {
	struct nset sets[RE_MAX_DFA];
	int n;
};

/* The state for set s: an old one, or a new one (-1 when there are too many). */
static int state_of(struct dfa_build *db, const struct nset *s)
{
	for (int i = 2; i < db->n; i++)
		if (!memcmp(&db->sets[i], s, sizeof(*s)))
			return i;
	if (db->n >= RE_MAX_DFA)
		return -1;
	db->sets[db->n] = *s;
	return db->n++;
}

/* The table (see the top); NULL and *why when the pattern cannot be compiled. */
static unsigned char *subsets(struct re_parse *rp, int start, int accept, int *size,
			      const char **why)
{
	static struct dfa_build db;
	static unsigned char next[RE_MAX_DFA][256], end[RE_MAX_DFA];
	memset(&db, 0, sizeof(db));
	db.n = 2; /* 0: the start, 1: matched */
	closure_add(rp, &db.sets[0], start, true, false);
	for (int st = 0; st < db.n; st++) {
		bool matched = st == 1 || has(&db.sets[st], accept);
		end[st] = matched || accepts_at_end(rp, &db.sets[st], accept);
		for (int c = 0; c < 256; c++) {
			if (matched) {
				next[st][c] = 1;
				continue;
			}
			struct nset t = { 0 };
			closure_add(rp, &t, start, false, false); /* the search restarts here */
			for (int i = 0; i < rp->len; i++)
				if (has(&db.sets[st], i) && rp->n[i].kind == N_SET &&
				    set_has(rp->n[i].set, c))
					closure_add(rp, &t, rp->n[i].out, false, false);
			int to = has(&t, accept) ? 1 : state_of(&db, &t);
			if (to < 0) {
				*why = "it needs more than the 64 states stapc's matcher has";
				return NULL;
			}
			next[st][c] = (unsigned char)to;
		}
	}
	int p = 2;
	while (p < db.n)
		p *= 2;
	*size = p * 257;
	unsigned char *t = arena_alloc((size_t)*size);
	memset(t, 0, (size_t)*size);
	for (int st = 0; st < db.n; st++) {
		memcpy(t + st * 256, next[st], 256);
		t[p * 256 + st] = end[st];
	}
	return t;
}

/*
 * The DFA table of pattern, *size bytes, whose state mask is *size / 257 - 1;
 * NULL with *why when the pattern is outside what it compiles.
 */
unsigned char *regex_compile(const char *pattern, int *size, const char **why)
{
	static struct re_parse rp;
	memset(&rp, 0, sizeof(rp));
	rp.p = pattern;
	struct frag f = alternation(&rp);
	if (!rp.err && *rp.p)
		rp.err = "it has a ')' that no '(' opens";
	if (rp.err) {
		*why = rp.err;
		return NULL;
	}
	int accept = node(&rp, N_ACCEPT, -1, -1);
	rp.n[f.e].out = accept;
	if (rp.err) {
		*why = rp.err;
		return NULL;
	}
	return subsets(&rp, f.s, accept, size, why);
}

/*
 * The tables of the plan's patterns, one const array each (stp_reN), for
 * NAME.bpf.c (.rodata) and NAME.c alike: a row of next states per state,
 * then the bytes that say whether a string may end in each state.
 */
void regex_emit_tables(const struct plan *pl, struct cw *w)
{
	for (int i = 0; i < pl->regexes.len; i++) {
		const char *pattern = vec_at(&pl->regexes, i);
		const char *why = NULL;
		int size = 0;
		unsigned char *t = regex_compile(pattern, &size, &why);
		if (!t)
			continue; /* refused in pass 2 */
		int states = size / 257;
		cw_line(w, "/* =~ %s */", c_comment(c_string(pattern)));
		cw_open(w, "static const unsigned char stp_re%d[%d] __attribute__((unused)) =", i, size);
		for (int row = 0; row <= states; row++) {
			const unsigned char *r = t + row * 256;
			int n = row < states ? 256 : states;
			for (int j = 0; j < n; j += 32) {
				struct strbuf sb = { 0 };
				for (int c = j; c < j + 32 && c < n; c++)
					sb_printf(&sb, "%d,", r[c]);
				cw_line(w, "%s", sb.buf);
				sb_free(&sb);
			}
		}
		cw_close(w, ";");
	}
}
