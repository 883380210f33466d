/* SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause */
#ifndef STATS_H
#define STATS_H
struct stats {
	__u64 count;
	__u64 sum;
};
#endif
