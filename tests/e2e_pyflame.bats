#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Python stacks (issue 17): pystack() read in BPF from CPython 3.11's own
# frames, without debuginfo, and the pyflame example tool, whose folded
# stacks must show where a program with a known profile spends its time.
# Run as root on this machine's kernel, under the tests' lock; Python is
# started by full path ($PATH may hold a python3.11 shim).

load lib/common
bats_require_minimum_version 1.5.0

PY=/usr/bin/python3.11

setup_file() {
	[ "$(id -u)" = 0 ] || return 0
	mount_tracefs
	make -C "$TOP" -s O="$O" "$O/examples/pyflame" >&2
}

setup() {
	need_bpf_root
	[ -x $PY ] || skip "Debian's python3.11 is not installed"
	D=$TOP/tests/pyflame
	PYFLAME=$O/examples/pyflame
}

# check_profile FOLDED SHARE: the heaviest folded stack ends in main;hot,
# and its share of all samples is within 6 points of the share of time
# hot.py measured in hot() (about 80%); every line is `frame;...;frame N`.
check_profile() {
	local folded=$1 want total heaviest count share
	want=$(cat "$2")
	echo "folded:"; cat "$folded"; echo "hot.py measured $want% in hot()"
	[ -s "$folded" ]
	! grep -vE '^[^ ;]+(;[^ ;]+)* [0-9]+$' "$folded"
	heaviest=$(sort -k2,2nr -t' ' "$folded" | head -1)
	[[ "${heaviest% *}" == *';main;hot' ]]
	count=${heaviest##* }
	total=$(awk '{ n += $NF } END { print n }' "$folded")
	[ "$total" -ge 200 ]
	share=$((100 * count / total))
	echo "pyflame: $share% of $total samples in main;hot"
	[ "$share" -ge $((want - 6)) ] && [ "$share" -le $((want + 6)) ]
}

@test "pyflame: -c 'python3.11 hot.py': the heaviest stack is <module>;main;hot with hot()'s share" {
	run -0 --separate-stderr "$PYFLAME" -c "$PY $D/hot.py 2 $BATS_TEST_TMPDIR/share"
	printf '%s\n' "$output" > "$BATS_TEST_TMPDIR/folded"
	echo "$stderr"
	[ -z "$stderr" ]
	check_profile "$BATS_TEST_TMPDIR/folded" "$BATS_TEST_TMPDIR/share"
	[ "$(head -1 "$BATS_TEST_TMPDIR/folded" | cut -d' ' -f1)" = '<module>;main;hot' ]
	grep -qx '<module>;main;cold [0-9]*' "$BATS_TEST_TMPDIR/folded"
}

@test "pyflame: -x PID of a running python3.11 samples the same profile" {
	$PY "$D/hot.py" 3 "$BATS_TEST_TMPDIR/share" &
	local py=$! tool
	"$PYFLAME" -x "$py" > "$BATS_TEST_TMPDIR/folded" 2> "$BATS_TEST_TMPDIR/err" &
	tool=$!
	wait "$py"
	kill -INT "$tool"
	wait "$tool"
	cat "$BATS_TEST_TMPDIR/err"
	[ ! -s "$BATS_TEST_TMPDIR/err" ]
	check_profile "$BATS_TEST_TMPDIR/folded" "$BATS_TEST_TMPDIR/share"
}

@test "pystack(): each thread's own stack, also of a thread that runs without the GIL" {
	cat > "$BATS_TEST_TMPDIR/t.stp" <<'EOF2'
global n
probe perf.sw.cpu_clock.hz(199) {
	if (pid() == target())
		n[tid() == pid() ? "main" : "other", pystack()]++
}
probe end { foreach ([t, s] in n) if (n[t, s] >= 10) printf("%s %s\n", t, s) }
EOF2
	run -0 --separate-stderr "$STAPC" "$BATS_TEST_TMPDIR/t.stp" -c "$PY $D/threads.py"
	echo "$output"
	# hashing() holds no GIL most of the time: its thread is found in the interpreter's list.
	[[ "$output" == *'main <module>;hashing'* ]]
	[[ "$output" == *'other Thread._bootstrap;Thread._bootstrap_inner;Thread.run;worker'* ]]
	! grep -E '^main .*worker|^other .*hashing' <<<"$output"
}

@test "pystack(): outside the target interpreter it is empty, and without -c or -x the tool says why" {
	run -0 --separate-stderr "$STAPC" -e 'global n, e
		probe perf.sw.cpu_clock.hz(199) { if (pystack() == "") e++; n++; if (n > 50) exit() }
		probe end { printf("%d\n", e == n) }'
	[ "$output" = 1 ]
	[[ "$stderr" == *'pystack(): no Python process: run the tool with -x PID or -c '*'; Python stacks are empty'* ]]
}

@test "pystack(): an interpreter whose version the tool does not know is named, with the versions it knows" {
	# A copy named python3.99 would still say 3.11 in Py_Version: a binary with
	# _PyRuntime but no Py_Version is recognised by its name.
	printf 'char _PyRuntime[64];\nint main(void) { return 0; }\n' > "$BATS_TEST_TMPDIR/p.c"
	cc -o "$BATS_TEST_TMPDIR/python3.99" "$BATS_TEST_TMPDIR/p.c" || skip "no C compiler"
	run -0 --separate-stderr "$STAPC" -e 'probe perf.sw.cpu_clock.hz(99) { if (pystack() != "") exit() }' \
		-c "$BATS_TEST_TMPDIR/python3.99"
	[[ "$stderr" == *"pystack(): $BATS_TEST_TMPDIR/python3.99 is CPython 3.99: this tool knows the frames of CPython 3.11 only; Python stacks are empty"* ]]
}
