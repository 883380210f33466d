# SPDX-License-Identifier: GPL-2.0-or-later
# lib.sh - the corpus harness's pieces (tests/corpus/run): an example's
# name, workload and build; its runs on the host and in the guests; the
# comparison with stap's recorded output; the table.
#
# A verdict ("cell") is one line: "ok", "ok: NOTE", "fail: WHY" or
# "-: WHY" (not run there, and why), in $S/NAME/COLUMN.

COLUMNS="built host 6.1 6.12 stap"

corpus_names() {
	examples_list | sed 's|.*/||; s|\.stp$||'
}

# corpus_path NAME - the example's path under EXAMPLES_DIR.
corpus_path() {
	examples_list | grep -m1 -E "(^|/)$1\.stp\$"
}

# workload_line NAME - the example's line of tests/corpus/workloads, without
# its name: a command, or "!WHY" when it cannot run here.
workload_line() {
	awk -F'\t+' -v n="$1" '$1 == n { print $2; exit }' "$CORPUS/workloads"
}

# The command an example runs under (-c) when the workloads list none: a
# few files read and written, a process or two started.
DEFAULT_WORKLOAD="sh -c 'ls -l / > /dev/null; dd if=data of=/dev/null bs=1 count=12 2>/dev/null; dd if=/dev/zero of=scratch bs=4096 count=16 2>/dev/null; sleep 1'"

workload_of() {
	local w
	w=$(workload_line "$1")
	echo "${w:-$DEFAULT_WORKLOAD}"
}

# cant_run NAME - why the example cannot run anywhere here, or nothing.
cant_run() {
	local w
	w=$(workload_line "$1")
	[ "${w#!}" = "$w" ] || echo "${w#!}"
}

# The Debian packages the workloads need ("# deps: PKG..." lines), installed
# when missing and we are root, as dist/deps installs the suite's.
corpus_install_deps() {
	local want missing=() p
	want=$(sed -n 's/^# deps: //p' "$CORPUS/workloads")
	[ "$(id -u)" = 0 ] || return 0
	for p in $want; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -gt 0 ] || return 0
	echo "corpus: installing ${missing[*]}" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null 2>&1 ||
		echo "corpus: cannot install ${missing[*]}" >&2
}

# needs_module REL - whether stap would build the example as a kernel module
# only: guru mode, or embedded C in it or in the tapsets it brings.
needs_module() {
	local rel=$1 f
	example_args flags "$rel" | grep -qx -- -g && return 0
	grep -q '%{' "$EXAMPLES_DIR/$rel" && return 0
	for f in $(example_args flags "$rel" | grep -A1 -x -- -I | grep -v -x -- '-I\|--'); do
		grep -qs '%{' "$f"/*.stp && return 0
	done
	return 1
}

# first_error FILE - the line of FILE that says why, without the examples'
# folder: the first error, else the first line.
first_error() {
	local l
	l=$(grep -m1 -E 'error|ERROR|cannot|refused|failed' "$1")
	[ -n "$l" ] || l=$(grep -m1 . "$1")
	sed -E "s|$EXAMPLES_DIR/||g; s|$S/[^ ]*/||g; s|$TOP/||g; s/[[:space:]]+/ /g; s/\|/\\\\|/g" <<<"$l" |
		cut -c1-160 | sed -E 's/ near: *$//; s/[[:space:]]+$//'
}

cell() {
	echo "$2" > "$S/$1/$3"
}

# build_one NAME - stapc -o $S/NAME/tool with the .meta's flags and
# arguments, from the example's folder (its relative paths resolve there).
build_one() {
	local n=$1 rel dir d=$S/$1 rc=0 why
	rel=$(corpus_path "$n")
	dir=$EXAMPLES_DIR/$(dirname "$rel")
	rm -rf "$d"
	mkdir -p "$d"
	mapfile -t flags < <(example_args flags "$rel")
	mapfile -t args < <(example_args args "$rel")
	(cd "$dir" && timeout -k 5 600 "$STAPC" -o "$d/tool" ${flags[@]+"${flags[@]}"} \
		"$EXAMPLES_DIR/$rel" ${args[@]+"${args[@]}"}) > "$d/build.out" 2> "$d/build.err" || rc=$?
	if [ "$rc" = 0 ]; then
		cell "$n" ok built
		# The probes the tool has, for the guests: kernel functions.
		(cd "$dir" && "$STAPC" -p2 ${flags[@]+"${flags[@]}"} "$EXAMPLES_DIR/$rel" \
			${args[@]+"${args[@]}"}) 2>/dev/null | sed -n '/^# probes$/,$p' > "$d/probes"
		return 0
	fi
	why=$(first_error "$d/build.err")
	[ "$rc" != 124 ] && [ "$rc" != 137 ] || why="stapc still running after 600 s"
	if needs_module "$rel"; then
		why="needs the module backend (guru mode or embedded C): $why"
	elif [ -n "$(cant_run "$n")" ]; then
		why="$(cant_run "$n"): $why"
	fi
	cell "$n" "fail: $why" built
}

# probes_kernel_functions NAME - whether the tool probes kernel functions.
probes_kernel_functions() {
	grep -qE '^(kernel\.function|module\(|kprobe\.|kernel\.statement)' "$S/$1/probes" 2>/dev/null
}

# verdict NAME COLUMN RC STDOUT STDERR LIMIT - a run's cell: it must end by
# itself within LIMIT seconds, exit 0 and say no ERROR.
verdict() {
	local n=$1 col=$2 rc=$3 out=$4 err=$5 limit=$6 errs
	errs=$(grep -c 'ERROR' "$err")
	case $rc in
	0) ;;
	124 | 143) cell "$n" "fail: still running ${limit} s after its workload began (hang)" "$col"; return ;;
	137) cell "$n" "fail: ignores SIGTERM (killed)" "$col"; return ;;
	*) cell "$n" "fail: exit $rc: $(first_error "$err")" "$col"; return ;;
	esac
	if [ "$errs" -gt 20 ]; then
		cell "$n" "fail: loops on errors ($errs ERROR lines): $(first_error "$err")" "$col"
	elif [ "$errs" -gt 0 ]; then
		cell "$n" "fail: $(first_error "$err")" "$col"
	elif [ ! -s "$out" ]; then
		cell "$n" "ok: printed nothing" "$col"
	else
		cell "$n" ok "$col"
	fi
}

# The files the workloads read, in the folder they run in.
make_workdir() {
	rm -rf "$1"
	mkdir -p "$1/dir"
	echo 'twelve bytes' > "$1/data"
	: > "$1/dir/a"
	: > "$1/dir/b"
}

# host_one NAME - the tool under its workload on this machine.
host_one() {
	local n=$1 d=$S/$1 rc=0 why w
	[ -d "$d" ] || return 0
	rm -f "$d/host"
	why=$(cant_run "$n")
	if [ -n "$why" ]; then
		cell "$n" "-: $why" host
		return 0
	fi
	[ -x "$d/tool" ] || { cell "$n" "-: not built" host; return 0; }
	[ "$(id -u)" = 0 ] || { cell "$n" "-: not root" host; return 0; }
	w=$(workload_of "$n")
	make_workdir "$d/work"
	(cd "$d/work" && timeout -k 5 "$HOST_TIMEOUT" \
		"$d/tool" -c "$w" < /dev/null > "$d/host.out" 2> "$d/host.err") || rc=$?
	verdict "$n" host "$rc" "$d/host.out" "$d/host.err" "$HOST_TIMEOUT"
	if grep -q 'can probe no kernel function' "$d/host.err"; then
		cell "$n" "-: probes kernel functions, which this kernel cannot (see the guests)" host
	fi
}

# sq STRING - STRING single-quoted for sh.
sq() {
	printf "'%s'" "$(sed "s/'/'\\\\''/g" <<<"$1")"
}

# guest_case NAME T - the guest's script for one example: its folder, then
# the tool under its workload, within the same timeout as on the host.
guest_case() {
	local n=$1 t=$2
	cat > "$t/case-$n" <<-CASE
	#!/bin/sh
	mkdir -p /tmp/w/$n/dir && cd /tmp/w/$n || exit 126
	echo 'twelve bytes' > data; : > dir/a; : > dir/b
	exec timeout -k 5 $GUEST_TIMEOUT /t/tools/$n -c $(sq "$(workload_of "$n")")
	CASE
	echo "km-case -t $((GUEST_TIMEOUT + 20)) $n sh /t/case-$n"
}

# compared_on KERNEL NAME - whether NAME runs on KERNEL to be compared with
# stap's output recorded there (the host's has other processes in it).
compared_on() {
	[ "$1" = 6.1 ] && [ -f "$CORPUS/oracle/$2.out" ]
}

# boot_batch KERNEL DIR N - one boot of KERNEL running DIR/t/run-all's N cases.
boot_batch() {
	"$TOP/tests/kmatrix/run-guest" --kernel "$1" --memory 1024 \
		--timeout $(($3 * (GUEST_TIMEOUT + 25) + 120)) --files "$2/t" \
		--out "$2/out" --log "$2/console" -- run-all > "$2/log" 2>&1
}

# guest_batch KERNEL NAME... - the tools that probe kernel functions (and
# on 6.1 those stap ran too), all in one boot of KERNEL
# (tests/kmatrix/run-guest); the others say why not.
guest_batch() {
	local k=$1 g=$S/guest-$1 n run=() rc=0
	shift
	rm -rf "$g"
	mkdir -p "$g/t/tools" "$g/out"
	for n in "$@"; do
		rm -f "$S/$n/$k"
		if [ -n "$(cant_run "$n")" ]; then
			cell "$n" "-: $(cant_run "$n")" "$k"
		elif [ ! -x "$S/$n/tool" ]; then
			cell "$n" "-: not built" "$k"
		elif ! probes_kernel_functions "$n" && ! compared_on "$k" "$n"; then
			cell "$n" "-: no kernel function: the host runs it" "$k"
		else
			cp "$S/$n/tool" "$g/t/tools/$n"
			run+=("$n")
		fi
	done
	[ ${#run[@]} -gt 0 ] || return 0
	{
		echo '#!/bin/sh'
		for n in "${run[@]}"; do guest_case "$n" "$g/t"; done
		echo true
	} > "$g/t/run-all"
	chmod +x "$g/t/run-all"
	boot_batch "$k" "$g" ${#run[@]} || rc=$?
	# A boot that panics before the first case (TCG on a loaded machine
	# sometimes fails the kernel's timer check) is tried once more.
	if [ "$rc" = 125 ] && [ -z "$(ls "$g/out")" ]; then
		rc=0
		boot_batch "$k" "$g" ${#run[@]} || rc=$?
	fi
	for n in "${run[@]}"; do
		local c=$g/out/$n
		if [ -f "$c/rc" ]; then
			cp "$c/stdout" "$S/$n/$k.out"
			cp "$c/stderr" "$S/$n/$k.err"
			verdict "$n" "$k" "$(cat "$c/rc")" "$S/$n/$k.out" "$S/$n/$k.err" "$GUEST_TIMEOUT"
		else
			cell "$n" "fail: the $k guest ended (exit $rc) before it ran: $(tail -1 "$g/log")" "$k"
		fi
	done
}

# mask NAME - the output's shape: numbers (decimal, hex), histogram bars
# and runs of blanks made one; the tracer's own process (stap's stapio, our
# tool, named after the example) named alike; each distinct line once.
mask() {
	local self
	self=$(sed 's/[.]/\\./g' <<<"$1")
	sed -E "s/0x[0-9a-fA-F]+/X/g; s/[0-9]+/N/g; s/@+/@/g; s/[[:space:]]+/ /g;
		s/(^|[^[:alnum:]_-])(stapio|$self)([^[:alnum:]_-]|\$)/\1TRACER\3/g" | LC_ALL=C sort -u
}

# compare_oracle NAME - our output against stap's recorded one, on the 6.1
# guest when it ran there, else on the host: the same lines, or the same
# shape (numbers masked, each distinct line once, in any order).
compare_oracle() {
	local n=$1 d=$S/$1 o=$CORPUS/oracle/$1 ours first
	[ -d "$d" ] || return 0
	rm -f "$d/stap"
	if [ ! -f "$o.out" ]; then
		if [ -f "$o.why" ]; then
			cell "$n" "-: stap: $(head -1 "$o.why")" stap
		else
			cell "$n" "-: no recorded stap output" stap
		fi
		return 0
	fi
	ours=$d/6.1.out
	[ -f "$ours" ] || ours=$d/host.out
	if ! grep -q '^ok' "$d/6.1" 2>/dev/null && ! grep -q '^ok' "$d/host" 2>/dev/null; then
		cell "$n" "-: did not run here" stap
	elif cmp -s "$o.out" "$ours"; then
		cell "$n" "ok: same lines" stap
	elif cmp -s <(mask "$n" < "$o.out") <(mask "$n" < "$ours"); then
		cell "$n" "ok: same shape" stap
	else
		# -a: an output with control bytes (grapher's) is still compared as lines.
		first=$(diff -a <(mask "$n" < "$o.out") <(mask "$n" < "$ours") | grep -a -m1 '^[<>]' |
			cut -c1-100 | tr -d '\000-\010\016-\037' | sed 's/ *$//')
		cell "$n" "fail: differs (< stap, > ours): ${first:-a line that differs only in control bytes}" stap
	fi
}

# record_row NAME - NAME's row in results.tsv: this run's cells, and for
# columns not run now the cells it had.
record_row() {
	local n=$1 c v row=$1 old
	old=$(awk -F'\t' -v n="$n" '$1 == n' "$TSV" 2>/dev/null)
	local i=2
	for c in $COLUMNS; do
		if [ -f "$S/$n/$c" ]; then
			v=$(cat "$S/$n/$c")
		else
			v=$(cut -f$i <<<"$old")
			[ -n "$v" ] || v="-: not run"
		fi
		row+=$'\t'$v
		i=$((i + 1))
	done
	{
		[ -f "$TSV" ] && awk -F'\t' -v n="$n" '$1 != n' "$TSV"
		echo "$row"
	} | LC_ALL=C sort > "$TSV.new" && mv "$TSV.new" "$TSV"
}

# count COLUMN PATTERN - rows of results.tsv whose COLUMN cell matches.
count() {
	local i=2 c
	for c in $COLUMNS; do
		[ "$c" = "$1" ] && break
		i=$((i + 1))
	done
	cut -f$i "$TSV" | grep -c -E "$2"
}

totals_line() {
	echo "$(wc -l < "$TSV") examples: $(count built '^ok') built, $(count host '^ok') run on" \
		"the host, $(count 6.1 '^ok') on 6.1, $(count 6.12 '^ok') on 6.12, $(count stap '^ok')" \
		"print the same as stap"
}

# The table, in Markdown: a mark per cell, the reason where it is not ok.
render_table() {
	echo "# The official examples, built and run by stapc"
	echo
	echo "Written by \`tests/corpus/run\` ($(date -u +%Y-%m-%d), stapc $(git -C "$TOP" rev-parse --short HEAD 2>/dev/null)); do not edit."
	echo "Re-run one example with \`flock /tmp/stapc-tests.lock tests/corpus/run NAME\`"
	echo "(the lock keeps its BPF programs out of other test runs). yes: it worked; **no**: it"
	echo "failed, and why; -: not run there, and why. \"same as stap\": the output is"
	echo "SystemTap 4.8's on the 6.1 guest under the same workload (tests/corpus/oracle),"
	echo "line for line (=) or by shape (~, numbers masked). The guests run the examples"
	echo "that probe kernel functions, and 6.1 those stap's output is recorded for."
	echo
	echo "Totals: $(totals_line)."
	echo
	echo "| example | built | host | 6.1 | 6.12 | same as stap |"
	echo "|---|---|---|---|---|---|"
	awk -F'\t' '
	function mark(c) {
		if (c == "ok") return "yes"
		if (c == "ok: same lines") return "="
		if (c == "ok: same shape") return "~"
		if (c ~ /^ok: /) return "yes (" substr(c, 5) ")"
		if (c ~ /^fail: /) return "**no**: " substr(c, 7)
		if (c ~ /^-: /) return "- " substr(c, 4)
		return c
	}
	{ printf "| %s | %s | %s | %s | %s | %s |\n", $1, mark($2), mark($3), mark($4), mark($5), mark($6) }' "$TSV"
}
