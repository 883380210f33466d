#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The corpus: SystemTap's 196 official examples built and run by
# tests/corpus/run (see there), which rewrites their rows of the table
# (tests/corpus/results.tsv and RESULTS.md, which the README quotes; the
# suite works on a copy, and `tests/corpus/run` refreshes the repo's). The whole corpus takes far longer than the suite's budget
# for it (builds, host runs, two guest boots: see RESULTS.md), so by
# default the suite runs the examples of tests/corpus/sample, chosen to
# cover each kind (host, kernel functions in the guests, stap's output,
# refused ones); STAPC_CORPUS=full runs all 196, STAPC_CORPUS=quick the
# sample without guests. What it asserts: every example that does not
# build or run says why, and no example loses a column it had in the
# repo's table, nor starts to hang, ignore SIGTERM or loop on errors.

load lib/common

setup_file() {
	[ -d "$EXAMPLES_DIR" ] || return 0
	mount_tracefs
	local opts=() names=()
	# What the table said before: the repo's; the run updates a copy, as
	# the suite leaves the work tree as it found it.
	cp "$TOP/tests/corpus/results.tsv" "$BATS_FILE_TMPDIR/before.tsv"
	mkdir -p "$BATS_FILE_TMPDIR/table"
	cp "$TOP/tests/corpus/results.tsv" "$BATS_FILE_TMPDIR/table/"
	[ "${STAPC_CORPUS:-}" != quick ] || opts+=(--no-guests)
	[ "$(id -u)" = 0 ] || opts+=(--no-host --no-guests)
	[ "${STAPC_CORPUS:-}" = full ] || mapfile -t names < <(grep -v '^#' "$TOP/tests/corpus/sample")
	CORPUS_TABLE=$BATS_FILE_TMPDIR/table "$TOP/tests/corpus/run" ${opts[@]+"${opts[@]}"} ${names[@]+"${names[@]}"} \
		> "$BATS_FILE_TMPDIR/run.log" 2>&1
	echo $? > "$BATS_FILE_TMPDIR/run.rc"
}

setup() {
	[ -d "$EXAMPLES_DIR" ] || skip "systemtap-doc's examples are not installed"
	TSV=$BATS_FILE_TMPDIR/table/results.tsv
	BEFORE=$BATS_FILE_TMPDIR/before.tsv
}

@test "corpus: the harness ran, and the table has a row per example" {
	cat "$BATS_FILE_TMPDIR/run.log"
	[ "$(cat "$BATS_FILE_TMPDIR/run.rc")" = 0 ]
	[ "$(cut -f1 "$TSV")" = "$(examples_list | sed 's|.*/||; s|\.stp$||' | LC_ALL=C sort)" ]
	grep -q "^Totals: $(wc -l < "$TSV") examples" "$BATS_FILE_TMPDIR/table/RESULTS.md"
}

@test "corpus: every cell is a verdict, and every failure says why" {
	local bad
	bad=$(awk -F'\t' 'NF != 6 { print; next }
		{ for (i = 2; i <= 6; i++) if ($i !~ /^(ok|ok: .+|fail: .+[^ ]|-: .+[^ ])$/) { print; next } }' "$TSV")
	[ -z "$bad" ] || { echo "$bad"; return 1; }
}

@test "corpus: no example lost a column it had in the repo's table" {
	local lost
	lost=$(awk -F'\t' 'NR == FNR { for (i = 2; i <= 6; i++) was[$1, i] = $i; next }
		{ for (i = 2; i <= 6; i++) if (was[$1, i] ~ /^ok/ && $i !~ /^ok/)
			printf "%s, column %d: was \"%s\", now \"%s\"\n", $1, i - 1, was[$1, i], $i }' \
		"$BEFORE" "$TSV")
	[ -z "$lost" ] || { echo "$lost"; return 1; }
}

@test "corpus: no more tools hang, ignore SIGTERM or loop on errors than before" {
	local pat='hang\)|ignores SIGTERM|loops on errors' now was
	now=$(cut -f3-5 "$TSV" | tr '\t' '\n' | grep -c -E "$pat" || true)
	was=$(cut -f3-5 "$BEFORE" | tr '\t' '\n' | grep -c -E "$pat" || true)
	echo "# hang, deaf to SIGTERM or looping on errors: $now (was $was)" >&3
	[ "$now" -le "$was" ] || { grep -E "$pat" "$TSV"; return 1; }
}
