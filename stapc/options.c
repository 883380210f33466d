// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * options.c - the command line. Flags follow stap's where the meaning is
 * the same, so `stapc` can stand in for `stap` on a developer's box.
 */
#include "stapc.h"

#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
	"Usage: stapc [OPTIONS] SCRIPT.stp [ARGS...]   compile and run a script\n"
	"       stapc [OPTIONS] -e 'SCRIPT' [ARGS...]   compile and run SCRIPT\n"
	"       stapc -o TOOL [OPTIONS] SCRIPT.stp      build a standalone tool\n"
	"       stapc -l PATTERN | -L PATTERN           list matching probe points\n"
	"       stapc keygen -o KEYBASE                 make a signing key pair\n"
	"       stapc sign TOOL --key KEY | verify TOOL --key PUB\n"
	"\n"
	"stapc compiles SystemTap scripts ahead of time into one static executable\n"
	"that needs nothing on the machine it traces: no compiler, no kernel headers,\n"
	"no debuginfo, no stap.\n"
	"\n"
	"Options:\n"
	"  -e SCRIPT      the script text, instead of a file ('-' reads stdin)\n"
	"  -o FILE        write the tool to FILE (default: build into a cache and run)\n"
	"  -p NUM         stop after pass NUM and print its result:\n"
	"                   1 parse tree (as stap -p1), 2 elaborated program,\n"
	"                   3 generated C, 4 build the tool, 5 run it (default)\n"
	"  -g             guru mode: allow embedded C and writes to kernel memory\n"
	"  -I DIR         look for tapset files in DIR too\n"
	"  -D NAME=VAL    set a runtime limit (MAXMAPENTRIES, MAXSTRINGLEN, ...)\n"
	"  -G VAR=VAL     set a global variable's initial value\n"
	"  -r KVER|DIR    compile for kernel release KVER, or the build tree DIR's\n"
	"                 (the module backend builds for it, as --kernel)\n"
	"  -a ARCH        compile for ARCH instead of this machine's\n"
	"  -c CMD         start the probes, run CMD, stop when it exits\n"
	"  -x PID         set target() to PID\n"
	"  -T SECS        stop after SECS seconds\n"
	"  -v             say more (repeat for more)\n"
	"  -w             do not print warnings\n"
	"  -W             treat warnings as errors\n"
	"  --btf FILE     kernel types from FILE, not this machine's /sys/kernel/btf/vmlinux\n"
	"  --debuginfo PATH  the target kernel's vmlinux with DWARF, for kernel.statement;\n"
	"                 the tool then runs on that kernel build only\n"
	"  --runtime=MODE what `%( runtime == ... %)` sees: kernel (default) or bpf;\n"
	"                 it does not choose the backend (stap's kernel runtime is\n"
	"                 --backend=module here)\n"
	"  --backend=B    kernel side: auto (default: BPF unless the script needs a\n"
	"                 module: embedded C, writes to kernel memory), bpf or module\n"
	"  --kernel REL   build the module for kernel release REL (repeatable), from\n"
	"                 Debian's linux-headers-REL (dist/fetch-kernel-headers REL)\n"
	"  --compatible=V the SystemTap language version scripts see as systemtap_v (default 4.8)\n"
	"  --sign KEY     sign the tool with KEY (minisign's format); writes TOOL.minisig\n"
	"  --trust PUB    the tool refuses to run unless signed by PUB's key\n"
	"  -h, --help     show this help\n"
	"  -V, --version  show the version\n"
	"\n"
	"Script arguments are $1..$N (as tokens) and @1..@N (as strings).\n";

void options_usage(FILE *out)
{
	fputs(usage_text, out);
	const char *cache = cache_path();
	fprintf(out,
		"\nBuilt tools are cached in $XDG_CACHE_HOME/stapc, else ~/.cache/stapc, else\n"
		"(root without HOME) /var/cache/stapc; here: %s.\n"
		"The cache is private (0700, yours alone) and kept under STAPC_CACHE_MB\n"
		"(default 256) MiB by removing the least recently used tools.\n",
		cache ? cache : "none (set HOME)");
}

static void bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "stapc: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'stapc --help' for more information.\n");
	exit(1);
}

static long parse_long_arg(const char *opt, const char *arg, long min, long max)
{
	char *end;
	long v = strtol(arg, &end, 10);
	if (*arg == 0 || *end || v < min || v > max) {
		char msg[128];
		snprintf(msg, sizeof(msg), "option %s needs a number from %ld to %ld, not '%%s'", opt,
			 min, max);
		bad_usage(msg, arg);
	}
	return v;
}

static void check_assignment(const char *opt, const char *arg)
{
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg) {
		char msg[96];
		snprintf(msg, sizeof(msg), "option %s needs NAME=VALUE, not '%%s'", opt);
		bad_usage(msg, arg);
	}
}

/* A version as systemtap_v compares it: numbers between dots, 2.6 or 4.8. */
static void check_version(const char *opt, const char *arg)
{
	bool ok = arg[0] >= '0' && arg[0] <= '9';
	for (const char *p = arg; ok && *p; p++)
		ok = (*p >= '0' && *p <= '9') || (*p == '.' && p[1] >= '0' && p[1] <= '9');
	if (!ok) {
		char msg[96];
		snprintf(msg, sizeof(msg), "option %s needs a version such as 4.8, not '%%s'", opt);
		bad_usage(msg, arg);
	}
}

enum { OPT_RUNTIME = 256, OPT_BTF, OPT_BPF, OPT_ALL_MODULES, OPT_LDD, OPT_PRIVILEGE, OPT_UNPRIVILEGED,
       OPT_SIGN, OPT_TRUST, OPT_COMPATIBLE, OPT_BACKEND, OPT_KERNEL,
       OPT_DEBUGINFO };

/* --kernel REL and -r REL: each named once, in the order given. */
static void add_kernel(struct session *s, const char *rel)
{
	if (!*rel || strchr(rel, '/'))
		bad_usage("--kernel needs a kernel release such as 6.1.0-57-cloud-amd64, not '%s'",
			  rel);
	for (int i = 0; i < s->kernels.len; i++)
		if (!strcmp(vec_at(&s->kernels, i), rel))
			return;
	vec_push(&s->kernels, (void *)intern(rel));
}

void options_parse(struct session *s, struct options *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "runtime", required_argument, NULL, OPT_RUNTIME },
		{ "bpf", no_argument, NULL, OPT_BPF },
		{ "btf", required_argument, NULL, OPT_BTF },
		{ "debuginfo", required_argument, NULL, OPT_DEBUGINFO },
		{ "all-modules", no_argument, NULL, OPT_ALL_MODULES },
		{ "ldd", no_argument, NULL, OPT_LDD },
		{ "privilege", required_argument, NULL, OPT_PRIVILEGE },
		{ "unprivileged", no_argument, NULL, OPT_UNPRIVILEGED },
		{ "sign", required_argument, NULL, OPT_SIGN },
		{ "trust", required_argument, NULL, OPT_TRUST },
		{ "compatible", required_argument, NULL, OPT_COMPATIBLE },
		{ "backend", required_argument, NULL, OPT_BACKEND },
		{ "kernel", required_argument, NULL, OPT_KERNEL },
		{ 0 },
	};
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hVe:o:p:gI:D:G:r:a:c:x:T:vwWl:L:d:kus:m:", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'h':
			options_usage(stdout);
			exit(0);
		case 'V':
			printf("stapc %s (SystemTap %s language)\n", STAPC_VERSION, STAPC_STAP_COMPAT);
			exit(0);
		case 'e':
			o->script_text = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'p':
			s->last_pass = (int)parse_long_arg("-p", optarg, 1, 5);
			break;
		case 'g':
			s->guru = true;
			s->target.guru = true;
			break;
		case 'I':
			vec_push(&o->include_dirs, optarg);
			break;
		case 'D':
			check_assignment("-D", optarg);
			vec_push(&o->defines, optarg);
			break;
		case 'G':
			check_assignment("-G", optarg);
			vec_push(&o->global_inits, optarg);
			break;
		case 'r':
			target_set_release(&s->target, optarg);
			add_kernel(s, s->target.kernel_vr);
			break;
		case OPT_KERNEL:
			add_kernel(s, optarg);
			break;
		case OPT_BACKEND:
			if (!strcmp(optarg, "auto"))
				s->backend_req = BACKEND_AUTO;
			else if (!strcmp(optarg, "bpf"))
				s->backend_req = BACKEND_BPF;
			else if (!strcmp(optarg, "module"))
				s->backend_req = BACKEND_MODULE;
			else
				bad_usage("--backend must be auto, bpf or module, not '%s'", optarg);
			break;
		case 'a':
			s->target.arch = intern(optarg);
			break;
		case 'c':
			o->command = optarg;
			break;
		case 'x':
			o->target_pid = (int)parse_long_arg("-x", optarg, 1, INT_MAX);
			break;
		case 'T':
			o->timeout = parse_long_arg("-T", optarg, 1, LONG_MAX);
			break;
		case 'v':
			s->verbose++;
			break;
		case 'w':
			o->no_warnings = true;
			break;
		case 'W':
			o->warnings_are_errors = true;
			break;
		case 'l':
		case 'L':
			o->list_pattern = optarg;
			o->list_vars = c == 'L';
			break;
		case 'd':
		case 'k':
		case 'u':
		case 's':
		case 'm':
		case OPT_ALL_MODULES:
		case OPT_LDD:
			/* stap's module and symbol-table options mean nothing here. */
			break;
		case OPT_RUNTIME:
			if (strcmp(optarg, "kernel") && strcmp(optarg, "bpf"))
				bad_usage("--runtime must be 'kernel' or 'bpf', not '%s'", optarg);
			s->target.runtime = intern(optarg);
			break;
		case OPT_BTF:
			s->btf_path = optarg;
			break;
		case OPT_DEBUGINFO:
			s->debuginfo_path = optarg;
			break;
		case OPT_BPF:
			s->target.runtime = intern("bpf");
			break;
		case OPT_PRIVILEGE:
			if (strcmp(optarg, "stapusr") && strcmp(optarg, "stapsys") &&
			    strcmp(optarg, "stapdev"))
				bad_usage("--privilege must be stapusr, stapsys or stapdev, not '%s'",
					  optarg);
			s->target.privilege = intern(optarg);
			break;
		case OPT_UNPRIVILEGED:
			s->target.privilege = intern("stapusr");
			s->unprivileged = true;
			break;
		case OPT_SIGN:
			sign_req.sign_key = optarg;
			break;
		case OPT_TRUST:
			sign_req.trust_pub = optarg;
			break;
		case OPT_COMPATIBLE:
			check_version("--compatible", optarg);
			s->target.systemtap_v = optarg;
			break;
		case ':':
			bad_usage("option -%s needs an argument", (char[]){ (char)optopt, 0 });
			break;
		default:
			if (optopt)
				bad_usage("unknown option -%s", (char[]){ (char)optopt, 0 });
			bad_usage("unknown option '%s'", argv[optind - 1]);
		}
	}
	int i = optind;
	if (!o->script_text && !o->list_pattern) {
		if (i >= argc)
			bad_usage("%s", "no script given: name a file, or use -e 'SCRIPT'");
		o->script_file = argv[i++];
	}
	for (; i < argc; i++)
		vec_push(&s->args, argv[i]);
}
