# SPDX-License-Identifier: GPL-2.0-or-later
# cases.bash - how a case under tests/cases/ is checked.
#
#   PASS/ok/NAME.stp  must compile; stdout must equal NAME.PASS (the golden:
#                     for p1, what `stap -p1` prints for the same file)
#   PASS/ko/NAME.stp  must fail with exit status 1 and exactly NAME.err on
#                     stderr
#
# UPDATE_GOLDEN=1 rewrites goldens instead of comparing: p1 dumps from stap
# itself (the oracle), diagnostics from stapc (to be read by a person).

# The dump's body, with what stap's printer does not round-trip made equal.
# stap's -p1 layout is not a fixpoint: it re-quotes the backslashes of
# printf formats, pads embedded code with spaces, prints a negative literal
# as -N (which reads back as -(N)), and ends every statement with ';' (which
# after a '}' reads back as an empty statement).
p1_normal_form() {
	sed -e '/^# /d' -e 's/\\\\*/\\/g' -e 's/  */ /g' -e '/^;;$/d' \
	    -e ':a' -e 's/-(\([0-9][0-9]*\))/-\1/g' \
	    -e 's/-(-9223372036854775808)/-9223372036854775808/g' -e 'ta' "$1"
}

# p5 (run) cases: the script is built into a tool (by the sanitized stapc,
# which must draw no warning from clang), which runs with the case's `# tool-args:`; its stdout must equal NAME.out,
# its stderr NAME.errout when that exists, its exit status `# exit:` (0).
# `# oracle: stap` cases get their goldens from real SystemTap (a qemu guest,
# tests/kmatrix/stap-oracle) under UPDATE_GOLDEN; others from the tool.
check_run() {
	local file=$1 name dir tool out err status=0 want
	name=$(basename "$file" .stp)
	dir=$(dirname "$file")
	tool=$BATS_TEST_TMPDIR/$name
	out=$BATS_TEST_TMPDIR/out
	err=$BATS_TEST_TMPDIR/err
	[ "$(id -u)" = 0 ] || skip "running tools needs root"
	local flags
	flags=$(case_flags "$file")
	# A cache of this file's own, so that clang compiles each case here.
	(cd "$dir" && XDG_CACHE_HOME=$BATS_FILE_TMPDIR/cache "$STAPC_ASAN" -o "$tool" $flags "$name.stp" \
		2> "$BATS_TEST_TMPDIR/build.err") || { cat "$BATS_TEST_TMPDIR/build.err"; return 1; }
	# The generated C compiles without a warning under clang's -Wall.
	if grep -q '\[-W' "$BATS_TEST_TMPDIR/build.err"; then
		cat "$BATS_TEST_TMPDIR/build.err"
		return 1
	fi
	local args
	args=$(sed -n 's/^# tool-args: //p' "$file" | head -1)
	(cd "$dir" && eval "timeout 60 '$tool' $args" > "$out" 2> "$err") || status=$?
	want=$(sed -n 's/^# exit: //p' "$file" | head -1)
	if [ -n "${UPDATE_GOLDEN:-}" ]; then
		if grep -q '^# oracle: stap' "$file"; then
			(cd "$dir" && "$TOP/tests/kmatrix/stap-oracle" "$name.stp" > "$dir/$name.out") || return 1
		else
			cp "$out" "$dir/$name.out"
		fi
		[ -s "$err" ] && cp "$err" "$dir/$name.errout"
	fi
	if [ "$status" != "${want:-0}" ]; then
		echo "exit status $status, expected ${want:-0}"
		cat "$err"
		return 1
	fi
	assert_same_file "$dir/$name.out" "$out"
	if [ -f "$dir/$name.errout" ]; then
		assert_same_file "$dir/$name.errout" "$err"
	fi
}

check_ok() {
	local pass=$1 file=$2 golden out err
	if [ "$pass" = p5 ]; then
		check_run "$file"
		return
	fi
	golden=${file%.stp}.$pass
	out=$BATS_TEST_TMPDIR/out
	err=$BATS_TEST_TMPDIR/err
	if [ -n "${UPDATE_GOLDEN:-}" ] && [ "$pass" = p1 ]; then
		have_stap || skip "UPDATE_GOLDEN for p1 needs stap (the oracle)"
		case_run stap "$file" -p1 > "$golden" 2> "$err" || { cat "$err"; return 1; }
	fi
	case_run "$STAPC_ASAN" "$file" "-$pass" > "$out" 2> "$err" || { cat "$err"; return 1; }
	if [ -n "${UPDATE_GOLDEN:-}" ] && [ "$pass" != p1 ]; then
		cp "$out" "$golden"
	fi
	assert_same_file "$golden" "$out"
	[ "$pass" = p1 ] || return 0
	grep -q '^# roundtrip: no' "$file" && return 0
	# The printed form parses again to the same tree.
	local again=$BATS_TEST_TMPDIR/again.stp
	sed '/^# /d' "$out" > "$again"
	(cd "$BATS_TEST_TMPDIR" && "$STAPC_ASAN" -p1 -g again.stp > again.p1 2> again.err) || {
		cat "$BATS_TEST_TMPDIR/again.err"
		return 1
	}
	p1_normal_form "$out" > "$BATS_TEST_TMPDIR/n1"
	p1_normal_form "$BATS_TEST_TMPDIR/again.p1" > "$BATS_TEST_TMPDIR/n2"
	assert_same_file "$BATS_TEST_TMPDIR/n1" "$BATS_TEST_TMPDIR/n2"
}

check_ko() {
	local pass=$1 file=$2 golden err status=0
	golden=${file%.stp}.err
	err=$BATS_TEST_TMPDIR/err
	case_run "$STAPC_ASAN" "$file" "-$pass" > /dev/null 2> "$err" || status=$?
	if [ "$status" -ne 1 ]; then
		echo "exit status $status, expected 1"
		cat "$err"
		return 1
	fi
	[ -z "${UPDATE_GOLDEN:-}" ] || cp "$err" "$golden"
	assert_same_file "$golden" "$err"
}
