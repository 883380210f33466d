// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * outfile.c - -o FILE with -S SIZE[,N], and switch_file(): the output goes
 * on in the next file, as stapio does it. With -S the files are FILE.0,
 * FILE.1 ...; the tool moves to the next once one holds SIZE megabytes, and
 * keeps the last N (the older ones are removed). Without -S the first file
 * is FILE itself, then FILE.1 ... after each switch_file(). The switch is
 * made when the handler's output is flushed, so what the handler printed
 * after switch_file() ends the old file, as in stap.
 */
#include "stp_gen.h"
#include "stp_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static struct {
	const char *base; /* -o FILE; NULL: stdout, where nothing switches */
	long size_mb;	  /* -S SIZE; 0: none */
	int max_files;	  /* -S SIZE,N; 0: keep them all */
	int num;	  /* the current file's number */
	bool pending;	  /* switch_file() was called */
} of;

static void name_of(char *buf, size_t n, int num)
{
	if (num || of.size_mb)
		snprintf(buf, n, "%s.%d", of.base, num);
	else
		snprintf(buf, n, "%s", of.base);
}

int stp_outfile_open(struct stp_rt *rt, const char *path, long size_mb, int max_files)
{
	char name[4096];
	of.base = path;
	of.size_mb = size_mb;
	of.max_files = max_files;
	name_of(name, sizeof(name), 0);
	rt->out = fopen(name, "w");
	if (!rt->out) {
		fprintf(stderr, "%s: cannot write %s: %s\n", stp_tool_name, name, strerror(errno));
		return 1;
	}
	return 0;
}

void stp_switch_file(struct stp_rt *rt)
{
	(void)rt;
	of.pending = of.base != NULL;
}

/* After a flush: the next file, if switch_file() asked or this one is full. */
void stp_outfile_check(struct stp_rt *rt)
{
	if (!of.base || !rt->out)
		return;
	bool full = of.size_mb && ftell(rt->out) >= of.size_mb << 20;
	if (!of.pending && !full)
		return;
	of.pending = false;
	char name[4096];
	fclose(rt->out);
	of.num++;
	if (of.max_files && of.num >= of.max_files) {
		name_of(name, sizeof(name), of.num - of.max_files);
		unlink(name);
	}
	name_of(name, sizeof(name), of.num);
	rt->out = fopen(name, "w");
	if (!rt->out) {
		fprintf(stderr, "%s: cannot write %s: %s\n", stp_tool_name, name, strerror(errno));
		rt->out = fopen("/dev/null", "w");
	}
}
