// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * signals.c - what stops a tool: SIGINT, SIGTERM, SIGHUP, and SIGALRM,
 * which -T arms. The flags live here, below everyone who reads them.
 */
#include "stp_gen.h"
#include "stp_internal.h"

#include <signal.h>

static volatile sig_atomic_t stop_signal;
volatile sig_atomic_t stp_interrupt;

/*
 * A stop: the event loop ends, and a handler that is running (a loop in a
 * begin probe) unwinds at its next iteration, so the tool always answers.
 */
static void on_signal(int sig)
{
	stop_signal = sig;
	stp_interrupt = 1;
}

void stp_catch_stop_signals(void)
{
	/* SA_RESTART: a stop must not cut the output's writes; polls still wake. */
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

bool stp_stop_requested(void)
{
	return stop_signal != 0;
}
