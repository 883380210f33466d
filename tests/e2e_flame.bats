#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Folded stacks and flame graphs (issue 17), and the JVM tools, as root on
# this machine's kernel: stacks kept as keys and named root first
# (sprint_stacks_folded), the examples profile, jvm-gc and java-calls, and
# profile's --flamegraph FILE.svg (the SVG itself: runtime_flamegraph.bats).
# Each tool is built once, in setup_file.

load lib/common
bats_require_minimum_version 1.5.0

setup_file() {
	[ "$(id -u)" = 0 ] || return 0
	mount_tracefs
	local t=$BATS_FILE_TMPDIR
	local e
	for e in profile jvm-gc java-calls; do
		# shellcheck disable=SC2046 # the flags are words
		"$STAPC" $(sed -n 's/^# stapc-flags: //p' "$TOP/examples/$e.stp") \
			-o "$t/$e" "$TOP/examples/$e.stp" >&2
	done
	# A busy C program that spends its time in hot_leaf(), called from warm_mid() and main().
	cat > "$t/hot.c" <<'EOF'
#include <stdlib.h>
volatile unsigned long sink;
__attribute__((noinline)) void hot_leaf(void) { for (int i = 0; i < 200000; i++) sink += i * 7; }
__attribute__((noinline)) void warm_mid(void) { hot_leaf(); }
int main(int argc, char **argv) { for (long i = 0; i < atol(argv[1]); i++) warm_mid(); return 0; }
EOF
	cc -O1 -fno-omit-frame-pointer -o "$t/hot" "$t/hot.c"
	if [ -x /usr/bin/javac ]; then
		mkdir -p "$t/cls"
		/usr/bin/javac -d "$t/cls" "$TOP/tests/flame/Chain.java"
	fi
}

setup() {
	[ "$(id -u)" = 0 ] || skip "the tools load BPF programs: run the tests as root"
	T=$BATS_FILE_TMPDIR
}

# The frames of the tree merged from folded lines on stdin: one per distinct
# prefix of a stack ("main", "main;a", "main;a;b" ...).
count_frames() {
	awk 'NF == 2 && $2 ~ /^[0-9]+$/ {
		n = split($1, f, ";"); p = ""
		for (i = 1; i <= n; i++) { p = p ";" f[i]; seen[p] = 1 }
	} END { print length(seen) }'
}

count_rects() {
	xmllint --xpath "count(//*[local-name()='rect'])" "$1"
}

@test "flame: profile -c names the busy program's hot function in its heaviest stack, root first" {
	run -0 --separate-stderr "$T/profile" -c "$T/hot 4000" --flamegraph "$T/p.svg"
	echo "$output" | head -5
	local top=${lines[0]}
	# "hot;[libc.so.6];main;hot_leaf 31": the process, libc's start, main, the hot leaf.
	[[ $top =~ ^hot\;.*main\;(warm_mid\;)?hot_leaf\ [0-9]+$ ]]
	# Heaviest first.
	printf '%s\n' "$output" | awk '{ print $NF }' | sort -n -r -c
	xmllint --noout "$T/p.svg"
	[ "$(count_rects "$T/p.svg")" = "$(printf '%s\n' "$output" | count_frames)" ]
	grep -q '<title>hot_leaf (' "$T/p.svg"
}

@test "flame: backtrace() and ubacktrace() are keys, folded by sprint_stack_folded and sprint_ustack_folded" {
	cat > "$T/k.stp" <<'EOF'
global k, u
probe kernel.trace("syscalls:sys_enter_getppid") {
	if (pid() == target()) { k[backtrace()]++; u[ubacktrace()]++ }
}
probe end {
	foreach (s in k) printf("k %s\n", sprint_stack_folded(s))
	foreach (s in u) printf("u %s\n", sprint_ustack_folded(s))
}
EOF
	run -0 --separate-stderr "$STAPC" "$T/k.stp" -c "/usr/bin/python3.11 -S -c 'import os; os.getppid()'"
	echo "$output"
	# Root first: the kernel stack starts at the system call's entry, the
	# user one ends in libc's getppid(), where the task entered the kernel.
	grep -qE '^k entry_SYSCALL_64[^;]*;([^;]+;)*do_syscall_64(;|$)' <<< "$output"
	grep -qE '^u ([^ ]+;)?getppid$' <<< "$output"
}

@test "flame: profile is built with its script's stapc-flags line, which its --help leaves out" {
	run -0 "$T/profile" --manifest
	[[ $output == *'"MAXSTRINGLEN": 256'* ]]
	run -0 "$T/profile" --help
	[[ ${lines[1]} == "profile - on-CPU stacks, user and kernel, sampled on every CPU, as folded lines." ]]
	[[ $output != *stapc-flags* ]]
	[[ $output == *"with MAXSTRINGLEN 256: a key holds 13 kernel and 17 user frames."* ]]
}

@test "flame: profile's folded output round-trips through flamegraph.pl" {
	command -v flamegraph.pl >/dev/null || skip "flamegraph.pl is not installed"
	run -0 --separate-stderr "$T/profile" -c "$T/hot 2000"
	printf '%s\n' "$output" | flamegraph.pl > "$T/fg.svg"
	xmllint --noout "$T/fg.svg"
	grep -q 'hot_leaf' "$T/fg.svg"
}

need_java() {
	[ -x /usr/bin/java ] || skip "no JVM: openjdk-17-jre-headless is not installed"
	[ -d "$T/cls" ] || skip "no javac: openjdk-17-jdk-headless is not installed (dist/deps test)"
}

@test "flame: jvm-gc sees System.gc()'s pause, names G1's collector and draws its histogram" {
	need_java
	run -0 --separate-stderr "$T/jvm-gc" -c "/usr/bin/java -XX:+UseG1GC -cp $T/cls Chain"
	echo "$output"
	[[ ${lines[0]} =~ ^pid\ [0-9]+:\ G1\ Old\ Generation\ pause,\ [0-9]+\ us$ ]]
	[ "${lines[1]}" = "done 6 64" ]
	[[ $output == *$'\nG1 Old Generation: 1 pauses, '*' us in all, the longest '*$' us\n'*'value |'* ]]
	# One pause in the histogram: one row with a count of 1.
	[ "$(printf '%s\n' "$output" | grep -cE '^ *[0-9]+ \|@ +1$')" = 1 ]
}

@test "flame: java-calls shows Chain's a() -> b() -> c() chain nested under main" {
	need_java
	run -0 --separate-stderr "$T/java-calls" -G only=Chain \
		-c "/usr/bin/java -XX:+ExtendedDTraceProbes -cp $T/cls Chain"
	echo "$output"
	cat > "$T/want" <<'EOF'
-> Chain.main([Ljava/lang/String;)V
 -> Chain.a(J)J
  -> Chain.b(J)J
   -> Chain.c(J)J
   <- Chain.c
  <- Chain.b
 <- Chain.a
<- Chain.main
EOF
	# thread_indent()'s "  16325 java(6970):" goes; the indentation stays.
	assert_same_file "$T/want" <(printf '%s\n' "$output" | grep -v '^done ' |
		sed -E 's/^ *[0-9]+ java\([0-9]+\)://')
}
