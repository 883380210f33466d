#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The tool stays in control, with stap's tool-side semantics: error probes
# after a run-time error, MAXACTION and MAXNESTING in the tool's handlers,
# signals and -T answered while a handler loops, the first error ends the
# run, a -c command dies with the tool, preflight says what is wrong, and
# options may follow the script's arguments. As root on this machine's
# kernel; no test depends on timing: every wait is for an event, bounded
# only by a generous guard.

load lib/common
bats_require_minimum_version 1.5.0

setup() {
	[ "$(id -u)" = 0 ] || skip "the tools load BPF programs: run the tests as root"
	T=$BATS_TEST_TMPDIR
	mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing || true
}

# Waits (at most a minute, under any load) until file $1 has a line $2.
wait_for_line() {
	local i
	for ((i = 0; i < 600; i++)); do
		grep -qx -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "no line '$2' in $1" >&2
	return 1
}

# Waits (at most a minute) until process $1 is gone; fails if it stays.
wait_gone() {
	local i
	for ((i = 0; i < 600; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	echo "process $1 is still running" >&2
	return 1
}

@test "control: a tool killed with SIGKILL takes its -c command with it" {
	"$STAPC" -o "$T/kc" -e 'probe begin { printf("%d\n", target()) }'
	"$T/kc" -c "sleep 1000" > "$T/out" 3>&- &
	local pid=$! i child
	for ((i = 0; i < 600; i++)); do
		child=$(head -1 "$T/out")
		[ -n "$child" ] && break
		sleep 0.1
	done
	[ -n "$child" ]
	kill -0 "$child"
	kill -KILL "$pid"
	wait "$pid" || true
	wait_gone "$child" || { kill -KILL "$child"; false; }
}

@test "control: CAP_BPF and CAP_PERFMON without access to tracefs is said as such" {
	command -v setpriv >/dev/null || skip "no setpriv"
	[ -d /sys/kernel/tracing/events ] || skip "tracefs is not mounted"
	setpriv --reuid=65534 --regid=65534 --clear-groups test -x /sys/kernel/tracing/events &&
		skip "tracefs is readable by everyone here"
	local d
	d=$(mktemp -d)
	chmod 755 "$d"
	"$STAPC" -o "$d/tpx" -e 'probe kernel.trace("syscalls:sys_enter_openat") { exit() }'
	run -1 setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=+bpf,+perfmon \
		--ambient-caps=+bpf,+perfmon "$d/tpx"
	rm -rf "$d"
	[ "$output" = "tpx: cannot read tracefs: permission denied on /sys/kernel/tracing; run it as root, or let this user read tracefs (mount it with -o gid=GROUP,mode=0750)" ]
}

@test "control: options may follow the script's arguments, as stap's; -- ends them" {
	"$STAPC" -o "$T/args" -e 'probe begin { printf("[%s][%s]\n", @1, @2); exit() }'
	run -0 timeout -k 10 120 "$T/args" a -o "$T/o.txt" b
	[ "$output" = "" ]
	[ "$(cat "$T/o.txt")" = "[a][b]" ]
	run -0 timeout -k 10 120 "$T/args" x -- -T
	[ "$output" = "[x][-T]" ]
}
