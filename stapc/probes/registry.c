// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * registry.c - the probe providers, tried in this order. A provider NAME
 * is `const struct provider provider_NAME` in its own file under probes/;
 * adding one is adding its line here.
 */
#include "../stapc.h"

#define PROVIDERS(X) \
	X(begin_end)   \
	X(timer)       \
	X(tracepoint)  \
	X(process)     \
	X(perf)        \
	X(procfs)      \
	X(kfunc)       \
	X(kstmt)

#define DECLARE(name) extern const struct provider provider_##name;
PROVIDERS(DECLARE)
#undef DECLARE

const struct provider *const providers[] = {
#define ENTRY(name) &provider_##name,
	PROVIDERS(ENTRY)
#undef ENTRY
	NULL,
};
