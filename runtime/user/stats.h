/* SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause */
/*
 * stats.h - statistics aggregates: `x <<< v` and @count, @sum, @min, @max,
 * @avg, @variance, with stap's integer arithmetic.
 *
 * Samples go into per-CPU partials (struct stp_stat, one per CPU, filled by
 * stp_stat__add here or by its twin in runtime/bpf); an extractor first
 * merges the partials into one aggregate, then reads it. stap merges in two
 * different ways and the results differ, so both are here:
 *
 *   stp_stat__merge_global()  a scalar global (`global x; x <<< v`)
 *   stp_stat__merge_keyed()   an element of an array (`x[k] <<< v`)
 *
 * Even a single partial (user-space probes, one CPU) must go through the
 * merge its variable needs: for the samples 1 2 3 4 5 on one CPU, stap's
 * @variance is 12 for a scalar and 7 for an array element (the man page
 * stap(1) shows the 12).
 *
 * @variance follows stap: Welford's online algorithm per CPU in integers,
 * the samples scaled by 2^shift (@variance(x, shift), 0 to 62, default 0),
 * the difference of a sample to the running mean kept in 32 bits, and the
 * partials combined with the parallel variance formula, in truncating
 * integer division throughout. Overflow wraps, as in stap.
 */
#ifndef STP_STATS_H
#define STP_STATS_H

#include <stdint.h>

/*
 * One CPU's partial, or a merged aggregate: struct stp_stat, shared with the
 * BPF side (runtime/stp_record.h), whose stp_stat_add() mirrors
 * stp_stat__add() below.
 */
#include "../stp_record.h"

enum stp_stat_op {
	STP_STAT_COUNT,
	STP_STAT_SUM,
	STP_STAT_MIN,
	STP_STAT_MAX,
	STP_STAT_AVG,
	STP_STAT_VARIANCE,
};

/* An empty partial for a variable whose @variance uses shift (else 0). */
void stp_stat__init(struct stp_stat *s, int shift);
/* x <<< v on this CPU's partial. */
void stp_stat__add(struct stp_stat *s, int64_t v);

/* Merge nparts partials (CPU order) into *agg, for a scalar global. */
void stp_stat__merge_global(struct stp_stat *agg, const struct stp_stat *parts, int nparts);
/* The same for one element of an array of aggregates. */
void stp_stat__merge_keyed(struct stp_stat *agg, const struct stp_stat *parts, int nparts);

/*
 * Read a merged aggregate. @count and @sum of an empty one are 0; the
 * others return -ENODATA there (stap: "empty aggregate"). @avg is the sum
 * divided by the count, truncated toward zero.
 */
int stp_stat__extract(const struct stp_stat *agg, enum stp_stat_op op, int64_t *value);

#endif /* STP_STATS_H */
