#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The user-space runtime's output formatting: printf and the print family,
# histograms, statistics. The C unit tests under tests/unit/ hold the exact
# expected bytes; this file builds them (with cc, under ASan and UBSan) and
# runs one area of them per @test.

load lib/common

# tests/run may hand us a relative O.
case $O in /*) ;; *) O=$TOP/$O ;; esac
UNIT=$O/unit
RT=$TOP/runtime/user

# The flags the top Makefile builds the compiler with, plus the sanitizers.
UNIT_CFLAGS=(-std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wstrict-prototypes
	-Wmissing-prototypes -Wno-sign-compare -O1 -g -fsanitize=address,undefined
	-fno-sanitize-recover=undefined -fno-omit-frame-pointer -I"$RT")

# build NAME RUNTIME_SOURCES...: tests/unit/NAME.c into $UNIT/NAME, the
# compiler's messages into $UNIT/NAME.log.
build() {
	local name=$1 srcs=() f
	shift
	for f in "$@"; do
		srcs+=("$RT/$f")
	done
	rm -f "$UNIT/$name"
	cc "${UNIT_CFLAGS[@]}" -o "$UNIT/$name" "${srcs[@]}" "$TOP/tests/unit/$name.c" \
		> "$UNIT/$name.log" 2>&1
}

setup_file() {
	mkdir -p "$UNIT"
	build test_format buf.c format.c || true
	build test_hist buf.c hist.c || true
	build test_stats stats.c || true
	build test_bpflog bpflog.c || true
}

# unit PROGRAM AREA...: run those areas; each must run checks and pass them.
unit() {
	local prog=$1 area
	shift
	if [ ! -x "$UNIT/$prog" ]; then
		echo "$prog did not build:"
		cat "$UNIT/$prog.log"
		return 1
	fi
	run "$UNIT/$prog" "$@"
	echo "$output"
	[ "$status" -eq 0 ]
	for area in "$@"; do
		[[ "$output" =~ (^|$'\n')"ok $area: "[1-9][0-9]*" checks, 0 failed" ]]
	done
}

@test "runtime format: the unit tests build without a warning" {
	local prog
	for prog in test_format test_hist test_stats test_bpflog; do
		[ -x "$UNIT/$prog" ] || { cat "$UNIT/$prog.log"; return 1; }
		if [ -s "$UNIT/$prog.log" ]; then
			cat "$UNIT/$prog.log"
			return 1
		fi
	done
}

@test "runtime format: an unknown area is an error, not a pass" {
	[ -x "$UNIT/test_format" ] || skip "test_format did not build"
	run "$UNIT/test_format" no_such_area
	[ "$status" -eq 2 ]
}

@test "printf: formats parse as stap's parser allows, with its messages" {
	unit test_format parse
}

@test "printf: 64-bit integers, %d %i %u %o %x %X, signs and '#'" {
	unit test_format integers
}

@test "printf: widths, precisions, the one flag, '*' arguments" {
	unit test_format widths
}

@test "printf: %s and %c, escapes of %#c, the NUL of the '0' flag" {
	unit test_format strings chars
}

@test "printf: %p is 0x and the digits" {
	unit test_format pointer
}

@test "printf: %b writes 1, 2, 4 or 8 raw bytes" {
	unit test_format binary
}

@test "printf: %m and %M dump memory; bad arguments are refused whole" {
	unit test_format memory
}

@test "print, println, printd, printdln and the sprint forms" {
	unit test_format print
}

@test "sprintf and the 8192-byte limit of one printf" {
	unit test_format sprintf limits
}

@test "runtime format: the growable output buffer" {
	unit test_format buf
}

@test "histograms: log and linear buckets, linear ranges stap refuses" {
	unit test_hist buckets
}

@test "hist_log: the charts of SystemTap's shipped example outputs" {
	unit test_hist log_examples
}

@test "hist_log: zero, negative and extreme values, bar scaling" {
	unit test_hist log scale
}

@test "hist_linear: rows, '<' and '>' buckets, the value column" {
	unit test_hist linear linear_width
}

@test "histograms: '~' elision with -DHIST_ELISION 0, 1, 2, 3 and -1" {
	unit test_hist elision
}

@test "histograms: empty is an error, a single bucket prints" {
	unit test_hist empty
}

@test "stats: @count @sum @min @max @avg @variance" {
	unit test_stats extractors
}

@test "stats: @variance bit shift, per-CPU merges, overflow as stap's" {
	unit test_stats variance_shift merge overflow
}

@test "verifier log: libbpf's one long message is kept whole, its reason found" {
	unit test_bpflog long_message no_reason
}
