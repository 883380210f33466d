#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# SystemTap's ~200 official examples (Debian's systemtap-doc), parsed by
# stap -p1 as the oracle and by stapc -p1 under the sanitizers.

load lib/common

# These use the JSON tapset's macros, which stapc implements its own way
# (tapset/json.stpm), so their expansions differ from stap's by design.
OWN_EXPANSIONS="network/net_xmit_json.stp network/netfilter_summary_json.stp"

@test "p1 examples: every script stap accepts parses to stap's own dump" {
	have_stap || skip "systemtap is not installed (tests need it as the oracle)"
	[ -d "$EXAMPLES_DIR" ] || skip "systemtap-doc's examples are not installed"
	local total=0 stap_ok=0 parsed=0 same=0 bad=() e n flags args d=$BATS_TEST_TMPDIR
	for e in $(examples_list); do
		total=$((total + 1))
		mapfile -t flags < <(example_args flags "$e")
		mapfile -t args < <(example_args args "$e")
		local dir=$EXAMPLES_DIR/$(dirname "$e")
		if (cd "$dir" && stap -p1 -r "$TARGET_TREE" ${flags[@]+"${flags[@]}"} "$EXAMPLES_DIR/$e" ${args[@]+"${args[@]}"} > "$d/stap.out" 2> /dev/null); then
			stap_ok=$((stap_ok + 1))
		else
			: > "$d/stap.out"
		fi
		if (cd "$dir" && "$STAPC_ASAN" -p1 -r "$TARGET_TREE" ${flags[@]+"${flags[@]}"} "$EXAMPLES_DIR/$e" ${args[@]+"${args[@]}"} > "$d/stapc.out" 2> "$d/stapc.err"); then
			parsed=$((parsed + 1))
			if cmp -s "$d/stap.out" "$d/stapc.out"; then
				same=$((same + 1))
			elif [ -s "$d/stap.out" ] && [[ " $OWN_EXPANSIONS " != *" $e "* ]]; then
				bad+=("$e: dump differs")
				diff "$d/stap.out" "$d/stapc.out" | head -5
			fi
		elif [ -s "$d/stap.out" ]; then
			bad+=("$e: rejected: $(head -1 "$d/stapc.err")")
		fi
		# A crash or sanitizer report is never acceptable.
		if grep -q 'Sanitizer\|runtime error' "$d/stapc.err"; then
			bad+=("$e: sanitizer: $(grep -m1 'Sanitizer\|runtime error' "$d/stapc.err")")
		fi
	done
	echo "# examples parsed: $parsed/$total, identical to stap: $same (stap accepts $stap_ok)" >&3
	printf '%s\n' ${bad[@]+"${bad[@]}"}
	[ ${#bad[@]} -eq 0 ]
	[ "$parsed" -ge "$stap_ok" ]
}
