// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * hist.c - histogram buckets and stap's ASCII chart (see hist.h).
 *
 * The chart's rules, as stap 4.8 prints it (pinned down in
 * tests/unit/test_hist.c against the sample outputs shipped with
 * SystemTap's examples):
 *
 *   - rows run from two buckets below the first non-empty one to two above
 *     the last; a log chart of non-negative values starts no lower than 0,
 *     and a linear chart shows its "<" and ">" rows only when they count;
 *   - a run of empty buckets longer than twice the elision is cut to its
 *     first and last `elision` rows around one '~' line (runs after the
 *     last non-empty bucket just stop);
 *   - the value column is as wide as the labels of the first and the last
 *     row of that range (elided or not; see label_width() for stap's quirk
 *     with linear charts), and at least "value";
 *   - the bars are count / scale '@'s, scale = ceil(max / 50), at least 1.
 */
#include "hist.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

void stp_hist__init_log(struct stp_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->kind = STP_HIST_LOG;
	h->nbuckets = STP_HIST_LOG_BUCKETS;
}

int stp_hist__init_linear(struct stp_hist *h, int start, int stop, int interval, char *err,
			  size_t errlen)
{
	const char *msg = NULL;

	memset(h, 0, sizeof(*h));
	if (interval == 0) {
		msg = "histogram: interval cannot be zero.";
	} else {
		/* stap computes in int, wrapping: (INT_MAX - INT_MIN) is -1. */
		int span = (int)(int32_t)((uint32_t)stop - (uint32_t)start);
		int n = span / interval;
		if (n < 0 || n > STP_HIST_MAX_BUCKETS - 3)
			msg = "histogram: Number of buckets must be between 1 and 126\n"
			      "Number_of_buckets = (stop - start) / interval.\n"
			      "Please adjust your start, stop, and interval values.";
		else if (interval < 0)
			/* stap takes these and prints nonsense; the docs forbid them. */
			msg = "histogram: interval must be positive.";
		h->nbuckets = n + 3;
	}
	if (msg) {
		if (err && errlen)
			snprintf(err, errlen, "%s", msg);
		return -EINVAL;
	}
	h->kind = STP_HIST_LINEAR;
	h->start = start;
	h->interval = interval;
	return 0;
}

int stp_hist__log_bucket(int64_t v)
{
	if (v == 0)
		return STP_HIST_LOG_BUCKET0;
	if (v > 0)
		return STP_HIST_LOG_BUCKET0 + (64 - __builtin_clzll((uint64_t)v));
	return STP_HIST_LOG_BUCKET0 - (64 - __builtin_clzll(0 - (uint64_t)v));
}

int stp_hist__bucket(const struct stp_hist *h, int64_t v)
{
	if (h->kind == STP_HIST_LOG)
		return stp_hist__log_bucket(v);

	/*
	 * stap subtracts in 64 bits and lets it wrap: INT64_MAX above a
	 * negative start lands in "<start", INT64_MIN below a positive one
	 * in ">".
	 */
	int64_t off = (int64_t)((uint64_t)v - (uint64_t)(int64_t)h->start);
	if (off < 0)
		return 0;
	int64_t b = off / h->interval + 1;
	return b > h->nbuckets - 2 ? h->nbuckets - 1 : (int)b;
}

int64_t stp_hist__bucket_value(const struct stp_hist *h, int bucket)
{
	if (h->kind == STP_HIST_LOG) {
		if (bucket == STP_HIST_LOG_BUCKET0)
			return 0;
		if (bucket > STP_HIST_LOG_BUCKET0)
			return (int64_t)1 << (bucket - STP_HIST_LOG_BUCKET0 - 1);
		return (int64_t)(0 - (1ULL << (STP_HIST_LOG_BUCKET0 - 1 - bucket)));
	}
	if (bucket == 0)
		return h->start;
	if (bucket == h->nbuckets - 1)
		bucket--; /* ">" shows the last bucket's value */
	return (int64_t)h->start + (int64_t)(bucket - 1) * h->interval;
}

void stp_hist__add(struct stp_hist *h, int64_t v)
{
	h->count[stp_hist__bucket(h, v)]++;
}

void stp_hist__merge(struct stp_hist *dst, const struct stp_hist *src)
{
	for (int i = 0; i < dst->nbuckets && i < src->nbuckets; i++)
		dst->count[i] += src->count[i];
}

/* ---------------------------------------------------------------- print */

static int num_width(int64_t v)
{
	char tmp[24];

	return snprintf(tmp, sizeof(tmp), "%lld", (long long)v);
}

static const char *row_prefix(const struct stp_hist *h, int bucket)
{
	if (h->kind != STP_HIST_LINEAR)
		return "";
	if (bucket == 0)
		return "<";
	return bucket == h->nbuckets - 1 ? ">" : "";
}

/*
 * How much of the value column a label needs: its digits, sign and '<' or
 * '>'. stap sizes the column from the first and the last row only, and for
 * the last row of a linear chart it takes start + bucket * interval (in
 * int, wrapping) instead of the value it prints: one interval past a plain
 * row, two past the ">" row. So @hist_linear(v, 0, 99990, 1000) gets a
 * 7-wide column for its ">99000" row, and a range ending at INT_MAX gets
 * an 11-wide column for its 10-digit labels.
 */
static int label_width(const struct stp_hist *h, int bucket, bool last_row)
{
	int64_t v = stp_hist__bucket_value(h, bucket);

	if (h->kind == STP_HIST_LINEAR && last_row)
		v = (int32_t)((uint32_t)h->start + (uint32_t)bucket * (uint32_t)h->interval);
	return num_width(v) + (int)strlen(row_prefix(h, bucket));
}

/* Is a non-empty bucket within dist buckets of b? */
static bool near_counted(const struct stp_hist *h, int b, int dist)
{
	int lo = b - dist < 0 ? 0 : b - dist;
	int hi = b + dist >= h->nbuckets ? h->nbuckets - 1 : b + dist;

	for (int i = lo; i <= hi; i++)
		if (h->count[i] > 0)
			return true;
	return false;
}

static void print_row(struct stp_buf *out, const struct stp_hist *h, int b, int vw, int cw,
		      int64_t scale)
{
	char label[32];
	int64_t bar = h->count[b] / scale;

	snprintf(label, sizeof(label), "%s%lld", row_prefix(h, b),
		 (long long)stp_hist__bucket_value(h, b));
	stp_buf__printf(out, "%*s |", vw, label);
	stp_buf__fill(out, '@', (size_t)bar);
	stp_buf__fill(out, ' ', (size_t)(STP_HIST_WIDTH - bar));
	stp_buf__printf(out, " %*lld\n", cw, (long long)h->count[b]);
}

int stp_hist__print(struct stp_buf *out, const struct stp_hist *h, int elision)
{
	int first = -1, last = -1;
	int64_t max = 0;

	for (int i = 0; i < h->nbuckets; i++) {
		if (h->count[i] <= 0)
			continue;
		if (first < 0)
			first = i;
		last = i;
		if (h->count[i] > max)
			max = h->count[i];
	}
	if (first < 0)
		return -ENODATA;

	int lo_limit = 0, hi_limit = h->nbuckets - 1;
	if (h->kind == STP_HIST_LOG && first >= STP_HIST_LOG_BUCKET0)
		lo_limit = STP_HIST_LOG_BUCKET0;
	if (h->kind == STP_HIST_LINEAR) {
		lo_limit = first == 0 ? 0 : 1;
		hi_limit = last == h->nbuckets - 1 ? last : h->nbuckets - 2;
	}
	int low = first - 2 < lo_limit ? lo_limit : first - 2;
	int high = last + 2 > hi_limit ? hi_limit : last + 2;

	int vw = (int)strlen("value");
	int w = label_width(h, low, false);
	vw = w > vw ? w : vw;
	w = label_width(h, high, true);
	vw = w > vw ? w : vw;
	int cw = num_width(max);
	/* Round up, so the largest count never needs more than 50 columns. */
	int64_t scale = max > STP_HIST_WIDTH ? (max + STP_HIST_WIDTH - 1) / STP_HIST_WIDTH : 1;
	if (elision > h->nbuckets)
		elision = h->nbuckets;

	size_t start = out->len;
	stp_buf__printf(out, "%*s |", vw, "value");
	stp_buf__fill(out, '-', STP_HIST_WIDTH);
	stp_buf__puts(out, " count\n");
	bool eliding = false;
	for (int i = low; i <= high; i++) {
		if (h->count[i] <= 0 && elision >= 0 && !near_counted(h, i, elision)) {
			if (!eliding && i < last)
				stp_buf__printf(out, "%*s ~\n", vw, "");
			eliding = true;
			continue;
		}
		eliding = false;
		print_row(out, h, i, vw, cw, scale);
	}
	stp_buf__putc(out, '\n');
	if (out->failed) {
		stp_buf__truncate(out, start);
		return -ENOMEM;
	}
	return 0;
}
