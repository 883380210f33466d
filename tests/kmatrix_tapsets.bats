#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The tapset aliases that prefer a kernel function and fall back to a
# tracepoint (ioblock.*, vm.pagefault, kprocess.start, tcp.*, udp.*,
# netdev.transmit), and those only a kernel function gives
# (scheduler.cpu_on, tcp/udp.disconnect, vm.pagefault.return, netdev's
# device configuration, tcp.receive), checked
# against workloads that know their numbers (tkload: N pages touched, N
# bytes sent, N blocks read). The tools of tests/kmatrix/tapsets/ are built
# here once and run by the same case list (run-all) on the host, which has
# no kprobes and no fentry (tracepoints, or one "cannot probe" line), and
# in one boot of each guest kernel (Debian's 6.1 and 6.12: the kernel
# functions).

bats_require_minimum_version 1.5.0
load lib/common

KM=$BATS_TEST_DIRNAME/kmatrix
KERNELS=${STAPC_KMATRIX_KERNELS:-6.1 6.12}

setup_file() {
	source "$KM/lib.sh"
	source "$KM/places.bash"
	STATE=$BATS_FILE_TMPDIR/state OUT=$BATS_FILE_TMPDIR/out
	mkdir -p "$STATE"
	local t=$BATS_FILE_TMPDIR/t k rel
	km_build_tools "$t" "$KM"/tapsets/*.stp
	${CC:-gcc} -O2 -Wall -static -o "$t/tkload" "$KM/tapsets/tkload.c" 2>>"$STATE/build.err" ||
		echo "tkload.c: gcc -static failed" >>"$STATE/build.err"
	cp "$KM/tapsets/run-all" "$t/"
	km_run_host "$t"
	if ! km_install_host_tools 2>"$STATE/tools.err"; then
		echo "host tools missing: $(tail -1 "$STATE/tools.err")" >"$STATE/skip-tools"
		return 0
	fi
	for k in $KERNELS; do
		km_fetch "$k" || continue
		# Debian builds the loop driver as a module: the guest loads it.
		rel=$(km_resolve_kernel "$k")
		mkdir -p "$t/mod/$rel"
		km_image_module "$rel" loop "$t/mod/$rel/loop.ko" 2>>"$STATE/fetch-$k.err" || true
		km_run_guest "$k" "$t" 600
	done
}

setup() {
	source "$KM/lib.sh"
	source "$KM/places.bash"
	STATE=$BATS_FILE_TMPDIR/state
	OUT=$BATS_FILE_TMPDIR/out
}

# The number after WORD in a case's output: num WHERE CASE WORD...
num() {
	local w=$1 c=$2
	shift 2
	out_of "$w" "$c" | sed -nE "s/.*(^| )$* ([0-9-]+).*/\2/p" | head -1
}

# check_case WHERE CASE - whether a case's numbers are right there.
check_case() {
	local w=$1 c=$2 out
	out=$(out_of "$w" "$c")
	case $c in
	tk-io)
		[ "$(rc_of "$w" "$c")" = 0 ] || return 1
		# 16 blocks of 4 KiB read with O_DIRECT: one bio each (more if
		# udev reads the new device as well).
		[ "$(num "$w" "$c" request)" -ge 16 ] && [ "$(num "$w" "$c" size)" -ge 65536 ] &&
			[ "$(num "$w" "$c" reads)" -ge 16 ] && [ "$(num "$w" "$c" end)" -ge 16 ] ;;
	tk-modwild)
		# No kprobes on the host; in a guest, the driver's functions
		# this kernel has, found there, each named as it was matched.
		if [ "$w" = host ]; then
			[ "$(rc_of "$w" "$c")" = 1 ] &&
				[[ "$(err_of "$w" "$c" | tail -1)" == *'cannot probe module("loop").function("lo*"): kernel '*' can probe no kernel function'* ]]
			return
		fi
		[ "$(rc_of "$w" "$c")" = 0 ] || return 1
		grep -qx 'called loop_queue_rq' <<<"$out" &&
			grep -qx 'module("loop").function("loop_queue_rq")' <<<"$out" &&
			! grep -v -e '^called lo' -e '^module("loop")\.function("lo[^"]*")$' <<<"$out" ;;
	tk-pf-pages)
		[ "$(rc_of "$w" "$c")" = 0 ] || return 1
		[ "$(num "$w" "$c" pagefault)" -ge 256 ] && [ "$(num "$w" "$c" write)" -ge 256 ] ;;
	tk-pf-fork)
		[ "$(rc_of "$w" "$c")" = 0 ] || return 1
		[ "$(num "$w" "$c" start)" = 5 ] ;;
	tk-net)
		[ "$(rc_of "$w" "$c")" = 0 ] || return 1
		local tport uport
		tport=$(sed -nE 's/^tcp port ([0-9]+) udp port ([0-9]+)$/\1/p' <<<"$out")
		uport=$(sed -nE 's/^tcp port ([0-9]+) udp port ([0-9]+)$/\2/p' <<<"$out")
		[ -n "$tport" ] && [ -n "$uport" ] &&
			grep -qx 'tcp.sendmsg calls 10 size 10000' <<<"$out" &&
			grep -qx 'tcp.sendmsg.return size 10000' <<<"$out" &&
			[ "$(num "$w" "$c" tcp.recvmsg calls)" -ge 1 ] &&
			grep -qx 'tcp.recvmsg.return size 10000' <<<"$out" &&
			grep -qx "tcp.recvmsg port $tport" <<<"$out" &&
			grep -qx 'udp.sendmsg size 500' <<<"$out" &&
			grep -qx "udp.sendmsg port $uport" <<<"$out" &&
			grep -qx 'udp.recvmsg.return size 500' <<<"$out" &&
			[ "$(num "$w" "$c" lo transmit)" -ge 10 ] && [ "$(num "$w" "$c" receive)" -ge 10 ] ;;
	tk-konly)
		if [ "$w" = host ]; then
			[ "$(rc_of "$w" "$c")" = 1 ] && [ -z "$(sed '/^tcp port/d' <<<"$out")" ] &&
				[[ "$(err_of "$w" "$c" | grep -v ' is not possible on this kernel$')" =~ ^tk-konly:\ cannot\ probe\ kprobe\.function\(\"finish_task_switch\.isra\.0\"\):\ kernel\ [^\ ]+\ can\ probe\ no\ kernel\ function ]]
			return
		fi
		[ "$(rc_of "$w" "$c")" = 0 ] || return 1
		local on
		on=$(num "$w" "$c" cpu_on)
		[ "$on" -ge 1 ] && [ "$(num "$w" "$c" prev)" = "$on" ] &&
			[ "$(num "$w" "$c" tcp.disconnect)" = 1 ] && [ "$(num "$w" "$c" udp.disconnect)" = 1 ] &&
			[ "$(num "$w" "$c" minor)" -ge 16 ] ;;
	tk-nfsd)
		[ "$(rc_of "$w" "$c")" = 0 ] && [ "$out" = $'started\nnfsd calls 0' ] ;;
	tk-netdev)
		if [ "$w" = host ]; then
			[ "$(rc_of "$w" "$c")" = 1 ] && [ -z "$out" ] &&
				[[ "$(err_of "$w" "$c" | tail -1)" == *'cannot probe kernel.function("dev_ioctl").call: kernel '*' can probe no kernel function'* ]]
			return
		fi
		# Two SIOCSIFMTU ioctls naming lo, each a change of its MTU; no
		# device registered, promiscuous or given a MAC address.
		[ "$(rc_of "$w" "$c")" = 0 ] &&
			[ "$out" = $'change_mtu lo 65536 -> 1400\nchange_mtu lo 1400 -> 65536\nSIOCSIFMTU 2 get_stats 1' ] ;;
	tk-tcprecv)
		if [ "$w" = host ]; then
			[ "$(rc_of "$w" "$c")" = 1 ] && [ -z "$(sed '/^tcp port/d' <<<"$out")" ] &&
				[[ "$(err_of "$w" "$c" | tail -1)" == *'cannot probe kernel.function("tcp_v4_rcv").call: kernel '*' can probe no kernel function'* ]]
			return
		fi
		# The listener's port, as tkload prints it: one handshake to it, data, and the RST.
		local tport
		tport=$(sed -nE 's/^tcp port ([0-9]+) udp port [0-9]+$/\1/p' <<<"$out")
		[ "$(rc_of "$w" "$c")" = 0 ] && [ -n "$tport" ] &&
			[ "$(grep -c '^handshake' <<<"$out")" = 1 ] &&
			grep -qx "handshake port $tport rst 1 data 1" <<<"$out" ;;
	*)
		return 1 ;;
	esac
}

# check_variants WHERE CASE - whether the case's tool attached what it
# should there: tracepoints on the host, kernel functions in the guests.
check_variants() {
	local w=$1 c=$2 v
	v=$(variants_of "$w" "$c")
	if [ "$w" = host ]; then
		case $c in
		tk-konly | tk-modwild) [ -z "$v" ] ;;
		tk-nfsd | tk-netdev | tk-tcprecv) [ -z "$v" ] ;;
		tk-pf-*) [ "$v" = "BTF tracepoint,tracepoint" ] ;;
		*) [ "$v" = "BTF tracepoint" ] ;;
		esac
		return
	fi
	case $c in
	tk-io | tk-pf-*) [ "$v" = fentry ] ;;
	# One kprobe_multi link where the kernel has them; Debian's 6.1 has no
	# fprobe (CONFIG_FPROBE): a kprobe each.
	tk-modwild) if [ "$w" = 6.1 ]; then [ "$v" = "a kprobe each" ]; else [ "$v" = kprobe_multi ]; fi ;;
	# netdev.receive stays on its tracepoint (see tapset/networking.stp).
	tk-net) [ "$v" = "BTF tracepoint,fentry,fexit" ] ;;
	# scheduler.cpu_on: finish_task_switch.isra.0 is not in BTF: a kprobe.
	tk-konly) [ "$v" = "fentry,fexit,kprobe" ] ;;
	# No nfsd module loaded: nothing to attach, and no error.
	tk-nfsd) [ -z "$v" ] ;;
	tk-netdev | tk-tcprecv) [ "$v" = fentry ] ;;
	esac
}

CASES="tk-io tk-modwild tk-pf-pages tk-pf-fork tk-net tk-konly tk-nfsd tk-netdev tk-tcprecv"


# check_place WHERE - every case there, with what failed shown.
check_place() {
	local w=$1 c bad=0
	for c in $CASES; do
		if ! check_case "$w" "$c" || ! check_variants "$w" "$c"; then
			echo "FAIL: $c on $w (variants: $(variants_of "$w" "$c"))"
			show_case "$w" "$c"
			bad=1
		fi
	done
	[ "$bad" = 0 ]
}

@test "kmatrix tapsets: every tool was built once, on this host" {
	[ ! -s "$STATE/build.err" ] || { cat "$STATE/build.err"; false; }
	run -0 readelf -d "$BATS_FILE_TMPDIR/t/tk-net"
	[[ "$output" != *NEEDED* ]]
}

@test "kmatrix tapsets: on the host, the tracepoint fallbacks count what the workloads did; kernel-only probes stop in one line" {
	cat "$OUT/host.log"
	check_place host
}

@test "kmatrix tapsets: in the 6.1 guest, the kernel functions count the same" {
	need_guest 6.1
	guest_ran 6.1
	check_place 6.1
}

@test "kmatrix tapsets: in the 6.12 guest, the kernel functions count the same" {
	need_guest 6.12
	guest_ran 6.12
	check_place 6.12
}

@test "kmatrix tapsets: the table, case x kernel -> variants used, pass/fail" {
	local table=$BATS_FILE_TMPDIR/table w c cell bad=0
	{
		printf '%-12s' case
		for w in $(places); do printf ' | %-36s' "$w"; done
		echo
		for c in $CASES; do
			printf '%-12s' "$c"
			for w in $(places); do
				if check_case "$w" "$c" && check_variants "$w" "$c"; then
					cell=pass
				else
					cell=FAIL bad=1
				fi
				cell="$cell ($(variants_of "$w" "$c" | sed 's/^$/-/'))"
				printf ' | %-36s' "$cell"
			done
			echo
		done
	} >"$table"
	sed 's/^/# /' "$table" >&3
	cat "$table"
	[ "$bad" = 0 ]
}
