#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# int_arg(N) and the other *_arg functions in a probe on a syscall's
# tracepoint (nd_syscall.*, syscall.*, syscall_any): the syscall's
# arguments, read from the user's registers saved at its entry, as in
# stap's syscall probes (SystemTap's lwtools/*-nd.stp read them so). As
# root on this machine's kernel.

load lib/common
bats_require_minimum_version 1.5.0

setup() {
	need_bpf_root
	command -v python3 > /dev/null || skip "python3 makes the pread64 call: not installed"
	T=$BATS_TEST_TMPDIR
}

@test "syscall args: int_arg(1..4) are pread64's arguments at its entry and still at its return" {
	cat > "$T/nd.stp" <<'STP'
probe nd_syscall.pread {
	if (pid() == target() && long_arg(4) == 12345)
		printf("entry fd>0:%d count=%d offset=%d\n", int_arg(1) > 0, uint_arg(3), long_arg(4))
}
probe nd_syscall.pread.return {
	if (pid() == target() && long_arg(4) == 12345)
		printf("return %d count=%d\n", retval, int_arg(3))
}
probe syscall_any { if (pid() == target() && name == "pread64" && ulong_arg(4) == 12345) println("any ", int_arg(3)) }
STP
	"$STAPC" -o "$T/nd" "$T/nd.stp"
	run --separate-stderr timeout 60 "$T/nd" \
		-c "python3 -c \"import os; os.pread(os.open('/dev/zero', os.O_RDONLY), 5, 12345)\""
	echo "$output"; echo "$stderr"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	# syscall_any's tracepoint and pread64's fire in no fixed order.
	[ "$(sort <<< "$output")" = $'any 5\nentry fd>0:1 count=5 offset=12345\nreturn 5 count=5' ]
}
