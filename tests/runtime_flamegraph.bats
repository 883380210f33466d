#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# A tool's --flamegraph FILE.svg (runtime/user/flamegraph.c), on the folded
# lines a tool without kernel probes prints: no root, no BPF. The SVG is
# well-formed XML with one rect per frame of the merged lines, and a real
# browser draws it.

load lib/common
bats_require_minimum_version 1.5.0

setup_file() {
	local t=$BATS_FILE_TMPDIR
	# Folded lines with a repeated stack, shared prefixes and XML's specials.
	cat > "$t/folded" <<'EOF'
main;a;b 3
main;a;c 2
main;d 5
main;a;b 4
x<y>&"' 1
not a folded line
EOF
	printf 'probe begin { printf("%%s", @1); exit() }\n' > "$t/cat.stp"
	"$STAPC" -o "$t/cat" "$t/cat.stp" >&2
}

setup() {
	T=$BATS_FILE_TMPDIR
	command -v xmllint >/dev/null || skip "xmllint is not installed (libxml2-utils: dist/deps test)"
}

# The frames of the tree merged from folded lines on stdin: one per distinct
# prefix of a stack ("main", "main;a", "main;a;b" ...).
count_frames() {
	awk 'NF == 2 && $2 ~ /^[0-9]+$/ {
		n = split($1, f, ";"); p = ""
		for (i = 1; i <= n; i++) { p = p ";" f[i]; seen[p] = 1 }
	} END { print length(seen) }'
}

@test "flamegraph: --flamegraph draws one rect per frame of the merged folded lines, as well-formed XML" {
	run -0 --separate-stderr "$T/cat" --flamegraph "$T/t.svg" "$(cat "$T/folded")"
	# The output is the script's, unchanged.
	[ "$output" = "$(cat "$T/folded")" ]
	xmllint --noout "$T/t.svg"
	[ "$(count_frames < "$T/folded")" = 6 ]
	[ "$(xmllint --xpath "count(//*[local-name()='rect'])" "$T/t.svg")" = 6 ]
	# The two "main;a;b" lines are one frame of 7 samples out of 15.
	grep -q '<title>b (7 samples, 46.67%)</title>' "$T/t.svg"
	grep -q '<title>main (14 samples, 93.33%)</title>' "$T/t.svg"
	grep -q '<text[^>]*>x&lt;y&gt;&amp;&quot;&apos;</text>' "$T/t.svg"
	# The same lines give the same picture.
	"$T/cat" --flamegraph "$T/t2.svg" "$(cat "$T/folded")" >/dev/null
	cmp "$T/t.svg" "$T/t2.svg"
}

@test "flamegraph: --flamegraph into a directory that does not exist says so before anything runs" {
	run -1 --separate-stderr "$T/cat" --flamegraph "$T/no/such/dir.svg" hello
	[ -z "$output" ]
	[ "$stderr" = "cat: cannot write the flame graph $T/no/such/dir.svg: No such file or directory" ]
}

@test "flamegraph: headless Chromium renders a tool's flame graph (not one colour)" {
	command -v chromium >/dev/null || skip "chromium is not installed (Debian's chromium)"
	"$T/cat" --flamegraph "$T/r.svg" "$(cat "$T/folded")" >/dev/null
	timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$T/chromium" --screenshot="$T/r.png" --window-size=1200,800 \
		"file://$T/r.svg" 2>/dev/null
	[ -s "$T/r.png" ]
	# A blank page has one colour; the flame graph many.
	/usr/bin/python3.11 "$TOP/tests/flame/png-colours" "$T/r.png"
}
