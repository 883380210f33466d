#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The example tools (make examples) against workloads these tests start,
# as root on this machine's kernel; and their command line.

load lib/common
bats_require_minimum_version 1.5.0

setup_file() {
	[ "$(id -u)" = 0 ] || return 0
	mount_tracefs
	make -C "$TOP" -s O="$O" examples >&2
}

setup() {
	[ "$(id -u)" = 0 ] || skip "the example tools load BPF programs: run the tests as root"
	EX=$O/examples
}

# No program of ours (probe_N) stays in the kernel, nor its links; the
# kernel frees a program shortly after its last user, so allow it a moment.
assert_nothing_attached() {
	local i
	for i in $(seq 20); do
		bpftool prog show 2>/dev/null | grep -q ' name probe_[0-9]' || return 0
		sleep 0.1
	done
	bpftool prog show | grep -A2 ' name probe_'
	return 1
}

@test "e2e: hello prints hello world and exits 0" {
	run "$EX/hello"
	[ "$status" -eq 0 ]
	[ "$output" = "hello world" ]
}

# The workloads run as -c's command, which the tool starts once its probes
# are attached: no sleep guesses how long that takes on a busy machine.

@test "e2e: killwatch names the process a SIGKILL was sent to" {
	local v=$BATS_TEST_TMPDIR/victim
	# Killed once it is sleep, not the shell it was forked as.
	"$EX/killwatch" -c "sh -c 'sleep 60 & echo \$! > $v; until grep -qx sleep /proc/\$!/comm; do :; done; kill -9 \$!; wait'" \
		> "$BATS_TEST_TMPDIR/out" 2>&1
	cat "$BATS_TEST_TMPDIR/out"
	grep -qx "SIGKILL was sent to sleep (pid:$(cat "$v")) by sh uid:0" "$BATS_TEST_TMPDIR/out"
	assert_nothing_attached
}

@test "e2e: killwatch ignores signals other than SIGKILL" {
	local v=$BATS_TEST_TMPDIR/victim
	"$EX/killwatch" -c "sh -c 'sleep 60 & echo \$! > $v; kill -TERM \$!; wait'" > "$BATS_TEST_TMPDIR/out" 2>&1
	[ -s "$v" ]
	! grep -q "pid:$(cat "$v")" "$BATS_TEST_TMPDIR/out"
}

@test "e2e: openwatch sees a file name this test opens" {
	local f=$BATS_TEST_TMPDIR/stapc-open-$$
	touch "$f"
	"$EX/openwatch" -c "cat $f" > "$BATS_TEST_TMPDIR/out" 2>&1
	grep -qx "cat: \"$f\"" "$BATS_TEST_TMPDIR/out"
}

# A reader with a name of its own, so its line is easy to find.
make_reader() {
	cp "$(command -v dd)" "$BATS_TEST_TMPDIR/$1"
	echo "$BATS_TEST_TMPDIR/$1"
}

@test "e2e: iotop-trace reports the KB a process read" {
	local rd
	rd=$(make_reader ioread)
	# The report comes every 5 s: the command outlives the first.
	"$EX/iotop-trace" -c "sh -c '$rd if=/dev/zero of=/dev/null bs=4096 count=512 2>/dev/null; sleep 6'" \
		> "$BATS_TEST_TMPDIR/out" 2>&1
	cat "$BATS_TEST_TMPDIR/out"
	head -1 "$BATS_TEST_TMPDIR/out" | grep -qE '^ +Process\s+KB Read\s+KB Written$'
	# 2 MiB from /dev/zero, and what the loader reads at start-up.
	local kb
	kb=$(awk '$1 == "ioread" { print $2 }' "$BATS_TEST_TMPDIR/out")
	[ "$kb" -ge 2048 ] && [ "$kb" -lt 2100 ]
}

@test "e2e: iotop-trace under load: 8 readers for 10 s, totals within 1%" {
	local rd
	rd=$(make_reader ioload)
	# Each reader reads 40 MiB in 64 KiB reads over about 10 s; the
	# command then outlives one more 5 s report, however long they took.
	cat > "$BATS_TEST_TMPDIR/load.sh" <<EOS
for i in 1 2 3 4 5 6 7 8; do
	(for s in \$(seq 10); do "$rd" if=/dev/zero of=/dev/null bs=65536 count=64 2>/dev/null; sleep 1; done) &
done
wait
sleep 6
EOS
	"$EX/iotop-trace" -c "sh $BATS_TEST_TMPDIR/load.sh" > "$BATS_TEST_TMPDIR/out" 2>&1
	local total expect=$((8 * 10 * 64 * 64))
	total=$(awk '$1 == "ioload" { s += $2 } END { print s + 0 }' "$BATS_TEST_TMPDIR/out")
	echo "KB read: $total, expected about $expect"
	[ $((total * 100)) -ge $((expect * 99)) ] && [ $((total * 100)) -le $((expect * 101)) ]
	assert_nothing_attached
}

@test "e2e: iotop2-trace prints its unread statistics array at exit" {
	local rd
	rd=$(make_reader iostat2)
	"$EX/iotop2-trace" -c "sh -c '$rd if=/dev/zero of=/dev/null bs=1000 count=7 2>/dev/null'" \
		> "$BATS_TEST_TMPDIR/out" 2>&1
	cat "$BATS_TEST_TMPDIR/out"
	local line
	line=$(grep '^reads\["iostat2"\] ' "$BATS_TEST_TMPDIR/out")
	[[ "$line" =~ ^reads\[\"iostat2\"\]\ @count=([0-9]+)\ @min=([0-9]+)\ @max=([0-9]+)\ @sum=([0-9]+)\ @avg=([0-9]+)$ ]]
	# The seven reads of 1000 bytes, beside the loader's own.
	[ "${BASH_REMATCH[1]}" -ge 7 ]
	[ "${BASH_REMATCH[4]}" -ge 7000 ]
}

@test "e2e: every way out leaves nothing attached: -T, SIGINT, SIGTERM, exit()" {
	"$EX/killwatch" -T 1 > /dev/null
	assert_nothing_attached
	"$EX/killwatch" > /dev/null &
	sleep 0.7
	kill -INT $!
	wait $! || true
	assert_nothing_attached
	"$EX/killwatch" > /dev/null &
	sleep 0.7
	kill -TERM $!
	wait $! || true
	assert_nothing_attached
	"$STAPC" -o "$BATS_TEST_TMPDIR/quits" -e 'probe kernel.trace("sched:sched_switch") { exit() }'
	run timeout 10 "$BATS_TEST_TMPDIR/quits"
	[ "$status" -eq 0 ]
	assert_nothing_attached
}

@test "e2e: a '!' point that attaches, even through aliases, leaves the points after it unattached" {
	# vfs.read is written this way: vfs_read where it can be probed, else
	# the syscall tracepoints; both at once would count every read twice.
	cat > "$BATS_TEST_TMPDIR/first.stp" <<'EOF'
global seen
probe a_ppid = kernel.trace("syscalls:sys_enter_getppid") { which = "getppid" }
probe a_pid = kernel.trace("syscalls:sys_enter_getpid") { which = "getpid" }
probe a_uid = kernel.trace("syscalls:sys_enter_getuid") { which = "getuid" }
probe a_gid = kernel.trace("syscalls:sys_enter_getgid") { which = "getgid" }
probe first = a_ppid !, a_pid { }
probe all = a_uid, a_gid { }
probe first, all { if (pid() == target()) seen[which]++ }
probe end { foreach (w+ in seen) printf("%s\n", w) }
EOF
	"$STAPC" -o "$BATS_TEST_TMPDIR/first" "$BATS_TEST_TMPDIR/first.stp"
	run -0 --separate-stderr timeout 20 "$BATS_TEST_TMPDIR/first" -v \
		-c '/usr/bin/python3 -c "import os; os.getpid(); os.getppid(); os.getuid(); os.getgid()"'
	[ "$output" = $'getgid\ngetppid\ngetuid' ]
	[[ "$stderr" == *'probe kernel.trace("syscalls:sys_enter_getpid"): not needed, an alternative before it attached'* ]]
	# -v is the tool's own words; libbpf's come with -vv.
	[[ "$stderr" != *libbpf:* ]]
	run -0 --separate-stderr timeout 20 "$BATS_TEST_TMPDIR/first" -vv -c true
	[[ "$stderr" == *libbpf:* ]]
	assert_nothing_attached
}

@test "e2e: -c runs the command, traces it, and stops when it exits" {
	"$STAPC" -o "$BATS_TEST_TMPDIR/t" -e 'probe kernel.trace("syscalls:sys_enter_getppid") { if (pid() == target()) printf("target %s\n", execname()) }'
	run --separate-stderr timeout 60 "$BATS_TEST_TMPDIR/t" -c '/usr/bin/python3 -c "import os; os.getppid(); os.getppid()"'
	echo "status $status: $output / $stderr"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "target python3" ]
	[ "${lines[1]}" = "target python3" ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "e2e: tools answer --help, --version, --script, --manifest" {
	run "$EX/killwatch" --help
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Usage: killwatch [OPTIONS] [ARGS...]" ]
	[[ "$output" == *"killwatch - who sends SIGKILL to whom."* ]]
	[[ "$output" == *"-T SECS"* ]]
	run "$EX/killwatch" --version
	[[ "$output" =~ ^killwatch,\ built\ by\ stapc\ [0-9.]+$ ]]
	run "$EX/killwatch" --script
	diff <(echo "$output") "$TOP/examples/kill.stp"
	run "$EX/killwatch" --manifest
	[[ "$output" == *'"tool": "killwatch"'* ]]
	[[ "$output" == *'"kernel.trace(\"signal:signal_generate\")"'* ]]
}

@test "e2e: bad command lines get one clear line" {
	run "$EX/killwatch" -T 0
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "killwatch: -T needs a whole number of at least 1, not '0'" ]
	run "$EX/killwatch" --bogus
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "killwatch: unknown option '--bogus'" ]
	run "$EX/killwatch" -T
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "killwatch: option -T needs an argument" ]
	run "$EX/killwatch" -c true -x 1
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == "killwatch: -c and -x both name the target"* ]]
}

@test "e2e: a tool run without root says what it needs" {
	command -v setpriv > /dev/null || skip "setpriv (util-linux) is not installed"
	run setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$EX/killwatch" -T 1
	[ "$status" -eq 1 ]
	[ "$output" = "killwatch: needs root, or the CAP_BPF and CAP_PERFMON capabilities, to load its BPF programs; run it with sudo" ]
}

@test "e2e: a built tool takes its script arguments when it runs" {
	"$STAPC" -o "$BATS_TEST_TMPDIR/args" -e 'probe begin { printf("%d %s\n", $1 + 1, @2); exit() }'
	run "$BATS_TEST_TMPDIR/args" 41 forty-two
	[ "$status" -eq 0 ]
	[ "$output" = "42 forty-two" ]
	run "$BATS_TEST_TMPDIR/args" 41
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "args: the script needs 2 arguments, but 1 was given" ]
}

@test "e2e: script functions in a kernel probe call each other in any order, with or without a value" {
	cat > "$BATS_TEST_TMPDIR/f.stp" <<'STP'
function show(x) { printf("show %d\n", x) }
function g:long (x:long) { return x + 1 }
function h:long (x:long) { return g(x) * 2 }
probe kernel.trace("syscalls:sys_enter_getppid") {
	if (pid() != target())
		next
	show(h(g(1)))
	exit()
}
STP
	"$STAPC" -o "$BATS_TEST_TMPDIR/f" "$BATS_TEST_TMPDIR/f.stp"
	# Three calls; exit() in the first stops the handlers after it.
	run -0 timeout 20 "$BATS_TEST_TMPDIR/f" -c '/usr/bin/python3 -c "import os; os.getppid(); os.getppid(); os.getppid()"'
	[ "$output" = "show 6" ]
}

@test "e2e: the seed's keyhack, which changes a kernel variable, is refused at compile time saying why" {
	printf 'probe kernel.function("kbd_event") {\n  # Changes m to b.\n  if ($event_code == 50) $event_code = 48\n}\n' > "$BATS_TEST_TMPDIR/keyhack.stp"
	run -1 "$STAPC" -p2 "$BATS_TEST_TMPDIR/keyhack.stp"
	[ "${lines[0]}" = "$BATS_TEST_TMPDIR/keyhack.stp:3:26: error: writing to target variable '\$event_code' needs guru mode: compile with -g" ]
	run -1 "$STAPC" -g -o "$BATS_TEST_TMPDIR/keyhack" "$BATS_TEST_TMPDIR/keyhack.stp"
	[ "${lines[0]}" = "$BATS_TEST_TMPDIR/keyhack.stp:3:26: error: BPF can read the kernel's variables but not change them: writing '\$event_code' needs a kernel module, which stapc does not build yet" ]
	[ "${#lines[@]}" -eq 3 ]
	[ ! -e "$BATS_TEST_TMPDIR/keyhack" ]
}

@test "e2e: string keys are only as wide as what indexes them: execname() 16 bytes, a built string MAXSTRINGLEN" {
	"$STAPC" -p3 -o "$BATS_TEST_TMPDIR/io" "$TOP/examples/iotop.stp"
	# reads, writes and total_io (indexed by foreach keys of the first two).
	[ "$(grep -c 'char k0\[16\];' "$BATS_TEST_TMPDIR/io/io.stp.h")" -eq 3 ]
	"$STAPC" -p3 -o "$BATS_TEST_TMPDIR/kw" "$TOP/tests/cases/p5/ok/key_widths.stp"
	grep -A1 'struct key_a ' "$BATS_TEST_TMPDIR/kw/kw.stp.h" | grep -q 'char k0\[40\];'
	grep -A1 'struct key_c ' "$BATS_TEST_TMPDIR/kw/kw.stp.h" | grep -q 'char k0\[128\];'
	grep -A1 'struct key_d ' "$BATS_TEST_TMPDIR/kw/kw.stp.h" | grep -q 'char k0\[16\];'
}

@test "e2e: pp() is the probe point as resolved, pn() as written" {
	"$STAPC" -o "$BATS_TEST_TMPDIR/pp" -e 'probe syscall.getppid { if (pid() == target()) { printf("%s|%s\n", pp(), pn()); exit() } }
		probe begin { printf("%s|%s\n", pp(), pn()) }'
	run -0 timeout 20 "$BATS_TEST_TMPDIR/pp" -c '/usr/bin/python3 -c "import os; os.getppid()"'
	[ "${lines[0]}" = "begin|begin" ]
	[ "${lines[1]}" = 'kernel.trace("syscalls:sys_enter_getppid")|syscall.getppid' ]
}

@test "e2e: an array member of a kernel struct is indexed in place: \$prev->comm[1]" {
	"$STAPC" -o "$BATS_TEST_TMPDIR/comm" -e 'probe kernel.trace("sched:sched_switch") {
		if ($prev->pid != pid() || pid() == 0) next
		printf("%d %d %s\n", $prev->comm[0], $prev->comm[1], execname())
		exit() }'
	run -0 timeout 20 "$BATS_TEST_TMPDIR/comm"
	local a b name
	read -r a b name <<< "$output"
	# The bytes of the task's name, as execname() has it.
	[ "$a" = "$(printf '%d' "'${name:0:1}")" ]
	[ "$b" = "$(printf '%d' "'${name:1:1}")" ]
}
