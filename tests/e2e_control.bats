#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The tool stays in control, with stap's tool-side semantics: error probes
# after a run-time error, MAXACTION and MAXNESTING in the tool's handlers,
# signals and -T answered while a handler loops, the first error ends the
# run, a -c command dies with the tool, preflight says what is wrong, and
# options may follow the script's arguments, the tool exits without
# waiting for its probes' detach. As root on this machine's
# kernel; no test depends on timing: every wait is for an event, bounded
# only by a generous guard.

load lib/common
bats_require_minimum_version 1.5.0

setup() {
	need_bpf_root
	T=$BATS_TEST_TMPDIR
	BG_PIDS=
}

# What a test started in the background never outlives it, pass or fail.
teardown() {
	local p
	for p in $BG_PIDS; do
		kill -KILL "$p" 2>/dev/null || true
	done
}

@test "control: an error in begin runs the error probes, not the end ones, and the tool exits 1" {
	run --separate-stderr -1 timeout -k 10 120 "$STAPC" -e \
		'probe begin { error("x") } probe error { println("ran") } probe end { println("end") }'
	[ "$output" = ran ]
	[ "${stderr_lines[0]}" = "ERROR: x" ]
	# With no error, they do not run.
	run -0 timeout -k 10 120 "$STAPC" -e \
		'probe begin { exit() } probe end { println("end") } probe error { println("gasp") }'
	[ "$output" = end ]
}

@test "control: an error in an end probe skips the later end probes and runs the error probes" {
	run --separate-stderr -1 timeout -k 10 120 "$STAPC" -e '
probe begin { exit() }
probe end(1) { println("end1"); error("in end") }
probe end(2) { println("end2") }
probe error { println("gasp") }'
	[ "$output" = $'end1\ngasp' ]
	[ "${stderr_lines[0]}" = "ERROR: in end" ]
}

@test "control: a begin probe that loops ends with MAXACTION exceeded, which no catch takes" {
	run --separate-stderr -1 timeout -k 10 120 "$STAPC" -e \
		'probe begin { while (1) {} } probe end { println("end") } probe error { println("gasp") }'
	[ "$output" = gasp ]
	[ "${stderr_lines[0]}" = "ERROR: MAXACTION exceeded near keyword at <input>:1:15" ]
	run --separate-stderr -1 timeout -k 10 120 "$STAPC" -e \
		'probe begin { try { while (1) {} } catch { println("caught") } println("after") }'
	[ "$output" = "" ]
	[ "${stderr_lines[0]}" = "ERROR: MAXACTION exceeded near keyword at <input>:1:21" ]
}

@test "control: -DMAXACTION sets the limit, ten times it for begin probes as stap's MAXACTION_INTERRUPTIBLE" {
	# begin: 10 x 10 = 100 actions, one per iteration here.
	run -0 timeout -k 10 120 "$STAPC" -DMAXACTION=10 -e \
		'probe begin { for (i = 0; i < 50; i++) {} println(i); exit() }'
	[ "$output" = 50 ]
	run --separate-stderr -1 timeout -k 10 120 "$STAPC" -DMAXACTION=10 -e \
		'probe begin { for (i = 0; i < 150; i++) {} println(i); exit() }'
	[ "${stderr_lines[0]}" = "ERROR: MAXACTION exceeded near keyword at <input>:1:15" ]
	# A timer probe has MAXACTION itself.
	run --separate-stderr -1 timeout -k 10 120 "$STAPC" -DMAXACTION=10 -e \
		'probe timer.ms(1) { for (i = 0; i < 50; i++) {} println(i); exit() }'
	[ "$output" = "" ]
	[ "${stderr_lines[0]}" = "ERROR: MAXACTION exceeded near keyword at <input>:1:21" ]
	run -0 timeout -k 10 120 "$STAPC" -DMAXACTION=100 -e \
		'probe timer.ms(1) { for (i = 0; i < 50; i++) {} println(i); exit() }'
	[ "$output" = 50 ]
}

@test "control: unbounded recursion is MAXNESTING exceeded, and a shallow one that calls without end is MAXACTION" {
	run --separate-stderr -1 timeout -k 10 120 "$STAPC" -e \
		'function f:long(n:long) { return f(n + 1) } probe begin { println(f(1)) }'
	[ "${stderr_lines[0]}" = "ERROR: MAXNESTING exceeded near identifier 'f' at <input>:1:10" ]
	# fib(40) calls itself 330 million times, never deeper than 40.
	run --separate-stderr -1 timeout -k 10 120 "$STAPC" -DMAXNESTING=50 -e '
function fib(n) { if (n < 2) return n; return fib(n - 1) + fib(n - 2) }
probe begin { println(fib(40)) }'
	[ "$output" = "" ]
	[ "${stderr_lines[0]}" = "ERROR: MAXACTION exceeded near identifier 'fib' at <input>:2:10" ]
}

@test "control: SIGTERM ends a tool whose begin probe loops; its end probes run" {
	# Its output waits for the handler's end; system() tells that it started.
	"$STAPC" -o "$T/spin" -DMAXACTION=1000000000000 -e '
probe begin { println("looping"); system("echo in > " . @1 . "/in"); while (1) {} }
probe end { println("end") }'
	"$T/spin" "$T" > "$T/out" 2> "$T/err" 3>&- &
	local pid=$!
	BG_PIDS=$pid
	wait_for_line "$T/in" in
	kill -TERM "$pid"
	wait_gone "$pid" || { kill -KILL "$pid"; false; }
	local rc=0
	wait "$pid" || rc=$?
	[ "$rc" = 0 ]
	[ "$(cat "$T/out")" = $'looping\nend' ]
	[ ! -s "$T/err" ]
}

@test "control: -T ends a tool whose begin probe loops" {
	"$STAPC" -o "$T/spin" -DMAXACTION=1000000000000 -e \
		'probe begin { while (1) {} } probe end { println("end") }'
	run -0 timeout -k 10 120 "$T/spin" -T 1
	[ "$output" = end ]
}

@test "control: the first run-time error ends the run, though the tool's own writes trigger more" {
	# Each "ERROR" line the tool writes fires the probe again.
	"$STAPC" -o "$T/werr" -e '
probe kernel.trace("syscalls:sys_enter_write") { if (execname() == "werr") error("write") }
probe begin { println("go") }
probe error { println("gasp") }'
	run --separate-stderr -1 timeout -k 10 120 "$T/werr"
	[ "$output" = $'go\ngasp' ]
	[ "${stderr_lines[0]}" = "ERROR: write" ]
	[ "$(grep -c '^ERROR' <<< "$stderr")" = 1 ]
}

@test "control: -DMAXERRORS=N lets N run-time errors by and ends the run at the next, as stap" {
	# The command's six writes each raise an error; the third is one too many.
	"$STAPC" -DMAXERRORS=2 -o "$T/maxerr" -e '
global n
probe kernel.trace("syscalls:sys_enter_write") { if (pid() == target()) error(sprintf("e%d", ++n)) }
probe end { println("end") }
probe error { println("error probe") }'
	run --separate-stderr -1 timeout -k 10 120 "$T/maxerr" -c \
		'sh -c "for i in 1 2 3 4 5 6; do echo \$i > /dev/null; done"'
	[ "$output" = "error probe" ]
	[ "$stderr" = $'ERROR: e1\nERROR: e2\nERROR: e3\nWARNING: Number of errors: 3, skipped probes: 0' ]
}

@test "control: SIGTERM stops a tool whose output keeps triggering its probe" {
	"$STAPC" -o "$T/wloop" -e '
probe kernel.trace("syscalls:sys_enter_write") { if (execname() == "wloop") warn("w") }
probe begin { warn("start") }
probe end { println("end") }'
	"$T/wloop" > "$T/out" 2> "$T/err" 3>&- &
	local pid=$!
	BG_PIDS=$pid
	wait_for_line "$T/err" "WARNING: w"
	kill -TERM "$pid"
	wait_gone "$pid" || { kill -KILL "$pid"; false; }
	[ "$(cat "$T/out")" = end ]
}

@test "control: a tool killed with SIGKILL takes its -c command with it" {
	"$STAPC" -o "$T/kc" -e 'probe begin { printf("%d\n", target()) }'
	"$T/kc" -c "sleep 1000" > "$T/out" 3>&- &
	local pid=$! i child
	BG_PIDS=$pid
	for ((i = 0; i < 600; i++)); do
		child=$(head -1 "$T/out")
		[ -n "$child" ] && break
		sleep 0.1
	done
	[ -n "$child" ]
	BG_PIDS="$pid $child"
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

@test "control: memory faults in the tool's own probes are stap's run-time errors, which catch takes" {
	run --separate-stderr -1 timeout -k 10 120 "$STAPC" -e \
		'probe begin { println(user_string(0)) } probe error { println("gasp") }'
	[ "$output" = gasp ]
	[ "${stderr_lines[0]}" = "ERROR: user string copy fault -14 at 0x0 [man error::fault] near identifier 'user_string' at <input>:1:23" ]
	run --separate-stderr -1 timeout -k 10 120 "$STAPC" -e 'probe begin { println(kernel_string(0)) }'
	[ "${stderr_lines[0]}" = "ERROR: kernel string copy fault at 0x0 [man error::fault] near identifier 'kernel_string' at <input>:1:23" ]
	run --separate-stderr -1 timeout -k 10 120 "$STAPC" -e 'probe end { println(kernel_long(0)) } probe begin { exit() }'
	[ "${stderr_lines[0]}" = "ERROR: kernel long copy fault at 0x0 [man error::fault] near identifier 'kernel_long' at <input>:1:21" ]
	# A catch takes the message alone; the forms with a default do not fail.
	run -0 timeout -k 10 120 "$STAPC" -e 'probe begin {
	try { println(kernel_long(0)) } catch (e) { println(e) }
	println(user_string(0, "dflt"), " ", kernel_string(0, "k"), " ", user_long(0))
	exit()
}'
	[ "$output" = $'kernel long copy fault at 0x0 [man error::fault]\ndflt k 0' ]
}

@test "control: -c's command starts after the begin probes, which set what kernel probes read; never after a begin that exits" {
	# The begin probe takes a while before it sets g: with the command
	# released first, its exec came before and read 0 (under load, often).
	cat > "$T/order.stp" <<'EOS'
global g
probe begin { for (i = 0; i < 2000; i++) x += i; g = x }
probe kernel.trace("sched_process_exec") { if (pid() == target()) { printf("%d\n", g); exit() } }
EOS
	"$STAPC" -o "$T/order" "$T/order.stp"
	run -0 --separate-stderr timeout -k 10 120 "$T/order" -c /usr/bin/true
	[ "$output" = 1999000 ]
	# exit() in begin: the run ends, and the command never runs.
	run -0 timeout -k 10 120 "$STAPC" -e 'probe begin { exit() }' -c "touch $T/ran"
	[ ! -e "$T/ran" ]
}

@test "control: a kernel address read in the tool's own probes says it cannot be read there, not that it faulted" {
	run -0 timeout -k 10 120 "$STAPC" -e 'probe begin {
	try { println(kernel_long(0xffffffff81000000)) } catch (m) { println(m) }
	try { println(kernel_string(0)) } catch (m) { println(m) }
	exit()
}'
	[ "${lines[0]}" = "kernel memory at 0xffffffff81000000 cannot be read in begin, end or timer probes: read it in a kernel probe" ]
	[ "${lines[1]}" = "kernel string copy fault at 0x0 [man error::fault]" ]
}

# The BPF programs process $1 holds, by id.
prog_ids_of() {
	grep -h '^prog_id:' /proc/"$1"/fdinfo/* 2>/dev/null | awk '{ print $2 }' | sort -un
}

# Waits (at most a minute) until none of the programs $@ (ids) is loaded.
wait_progs_gone() {
	local i id left
	for ((i = 0; i < 600; i++)); do
		left=
		for id in "$@"; do
			bpftool prog show id "$id" >/dev/null 2>&1 && left="$left $id"
		done
		[ -z "$left" ] && return 0
		sleep 0.1
	done
	echo "programs still loaded:$left" >&2
	return 1
}

@test "control: the tool exits once its end output is out; a child detaches its probes after, and none stays" {
	# Detaching a classic tracepoint waits for a grace period: not the
	# user's wait. The test hook holds the detaching child until $T/go.
	"$STAPC" -o "$T/quick" -e '
global n
probe kernel.trace("syscalls:sys_enter_read") { n++ }
probe begin { println("ready") }
probe end { if (n >= 0) println("end") }'
	STP_TEST_DETACH_HOLD=$T/go "$T/quick" > "$T/out" 2> "$T/err" 3>&- &
	local pid=$!
	BG_PIDS=$pid
	wait_for_line "$T/out" ready
	local ids
	ids=$(prog_ids_of "$pid")
	[ -n "$ids" ]
	kill -INT "$pid"
	wait "$pid"
	[ "$(cat "$T/out")" = $'ready\nend' ]
	[ ! -s "$T/err" ]
	# The tool is gone, its programs are not yet: the child holds them.
	for id in $ids; do
		bpftool prog show id "$id" >/dev/null
	done
	touch "$T/go"
	wait_progs_gone $ids
}

@test "control: switch_file() and -S SIZE,N go on in the next output file, as stapio: FILE, FILE.1 ...; FILE.0 ... with -S, the last N kept" {
	"$STAPC" -o "$T/sw" -e 'probe begin { println("one"); switch_file(); println("still one"); exit() }
		probe end { println("two"); switch_file() } probe end { println("three") }'
	run -0 timeout -k 10 120 "$T/sw" -o "$T/out"
	[ "$(cat "$T/out")" = $'one\nstill one' ]
	[ "$(cat "$T/out.1")" = "two" ]
	[ "$(cat "$T/out.2")" = "three" ]
	run -0 timeout -k 10 120 "$T/sw" -o "$T/s" -S 1,2
	[ ! -e "$T/s.0" ] && [ ! -e "$T/s" ]
	[ "$(cat "$T/s.1")" = "two" ]
	[ "$(cat "$T/s.2")" = "three" ]
	# To stdout, nothing switches.
	run -0 timeout -k 10 120 "$T/sw"
	[ "$output" = $'one\nstill one\ntwo\nthree' ]
	run -1 "$T/sw" -o "$T/x" -S 0
	[[ "$output" == *"-S needs a whole number of at least 1, not '0'"* ]]
}
