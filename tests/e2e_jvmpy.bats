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

# Calls.class, compiled here: javac comes with openjdk-17-jdk-headless (dist/deps test).
need_java() {
	[ -x /usr/bin/java ] || skip "no JVM: openjdk-17-jre-headless is not installed"
	command -v javac >/dev/null || skip "no javac: openjdk-17-jdk-headless is not installed (dist/deps test)"
	CLS=$BATS_TEST_TMPDIR/cls
	mkdir -p "$CLS"
	javac -d "$CLS" "$D/Calls.java"
}

@test "jvmpy: hotspot.* probes see the JVM start, a known class load, System.gc() and the call chain" {
	need_java
	cat > "$BATS_TEST_TMPDIR/t.stp" <<'EOF2'
probe hotspot.vm_init_end { println(probestr) }
probe hotspot.class_loaded { if (class == "Calls$Known") printf("%s %s shared=%d\n", name, class, is_shared) }
probe hotspot.gc_begin { printf("%s full=%d\n", name, is_full) }
probe hotspot.method_entry, hotspot.method_return {
	if (class == "Calls") printf("%s %s.%s%s\n", name, class, method, sig)
}
probe hotspot.vm_shutdown { println(name) }
EOF2
	run -0 --separate-stderr "$STAPC" -o "$BATS_TEST_TMPDIR/t" "$BATS_TEST_TMPDIR/t.stp"
	# The JVM's own line ("done 7") is left out.
	run -0 --separate-stderr "$BATS_TEST_TMPDIR/t" -c "/usr/bin/java -XX:+ExtendedDTraceProbes -cp $CLS Calls"
	cat > "$BATS_TEST_TMPDIR/want" <<'EOF2'
vm_init_end
method_entry Calls.main([Ljava/lang/String;)V
class_loaded Calls$Known shared=0
method_entry Calls.alpha(I)I
method_entry Calls.beta(I)I
method_entry Calls.gamma(I)I
method_return Calls.gamma(I)I
method_return Calls.beta(I)I
method_return Calls.alpha(I)I
gc_begin full=1
method_return Calls.main([Ljava/lang/String;)V
vm_shutdown
EOF2
	assert_same_file "$BATS_TEST_TMPDIR/want" <(printf '%s\n' "$output" | grep -v '^done ')
}

@test "jvmpy: hotspot.jni.* probes see the java launcher create the VM and find main" {
	need_java
	run -0 --separate-stderr "$STAPC" -e 'probe hotspot.jni.CreateJavaVM.return { println(probestr) }
		probe hotspot.jni.GetStaticMethodID {
			if (user_string(name_addr) == "main") printf("%s %s%s\n", name, user_string(name_addr), user_string(sig))
		}' -c "/usr/bin/java -cp $CLS Calls"
	[ "$(printf '%s\n' "$output" | grep -v '^done ')" = 'CreateJavaVM(ret=0x0)
GetStaticMethodID main([Ljava/lang/String;)V' ]
}

@test "jvmpy: libjvm.so is found from JAVA_HOME when no JVM is named by -c or -x" {
	need_java
	local home
	home=$(dirname "$(dirname "$(readlink -f /usr/bin/java)")")
	run -0 --separate-stderr "$STAPC" -o "$BATS_TEST_TMPDIR/t" -e 'probe begin { println("ready") }
		probe hotspot.vm_init_end { println(pp()); exit() }'
	# PATH without java: only JAVA_HOME says where the JDK is.
	JAVA_HOME=$home PATH=/nonexistent "$BATS_TEST_TMPDIR/t" > "$BATS_TEST_TMPDIR/out" 2>&1 &
	local tool=$!
	# begin runs once the probes are attached: wait for its line, not for a time.
	while kill -0 $tool 2>/dev/null && ! grep -q ready "$BATS_TEST_TMPDIR/out"; do
		sleep 0.1
	done
	/usr/bin/java -cp "$CLS" Calls > /dev/null
	wait $tool
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = "ready
process(\"$home/lib/server/libjvm.so\").mark(\"vm__init__end\")" ]
}
