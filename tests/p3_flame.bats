#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Stacks kept as keys (issue 17), on -p3 output: backtrace() and
# ubacktrace() made as bytes in BPF, and the stp_uaddrs map only for a
# program that keeps user stacks; stacks with names stay printable only.

load lib/common
bats_require_minimum_version 1.5.0

p3() {
	printf '%s\n' "$1" > "$BATS_TEST_TMPDIR/s.stp"
	run -0 --separate-stderr "$STAPC" -p3 "$BATS_TEST_TMPDIR/s.stp"
}

@test "p3 flame: [backtrace(), ubacktrace()] keys are made in BPF; user stacks bring stp_uaddrs" {
	p3 'global s
probe timer.profile { s[backtrace(), ubacktrace()] <<< 1 }
probe end { foreach ([k, u] in s-) printf("%s %d\n", sprint_stacks_folded(k, u), @count(s[k, u])) }'
	[[ $output == *'#define STP_UADDRS 1'* ]]
	[[ $output == *'stp_kstack_str((sp + '*'), ctx);'* ]]
	[[ $output == *'stp_ustack_str((sp + '*'), ctx, ((s64)20LL));'* ]]
	[[ $output == *'stp_stack_folded('* ]]
	p3 'global s
probe timer.profile { s[backtrace()] <<< 1 }
probe end { foreach (k in s) printf("%s\n", sprint_stack_folded(k)) }'
	[[ $output == *'stp_kstack_str('* ]]
	[[ $output != *'STP_UADDRS'* ]]
}

@test "p3 flame: a stack with symbol names cannot be a key in a kernel probe: said at the call" {
	printf 'global a\nprobe timer.profile { a[sprint_backtrace()]++ }\n' > "$BATS_TEST_TMPDIR/s.stp"
	run -1 --separate-stderr "$STAPC" -p3 "$BATS_TEST_TMPDIR/s.stp"
	[ "${stderr_lines[0]}" = "$BATS_TEST_TMPDIR/s.stp:2:25: error: this string is assembled by the tool, not in the kernel: in a kernel probe it can be printed, but not stored in a global, compared or used as a key" ]
}
