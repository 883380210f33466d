#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# SystemTap's official examples (Debian's systemtap-doc) through pass 2,
# stapc -p2 under the sanitizers: how many elaborate against our tapsets
# and this host's kernel, how many of those go on through pass 3 (-p3: the
# BPF and tool C), and that every one that stops is refused with a
# diagnostic, never a crash.

load lib/common

# The issue's target: every example whose probes are tracepoints, syscalls,
# signals, scheduler events, timers, uprobes or USDT marks (about 88), now
# with kernel functions from BTF too. A regression below it fails.
FLOOR=88

@test "p2 examples: most elaborate, many compile; the rest are refused with a diagnostic, never a crash" {
	[ -d "$EXAMPLES_DIR" ] || skip "systemtap-doc's examples are not installed"
	local total=0 ok=0 compiled=0 bad=() e flags args d=$BATS_TEST_TMPDIR reasons=$BATS_TEST_TMPDIR/reasons rc
	: > "$reasons"
	for e in $(examples_list); do
		total=$((total + 1))
		mapfile -t flags < <(example_args flags "$e")
		mapfile -t args < <(example_args args "$e")
		local dir=$EXAMPLES_DIR/$(dirname "$e")
		rc=0
		(cd "$dir" && timeout 60 "$STAPC_ASAN" -p2 ${flags[@]+"${flags[@]}"} "$EXAMPLES_DIR/$e" \
			${args[@]+"${args[@]}"} > "$d/out" 2> "$d/err") || rc=$?
		if [ "$rc" -eq 0 ]; then
			ok=$((ok + 1))
			grep -q '^# probes$' "$d/out" || bad+=("$e: -p2 printed no '# probes'")
			# And on to the BPF and tool C (pass 3), where BPF's limits show.
			rm -rf "$d/p3"
			rc=0
			(cd "$dir" && timeout 60 "$STAPC_ASAN" -p3 -o "$d/p3" ${flags[@]+"${flags[@]}"} \
				"$EXAMPLES_DIR/$e" ${args[@]+"${args[@]}"} > /dev/null 2> "$d/err3") || rc=$?
			if [ "$rc" -eq 0 ]; then
				compiled=$((compiled + 1))
			elif [ "$rc" -ne 1 ] || ! grep -q ': error: ' "$d/err3"; then
				bad+=("$e: -p3 exit $rc without a diagnostic: $(head -1 "$d/err3")")
			fi
			grep -q 'Sanitizer\|runtime error' "$d/err3" &&
				bad+=("$e: -p3 sanitizer: $(grep -m1 'Sanitizer\|runtime error' "$d/err3")")
		elif [ "$rc" -ne 1 ] || ! grep -q ': error: ' "$d/err"; then
			bad+=("$e: exit $rc without a diagnostic: $(head -1 "$d/err")")
		else
			# The first error, without its place and names: the reasons' tally.
			grep -m1 ': error: ' "$d/err" | sed -E "s/^.*: error: //; s/'[^']*'/'X'/g; s/\"[^\"]*\"/\"X\"/g" >> "$reasons"
		fi
		if grep -q 'Sanitizer\|runtime error' "$d/err"; then
			bad+=("$e: sanitizer: $(grep -m1 'Sanitizer\|runtime error' "$d/err")")
		fi
	done
	echo "# examples elaborated: $ok/$total, of which $compiled compile to BPF and tool C (-p3)" >&3
	sort "$reasons" | uniq -c | sort -rn | head -8 | sed 's/^/#   /' >&3
	printf '%s\n' ${bad[@]+"${bad[@]}"}
	[ ${#bad[@]} -eq 0 ]
	[ "$ok" -ge "$FLOOR" ]
}
