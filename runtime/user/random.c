// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * random.c - randint(n) in the tool: a number in [0, n), from the
 * kernel's random bytes (getrandom), with no bias from the modulo.
 */
#include "stp_gen.h"

#include <sys/random.h>

static uint64_t random_u64(void)
{
	uint64_t v = 0;
	/* getrandom does not fail for 8 bytes once the pool is ready. */
	if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
		v = 0;
	return v;
}

s64 stp_randint(s64 n)
{
	if (n <= 0)
		return 0;
	uint64_t un = (uint64_t)n;
	/* Draw again past the largest multiple of n, so every result is as likely. */
	uint64_t limit = UINT64_MAX - UINT64_MAX % un;
	uint64_t v;
	do
		v = random_u64();
	while (v >= limit);
	return (s64)(v % un);
}
