#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# A probe family is one file under stapc/probes/ plus one line of
# stapc/probes/registry.c: nothing outside probes/ names a provider, reads
# its private data or spells an attach kind, and a compiler built with one
# more (test-only) provider compiles that family's probes, in the tool and
# in BPF, with no other change.

load lib/common
bats_require_minimum_version 1.5.0

@test "p2 providers: no file outside stapc/probes/ names a provider, its data or an attach kind's string" {
	cd "$TOP"
	run grep -rnE 'prov->name|"STP_ATTACH' stapc --include=*.c
	[ "$status" -eq 0 ] || [ "$status" -eq 1 ]
	leaks=$(printf '%s\n' "$output" | grep -v '^stapc/probes/' || true)
	[ -z "$leaks" ] || { echo "outside probes/: $leaks"; false; }
	run grep -rnwE 'lifecycle_probe|timer_probe|kfunc_probe|uprobe_point|trace_probe|perf_probe' \
		stapc --include=*.c --include=*.h
	leaks=$(printf '%s\n' "$output" | grep -v '^stapc/probes/' || true)
	[ -z "$leaks" ] || { echo "a provider's data used outside probes/: $leaks"; false; }
}

# The test-only family: stapc_test.hello runs in the tool, at start, 7th;
# stapc_test.tick runs in BPF, on a BTF tracepoint, and names a function.
write_provider() {
	cat > "$1" <<'EOF'
// SPDX-License-Identifier: GPL-2.0-or-later
/* stapc_test.c - a probe family that only tests/p2_providers.bats builds. */
#include "../stapc.h"

static bool match(struct elab *e, struct dprobe *d)
{
	(void)e;
	const struct probe_point *p = d->point;
	if (point_ncomps(p) != 2 || !point_is(p, 0, "stapc_test"))
		return false;
	d->in_tool = point_is(p, 1, "hello");
	return d->in_tool || point_is(p, 1, "tick");
}

static void tool_entry(const struct dprobe *d, struct tool_entry *out)
{
	(void)d;
	*out = (struct tool_entry){ .list = TOOL_BEGIN, .order = 7 };
}

static int variants(const struct dprobe *d, struct variant *out, int max)
{
	(void)d;
	if (max < 1)
		return 0;
	out[0] = (struct variant){
		.section = attach_kind_section(STP_ATTACH_TP_BTF, "sched_switch"),
		.attach = STP_ATTACH_TP_BTF,
		.target = "sched_switch",
		.args = ARGS_CTX_ARRAY,
	};
	return 1;
}

static const char *func_name(const struct dprobe *d)
{
	(void)d;
	return "stapc_test_function";
}

const struct provider provider_stapc_test = {
	.name = "stapc_test",
	.match = match,
	.variants = variants,
	.tool_entry = tool_entry,
	.func_name = func_name,
};
EOF
}

@test "p2 providers: one file under probes/ and one registry line make a new probe family" {
	src=$BATS_TEST_TMPDIR/src
	mkdir -p "$src"
	cp -r "$TOP/Makefile" "$TOP/stapc" "$TOP/runtime" "$TOP/templates" "$src/"
	write_provider "$src/stapc/probes/stapc_test.c"
	sed -i 's/^\tX(begin_end)/\tX(stapc_test) \\\n&/' "$src/stapc/probes/registry.c"
	grep -q 'X(stapc_test)' "$src/stapc/probes/registry.c"
	run -0 make -C "$src" -j2 CFLAGS=-O0 build/stapc
	cat > "$BATS_TEST_TMPDIR/t.stp" <<'EOF'
probe stapc_test.hello { printf("hello\n") }
probe stapc_test.tick { printf("%s\n", ppfunc()); exit() }
EOF
	STAPC_DATADIR=$TOP run -0 "$src/build/stapc" -p3 "$BATS_TEST_TMPDIR/t.stp"
	# The tool runs hello among its begin probes, ordered as the provider said.
	[[ "$output" == *'{ "stapc_test.hello", 7LL, probe_0 }'* ]]
	# tick is a BPF program of the provider's variant, attached as it said.
	[[ "$output" == *'SEC("tp_btf/sched_switch")'* ]]
	[[ "$output" == *'.attach = STP_ATTACH_TP_BTF'* ]]
	[[ "$output" == *'stapc_test_function'* ]]
}
