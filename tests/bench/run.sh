#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/bench/run.sh - runs the five figures of issue 8 and writes the table
# (stdout) and tests/bench/RESULTS.md. Called by `make bench` with B (the
# bench build folder) and O (the build folder) set. As root.
#
#   BENCH_QUICK=1        fewer rounds and shorter loads (under 2 minutes)
#   BENCH_ROUNDS=N       rounds per figure (default 5, quick 3)
#   BENCH_UPROBES="10 a* r*"  figure 5: N listed functions of bash, or globs
#   BENCH_FIGS="1 2 3"   run only these figures (and the diagnostics: d)
#   BENCH_RESULTS=FILE   where to write the report (default RESULTS.md here)
#   BENCH_STAP_BUILD=DIR a kernel build tree for `stap --runtime=bpf -r`
#
# Every figure is a median over rounds; within a round each implementation
# is measured right after its own untraced baseline (A B A C ...), and the
# order of the implementations rotates from round to round. Nothing here
# fails on a timing: the exit code is 1 only when a tool failed to run.
set -u
export LC_ALL=C

HERE=$(cd "$(dirname "$0")" && pwd)
: "${B:?B (the bench build folder) must be set: run through make bench}"
: "${O:=$(dirname "$B")}"
U=$B/util
QUICK=${BENCH_QUICK:-0}
FIGS=${BENCH_FIGS:-1 2 3 4 5 d}
RESULTS=${BENCH_RESULTS:-$HERE/RESULTS.md}
if [ "$QUICK" = 1 ]; then
	ROUNDS=${BENCH_ROUNDS:-3}
	NREADS=300000
	OPEN_SECS=1
	OPEN_ROUNDS=${BENCH_ROUNDS:-2}
	COMPILE_ROUNDS=1
	UPROBE_SETS=${BENCH_UPROBES:-10}
	UPROBE_ROUNDS=1
else
	ROUNDS=${BENCH_ROUNDS:-5}
	NREADS=1000000
	OPEN_SECS=2
	OPEN_ROUNDS=${BENCH_ROUNDS:-4}
	COMPILE_ROUNDS=2
	UPROBE_SETS=${BENCH_UPROBES:-10 a* r* *}
	UPROBE_ROUNDS=2
fi

if [ "$(id -u)" != 0 ]; then
	echo "bench: run as root (the tools load BPF programs)" >&2
	exit 1
fi

WORK=$(mktemp -d /tmp/stapc-bench.XXXXXX)
DATA=$WORK/data.tsv # fig impl round metric value
: >"$DATA"
FAILED=()
STATS_WAS=$(cat /proc/sys/kernel/bpf_stats_enabled 2>/dev/null || echo 0)
cleanup() {
	echo "$STATS_WAS" >/proc/sys/kernel/bpf_stats_enabled 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf 'bench: %s\n' "$*" >&2; }
record() { printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" >>"$DATA"; }
# kv KEY TEXT - the value of KEY=... in benchctl's output
kv() { sed -n "s/^$1=//p" <<<"$2" | tail -1; }

# median FIG IMPL METRIC - median of the recorded values (empty if none)
median() {
	awk -F'\t' -v f="$1" -v i="$2" -v m="$3" '$1==f && $2==i && $4==m { print $5 }' "$DATA" |
		sort -g | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2 }'
}
# count FIG IMPL METRIC - how many values were recorded
count() { awk -F'\t' -v f="$1" -v i="$2" -v m="$3" '$1==f && $2==i && $4==m' "$DATA" | wc -l; }
fmt() { [ -n "$2" ] && printf "%.${1}f" "$2" || printf -- '-'; }
ratio() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { if (b != 0) printf "%.2f", a / b; else printf "-" }' || printf -- '-'; }
calc() { awk "BEGIN { printf \"%.6g\", $* }"; }

# fail IMPL WHAT ERRFILE - a tool that failed to run: reported; for our own
# (stapc's tools, the references, the harness) the exit code becomes 1, for
# the tools we compare with (bpftrace, libbpf-tools, stap) it does not.
EXTERNAL_FAILED=()
fail() {
	local msg="$1: $2"
	[ -s "${3:-}" ] && msg+=" ($(tail -2 "$3" | tr '\n' ' ' | cut -c1-300))"
	log "FAILED $msg"
	case $1 in
	bt_* | lbt_* | stap_*) EXTERNAL_FAILED+=("$msg") ;;
	*) FAILED+=("$msg") ;;
	esac
}

# rotate N WORD... - the words, starting at the (N mod count)-th
rotate() {
	local n=$1
	shift
	local a=("$@") k=${#a[@]} i
	for ((i = 0; i < k; i++)); do printf '%s\n' "${a[(i + n) % k]}"; done
}

# ---------------------------------------------------------------- what exists
declare -A CMD READY DESC

have_bpftrace=0
command -v bpftrace >/dev/null && have_bpftrace=1
have_lbt=0
command -v opensnoop >/dev/null && command -v killsnoop >/dev/null && have_lbt=1

# stap --runtime=bpf: needs a kernel build tree with tracepoint headers
# that stap 4.8 can compile against (see stap-bpf.sh). Optional.
have_stap=0
STAP_NOTE="not measured: stap (systemtap) is not installed"
if command -v stap >/dev/null; then
	if STAP_NOTE=$(B=$B "$HERE/stap-bpf.sh" prepare "$B/stap" 2>&1); then
		have_stap=1
		STAP_NOTE=$(tail -1 <<<"$STAP_NOTE")
	else
		STAP_NOTE="not measured: $(tail -1 <<<"$STAP_NOTE")"
	fi
fi
log "stap --runtime=bpf: $STAP_NOTE"

def() { # def ID READY DESCRIPTION COMMAND...
	local id=$1 ready=$2 desc=$3
	shift 3
	CMD[$id]="$*"
	READY[$id]=$ready
	DESC[$id]=$desc
}
S=$B/stapc R=$B/ref BT=$HERE/bpftrace
def ref_atomic ready "ref (a) hash map, in-place atomic add (the bar)" "$R/reads_atomic"
def ref_update ready "ref (b) hash map, lookup + update" "$R/reads_update"
def ref_empty ready "ref (c) empty program" "$R/empty"
def ref_stats ready "ref (d) per-CPU count/sum" "$R/stats"
def ref_rb_read ready "ref (e) ring buffer record per read" "$R/rb_read"
def ref_rb_open ready "ref (e) ring buffer record per openat" "$R/rb_open"
def stapc_syscall ready "stapc: syscall.read reads[execname()] += \$count" "$S/reads_syscall"
def stapc_trace ready "stapc: kernel.trace(sys_enter_read) +=" "$S/reads_trace"
def stapc_vfs ready "stapc: vfs.read +=" "$S/reads_vfs"
def stapc_stats ready "stapc: s <<< \$count, @count/@sum in end" "$S/stats"
def stapc_printf ready "stapc: printf per read" "$S/printf_read"
def stapc_open ready "stapc: printf per openat" "$S/printf_open"
def stapc_exit ready "stapc: syscall.read + exit() in begin" "$S/exit_begin"
def stapc_hello hello "stapc: hello (begin only, no BPF)" "$S/hello"
def ref_exit ready "ref (a) -B: exits once attached" "$R/reads_atomic -B"
def ref_fast ready "experiment: ref (a) -F, detach left to a forked child" "$R/reads_atomic -F"
def ref_exit_fast ready "experiment: ref (a) -B -F" "$R/reads_atomic -B -F"
if [ $have_bpftrace = 1 ]; then
	def bt_sum ready "bpftrace @[comm] = sum(args->count)" "bpftrace $BT/reads.bt"
	def bt_stats ready "bpftrace @s = stats(args->count)" "bpftrace $BT/stats.bt"
	def bt_printf ready "bpftrace printf per read" "bpftrace $BT/printf_read.bt"
	def bt_open ready "bpftrace printf per openat" "bpftrace $BT/printf_open.bt"
	def bt_exit ready "bpftrace exit() in BEGIN" "bpftrace $BT/exit_begin.bt"
fi
if [ $have_lbt = 1 ]; then
	# stdbuf: their header line is the readiness signal; to a file it
	# would sit in stdio's buffer. Not used for throughput (figure 3).
	def lbt_opensnoop PID "libbpf-tools opensnoop" "stdbuf -oL opensnoop"
	def lbt_killsnoop PID "libbpf-tools killsnoop" "stdbuf -oL killsnoop"
	def lbt_opensnoop_out "" "libbpf-tools opensnoop (to a file)" "opensnoop"
fi
if [ $have_stap = 1 ]; then
	SB=$B/stap
	def stap_sum ready "stap --runtime=bpf +=" "env LD_PRELOAD=$U/rlimit_shim.so stapbpf $SB/reads.bo"
	def stap_open ready "stap --runtime=bpf printf per openat" "env LD_PRELOAD=$U/rlimit_shim.so stapbpf $SB/printf_open.bo"
	def stap_exit ready "stap --runtime=bpf exit() in begin" "env LD_PRELOAD=$U/rlimit_shim.so stapbpf $SB/exit_begin.bo"
fi
exists() { [ -n "${CMD[$1]+x}" ]; }

# run_tool FIG IMPL ROUND [benchctl options] - one measurement; sets M to
# benchctl's output, OUT/ERR to the tool's files. Returns 1 on failure.
run_tool() {
	local fig=$1 id=$2 round=$3
	shift 3
	local ready=()
	[ -n "${READY[$id]}" ] && ready=(--ready "${READY[$id]}")
	OUT=$WORK/out.$id ERR=$WORK/err.$id
	# shellcheck disable=SC2086
	M=$("$U/benchctl" --out "$OUT" --err "$ERR" "${ready[@]}" "$@" -- ${CMD[$id]})
	if [ "$(kv ready "$M")" = 0 ] || [ "$(kv rc "$M")" != 0 ] || [ -n "$(kv killed "$M")" ] ||
		[ -n "$(kv load_rc "$M")" ]; then
		fail "$id" "figure $fig round $round: $(tr '\n' ' ' <<<"$M")" "$ERR"
		return 1
	fi
	return 0
}

# ---------------------------------------------------------------- figure 1
F1_IMPLS=(ref_atomic ref_update ref_empty ref_stats ref_rb_read
	stapc_syscall stapc_trace stapc_vfs stapc_stats stapc_printf)
[ $have_bpftrace = 1 ] && F1_IMPLS+=(bt_sum bt_stats bt_printf)
[ $have_stap = 1 ] && F1_IMPLS+=(stap_sum)
declare -A F1_REF=([stapc_syscall]=ref_atomic [stapc_trace]=ref_atomic [stapc_vfs]=ref_atomic
	[stapc_stats]=ref_stats [stapc_printf]=ref_rb_read [bt_sum]=ref_atomic [bt_stats]=ref_stats
	[bt_printf]=ref_rb_read [stap_sum]=ref_atomic [stap_stats]=ref_stats [stap_printf]=ref_rb_read)
F1_PRINTF=" ref_rb_read stapc_printf bt_printf stap_printf "

figure1() {
	log "figure 1: per-event overhead, $ROUNDS rounds of ${#F1_IMPLS[@]} tools, $NREADS reads each"
	local r id base ns lines
	for ((r = 1; r <= ROUNDS; r++)); do
		for id in $(rotate "$r" "${F1_IMPLS[@]}"); do
			base=$(kv ns_per_call "$("$U/readload" "$NREADS")")
			record 1 base "$r" ns "$base"
			run_tool 1 "$id" "$r" --load "$U/readload $NREADS" || continue
			ns=$(kv ns_per_call "$M")
			record 1 "$id" "$r" ns "$ns"
			record 1 "$id" "$r" added "$(calc "$ns - $base")"
			if [[ $F1_PRINTF == *" $id "* ]]; then
				lines=$(grep -c readload "$OUT")
				record 1 "$id" "$r" lost "$(calc "$(kv calls "$M") - $lines")"
			elif [ "$id" != ref_empty ] && ! grep -qi 'readload\|count' "$OUT"; then
				fail "$id" "figure 1: its output has no line for readload" "$ERR"
			fi
			rm -f "$OUT"
		done
	done
}

# ---------------------------------------------------------------- figure 2
F2_ATTACH=(ref_atomic ref_empty stapc_syscall stapc_stats stapc_open ref_rb_open ref_fast)
[ $have_bpftrace = 1 ] && F2_ATTACH+=(bt_sum)
[ $have_lbt = 1 ] && F2_ATTACH+=(lbt_opensnoop lbt_killsnoop)
[ $have_stap = 1 ] && F2_ATTACH+=(stap_sum)
F2_EXIT=(stapc_hello stapc_exit ref_exit ref_exit_fast)
[ $have_bpftrace = 1 ] && F2_EXIT+=(bt_exit)
[ $have_stap = 1 ] && F2_EXIT+=(stap_exit)

figure2() {
	log "figure 2: start-up and exit, $ROUNDS rounds"
	local r id hold
	for ((r = 1; r <= ROUNDS; r++)); do
		for id in $(rotate "$r" "${F2_ATTACH[@]}"); do
			# bpftrace 0.17 often misses a SIGINT that comes soon after BEGIN
			# (benchctl sends it again each second): it is held longer.
			hold=100
			[[ $id == bt_* ]] && hold=1000
			run_tool 2 "$id" "$r" --hold "$hold" || continue
			record 2 "$id" "$r" again "$(kv sigint_again "$M")"
			record 2 "$id" "$r" attach "$(kv attach_ms "$M")"
			record 2 "$id" "$r" stop "$(kv stop_ms "$M")"
			record 2 "$id" "$r" hwm "$(kv hwm_kb "$M")"
		done
		for id in $(rotate "$r" "${F2_EXIT[@]}"); do
			M=$("$U/benchctl" --out "$WORK/out.$id" --err "$WORK/err.$id" --exit -- ${CMD[$id]})
			if [ "$(kv rc "$M")" != 0 ] || ! grep -q 'ready\|hello' "$WORK/out.$id"; then
				fail "$id" "figure 2 (exit in begin) round $r: $(tr '\n' ' ' <<<"$M")" "$WORK/err.$id"
				continue
			fi
			record 2 "$id" "$r" total "$(kv total_ms "$M")"
		done
	done
}

# ---------------------------------------------------------------- figure 3
F3_IMPLS=(ref_rb_open stapc_open)
[ $have_bpftrace = 1 ] && F3_IMPLS+=(bt_open)
[ $have_lbt = 1 ] && F3_IMPLS+=(lbt_opensnoop_out)
[ $have_stap = 1 ] && F3_IMPLS+=(stap_open)

# self_lost ERRFILE - the drops a tool reported itself
self_lost() {
	awk '/output records were lost/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+$/) n += $i }
	     /^Lost [0-9]+ events/ { n += $2 }
	     /[Ll]ost [0-9]+ events on CPU/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+$/) { n += $i; break } }
	     END { print n + 0 }' "$1"
}

figure3() {
	log "figure 3: throughput, one line per openat on both cores, $OPEN_ROUNDS rounds of ${OPEN_SECS}s"
	local target=$WORK/open-target r id base m opens rate lines
	: >"$target"
	for ((r = 1; r <= OPEN_ROUNDS; r++)); do
		for id in $(rotate "$r" "${F3_IMPLS[@]}"); do
			m=$("$U/openload" "$OPEN_SECS" 2 "$target")
			base=$(kv rate "$m")
			record 3 base "$r" rate "$base"
			local wait=()
			[ "$id" = lbt_opensnoop_out ] && wait=(--delay 500)
			run_tool 3 "$id" "$r" "${wait[@]}" --load "$U/openload $OPEN_SECS 2 $target" || continue
			opens=$(kv opens "$M")
			rate=$(kv rate "$M")
			lines=$(grep -cF "$target" "$OUT")
			record 3 "$id" "$r" rate "$rate"
			record 3 "$id" "$r" kept "$(calc "$rate / $base")"
			record 3 "$id" "$r" delivered "$(calc "$lines / $OPEN_SECS")"
			record 3 "$id" "$r" lost "$(calc "$opens - $lines")"
			record 3 "$id" "$r" selflost "$(self_lost "$ERR")"
			record 3 "$id" "$r" hwm "$(kv hwm_kb "$M")"
			[ "$lines" -gt 0 ] && record 3 "$id" "$r" cpu_us_line "$(calc "$(kv cpu_ms "$M") * 1000 / $lines")"
			rm -f "$OUT"
		done
	done
}

# ---------------------------------------------------------------- figure 4
F4_SCRIPTS=()
figure4() {
	log "figure 4: footprint and stapc -o compile time, $COMPILE_ROUNDS rounds"
	local f id t0 t1 r s cold warm name
	for f in "$B"/stapc/* "$R"/reads_atomic "$R"/rb_open "$R"/uprobes; do
		name=${f#"$B"/}
		record 4 "$name" 0 size "$(stat -c %s "$f")"
		strip -o "$WORK/stripped" "$f" && record 4 "$name" 0 stripped "$(stat -c %s "$WORK/stripped")"
	done
	if [ $have_lbt = 1 ]; then
		f=$(command -v opensnoop)
		record 4 opensnoop 0 size "$(stat -c %s "$f")"
		record 4 opensnoop 0 stripped "$(stat -c %s "$f")"
	fi
	# Compile time: every example and the bench scripts. Cold: an empty
	# cache (vmlinux.h made from BTF again, nothing built). Warm: vmlinux.h
	# cached, the tool not (what editing a script costs). Hit: both cached.
	F4_SCRIPTS=("$HERE"/../../examples/*.stp "$HERE"/scripts/reads_syscall.stp "$HERE"/scripts/printf_open.stp)
	[ "$QUICK" = 1 ] && F4_SCRIPTS=("$HERE"/scripts/reads_syscall.stp "$HERE"/scripts/hello.stp)
	local stapc=$O/stapc
	for ((r = 1; r <= COMPILE_ROUNDS; r++)); do
		for s in $(rotate "$r" "${F4_SCRIPTS[@]}"); do
			name=$(basename "$s" .stp)
			cold=$WORK/cache-cold
			rm -rf "$cold" && mkdir -p "$cold"
			t0=$(date +%s%N)
			if ! XDG_CACHE_HOME=$cold "$stapc" -o "$WORK/tool" "$s" >/dev/null 2>"$WORK/err.compile"; then
				fail "stapc -o $name" "figure 4: compile failed" "$WORK/err.compile"
				continue
			fi
			t1=$(date +%s%N)
			record 4 "$name" "$r" cold "$(calc "($t1 - $t0) / 1e6")"
			rm -rf "$cold/stapc/build"
			t0=$(date +%s%N)
			XDG_CACHE_HOME=$cold "$stapc" -o "$WORK/tool" "$s" >/dev/null 2>&1
			t1=$(date +%s%N)
			record 4 "$name" "$r" warm "$(calc "($t1 - $t0) / 1e6")"
			t0=$(date +%s%N)
			XDG_CACHE_HOME=$cold "$stapc" -o "$WORK/tool" "$s" >/dev/null 2>&1
			t1=$(date +%s%N)
			record 4 "$name" "$r" hit "$(calc "($t1 - $t0) / 1e6")"
		done
	done
	rm -rf "$WORK/cache-cold"
}

# ---------------------------------------------------------------- figure 5
# Sets of functions of /usr/bin/bash: a number N is its first N exported
# functions, listed one by one; a glob is written as a glob (stapc and
# bpftrace expand it themselves; the reference gets the expanded list).
# stapc's scripts stay short: it cannot build a script over 4 KiB yet.
STAPC_UPROBES="not measured"
UP_IDS=()
SKIPPED_UP=()
figure5() {
	log "figure 5: many uprobes on /usr/bin/bash: sets $UPROBE_SETS, $UPROBE_ROUNDS rounds (1 for sets over 200)"
	local bin=/usr/bin/bash set k=0 n r id err hold re pp bp
	nm -D --defined-only "$bin" 2>/dev/null | awk '$2 == "T" { print $3 }' | sort -u >"$WORK/funcs.all"
	local -a sets
	read -ra sets <<<"$UPROBE_SETS" # no globbing
	for set in "${sets[@]}"; do
		k=$((k + 1))
		if [[ $set =~ ^[0-9]+$ ]]; then
			head -n "$set" "$WORK/funcs.all" >"$WORK/funcs.$k"
			pp=$(sed "s|.*|process(\"$bin\").function(\"&\")|" "$WORK/funcs.$k" | paste -sd, -)
			bp=$(sed "s|^|uprobe:$bin:|" "$WORK/funcs.$k" | paste -sd, -)
		else
			re="^$(sed 's/[.]/\\./g; s/\*/.*/g; s/?/./g' <<<"$set")\$"
			grep -E "$re" "$WORK/funcs.all" >"$WORK/funcs.$k"
			pp="process(\"$bin\").function(\"$set\")"
			bp="uprobe:$bin:$set"
		fi
		n=$(wc -l <"$WORK/funcs.$k")
		[[ $set =~ ^[0-9]+$ ]] && set="listed" || set="\"$set\""
		UP_IDS+=("$k:$n")
		def "ref_up$k" ready "ref (g): $n uprobes ($set)" "$R/uprobes $bin $WORK/funcs.$k"
		if [ $have_bpftrace = 1 ]; then
			printf 'BEGIN { printf("ready\\n"); }\n%s\n{ @calls = count(); }\n' "$bp" >"$WORK/up$k.bt"
			def "bt_up$k" ready "bpftrace: $n uprobes ($set)" "bpftrace $WORK/up$k.bt"
		fi
		printf 'global calls\nprobe %s\n{ calls++ }\nprobe begin { printf("ready\\n") }\n' "$pp" >"$WORK/up$k.stp"
		if err=$("$O/stapc" -o "$WORK/stapc_up$k" "$WORK/up$k.stp" 2>&1); then
			STAPC_UPROBES=measured
			def "stapc_up$k" ready "stapc: $n uprobes ($set)" "$WORK/stapc_up$k"
		elif grep -q 'process\|uprobe' <<<"$err" && [ "$STAPC_UPROBES" != measured ]; then
			STAPC_UPROBES="not measured: stapc has no uprobes yet (stapc -o says: $(grep -m1 error <<<"$err" | cut -c1-200))"
		else
			echo "$err" >"$WORK/err.up$k"
			fail "stapc_up$k" "figure 5: stapc -o failed on $WORK/up$k.stp" "$WORK/err.up$k"
		fi
	done
	[ "$STAPC_UPROBES" = measured ] || log "figure 5: $STAPC_UPROBES"
	for ((r = 1; r <= UPROBE_ROUNDS; r++)); do
		for set in "${UP_IDS[@]}"; do
			k=${set%%:*} n=${set#*:}
			[ "$r" -gt 1 ] && [ "$n" -gt 200 ] && continue
			for id in "ref_up$k" "bt_up$k" "stapc_up$k"; do
				exists "$id" || continue
				# One perf-event uprobe takes ~110 ms to detach here: over
				# 500 of them, only tools that attach otherwise are run.
				if [ "$n" -gt 500 ] && [ "$id" != "stapc_up$k" ] && [ -z "${BENCH_UPROBES:-}" ]; then
					SKIPPED_UP+=("${DESC[$id]}")
					continue
				fi
				hold=100
				[[ $id == bt_* ]] && hold=1000
				run_tool 5 "$id" "$r" --timeout 600 --hold "$hold" || continue
				record 5 "$id" "$r" attach "$(kv attach_ms "$M")"
				record 5 "$id" "$r" stop "$(kv stop_ms "$M")"
				record 5 "$id" "$r" hwm "$(kv hwm_kb "$M")"
				record 5 "$id" "$r" probes "$n"
			done
		done
	done
}

# ------------------------------------------------------------ diagnostics
# One more run of each figure-1 tool with kernel.bpf_stats_enabled=1: per
# program, instructions after the verifier, helper calls, mean run time (the
# program alone, without the tracepoint's own cost), and the maps' key sizes.
DIAG=$WORK/diag.tsv
: >"$DIAG"
diagnostics() {
	log "diagnostics: BPF programs of the figure-1 tools (bpf_stats on for one run each)"
	local id
	echo 1 >/proc/sys/kernel/bpf_stats_enabled || return
	for id in "${F1_IMPLS[@]}"; do
		run_tool d "$id" 1 --load "$U/readload $((NREADS / 2)) >/dev/null; '$HERE/progstats.sh' $id >>'$DIAG'" || true
		rm -f "$OUT"
	done
	echo "$STATS_WAS" >/proc/sys/kernel/bpf_stats_enabled
}

# ---------------------------------------------------------------- the run
START=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
T0=$(date +%s)
LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)
BUSY=$(ps -eo pcpu=,comm= --sort=-pcpu | awk '$1 > 20 { printf "%s%s (%s%%)", sep, $2, $1; sep = ", " }')
for f in $FIGS; do
	case $f in
	1) figure1 ;;
	2) figure2 ;;
	3) figure3 ;;
	4) figure4 ;;
	5) figure5 ;;
	d) diagnostics ;;
	esac
done
ELAPSED=$(($(date +%s) - T0))

# ---------------------------------------------------------------- the report
. "$HERE/report.sh"
report >"$WORK/report.md"
cat "$WORK/report.md"
{
	cat "$WORK/report.md"
	if [ -f "$HERE/analysis.md" ]; then
		echo
		cat "$HERE/analysis.md"
	fi
} >"$RESULTS.tmp" && mv "$RESULTS.tmp" "$RESULTS"
# Raw medians of this run, and a comparison with the previous run here.
medians >"$B/last.tsv.new"
[ -f "$B/last.tsv" ] && mv "$B/last.tsv" "$B/prev.tsv"
mv "$B/last.tsv.new" "$B/last.tsv"
[ -f "$B/prev.tsv" ] && regressions "$B/prev.tsv" "$B/last.tsv"
cp "$DATA" "$B/data.tsv"
log "wrote $RESULTS (raw data: $B/data.tsv), $ELAPSED s"
if [ ${#FAILED[@]} -gt 0 ]; then
	log "${#FAILED[@]} failure(s):"
	printf '  %s\n' "${FAILED[@]}" >&2
	exit 1
fi
exit 0
