#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# kernel.statement in the qemu guests: a tool built here from the 6.1
# kernel's DWARF (Debian's -dbg package) puts a BPF kprobe on a line of
# vfs_read, which fires once per read of `dd bs=1` on 6.1, and the same
# tool refuses to start on 6.12, whose build id is another.

bats_require_minimum_version 1.5.0
load lib/common

KM=$BATS_TEST_DIRNAME/kmatrix

setup_file() {
	source "$KM/lib.sh"
	OUT=$BATS_FILE_TMPDIR/out
	mkdir -p "$OUT"
	local rel vmlinux t=$BATS_FILE_TMPDIR/t
	rel=$(km_resolve_kernel 6.1) && vmlinux=$(km_fetch_dbg "$rel") || {
		echo "Debian's 6.1 -dbg package could not be fetched" >"$OUT/skip"
		return 0
	}
	echo "$rel" >"$OUT/rel"
	mkdir -p "$t"
	"$STAPC" -o "$t/dd_read" --debuginfo "$vmlinux" "$BATS_TEST_DIRNAME/kdwarf/dd_read.stp" \
		2>"$OUT/build.err" || return 0
	"$STAPC" -o "$t/dd_func" --debuginfo "$vmlinux" "$BATS_TEST_DIRNAME/kdwarf/dd_func.stp" \
		2>>"$OUT/build.err" || return 0
	"$STAPC" -o "$t/dd_vars" --debuginfo "$vmlinux" "$BATS_TEST_DIRNAME/kdwarf/dd_vars.stp" \
		2>>"$OUT/build.err" || return 0
	# Five bytes, read one at a time: five reads and the one that finds the end.
	cat >"$t/run" <<-'EOF'
		#!/bin/sh
		head -c 5 /dev/zero >/tmp/five
		./dd_read -c 'dd if=/tmp/five of=/dev/null bs=1'
		rc=$?
		./dd_func -c 'dd if=/tmp/five of=/dev/null bs=1' >/tmp/func.out 2>/tmp/func.err
		echo "dd_func rc=$?" >&2
		sed 's/^/func: /' /tmp/func.out
		grep -v records /tmp/func.err >&2
		[ "$rc" != 0 ] || ./dd_vars -c 'dd if=/tmp/five of=/dev/null bs=1' 2>/dev/null | sed 's/^/vars: /'
		exit $rc
	EOF
	chmod +x "$t/run"
	local k
	for k in 6.1 6.12; do
		km_fetch_or_update "$k" >/dev/null 2>&1 || continue
		"$KM/run-guest" --kernel "$k" --timeout 300 --files "$t" -- ./run \
			>"$OUT/$k.out" 2>"$OUT/$k.err" && echo 0 >"$OUT/$k.rc" || echo $? >"$OUT/$k.rc"
	done
}

setup() {
	OUT=$BATS_FILE_TMPDIR/out
	[ ! -f "$OUT/skip" ] || skip "$(cat "$OUT/skip")"
	[ -f "$BATS_FILE_TMPDIR/t/dd_read" ] || {
		cat "$OUT/build.err"
		false
	}
}

need_guest() {
	[ -f "$OUT/$1.rc" ] || skip "the $1 guest kernel could not be fetched"
}

@test "kmatrix kdwarf: kernel.statement on fs/read_write.c:470 fires once per dd bs=1 read on 6.1" {
	need_guest 6.1
	cat "$OUT/6.1.err"
	[ "$(cat "$OUT/6.1.rc")" = 0 ]
	local line='kernel.statement("vfs_read@fs/read_write.c:470") vfs_read'
	diff <(grep -v '^func: \|^vars: ' "$OUT/6.1.out") <(for i in 1 2 3 4 5 6; do echo "$line"; done)
}

@test "kmatrix kdwarf: kernel.function(\"vfs_read@fs/read_write.c\") fires per read with stap's pp() on 6.1" {
	need_guest 6.1
	grep -qx 'dd_func rc=0' "$OUT/6.1.err"
	local line='func: kernel.function("vfs_read@fs/read_write.c:450")'
	diff <(grep '^func: ' "$OUT/6.1.out") <(for i in 1 2 3 4 5 6; do echo "$line"; done)
}

@test "kmatrix kdwarf: the tool stops on 6.12 with the build-id sentence" {
	need_guest 6.12
	local rel
	rel=$(cat "$OUT/rel")
	cat "$OUT/6.12.err"
	[ "$(cat "$OUT/6.12.rc")" = 1 ]
	[ ! -s "$OUT/6.12.out" ]
	grep -qx 'dd_func rc=1' "$OUT/6.12.err"
	[ "$(grep -c . "$OUT/6.12.err")" -eq 3 ] # dd_read's line, dd_func's and its rc
	grep -qx "dd_read: was built for kernel $rel (build id [0-9a-f]*), whose DWARF placed its statement probes; this is 6\.12\..* (build id [0-9a-f]*): rebuild it with this kernel's debuginfo" "$OUT/6.12.err"
}

@test "kmatrix kdwarf: \$count and \$\$vars at a statement are read from the registers the DWARF names, on 6.1" {
	need_guest 6.1
	local vars
	vars=$(sed -n 's/^vars: //p' "$OUT/6.1.out")
	[ "$(grep -c . <<<"$vars")" -eq 6 ]
	# stap reads them from the same registers (its -p3 on this DWARF: bp, r12, dx, r15, bx)
	! grep -vxE '1 file=0xff[0-9a-f]{14} buf=0x[0-9a-f]+ count=0x1 pos=0xff[0-9a-f]{14} ret=0x[0-9a-f]+' <<<"$vars"
}
