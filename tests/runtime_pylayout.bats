#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# pystack()'s table of CPython frame layouts (runtime/user/pylayout.c)
# against the headers of each CPython installed here with its internal
# headers (python3.N-dev): tests/unit/test_pylayout.c, built once per
# version, compares every offset the BPF walk reads with offsetof().

load lib/common

# tests/run may hand us a relative O.
case $O in /*) ;; *) O=$TOP/$O ;; esac
UNIT=$O/unit

# The flags of the other unit tests (runtime_format.bats), with the sanitizers.
UNIT_CFLAGS=(-std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Wno-sign-compare -Wno-missing-field-initializers
	-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
	-I"$TOP/runtime/user" -I"$TOP/runtime" -I"$TOP/tests/unit")

# The versions with internal headers and a row in the table ("3.11").
covered_installed() {
	local inc v
	for inc in /usr/include/python3.*/internal/pycore_frame.h; do
		[ -f "$inc" ] || continue
		v=$(basename "$(dirname "$(dirname "$inc")")")
		v=${v#python}
		grep -q "{ ${v%%.*}, ${v#*.}," "$TOP/runtime/user/pylayout.c" && echo "$v"
	done
}

@test "pystack layouts: each covered CPython installed here has its fields where the table says" {
	local versions v
	versions=$(covered_installed)
	[ -n "$versions" ] || skip "no covered CPython with internal headers here (python3.11-dev)"
	mkdir -p "$UNIT"
	for v in $versions; do
		cc "${UNIT_CFLAGS[@]}" -I"/usr/include/python$v" -o "$UNIT/test_pylayout_$v" \
			"$TOP/runtime/user/pylayout.c" "$TOP/tests/unit/test_pylayout.c"
		run "$UNIT/test_pylayout_$v"
		echo "CPython $v:"; echo "$output"
		[ "$status" -eq 0 ]
		[[ "$output" == *"ok offsets: 14 checks, 0 failed"* ]]
		[[ "$output" == *"ok string_state: 9 checks, 0 failed"* ]]
	done
}

@test "pystack layouts: the check fails on a wrong offset, naming the field" {
	local versions v
	versions=$(covered_installed)
	[ -n "$versions" ] || skip "no covered CPython with internal headers here (python3.11-dev)"
	v=${versions%%$'\n'*}
	mkdir -p "$UNIT"
	sed 's/\.frame_previous = \([0-9]*\)/.frame_previous = 1 + \1/' "$TOP/runtime/user/pylayout.c" \
		> "$BATS_TEST_TMPDIR/pylayout.c"
	cc "${UNIT_CFLAGS[@]}" -I"/usr/include/python$v" -o "$BATS_TEST_TMPDIR/t" \
		"$BATS_TEST_TMPDIR/pylayout.c" "$TOP/tests/unit/test_pylayout.c"
	run "$BATS_TEST_TMPDIR/t" offsets
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"FAILED: l->frame_previous == offsetof(_PyInterpreterFrame, previous)"* ]]
}
