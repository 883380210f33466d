// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * suggest.c - "did you mean": the known name closest to a misspelt one,
 * for diagnostics about probe points, functions, variables and events.
 */
#include "stapc.h"

#include <string.h>

/* Levenshtein distance, bounded: names further than that are no hint. */
static int distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return 99;
	int row[65];
	for (size_t j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int prev = row[0];
		row[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int cur = row[j];
			int best = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	return row[lb];
}

static size_t common_prefix(const char *a, const char *b)
{
	size_t n = 0;
	while (a[n] && a[n] == b[n])
		n++;
	return n;
}

/*
 * Of the names nearest to `name`, the one that shares the longest start
 * with it: "proces" is "process" rather than "procfs", "printl" "println".
 */
const char *did_you_mean(const char *name, const struct vec *names)
{
	const char *best = NULL;
	int best_d = (int)strlen(name) / 3 + 1;
	if (best_d > 3)
		best_d = 3;
	for (int i = 0; i < names->len; i++) {
		const char *cand = vec_at(names, i);
		if (cand[0] == '_' && name[0] != '_')
			continue; /* internal names are no suggestion */
		int d = distance(name, cand);
		if (d > best_d || (best && d == best_d &&
				   common_prefix(name, cand) <= common_prefix(name, best)))
			continue;
		best = cand;
		best_d = d;
	}
	return best;
}
