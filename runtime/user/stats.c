// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * stats.c - statistics aggregates with stap's integer arithmetic (see
 * stats.h). Every sum and product wraps like stap's 64-bit C does; the
 * helpers below spell that out so the C here has no undefined behaviour.
 */
#include "stats.h"

#include <errno.h>
#include <stddef.h>

static int64_t wrap_add(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a + (uint64_t)b);
}

static int64_t wrap_sub(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a - (uint64_t)b);
}

static int64_t wrap_mul(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a * (uint64_t)b);
}

static int64_t scale_up(int64_t v, int shift)
{
	return (int64_t)((uint64_t)v << shift);
}

/* Truncating division; the divisors here are counts, so never 0 or -1. */
static int64_t div64(int64_t a, int64_t b)
{
	return a / b;
}

/*
 * Undo the scaling of a variance. stap shifts by 2 * shift even past 63,
 * where x86-64 uses the count modulo 64; so do we, without the C UB.
 */
static int64_t scale_down(int64_t v, int shift)
{
	return v >> ((2 * shift) & 63);
}

void stp_stat__init(struct stp_stat *s, int shift)
{
	*s = (struct stp_stat){ .shift = shift };
}

void stp_stat__add(struct stp_stat *s, int64_t v)
{
	int64_t vs = scale_up(v, s->shift);

	if (s->count == 0) {
		s->count = 1;
		s->sum = s->min = s->max = v;
		s->avg_s = vs;
		s->m2 = 0;
		s->variance_s = 0;
		return;
	}
	s->count++;
	s->sum = wrap_add(s->sum, v);
	if (v < s->min)
		s->min = v;
	if (v > s->max)
		s->max = v;
	/* stap keeps this difference in an int: large samples lose bits here. */
	int32_t delta = (int32_t)wrap_sub(vs, s->avg_s);
	s->avg_s = wrap_add(s->avg_s, div64(delta, s->count));
	s->m2 = wrap_add(s->m2, wrap_mul(delta, wrap_sub(vs, s->avg_s)));
	s->variance_s = div64(s->m2, s->count - 1);
}

static void merge_extremes(struct stp_stat *agg, const struct stp_stat *p)
{
	if (agg->count == 0 || p->min < agg->min)
		agg->min = p->min;
	if (agg->count == 0 || p->max > agg->max)
		agg->max = p->max;
}

/* n * (avg_a - avg)^2 + (n - 1) * variance: one partial's share of the total. */
static int64_t spread(const struct stp_stat *p, int64_t avg)
{
	int64_t d = wrap_sub(p->avg_s, avg);

	return wrap_add(wrap_mul(p->count, wrap_mul(d, d)), wrap_mul(p->count - 1, p->variance_s));
}

/*
 * All partials at once: the mean from the total sum, then each partial's
 * spread around it, divided once. The partials' own means are Welford's
 * truncated running means, which is why one CPU's 1..5 gives 12, not 7.
 */
void stp_stat__merge_global(struct stp_stat *agg, const struct stp_stat *parts, int nparts)
{
	int shift = nparts ? parts[0].shift : 0;

	stp_stat__init(agg, shift);
	for (int i = 0; i < nparts; i++) {
		if (!parts[i].count)
			continue;
		merge_extremes(agg, &parts[i]);
		agg->count += parts[i].count;
		agg->sum = wrap_add(agg->sum, parts[i].sum);
	}
	if (!agg->count)
		return;
	agg->avg_s = div64(scale_up(agg->sum, shift), agg->count);
	int64_t total = 0;
	for (int i = 0; i < nparts; i++)
		if (parts[i].count)
			total = wrap_add(total, spread(&parts[i], agg->avg_s));
	agg->variance_s = agg->count > 1 ? div64(total, agg->count - 1) : 0;
}

/*
 * Pairwise, in CPU order: the first partial is taken as it is, each next
 * one is folded in with the same formula for two.
 */
void stp_stat__merge_keyed(struct stp_stat *agg, const struct stp_stat *parts, int nparts)
{
	stp_stat__init(agg, nparts ? parts[0].shift : 0);
	for (int i = 0; i < nparts; i++) {
		const struct stp_stat *p = &parts[i];
		if (!p->count)
			continue;
		if (!agg->count) {
			*agg = *p;
			continue;
		}
		int64_t count = agg->count + p->count;
		int64_t sum = wrap_add(agg->sum, p->sum);
		int64_t avg = div64(scale_up(sum, agg->shift), count);
		int64_t total = wrap_add(spread(agg, avg), spread(p, avg));
		merge_extremes(agg, p);
		agg->variance_s = div64(total, count - 1);
		agg->count = count;
		agg->sum = sum;
		agg->avg_s = avg;
	}
}

int stp_stat__extract(const struct stp_stat *agg, enum stp_stat_op op, int64_t *value)
{
	switch (op) {
	case STP_STAT_COUNT:
		*value = agg->count;
		return 0;
	case STP_STAT_SUM:
		*value = agg->sum;
		return 0;
	default:
		break;
	}
	if (!agg->count)
		return -ENODATA;
	switch (op) {
	case STP_STAT_MIN:
		*value = agg->min;
		break;
	case STP_STAT_MAX:
		*value = agg->max;
		break;
	case STP_STAT_AVG:
		*value = div64(agg->sum, agg->count);
		break;
	case STP_STAT_VARIANCE:
		*value = scale_down(agg->variance_s, agg->shift);
		break;
	default:
		return -EINVAL;
	}
	return 0;
}
