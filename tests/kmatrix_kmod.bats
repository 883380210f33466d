#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The kernel-module backend end to end (issue 15's first slice): tools built
# here with --backend=module for Debian's 6.1 and 6.12 kernels (one tool
# carrying both modules) run in one boot of each guest beside the BPF build
# of the same script, under the same workload, and must print the same;
# after each, no module is left loaded. Modules do not load on this host
# (no CONFIG_MODULES): the guests are where they run. Needs the kernels'
# headers (dist/fetch-kernel-headers) and qemu; skips, saying why, without.

bats_require_minimum_version 1.5.0
load lib/common

KM=$BATS_TEST_DIRNAME/kmatrix
KERNELS=${STAPC_KMATRIX_KERNELS:-6.1 6.12}
SCRIPTS="kread kexec kerr karr kfull ktimer kfmt kmaxerr"
# The seed examples (tool name, script), built into mod/ and bpf/ under one name.
SEEDS="hello:hello killwatch:kill openwatch:open iotop:iotop iotop2:iotop2"

setup_file() {
	source "$KM/lib.sh"
	source "$KM/places.bash"
	STATE=$BATS_FILE_TMPDIR/state OUT=$BATS_FILE_TMPDIR/out
	mkdir -p "$STATE" "$OUT"
	if ! km_install_host_tools 2>"$STATE/tools.err"; then
		echo "host tools missing: $(tail -1 "$STATE/tools.err")" >"$STATE/skip"
		return 0
	fi
	local k rel kernels=() t=$BATS_FILE_TMPDIR/t s
	for k in $KERNELS; do
		km_fetch "$k" || continue
		rel=$(km_resolve_kernel "$k")
		if ! "$TOP/dist/fetch-kernel-headers" "$rel" >/dev/null 2>"$STATE/headers-$k.err"; then
			echo "the headers of $rel cannot be fetched: $(tail -1 "$STATE/headers-$k.err")" \
				>"$STATE/skip-$k"
			continue
		fi
		kernels+=(--kernel "$rel")
		echo "$rel" >"$STATE/rel-$k"
	done
	[ ${#kernels[@]} -gt 0 ] || return 0
	mkdir -p "$t"
	cp "$KM/kmod/run-all" "$KM/kmod/lifecycle" "$KM/kmod/seed" "$t/"
	mkdir -p "$t/mod" "$t/bpf"
	for s in $SCRIPTS; do
		local flags=()
		[ "$s" != kmaxerr ] || flags=(-DMAXERRORS=2)
		"$STAPC" "${flags[@]}" --backend=module "${kernels[@]}" -o "$t/$s-mod" \
			"$KM/kmod/$s.stp" 2>"$STATE/build-$s.err" || echo "$s" >>"$STATE/build-failed"
		"$STAPC" "${flags[@]}" -o "$t/$s-bpf" "$KM/kmod/$s.stp" 2>>"$STATE/build-$s.err" ||
			echo "$s" >>"$STATE/build-failed"
	done
	for s in $SEEDS; do
		"$STAPC" --backend=module "${kernels[@]}" -o "$t/mod/${s%%:*}" \
			"$TOP/examples/${s#*:}.stp" 2>"$STATE/build-${s%%:*}.err" ||
			echo "${s%%:*}" >>"$STATE/build-failed"
		"$STAPC" -o "$t/bpf/${s%%:*}" "$TOP/examples/${s#*:}.stp" \
			2>>"$STATE/build-${s%%:*}.err" || echo "${s%%:*}" >>"$STATE/build-failed"
	done
	[ -e "$STATE/build-failed" ] && return 0
	for k in $KERNELS; do
		[ -e "$STATE/rel-$k" ] && km_run_guest "$k" "$t" 600
	done
}

setup() {
	source "$KM/lib.sh"
	source "$KM/places.bash"
	STATE=$BATS_FILE_TMPDIR/state
	OUT=$BATS_FILE_TMPDIR/out
	[ ! -e "$STATE/skip" ] || skip "$(cat "$STATE/skip")"
}

# in_guest K - skips unless kernel K's tools were built and its guest booted.
in_guest() {
	[ ! -e "$STATE/skip-$1" ] || skip "$(cat "$STATE/skip-$1")"
	if [ -e "$STATE/build-failed" ]; then
		cat "$STATE"/build-*.err
		return 1
	fi
	[ -e "$OUT/$1.rc" ] || skip "kernel $1 was not booted"
	if [ "$(cat "$OUT/$1.rc")" != 0 ]; then
		cat "$OUT/$1.log"
		tail -30 "$OUT/$1.console"
		return 1
	fi
}

# same_output K SCRIPT [RC] - the module build printed what the BPF build did
# (stdout and stderr), both exiting with RC (default 0).
same_output() {
	local k=$1 s=$2 rc=${3:-0} out=$OUT/$1
	[ "$(km_case_rc "$out" "$s-mod")" = "$rc" ] || { cat "$out/$s-mod/stderr"; return 1; }
	[ "$(km_case_rc "$out" "$s-bpf")" = "$rc" ] || { cat "$out/$s-bpf/stderr"; return 1; }
	diff -u "$out/$s-bpf/stdout" "$out/$s-mod/stdout"
	diff -u "$out/$s-bpf/stderr" "$out/$s-mod/stderr"
}

check_kernel() {
	local k=$1 out=$OUT/$1
	in_guest "$k"
	same_output "$k" kread
	same_output "$k" kexec
	# Run-time errors: one caught (try/catch), one that ends the run.
	same_output "$k" kerr 1
	grep -qx 'caught at 2: division by 0' "$out/kerr-mod/stdout"
	grep -qx "ERROR: division by 0 near operator '/' at kerr.stp:14:21" "$out/kerr-mod/stderr"
	# What the scripts print, so that "the same" is not "both empty".
	grep -qx 'reads=5 ones=5' "$out/kread-mod/stdout"
	[ "$(grep -c '^read [1-5] by dd count=1$' "$out/kread-mod/stdout")" = 5 ]
	grep -qx 'exec true old_pid_is_target=1' "$out/kexec-mod/stdout"
	# Arrays and statistics of kernel probes, read by the tool.
	same_output "$k" karr
	grep -qx 'dd target=1 bytes=35' "$out/karr-mod/stdout"
	grep -qx 'count=5 min=7 max=7 sum=35 avg=7' "$out/karr-mod/stdout"
	grep -qx 'third read: count=3 sum=21' "$out/karr-mod/stdout"
	grep -qx 'all\[7\] count=5' "$out/karr-mod/stdout"
	grep -qx 'seen\[7\]=c7' "$out/karr-mod/stdout"
	grep -qE '^ +4 \|@@@@@ +5$' "$out/karr-mod/stdout"
	# A full array: stap's error ends the run.
	same_output "$k" kfull 1
	grep -qx "ERROR: Array overflow, check size limit (3) near identifier 'a' at kfull.stp:6:3" \
		"$out/kfull-mod/stderr"
	# Timers in the kernel: hrtimers, one per CPU for timer.profile.
	same_output "$k" ktimer
	grep -qx 'fired=3 ticks>0=1 pid>=0=1' "$out/ktimer-mod/stdout"
	grep -qx 'cpus with ticks=1' "$out/ktimer-mod/stdout"
	# printf's formats; MAXERRORS=2: two errors reported, the third ends the run.
	same_output "$k" kfmt
	grep -qx '3|    1|1    |00001|+1|ff|FF|0xff|10|010|18446744073709551615' "$out/kfmt-mod/stdout"
	grep -qx 'dd|         r|l         |ab|A|%|0x0' "$out/kfmt-mod/stdout"
	grep -qx '2-dd' "$out/kfmt-mod/stdout"
	same_output "$k" kmaxerr 1
	[ "$(grep -c '^ERROR: error [123]$' "$out/kmaxerr-mod/stderr")" = 3 ]
	grep -qx 'WARNING: Number of errors: 3, skipped probes: 0' "$out/kmaxerr-mod/stderr"
	# The seed examples.
	local e
	for e in hello killwatch openwatch iotop iotop2; do
		same_output "$k" "$e"
	done
	grep -qx 'hello world' "$out/hello-mod/stdout"
	grep -qx 'SIGKILL was sent to sleep (pid:N) by sh uid:0' "$out/killwatch-mod/stdout"
	grep -qx 'dd: "data"' "$out/openwatch-mod/stdout"
	grep -qE '^ +dd\s+2048\s+2048$' "$out/iotop-mod/stdout"
	grep -qE '^reads\["dd"\] @count=7 ' "$out/iotop2-mod/stdout"
	# Every module was removed when its tool ended.
	! grep stapc_ "$out/modules-mod/stdout"
}

@test "6.1 guest: module builds print what BPF builds print; none stays loaded" {
	check_kernel 6.1
}

@test "6.12 guest: the same tools (one module per kernel inside) print the same" {
	check_kernel 6.12
}

# lifecycle_of K - the facts tests/kmatrix/kmod/lifecycle printed in kernel K's guest.
lifecycle_of() {
	in_guest "$1"
	[ "$(km_case_rc "$OUT/$1" lifecycle)" = 0 ] || { cat "$OUT/$1/lifecycle/stderr"; return 1; }
	cat "$OUT/$1/lifecycle/stdout"
}

@test "6.1 guest: -T, SIGTERM and SIGINT remove the module; two runs at once have two" {
	run lifecycle_of 6.1
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"T rc=0 left=0"* ]]
	[[ "$output" == *"TERM rc=0 left=0 end=1"* ]]
	[[ "$output" == *"INT rc=0 left=0 end=1"* ]]
	[[ "$output" == *"two loaded=2"* ]]
	[[ "$output" == *"two rc=0,0 left=0"* ]]
}

@test "6.1 guest: after SIGKILL the module stays, probes off, and the next start removes it" {
	run lifecycle_of 6.1
	[ "$status" -eq 0 ]
	[[ "$output" == *"KILL left=1"* ]]
	[[ "$output" == *"next rc=0 left=0 removed=1"* ]]
}
