#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# User-space probes end to end, as root on this machine's kernel: uprobes on
# a C program with debuginfo (names and values of $$parms and $$return),
# the ls and bash examples (stripped binaries), Python's USDT marks, and
# nothing left attached on any way out.

load lib/common
bats_require_minimum_version 1.5.0

setup_file() {
	[ "$(id -u)" = 0 ] || return 0
	make -C "$TOP" -s O="$O" examples >&2
	export CALLEE_DIR=$BATS_FILE_TMPDIR/callee
	mkdir -p "$CALLEE_DIR"
	gcc -g -O1 -o "$CALLEE_DIR/callee" "$TOP/tests/uprobes/callee.c"
}

setup() {
	[ "$(id -u)" = 0 ] || skip "uprobes load BPF programs: run the tests as root"
	EX=$O/examples
	CALLEE=$CALLEE_DIR/callee
}

# No program of ours stays loaded, no uprobe link or event is left.
assert_nothing_attached() {
	local i
	for i in $(seq 30); do
		if ! bpftool prog show 2>/dev/null | grep -q ' name probe_[0-9]' &&
			! bpftool link show 2>/dev/null | grep -q 'uprobe_multi'; then
			break
		fi
		sleep 0.1
	done
	! bpftool prog show 2>/dev/null | grep ' name probe_[0-9]'
	! bpftool link show 2>/dev/null | grep 'uprobe_multi'
	local events=/sys/kernel/tracing/uprobe_events
	[ ! -s "$events" ] || { cat "$events"; return 1; }
}

# The callgraph script of the seed, on the test program's own functions.
callgraph_script() {
	cat <<EOF
probe process("$CALLEE").function("main").call, process("$CALLEE").function("t_*").call {
	log(thread_indent(1) . "=> " . probefunc() . " " . \$\$parms)
}
probe process("$CALLEE").function("main").return, process("$CALLEE").function("t_*").return {
	log(thread_indent(-1) . "<= " . probefunc() . " " . \$\$return)
}
EOF
}

@test "uprobes: callgraph of a C program: nesting, \$\$parms and \$\$return named and valued from DWARF" {
	callgraph_script > "$BATS_TEST_TMPDIR/cg.stp"
	"$STAPC" -o "$BATS_TEST_TMPDIR/cg" "$BATS_TEST_TMPDIR/cg.stp"
	run -0 "$BATS_TEST_TMPDIR/cg" -c "$CALLEE $BATS_TEST_TMPDIR/ptrs"
	echo "$output"
	# The pointers the program passed, as it saw them.
	local tag p argv
	read -r tag p argv < "$BATS_TEST_TMPDIR/ptrs"
	tag=${tag#tag=} p=${p#p=} argv=${argv#argv=}
	# The time column varies; the thread is the command's.
	local pid
	pid=$(sed -n '1s/.* callee(\([0-9]*\)):.*/\1/p' <<< "$output")
	sed 's/^ *[0-9]* //' <<< "$output" > "$BATS_TEST_TMPDIR/got"
	cat > "$BATS_TEST_TMPDIR/want" <<EOF
callee($pid):=> main argc=0x2 argv=$argv
callee($pid): => t_middle tag=$tag n=0x3 s=0xfffffffffffffffe p=$p
callee($pid):  => t_leaf x=0x3 y=0xfffffffffffffffe
callee($pid):  <= t_leaf return=0xfffffffffffffffa
callee($pid): <= t_middle return=0x2
callee($pid): => t_byvalue p={...} c=0x7a
callee($pid): <= t_byvalue 
callee($pid): => t_tiny c=0xffffffffffffffff
callee($pid): <= t_tiny return=0xff
callee($pid):<= main return=0x0
EOF
	assert_same_file "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	assert_nothing_attached
}

@test "uprobes: @entry(), \$param and \$\$parms in a return probe: the values at the entry of each site" {
	cat > "$BATS_TEST_TMPDIR/ent.stp" <<EOF
probe process("$CALLEE").function("t_leaf").return {
	printf("t_leaf x %d y %d returned %d\n", @entry(\$x), @entry(\$y), \$return)
}
probe process("$CALLEE").function("t_middle").return {
	printf("t_middle n %d ordered %d\n", @entry(\$n), @entry(gettimeofday_ns()) <= gettimeofday_ns())
}
probe process("$CALLEE").function("t_leaf").call { printf("call %s\n", \$\$parms) }
probe process("$CALLEE").function("t_leaf").return { printf("return %s\n", \$\$parms) }
EOF
	"$STAPC" -o "$BATS_TEST_TMPDIR/ent" "$BATS_TEST_TMPDIR/ent.stp"
	run -0 "$BATS_TEST_TMPDIR/ent" -c "$CALLEE"
	# t_middle(tag, 3, -2, &p) calls t_leaf(3, -2); \$\$parms in the return
	# is what it was at the call.
	[ "$(grep -v '^call \|^return ' <<<"$output")" = $'t_leaf x 3 y -2 returned -6\nt_middle n 3 ordered 1' ]
	[[ "$(grep '^call ' <<<"$output")" == "call x=0x3 y="* ]]
	[ "$(sed -n 's/^return //p' <<<"$output")" = "$(sed -n 's/^call //p' <<<"$output")" ]
	# Without @entry(), a parameter in a return probe is its value at the
	# entry too, as in stap.
	cat > "$BATS_TEST_TMPDIR/snap.stp" <<EOF
probe process("$CALLEE").function("t_leaf").return { printf("%d %d %d\\n", \$x, \$y, \$return) }
EOF
	"$STAPC" -o "$BATS_TEST_TMPDIR/snap" "$BATS_TEST_TMPDIR/snap.stp"
	run -0 "$BATS_TEST_TMPDIR/snap" -c "$CALLEE"
	[ "$output" = "3 -2 -6" ]
	assert_nothing_attached
}

@test "uprobes: pp() names the declaration from DWARF; probefunc() and ppfunc() the function" {
	local line
	line=$(grep -n '^PROBED long t_leaf' "$TOP/tests/uprobes/callee.c" | cut -d: -f1)
	run -0 "$STAPC" -e "probe process(\"$CALLEE\").function(\"t_leaf\").call { printf(\"%s|%s|%s\\n\", pp(), probefunc(), ppfunc()) }
		probe process(\"$CALLEE\").function(\"t_tiny\").return { printf(\"%s|%d|%d\\n\", pp(), \$return, is_return()) }" \
		-c "$CALLEE"
	[ "${lines[0]}" = "process(\"$CALLEE\").function(\"t_leaf@$TOP/tests/uprobes/callee.c:$line\").call|t_leaf|t_leaf" ]
	[[ "${lines[1]}" == "process(\"$CALLEE\").function(\"t_tiny@$TOP/tests/uprobes/callee.c:"*"\").return|255|1" ]]
}

@test "uprobes: named parameters are read from their registers, typed from DWARF" {
	run -0 "$STAPC" -e "probe process(\"$CALLEE\").function(\"t_middle\") { printf(\"%s %d %d %d\\n\", user_string(\$tag), \$n, \$s, user_int(\$p)) }
		probe process(\"$CALLEE\").function(\"t_tiny\") { println(\$c) }" -c "$CALLEE"
	[ "${lines[0]}" = "tag 3 -2 5" ]
	[ "${lines[1]}" = "-1" ]
}

@test "uprobes: a tool follows another build of its binary; a pattern it no longer finds is an error" {
	cp "$CALLEE" "$BATS_TEST_TMPDIR/prog"
	"$STAPC" -o "$BATS_TEST_TMPDIR/t" -e "probe process(\"$BATS_TEST_TMPDIR/prog\").function(\"t_l*\") { println(probefunc()) }"
	# The same functions at other addresses: built without optimisation.
	gcc -g -O0 -o "$BATS_TEST_TMPDIR/prog" "$TOP/tests/uprobes/callee.c"
	run -0 "$BATS_TEST_TMPDIR/t" -c "$BATS_TEST_TMPDIR/prog"
	[ "$output" = "t_leaf" ]
	sed 's/t_leaf/t_other/g' "$TOP/tests/uprobes/callee.c" > "$BATS_TEST_TMPDIR/other.c"
	gcc -g -O1 -o "$BATS_TEST_TMPDIR/prog" "$BATS_TEST_TMPDIR/other.c"
	run -1 "$BATS_TEST_TMPDIR/t" -c "$BATS_TEST_TMPDIR/prog"
	[ "$output" = "t: cannot probe process(\"$BATS_TEST_TMPDIR/prog\").function(\"t_l*\"): no function matches \"t_l*\" in $BATS_TEST_TMPDIR/prog" ]
	assert_nothing_attached
}

@test "uprobes: \$NAME on a binary without debuginfo stops the tool at start-up, saying why" {
	cp "$CALLEE" "$BATS_TEST_TMPDIR/prog"
	"$STAPC" -o "$BATS_TEST_TMPDIR/t" -e "probe process(\"$BATS_TEST_TMPDIR/prog\").function(\"t_leaf\") { println(\$x) }"
	strip -g "$BATS_TEST_TMPDIR/prog"
	run -1 "$BATS_TEST_TMPDIR/t" -c "$BATS_TEST_TMPDIR/prog"
	[[ "$output" == *"\$x needs debuginfo, and $BATS_TEST_TMPDIR/prog has none for t_leaf"* ]]
}

@test "uprobes: bare process.function probes the -c command's program, and needs one" {
	run -0 "$STAPC" -e 'probe process.function("t_tiny").return { println(probefunc(), " ", $$return) }' -c "$CALLEE"
	[ "$output" = "t_tiny return=0xff" ]
	run -1 "$STAPC" -e 'probe process.function("t_tiny") { println(probefunc()) }' -T 1
	[[ "$output" == *"run the tool with -c COMMAND or -x PID"* ]]
}

@test "uprobes: compile-time errors name the probe point and say why" {
	run -1 "$STAPC" -p2 -e 'probe process("/bin/ls").function("no_such_fn") {}'
	[[ "${lines[0]}" == *'error: no function matches "no_such_fn" in /usr/bin/ls'* ]]
	run -1 "$STAPC" -p2 -e 'probe process("no-such-program-here").function("*") {}'
	[[ "${lines[0]}" == *'error: cannot find executable "no-such-program-here" on $PATH: its program is not installed on this build host'* ]]
	run -1 "$STAPC" -p2 -e "probe process(\"$CALLEE\").function(\"t_leaf\").inline {}"
	[[ "${lines[0]}" == *"error: .inline probes need the binary's DWARF inline instances"* ]]
	# Relative names are looked up on $PATH, and symlinks resolved, as stap does.
	run -0 "$STAPC" -p2 -e 'probe process("ls").function("_obstack_free") {}'
	[[ "$output" == *'process("/usr/bin/ls").function("_obstack_free")'* ]]
}

@test "uprobes: ls-callgraph warns once that ls is stripped, and traces what it exports" {
	run -0 --separate-stderr "$EX/ls-callgraph" -c "ls -lD $TOP/tests"
	echo "$stderr"
	local n
	n=$(readelf --dyn-syms -W /usr/bin/ls | awk '$4 == "FUNC" && $7 != "UND"' | wc -l)
	[ "$stderr" = "WARNING: /usr/bin/ls is stripped: only the $n functions it exports can be probed, and without debuginfo their parameters are not known (\$\$parms and \$\$return are empty)" ]
	# ls --dired keeps its output in an obstack.
	grep -qE '^ +[0-9]+ ls\([0-9]+\):=> _obstack_begin $' <<< "$output"
	grep -qE '^ +[0-9]+ ls\([0-9]+\):<= _obstack_begin $' <<< "$output"
	assert_nothing_attached
}

@test "uprobes: ls-libcalls shows the library calls of a directory listing, nested" {
	mkdir -p "$BATS_TEST_TMPDIR/d"
	touch "$BATS_TEST_TMPDIR/d/b" "$BATS_TEST_TMPDIR/d/a"
	run -0 "$EX/ls-libcalls" -c "ls $BATS_TEST_TMPDIR/d"
	sed 's/^ *[0-9]* [^:]*://' <<< "$output" > "$BATS_TEST_TMPDIR/calls"
	grep -qx '=> opendir' "$BATS_TEST_TMPDIR/calls"
	grep -qx '=> readdir' "$BATS_TEST_TMPDIR/calls"
	grep -qx '<= closedir' "$BATS_TEST_TMPDIR/calls"
	# Every call is followed by its return at the same depth.
	awk '/=> / { d++ } /<= / { d-- } d < 0 { exit 1 } END { exit d != 0 }' "$BATS_TEST_TMPDIR/calls"
	# ls printed the listing itself.
	grep -qx 'a' <<< "$output"
}

@test "uprobes: bash-callgraph attaches every exported function of bash and detaches them all" {
	local n
	n=$(readelf --dyn-syms -W /usr/bin/bash | awk '$4 == "FUNC" && $7 != "UND" { print $2 }' | sort -u | wc -l)
	# bash writes to a file of its own: in the shared pipe its line could
	# land in the middle of one of the tool's, which it buffers.
	run -0 --separate-stderr "$EX/bash-callgraph" -v -c "/usr/bin/bash -c 'echo hi > $BATS_TEST_TMPDIR/said'"
	[[ "$stderr" == *"probe process(\"/usr/bin/bash\").function(\"*\").call: $n sites attached"* ]]
	grep -qE '^ +[0-9]+ bash\([0-9]+\): *=> xmalloc$' <<< "$output"
	[ "$(cat "$BATS_TEST_TMPDIR/said")" = hi ]
	assert_nothing_attached
}

@test "uprobes: pyflow shows Python's returns with function, file and line" {
	[ -x /usr/bin/python3.11 ] || skip "Debian's python3.11 is not installed"
	local py=$TOP/tests/uprobes/flow.py
	run -0 "$EX/pyflow" -c "/usr/bin/python3.11 -S $py"
	grep -F "in $py:" <<< "$output" | sed 's/^ *[0-9]* [^:]*: *//' > "$BATS_TEST_TMPDIR/got"
	# Python 3.11 fires function__entry only for frames entered from C,
	# none of these; every frame's return is there, innermost first.
	cat > "$BATS_TEST_TMPDIR/want" <<EOF
<= Box in $py:6
<= inner in $py:2
<= outer in $py:4
<= __init__ in $py:7
<= <module> in $py:8
EOF
	assert_same_file "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	assert_nothing_attached
}

@test "uprobes: \$argN of a USDT mark and a mark name with dashes" {
	[ -x /usr/bin/python3.11 ] || skip "Debian's python3.11 is not installed"
	run -0 "$STAPC" -e 'probe process("/usr/bin/python3.11").mark("function-return") { if (user_string($arg2) == "inner") printf("%s %s %d\n", pp(), user_string($arg1), $arg3) }' \
		-c "/usr/bin/python3.11 -S $TOP/tests/uprobes/flow.py"
	[ "$output" = "process(\"/usr/bin/python3.11\").mark(\"function__return\") $TOP/tests/uprobes/flow.py 2" ]
}

@test "uprobes: every way out detaches: the command ends, -T, SIGINT, SIGTERM, the command killed" {
	callgraph_script > "$BATS_TEST_TMPDIR/cg.stp"
	"$STAPC" -o "$BATS_TEST_TMPDIR/cg" "$BATS_TEST_TMPDIR/cg.stp"
	"$BATS_TEST_TMPDIR/cg" -c "$CALLEE" > /dev/null
	assert_nothing_attached
	"$EX/bash-callgraph" -T 1 > /dev/null
	assert_nothing_attached
	local sig
	for sig in INT TERM; do
		"$EX/bash-callgraph" > /dev/null &
		local tool=$!
		sleep 1
		kill -"$sig" "$tool"
		wait "$tool" || true
		assert_nothing_attached
	done
	"$EX/bash-callgraph" -c "sleep 30" > /dev/null &
	local tool=$!
	sleep 1
	pkill -KILL -P "$tool" sleep
	wait "$tool" || true
	assert_nothing_attached
}

@test "uprobes: statement(\"func@file:line\") fires at that line, found in the target's line table" {
	local line
	line=$(grep -n 'return x \* y;' "$TOP/tests/uprobes/callee.c" | cut -d: -f1)
	run -0 "$STAPC" -e "probe process(\"$CALLEE\").statement(\"t_leaf@callee.c:$line\") { printf(\"%s %s\\n\", pp(), probefunc()) }" -c "$CALLEE"
	[ "$output" = "process(\"$CALLEE\").statement(\"t_leaf@$TOP/tests/uprobes/callee.c:$line\") t_leaf" ]
	run -1 "$STAPC" -e "probe process(\"$CALLEE\").statement(\"t_leaf@callee.c:1\") { }" -c "$CALLEE"
	[[ "$output" == *"no code of callee.c:1 in t_leaf in $CALLEE" ]]
	run -1 "$STAPC" -p2 -e "probe process(\"$CALLEE\").statement(\"t_leaf@callee.c\") { }"
	[[ "$output" == *'write statement("FUNCTION@FILE:LINE")'* ]]
}

@test "uprobes: process(\"PATH\").begin and .end fire in the processes running PATH, only those" {
	# A program of its own: nothing else on the machine runs it meanwhile.
	cp /usr/bin/true "$BATS_TEST_TMPDIR/other"
	run -0 "$STAPC" -e "probe process(\"$CALLEE\").begin { printf(\"begin %s %d\\n\", execname(), pid() == target()) }
		probe process(\"$CALLEE\").end { printf(\"end %s %d\\n\", pp(), pid() == target()) }
		probe process(\"$BATS_TEST_TMPDIR/other\").begin { println(\"not this one\") }" -c "$CALLEE"
	[ "${lines[0]}" = "begin callee 1" ]
	[ "${lines[1]}" = "end process(\"$CALLEE\").end 1" ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "uprobes: a shared library's functions, by any of their names" {
	local libc
	libc=$(readlink -f /lib/x86_64-linux-gnu/libc.so.6)
	run -0 "$STAPC" -e 'global n
		probe process("/lib/x86_64-linux-gnu/libc.so.6").function("malloc") { if (pid() == target()) n++ }
		probe process("/lib/x86_64-linux-gnu/libc.so.6").function("opendir").return { if (pid() == target()) println(pp()) }
		probe end { printf("malloc called: %d\n", n > 0) }' -c "ls $TOP"
	[[ "$output" == *"process(\"$libc\").function(\"opendir\").return"* ]]
	[[ "$output" == *"malloc called: 1"* ]]
}

@test "uprobes: usymname, usymdata, umodname and backtraces name the task's code, even after it exited" {
	run -0 "$STAPC" -e "probe process(\"$CALLEE\").function(\"t_leaf\") {
		printf(\"%s|%s|%s\\n\", usymname(uaddr()), usymdata(uaddr()), umodname(uaddr()))
		print_ubacktrace()
		printf(\"[%s]\\n\", sprint_ubacktrace())
		printf(\"[%s]\\n\", ucallers(1))
	}" -c "$CALLEE"
	local size addr
	size=$(readelf -sW "$CALLEE" | awk '$8 == "t_leaf" { print $3 }')
	[ "${lines[0]}" = "t_leaf|t_leaf+0x0/0x$(printf %x "$size") [$CALLEE]|callee" ]
	[[ "${lines[1]}" =~ ^\ 0x([0-9a-f]+)\ :\ t_leaf\+0x0/0x[0-9a-f]+\ \[$CALLEE\]$ ]]
	addr=${BASH_REMATCH[1]}
	[ "${lines[2]}" = "[t_leaf+0x0/0x$(printf %x "$size") [$CALLEE]" ]
	[ "${lines[4]}" = "[0x$addr ]" ]
}

@test "uprobes: a process path with wildcards is globbed where the tool runs; Fedora's library paths find Debian's multiarch copies" {
	# Two spellings of libc: a glob in its real folder, and the example
	# scripts' /lib*/libc.so.6, which on Debian only its multiarch folder holds.
	cat > "$BATS_TEST_TMPDIR/libc.stp" <<'EOS'
probe process("/usr/lib/x86_64-linux-gnu/libc.so*").function("getpid") {
	if (pid() == target()) printf("glob %s\n", pp())
}
probe process("/lib*/libc.so.6").function("getpid") {
	if (pid() == target()) printf("fedora %s\n", probefunc())
}
EOS
	run "$STAPC" -p2 "$BATS_TEST_TMPDIR/libc.stp"
	[ "$status" -eq 0 ]
	# The probe keeps its pattern: the tool expands it.
	[[ "$output" == *'process("/usr/lib/x86_64-linux-gnu/libc.so*").function("getpid")'* ]]
	[ "$(grep -c "matches nothing here; using Debian's multiarch folder instead (/usr/lib/x86_64-linux-gnu/libc.so.6)" <<< "$output")" -eq 1 ]
	"$STAPC" -w -o "$BATS_TEST_TMPDIR/libc" "$BATS_TEST_TMPDIR/libc.stp"
	run -0 --separate-stderr "$BATS_TEST_TMPDIR/libc" -c "/usr/bin/python3.11 -c 'import os; os.getpid()'"
	# pp() names the file the glob matched, as stap's does.
	[[ "$output" == *'glob process("/usr/lib/x86_64-linux-gnu/libc.so.6").function("getpid")'* ]]
	[[ "$output" == *"fedora getpid"* ]]
	# A name the build host's matches lack is a warning (the target's copy may
	# have it); the tool that finds it in none of its matches stops, saying so.
	run -0 --separate-stderr "$STAPC" -o "$BATS_TEST_TMPDIR/nofn" -e 'probe process("/usr/lib/x86_64-linux-gnu/libc.so*").function("no_such_fn") { }'
	[[ "$stderr" == *'warning: no function matches "no_such_fn" in /usr/lib/x86_64-linux-gnu/libc.so.6 on this build host; the tool looks again in what "/usr/lib/x86_64-linux-gnu/libc.so*" matches where it runs'* ]]
	run -1 --separate-stderr "$BATS_TEST_TMPDIR/nofn" -T 1
	[ "$stderr" = 'nofn: cannot probe process("/usr/lib/x86_64-linux-gnu/libc.so*").function("no_such_fn"): no function matches "no_such_fn" in /usr/lib/x86_64-linux-gnu/libc.so.6' ]
	# A full path that is nowhere is still stap's error.
	run -1 "$STAPC" -p2 -e 'probe process("/nonexistent/x").function("f") { }'
	[[ "$output" == *'cannot find executable "/nonexistent/x": its program is not installed on this build host'* ]]
	# A full path the build host has and the tool's host lacks: no such file.
	cp "$CALLEE" "$BATS_TEST_TMPDIR/gone"
	"$STAPC" -o "$BATS_TEST_TMPDIR/gonet" -e "probe process(\"$BATS_TEST_TMPDIR/gone\").function(\"t_leaf\") { }"
	rm "$BATS_TEST_TMPDIR/gone"
	run -1 --separate-stderr "$BATS_TEST_TMPDIR/gonet" -T 1
	[ "$stderr" = "gonet: cannot probe process(\"$BATS_TEST_TMPDIR/gone\").function(\"t_leaf\"): $BATS_TEST_TMPDIR/gone: No such file or directory" ]
}

@test "uprobes: a glob the build host cannot match is matched where the tool runs: each match attached, pp() names it; no match is one line" {
	local g=$BATS_TEST_TMPDIR/g
	run -0 --separate-stderr "$STAPC" -o "$BATS_TEST_TMPDIR/t" \
		-e "probe process(\"$g/*/callee*\").function(\"t_leaf\") { printf(\"%s %d\\n\", pp(), \$x) }"
	[[ "$stderr" == *"warning: no file matches \"$g/*/callee*\" on this build host: the tool looks for it where it runs"* ]]
	# Made after the build: the tool finds it.
	mkdir -p "$g/a" "$g/b"
	cp "$CALLEE" "$g/a/callee"
	run -0 --separate-stderr "$BATS_TEST_TMPDIR/t" -c "$g/a/callee"
	[[ "$output" == "process(\"$g/a/callee\").function(\"t_leaf@"*"callee.c:17\") 3" ]]
	[ "${#lines[@]}" -eq 1 ]
	# Two matches, each attached and named; the same program elsewhere is not one.
	cp "$CALLEE" "$g/b/callee2"
	run -0 --separate-stderr "$BATS_TEST_TMPDIR/t" -c "sh -c '$g/b/callee2; $CALLEE; $g/a/callee'"
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" == "process(\"$g/b/callee2\").function(\"t_leaf@"*"callee.c:17\") 3" ]]
	[[ "${lines[1]}" == "process(\"$g/a/callee\").function(\"t_leaf@"*"callee.c:17\") 3" ]]
	assert_nothing_attached
	# None: one line, and the tool stops.
	rm -r "$g"
	run -1 --separate-stderr "$BATS_TEST_TMPDIR/t" -c "$CALLEE"
	[ "$output" = "" ]
	[ "$stderr" = "t: cannot probe process(\"$g/*/callee*\").function(\"t_leaf\"): no file matches \"$g/*/callee*\"" ]
	assert_nothing_attached
}

@test "uprobes: a globbed path's marks and statements are found in each match where the tool runs" {
	[ -x /usr/bin/python3.11 ] || skip "Debian's python3.11 is not installed"
	local py=$BATS_TEST_TMPDIR/py flow=$TOP/tests/uprobes/flow.py line
	"$STAPC" -w -o "$BATS_TEST_TMPDIR/marks" -e "probe process(\"$py/*/python3*\").mark(\"function__return\") {
		if (user_string(\$arg2) == \"inner\") println(pp()) }"
	mkdir -p "$py/a" "$py/b"
	cp /usr/bin/python3.11 "$py/a/"
	cp /usr/bin/python3.11 "$py/b/python3"
	run -0 --separate-stderr "$BATS_TEST_TMPDIR/marks" -c "sh -c '$py/a/python3.11 -S $flow; $py/b/python3 -S $flow'"
	[ "${lines[0]}" = "process(\"$py/a/python3.11\").mark(\"function__return\")" ]
	[ "${lines[1]}" = "process(\"$py/b/python3\").mark(\"function__return\")" ]
	[ "${#lines[@]}" -eq 2 ]
	# A statement: from each match's line table.
	line=$(grep -n 'return x \* y;' "$TOP/tests/uprobes/callee.c" | cut -d: -f1)
	"$STAPC" -w -o "$BATS_TEST_TMPDIR/stmt" -e "probe process(\"$BATS_TEST_TMPDIR/s*/callee\").statement(\"t_leaf@callee.c:$line\") { println(pp()) }"
	mkdir -p "$BATS_TEST_TMPDIR/s1"
	cp "$CALLEE" "$BATS_TEST_TMPDIR/s1/"
	run -0 --separate-stderr "$BATS_TEST_TMPDIR/stmt" -c "$BATS_TEST_TMPDIR/s1/callee"
	[ "$output" = "process(\"$BATS_TEST_TMPDIR/s1/callee\").statement(\"t_leaf@$TOP/tests/uprobes/callee.c:$line\")" ]
	assert_nothing_attached
}
