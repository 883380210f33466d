#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# A probe alias's variables: a handler reading one that no alias body sets
# (our tapset lacks it, or the script misspelt it) is an error at its
# place, not a local silently 0.

load lib/common
bats_require_minimum_version 1.5.0

lib() {
	mkdir -p "$BATS_TEST_TMPDIR/tapset"
	cat > "$BATS_TEST_TMPDIR/tapset/lib.stp" <<'STP'
probe lib.tick = begin { s = 5; name = "tick"; __hidden = 1 }
probe lib.tock = begin { name = "tock"; t = 2 }
STP
	echo "$BATS_TEST_TMPDIR/tapset"
}

@test "p2 alias vars: a variable no alias sets is an error naming the alias and what it has" {
	printf 'probe lib.tick {\n\tprintln(name, nope)\n}\n' > "$BATS_TEST_TMPDIR/s.stp"
	run --separate-stderr "$STAPC_ASAN" -p2 -I "$(lib)" "$BATS_TEST_TMPDIR/s.stp"
	[ "$status" -eq 1 ]
	[ "${stderr_lines[0]}" = "$BATS_TEST_TMPDIR/s.stp:2:16: error: 'nope' is not a variable of probe alias 'lib.tick' and nothing here assigns it: the alias has name, s" ]
	[[ "${stderr_lines[1]}" == *'println(name, nope)' ]]
	[[ "${stderr_lines[2]}" == *'^~~~' ]]
}

@test "p2 alias vars: one that the handler assigns itself, anywhere, is its own local" {
	run --separate-stderr "$STAPC_ASAN" -p2 -I "$(lib)" \
		-e 'probe lib.tick { if (n) println(n); n = s }'
	[ "$status" -eq 0 ]
}

@test "p2 alias vars: each point of a list needs it; a wildcard over aliases, one of its matches" {
	run --separate-stderr "$STAPC_ASAN" -p2 -I "$(lib)" -e 'probe lib.tick, lib.tock { println(t) }'
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"error: 't' is not a variable of probe alias 'lib.tick' and nothing here assigns it: the alias has name, s"* ]]
	[ "$(grep -c ': error: ' <<< "$stderr")" -eq 1 ]
	run --separate-stderr "$STAPC_ASAN" -p2 -I "$(lib)" -e 'probe lib.t* { println(t + 1) }'
	[ "$status" -eq 0 ]
}

@test "p2 alias vars: scheduler.* have what SystemTap's examples read (sched_switch.stp's task)" {
	local ex=/usr/share/systemtap/examples/profiling/sched_switch.stp
	[ -f "$ex" ] || skip "systemtap-doc's examples are not installed"
	run --separate-stderr "$STAPC_ASAN" -p2 "$ex"
	[ "$status" -eq 0 ]
	run --separate-stderr "$STAPC_ASAN" -p2 -e 'probe scheduler.wakeup { println(task_pid(task), task_tid) }'
	[ "$status" -eq 0 ]
	run --separate-stderr "$STAPC_ASAN" -p2 -e 'probe scheduler.wakeup { println(waker) }'
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"'waker' is not a variable of probe alias 'scheduler.wakeup'"*"the alias has name, task, task_cpu, task_pid, task_priority, task_state, task_tid"* ]]
}

# SystemTap's tapsets change with the language version: --compatible=V
# gives the variables and aliases of V, as stap's own %( systemtap_v %)
# conditionals do (signal.stp, kprocess.stp, udp.stp of stap 4.8).
@test "p2 alias vars: --compatible=VERSION gives that version's variables and aliases" {
	local v
	for v in 'signal.send { println(send2queue) }' 'signal.handle { println(oldset_addr) }' \
		'kprocess.release { println(pid) }'; do
		run --separate-stderr "$STAPC_ASAN" -p2 -e "probe $v"
		[ "$status" -eq 1 ]
		[[ "$stderr" == *"is not a variable of probe alias"* ]]
	done
	run --separate-stderr "$STAPC_ASAN" -p2 --compatible=2.1 -e 'probe signal.send { println(send2queue) }'
	[ "$status" -eq 0 ]
	run --separate-stderr "$STAPC_ASAN" -p2 --compatible=1.7 -e 'probe kprocess.release { println(pid) }'
	[ "$status" -eq 0 ]
	# Aliases SystemTap 2.2 removed.
	run --separate-stderr "$STAPC_ASAN" -p2 -e 'probe signal.send.return { println(retstr) }'
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"'signal.send' has no suffix '.return'"* ]]
	run --separate-stderr "$STAPC_ASAN" -p2 --compatible=2.1 -e 'probe signal.send.return { println(retstr) }'
	[ "$status" -eq 0 ]
	# udp.* gained family, saddr, daddr, sport and dport in 2.3.
	run --separate-stderr "$STAPC_ASAN" -p2 -e 'probe udp.sendmsg { println(dport) }'
	[ "$status" -eq 0 ]
	run --separate-stderr "$STAPC_ASAN" -p2 --compatible=2.2 -e 'probe udp.sendmsg { println(dport) }'
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"the alias has name, size, sock"* ]]
}
