#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The kernel-module backend without a kernel that loads modules: the choice
# of backend (--backend, -p2, -v), the module's C (-p3), what this slice
# refuses, and kbuild against Debian's headers (dist/fetch-kernel-headers),
# which skips, saying why, when they cannot be had. Runs in qemu guests:
# tests/kmatrix_kmod.bats.

bats_require_minimum_version 1.5.0
load lib/common

KMOD=$BATS_TEST_DIRNAME/kmatrix/kmod

@test "--backend takes auto, bpf or module, and nothing else" {
	run "$STAPC" --backend=kernel -p2 -e 'probe begin { exit() }'
	[ "$status" -ne 0 ]
	[[ "$output" == *"--backend must be auto, bpf or module, not 'kernel'"* ]]
	run "$STAPC_ASAN" --backend=bpf -p2 -e 'probe begin { exit() }'
	[ "$status" -eq 0 ]
	# BPF's -p2 stays stap's layout: no line about the backend.
	[[ "$output" != *backend* ]]
}

@test "-p2 names the module backend and the construct that chose it" {
	run "$STAPC_ASAN" -p2 -g -e 'probe begin { %{ /* C */ %} exit() }'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "# backend: module (the script needs it: embedded C at <input>:1:15)" ]
	run "$STAPC_ASAN" -p2 --backend=module -e 'probe begin { exit() }'
	[ "${lines[0]}" = "# backend: module (forced by --backend=module)" ]
}

@test "-v says which backend was chosen by default, and why" {
	run --separate-stderr "$STAPC_ASAN" -v -p2 -e 'probe begin { exit() }'
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"stapc: backend bpf (the default: BPF can run the whole script)"* ]]
}

@test "--backend=bpf refuses what only a module can run, at the construct" {
	run "$STAPC_ASAN" -p2 -g --backend=bpf -e 'probe begin { %{ /* C */ %} exit() }'
	[ "$status" -ne 0 ]
	[[ "$output" == *"<input>:1:15: error: embedded C needs the kernel-module backend, not BPF: drop --backend=bpf"* ]]
	[[ "$output" == *"^~"* ]]
}

@test "-p3 --backend=module: the BPF backend's handlers under kprobes, kretprobes and tracepoints" {
	run "$STAPC_ASAN" -p3 --backend=module "$KMOD/kread.stp"
	[ "$status" -eq 0 ]
	[[ "$output" == *"/* ---- kread.kmod.c */"* ]]
	[[ "$output" != *".bpf.c */"* ]]
	[[ "$output" == *'{ .kind = STP_KM_KPROBE, .target = "vfs_read", .pre = '* ]]
	[[ "$output" == *'{ .kind = STP_KM_KRETPROBE, .target = "vfs_read", .ret = '* ]]
	[[ "$output" == *"STP_KMOD_MODULE(stp_probes, stp_maps, stp_kg_init);"* ]]
	# The tool side reads the module's records with the same decoder.
	[[ "$output" == *"tool.kmods = stp_kmods;"* ]]
	run "$STAPC_ASAN" -p3 --backend=module "$KMOD/kexec.stp"
	[ "$status" -eq 0 ]
	[[ "$output" == *'{ .kind = STP_KM_TRACEPOINT, .target = "sched_process_exec", .tp_fn = '* ]]
	# $old_pid, the tracepoint's second argument, as the body takes it.
	[[ "$output" == *"(pid_t)ctx[1]"* ]]
}

@test "-p3 --backend=module: arrays and statistics as kernel maps, timers as hrtimers, syscall tracepoints" {
	run "$STAPC_ASAN" -p3 --backend=module "$KMOD/karr.stp"
	[ "$status" -eq 0 ]
	# BPF's map kinds, made of kernel memory, in the order the tool binds them.
	[[ "$output" == *"STP_KMAP(m_bytes, BPF_MAP_TYPE_HASH, struct key_bytes, s64, 2048);"* ]]
	[[ "$output" == *"STP_KMAP(m_sizes, BPF_MAP_TYPE_PERCPU_ARRAY, u32, struct stat_sizes, 1);"* ]]
	[[ "$output" == *"STP_KMAP(m_all, BPF_MAP_TYPE_PERCPU_HASH, struct key_all, struct stat_all, 2048);"* ]]
	[[ "$output" == *"STP_KMAP(m_seen, BPF_MAP_TYPE_HASH, struct key_seen, struct { char s[128]; }, 2048);"* ]]
	[[ "$output" == *"static void stp_stat_hist_sizes(s64 *h, s64 v)"* || "$output" == *"stp_stat_hist_sizes(s64 *h, s64 v)"* ]]
	[[ "$output" == *"if (stp_map__bind_kmod(m_bytes, rt, 0)) return 1;"* ]]
	[[ "$output" == *"if (stp_map__bind_kmod(m_sizes, rt, 2)) return 1;"* ]]
	[[ "$(grep -A9 'stp_maps\[\] =' <<<"$output" | tr -d '\t\n')" == *"{&m_bytes,&m_calls,&m_sizes,&m_lin,&m_all,&m_seen,&m_gone,NULL,}"* ]]
	run "$STAPC_ASAN" -p3 --backend=module "$KMOD/ktimer.stp"
	[ "$status" -eq 0 ]
	[[ "$output" == *'{ .kind = STP_KM_TIMER, .target = "timer.profile", .timer_fn = probe_0_tm, .period_ns = '*', .all_cpus = 1 },'* ]]
	[[ "$output" == *'{ .kind = STP_KM_TIMER, .target = "timer.ms(200)", .timer_fn = probe_1_tm, .period_ns = 200000000ULL, .all_cpus = 0 },'* ]]
	# A syscall's classic tracepoint: the raw sys_enter, kept to its number.
	run "$STAPC_ASAN" -p3 --backend=module -e 'probe kernel.trace("syscalls:sys_enter_read") { println($count) }'
	[ "$status" -eq 0 ]
	[[ "$output" == *"if (ctx[1] == __NR_read)"* ]]
	[[ "$output" == *'{ .kind = STP_KM_TRACEPOINT, .target = "sys_enter", .tp_fn = (void *)probe_0_sc },'* ]]
	# Its exit: the number from the registers, the return value where the classic record has it;
	# a kernel without the syscall gets a row that cannot attach.
	run "$STAPC_ASAN" -p3 --backend=module -e 'probe kernel.trace("syscalls:sys_exit_read") { println($ret) }'
	[ "$status" -eq 0 ]
	[[ "$output" == *"s64 ctx[3] = { 0, syscall_get_nr(current, regs), ret };"* ]]
	[[ "$output" == *'{ .kind = STP_KM_TRACEPOINT, .target = "syscalls:sys_exit_read", .tp_fn = (void *)probe_0_sc },'* ]]
}

@test "the module backend refuses what this slice cannot do, at the construct" {
	run "$STAPC_ASAN" -p3 --backend=module -e 'global a%[4]
probe kernel.trace("sched:sched_process_exec") { a[pid()] = 1 }'
	[ "$status" -ne 0 ]
	[[ "$output" == *"<input>:1:8: error: the kernel-module backend cannot do the wrap array 'a' (%[N]) in a kernel probe yet"* ]]
	# Chosen by default for embedded C, which this slice cannot run yet either.
	run "$STAPC_ASAN" -p3 -g -e 'probe kernel.trace("sched:sched_process_exec") { %{ /* C */ %} }'
	[ "$status" -ne 0 ]
	[[ "$output" == *"<input>:1:50: error: the kernel-module backend cannot run embedded C yet"* ]]
	run "$STAPC_ASAN" -p3 --backend=module -e 'probe perf.sw.cpu_clock { println(1) }'
	[ "$status" -ne 0 ]
	[[ "$output" == *"<input>:1:1: error: the kernel-module backend cannot do the probe point perf.sw.cpu_clock yet"* ]]
}

@test "building a module tool needs --kernel" {
	run "$STAPC" -p4 --backend=module -e 'probe kernel.trace("sched:sched_process_exec") { exit() }'
	[ "$status" -ne 0 ]
	[[ "$output" == *"the kernel-module backend builds for named kernels: add --kernel RELEASE"* ]]
}

@test "kbuild builds the module per --kernel; --manifest lists it; other kernels are told which it has" {
	source "$BATS_TEST_DIRNAME/kmatrix/lib.sh"
	local rel tree
	rel=$(km_resolve_kernel 6.1 2>/dev/null) || skip "no 6.1 kernel in the apt index or the cache"
	tree=$("$TOP/dist/fetch-kernel-headers" "$rel" 2>"$BATS_TEST_TMPDIR/err") ||
		skip "the headers of $rel cannot be fetched: $(tail -1 "$BATS_TEST_TMPDIR/err")"
	[ -f "$tree/Makefile" ]
	run "$STAPC" --backend=module --kernel "$rel" -o "$BATS_TEST_TMPDIR/kexec" "$KMOD/kexec.stp"
	[ "$status" -eq 0 ]
	run "$BATS_TEST_TMPDIR/kexec" --manifest
	[[ "$output" == *'"backend": "module"'* ]]
	[[ "$output" =~ \{\ \"kernel\":\ \"$rel\",\ \"vermagic\":\ \"$rel\ SMP[^\"]*\",\ \"size\":\ [0-9]+,\ \"sha256\":\ \"[0-9a-f]{64}\"\ \} ]]
	# This host is none of the kernels it carries a module for: one line, nothing loaded.
	[ "$(uname -r)" != "$rel" ] || skip "this host runs $rel"
	run "$BATS_TEST_TMPDIR/kexec"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[ "$output" = "kexec: carries kernel modules for $rel only, not for this kernel ($(uname -r)): rebuild it with stapc --kernel $(uname -r)" ]
}
