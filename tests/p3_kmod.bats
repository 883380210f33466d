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
	[[ "$output" == *"STP_KMOD_MODULE(stp_probes, stp_kg_init);"* ]]
	# The tool side reads the module's records with the same decoder.
	[[ "$output" == *"tool.kmods = stp_kmods;"* ]]
	run "$STAPC_ASAN" -p3 --backend=module "$KMOD/kexec.stp"
	[ "$status" -eq 0 ]
	[[ "$output" == *'{ .kind = STP_KM_TRACEPOINT, .target = "sched_process_exec", .tp_fn = '* ]]
	# $old_pid, the tracepoint's second argument, as the body takes it.
	[[ "$output" == *"(pid_t)ctx[1]"* ]]
}

@test "the module backend refuses what this slice cannot do, at the construct" {
	run "$STAPC_ASAN" -p3 --backend=module -e 'global a
probe kernel.trace("sched:sched_process_exec") { a[pid()] = 1 }'
	[ "$status" -ne 0 ]
	[[ "$output" == *"<input>:1:8: error: the kernel-module backend cannot do the array or statistics 'a' in a kernel probe yet"* ]]
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
