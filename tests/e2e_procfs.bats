#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# procfs probes: the tool serves each file as a FIFO in
# /var/tmp/systemtap-USER/TOOL/, as stap's BPF runtime does; a read runs the
# read handler, whose $value the reader gets; what a writer wrote is the
# write handler's $value. The folder goes when the tool does.

load lib/common
bats_require_minimum_version 1.5.0

setup() {
	T=$BATS_TEST_TMPDIR
	BG_PIDS=
	DIR=/var/tmp/systemtap-$(id -un)
}

teardown() {
	local p
	for p in $BG_PIDS; do
		kill -KILL "$p" 2>/dev/null || true
	done
}

# Starts tool $1 (output in $T/$1.out) and waits until its file $2 exists.
start_tool() {
	"$T/$1" > "$T/$1.out" 2>&1 &
	BG_PIDS="$BG_PIDS $!"
	TOOL_PID=$!
	local i
	for ((i = 0; i < 600; i++)); do
		[ -p "$DIR/$1/$2" ] && return 0
		kill -0 "$TOOL_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$T/$1.out" >&2
	return 1
}

@test "procfs: each read runs the read handler anew; .maxsize(N) holds more than MAXSTRINGLEN; the folder goes at exit" {
	"$STAPC" -DMAXSTRINGLEN=100 -o "$T/pfread" -e '
global n
probe procfs("count").read { n++; $value = sprintf("read %d\n", n) }
probe procfs("big").read.maxsize(4096) {
	for (i = 0; i < 40; i++) $value .= sprintf("line %d of a long answer\n", i)
}
probe procfs("small").read { for (i = 0; i < 40; i++) $value .= "0123456789" }
probe procfs("quit").read { $value = "bye\n"; exit() }
probe end { printf("n=%d\n", n) }'
	start_tool pfread count
	run -0 timeout 60 cat "$DIR/pfread/count"
	[ "$output" = "read 1" ]
	run -0 timeout 60 cat "$DIR/pfread/count"
	[ "$output" = "read 2" ]
	run -0 timeout 60 cat "$DIR/pfread/big"
	[ "${#lines[@]}" = 40 ]
	[ "${lines[39]}" = "line 39 of a long answer" ]
	# Without .maxsize, $value is a string like any other: MAXSTRINGLEN - 1 bytes.
	run -0 timeout 60 cat "$DIR/pfread/small"
	[ "$output" = "$(printf '0123456789%.0s' {1..9})012345678" ]
	# Modes as stap's: 0400 for a read file.
	[ "$(stat -c %a "$DIR/pfread/count")" = 400 ]
	run -0 timeout 60 cat "$DIR/pfread/quit"
	[ "$output" = bye ]
	wait_gone "$TOOL_PID"
	wait "$TOOL_PID"
	[ "$(cat "$T/pfread.out")" = "n=2" ]
	[ ! -e "$DIR/pfread" ]
}

@test "procfs: a write handler gets what one writer wrote as \$value; umask(N) sets the mode" {
	"$STAPC" -o "$T/pfwrite" -e '
probe procfs("cmd").umask(0).write {
	printf("wrote: %s", $value)
	if ($value == "stop\n") exit()
}
probe procfs("ro").umask(0).read { $value = "x\n" }'
	start_tool pfwrite cmd
	[ "$(stat -c %a "$DIR/pfwrite/cmd")" = 222 ]
	[ "$(stat -c %a "$DIR/pfwrite/ro")" = 444 ]
	echo hello > "$DIR/pfwrite/cmd"
	wait_for_line "$T/pfwrite.out" "wrote: hello"
	echo stop > "$DIR/pfwrite/cmd"
	wait_gone "$TOOL_PID"
	run -0 cat "$T/pfwrite.out"
	[ "$output" = "$(printf 'wrote: hello\nwrote: stop')" ]
	[ ! -e "$DIR/pfwrite" ]
}

@test "procfs: probe prometheus serves the @prometheus_dump_array exposition" {
	"$STAPC" -o "$T/pfprom" -e '
global calls
probe begin { calls["read"] = 7; calls["open"] = 3 }
probe prometheus { @prometheus_dump_array1(calls, "calls_total", "name") }'
	start_tool pfprom __prometheus
	run -0 timeout 60 cat "$DIR/pfprom/__prometheus"
	[ "$(printf '%s\n' "${lines[@]}" | sort)" = "$(printf '%s\n' \
		'calls_total{name="open"} 3' 'calls_total{name="read"} 7')" ]
	kill -INT "$TOOL_PID"
	wait_gone "$TOOL_PID"
	[ ! -e "$DIR/pfprom" ]
}

@test "procfs: a second tool of the same name gets its own folder; after SIGKILL the next start takes the folder back and removes the copy's" {
	"$STAPC" -o "$T/pftwice" -e 'probe procfs.read { $value = sprintf("%d\n", pid()) }'
	start_tool pftwice command
	local first=$TOOL_PID
	"$T/pftwice" > "$T/second.out" 2>&1 &
	BG_PIDS="$BG_PIDS $!"
	local second=$! i
	for ((i = 0; i < 600; i++)); do
		[ -p "$DIR/pftwice.$second/command" ] && break
		sleep 0.1
	done
	run -0 timeout 60 cat "$DIR/pftwice.$second/command"
	[ "$output" = "$second" ]
	run -0 timeout 60 cat "$DIR/pftwice/command"
	[ "$output" = "$first" ]
	kill -KILL "$first" "$second"
	wait_gone "$first"
	wait_gone "$second"
	# The dead tool left its FIFO: the next one makes a fresh one and serves it.
	[ -p "$DIR/pftwice/command" ]
	start_tool pftwice command
	run -0 timeout 60 cat "$DIR/pftwice/command"
	[ "$output" = "$TOOL_PID" ]
	# ... and removes what the killed second copy left.
	[ ! -e "$DIR/pftwice.$second" ]
	kill -TERM "$TOOL_PID"
	wait_gone "$TOOL_PID"
	[ ! -e "$DIR/pftwice" ]
}

@test "procfs: a file with a read and a write probe, two read probes, or a path, is an error at the probe" {
	run -1 "$STAPC" -p2 -e 'probe procfs("x").read { $value = "a" } probe procfs("x").write { println($value) }'
	[[ "$output" == *"<input>:1:"*"procfs file 'x' cannot have both a read and a write probe"* ]]
	run -1 "$STAPC" -p2 -e 'probe procfs("x").read { $value = "a" } probe procfs("x").read { $value = "b" }'
	[[ "$output" == *"procfs file 'x' has a read probe already, at <input>:1"* ]]
	run -1 "$STAPC" -p2 -e 'probe procfs("../etc/x").read { $value = "a" }'
	[[ "$output" == *"procfs needs a file name"* ]]
	run -1 "$STAPC" -p2 -e 'probe procfs("x").read { $nope = "a" }'
	[[ "$output" == *"no target variable '\$nope'; it has \$value:string"* ]]
	# Setting $value needs no -g, nor the module backend: it is the probe's
	# answer, not the kernel's memory.
	run -0 --separate-stderr "$STAPC" -v -p2 -e 'probe procfs("x").read { $value = "a" }'
	[[ "$stderr" == *"backend bpf"* ]]
}
