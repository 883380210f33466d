// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/* output.c - the script's output, and the tool's own messages. */
#include "flamegraph.h"
#include "stp_gen.h"
#include "stp_internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>


void stp_out_write(struct stp_rt *rt, const char *s, size_t n)
{
	fwrite(s, 1, n, rt->out);
	stp_flame_feed(s, n);
}

void stp_out_str(struct stp_rt *rt, const char *s)
{
	fputs(s, rt->out);
	stp_flame_feed(s, strlen(s));
}

void stp_out_flush(struct stp_rt *rt)
{
	fflush(rt->out);
	stp_outfile_check(rt);
}

void stp_say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: ", stp_tool_name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void stp_exit(struct stp_rt *rt)
{
	rt->exiting = true;
}

void stp_warn(struct stp_rt *rt, const char *msg)
{
	stp_out_flush(rt);
	fprintf(stderr, "WARNING: %s\n", msg);
}

/*
 * stap's rule: an error not caught by try/catch ends the run, unless
 * MAXERRORS allows more; then the error probes run instead of the end ones.
 */
static void count_error(struct stp_rt *rt)
{
	rt->errors++;
	if (rt->errors > rt->tool->maxerrors) {
		rt->exiting = true;
		rt->aborted = true;
		rt->exit_status = 1;
	}
}

void stp_error_at(struct stp_rt *rt, const char *msg, const char *where)
{
	snprintf(rt->error_msg, sizeof(rt->error_msg), "%s", msg);
	rt->error_where = where;
	rt->in_error = true;
}

void stp_error(struct stp_rt *rt, const char *msg)
{
	stp_error_at(rt, msg, NULL);
}

bool stp_act_stop(struct stp_rt *rt, const char *where)
{
	if (stp_interrupt) {
		/* Not an error: nothing is printed. */
		rt->error_msg[0] = 0;
		rt->in_error = true;
	} else {
		stp_error_at(rt, "MAXACTION exceeded", where);
	}
	rt->unwinding = true;
	return true;
}

/*
 * next inside a function: the whole handler ends, so it unwinds as a stop
 * does (no catch takes it), without a message: no error is counted.
 */
void stp_act_next(struct stp_rt *rt)
{
	rt->error_msg[0] = 0;
	rt->in_error = true;
	rt->unwinding = true;
}

void stp_report_error(struct stp_rt *rt)
{
	rt->unwinding = false;
	if (!rt->error_msg[0]) {
		rt->in_error = false;
		return;
	}
	stp_out_flush(rt);
	fprintf(stderr, "ERROR: %s%s\n", rt->error_msg, rt->error_where ? rt->error_where : "");
	rt->in_error = false;
	count_error(rt);
}

void stp_kernel_error(struct stp_rt *rt, const char *msg)
{
	stp_out_flush(rt);
	fprintf(stderr, "ERROR: %s\n", msg);
	count_error(rt);
}
