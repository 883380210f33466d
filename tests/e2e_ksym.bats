#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Kernel addresses named by the tool from /proc/kallsyms: the kernel stack
# at a tracepoint (print_backtrace, backtrace, sprint_backtrace), and
# symname, symdata and modname of an address, checked against kallsyms
# itself. As root on this machine's kernel.

load lib/common
bats_require_minimum_version 1.5.0

setup() {
	[ "$(id -u)" = 0 ] || skip "kernel addresses are hidden from other users: run the tests as root"
	T=$BATS_TEST_TMPDIR
}

@test "ksym: print_backtrace() at a tracepoint starts in the kernel code that hit it, each frame named as stap names it" {
	cat > "$T/bt.stp" <<'EOF'
probe kernel.trace("sched_process_exec") {
	if (pid() == target()) {
		print_backtrace()
		printf("hex %s\n", backtrace())
	}
}
EOF
	"$STAPC" -o "$T/bt" "$T/bt.stp"
	run -0 timeout 30 "$T/bt" -c /usr/bin/true
	echo "$output"
	local frames hex
	frames=$(grep -c '^ 0x' <<<"$output")
	[ "$frames" -ge 3 ]
	# Every frame: " 0xADDRESS : NAME+0xOFFSET/0xSIZE [kernel]", none of
	# them the BPF program or the tracepoint's dispatch.
	[ "$(grep -cE '^ 0x[0-9a-f]+ : [A-Za-z_][A-Za-z0-9_.]*\+0x[0-9a-f]+/0x[0-9a-f]+ \[kernel\]$' <<<"$output")" = "$frames" ]
	! grep -qE 'bpf_prog_|bpf_trace_run|\[bpf\]' <<<"$output"
	# exec(2) got there through the system call.
	grep -qE ' : (__x64_sys_execve|do_execveat_common[.a-z0-9]*)\+' <<<"$output"
	# backtrace(): the same frames, as hex addresses.
	hex=$(sed -n 's/^hex //p' <<<"$output")
	[ "$(wc -w <<<"$hex")" = "$frames" ]
	[ "$(grep -oE '^ 0x[0-9a-f]+' <<<"$output" | tr -d ' ' | paste -sd' ')" = "$(echo $hex)" ]
}

@test "ksym: symname, symdata and modname name an address as /proc/kallsyms does, in the tool and in BPF" {
	local addr size next
	addr=$(awk '$3 == "vfs_read" && ($2 == "T" || $2 == "t") { print $1; exit }' /proc/kallsyms)
	[ -n "$addr" ]
	# Its size: up to the next text symbol, as the tool counts it.
	next=$(awk '$2 ~ /^[tTwW]$/ { print $1 }' /proc/kallsyms | sort -u | awk -v a="$addr" '$1 > a { print; exit }')
	size=$(printf '0x%x' $((0x$next - 0x$addr)))
	cat > "$T/sym.stp" <<'EOF'
global a
probe begin { a = __sym_hex(@1); printf("tool %s|%s|%s\n", symname(a), symdata(a + 3), modname(a)) }
probe kernel.trace("sched_process_exec") {
	if (pid() == target())
		printf("bpf %s|%s|%s\n", symname(a), symdata(a + 3), modname(a))
}
EOF
	"$STAPC" -o "$T/sym" "$T/sym.stp"
	run -0 timeout 30 "$T/sym" -c /usr/bin/true "$addr"
	echo "$output"
	[ "$output" = "tool vfs_read|vfs_read+0x3/$size [kernel]|kernel"$'\n'"bpf vfs_read|vfs_read+0x3/$size [kernel]|kernel" ]
}
