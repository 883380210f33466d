#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The tool runtime (runtime/user) is layered: no file calls or includes
# its way back to itself (tests/runtime-graph), so each can be read and
# replaced knowing only those below it. The second test shows the check
# can fail: on two files that call each other it names both and the calls.

load lib/common

# tests/run may hand us a relative O.
case $O in /*) ;; *) O=$TOP/$O ;; esac

@test "runtime graph: no file of runtime/user calls or includes its way back to itself" {
	[ -d "$O/obj/runtime/user" ] || skip "the runtime is not built (make all)"
	run "$TOP/tests/runtime-graph" --objs "$O/obj/runtime/user"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "runtime graph: a circle of calls or includes fails the check, edge by edge" {
	dir=$BATS_TEST_TMPDIR/circle
	mkdir -p "$dir"
	printf '#pragma once\n#include "b.h"\nint a(void);\n' > "$dir/a.h"
	printf '#pragma once\n#include "a.h"\nint b(void);\n' > "$dir/b.h"
	printf '#include "a.h"\nint a(void) { return b(); }\n' > "$dir/a.c"
	printf '#include "b.h"\nint b(void) { return a(); }\nint c(void) { return 0; }\n' > "$dir/b.c"
	printf 'int c(void);\nint d(void) { return c(); }\n' > "$dir/d.c"
	for f in a b d; do
		cc -c -o "$dir/$f.o" "$dir/$f.c"
	done
	run "$TOP/tests/runtime-graph" --src "$dir" --objs "$dir"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"include cycle among a.h, b.h:"* ]]
	[[ $output == *"a.h -> b.h: #include"* ]]
	[[ $output == *"call cycle among a.c, b.c:"* ]]
	[[ $output == *"  a.c -> b.c: b"* ]]
	[[ $output == *"  b.c -> a.c: a"* ]]
	[[ $output != *"d.c"* ]]
}
