// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * agg.c - statistics for generated code: adding in the tool, merging what
 * BPF gathered per CPU, the extractors with stap's errors, histograms.
 */
#include "hist.h"
#include "stats.h"
#include "stp_gen.h"
#include "stp_internal.h"

#include <errno.h>
#include <stdlib.h>

void stp_stat_add_u(struct stp_stat *s, s64 *hist, int buckets, int kind, s64 lo, s64 hi, s64 step,
		    s64 v)
{
	stp_stat__add(s, v);
	if (!hist)
		return;
	int b = kind == 1 ? stp_log_bucket(v) : stp_linear_bucket(v, lo, hi, step);
	if (b >= 0 && b < buckets)
		hist[b]++;
}

static size_t round8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* A statistics value from every CPU's copy, histogram included. */
void stp_stats_merge_cpus(const struct stp_layout *l, void *out, const char *percpu, int ncpus)
{
	size_t stride = round8(l->value_size);
	struct stp_stat parts[1024];
	int n = ncpus < 1024 ? ncpus : 1024;
	for (int i = 0; i < n; i++)
		memcpy(&parts[i], percpu + (size_t)i * stride, sizeof(struct stp_stat));
	struct stp_stat agg;
	if (l->nkeys)
		stp_stat__merge_keyed(&agg, parts, n);
	else
		stp_stat__merge_global(&agg, parts, n);
	memcpy(out, &agg, sizeof(agg));
	s64 *h = (s64 *)((char *)out + sizeof(struct stp_stat));
	for (int b = 0; b < l->buckets; b++) {
		s64 sum = 0;
		for (int i = 0; i < n; i++) {
			s64 c;
			memcpy(&c, percpu + (size_t)i * stride + sizeof(struct stp_stat) + 8 * (size_t)b, 8);
			sum += c;
		}
		h[b] = sum;
	}
}

static const struct stp_stat empty;

s64 stp_stat_extract(struct stp_rt *rt, const struct stp_stat *s, enum stp_agg op)
{
	static const enum stp_stat_op ops[] = {
		[STP_AGG_COUNT] = STP_STAT_COUNT, [STP_AGG_SUM] = STP_STAT_SUM,
		[STP_AGG_MIN] = STP_STAT_MIN,	  [STP_AGG_MAX] = STP_STAT_MAX,
		[STP_AGG_AVG] = STP_STAT_AVG,
	};
	int64_t v = 0;
	if (stp_stat__extract(s ? s : &empty, ops[op], &v) == -ENODATA)
		stp_error(rt, "empty aggregate");
	return v;
}

s64 stp_stat_variance(struct stp_rt *rt, const struct stp_stat *s, s64 bucket_bits)
{
	(void)bucket_bits;
	int64_t v = 0;
	if (stp_stat__extract(s ? s : &empty, STP_STAT_VARIANCE, &v) == -ENODATA)
		stp_error(rt, "empty aggregate");
	return v;
}

/* For sorting a foreach by an aggregate of a statistics array. */
s64 stp_stats_agg(const void *value, enum stp_agg agg)
{
	struct stp_stat s;
	memcpy(&s, value, sizeof(s));
	static const enum stp_stat_op ops[] = {
		[STP_AGG_NONE] = STP_STAT_COUNT, [STP_AGG_COUNT] = STP_STAT_COUNT,
		[STP_AGG_SUM] = STP_STAT_SUM,	 [STP_AGG_MIN] = STP_STAT_MIN,
		[STP_AGG_MAX] = STP_STAT_MAX,	 [STP_AGG_AVG] = STP_STAT_AVG,
	};
	int64_t v = 0;
	stp_stat__extract(&s, ops[agg], &v);
	return v;
}

s64 stp_hist_bucket_log(const s64 *h, s64 i)
{
	/* @hist_log(s)[i]: the bucket of 2^(i-1) .. 2^i - 1, as stap indexes it. */
	if (!h || i < 0 || i >= 64)
		return 0;
	return h[64 + i];
}

void stp_hist_str(struct stp_rt *rt, char *dst, const struct stp_stat *s, const s64 *h, int kind,
		  s64 lo, s64 hi, s64 step)
{
	struct stp_hist hist;
	if (kind == 1) {
		stp_hist__init_log(&hist);
	} else {
		char err[128];
		if (stp_hist__init_linear(&hist, (int)lo, (int)hi, (int)step, err, sizeof(err))) {
			stp_error(rt, err);
			dst[0] = 0;
			return;
		}
	}
	for (int b = 0; h && b < hist.nbuckets && b < STP_HIST_MAX_BUCKETS; b++)
		hist.count[b] = h[b];
	struct stp_buf out = STP_BUF_INIT;
	if (!s || !s->count || stp_hist__print(&out, &hist, STP_HIST_ELISION) == -ENODATA) {
		stp_error(rt, "empty aggregate");
		dst[0] = 0;
	} else {
		/* A histogram is longer than a string: the caller's buffer holds it. */
		memcpy(dst, stp_buf__str(&out), out.len + 1);
	}
	stp_buf__free(&out);
}
