// SPDX-License-Identifier: GPL-2.0-or-later
/* registry.c - the probe providers, tried in this order. */
#include "../stapc.h"

extern const struct provider provider_begin_end;
extern const struct provider provider_timer;
extern const struct provider provider_tracepoint;
extern const struct provider provider_process;
extern const struct provider provider_perf;
extern const struct provider provider_kfunc;

const struct provider *const providers[] = {
	&provider_begin_end,
	&provider_timer,
	&provider_tracepoint,
	&provider_process,
	&provider_perf,
	&provider_kfunc,
	NULL,
};
