#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# system(cmd): /bin/sh -c cmd started by the tool, from its own probes and
# from kernel probes, in the background; those still running when the tool
# stops are waited for. As root on this machine's kernel.

load lib/common
bats_require_minimum_version 1.5.0

setup() {
	need_bpf_root
	T=$BATS_TEST_TMPDIR
}

@test "system: commands from begin, a kernel probe and end run, with the script's arguments in them, and are waited for" {
	cat > "$T/sys.stp" <<'EOF'
probe begin { system("echo begin > " . @1 . "/begin") }
probe kernel.trace("sched_process_exec") {
	if (pid() == target())
		system("echo " . execname() . " > " . @1 . "/kernel")
}
probe end { system("sleep 0.3; echo end > " . @1 . "/end") }
EOF
	"$STAPC" -o "$T/sys" "$T/sys.stp"
	run -0 timeout 30 "$T/sys" -c /usr/bin/true "$T"
	[ "$(cat "$T/begin")" = begin ]
	[ "$(cat "$T/kernel")" = true ]
	# The tool waited for the last one, which was still sleeping when it stopped.
	[ "$(cat "$T/end")" = end ]
	# And left no shell behind.
	! pgrep -f "echo end > $T/end"
}

@test "system: what the script printed before comes out before the command's output" {
	run -0 timeout 30 "$STAPC" -e 'probe begin { println("first"); system("echo second"); exit() }'
	[ "$output" = $'first\nsecond' ]
}
