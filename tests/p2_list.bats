#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# stapc -l and -L list the probe points of this host, checked against what
# the host itself says: tracefs for tracepoints and syscalls, readelf -n for
# a binary's SDT marks, the binary's symbols for its functions.

load lib/common
bats_require_minimum_version 1.5.0

EVENTS=/sys/kernel/tracing/events

need_tracefs() {
	[ -d "$EVENTS/syscalls" ] || skip "tracefs is not mounted at /sys/kernel/tracing (run as root)"
}

@test "p2 list: -l 'syscall.open*' is every syscall.open* with a syscalls:sys_enter_ tracepoint" {
	need_tracefs
	run -0 "$STAPC" -l 'syscall.open*'
	diff <(printf '%s\n' "$output") \
		<(ls "$EVENTS/syscalls" | sed -n 's/^sys_enter_\(open.*\)$/syscall.\1/p' | LC_ALL=C sort)
}

@test "p2 list: -l 'kernel.trace(\"sched:*\")' is every event tracefs has under sched" {
	need_tracefs
	run -0 "$STAPC" -l 'kernel.trace("sched:*")'
	diff <(printf '%s\n' "$output") \
		<(find "$EVENTS/sched" -mindepth 1 -maxdepth 1 -type d -printf 'kernel.trace("sched:%f")\n' | LC_ALL=C sort)
}

@test "p2 list: -l 'process(PYTHON).mark(\"*\")' is every SDT note readelf -n shows" {
	[ -x /usr/bin/python3.11 ] || skip "Debian's python3.11 is not installed"
	run -0 "$STAPC" -l 'process("/usr/bin/python3.11").mark("*")'
	diff <(printf '%s\n' "$output") \
		<(readelf -n /usr/bin/python3.11 | sed -n 's/^ *Name: \(.*\)$/process("\/usr\/bin\/python3.11").mark("\1")/p' | LC_ALL=C sort -u)
}

@test "p2 list: -L 'signal.send' has the alias's variables typed, and the tracepoint's arguments from BTF" {
	need_tracefs
	run -0 "$STAPC" -L 'signal.send'
	[ "${#lines[@]}" -eq 1 ]
	local v
	for v in name:string sig:long sig_name:string sig_pid:long pid_name:string si_code:long \
		'$sig:int' '$task:struct task_struct*'; do
		[[ " ${lines[0]} " == *" $v "* ]] || { echo "missing $v in: ${lines[0]}"; false; }
	done
	[[ "${lines[0]}" != *unknown* ]]
}

@test "p2 list: -l 'process(PATH).function(\"*\")' is every function the binary exports, when it is stripped" {
	run -0 "$STAPC" -l 'process("/usr/bin/ls").function("*")'
	diff <(printf '%s\n' "$output" | sed 's/^process("\/usr\/bin\/ls").function("\(.*\)")$/\1/' | LC_ALL=C sort -u) \
		<(readelf --dyn-syms -W /usr/bin/ls | awk '$4 == "FUNC" && $7 != "UND" { sub(/@.*/, "", $8); print $8 }' | LC_ALL=C sort -u)
}

@test "p2 list: -l and -L of a process path with wildcards list each file it matches here, by its real path" {
	local d=$BATS_TEST_TMPDIR/bins
	mkdir -p "$d/a" "$d/b" "$d/c"
	cp /usr/bin/ls "$d/a/ls"
	cp /usr/bin/ls "$d/b/ls"
	ln -s ../a/ls "$d/c/ls"	# the same file as a/ls: listed once
	echo 'not ELF' > "$d/c/lsx"
	run -0 --separate-stderr "$STAPC" -l "process(\"$d/*/ls*\").function(\"_obstack_free\")"
	[ "$output" = "process(\"$d/a/ls\").function(\"_obstack_free\")
process(\"$d/b/ls\").function(\"_obstack_free\")" ]
	run -0 --separate-stderr "$STAPC" -L "process(\"$d/[b]/ls\").function(\"_obstack_free\")"
	[ "$output" = "process(\"$d/b/ls\").function(\"_obstack_free\") \$PARAM:long (named from DWARF) \$\$parms:string" ]
	# Fedora's spelling of libc, found in Debian's multiarch folder.
	run -0 --separate-stderr "$STAPC" -l 'process("/lib*/libc.so.6").function("getpid")'
	[ "$output" = "process(\"$(readlink -f /usr/lib/x86_64-linux-gnu/libc.so.6)\").function(\"getpid\")" ]
}

@test "p2 list: -L 'kernel.function(\"vfs_read\")' names its parameters with their BTF types" {
	[ -r /sys/kernel/btf/vmlinux ] || skip "this kernel has no BTF"
	run -0 "$STAPC" -L 'kernel.function("vfs_read")'
	[ "$output" = 'kernel.function("vfs_read") $file:struct file* $buf:char* $count:size_t $pos:loff_t*' ]
}

@test "p2 list: -L of a family whose forms take a number (timer.ms(N), procfs's .maxsize(N)) lists them, with procfs's \$value" {
	run -0 --separate-stderr "$STAPC" -L 'timer*'
	[[ "$output" == *"timer.ms(N)"* ]]
	[ -z "$stderr" ]
	run -0 --separate-stderr "$STAPC" -L 'procfs*'
	[[ "$output" == *'procfs("PATH").read.maxsize(N) $value:string'* ]]
	[[ "$output" == *'procfs("PATH").write $value:string'* ]]
	[ -z "$stderr" ]
}

@test "p2: a script parses only the tapset files it reaches, through other tapsets too" {
	# Nothing of the library: no tapset file at all.
	run --separate-stderr -0 "$STAPC_ASAN" -v -p2 -e 'probe begin { println("hi") }'
	[[ "$stderr" == *"stapc: tapsets: 0 of "*" files reached by the script"* ]]
	# execname() (context.stp) alone: one file.
	run --separate-stderr -0 "$STAPC_ASAN" -v -p2 -e 'probe begin { println(execname()) }'
	[[ "$stderr" == *"stapc: tapsets: 1 of "*" files reached by the script"* ]]
	# syscall.openat's handler reaches user_string_quoted and errno_str
	# through the alias file: more files, and the program elaborates whole.
	run --separate-stderr -0 "$STAPC_ASAN" -v -p2 -e 'probe syscall.openat { println(argstr) }'
	local n total
	n=$(sed -n 's/^stapc: tapsets: \([0-9]*\) of \([0-9]*\) files.*/\1/p' <<<"$stderr")
	total=$(sed -n 's/^stapc: tapsets: \([0-9]*\) of \([0-9]*\) files.*/\2/p' <<<"$stderr")
	[ "$n" -gt 2 ] && [ "$n" -lt "$total" ]
	[[ "$output" == *"user_string_quoted"* ]]
	# A tool built without its arguments reads $N and @N when it starts,
	# through functions of the library the script does not spell.
	run -0 "$STAPC_ASAN" -p3 -o "$BATS_TEST_TMPDIR/args" \
		-e 'probe begin { printf("%s %d\n", @1, $2); exit() }'
	# $# and @# are the argument count, not a comment hiding the rest of the line.
	run -0 "$STAPC_ASAN" -p2 -e 'probe begin { if ($# < 1 && @# == "0") { exit() } }'
	# -l lists from the whole library.
	run --separate-stderr -0 "$STAPC_ASAN" -v -l 'python.function.entry'
	[[ "$stderr" != *"reached by the script"* ]]
	[ "$output" = "python.function.entry" ]
}
