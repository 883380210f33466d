#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Statistics filled in kernel probes, printed by the tool: the same
# histograms as the same values give when they are added in begin.

load lib/common
bats_require_minimum_version 1.5.0

setup() {
	need_bpf_root
}

@test "stats: @hist_log and @hist_linear of values added in a kernel probe equal those of the same values added in begin" {
	# Before: clang refused the BPF (a histogram-sized zero struct on the
	# stack), and the verifier a linear bucket index it could not bound.
	cat > "$BATS_TEST_TMPDIR/hist.stp" <<'EOF2'
global kl, kn, ul, un
probe syscall.read { if (execname() == "dd" && $fd == 0) { kl[$count] <<< $count; kn <<< $count } }
probe begin { for (i = 0; i < 5; i++) { ul[1000] <<< 1000; un <<< 1000 } ul[70000] <<< 70000; un <<< 70000 }
probe end {
	foreach (c+ in kl) print(@hist_log(kl[c]))
	print(@hist_linear(kn, 0, 100000, 10000))
	printf("-- %d %d\n", @count(kn), @sum(kn))
	foreach (c+ in ul) print(@hist_log(ul[c]))
	print(@hist_linear(un, 0, 100000, 10000))
	printf("-- %d %d\n", @count(un), @sum(un))
}
EOF2
	# GNU dd reads its input on fd 0.
	run -0 --separate-stderr "$STAPC" "$BATS_TEST_TMPDIR/hist.stp" -c \
		"dd if=/dev/zero of=/dev/null bs=1000 count=5 status=none; dd if=/dev/zero of=/dev/null bs=70000 count=1 status=none"
	echo "$output"
	local kernel tool
	kernel=$(sed -n '1,/^-- /p' <<< "$output")
	tool=$(sed -n '/^-- /,$p' <<< "$output" | tail -n +2)
	[[ "$kernel" == *"-- 6 75000" ]]
	[ "$kernel" = "$tool" ]
	# Both histograms have their bars: 5 at 512 (log), 1 at 70000 (linear).
	grep -q '^  512 |@@@@@ ' <<< "$kernel"
	grep -q '^ 70000 |@ ' <<< "$kernel"
}
