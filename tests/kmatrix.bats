#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The kernel-matrix harness (tests/kmatrix/): Debian kernels booted under
# qemu with a busybox initramfs, for what the host kernel lacks (kprobes,
# fentry, modules). These tests prove the harness itself: results and exit
# codes come back exactly, panics and hangs are caught, and each guest has
# the BPF features the project relies on. They skip, saying why, when qemu
# or the kernels cannot be had (no network); they never pass silently.

bats_require_minimum_version 1.5.0

KM=$BATS_TEST_DIRNAME/kmatrix
KERNELS=${STAPC_KMATRIX_KERNELS:-6.1 6.12}

setup_file() {
	source "$KM/lib.sh"
	local state=$BATS_FILE_TMPDIR/state k
	mkdir -p "$state"
	if ! km_install_host_tools 2>"$state/tools.err"; then
		echo "host tools missing: $(tail -1 "$state/tools.err")" >"$state/skip-tools"
		return 0
	fi
	for k in $KERNELS; do
		km_fetch_or_update "$k" 2>"$state/fetch-$k.err" ||
			echo "kernel $k cannot be downloaded: $(grep -v '^ *$' "$state/fetch-$k.err" | tail -1)" \
				>"$state/skip-$k"
	done
	mkdir -p "$BATS_FILE_TMPDIR/feat"
	km_build_features "$BATS_FILE_TMPDIR/feat" 2>"$state/features.err" ||
		echo "cannot build the static feature probe (gcc -static)" >"$state/skip-features"
}

setup() {
	source "$KM/lib.sh"
	source "$KM/places.bash" # need_guest
	STATE=$BATS_FILE_TMPDIR/state
	FEAT=$BATS_FILE_TMPDIR/feat
}

need_features() {
	[ ! -e "$STATE/skip-features" ] || skip "$(cat "$STATE/skip-features")"
}

# feature LINE-PREFIX - asserts a "feature NAME yes" line in $output.
has_feature() {
	grep -q "^feature $1 yes" <<<"$output" || {
		echo "expected 'feature $1 yes' in:"
		echo "$output"
		return 1
	}
}

@test "kmatrix: stdout, stderr and the exit code come back exactly" {
	need_guest 6.1
	local got=$BATS_TEST_TMPDIR/got status=0
	# An emergency kernel message reaches every console: it must stay out
	# of the command's output all the same.
	"$KM/run-guest" --kernel 6.1 -- sh -c \
		'printf "a\r\nb\\000c"; echo "<0>kmatrix noise" >/dev/kmsg; printf "no newline"; echo to-stderr >&2; exit 42' \
		>"$got.out" 2>"$got.err" || status=$?
	[ "$status" -eq 42 ]
	cmp "$got.out" <(printf 'a\r\nb\000cno newline')
	[ "$(cat "$got.err")" = "to-stderr" ]
}

@test "kmatrix: a guest that panics is exit 125 with the panic shown" {
	need_guest 6.1
	run --separate-stderr "$KM/run-guest" --kernel 6.1 -- \
		sh -c 'echo before; echo c >/proc/sysrq-trigger; echo after'
	[ "$status" -eq 125 ]
	[ "$output" = "before" ]
	[[ "$stderr" == *"guest kernel died"*"Kernel panic"* ]]
	[[ "$stderr" == *"last console lines"* ]]
}

@test "kmatrix: a guest that hangs is exit 124 after the timeout" {
	need_guest 6.1
	SECONDS=0
	run --separate-stderr "$KM/run-guest" --kernel 6.1 --timeout 20 -- sh -c 'echo hanging; sleep 1000'
	[ "$status" -eq 124 ]
	[ "$output" = "hanging" ]
	[[ "$stderr" == *"timed out after 20s"* ]]
	[ "$SECONDS" -lt 60 ]
}

@test "kmatrix: a batch of cases in one boot, each with its own result" {
	need_guest 6.1
	local dir=$BATS_TEST_TMPDIR/batch out=$BATS_TEST_TMPDIR/out
	mkdir -p "$dir"
	cat >"$dir/run-all" <<-'SH'
		#!/bin/sh
		km-case hello echo hello
		km-case fails sh -c 'echo bad >&2; exit 3'
		km-case -t 2 slow sleep 30
		km-case big sh -c 'seq 1 50000'
		exit 0
	SH
	chmod +x "$dir/run-all"
	run "$KM/run-guest" --kernel 6.1 --files "$dir" --out "$out" -- run-all
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "KMCASE hello start" ]
	[ "${lines[1]}" = "KMCASE hello rc=0" ]
	[ "$(km_case_summary "$out" | tr '\n' ' ')" = "hello 0 fails 3 slow 143 big 0 " ]
	[ "$(km_case_out "$out" hello)" = hello ]
	[ "$(km_case_out "$out" fails stderr)" = bad ]
	cmp <(seq 1 50000) "$out/big/stdout"
}

@test "kmatrix: 6.1 guest has BTF, kprobes, fentry, uprobes and modules" {
	need_guest 6.1
	need_features
	local rel
	rel=$(km_resolve_kernel 6.1)
	km_image_module "$rel" crc-itu-t "$FEAT/crc-itu-t.ko"
	run "$KM/run-guest" --kernel 6.1 --files "$FEAT" -- features -m /t/crc-itu-t.ko
	echo "$output"
	[ "$status" -eq 0 ]
	for f in btf ftrace_functions kprobe_events uprobe_events bpf_tracepoint \
		bpf_kprobe bpf_fentry bpf_uprobe bpf_ringbuf modules; do
		has_feature "$f"
	done
}

@test "kmatrix: 6.12 guest has the same plus multi-kprobes (fprobe)" {
	need_guest 6.12
	need_features
	local rel dir=$BATS_TEST_TMPDIR/f612
	rel=$(km_resolve_kernel 6.12)
	cp -a "$FEAT" "$dir"
	km_image_module "$rel" crc-itu-t "$dir/crc-itu-t.ko"
	run "$KM/run-guest" --kernel 6.12 --files "$dir" -- features -m /t/crc-itu-t.ko
	echo "$output"
	[ "$status" -eq 0 ]
	for f in btf ftrace_functions kprobe_events uprobe_events bpf_tracepoint \
		bpf_kprobe bpf_kprobe_multi bpf_fentry bpf_uprobe bpf_ringbuf modules; do
		has_feature "$f"
	done
}

@test "kmatrix: a module built against the fetched 6.1 headers loads in the guest" {
	need_guest 6.1
	local rel dir=$BATS_TEST_TMPDIR/mod
	km_fetch_or_update --headers 6.1 2>"$BATS_TEST_TMPDIR/err" ||
		skip "linux-headers for 6.1 cannot be downloaded: $(tail -1 "$BATS_TEST_TMPDIR/err")"
	command -v gcc-12 >/dev/null || skip "gcc-12 missing (Debian's 6.1 headers are built with it)"
	rel=$(km_resolve_kernel 6.1)
	mkdir -p "$dir"
	cat >"$dir/kmhello.c" <<-'C'
		#include <linux/module.h>
		static int __init kmhello_init(void) { pr_info("kmhello: in\n"); return 0; }
		static void __exit kmhello_exit(void) { }
		module_init(kmhello_init);
		module_exit(kmhello_exit);
		MODULE_LICENSE("GPL");
	C
	echo 'obj-m := kmhello.o' >"$dir/Kbuild"
	km_make_module "$rel" "$dir" >/dev/null
	mkdir -p "$dir/t"
	cp "$dir/kmhello.ko" "$dir/t/"
	run "$KM/run-guest" --kernel 6.1 --files "$dir/t" -- sh -c 'insmod /t/kmhello.ko && cut -d" " -f1 /proc/modules'
	[ "$status" -eq 0 ]
	[ "$output" = kmhello ]
}

@test "kmatrix: stap-oracle prints what SystemTap prints on a 6.1 guest" {
	need_guest 6.1
	command -v stap >/dev/null || skip "systemtap is not installed (dist/deps test installs it)"
	km_fetch_or_update --headers 6.1 2>"$BATS_TEST_TMPDIR/err" ||
		skip "linux-headers for 6.1 cannot be downloaded: $(tail -1 "$BATS_TEST_TMPDIR/err")"
	cd "$BATS_TEST_TMPDIR"
	run --separate-stderr "$KM/stap-oracle" --kernel 6.1 -e '
		global h
		probe begin {
			printf("%5d|%-5s|\n", 42, "ab")
			for (i = 1; i <= 4; i++) h <<< i
			print(@hist_log(h))
			exit()
		}'
	[ "$status" -eq 0 ]
	# What SystemTap 4.8 printed on 6.1.0-56 (bats drops the final blank line).
	[ "$output" = "$(cat <<-'OUT'
		   42|ab   |
		value |-------------------------------------------------- count
		    0 |                                                   0
		    1 |@                                                  1
		    2 |@@                                                 2
		    4 |@                                                  1
		    8 |                                                   0
		   16 |                                                   0
	OUT
	)" ]
}

@test "kmatrix: stap-oracle runs a kprobe.function script on a 6.1 guest" {
	need_guest 6.1
	command -v stap >/dev/null || skip "systemtap is not installed (dist/deps test installs it)"
	km_fetch_or_update --headers 6.1 2>"$BATS_TEST_TMPDIR/err" ||
		skip "linux-headers for 6.1 cannot be downloaded: $(tail -1 "$BATS_TEST_TMPDIR/err")"
	cd "$BATS_TEST_TMPDIR"
	# Needs the System.map stap-oracle makes from the guest's kallsyms.
	run --separate-stderr "$KM/stap-oracle" --kernel 6.1 -e '
		global n
		probe kprobe.function("vfs_read") { n++ }
		probe timer.ms(200) { printf("vfs_read seen: %s\n", n > 0 ? "yes" : "no"); exit() }'
	[ "$status" -eq 0 ]
	[ "$output" = "vfs_read seen: yes" ]
}

@test "kmatrix: stap-oracle resolves kernel.function, \$variables and kernel.trace on a 6.1 guest" {
	need_guest 6.1
	command -v stap >/dev/null || skip "systemtap is not installed (dist/deps test installs it)"
	km_fetch_or_update --headers --dbg 6.1 2>"$BATS_TEST_TMPDIR/err" ||
		skip "the 6.1 kernel's headers or -dbg package cannot be downloaded: $(tail -1 "$BATS_TEST_TMPDIR/err")"
	cd "$BATS_TEST_TMPDIR"
	# $count needs the kernel's DWARF (the -dbg package), kernel.trace the
	# tracepoint headers of the -common tree: without them stap stops in pass 2.
	run --separate-stderr "$KM/stap-oracle" --kernel 6.1 -e '
		global r, s
		probe kernel.function("vfs_read") { if ($count > 0) r++ }
		probe kernel.trace("sched_switch") { s++ }
		probe timer.ms(200) {
			printf("vfs_read count: %s, sched_switch: %s\n", r > 0 ? "yes" : "no", s > 0 ? "yes" : "no")
			exit()
		}'
	[ "$status" -eq 0 ]
	[ "$output" = "vfs_read count: yes, sched_switch: yes" ]
}
