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

@test "p2 robust: a 100,000-term sum is refused at its 200th level, not a stack overflow" {
	chain 100000 + 1 > "$BATS_TEST_TMPDIR/sum.stp"
	run --separate-stderr "$STAPC_ASAN" -p3 "$BATS_TEST_TMPDIR/sum.stp"
	[ "$status" -eq 1 ]
	[[ "${stderr_lines[0]}" == *"sum.stp:1:"*": error: expression nested more than 200 deep: split it with temporary variables" ]]
	[ "${#stderr_lines[@]}" -eq 3 ]
}

@test "p2 robust: long chains of every binary operator and of unary ones are bounded" {
	local op
	for op in '*' '.' '<<' '<' '|' '^' '&' '&&' '||' '=='; do
		chain 30000 " $op " 1 > "$BATS_TEST_TMPDIR/c.stp"
		run --separate-stderr "$STAPC_ASAN" -p2 "$BATS_TEST_TMPDIR/c.stp"
		[ "$status" -eq 1 ] || { echo "op $op: status $status"; return 1; }
		[[ "${stderr_lines[0]}" == *"nested more than 200 deep"* ]] || { echo "op $op"; return 1; }
	done
	for op in '!' '-' '~' '++'; do
		awk -v op="$op" 'BEGIN { printf "probe begin { x = "; for (i = 0; i < 50000; i++) printf "%s ", op; print "1 }" }' > "$BATS_TEST_TMPDIR/u.stp"
		run --separate-stderr "$STAPC_ASAN" -p2 "$BATS_TEST_TMPDIR/u.stp"
		[ "$status" -eq 1 ] || { echo "op $op: status $status"; return 1; }
		[[ "${stderr_lines[0]}" == *"nested more than 200 deep"* ]] || { echo "op $op"; return 1; }
	done
}

@test "p2 robust: a 190-term sum still compiles to C (clang's bracket depth is 256)" {
	chain 190 + 1 > "$BATS_TEST_TMPDIR/sum.stp"
	run --separate-stderr "$STAPC_ASAN" -p3 "$BATS_TEST_TMPDIR/sum.stp"
	[ "$status" -eq 0 ]
}

@test "p2 robust: a huge handler, and a huge file, are refused while they are parsed" {
	# 60,000 statements in one probe: one C function gcc would chew for minutes.
	awk 'BEGIN { print "probe begin {"; for (i = 0; i < 60000; i++) print "x += " i; print "println(x) }" }' > "$BATS_TEST_TMPDIR/big.stp"
	run --separate-stderr "$STAPC_ASAN" -p3 "$BATS_TEST_TMPDIR/big.stp"
	[ "$status" -eq 1 ]
	[[ "${stderr_lines[0]}" == *"big.stp:"*": error: this probe or function is too large: more than 50000 statements and expressions; split it into functions" ]]
	# 130,000 small probes (3 MB): past what one file may hold.
	awk 'BEGIN { for (i = 0; i < 130000; i++) print "probe begin { x = " i " }" }' > "$BATS_TEST_TMPDIR/many.stp"
	run --separate-stderr "$STAPC_ASAN" -p3 "$BATS_TEST_TMPDIR/many.stp"
	[ "$status" -eq 1 ]
	[[ "${stderr_lines[0]}" == *"many.stp:"*": error: this file is too large: more than 500000 statements and expressions; giving up on it" ]]
	[ "$(grep -c ': error: ' <<< "$stderr")" -eq 1 ]
}

@test "p2 robust: a handler copied to many probe points is bounded, and so are parameters" {
	# 1,000 points, each its own copy of a 9,000-node handler.
	awk 'BEGIN { printf "probe begin"; for (i = 1; i < 1000; i++) printf ", begin"
		printf " {"; for (i = 0; i < 3000; i++) printf " x%d = %d;", i, i; print " }" }' > "$BATS_TEST_TMPDIR/points.stp"
	run --separate-stderr "$STAPC_ASAN" -p2 "$BATS_TEST_TMPDIR/points.stp"
	[ "$status" -eq 1 ]
	[[ "${stderr_lines[0]}" == *"points.stp:1:1: error: this probe expands to too much code: more than 2000000 statements and expressions in its derived probes; give it fewer points or a smaller handler" ]]
	awk 'BEGIN { printf "function f(a0"; for (i = 1; i < 2000; i++) printf ", a%d", i; print ") { return a1 } probe begin { println(1) }" }' > "$BATS_TEST_TMPDIR/params.stp"
	run --separate-stderr "$STAPC_ASAN" -p2 "$BATS_TEST_TMPDIR/params.stp"
	[ "$status" -eq 1 ]
	[[ "${stderr_lines[0]}" == *"params.stp:1:"*": error: a function takes at most 1000 parameters" ]]
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

# A library of our own, to see whose names are whose.
tapset_dir() {
	mkdir -p "$BATS_TEST_TMPDIR/tapset"
	cat > "$BATS_TEST_TMPDIR/tapset/lib.stp" <<'STP'
global lib_count
private global lib_hidden
probe lib.tick = begin { s = 5; name = "tick"; lib_count++; lib_hidden = s }
function lib_fn:string () { s = "from lib"; return s }
function lib_hidden_get() { return lib_hidden }
STP
	echo "$BATS_TEST_TMPDIR/tapset"
}

@test "p2 robust: a script global never captures a tapset handler's or function's local" {
	local lib
	lib=$(tapset_dir)
	# The alias body's `s` (a long) and lib_fn's `s` (a string) are their
	# own locals, whatever the script's global `s` holds.
	run --separate-stderr "$STAPC_ASAN" -p2 -I "$lib" -e 'global s; probe lib.tick { s = "mine"; println(s, name, lib_fn(), lib_count, lib_hidden_get()) }'
	[ "$status" -eq 0 ]
	[[ "$output" == *$'\ns:string\n'* ]]
	# The real tapset: syscall.openat's helpers have a local `s`.
	run --separate-stderr "$STAPC_ASAN" -p2 -e 'global s; probe syscall.openat { s = 1 } probe end { println(s) }'
	[ "$status" -eq 0 ]
	[[ "$output" == *$'\ns:long\n'* ]]
}

@test "p2 robust: a script sees a tapset's globals, but not its private ones" {
	local lib
	lib=$(tapset_dir)
	run --separate-stderr "$STAPC_ASAN" -p2 -I "$lib" -e 'probe lib.tick { println(lib_count) }'
	[ "$status" -eq 0 ]
	[[ "$output" == *$'# globals\nlib_count:long\n'* ]]
	# lib_hidden is private to lib.stp: here it is a local of the probe.
	run --separate-stderr "$STAPC_ASAN" -p2 -I "$lib" -e 'probe begin { lib_hidden = "x"; println(lib_hidden) }'
	[ "$status" -eq 0 ]
	[[ "$output" == *$'# locals\n  lib_hidden:string'* ]]
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
