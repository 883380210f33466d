/* SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause */
/*
 * hist.h - @hist_log and @hist_linear: the buckets and the ASCII chart.
 *
 * The same struct holds the counts whether user space filled them itself
 * (stp_hist__add) or summed them from the BPF side's per-CPU counters
 * (stp_hist__merge), so the bucket numbering is part of the contract with
 * runtime/bpf: a BPF program must compute stp_hist__bucket() the same way.
 *
 * Log histograms have 128 buckets. Bucket 64 holds 0; bucket 64 + k holds
 * 2^(k-1) .. 2^k - 1 (so 65 holds 1, 127 holds 2^62 .. INT64_MAX); bucket
 * 64 - k holds -(2^k - 1) .. -2^(k-1) (63 holds -1, 0 holds INT64_MIN).
 *
 * Linear histograms @hist_linear(v, start, stop, interval) have bucket 0
 * for values below start ("<start"), then (stop - start) / interval + 1
 * buckets of interval values each, the last one starting at or below stop,
 * then one bucket for everything above ('>' and the last bucket's value).
 */
#ifndef STP_HIST_H
#define STP_HIST_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define STP_HIST_LOG_BUCKETS  128
#define STP_HIST_LOG_BUCKET0  64 /* the bucket of 0 */
#define STP_HIST_MAX_BUCKETS  128 /* linear: at most 126 plus under and overflow */
#define STP_HIST_WIDTH	      50 /* columns of '@' for the largest count */
#define STP_HIST_ELISION      2	 /* stap's default -DHIST_ELISION */

enum stp_hist_kind {
	STP_HIST_LOG,
	STP_HIST_LINEAR,
};

struct stp_hist {
	enum stp_hist_kind kind;
	/* Linear only; stap keeps them in ints, and so do we. */
	int start;
	int interval;
	int nbuckets;
	int64_t count[STP_HIST_MAX_BUCKETS];
};

void stp_hist__init_log(struct stp_hist *h);
/*
 * Returns 0, or -EINVAL with stap's message in err (may be NULL) when the
 * interval is not positive or the range does not give 1 to 126 buckets.
 */
int stp_hist__init_linear(struct stp_hist *h, int start, int stop, int interval, char *err,
			  size_t errlen);

/* The log bucket of v (0 .. 127). */
int stp_hist__log_bucket(int64_t v);
/* The bucket of v in h. */
int stp_hist__bucket(const struct stp_hist *h, int64_t v);
/* The value a bucket's row is labelled with ('<' or '>' aside). */
int64_t stp_hist__bucket_value(const struct stp_hist *h, int bucket);

void stp_hist__add(struct stp_hist *h, int64_t v);
/* Add src's counts to dst (same kind and shape): per-CPU partials. */
void stp_hist__merge(struct stp_hist *dst, const struct stp_hist *src);

/*
 * Print the chart as print(@hist_...) does, ending with an empty line;
 * println(@hist_...) prints exactly the same (stap adds no newline there).
 * elision is -DHIST_ELISION: how many empty buckets to keep next to a
 * non-empty one before a run of them becomes one '~' line; negative keeps
 * them all. Returns -ENODATA, printing nothing, for a histogram without
 * samples (stap raises "empty aggregate" there), else 0 or -ENOMEM.
 */
int stp_hist__print(struct stp_buf *out, const struct stp_hist *h, int elision);

#endif /* STP_HIST_H */
