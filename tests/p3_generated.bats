#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The generated C reads like hand-written libbpf-tools code (issue 13 item
# 7): asserted on -p3 output, one shape per test.

load lib/common
bats_require_minimum_version 1.5.0

# The section of -p3 output for file NAME (NAME.c, NAME.bpf.c) of script s.
section() {
	awk -v f="/* ---- s.$1 */" '$0 == f { on = 1; next } /^\/\* ---- / { on = 0 } on' \
		"$BATS_TEST_TMPDIR/out"
}

p3() {
	printf '%s\n' "$1" > "$BATS_TEST_TMPDIR/s.stp"
	"$STAPC" -p3 "$BATS_TEST_TMPDIR/s.stp" > "$BATS_TEST_TMPDIR/out"
}

@test "p3 generated: the tool C writes a loop's continue and break labels only where a goto names them" {
	p3 'global a
probe begin {
	a[1] = 1; a[2] = 2
	foreach (k in a) printf("%d\n", k)
	foreach (k in a) { if (k == 1) continue; printf("%d\n", k) }
	for (i = 0; i < 3; i++) printf("%d\n", i)
	for (i = 0; i < 3; i++) { if (i == 1) break; printf("%d\n", i) }
	exit()
}'
	run -0 section c
	[ "$(grep -cE '^\s*f?cont[0-9]+:;' <<<"$output")" -eq 1 ]
	[ "$(grep -cE '^\s*brk[0-9]+:;' <<<"$output")" -eq 1 ]
	[ "$(grep -cE 'goto f?cont[0-9]+;' <<<"$output")" -eq 1 ]
}

@test "p3 generated: an execname() key is read straight into the key, not through scratch" {
	p3 'global reads
probe kernel.trace("syscalls:sys_enter_read") { reads[execname()] += $count }'
	run -0 section bpf.c
	[[ "$output" == *"bpf_get_current_comm(t0->k0, 16);"* ]]
	[[ "$output" != *stp_strncpy* ]]
}

@test "p3 generated: the tool C drops no value with (void): what is unused is not written" {
	p3 'global x, a
probe begin { x = 1; x++; a[1] = 2; printf("%d\n", x); exit() }
probe kernel.trace("syscalls:sys_enter_read") { a[2]++ }'
	run -0 section c
	[[ "$output" == *"stp_printf(rt, "* ]]
	[[ "$output" != *"(void)"* ]]
}

@test "p3 generated: a kernel.function's fentry and kprobe programs share one body, typed by libbpf's macros" {
	p3 'global reads
probe kernel.function("vfs_read") { reads[execname()] += $count }'
	run -0 section bpf.c
	[[ "$output" == *"static __always_inline int probe_0_body(void *ctx, size_t count)"* ]]
	[[ "$output" == *"int BPF_PROG(probe_0, struct file *file, char *buf, size_t count)"* ]]
	[[ "$output" == *"int BPF_KPROBE(probe_0_1, struct file *file, char *buf, size_t count)"* ]]
	[ "$(grep -c 'return probe_0_body(ctx, count);' <<<"$output")" -eq 2 ]
	[ "$(grep -c stp_map_add <<<"$output")" -eq 1 ]
}

@test "p3 generated: a typed pointer argument used as a number builds warning-free" {
	p3 'probe kernel.function("vfs_read") { printf("%d\n", $buf & 1) }'
	run -0 section bpf.c
	[[ "$output" == *"stp_scalar((u64)buf)"* ]]
	run --separate-stderr "$STAPC" -o "$BATS_TEST_TMPDIR/tool" "$BATS_TEST_TMPDIR/s.stp"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
}

@test "p3 generated: fexit and kretprobe share a body that takes the return value; both build warning-free" {
	p3 'global n
probe kernel.function("vfs_read").return { n += $return }'
	run -0 section bpf.c
	[[ "$output" == *"static __always_inline int probe_0_body(void *ctx, ssize_t ret)"* ]]
	[[ "$output" == *"int BPF_PROG(probe_0)"* ]]
	[[ "$output" == *"bpf_get_func_ret(ctx, &stp_ret);"* ]]
	[[ "$output" == *"int BPF_KRETPROBE(probe_0_1, ssize_t ret)"* ]]
	run --separate-stderr "$STAPC" -o "$BATS_TEST_TMPDIR/tool" "$BATS_TEST_TMPDIR/s.stp"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
}

@test "p3 generated: variants whose handlers differ (a kprobe's registers) keep a program each" {
	p3 'probe kernel.function("vfs_read") { printf("%d %x\n", $count, register("ax")) }'
	run -0 section bpf.c
	[[ "$output" != *"_body("* ]]
	[[ "$output" == *"int BPF_KPROBE(probe_0, size_t count)"* ]] || [[ "$output" == *"int BPF_KPROBE(probe_0, struct file *file, char *buf, size_t count)"* ]]
}

@test "p3 generated: a kprobe reading the sixth argument (BPF_KPROBE names five) builds warning-free" {
	p3 'probe kernel.function("do_mmap") { printf("%x %x\n", $len, $vm_flags) }'
	run -0 section bpf.c
	[[ "$output" == *"int BPF_KPROBE(probe_0_1, struct file *file, long unsigned int addr, long unsigned int len)"* ]]
	[[ "$output" == *"PT_REGS_PARM6("* ]]
	run --separate-stderr "$STAPC" -o "$BATS_TEST_TMPDIR/tool" "$BATS_TEST_TMPDIR/s.stp"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
}

@test "p3 generated: a USDT probe's program is BPF_USDT naming the arguments it reads, and builds warning-free" {
	[ -x /usr/bin/python3.11 ] || skip "no /usr/bin/python3.11 (its SDT marks are the test's)"
	p3 'probe process("/usr/bin/python3.11").mark("function__entry") { printf("%s %d\n", user_string($arg2), $arg3) }'
	run -0 section bpf.c
	[[ "$output" == *"int BPF_USDT(probe_0, long arg1, long arg2, long arg3)"* ]]
	[[ "$output" == *"(const void *)arg2"* ]]
	[[ "$output" != *"bpf_usdt_arg("* ]]
	run --separate-stderr "$STAPC" -o "$BATS_TEST_TMPDIR/tool" "$BATS_TEST_TMPDIR/s.stp"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
}

@test "p3 generated: USDT marks of one alias reading \$argN keep a program each (a body cannot take BPF_USDT's arguments) and build" {
	[ -x /usr/bin/python3.11 ] || skip "no /usr/bin/python3.11 (its SDT marks are the test's)"
	p3 'probe m = process("/usr/bin/python3.11").mark("import__find__load__done") !,
	process("/usr/bin/python3.11").mark("import__find__load__done") { found = $arg2 }
probe m { printf("%d\n", found) }'
	run -0 section bpf.c
	[[ "$output" != *"_body(ctx)"* ]]
	run --separate-stderr "$STAPC" -o "$BATS_TEST_TMPDIR/tool" "$BATS_TEST_TMPDIR/s.stp"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
}

@test "p3 generated: a uprobe's program is typed by BPF_KPROBE, a uretprobe's by BPF_KRETPROBE; both build warning-free" {
	[ -x /bin/ls ] || skip "no /bin/ls (its PLT is the test's)"
	p3 'global n, r
probe process("/bin/ls").plt("calloc") { n++ }
probe process("/bin/ls").plt("calloc").return { r += $return }'
	run -0 section bpf.c
	[[ "$output" == *"int BPF_KPROBE(probe_0)"* ]]
	[[ "$output" == *"int BPF_KRETPROBE(probe_1)"* ]]
	[[ "$output" != *"(void *ctx)"* ]]
	run --separate-stderr "$STAPC" -o "$BATS_TEST_TMPDIR/tool" "$BATS_TEST_TMPDIR/s.stp"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
}

@test "p3 generated: a process path glob is one program the tool attaches to each match, and its comment neither ends nor seems to open another" {
	p3 'probe process("/usr/lib/*/libc.so*").function("getpid") { println(pp()) }'
	run -0 section bpf.c
	# The pattern as written, /* and */ broken apart.
	[[ "$output" == *'/* process("/usr/lib/ * /libc.so*").function("getpid"): STP_ATTACH_UPROBE */'* ]]
	run -0 section c
	[[ "$output" == *'"/usr/lib/*/libc.so*"'* ]]
	run --separate-stderr "$STAPC" -w -o "$BATS_TEST_TMPDIR/tool" "$BATS_TEST_TMPDIR/s.stp"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
}

@test "p3 generated: the tracepoints of one alias share a body when their handlers come out the same" {
	p3 "$(cat "$TOP/examples/iotop.stp")"
	run -0 section bpf.c
	[[ "$output" == *"static __always_inline int probe_1_body(void *ctx)"* ]]
	[ "$(grep -c 'return probe_1_body(ctx);' <<<"$output")" -eq 2 ]
	[ "$(grep -c 'return probe_4_body(ctx);' <<<"$output")" -eq 2 ]
	# One += per body: vfs_read's (fentry, kprobe) and the two tracepoints'.
	[ "$(grep -c 'stp_map_add(&m_reads' <<<"$output")" -eq 2 ]
	# Handlers that differ (each its own pp()) keep a program each.
	p3 'probe kernel.trace("syscalls:sys_enter_read"), kernel.trace("syscalls:sys_enter_write") { println(pp()) }'
	run -0 section bpf.c
	[[ "$output" != *"_body("* ]]
}

@test "p3 generated: alike probes sharing a body are written by the module backend too, as planned" {
	p3 'global n
probe kernel.trace("sched_process_exec"), kernel.trace("sched_process_fork") { n++ }'
	run -0 section bpf.c
	[ "$(grep -c 'return probe_0_body(ctx);' <<<"$output")" -eq 2 ]
	run -0 "$STAPC" -p3 --backend=module --kernel 6.1.0-0 "$BATS_TEST_TMPDIR/s.stp"
	[[ "$output" == *"tp_fn = (void *)probe_1_tp"* ]]
}
