// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_stats.c - @count @sum @min @max @avg @variance and the merging of
 * per-CPU partials, as runtime/user/stats.c does them.
 *
 * Expected values by hand, from:
 *   [man]   stap(1) of SystemTap 4.8, STATISTICS: the samples 1..5 give
 *           @variance 12, and 2 with the bit shift 1;
 *   [stap]  SystemTap 4.8's runtime statistics code (per-CPU add, the
 *           scalar merge and the array-element merge), run in a harness
 *           outside this repository on the same samples and CPUs.
 */
#include <errno.h>

#include "stats.h"
#include "unit.h"

#define NCPU 4

struct sample {
	int cpu;
	int64_t value;
};

struct want {
	int64_t count, sum, min, max, avg, variance;
};

static void add_all(struct stp_stat *cpus, int shift, const struct sample *s, size_t n)
{
	for (int c = 0; c < NCPU; c++)
		stp_stat__init(&cpus[c], shift);
	for (size_t i = 0; i < n; i++)
		stp_stat__add(&cpus[s[i].cpu], s[i].value);
}

static void check_agg(const char *file, int line, const struct stp_stat *agg,
		      const struct want *w)
{
	int64_t v = 0;

	unit_expect_int(file, line, "@count", stp_stat__extract(agg, STP_STAT_COUNT, &v), 0);
	unit_expect_int(file, line, "@count", v, w->count);
	stp_stat__extract(agg, STP_STAT_SUM, &v);
	unit_expect_int(file, line, "@sum", v, w->sum);
	unit_expect_int(file, line, "@min", stp_stat__extract(agg, STP_STAT_MIN, &v), 0);
	unit_expect_int(file, line, "@min", v, w->min);
	stp_stat__extract(agg, STP_STAT_MAX, &v);
	unit_expect_int(file, line, "@max", v, w->max);
	stp_stat__extract(agg, STP_STAT_AVG, &v);
	unit_expect_int(file, line, "@avg", v, w->avg);
	stp_stat__extract(agg, STP_STAT_VARIANCE, &v);
	unit_expect_int(file, line, "@variance", v, w->variance);
}

/* The samples, merged as a scalar global; then the same as an array element. */
static void check_both(const char *file, int line, int shift, const struct sample *s, size_t n,
		       const struct want *global, int64_t keyed_variance)
{
	struct stp_stat cpus[NCPU], agg;

	add_all(cpus, shift, s, n);
	stp_stat__merge_global(&agg, cpus, NCPU);
	check_agg(file, line, &agg, global);
	stp_stat__merge_keyed(&agg, cpus, NCPU);
	struct want keyed = *global;
	keyed.variance = keyed_variance;
	check_agg(file, line, &agg, &keyed);
}

#define SAMPLES(...) ((const struct sample[]){ __VA_ARGS__ })
#define NSAMPLES(...) (sizeof(SAMPLES(__VA_ARGS__)) / sizeof(struct sample))
/* WANT(count, sum, min, max, avg, variance) of the scalar global */
#define WANT(...) ((const struct want){ __VA_ARGS__ })
/* STATS(shift, WANT(...), the array element's variance, { cpu, value }...) */
#define STATS(shift, global, keyed, ...)                                                           \
	check_both(__FILE__, __LINE__, shift, SAMPLES(__VA_ARGS__), NSAMPLES(__VA_ARGS__),        \
		   &global, keyed)

static void test_extractors(void)
{
	/* [man] one CPU, 1..5: a scalar's @variance is 12, an element's 7. */
	STATS(0, WANT(5, 15, 1, 5, 3, 12), 7, { 0, 1 }, { 0, 2 }, { 0, 3 }, { 0, 4 }, { 0, 5 });
	STATS(0, WANT(1, 7, 7, 7, 7, 0), 0, { 0, 7 });
	/* @avg truncates toward zero. */
	STATS(0, WANT(2, -3, -2, -1, -1, 1), 1, { 0, -1 }, { 0, -2 });
	STATS(0, WANT(3, -7, -7, 0, -2, 21), 20, { 0, -7 }, { 0, 0 }, { 0, 0 });
	STATS(0, WANT(4, 0, -5, 5, 0, 33), 33, { 0, -5 }, { 0, 5 }, { 0, -5 }, { 0, 5 });
	STATS(0, WANT(4, 1000, 100, 400, 250, 16666), 16666, { 0, 100 }, { 0, 200 }, { 0, 300 },
	      { 0, 400 });
	/* [stap] the squares wrap. */
	STATS(0, WANT(2, INT64_MIN + 1, INT64_MIN, 1, -4611686018427387903, INT64_MIN + 3),
	      INT64_MIN + 1, { 0, INT64_MIN }, { 0, 1 });

	/* @count and @sum of nothing are 0; the others are errors. */
	struct stp_stat cpus[NCPU], agg;
	int64_t v = 99;
	add_all(cpus, 0, NULL, 0);
	stp_stat__merge_global(&agg, cpus, NCPU);
	EXPECT_INT(stp_stat__extract(&agg, STP_STAT_COUNT, &v), 0);
	EXPECT_INT(v, 0);
	EXPECT_INT(stp_stat__extract(&agg, STP_STAT_SUM, &v), 0);
	EXPECT_INT(v, 0);
	EXPECT_INT(stp_stat__extract(&agg, STP_STAT_MIN, &v), -ENODATA);
	EXPECT_INT(stp_stat__extract(&agg, STP_STAT_MAX, &v), -ENODATA);
	EXPECT_INT(stp_stat__extract(&agg, STP_STAT_AVG, &v), -ENODATA);
	EXPECT_INT(stp_stat__extract(&agg, STP_STAT_VARIANCE, &v), -ENODATA);
	stp_stat__merge_keyed(&agg, cpus, NCPU);
	EXPECT_INT(stp_stat__extract(&agg, STP_STAT_VARIANCE, &v), -ENODATA);
	stp_stat__merge_global(&agg, NULL, 0);
	EXPECT_INT(stp_stat__extract(&agg, STP_STAT_COUNT, &v), 0);
	EXPECT_INT(v, 0);
}

static void test_variance_shift(void)
{
	/* [man] @variance(x, 1) of 1..5 is 2. */
	STATS(1, WANT(5, 15, 1, 5, 3, 2), 2, { 0, 1 }, { 0, 2 }, { 0, 3 }, { 0, 4 }, { 0, 5 });
	STATS(3, WANT(4, 1000, 100, 400, 250, 16666), 16666, { 0, 100 }, { 0, 200 }, { 0, 300 },
	      { 0, 400 });
	STATS(2, WANT(3, 3000000, 999999, 1000001, 1000000, 1), 1, { 0, 1000000 }, { 0, 1000001 },
	      { 0, 999999 });
}

static void test_merge(void)
{
	/* Two CPUs; the unused ones in between change nothing. */
	STATS(0, WANT(5, 15, 1, 5, 3, 3), 3, { 0, 1 }, { 0, 2 }, { 1, 3 }, { 1, 4 }, { 1, 5 });
	STATS(0, WANT(2, 30, 10, 20, 15, 50), 50, { 1, 10 }, { 3, 20 });
	/* The other CPU order: the same totals. */
	STATS(0, WANT(2, 30, 10, 20, 15, 50), 50, { 3, 10 }, { 1, 20 });

	/* The per-CPU partial after 1..5 (the contract with the BPF side). */
	struct stp_stat s;
	stp_stat__init(&s, 0);
	for (int i = 1; i <= 5; i++)
		stp_stat__add(&s, i);
	EXPECT_INT(s.count, 5);
	EXPECT_INT(s.sum, 15);
	EXPECT_INT(s.avg_s, 1);
	EXPECT_INT(s.m2, 30);
	EXPECT_INT(s.variance_s, 7);
	stp_stat__init(&s, 1);
	for (int i = 1; i <= 5; i++)
		stp_stat__add(&s, i);
	EXPECT_INT(s.avg_s, 6);
	EXPECT_INT(s.m2, 40);
	EXPECT_INT(s.variance_s, 10);
}

static void test_overflow(void)
{
	/*
	 * [stap] 0 and 2^32: the difference to the mean is kept in 32 bits, so
	 * the partial sees no spread at all (an element's variance is 0) while
	 * the scalar merge squares 2^31 twice and wraps.
	 */
	STATS(0, WANT(2, INT64_C(4294967296), 0, INT64_C(4294967296), INT64_C(2147483648), INT64_MIN),
	      0, { 0, 0 }, { 0, INT64_C(4294967296) });
}

static const struct unit_area areas[] = {
	{ "extractors", test_extractors },
	{ "variance_shift", test_variance_shift },
	{ "merge", test_merge },
	{ "overflow", test_overflow },
};

UNIT_MAIN(areas)
