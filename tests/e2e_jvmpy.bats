#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Python and the JVM (issue 17), as root on this machine's kernel: the
# python and hotspot tapsets over the marks of the interpreter the tool
# finds where it runs (process.library), Python stacks, folded stacks and
# flame graphs. Programs are started by full path: $PATH may hold a
# python3.11 shim without marks.

load lib/common
bats_require_minimum_version 1.5.0

PY=/usr/bin/python3.11

setup() {
	[ "$(id -u)" = 0 ] || skip "uprobes load BPF programs: run the tests as root"
	D=$TOP/tests/jvmpy
}

need_python() {
	[ -x $PY ] || skip "Debian's python3.11 is not installed"
}

@test "jvmpy: python.* probes name functions, the collector and imports of the -c interpreter" {
	need_python
	cat > "$BATS_TEST_TMPDIR/t.stp" <<'EOF2'
probe python.function.return {
	if (funcname == "mid" || funcname == "leaf")
		printf("%s %s %s:%d\n", name, funcname, filename, lineno)
}
probe python.gc.start { if (generation == 2) printf("%s %d\n", name, generation) }
probe python.gc.done { if (collected >= 0) n++ }
probe python.import.find_load.start { if (module == "json") printf("%s %s\n", name, module) }
probe python.import.find_load.done { if (module == "json") printf("%s %s %d\n", name, module, found) }
global n
probe end { printf("gc.done seen %d\n", n > 0) }
EOF2
	run -0 --separate-stderr "$STAPC" "$BATS_TEST_TMPDIR/t.stp" -c "$PY -S $D/calls.py"
	cat > "$BATS_TEST_TMPDIR/want" <<EOF2
import.find_load.start json
import.find_load.done json 1
function.return leaf $D/calls.py:6
function.return mid $D/calls.py:10
function.return leaf $D/calls.py:6
function.return mid $D/calls.py:10
function.return leaf $D/calls.py:6
function.return mid $D/calls.py:10
gc.start 2
gc.done seen 1
EOF2
	# gc.collect() is the one full collection of this short program.
	assert_same_file "$BATS_TEST_TMPDIR/want" <(printf '%s\n' "$output" | uniq)
}

@test "jvmpy: python.* probes need the interpreter: without -c or -x the tool says so" {
	need_python
	run -1 --separate-stderr "$STAPC" -e 'probe python.gc.start { exit() }'
	[[ "$stderr" == *'probes the target process'*'run the tool with -c COMMAND or -x PID'* ]]
}

@test "jvmpy: process.library() finds the library the -c program links, and attaches before it is mapped" {
	need_python
	local libc
	libc=$(readlink -f /lib/x86_64-linux-gnu/libc.so.6)
	run -0 --separate-stderr "$STAPC" -e 'global n
		probe process.library("libc.so*").function("getpid") { if (!n++) println(pp()) }' \
		-c "$PY -S -c 'import os; os.getpid()'"
	[ "$output" = "process(\"$libc\").function(\"getpid\")" ]
}

@test "jvmpy: process.library() of a library the tool cannot find says where it looked" {
	run -1 --separate-stderr "$STAPC" -e 'probe process.library("libnothere.so").function("f") { exit() }' -c /bin/true
	[[ "$stderr" == *'cannot probe process.library("libnothere.so").function("f"): no library libnothere.so found: run the tool with -c COMMAND or -x PID of a program that uses it'* ]]
}
