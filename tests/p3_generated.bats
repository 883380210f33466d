#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The generated C reads like hand-written libbpf-tools code (issue 13 item
# 7): asserted on -p3 output, one shape per test.

load lib/common
bats_require_minimum_version 1.5.0

# The section of -p3 output for file NAME (NAME.c, NAME.bpf.c) of script s.
section() {
	awk -v f="/* ---- s.$1 */" '$0 == f { on = 1; next } /^\/\* ---- / { on = 0 } on' \
		"$BATS_TEST_TMPDIR/out"
}

p3() {
	printf '%s\n' "$1" > "$BATS_TEST_TMPDIR/s.stp"
	"$STAPC" -p3 "$BATS_TEST_TMPDIR/s.stp" > "$BATS_TEST_TMPDIR/out"
}

@test "p3 generated: the tool C drops no value with (void): what is unused is not written" {
	p3 'global x, a
probe begin { x = 1; x++; a[1] = 2; printf("%d\n", x); exit() }
probe kernel.trace("syscalls:sys_enter_read") { a[2]++ }'
	run -0 section c
	[[ "$output" == *"stp_printf(rt, "* ]]
	[[ "$output" != *"(void)"* ]]
}
