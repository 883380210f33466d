#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/bench/stap-bpf.sh - SystemTap 4.8's BPF backend on this machine.
#
#   stap-bpf.sh prepare DIR    build tests/bench/stap/*.stp into DIR/NAME.bo
#                              (cached); last line says what was done or why not
#   stap-bpf.sh run DIR NAME   exec stapbpf on DIR/NAME.bo
#
# What it takes here, found by trying:
# - stap -p4 --runtime=bpf wants a kernel build tree (-r) even for BPF: its
#   kernel.trace() resolution compiles a module per tracepoint header. This
#   kernel ships none, and stap 4.8's tracepoint query does not build against
#   Debian's 6.12 headers (-Werror on redefined COUNT_ARGS), so Debian's 6.1
#   headers (tests/kmatrix/fetch-kernel --headers 6.1) are used, with a
#   `source` link to the -common tree added in a symlink copy (Debian splits
#   the tree; stap looks for include/trace/events under build/source).
#   Tracepoint records are ABI: a 6.1 build of raw_syscalls:sys_enter loads
#   and runs on 6.18. The first build takes ~3 minutes (the tracepoint query).
# - the per-syscall tracepoints (syscalls:sys_enter_read) are not found by
#   stap (they are not declared in include/trace/events), nor is syscall.read
#   (kprobes), so the scripts use raw_syscalls:sys_enter with an id filter.
# - stapbpf raises RLIMIT_MEMLOCK and gives up when it cannot (the hard limit
#   here is 8 MiB): util/rlimit_shim.so, LD_PRELOADed, makes that call succeed.
#
#   BENCH_STAP_BUILD=DIR  use this build tree instead of the 6.1 headers
#   BENCH_STAP_FETCH=0    do not download the 6.1 headers when missing
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
: "${B:?B must be set}"
SHIM=$B/util/rlimit_shim.so

die() {
	echo "$*"
	exit 1
}

build_tree() {
	local h rel
	if [ -n "${BENCH_STAP_BUILD:-}" ]; then
		echo "$BENCH_STAP_BUILD"
		return
	fi
	h=$(ls -d "${STAPC_KCACHE:-/var/cache/stapc/kernels}"/6.1.*/headers/usr/src/linux-headers-6.1.*-amd64 2>/dev/null | sort -V | tail -1)
	if [ -z "$h" ] && [ "${BENCH_STAP_FETCH:-1}" = 1 ]; then
		echo "bench: fetching Debian's 6.1 kernel headers for stap -r (tests/kmatrix/fetch-kernel)" >&2
		h=$("$HERE/../kmatrix/fetch-kernel" --headers 6.1 2>/dev/null | sed -n 2p) || h=
	fi
	[ -n "$h" ] && [ -d "$h" ] || return 1
	echo "$h"
}

prepare() {
	local dir=$1 tree farm s name log
	mkdir -p "$dir"
	[ -f "$SHIM" ] || die "util/rlimit_shim.so was not built"
	command -v stapbpf >/dev/null || die "stapbpf is missing (systemtap-runtime)"
	tree=$(build_tree) || die "no kernel build tree that stap 4.8 can compile against (set BENCH_STAP_BUILD, or allow tests/kmatrix/fetch-kernel --headers 6.1)"
	farm=$dir/build
	if [ "$(readlink "$farm/.tree" 2>/dev/null)" != "$tree" ]; then
		rm -rf "$farm"
		mkdir -p "$farm"
		for f in "$tree"/* "$tree"/.config "$tree"/.kernelvariables; do
			[ -e "$f" ] && ln -s "$f" "$farm/"
		done
		ln -s "$tree" "$farm/.tree"
		local common
		common=$(ls -d "$(dirname "$tree")"/linux-headers-*-common 2>/dev/null | head -1)
		[ -n "$common" ] && ln -s "$common" "$farm/source"
	fi
	local pids=() names=()
	for s in "$HERE"/stap/*.stp; do
		name=$(basename "$s" .stp)
		[ "$dir/$name.bo" -nt "$s" ] && continue
		if [ "${BENCH_QUICK:-0}" = 1 ]; then
			die "stap's programs are not built yet (a full make bench builds them, minutes the first time)"
		fi
		echo "bench: stap --runtime=bpf -p4 $name.stp (minutes: its tracepoint query builds modules)" >&2
		(cd "$dir" && exec stap --runtime=bpf -r "$farm" -p4 -m "$name" "$s") >"$dir/$name.log" 2>&1 &
		pids+=($!)
		names+=("$name")
	done
	for i in "${!pids[@]}"; do
		if ! wait "${pids[$i]}"; then
			rm -f "$dir/${names[$i]}.bo"
			die "stap --runtime=bpf -p4 failed: $(grep -m1 -i error "$dir/${names[$i]}.log" | cut -c1-200)"
		fi
	done
	# One run: does stapbpf load and attach here?
	if ! out=$(LD_PRELOAD=$SHIM timeout 20 stapbpf "$dir/exit_begin.bo" 2>&1) || ! grep -q ready <<<"$out"; then
		die "stapbpf does not run here: $(tail -1 <<<"$out" | cut -c1-200)"
	fi
	echo "measured: stap 4.8 -p4 --runtime=bpf against Debian's $(basename "$tree" | sed 's/linux-headers-//') headers, run by stapbpf with setrlimit(MEMLOCK) shimmed; raw_syscalls:sys_enter + id filter (see tests/bench/stap-bpf.sh)"
}

case ${1:-} in
prepare) prepare "$2" ;;
run)
	LD_PRELOAD=$SHIM exec stapbpf "$2/$3.bo"
	;;
*)
	echo "usage: stap-bpf.sh prepare DIR | run DIR NAME" >&2
	exit 2
	;;
esac
