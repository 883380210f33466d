// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * print.c - printf and friends for generated code: the tool's format table,
 * parsed once, rendered with the stap-exact engine (format.c), written to
 * the tool's output or into a string.
 */
#include "stp_gen.h"
#include "stp_internal.h"

#include <errno.h>
#include <stdlib.h>

static struct stp_format **formats;
static const char *const *literal_table;
static int nformats, nliterals;

void stp_set_tables(const char *const *fmts, int nfmts, const char *const *literals, int nlits)
{
	formats = calloc((size_t)(nfmts ? nfmts : 1), sizeof(*formats));
	nformats = nfmts;
	for (int i = 0; i < nfmts; i++) {
		char err[128];
		formats[i] = stp_format__parse(fmts[i], err, sizeof(err));
		if (!formats[i]) {
			/* The compiler checked every format; this is a bug. */
			fprintf(stderr, "%s: bad format %d: %s\n", stp_tool_name, i, err);
			exit(1);
		}
	}
	literal_table = literals;
	nliterals = nlits;
}

const char *stp_literal(int id)
{
	return id >= 0 && id < nliterals ? literal_table[id] : "";
}

const struct stp_format *stp_format_at(int id)
{
	return id >= 0 && id < nformats ? formats[id] : NULL;
}

static struct stp_buf out = STP_BUF_INIT;

static void report(struct stp_rt *rt, int err)
{
	if (err == -E2BIG)
		stp_error(rt, "too many bytes for a memory dump");
	else if (err == -EFAULT)
		stp_error(rt, "cannot read the memory to dump");
	else if (err)
		stp_error(rt, "cannot format the output");
}

void stp_printf(struct stp_rt *rt, int format, const struct stp_arg *args, int nargs)
{
	stp_buf__reset(&out);
	int err = stp_format__render(&out, stp_format_at(format), args, nargs);
	if (err)
		report(rt, err);
	else
		stp_out_write(rt, out.data ? out.data : "", out.len);
}

void stp_sprintf(struct stp_rt *rt, char *dst, int format, const struct stp_arg *args, int nargs)
{
	stp_buf__reset(&out);
	int err = stp_format__render_string(&out, stp_format_at(format), args, nargs, stp_maxstr);
	if (err)
		report(rt, err);
	stp_strcpy(dst, stp_buf__str(&out));
}

void stp_print(struct stp_rt *rt, const char *delim, bool newline, const struct stp_arg *args,
	       int nargs)
{
	stp_buf__reset(&out);
	if (stp_format__print(&out, delim, newline, args, nargs) == 0)
		stp_out_write(rt, out.data ? out.data : "", out.len);
}

void stp_sprint(struct stp_rt *rt, char *dst, const char *delim, bool newline,
		const struct stp_arg *args, int nargs)
{
	(void)rt;
	stp_buf__reset(&out);
	stp_format__sprint(&out, delim, newline, args, nargs, stp_maxstr);
	stp_strcpy(dst, stp_buf__str(&out));
}

void stp_log(struct stp_rt *rt, const char *msg)
{
	stp_out_str(rt, msg);
	stp_out_write(rt, "\n", 1);
}
