#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The compiler stays in control on any input: huge, deep or hostile scripts
# get a clear error at the place, never a crash, a hang or a C compiler's
# complaint about a line the script does not have.

load lib/common
bats_require_minimum_version 1.5.0

# A script of one probe whose handler is `x = T1 OP T2 OP ... OP TN`.
chain() {
	local n=$1 op=$2 term=$3
	awk -v n="$n" -v op="$op" -v t="$term" 'BEGIN {
		printf "probe begin { x = %s", t
		for (i = 1; i < n; i++) printf "%s%s", op, t
		print "; println(x) }" }'
}

@test "p2 robust: garbage input prints at most 20 errors and how many more there were" {
	head -c 100000 /dev/urandom > "$BATS_TEST_TMPDIR/garbage.stp"
	# Text garbage too: every line a bad token or two.
	awk 'BEGIN { for (i = 0; i < 5000; i++) printf "9z%d ` \\\\ %d\n", i, i }' > "$BATS_TEST_TMPDIR/text.stp"
	local f
	for f in garbage text; do
		run --separate-stderr "$STAPC_ASAN" -p1 "$BATS_TEST_TMPDIR/$f.stp"
		[ "$status" -eq 1 ]
		[ "$(grep -c ': error: ' <<< "$stderr")" -eq 20 ]
		[[ "${stderr_lines[-1]}" =~ ^stapc:\ [0-9]+\ more\ errors\ not\ shown$ ]]
	done
}

@test "p2 robust: an error said of every probe an alias expands to is printed once" {
	# Both syscall.open and syscall.openat use the handler: one error, not two.
	run --separate-stderr "$STAPC_ASAN" -p2 -e 'probe syscall.open, syscall.openat { x = argstr + 1 }'
	[ "$status" -eq 1 ]
	[ "$(grep -c ': error: ' <<< "$stderr")" -eq 1 ]
}

@test "p2 robust: recursion in code that runs in BPF is refused at the call, naming the cycle" {
	run --separate-stderr "$STAPC_ASAN" -p3 -e 'function f(n) { return g(n + 1) }
function g(n) { return f(n) }
probe kernel.trace("sched:sched_switch") { println(f(1)) }'
	[ "$status" -eq 1 ]
	[ "${stderr_lines[0]}" = "<input>:2:24: error: recursion cannot run in BPF: f -> g -> f is called from a kernel probe; rewrite it as a loop" ]
	[ "$(grep -c ': error: ' <<< "$stderr")" -eq 1 ]
	run --separate-stderr "$STAPC_ASAN" -p3 -e 'function f(n) { return f(n + 1) } probe kernel.trace("sched:sched_switch") { println(f(1)) }'
	[ "$status" -eq 1 ]
	[ "${stderr_lines[0]}" = "<input>:1:24: error: recursion cannot run in BPF: f -> f is called from a kernel probe; rewrite it as a loop" ]
}

@test "p2 robust: recursion that runs only in the tool is not refused" {
	run --separate-stderr "$STAPC_ASAN" -p3 -e 'function f(n) { return n > 0 ? f(n - 1) : 0 } probe begin { println(f(3)) } probe kernel.trace("sched:sched_switch") { exit() }'
	[ "$status" -eq 0 ]
}
