// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_hist.c - @hist_log and @hist_linear: buckets and the printed chart,
 * as runtime/user/hist.c does them.
 *
 * The expected charts are stap's own output, never this code's:
 *   [example] charts from the sample outputs SystemTap ships with its
 *             examples (the .txt files under /usr/share/systemtap/examples),
 *             real runs of stap; the samples are the counts they show;
 *   [langref] the Language Reference, 8.4 (the PDF indents them; the
 *             indentation is dropped);
 *   [stap]    charts printed by SystemTap 4.8's runtime histogram code for
 *             the given samples, run in a harness outside this repository,
 *             also with -DHIST_ELISION=0, 1, 3 and -1.
 */
#include <errno.h>

#include "hist.h"
#include "unit.h"

struct sample {
	int64_t value;
	int64_t n; /* how many times */
};

#define SAMPLES(...) ((const struct sample[]){ __VA_ARGS__ })
#define NSAMPLES(...) (sizeof(SAMPLES(__VA_ARGS__)) / sizeof(struct sample))

static void add_samples(struct stp_hist *h, const struct sample *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (int64_t k = 0; k < s[i].n; k++)
			stp_hist__add(h, s[i].value);
}

static void check_chart(const char *file, int line, const struct stp_hist *h, int elision,
			const char *want, size_t want_len)
{
	struct stp_buf b = STP_BUF_INIT;
	int rc = stp_hist__print(&b, h, elision);

	unit_expect_int(file, line, "stp_hist__print returns 0", rc, 0);
	unit_expect_mem(file, line, "chart", b.data, b.len, want, want_len);
	stp_buf__free(&b);
}

/* A log chart of the samples, then the expected text. */
#define LOG_CHART(want, ...)                                                                       \
	do {                                                                                       \
		struct stp_hist h_;                                                                \
		stp_hist__init_log(&h_);                                                           \
		add_samples(&h_, SAMPLES(__VA_ARGS__), NSAMPLES(__VA_ARGS__));                     \
		check_chart(__FILE__, __LINE__, &h_, STP_HIST_ELISION, want, sizeof(want) - 1);    \
	} while (0)

#define LINEAR_CHART(start, stop, interval, want, ...)                                             \
	do {                                                                                       \
		struct stp_hist h_;                                                                \
		EXPECT_INT(stp_hist__init_linear(&h_, start, stop, interval, NULL, 0), 0);        \
		add_samples(&h_, SAMPLES(__VA_ARGS__), NSAMPLES(__VA_ARGS__));                     \
		check_chart(__FILE__, __LINE__, &h_, STP_HIST_ELISION, want, sizeof(want) - 1);    \
	} while (0)

/* --------------------------------------------------------------- buckets */

static void test_buckets(void)
{
	EXPECT_INT(stp_hist__log_bucket(0), 64);
	EXPECT_INT(stp_hist__log_bucket(1), 65);
	EXPECT_INT(stp_hist__log_bucket(2), 66);
	EXPECT_INT(stp_hist__log_bucket(3), 66);
	EXPECT_INT(stp_hist__log_bucket(4), 67);
	EXPECT_INT(stp_hist__log_bucket(1000199), 84); /* 524288 .. 1048575 */
	EXPECT_INT(stp_hist__log_bucket(INT64_MAX), 127);
	EXPECT_INT(stp_hist__log_bucket(INT64_C(1) << 62), 127);
	EXPECT_INT(stp_hist__log_bucket((INT64_C(1) << 62) - 1), 126);
	EXPECT_INT(stp_hist__log_bucket(-1), 63);
	EXPECT_INT(stp_hist__log_bucket(-2), 62);
	EXPECT_INT(stp_hist__log_bucket(-3), 62);
	EXPECT_INT(stp_hist__log_bucket(-4), 61);
	EXPECT_INT(stp_hist__log_bucket(-100), 57); /* -64 .. -127 */
	EXPECT_INT(stp_hist__log_bucket(INT64_MIN), 0);
	EXPECT_INT(stp_hist__log_bucket(INT64_MIN + 1), 1);

	struct stp_hist h;
	stp_hist__init_log(&h);
	EXPECT_INT(h.nbuckets, 128);
	EXPECT_INT(stp_hist__bucket_value(&h, 64), 0);
	EXPECT_INT(stp_hist__bucket_value(&h, 65), 1);
	EXPECT_INT(stp_hist__bucket_value(&h, 84), 524288);
	EXPECT_INT(stp_hist__bucket_value(&h, 127), INT64_C(4611686018427387904));
	EXPECT_INT(stp_hist__bucket_value(&h, 63), -1);
	EXPECT_INT(stp_hist__bucket_value(&h, 57), -64);
	EXPECT_INT(stp_hist__bucket_value(&h, 0), INT64_MIN);

	/* [stap] (0, 100, 10): "<0", 0 .. 100 (100 .. 109 in the last), ">100". */
	EXPECT_INT(stp_hist__init_linear(&h, 0, 100, 10, NULL, 0), 0);
	EXPECT_INT(h.nbuckets, 13);
	EXPECT_INT(stp_hist__bucket(&h, -1), 0);
	EXPECT_INT(stp_hist__bucket(&h, 0), 1);
	EXPECT_INT(stp_hist__bucket(&h, 9), 1);
	EXPECT_INT(stp_hist__bucket(&h, 10), 2);
	EXPECT_INT(stp_hist__bucket(&h, 100), 11);
	EXPECT_INT(stp_hist__bucket(&h, 109), 11);
	EXPECT_INT(stp_hist__bucket(&h, 110), 12);
	EXPECT_INT(stp_hist__bucket(&h, INT64_MAX), 12);
	EXPECT_INT(stp_hist__bucket(&h, INT64_MIN), 0);
	EXPECT_INT(stp_hist__bucket_value(&h, 0), 0);
	EXPECT_INT(stp_hist__bucket_value(&h, 11), 100);
	EXPECT_INT(stp_hist__bucket_value(&h, 12), 100);
	/* (0, 10, 3): 0 3 6 9, and 9 .. 11 is the last bucket. */
	EXPECT_INT(stp_hist__init_linear(&h, 0, 10, 3, NULL, 0), 0);
	EXPECT_INT(h.nbuckets, 6);
	EXPECT_INT(stp_hist__bucket(&h, 11), 4);
	EXPECT_INT(stp_hist__bucket(&h, 12), 5);
	/* stap subtracts the start in 64 bits and lets it wrap. */
	EXPECT_INT(stp_hist__init_linear(&h, 10, 20, 5, NULL, 0), 0);
	EXPECT_INT(stp_hist__bucket(&h, INT64_MIN), 4); /* ">20" */
	EXPECT_INT(stp_hist__init_linear(&h, -10, 10, 5, NULL, 0), 0);
	EXPECT_INT(stp_hist__bucket(&h, INT64_MAX), 0);
	EXPECT_INT(stp_hist__bucket(&h, -11), 0);
	EXPECT_INT(stp_hist__bucket(&h, -10), 1);

	/* [stap] the limits of _stp_stat_init: 1 to 126 buckets. */
	char err[256];
	EXPECT_INT(stp_hist__init_linear(&h, 0, 125, 1, NULL, 0), 0);
	EXPECT_INT(h.nbuckets, 128);
	EXPECT_INT(stp_hist__init_linear(&h, 0, 0, 1, NULL, 0), 0);
	EXPECT_INT(h.nbuckets, 3);
	EXPECT_INT(stp_hist__init_linear(&h, 0, 126, 1, err, sizeof(err)), -EINVAL);
	EXPECT_BYTES(err, strlen(err),
		     "histogram: Number of buckets must be between 1 and 126\n"
		     "Number_of_buckets = (stop - start) / interval.\n"
		     "Please adjust your start, stop, and interval values.");
	EXPECT_INT(stp_hist__init_linear(&h, 10, 0, 1, NULL, 0), -EINVAL);
	EXPECT_INT(stp_hist__init_linear(&h, 0, 100, -5, NULL, 0), -EINVAL);
	EXPECT_INT(stp_hist__init_linear(&h, 0, 100, 0, err, sizeof(err)), -EINVAL);
	EXPECT_BYTES(err, strlen(err), "histogram: interval cannot be zero.");
	/* stap would take this one; its docs say the interval must be positive. */
	EXPECT_INT(stp_hist__init_linear(&h, 100, 0, -5, err, sizeof(err)), -EINVAL);
	EXPECT_BYTES(err, strlen(err), "histogram: interval must be positive.");

	/* Per-CPU partials add up bucket by bucket. */
	struct stp_hist a, b;
	stp_hist__init_log(&a);
	stp_hist__init_log(&b);
	stp_hist__add(&a, 5);
	stp_hist__add(&b, 5);
	stp_hist__add(&b, -1);
	stp_hist__merge(&a, &b);
	EXPECT_INT(a.count[stp_hist__log_bucket(5)], 2);
	EXPECT_INT(a.count[63], 1);
}

/* --------------------------------------------- [example] log charts */

static void test_log_examples(void)
{
	/* general/func_time_stats.txt: one sample of about 1000199 us. */
	LOG_CHART(
	    "  value |-------------------------------------------------- count\n"
	    " 131072 |                                                   0\n"
	    " 262144 |                                                   0\n"
	    " 524288 |@                                                  1\n"
	    "1048576 |                                                   0\n"
	    "2097152 |                                                   0\n"
	    "\n",
	    { 1000199, 1 });

	/* io/deviceseeks.txt: seek distances, negative ones and 0 included. */
	LOG_CHART(
	    "       value |-------------------------------------------------- count\n"
	    "-34359738368 |                                                     0\n"
	    "-17179869184 |                                                     0\n"
	    " -8589934592 |                                                     1\n"
	    " -4294967296 |                                                     0\n"
	    " -2147483648 |                                                     0\n"
	    "             ~\n"
	    "  -268435456 |                                                     0\n"
	    "  -134217728 |                                                     0\n"
	    "   -67108864 |                                                     1\n"
	    "   -33554432 |                                                     0\n"
	    "   -16777216 |                                                     0\n"
	    "             ~\n"
	    "      -32768 |                                                     0\n"
	    "      -16384 |                                                     0\n"
	    "       -8192 |@@@@@@@@@                                           47\n"
	    "       -4096 |@@@@@@@@@@@@@@@@@@@@@@@                            115\n"
	    "       -2048 |@@@@@@                                              31\n"
	    "       -1024 |                                                     0\n"
	    "        -512 |                                                     0\n"
	    "             ~\n"
	    "          -2 |                                                     0\n"
	    "          -1 |                                                     0\n"
	    "           0 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@  246\n"
	    "           1 |                                                     0\n"
	    "           2 |                                                     0\n"
	    "             ~\n"
	    "           8 |                                                     0\n"
	    "          16 |                                                     0\n"
	    "          32 |                                                     1\n"
	    "          64 |                                                     3\n"
	    "         128 |                                                     1\n"
	    "         256 |                                                     1\n"
	    "         512 |@                                                    8\n"
	    "        1024 |@                                                    7\n"
	    "        2048 |@@@@@@@@@@@@@@@@@@@@                               102\n"
	    "        4096 |@@@@@@@@@@@@@@@@@@@@                               102\n"
	    "        8192 |@@@@@@@                                             37\n"
	    "       16384 |                                                     3\n"
	    "       32768 |                                                     0\n"
	    "       65536 |                                                     0\n"
	    "             ~\n"
	    "    16777216 |                                                     0\n"
	    "    33554432 |                                                     0\n"
	    "    67108864 |                                                     2\n"
	    "   134217728 |                                                     0\n"
	    "   268435456 |                                                     0\n"
	    "             ~\n"
	    "  2147483648 |                                                     0\n"
	    "  4294967296 |                                                     0\n"
	    "  8589934592 |                                                     1\n"
	    " 17179869184 |                                                     0\n"
	    " 34359738368 |                                                     0\n"
	    "\n",
	    { -(INT64_C(1) << 33), 1 }, { -(INT64_C(1) << 26), 1 }, { -8192, 47 }, { -4096, 115 },
	    { -2048, 31 }, { 0, 246 }, { 32, 1 }, { 64, 3 }, { 128, 1 }, { 256, 1 }, { 512, 8 },
	    { 1024, 7 }, { 2048, 102 }, { 4096, 102 }, { 8192, 37 }, { 16384, 3 },
	    { INT64_C(1) << 26, 2 }, { INT64_C(1) << 33, 1 });

	LOG_CHART(
	    "       value |-------------------------------------------------- count\n"
	    "-34359738368 |                                                      0\n"
	    "-17179869184 |                                                      0\n"
	    " -8589934592 |                                                      2\n"
	    " -4294967296 |                                                      0\n"
	    " -2147483648 |                                                      0\n"
	    "             ~\n"
	    "  -268435456 |                                                      0\n"
	    "  -134217728 |                                                      0\n"
	    "   -67108864 |                                                      1\n"
	    "   -33554432 |                                                      0\n"
	    "   -16777216 |                                                      0\n"
	    "             ~\n"
	    "          -2 |                                                      0\n"
	    "          -1 |                                                      0\n"
	    "           0 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@  1082\n"
	    "           1 |                                                      0\n"
	    "           2 |                                                      0\n"
	    "             ~\n"
	    "    16777216 |                                                      0\n"
	    "    33554432 |                                                      0\n"
	    "    67108864 |                                                      2\n"
	    "   134217728 |                                                      0\n"
	    "   268435456 |                                                      0\n"
	    "             ~\n"
	    "  2147483648 |                                                      0\n"
	    "  4294967296 |                                                      0\n"
	    "  8589934592 |                                                      2\n"
	    " 17179869184 |                                                      0\n"
	    " 34359738368 |                                                      0\n"
	    "\n",
	    { -(INT64_C(1) << 33), 2 }, { -(INT64_C(1) << 26), 1 }, { 0, 1082 },
	    { INT64_C(1) << 26, 2 }, { INT64_C(1) << 33, 2 });

	/* lwtools/accept2close-nd.txt: scale 3 for a largest count of 138. */
	LOG_CHART(
	    "   value |-------------------------------------------------- count\n"
	    "  131072 |                                                     0\n"
	    "  262144 |                                                     0\n"
	    "  524288 |                                                     1\n"
	    " 1048576 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@     138\n"
	    " 2097152 |@@                                                   6\n"
	    " 4194304 |                                                     1\n"
	    " 8388608 |                                                     0\n"
	    "16777216 |                                                     0\n"
	    "\n",
	    { 524288, 1 }, { 1048576, 138 }, { 2097152, 6 }, { 4194304, 1 });

	/* process/cycle_thief.txt: no scaling below 51. */
	LOG_CHART(
	    " value |-------------------------------------------------- count\n"
	    "     2 |                                                    0\n"
	    "     4 |                                                    0\n"
	    "     8 |@                                                   1\n"
	    "    16 |                                                    0\n"
	    "    32 |                                                    0\n"
	    "    64 |                                                    0\n"
	    "   128 |@@@@@@@@                                            8\n"
	    "   256 |@                                                   1\n"
	    "   512 |                                                    0\n"
	    "  1024 |@                                                   1\n"
	    "  2048 |@@@@@@@@                                            8\n"
	    "  4096 |@@@@@@@@@@@                                        11\n"
	    "  8192 |@@                                                  2\n"
	    " 16384 |@@                                                  2\n"
	    " 32768 |@@@@@@@@@@@@                                       12\n"
	    " 65536 |@@@@@                                               5\n"
	    "131072 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@                     30\n"
	    "262144 |                                                    0\n"
	    "524288 |                                                    0\n"
	    "\n",
	    { 8, 1 }, { 128, 8 }, { 256, 1 }, { 1024, 1 }, { 2048, 8 }, { 4096, 11 }, { 8192, 2 },
	    { 16384, 2 }, { 32768, 12 }, { 65536, 5 }, { 131072, 30 });

	LOG_CHART(
	    "value |-------------------------------------------------- count\n"
	    "    1 |                                                    0\n"
	    "    2 |                                                    0\n"
	    "    4 |@@@@                                                4\n"
	    "    8 |@@@@@@@@@@@@@@@@@@@@@@@@@@@                        27\n"
	    "   16 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@                 34\n"
	    "   32 |@@@@                                                4\n"
	    "   64 |@@@@@                                               5\n"
	    "  128 |@@@@@                                               5\n"
	    "  256 |                                                    0\n"
	    "  512 |@                                                   1\n"
	    " 1024 |                                                    0\n"
	    " 2048 |                                                    0\n"
	    "\n",
	    { 4, 4 }, { 8, 27 }, { 16, 34 }, { 32, 4 }, { 64, 5 }, { 128, 5 }, { 512, 1 });

	/* process/sched-latency.txt: a chart of positive values starts at 0. */
	LOG_CHART(
	    "value |-------------------------------------------------- count\n"
	    "    0 |                                                    0\n"
	    "    1 |@@@@@@@@@                                           9\n"
	    "    2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@     46\n"
	    "    4 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@           40\n"
	    "    8 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@                     30\n"
	    "   16 |@@                                                  2\n"
	    "   32 |                                                    0\n"
	    "   64 |                                                    0\n"
	    "\n",
	    { 1, 9 }, { 2, 46 }, { 4, 40 }, { 8, 30 }, { 16, 2 });

	LOG_CHART(
	    "value |-------------------------------------------------- count\n"
	    "    0 |@@                                                  2\n"
	    "    1 |@                                                   1\n"
	    "    2 |@@@@@@@@@@@@@@@@@@@                                19\n"
	    "    4 |@@@@@@@@                                            8\n"
	    "    8 |@                                                   1\n"
	    "   16 |@@@                                                 3\n"
	    "   32 |                                                    0\n"
	    "   64 |                                                    0\n"
	    "\n",
	    { 0, 2 }, { 1, 1 }, { 2, 19 }, { 4, 8 }, { 8, 1 }, { 16, 3 });

	/* lwtools/fslatency-nd_example.txt: scale 98 for 4858. */
	LOG_CHART(
	    "     value |-------------------------------------------------- count\n"
	    "       256 |                                                      0\n"
	    "       512 |                                                      0\n"
	    "      1024 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@  4858\n"
	    "      2048 |@@@@                                                400\n"
	    "      4096 |                                                      3\n"
	    "      8192 |                                                      7\n"
	    "     16384 |                                                     14\n"
	    "     32768 |                                                      6\n"
	    "     65536 |                                                      3\n"
	    "    131072 |                                                      9\n"
	    "    262144 |                                                     40\n"
	    "    524288 |@                                                   164\n"
	    "   1048576 |                                                     87\n"
	    "   2097152 |                                                     10\n"
	    "   4194304 |                                                      5\n"
	    "   8388608 |                                                      2\n"
	    "  16777216 |                                                      5\n"
	    "  33554432 |                                                     16\n"
	    "  67108864 |                                                      2\n"
	    " 134217728 |                                                      0\n"
	    " 268435456 |                                                      1\n"
	    " 536870912 |                                                      0\n"
	    "1073741824 |                                                      0\n"
	    "\n",
	    { 1024, 4858 }, { 2048, 400 }, { 4096, 3 }, { 8192, 7 }, { 16384, 14 }, { 32768, 6 },
	    { 65536, 3 }, { 131072, 9 }, { 262144, 40 }, { 524288, 164 }, { 1048576, 87 },
	    { 2097152, 10 }, { 4194304, 5 }, { 8388608, 2 }, { 16777216, 5 }, { 33554432, 16 },
	    { 67108864, 2 }, { 268435456, 1 });

	/* lwtools/rwtime-nd_example.txt */
	LOG_CHART(
	    "      value |-------------------------------------------------- count\n"
	    "        256 |                                                    0\n"
	    "        512 |                                                    0\n"
	    "       1024 |@                                                   1\n"
	    "       2048 |@                                                   1\n"
	    "       4096 |                                                    0\n"
	    "       8192 |                                                    0\n"
	    "      16384 |                                                    0\n"
	    "      32768 |@                                                   1\n"
	    "      65536 |@@@@@@                                              6\n"
	    "     131072 |@@@@@@@@@@@                                        11\n"
	    "     262144 |                                                    0\n"
	    "     524288 |                                                    0\n"
	    "            ~\n"
	    "    2097152 |                                                    0\n"
	    "    4194304 |                                                    0\n"
	    "    8388608 |@                                                   1\n"
	    "   16777216 |                                                    0\n"
	    "   33554432 |@                                                   1\n"
	    "   67108864 |@@@                                                 3\n"
	    "  134217728 |@@@@@@@@@                                           9\n"
	    "  268435456 |@@@                                                 3\n"
	    "  536870912 |@@                                                  2\n"
	    " 1073741824 |@@                                                  2\n"
	    " 2147483648 |                                                    0\n"
	    " 4294967296 |@                                                   1\n"
	    " 8589934592 |                                                    0\n"
	    "17179869184 |                                                    0\n"
	    "\n",
	    { 1024, 1 }, { 2048, 1 }, { 32768, 1 }, { 65536, 6 }, { 131072, 11 }, { 8388608, 1 },
	    { 33554432, 1 }, { 67108864, 3 }, { 134217728, 9 }, { 268435456, 3 },
	    { 536870912, 2 }, { 1073741824, 2 }, { INT64_C(4294967296), 1 });

	/* lwtools/bitesize-nd_example.txt: four empty buckets are not elided. */
	LOG_CHART(
	    " value |-------------------------------------------------- count\n"
	    "  1024 |                                                      0\n"
	    "  2048 |                                                      0\n"
	    "  4096 |                                                      4\n"
	    "  8192 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@   1859\n"
	    " 16384 |                                                      0\n"
	    " 32768 |                                                      5\n"
	    " 65536 |                                                     18\n"
	    "131072 |                                                      0\n"
	    "262144 |                                                      0\n"
	    "\n",
	    { 4096, 4 }, { 8192, 1859 }, { 32768, 5 }, { 65536, 18 });

	/*
	 * [langref] 8.4.2's samples. The PDF's text loses a space in each row
	 * (its bar and count are one column short), so the bytes are [stap]'s.
	 */
	LOG_CHART("value |-------------------------------------------------- count\n"
		  "    8 |                                                       0\n"
		  "   16 |                                                       0\n"
		  "   32 |                                                     254\n"
		  "   64 |                                                       3\n"
		  "  128 |                                                       2\n"
		  "  256 |                                                       2\n"
		  "  512 |                                                       4\n"
		  " 1024 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@  16689\n"
		  " 2048 |                                                       0\n"
		  " 4096 |                                                       0\n"
		  "\n",
		  { 32, 254 }, { 64, 3 }, { 128, 2 }, { 256, 2 }, { 512, 4 }, { 1024, 16689 });
}

/* ---------------------------------------- [stap] log charts, by hand */

static void test_log(void)
{
	/* Only 0: the chart starts at 0, not two buckets below. */
	LOG_CHART(
	    "value |-------------------------------------------------- count\n"
	    "    0 |@                                                  1\n"
	    "    1 |                                                   0\n"
	    "    2 |                                                   0\n"
	    "\n",
	    { 0, 1 });
	/* Only 1, only -1, only -4: negative values chart across 0. */
	LOG_CHART(
	    "value |-------------------------------------------------- count\n"
	    "    0 |                                                   0\n"
	    "    1 |@                                                  1\n"
	    "    2 |                                                   0\n"
	    "    4 |                                                   0\n"
	    "\n",
	    { 1, 1 });
	LOG_CHART(
	    "value |-------------------------------------------------- count\n"
	    "   -4 |                                                   0\n"
	    "   -2 |                                                   0\n"
	    "   -1 |@                                                  1\n"
	    "    0 |                                                   0\n"
	    "    1 |                                                   0\n"
	    "\n",
	    { -1, 1 });
	LOG_CHART(
	    "value |-------------------------------------------------- count\n"
	    "  -16 |                                                   0\n"
	    "   -8 |                                                   0\n"
	    "   -4 |@                                                  1\n"
	    "   -2 |                                                   0\n"
	    "   -1 |                                                   0\n"
	    "\n",
	    { -4, 1 });
	LOG_CHART(
	    "value |-------------------------------------------------- count\n"
	    "   -4 |                                                   0\n"
	    "   -2 |                                                   0\n"
	    "   -1 |@                                                  1\n"
	    "    0 |                                                   0\n"
	    "    1 |@                                                  1\n"
	    "    2 |                                                   0\n"
	    "    4 |                                                   0\n"
	    "\n",
	    { -1, 1 }, { 1, 1 });
	/* -2 and -3 share a bucket, as 2 and 3 do; 7 is in the 4 bucket. */
	LOG_CHART(
	    "value |-------------------------------------------------- count\n"
	    "   -8 |                                                   0\n"
	    "   -4 |                                                   0\n"
	    "   -2 |@@                                                 2\n"
	    "   -1 |                                                   0\n"
	    "    0 |                                                   0\n"
	    "    1 |                                                   0\n"
	    "    2 |@@                                                 2\n"
	    "    4 |@@                                                 2\n"
	    "    8 |@                                                  1\n"
	    "   16 |                                                   0\n"
	    "   32 |                                                   0\n"
	    "\n",
	    { -2, 1 }, { -3, 1 }, { 2, 1 }, { 3, 1 }, { 4, 1 }, { 7, 1 }, { 8, 1 });
	/* The extremes: INT64_MIN has its own bucket, INT64_MAX is in 2^62's. */
	LOG_CHART(
	    "               value |-------------------------------------------------- count\n"
	    "-9223372036854775808 |@                                                  1\n"
	    "-4611686018427387904 |                                                   0\n"
	    "-2305843009213693952 |                                                   0\n"
	    "                     ~\n"
	    " 1152921504606846976 |                                                   0\n"
	    " 2305843009213693952 |                                                   0\n"
	    " 4611686018427387904 |@                                                  1\n"
	    "\n",
	    { INT64_MIN, 1 }, { INT64_MAX, 1 });
}

static void test_scale(void)
{
	/* Up to 50 one '@' per sample; 100 is scale 2, 101 is scale 3. */
	LOG_CHART(
	    "value |-------------------------------------------------- count\n"
	    "    1 |                                                     0\n"
	    "    2 |                                                     0\n"
	    "    4 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@ 100\n"
	    "    8 |                                                     0\n"
	    "   16 |                                                     0\n"
	    "      ~\n"
	    "   64 |                                                     0\n"
	    "  128 |                                                     0\n"
	    "  256 |@@@@@@@@@@@@@@@@@@@@@@@@@                           50\n"
	    "  512 |                                                     0\n"
	    " 1024 |                                                     0\n"
	    "\n",
	    { 7, 100 }, { 300, 50 });
	LOG_CHART(
	    "value |-------------------------------------------------- count\n"
	    "    1 |                                                     0\n"
	    "    2 |                                                     0\n"
	    "    4 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@                  101\n"
	    "    8 |                                                     0\n"
	    "   16 |                                                     0\n"
	    "      ~\n"
	    "   64 |                                                     0\n"
	    "  128 |                                                     0\n"
	    "  256 |@@@@@@@@@@@@@@@@                                    50\n"
	    "  512 |                                                     0\n"
	    " 1024 |                                                     0\n"
	    "\n",
	    { 7, 101 }, { 300, 50 });
	/* A seven-digit count widens the count column; 19999 / 20000 is no '@'. */
	LOG_CHART(
	    "value |-------------------------------------------------- count\n"
	    " -256 |                                                         0\n"
	    " -128 |                                                         0\n"
	    "  -64 |                                                     19999\n"
	    "  -32 |                                                         0\n"
	    "  -16 |                                                         0\n"
	    "      ~\n"
	    "    1 |                                                         0\n"
	    "    2 |                                                         0\n"
	    "    4 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@ 1000000\n"
	    "    8 |                                                         0\n"
	    "   16 |                                                         0\n"
	    "   32 |                                                         0\n"
	    "   64 |@                                                    20000\n"
	    "  128 |                                                         0\n"
	    "  256 |                                                         0\n"
	    "\n",
	    { 5, 1000000 }, { 100, 20000 }, { -100, 19999 });
}

/* ------------------------------------------------------- linear charts */

static void test_linear(void)
{
	/* [langref] 8.4.1: @hist_linear(reads, 0, 10240, 200) */
	LINEAR_CHART(0, 10240, 200,
		     "value |-------------------------------------------------- count\n"
		     "    0 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@ 1650\n"
		     "  200 |                                                      8\n"
		     "  400 |                                                      0\n"
		     "  600 |                                                      0\n"
		     "      ~\n"
		     " 1000 |                                                      0\n"
		     " 1200 |                                                      0\n"
		     " 1400 |                                                      1\n"
		     " 1600 |                                                      0\n"
		     " 1800 |                                                      0\n"
		     "\n",
		     { 10, 1650 }, { 399, 8 }, { 1400, 1 });
	/* [stap] under- and overflow; 100 .. 109 is the "100" row. */
	LINEAR_CHART(0, 100, 10,
	    "value |-------------------------------------------------- count\n"
	    "   <0 |@                                                  1\n"
	    "    0 |@                                                  1\n"
	    "   10 |                                                   0\n"
	    "   20 |                                                   0\n"
	    "   30 |                                                   0\n"
	    "   40 |                                                   0\n"
	    "   50 |@                                                  1\n"
	    "   60 |                                                   0\n"
	    "   70 |                                                   0\n"
	    "   80 |                                                   0\n"
	    "   90 |                                                   0\n"
	    "  100 |@@                                                 2\n"
	    " >100 |@@                                                 2\n"
	    "\n",
		     { -5, 1 }, { 0, 1 }, { 55, 1 }, { 100, 1 }, { 109, 1 }, { 110, 1 }, { 1000, 1 });
	/* A range that is not a multiple of the interval: the last bucket is 9. */
	LINEAR_CHART(0, 10, 3,
	    "value |-------------------------------------------------- count\n"
	    "    0 |@                                                  1\n"
	    "    3 |                                                   0\n"
	    "    6 |                                                   0\n"
	    "    9 |@@@                                                3\n"
	    "   >9 |@@                                                 2\n"
	    "\n",
		     { 0, 1 }, { 9, 1 }, { 10, 1 }, { 11, 1 }, { 12, 1 }, { 13, 1 });
	LINEAR_CHART(-50, 50, 10,
	    "value |-------------------------------------------------- count\n"
	    "  -50 |@@                                                 2\n"
	    "  -40 |                                                   0\n"
	    "  -30 |                                                   0\n"
	    "  -20 |                                                   0\n"
	    "  -10 |@                                                  1\n"
	    "    0 |@                                                  1\n"
	    "   10 |                                                   0\n"
	    "   20 |                                                   0\n"
	    "   30 |                                                   0\n"
	    "   40 |@                                                  1\n"
	    "   50 |@@                                                 2\n"
	    "  >50 |@@                                                 2\n"
	    "\n",
		     { -50, 1 }, { -45, 1 }, { -1, 1 }, { 0, 1 }, { 49, 1 }, { 50, 1 }, { 51, 1 },
		     { 60, 1 }, { 61, 1 });
	LINEAR_CHART(0, 100, 10,
	    "value |-------------------------------------------------- count\n"
	    "    0 |@                                                  1\n"
	    "   10 |                                                   0\n"
	    "   20 |                                                   0\n"
	    "      ~\n"
	    "   70 |                                                   0\n"
	    "   80 |                                                   0\n"
	    "   90 |@                                                  1\n"
	    "  100 |                                                   0\n"
	    "\n",
		     { 5, 1 }, { 95, 1 });
	/* "<" and ">" rows only when they count. */
	LINEAR_CHART(0, 100, 10,
	    "value |-------------------------------------------------- count\n"
	    "   <0 |@                                                  1\n"
	    "    0 |                                                   0\n"
	    "   10 |                                                   0\n"
	    "\n",
		     { -1, 1 });
	LINEAR_CHART(0, 100, 10,
	    "value |-------------------------------------------------- count\n"
	    "   90 |                                                   0\n"
	    "  100 |                                                   0\n"
	    " >100 |@                                                  1\n"
	    "\n",
		     { 1000, 1 });
	LINEAR_CHART(0, 100, 10,
	    "value |-------------------------------------------------- count\n"
	    "   70 |                                                   0\n"
	    "   80 |                                                   0\n"
	    "   90 |@                                                  1\n"
	    "  100 |                                                   0\n"
	    "\n",
		     { 95, 1 });
	LINEAR_CHART(0, 100, 10,
	    "value |-------------------------------------------------- count\n"
	    "    0 |@@                                                 2\n"
	    "   10 |                                                   0\n"
	    "   20 |                                                   0\n"
	    "\n",
		     { 0, 1 }, { 1, 1 });
	LINEAR_CHART(-1000, 1000, 500,
	    " value |-------------------------------------------------- count\n"
	    "<-1000 |@                                                  1\n"
	    " -1000 |                                                   0\n"
	    "  -500 |                                                   0\n"
	    "     0 |                                                   0\n"
	    "   500 |                                                   0\n"
	    "  1000 |@                                                  1\n"
	    " >1000 |@                                                  1\n"
	    "\n",
		     { -1001, 1 }, { 1001, 1 }, { 3000, 1 });
	LINEAR_CHART(-1000, 1000, 500,
	    "value |-------------------------------------------------- count\n"
	    "-1000 |@                                                  1\n"
	    " -500 |                                                   0\n"
	    "    0 |                                                   0\n"
	    "\n",
		     { -1000, 1 });
	/* Values that wrap when stap subtracts the start. */
	LINEAR_CHART(-10, 10, 5,
	    "value |-------------------------------------------------- count\n"
	    " <-10 |@@@                                                3\n"
	    "  -10 |@                                                  1\n"
	    "   -5 |                                                   0\n"
	    "    0 |                                                   0\n"
	    "    5 |                                                   0\n"
	    "   10 |@                                                  1\n"
	    "  >10 |@                                                  1\n"
	    "\n",
		     { INT64_MAX, 1 }, { INT64_MIN, 1 }, { -11, 1 }, { -10, 1 }, { 14, 1 }, { 15, 1 });
	LINEAR_CHART(10, 20, 5,
	    "value |-------------------------------------------------- count\n"
	    "   15 |                                                   0\n"
	    "   20 |                                                   0\n"
	    "  >20 |@                                                  1\n"
	    "\n",
		     { INT64_MIN, 1 });
}

/* stap sizes the value column from the first row and from one interval
 * past the last row's bucket (two past for ">"), not from the labels. */
static void test_linear_width(void)
{
	LINEAR_CHART(0, 99990, 1000,
	    "  value |-------------------------------------------------- count\n"
	    "  98000 |                                                   0\n"
	    "  99000 |                                                   0\n"
	    " >99000 |@                                                  1\n"
	    "\n",
		     { 99999999, 1 });
	LINEAR_CHART(2147483647, 2147483647, 1,
	    "       value |-------------------------------------------------- count\n"
	    "  2147483647 |                                                   0\n"
	    " >2147483647 |@                                                  1\n"
	    "\n",
		     { INT64_MAX, 1 });
	LINEAR_CHART(-100000, 0, 1000,
	    "  value |-------------------------------------------------- count\n"
	    "-100000 |@                                                  1\n"
	    " -99000 |                                                   0\n"
	    " -98000 |                                                   0\n"
	    "\n",
		     { -100000, 1 });
}

/* ------------------------------------------------------------- elision */

static void elision_charts(int elision, const char *want_log, size_t log_len,
			   const char *want_linear, size_t linear_len, int line)
{
	struct stp_hist h;

	stp_hist__init_log(&h);
	add_samples(&h, SAMPLES({ 1, 1 }, { 256, 1 }, { 65536, 3 }), 3);
	check_chart(__FILE__, line, &h, elision, want_log, log_len);
	stp_hist__init_linear(&h, 0, 200, 10, NULL, 0);
	add_samples(&h, SAMPLES({ -1, 1 }, { 30, 1 }, { 100, 1 }), 3);
	check_chart(__FILE__, line, &h, elision, want_linear, linear_len);
}

#define ELISION(e, log, linear)                                                                    \
	elision_charts(e, log, sizeof(log) - 1, linear, sizeof(linear) - 1, __LINE__)

static void test_elision(void)
{
	/* 0: only the counted rows; a run before the last one still gets '~'. */
	ELISION(0,
	    " value |-------------------------------------------------- count\n"
	    "       ~\n"
	    "     1 |@                                                  1\n"
	    "       ~\n"
	    "   256 |@                                                  1\n"
	    "       ~\n"
	    " 65536 |@@@                                                3\n"
	    "\n",
	    "value |-------------------------------------------------- count\n"
	    "   <0 |@                                                  1\n"
	    "      ~\n"
	    "   30 |@                                                  1\n"
	    "      ~\n"
	    "  100 |@                                                  1\n"
	    "\n");
	ELISION(1,
	    " value |-------------------------------------------------- count\n"
	    "     0 |                                                   0\n"
	    "     1 |@                                                  1\n"
	    "     2 |                                                   0\n"
	    "       ~\n"
	    "   128 |                                                   0\n"
	    "   256 |@                                                  1\n"
	    "   512 |                                                   0\n"
	    "       ~\n"
	    " 32768 |                                                   0\n"
	    " 65536 |@@@                                                3\n"
	    "131072 |                                                   0\n"
	    "\n",
	    "value |-------------------------------------------------- count\n"
	    "   <0 |@                                                  1\n"
	    "    0 |                                                   0\n"
	    "      ~\n"
	    "   20 |                                                   0\n"
	    "   30 |@                                                  1\n"
	    "   40 |                                                   0\n"
	    "      ~\n"
	    "   90 |                                                   0\n"
	    "  100 |@                                                  1\n"
	    "  110 |                                                   0\n"
	    "\n");
	/* 3: the rows still span two buckets past the last non-empty one. */
	ELISION(3,
	    " value |-------------------------------------------------- count\n"
	    "     0 |                                                   0\n"
	    "     1 |@                                                  1\n"
	    "     2 |                                                   0\n"
	    "     4 |                                                   0\n"
	    "     8 |                                                   0\n"
	    "       ~\n"
	    "    32 |                                                   0\n"
	    "    64 |                                                   0\n"
	    "   128 |                                                   0\n"
	    "   256 |@                                                  1\n"
	    "   512 |                                                   0\n"
	    "  1024 |                                                   0\n"
	    "  2048 |                                                   0\n"
	    "       ~\n"
	    "  8192 |                                                   0\n"
	    " 16384 |                                                   0\n"
	    " 32768 |                                                   0\n"
	    " 65536 |@@@                                                3\n"
	    "131072 |                                                   0\n"
	    "262144 |                                                   0\n"
	    "\n",
	    "value |-------------------------------------------------- count\n"
	    "   <0 |@                                                  1\n"
	    "    0 |                                                   0\n"
	    "   10 |                                                   0\n"
	    "   20 |                                                   0\n"
	    "   30 |@                                                  1\n"
	    "   40 |                                                   0\n"
	    "   50 |                                                   0\n"
	    "   60 |                                                   0\n"
	    "   70 |                                                   0\n"
	    "   80 |                                                   0\n"
	    "   90 |                                                   0\n"
	    "  100 |@                                                  1\n"
	    "  110 |                                                   0\n"
	    "  120 |                                                   0\n"
	    "\n");
	/* Negative: nothing is elided. */
	ELISION(-1,
	    " value |-------------------------------------------------- count\n"
	    "     0 |                                                   0\n"
	    "     1 |@                                                  1\n"
	    "     2 |                                                   0\n"
	    "     4 |                                                   0\n"
	    "     8 |                                                   0\n"
	    "    16 |                                                   0\n"
	    "    32 |                                                   0\n"
	    "    64 |                                                   0\n"
	    "   128 |                                                   0\n"
	    "   256 |@                                                  1\n"
	    "   512 |                                                   0\n"
	    "  1024 |                                                   0\n"
	    "  2048 |                                                   0\n"
	    "  4096 |                                                   0\n"
	    "  8192 |                                                   0\n"
	    " 16384 |                                                   0\n"
	    " 32768 |                                                   0\n"
	    " 65536 |@@@                                                3\n"
	    "131072 |                                                   0\n"
	    "262144 |                                                   0\n"
	    "\n",
	    "value |-------------------------------------------------- count\n"
	    "   <0 |@                                                  1\n"
	    "    0 |                                                   0\n"
	    "   10 |                                                   0\n"
	    "   20 |                                                   0\n"
	    "   30 |@                                                  1\n"
	    "   40 |                                                   0\n"
	    "   50 |                                                   0\n"
	    "   60 |                                                   0\n"
	    "   70 |                                                   0\n"
	    "   80 |                                                   0\n"
	    "   90 |                                                   0\n"
	    "  100 |@                                                  1\n"
	    "  110 |                                                   0\n"
	    "  120 |                                                   0\n"
	    "\n");
}

/* ----------------------------------------------------- empty and single */

static void test_empty(void)
{
	struct stp_hist h;
	struct stp_buf b = STP_BUF_INIT;

	/* stap raises "empty aggregate" instead of printing. */
	stp_buf__puts(&b, "kept");
	stp_hist__init_log(&h);
	EXPECT_INT(stp_hist__print(&b, &h, STP_HIST_ELISION), -ENODATA);
	stp_hist__init_linear(&h, 0, 100, 10, NULL, 0);
	EXPECT_INT(stp_hist__print(&b, &h, STP_HIST_ELISION), -ENODATA);
	EXPECT_BYTES(b.data, b.len, "kept");
	stp_buf__free(&b);

	/* One bucket in range: (0, 0, 1) has just "0". */
	LINEAR_CHART(0, 0, 1,
		     "value |-------------------------------------------------- count\n"
		     "    0 |@                                                  1\n"
		     "\n",
		     { 0, 1 });
	LINEAR_CHART(0, 0, 1,
		     "value |-------------------------------------------------- count\n"
		     "   <0 |@@                                                 2\n"
		     "    0 |                                                   0\n"
		     "   >0 |@                                                  1\n"
		     "\n",
		     { -1, 2 }, { 1, 1 });
}

static const struct unit_area areas[] = {
	{ "buckets", test_buckets },	   { "log_examples", test_log_examples },
	{ "log", test_log },		   { "scale", test_scale },
	{ "linear", test_linear },	   { "linear_width", test_linear_width },
	{ "elision", test_elision },	   { "empty", test_empty },
};

UNIT_MAIN(areas)
