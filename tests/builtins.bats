#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The built-in table (stapc/builtins/) against the tapsets: each function a
# tapset declares with the pragma 'builtin' has one row of the same name,
# signature and purity, and each row such a declaration.

load lib/common

# tests/run may hand us a relative O.
case $O in /*) ;; *) O=$TOP/$O ;; esac
UNIT=$O/unit

# What the tapsets declare, as "NAME TYPE(ARGTYPES) pure|impure", sorted.
declared() {
	grep -h '/\* builtin \*/' "$TOP"/tapset/*.stp | sed -E \
		-e 's/^function +([A-Za-z_0-9]+) *(:([a-z]+))? *\(([^)]*)\)(.*)$/\1 \3(\4)\5/' \
		-e 's/[A-Za-z_0-9]+:([a-z]+)/\1/g' -e 's/ *, */,/g' -e 's/^([^ ]+) \(/\1 void(/' \
		-e 's/\( */(/' -e 's/ *\)/)/' \
		-e 's/^([^ ]+ [^ ]+) .*\/\* pure \*\/.*$/\1 pure/' \
		-e 's/^([^ ]+ [^ ]+) .*%\{.*$/\1 impure/' | sort
}

@test "builtins: the table builds into a program that lists it" {
	mkdir -p "$UNIT"
	link_with_compiler "$UNIT/test_builtins" "$TOP/tests/unit/test_builtins.c"
	run "$UNIT/test_builtins"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -gt 80 ]
}

@test "builtins: every tapset builtin has one row of the same signature, and every row one" {
	[ -x "$UNIT/test_builtins" ]
	declared > "$UNIT/builtins.declared"
	"$UNIT/test_builtins" > "$UNIT/builtins.table.raw"
	sort "$UNIT/builtins.table.raw" > "$UNIT/builtins.table"
	# The parse of the declarations found them all.
	[ "$(wc -l < "$UNIT/builtins.declared")" -eq \
	  "$(grep -h '/\* builtin \*/' "$TOP"/tapset/*.stp | wc -l)" ]
	! grep -v -E '^[A-Za-z_0-9]+ [a-z]+\([a-z,]*\) (pure|impure)$' "$UNIT/builtins.declared"
	diff -u "$UNIT/builtins.declared" "$UNIT/builtins.table"
}
