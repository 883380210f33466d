#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# kernel.statement from the kernel's DWARF (--debuginfo), built on this host
# from Debian's 6.1 -dbg package (tests/kmatrix/fetch-kernel --dbg, cached
# once): which lines a pattern names, as stap -p2 lists them on the same
# DWARF; the cache that makes a second build fast; the errors; and a tool
# that refuses to run on a kernel other than the DWARF's (this host's).

load lib/common
bats_require_minimum_version 1.5.0

KM=$BATS_TEST_DIRNAME/kmatrix

setup_file() {
	source "$KM/lib.sh"
	local rel
	rel=$(km_resolve_kernel 6.1 2>/dev/null) && vmlinux=$(km_fetch_dbg "$rel" 2>/dev/null) &&
		[ -f "$vmlinux" ] && echo "$vmlinux" >"$BATS_FILE_TMPDIR/vmlinux"
	[ -n "${rel:-}" ] && echo "$rel" >"$BATS_FILE_TMPDIR/rel"
	return 0
}

setup() {
	[ -f "$BATS_FILE_TMPDIR/vmlinux" ] ||
		skip "Debian's 6.1 -dbg package (the kernel's DWARF) could not be fetched"
	V=$(cat "$BATS_FILE_TMPDIR/vmlinux")
	REL=$(cat "$BATS_FILE_TMPDIR/rel")
	export XDG_CACHE_HOME=$BATS_FILE_TMPDIR/cache
}

# The statements of a -p2 listing, as pp() names them.
statements() {
	grep -o '^kernel.statement("[^"]*")' | LC_ALL=C sort
}

@test "p2 kdwarf: vfs_read@fs/read_write.c:* lists the lines stap -p2 lists" {
	run -0 "$STAPC_ASAN" -p2 --debuginfo "$V" \
		-e 'probe kernel.statement("vfs_read@fs/read_write.c:*") { log(pp()) }'
	diff <(printf '%s\n' "$output" | statements) <(LC_ALL=C sort "$BATS_TEST_DIRNAME/kdwarf/vfs_read.p2")
}

# Each statement's address, stap's (_stext+X) and ours (SYMBOL+X), as one number.
addresses() {
	local nm=$1 pp sym off
	local -A at
	while read -r addr _ sym; do
		[ -n "${at[$sym]:-}" ] || at[$sym]=$addr
	done < <(awk '$3 == "_stext" || $3 == "vfs_read"' "$nm")
	sed -n 's/^kernel.statement("\([^"]*\)") \/\* pc=\([^ +]*\)+*\([^ ]*\) \*\/.*/\1 \2 \3/p' |
		while read -r pp sym off; do
			printf '%s %x\n' "$pp" $((16#${at[$sym]} + ${off:-0}))
		done | LC_ALL=C sort
}

@test "p2 kdwarf: each statement is at the address stap -p2 puts it (same -dbg DWARF)" {
	have_stap || skip "stap is not installed"
	source "$KM/lib.sh"
	local build dbg
	build=$(km_fetch_headers "$REL" 2>/dev/null) || skip "no linux-headers-$REL"
	dbg=$(km_stap_debuginfo "$REL") || skip "no -dbg for stap"
	local script='probe kernel.statement("vfs_read@fs/read_write.c:*") { log(pp()) }'
	SYSTEMTAP_DEBUGINFO_PATH=$dbg stap -p2 -r "$build" -e "$script" >"$BATS_TEST_TMPDIR/stap" 2>&1 ||
		skip "stap -p2 failed: $(tail -1 "$BATS_TEST_TMPDIR/stap")"
	"$STAPC" -p2 --debuginfo "$V" -e "$script" >"$BATS_TEST_TMPDIR/ours"
	nm "$V" >"$BATS_TEST_TMPDIR/nm"
	run addresses "$BATS_TEST_TMPDIR/nm" <"$BATS_TEST_TMPDIR/ours"
	local ours=$output
	[ "$(wc -l <<<"$ours")" -eq 21 ]
	diff <(printf '%s\n' "$ours") <(addresses "$BATS_TEST_TMPDIR/nm" <"$BATS_TEST_TMPDIR/stap")
}

@test "p2 kdwarf: a second build reads the cache, under the kernel's build id, not the DWARF" {
	local script='probe kernel.statement("vfs_r*@fs/read_write.c:470-471") { log(pp()) }'
	run -0 "$STAPC" -v -p2 --debuginfo "$V" -e "$script"
	[[ "$output" == *'"vfs_r*@fs/read_write.c:470-471": 1 statement, from '"$V"* ]]
	local id
	id=$(readelf -n "$V" | sed -n 's/^ *Build ID: //p' | head -1)
	[ -n "$id" ]
	run -0 "$STAPC" -v -p2 --debuginfo "$V" -e "$script"
	[[ "$output" == *"1 statement, from $XDG_CACHE_HOME/stapc/kdwarf/$id/"* ]]
	[[ "$output" == *'kernel.statement("vfs_read@fs/read_write.c:470") /* pc=vfs_read+0x'* ]]
}

@test "p2 kdwarf: another machine's build folder in front of FILE is matched inside the tree, with a warning" {
	run -0 "$STAPC_ASAN" -p2 --debuginfo "$V" \
		-e 'probe kernel.statement("*@/build/linux-8h04gD/linux-4.13.0/fs/read_write.c:470") { log(pp()) }'
	[[ "${lines[0]}" == "<input>:1:24: warning: '/build/linux-8h04gD/linux-4.13.0/' is not where this kernel was built: matching 'fs/read_write.c' inside its source tree" ]]
	[ "$(printf '%s\n' "$output" | statements)" = 'kernel.statement("vfs_read@fs/read_write.c:470")' ]
}

@test "p2 kdwarf: bad patterns are errors at their place" {
	run -1 "$STAPC_ASAN" -p2 -e 'probe kernel.statement("vfs_read@fs/read_write.c:470") {}'
	[[ "${lines[0]}" == "<input>:1:24: error: kernel.statement needs the target kernel's DWARF: name its vmlinux with --debuginfo PATH"* ]]
	run -1 "$STAPC_ASAN" -p2 --debuginfo "$V" -e 'probe kernel.statement("vfs_read") {}'
	[[ "${lines[0]}" == '<input>:1:24: error: kernel.statement("vfs_read") names no source line: write "FUNCTION@FILE:LINE" (LINE: N, N-M or *) or "FUNCTION@FILE+N"' ]]
	[[ "${lines[2]}" == *'^~~~~~~~~~' ]]
	run -1 "$STAPC_ASAN" -p2 --debuginfo "$V" -e 'probe kernel.statement("vfs_read@fs/read_write.c:4x") {}'
	[[ "${lines[0]}" == "<input>:1:24: error: '4x' is not a line: write N, N-M or *" ]]
	run -1 "$STAPC_ASAN" -p2 --debuginfo "$V" -e 'probe kernel.statement("vfs_read@fs/read_write.c:453") {}'
	[[ "${lines[0]}" == "<input>:1:24: error: no statement of the kernel's DWARF matches 'vfs_read@fs/read_write.c:453'" ]]
	run -1 "$STAPC_ASAN" -p2 --debuginfo "$V" -e 'probe kernel.statement("*@drivers/tty/vt/vt.c:*") {}'
	[[ "${lines[0]}" == "<input>:1:24: error: '*@drivers/tty/vt/vt.c:*' names "*" statements; a tool probes at most 1000 from one pattern: narrow it" ]]
	run -1 "$STAPC_ASAN" -p2 --debuginfo /etc/passwd -e 'probe kernel.statement("vfs_read@fs/read_write.c:470") {}'
	[[ "$output" == *"/etc/passwd is not a kernel image with a build id"* ]]
	# An optional point that matches nothing is no error.
	run -0 "$STAPC_ASAN" -p2 --debuginfo "$V" -e 'probe kernel.statement("vfs_read@fs/read_write.c:453") ?, begin {}'
}

@test "p2 kdwarf: a tool built from 6.1's DWARF stops on this host's kernel with one line" {
	[ "$(uname -r)" != "$REL" ] || skip "this host runs $REL itself"
	"$STAPC" -o "$BATS_TEST_TMPDIR/t" --debuginfo "$V" "$BATS_TEST_DIRNAME/kdwarf/dd_read.stp"
	run -1 --separate-stderr "$BATS_TEST_TMPDIR/t"
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "t: was built for kernel $REL (build id "*"), whose DWARF placed its statement probes; this is $(uname -r) (build id "*"): rebuild it with this kernel's debuginfo" ]]
}

@test "p2 kdwarf: kernel.function(\"*@fs/read_write.c\") is the file's functions (not inlined), named as stap's pp() names them" {
	run -0 "$STAPC_ASAN" -p2 --debuginfo "$V" -e 'probe kernel.function("*@fs/read_write.c") { log(pp()) }'
	local fns
	fns=$(grep -o '^kernel.function("[^"]*")' <<<"$output")
	grep -qx 'kernel.function("vfs_read@fs/read_write.c:450")' <<<"$fns"
	grep -qx 'kernel.function("ksys_write@fs/read_write.c:626")' <<<"$fns"
	# Every one of them in that file, no other
	! grep -v '@fs/read_write.c:[0-9]*")$' <<<"$fns"
	[ "$(wc -l <<<"$fns")" -gt 50 ]
	# f@file:N is the function that holds line N, as stap says it
	run -0 "$STAPC_ASAN" -p2 --debuginfo "$V" -e 'probe kernel.function("vfs_read@fs/read_write.c:470") { log(pp()) }'
	[ "$(grep -o '^kernel.function("[^"]*")' <<<"$output")" = 'kernel.function("vfs_read@fs/read_write.c:450")' ]
	run -1 "$STAPC_ASAN" -p2 --debuginfo "$V" -e 'probe kernel.function("nosuch@fs/read_write.c") {}'
	[[ "${lines[0]}" == "<input>:1:23: error: no function of the kernel's DWARF matches 'nosuch@fs/read_write.c'" ]]
	run -1 "$STAPC_ASAN" -p2 -e 'probe kernel.function("*@fs/read_write.c") {}'
	[[ "${lines[0]}" == "<input>:1:23: error: which kernel functions are in 'fs/read_write.c' is known from the kernel's DWARF: name its vmlinux with --debuginfo PATH, or match on the function's name alone" ]]
}

@test "p2 kdwarf: FUNC@FILE+N is line N after the function's declaration, as stap counts" {
	run -0 "$STAPC_ASAN" -p2 --debuginfo "$V" -e 'probe kernel.statement("vfs_read@fs/read_write.c+20") { log(pp()) }'
	[ "$(printf '%s\n' "$output" | statements)" = 'kernel.statement("vfs_read@fs/read_write.c:470")' ]
	run -1 "$STAPC_ASAN" -p2 --debuginfo "$V" -e 'probe kernel.statement("vfs_read@fs/read_write.c+x") {}'
	[[ "${lines[0]}" == "<input>:1:24: error: '+x' is not a line: write +N, N lines after the function's first" ]]
}

@test "p2 kdwarf: \$var at a statement reads the register its DWARF location names there" {
	run -0 "$STAPC_ASAN" -p3 --debuginfo "$V" \
		-e 'probe kernel.statement("vfs_read@fs/read_write.c:470") { println($count); println($$locals) }'
	# count in rdx (DW_OP_reg1), ret in rbx (DW_OP_reg3): what stap -p3 reads on this DWARF
	[[ "$output" == *'((struct pt_regs *)ctx)->dx'* ]]
	[[ "$output" == *'((struct pt_regs *)ctx)->bx'* ]]
	[[ "$output" == *'"ret=%#x"'* ]]
	run -1 "$STAPC_ASAN" -p2 --debuginfo "$V" \
		-e 'probe kernel.statement("vfs_read@fs/read_write.c:470") { println($nosuch) }'
	[[ "$output" == *'$nosuch'* ]]
}
