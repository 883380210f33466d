// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/* options.c - a generated tool's command line. */
#include "flamegraph.h"
#include "stp_internal.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static void usage(const struct stp_tool *t, FILE *out)
{
	fprintf(out, "Usage: %s [OPTIONS] [ARGS...]\n", t->name);
	if (t->description && *t->description)
		fprintf(out, "\n%s\n", t->description);
	fprintf(out,
		"\nOptions:\n"
		"  -o FILE        write the output to FILE instead of stdout\n"
		"  -S SIZE[,N]    with -o: FILE.0, FILE.1 ... of SIZE megabytes each, the last N kept\n"
		"  -T SECS        stop after SECS seconds\n"
		"  -c CMD         run CMD (through /bin/sh), trace it, stop when it exits\n"
		"  -x PID         trace process PID: what target() returns\n"
		"  -G NAME=VALUE  set the script's global NAME before it starts\n"
		"  -v             say which probe variant attached (-vv: libbpf's messages)\n"
		"      --flamegraph FILE.svg\n"
		"                 draw the folded stacks the script prints (\"main;work;hot 42\")\n"
		"                 as an SVG flame graph in FILE.svg at exit\n"
		"      --script   print the script this tool was built from\n"
		"      --manifest print how it was built, as JSON\n"
		"      --verify PUB\n"
		"                 check the tool's signature against PUB, a minisign public key\n"
		"  -V, --version  print the version\n"
		"  -h, --help     print this help\n");
	if (t->nargs_max)
		fprintf(out, "\nThe script takes %d argument%s: $1..$%d (@1.. as strings).\n",
			t->nargs_max, t->nargs_max == 1 ? "" : "s", t->nargs_max);
	fprintf(out, "\nBuilt by stapc from a SystemTap script; run as root.\n");
}

static void bad(const struct stp_tool *t, const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", t->name);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", t->name);
	exit(1);
}

static long number(const struct stp_tool *t, const char *opt, const char *arg, long min)
{
	char *end;
	errno = 0;
	long v = strtol(arg, &end, 10);
	if (!*arg || *end || errno || v < min) {
		char msg[128];
		snprintf(msg, sizeof(msg), "%s needs a whole number of at least %ld, not '%%s'", opt,
			 min);
		bad(t, msg, arg);
	}
	return v;
}

enum { OPT_SCRIPT = 256, OPT_MANIFEST, OPT_VERIFY, OPT_FLAMEGRAPH };

void stp_parse_options(struct stp_rt *rt, struct stp_session *ss, int argc, char **argv)
{
	const struct stp_tool *t = rt->tool;
	stp_tool_name = t->name;
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "script", no_argument, NULL, OPT_SCRIPT },
		{ "manifest", no_argument, NULL, OPT_MANIFEST },
		{ "verify", required_argument, NULL, OPT_VERIFY },
		{ "flamegraph", required_argument, NULL, OPT_FLAMEGRAPH },
		{ 0 },
	};
	int c;
	opterr = 0;
	/*
	 * Options may come after the script's arguments, as stap takes them
	 * (getopt permutes): `TOOL SIGKILL -T 1`. An argument that starts with
	 * '-' goes after "--".
	 */
	long size_mb = 0, max_files = 0;
	const char *flamegraph = NULL;
	while ((c = getopt_long(argc, argv, ":hVo:S:T:c:x:G:v", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(t, stdout);
			exit(0);
		case 'V':
			printf("%s, built by stapc %s\n", t->name, t->stapc_version);
			exit(0);
		case OPT_SCRIPT:
			fputs(t->script, stdout);
			exit(0);
		case OPT_MANIFEST:
			fputs(t->manifest, stdout);
			exit(0);
		case OPT_VERIFY:
			exit(stp_verify_cmd(t, optarg));
		case 'o':
			ss->output_path = optarg;
			break;
		case OPT_FLAMEGRAPH:
			flamegraph = optarg;
			break;
		case 'S': {
			char *comma = strchr(optarg, ',');
			if (comma)
				*comma = 0;
			size_mb = number(t, "-S", optarg, 1);
			max_files = comma ? number(t, "-S's count", comma + 1, 1) : 0;
			break;
		}
		case 'T':
			ss->timeout_s = number(t, "-T", optarg, 1);
			break;
		case 'c':
			ss->command = optarg;
			break;
		case 'x':
			rt->target_pid = (int)number(t, "-x", optarg, 1);
			break;
		case 'G':
			if (!strchr(optarg, '=') || optarg[0] == '=')
				bad(t, "-G needs NAME=VALUE, not '%s'", optarg);
			ss->global_sets = realloc(ss->global_sets,
						  sizeof(char *) * (size_t)(ss->nglobal_sets + 1));
			ss->global_sets[ss->nglobal_sets++] = optarg;
			break;
		case 'v':
			rt->verbose++;
			break;
		case ':':
			if (optopt == OPT_FLAMEGRAPH)
				bad(t, "%s", "option --flamegraph needs a file name (FILE.svg)");
			bad(t, "option -%s needs an argument", (char[]){ (char)optopt, 0 });
			break;
		default:
			if (optopt)
				bad(t, "unknown option -%s", (char[]){ (char)optopt, 0 });
			bad(t, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (ss->command && rt->target_pid)
		bad(t, "%s", "-c and -x both name the target: give one of them");
	rt->argc = argc - optind;
	rt->argv = argv + optind;
	if (rt->argc < t->nargs_max) {
		char msg[160];
		snprintf(msg, sizeof(msg), "the script needs %d argument%s, but %%s given", t->nargs_max,
			 t->nargs_max == 1 ? "" : "s");
		char got[32];
		snprintf(got, sizeof(got), "%d %s", rt->argc, rt->argc == 1 ? "was" : "were");
		bad(t, msg, got);
	}
	if (ss->output_path && stp_outfile_open(rt, ss->output_path, size_mb, (int)max_files))
		exit(1);
	if (flamegraph && stp_flame_open(flamegraph) != 0) {
		fprintf(stderr, "%s: cannot write the flame graph %s: %s\n", t->name, flamegraph,
			strerror(errno));
		exit(1);
	}
	ss->flamegraph_path = flamegraph;
}

const char *stp_arg_str(struct stp_rt *rt, int n)
{
	return n >= 1 && n <= rt->argc ? rt->argv[n - 1] : "";
}
