#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The stapc command line as far as pass 1: inputs, options, targets, errors.

load lib/common
bats_require_minimum_version 1.5.0

@test "p1 cli: -e takes the script text and names it <input>" {
	run "$STAPC_ASAN" -p1 -e 'probe begin { exit() }'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "# parse tree dump" ]
	[ "${lines[1]}" = "# file <input>" ]
	[ "${lines[2]}" = "probe begin{" ]
	[ "${lines[3]}" = "exit();" ]
}

@test "p1 cli: '-' reads the script from stdin" {
	run bash -c "echo 'probe end { x = 1 }' | '$STAPC_ASAN' -p1 -"
	[ "$status" -eq 0 ]
	[ "${lines[2]}" = "probe end{" ]
	[ "${lines[3]}" = "(x) = (1);" ]
}

@test "p1 cli: script arguments after the script become \$1 and @2" {
	run "$STAPC_ASAN" -p1 -e 'probe begin { x = $1 + 1; y = @2 }' 41 forty
	[ "$status" -eq 0 ]
	[ "${lines[3]}" = "(x) = ((41) + (1));" ]
	[ "${lines[4]}" = '(y) = ("forty");' ]
}

@test "p1 cli: a missing script file is one clear line and exit 1" {
	run "$STAPC_ASAN" -p1 /nonexistent/x.stp
	[ "$status" -eq 1 ]
	[ "$output" = "stapc: cannot read script /nonexistent/x.stp: No such file or directory" ]
}

@test "p1 cli: a directory is not a script" {
	run "$STAPC_ASAN" -p1 /tmp
	[ "$status" -eq 1 ]
	[ "$output" = "stapc: /tmp is a directory, not a script" ]
}

@test "p1 cli: no script at all" {
	run "$STAPC_ASAN" -p1
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "stapc: no script given: name a file, or use -e 'SCRIPT'" ]
	[ "${lines[1]}" = "Try 'stapc --help' for more information." ]
}

@test "p1 cli: unknown options and bad values are rejected" {
	run "$STAPC_ASAN" -Q -e 'probe begin {}'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "stapc: unknown option -Q" ]
	run "$STAPC_ASAN" --frobnicate -e 'probe begin {}'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "stapc: unknown option '--frobnicate'" ]
	run "$STAPC_ASAN" -p 9 -e 'probe begin {}'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "stapc: option -p needs a number from 1 to 5, not '9'" ]
	run "$STAPC_ASAN" -p1 -e
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "stapc: option -e needs an argument" ]
	run "$STAPC_ASAN" -p1 -D NOEQUALS -e 'probe begin {}'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "stapc: option -D needs NAME=VALUE, not 'NOEQUALS'" ]
}

@test "p1 cli: --help explains usage and --version names the language level" {
	run "$STAPC_ASAN" --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "Usage: stapc [OPTIONS] SCRIPT.stp [ARGS...]"* ]]
	[[ "$output" == *"-p NUM "* ]]
	[[ "$output" == *"-o FILE "* ]]
	run "$STAPC_ASAN" --version
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^stapc\ [0-9]+\.[0-9]+\.[0-9]+\ \(SystemTap\ 4\.8\ language\)$ ]]
}

@test "p1 cli: errors go to stderr, nothing to stdout, exit 1" {
	run --separate-stderr "$STAPC_ASAN" -p1 -e 'probe begin { x = }'
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = "<input>:1:19: error: expected an expression, but found '}'" ]
}

@test "p1 cli: -r DIR and -r RELEASE decide kernel_v; -a decides arch" {
	script='probe begin { v = %( kernel_v >= "6.1" %? "new" %: "old" %); a = %( arch == "arm64" %? 1 %: 0 %) }'
	run "$STAPC_ASAN" -p1 -r "$TARGET_TREE" -a arm64 -e "$script"
	[ "$status" -eq 0 ]
	[ "${lines[3]}" = '(v) = ("new");' ]
	[ "${lines[4]}" = "(a) = (1);" ]
	run "$STAPC_ASAN" -p1 -r 5.10.0-9-amd64 -e "$script"
	[ "$status" -eq 0 ]
	[ "${lines[3]}" = '(v) = ("old");' ]
}

@test "p1 cli: CONFIG_ conditions read the target tree's .config" {
	run "$STAPC_ASAN" -p1 -r "$TARGET_TREE" -e 'probe begin { a = %( CONFIG_MODULES == "y" %? 1 %: 0 %); b = %( CONFIG_HZ > 100 %? 1 %: 0 %); c = %( CONFIG_LOCALVERSION == "-test" %? 1 %: 0 %); d = %( CONFIG_NOPE == "y" %? 1 %: 0 %) }'
	[ "$status" -eq 0 ]
	[ "${lines[3]}" = "(a) = (1);" ]
	[ "${lines[4]}" = "(b) = (1);" ]
	[ "${lines[5]}" = "(c) = (1);" ]
	[ "${lines[6]}" = "(d) = (0);" ]
}

@test "p1 cli: guru_mode and --runtime are seen by conditionals" {
	run "$STAPC_ASAN" -p1 -e 'probe begin { g = %( guru_mode == 1 %? 1 %: 0 %); r = %( runtime == "bpf" %? 1 %: 0 %) }'
	[ "${lines[3]}" = "(g) = (0);" ]
	[ "${lines[4]}" = "(r) = (0);" ]
	run "$STAPC_ASAN" -p1 -g --runtime=bpf -e 'probe begin { g = %( guru_mode == 1 %? 1 %: 0 %); r = %( runtime == "bpf" %? 1 %: 0 %) }'
	[ "${lines[3]}" = "(g) = (1);" ]
	[ "${lines[4]}" = "(r) = (1);" ]
}

@test "p1 cli: -I DIR adds a macro library (.stpm) before the built-in one" {
	mkdir -p "$BATS_TEST_TMPDIR/lib"
	echo '@define triple(x) %( (@x) * 3 %)' > "$BATS_TEST_TMPDIR/lib/mine.stpm"
	run "$STAPC_ASAN" -p1 -I "$BATS_TEST_TMPDIR/lib" -e 'probe begin { x = @triple(2) }'
	[ "$status" -eq 0 ]
	[ "${lines[3]}" = "(x) = ((2) * (3));" ]
}

@test "p1 cli: a macro library may hold only @define" {
	mkdir -p "$BATS_TEST_TMPDIR/lib"
	printf '@define ok %%( 1 %%)\nprobe begin { }\n' > "$BATS_TEST_TMPDIR/lib/bad.stpm"
	run "$STAPC_ASAN" -p1 -I "$BATS_TEST_TMPDIR/lib" -e 'probe begin { x = @ok }'
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == *"/lib/bad.stpm:2:1: error: a macro library (.stpm) may only hold @define" ]]
}

@test "p1 cli: embedded C is accepted with -g" {
	run "$STAPC_ASAN" -p1 -e 'function f() %{ STAP_RETURN(1); %} probe begin { f() }'
	[ "$status" -eq 1 ]
	run "$STAPC_ASAN" -p1 -g -e 'function f() %{ STAP_RETURN(1); %} probe begin { f() }'
	[ "$status" -eq 0 ]
	[ "${lines[5]}" = "function f ()" ]
	[ "${lines[6]}" = "%{ STAP_RETURN(1); %}" ]
}

@test "p1 cli: inputs the fuzzer once crashed on are handled" {
	shopt -s nullglob
	local n=0
	for f in "$TOP"/tests/fuzz/regressions/*; do
		# As far as the fuzzer goes: elaboration and translation to C.
		run timeout 120 "$STAPC_ASAN" -p3 -g "$f"
		# A clean diagnosis (1) or C code (0); never a crash or a hang.
		[ "$status" -eq 0 ] || [ "$status" -eq 1 ] || { echo "$f: status $status"; echo "$output"; return 1; }
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || skip "no fuzzer regressions recorded yet"
}

@test "p1 cli: -p3 -o DIR writes the tool's sources and its man page (templates/tool.1.in)" {
	run "$STAPC_ASAN" -p3 -o "$BATS_TEST_TMPDIR/killwatch" "$TOP/examples/kill.stp"
	[ "$status" -eq 0 ]
	page=$BATS_TEST_TMPDIR/killwatch/killwatch.1
	[ -f "$BATS_TEST_TMPDIR/killwatch/killwatch.c" ]
	grep -qx '.TH KILLWATCH 1 "" "stapc [0-9.]*" "stapc tools"' "$page"
	grep -qx 'killwatch \\- who sends SIGKILL to whom' "$page"
	grep -q 'script \\fIkill.stp\\fR' "$page"
	! grep -q '@[A-Z_]*@' "$page"
	if command -v groff >/dev/null; then
		run groff -man -Tutf8 -ww -z "$page"
		[ "$status" -eq 0 ]
		[ -z "$output" ]
	fi
}

@test "p1 cli: -p3 -o DIR writes the manifest, whose helper features come from the code generated" {
	d=$BATS_TEST_TMPDIR
	printf 'probe syscall.openat { printf("%%s\\n", user_string($filename)) }\n' >"$d/u.stp"
	printf 'probe kernel.trace("sched_process_exec") { printf("%%d\\n", kernel_int($p)) }\n' >"$d/k.stp"
	printf 'probe timer.s(1) { println("tick") }\n' >"$d/t.stp"
	for s in u k t; do
		run "$STAPC_ASAN" -p3 -o "$d/$s" "$d/$s.stp"
		[ "$status" -eq 0 ]
		python3 -m json.tool "$d/$s/$s.manifest.json" >/dev/null
	done
	req() { python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["kernel_features"]["required"]))' "$1"; }
	[[ " $(req "$d/u/u.manifest.json") " == *" probe_read_user "* ]]
	[[ " $(req "$d/u/u.manifest.json") " != *" probe_read_kernel "* ]]
	[[ " $(req "$d/k/k.manifest.json") " == *" probe_read_kernel "* ]]
	[[ " $(req "$d/k/k.manifest.json") " != *" probe_read_user "* ]]
	# A tool with no BPF side needs no kernel feature.
	[ "$(req "$d/t/t.manifest.json")" = "" ]
	! grep -q '@[A-Z_0-9]*@' "$d/u/u.manifest.json"
}

@test "p1 cli: -w hides warnings, -W makes them errors" {
	local script='global unused; probe begin { exit() }'
	run "$STAPC_ASAN" -p2 -e "$script"
	[ "$status" -eq 0 ]
	[[ "$output" == *"warning: global 'unused' is never used"* ]]
	run "$STAPC_ASAN" -p2 -w -e "$script"
	[ "$status" -eq 0 ]
	[[ "$output" != *warning* ]]
	run "$STAPC_ASAN" -p2 -W -e "$script"
	[ "$status" -eq 1 ]
	[[ "$output" == *"error: global 'unused' is never used"* ]]
	run "$STAPC_ASAN" -p2 -w -W -e "$script"
	[ "$status" -eq 1 ]
}

@test "p1 cli: --compatible=VERSION is the systemtap_v that conditionals compare" {
	local script='probe begin { %( systemtap_v >= "4.1" %? println("new") %: println("old") %) }'
	run "$STAPC_ASAN" -p1 -e "$script"
	[ "$status" -eq 0 ]
	[[ "$output" == *'println("new")'* ]]
	run "$STAPC_ASAN" -p1 --compatible=4.0 -e "$script"
	[ "$status" -eq 0 ]
	[[ "$output" == *'println("old")'* ]]
	run "$STAPC_ASAN" -p1 --compatible=new -e "$script"
	[ "$status" -eq 1 ]
	[[ "$output" == *"--compatible needs a version such as 4.8, not 'new'"* ]]
}

@test "p1 cli: -v says each pass's wall time" {
	run --separate-stderr -0 "$STAPC_ASAN" -v -p3 -e 'probe begin { exit() }'
	# In order, whatever else -v says between them (the backend chosen ...).
	[ "$(grep -E '^Pass [0-9]:' <<< "$stderr" | sed -E 's/[0-9]+\.[0-9] ms$/T ms/')" = \
		"$(printf 'Pass 1: parsed in T ms\nPass 2: elaborated in T ms\nPass 3: translated in T ms')" ]
	# Without -v, not a word.
	run --separate-stderr -0 "$STAPC_ASAN" -p3 -e 'probe begin { exit() }'
	[ -z "$stderr" ]
}
