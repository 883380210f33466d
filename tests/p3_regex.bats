#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# =~ and !~: stapc/regex.c compiles a pattern at build time into a DFA
# table that BPF and the tool walk alike (runtime: stp_re_match). The
# tables are checked against POSIX's regexec() (tests/unit/test_regex.c);
# a pattern the table cannot hold is refused at its place.

load lib/common

# tests/run may hand us a relative O.
case $O in /*) ;; *) O=$TOP/$O ;; esac
UNIT=$O/unit

setup_file() {
	mkdir -p "$UNIT"
	link_with_compiler "$UNIT/test_regex" "$TOP/tests/unit/test_regex.c" "$O/obj/runtime/user/re_match.o"
}

@test "regex: the DFA tables match as POSIX regexec does" {
	run "$UNIT/test_regex"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" =~ [1-9][0-9]*" checks, 0 failed" ]]
}

@test "regex: a pattern too large for a table is refused at its place" {
	cat > "$BATS_TEST_TMPDIR/big.stp" <<'STP'
probe begin {
	if (execname() =~ "(a|b)*a(a|b)(a|b)(a|b)(a|b)(a|b)(a|b)(a|b)")
		exit()
}
STP
	run "$STAPC_ASAN" -p2 "$BATS_TEST_TMPDIR/big.stp"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"big.stp:2:20: error: this regular expression cannot be matched by stapc: it needs more than the 64 states"* ]]
}

@test "regex: a kernel probe's =~ and isinstr() walk a table in BPF" {
	cat > "$BATS_TEST_TMPDIR/k.stp" <<'STP'
probe kernel.trace("syscalls:sys_enter_openat") {
	f = user_string($filename, "")
	if (f =~ "^/etc/" && !isinstr(f, "passwd"))
		println(f)
}
STP
	run "$STAPC_ASAN" -p3 "$BATS_TEST_TMPDIR/k.stp"
	[ "$status" -eq 0 ]
	[[ "$output" == *'stp_re_match(stp_re0, sizeof(stp_re0) / 257 - 1, '* ]]
	[[ "$output" == *'/* =~ "passwd" */'* ]]
	[[ "$output" == *'static const unsigned char stp_re1['* ]]
}
