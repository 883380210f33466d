#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Pass 3 in two steps: placement decides the plan (place_code.c numbers what
# the code refers to), and the emitters only read it: NAME.bpf.c, NAME.c and
# NAME.stp.h come out the same whichever is written first, and the same when
# written again (tests/unit/test_plan.c).

load lib/common

# tests/run may hand us a relative O.
case $O in /*) ;; *) O=$TOP/$O ;; esac
UNIT=$O/unit

setup_file() {
	mkdir -p "$UNIT"
	link_with_compiler "$UNIT/test_plan" "$TOP/tests/unit/test_plan.c"
}

# test_plan on SCRIPT: the same files in any order.
same_in_any_order() {
	run "$UNIT/test_plan" "$TOP/tapset" "$1"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "p3 plan: a script that numbers everything writes the same in any order" {
	# Formats in K and in the tool, literals, record sites of prints and
	# errors, a caught message, a CONFIG_ test, and a function written
	# before the function it calls (K functions are written last first).
	cat > "$BATS_TEST_TMPDIR/all.stp" <<'STP'
global n
function g:string(s:string) { t = s . "x"; return t }
function f:string(s:string) { u = g(s); return u . "y" }
function lazy:string(s:string) { return sprintf("<%s:%d>", s, n) }
probe kernel.trace("syscalls:sys_enter_openat") {
	a = g(execname()); b = f(execname())
	if (a == b) println(a)
	printf("%d %s %s\n", pid(), lazy(a), b)
	try { error("boom") } catch (e) { printf("caught %s\n", e) }
	n += 10 / (n - n + 1)
	%( CONFIG_X86_64 == "y" %? log("x86") %)
	if (n > 3) exit()
}
probe begin { printf("start %s\n", "now") }
probe end { printf("%d opens\n", n) }
STP
	same_in_any_order "$BATS_TEST_TMPDIR/all.stp"
}

@test "p3 plan: every example writes the same in any order" {
	local f compared=0
	for f in "$TOP"/examples/*.stp; do
		run "$UNIT/test_plan" "$TOP/tapset" "$f"
		case $status in
		0) compared=$((compared + 1)) ;;
		2) ;; # needs what this host lacks: nothing to compare
		*) echo "$output"; return 1 ;;
		esac
	done
	[ "$compared" -gt 3 ]
}
