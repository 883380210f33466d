/* SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause */
#ifndef RB_H
#define RB_H
#define RB_COMM_LEN 16
#define RB_NAME_LEN 128 /* the script's MAXSTRINGLEN: stap cuts strings there */
#define RB_SIZE (1 << 20) /* what stapc's tools use */

struct rb_event {
	char comm[RB_COMM_LEN];
#ifdef RB_OPEN
	char fname[RB_NAME_LEN];
#else
	__u64 count;
#endif
};
#endif
