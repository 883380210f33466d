// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * record.c - the fields of a record BPF sent, read in place: the tool's
 * event handlers and every reader of record pieces share it.
 */
#include "stp_gen.h"

#include <string.h>

s64 stp_read_long(const char **p, const char *end)
{
	s64 v = 0;
	if (*p + 8 <= end)
		memcpy(&v, *p, 8);
	*p += 8;
	return v;
}
