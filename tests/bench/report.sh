# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/report.sh - sourced by run.sh: turns $DATA into the tables of
# RESULTS.md, the targets' verdicts, and the medians kept between runs.

mib() { [ -n "$1" ] && awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }' || printf -- '-'; }
kib() { [ -n "$1" ] && awk -v b="$1" 'BEGIN { printf "%.0f", b / 1024 }' || printf -- '-'; }
# cmp A OP B - awk comparison, true/false
cmp() { awk -v a="$1" -v b="$3" "BEGIN { exit !(a $2 b) }"; }
verdict() { # verdict VALUE OP LIMIT
	if [ -z "$1" ] || [ "$1" = - ]; then
		printf 'not measured'
	elif cmp "$1" "$2" "$3"; then
		printf '**met**'
	else
		printf '**missed**'
	fi
}
cmdline() { # the exact command of an implementation, with paths made short
	local c=${CMD[$1]}
	c=${c//$B\//build\/bench\/}
	c=${c//$HERE\//tests\/bench\/}
	c=${c//$WORK\//\$WORK\/}
	printf '%s' "$c"
}

machine() {
	local cpu mem
	cpu=$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)
	mem=$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
	echo "- kernel: \`$(uname -r)\` ($(uname -m)); $(nproc) vCPUs ($cpu); $mem"
	echo "- distribution: $(. /etc/os-release && echo "$PRETTY_NAME")"
	echo "- stapc: \`$("$O/stapc" --version 2>/dev/null | head -1)\`, $(git -C "$HERE" rev-parse --short HEAD 2>/dev/null)$(git -C "$HERE" diff --quiet HEAD -- ../../stapc ../../runtime ../../tapset 2>/dev/null || echo ' (+ uncommitted changes)')"
	echo "- clang $(clang --version | sed -n 's/.*clang version \([^ ]*\).*/\1/p' | head -1), libbpf $(dpkg-query -W -f='${Version}' libbpf-dev 2>/dev/null), bpftool $(bpftool version 2>/dev/null | sed -n 's/.*v\([0-9.]*\)$/\1/p' | head -1)"
	[ $have_bpftrace = 1 ] && echo "- bpftrace $(bpftrace --version 2>/dev/null | awk '{ print $2 }')"
	[ $have_lbt = 1 ] && echo "- libbpf-tools $(dpkg-query -W -f='${Version}' libbpf-tools 2>/dev/null)"
	command -v stap >/dev/null && echo "- systemtap $(dpkg-query -W -f='${Version}' systemtap 2>/dev/null): $STAP_NOTE"
	echo "- load average at the start: $LOADAVG; processes busy at the start: ${BUSY:-none}"
	echo "  (this machine is shared with other work: that is noise in the absolute numbers;"
	echo "  interleaving keeps the ratios fair)"
}

fig1_table() {
	local base id a ref r
	base=$(median 1 base ns)
	ref=$(median 1 ref_atomic added)
	echo "| tool | ns/call | added ns/event | ÷ ref (a) | ÷ its ref | lines lost |"
	echo "|---|---:|---:|---:|---:|---:|"
	echo "| untraced \`readload $NREADS\` | $(fmt 1 "$base") | | | | |"
	for id in "${F1_IMPLS[@]}"; do
		[ "$(count 1 "$id" ns)" -gt 0 ] || { echo "| ${DESC[$id]} | failed | | | | |"; continue; }
		a=$(median 1 "$id" added)
		r=${F1_REF[$id]:-}
		echo "| ${DESC[$id]} | $(fmt 1 "$(median 1 "$id" ns)") | $(fmt 1 "$a") | $(ratio "$a" "$ref") | $([ -n "$r" ] && ratio "$a" "$(median 1 "$r" added)") | $([[ $F1_PRINTF == *" $id "* ]] && fmt 0 "$(median 1 "$id" lost)") |"
	done
}

fig2_table() {
	local id
	echo "| tool | exec → ready, ms | SIGINT → exited, ms | peak RSS, MiB |"
	echo "|---|---:|---:|---:|"
	for id in "${F2_ATTACH[@]}"; do
		[ "$(count 2 "$id" attach)" -gt 0 ] || { echo "| ${DESC[$id]} | failed | | |"; continue; }
		echo "| ${DESC[$id]} | $(fmt 1 "$(median 2 "$id" attach)") | $(fmt 1 "$(median 2 "$id" stop)") | $(mib "$(median 2 "$id" hwm)") |"
	done
	echo
	echo "| script that exits in begin | exec → exited, ms |"
	echo "|---|---:|"
	for id in "${F2_EXIT[@]}"; do
		echo "| ${DESC[$id]} | $(fmt 1 "$(median 2 "$id" total)") |"
	done
}

fig3_table() {
	local id
	echo "| tool | opens/s | ÷ untraced | lines delivered/s | lost (opens − lines) | lost (tool says) | tool CPU µs/line | peak RSS, MiB |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|"
	echo "| untraced \`openload $OPEN_SECS 2\` | $(fmt 0 "$(median 3 base rate)") | | | | | | |"
	for id in "${F3_IMPLS[@]}"; do
		[ "$(count 3 "$id" rate)" -gt 0 ] || { echo "| ${DESC[$id]} | failed | | | | | | |"; continue; }
		echo "| ${DESC[$id]} | $(fmt 0 "$(median 3 "$id" rate)") | $(fmt 2 "$(median 3 "$id" kept)") | $(fmt 0 "$(median 3 "$id" delivered)") | $(fmt 0 "$(median 3 "$id" lost)") | $(fmt 0 "$(median 3 "$id" selflost)") | $(fmt 2 "$(median 3 "$id" cpu_us_line)") | $(mib "$(median 3 "$id" hwm)") |"
	done
}

fig4_table() {
	local name s
	echo "| tool | size, KiB | stripped, KiB |"
	echo "|---|---:|---:|"
	for name in $(awk -F'\t' '$1 == 4 && $4 == "size" { print $2 }' "$DATA" | sort -u); do
		echo "| $name | $(kib "$(median 4 "$name" size)") | $(kib "$(median 4 "$name" stripped)") |"
	done
	echo
	echo "| \`stapc -o\` on | cold, ms | warm, ms | cached, ms |"
	echo "|---|---:|---:|---:|"
	for s in "${F4_SCRIPTS[@]}"; do
		name=$(basename "$s" .stp)
		echo "| $(sed "s|^$HERE/../../||; s|^$HERE/|tests/bench/|" <<<"$s") | $(fmt 0 "$(median 4 "$name" cold)") | $(fmt 0 "$(median 4 "$name" warm)") | $(fmt 0 "$(median 4 "$name" hit)") |"
	done
}

fig5_table() {
	local set k n id
	echo "stapc: $STAPC_UPROBES."
	echo
	echo "| tool | exec → ready, ms | SIGINT → exited, ms | peak RSS, MiB |"
	echo "|---|---:|---:|---:|"
	for set in "${UP_IDS[@]}"; do
		k=${set%%:*}
		for id in "ref_up$k" "bt_up$k" "stapc_up$k"; do
			exists "$id" || continue
			if [[ " ${SKIPPED_UP[*]} " == *" ${DESC[$id]} "* ]]; then
				echo "| ${DESC[$id]} | not run: its detach alone would take minutes | | |"
				continue
			fi
			[ "$(count 5 "$id" attach)" -gt 0 ] || { echo "| ${DESC[$id]} | failed | | |"; continue; }
			echo "| ${DESC[$id]} | $(fmt 1 "$(median 5 "$id" attach)") | $(fmt 1 "$(median 5 "$id" stop)") | $(mib "$(median 5 "$id" hwm)") |"
		done
	done
}

diag_table() {
	echo "| tool | program | insns (xlated) | jited bytes | ns/run (bpf_stats) | helper calls | maps (type:key/value bytes) |"
	echo "|---|---|---:|---:|---:|---|---|"
	awk -F'\t' -v OFS=' | ' '{ nsr = $5 > 0 ? sprintf("%.0f", $6 / $5) : "-"
		print "| " $1, $2, $3, $4, nsr, $7, $8 " |" }' "$DIAG"
}

targets() {
	local id v ref worst stop attach hwm lost reflost kept size warm cold s name
	echo "| target | measured | verdict |"
	echo "|---|---|---|"
	for id in stapc_syscall stapc_trace stapc_vfs stapc_stats stapc_printf; do
		[ "$(count 1 "$id" added)" -gt 0 ] || continue
		v=$(ratio "$(median 1 "$id" added)" "$(median 1 "${F1_REF[$id]}" added)")
		echo "| per-event overhead ≤ 1.05× ref: ${DESC[$id]} (vs ${F1_REF[$id]}) | ${v}× | $(verdict "$v" '<=' 1.05) |"
	done
	attach=$(median 2 stapc_syscall attach)
	stop=$(median 2 stapc_syscall stop)
	echo "| start-up (exec → attached) ≤ 5 ms, tracepoint script | $(fmt 1 "$attach") ms | $(verdict "$attach" '<=' 5) |"
	echo "| exit (SIGINT → exited) ≤ 5 ms, tracepoint script | $(fmt 1 "$stop") ms | $(verdict "$stop" '<=' 5) |"
	v=$(median 2 stapc_exit total)
	echo "| exec → exit for a tracepoint script exiting in begin ≤ 10 ms (5 + 5) | $(fmt 1 "$v") ms | $(verdict "$v" '<=' 10) |"
	for id in stapc_syscall stapc_stats stapc_open; do
		hwm=$(median 2 "$id" hwm)
		echo "| peak RSS ≤ 6 MiB (no kernel BTF needed): ${DESC[$id]}, attached | $(mib "$hwm") MiB | $(verdict "$hwm" '<=' 6144) |"
	done
	hwm=$(median 3 stapc_open hwm)
	echo "| peak RSS ≤ 6 MiB: stapc printf per openat, under figure 3's load | $(mib "$hwm") MiB | $(verdict "$hwm" '<=' 6144) |"
	lost=$(median 3 stapc_open lost)
	reflost=$(median 3 ref_rb_open lost)
	if [ -n "$lost" ] && [ -n "$reflost" ]; then
		# Where the ref loses some too, stapc may lose as much and no more.
		echo "| nothing lost where the ref loses nothing, else no more than it (figure 3) | stapc lost $(fmt 0 "$lost"), ref $(fmt 0 "$reflost") | $(verdict "$lost" '<=' "$reflost") |"
	fi
	lost=$(median 1 stapc_printf lost)
	reflost=$(median 1 ref_rb_read lost)
	[ -n "$lost" ] && echo "| nothing lost where the ref loses nothing (figure 1, printf per read) | stapc lost $(fmt 0 "$lost"), ref $(fmt 0 "$reflost") | $(cmp "${reflost:-0}" '>' 0 && echo 'not applicable' || verdict "$lost" '<=' 0) |"
	kept=$(median 3 stapc_open kept)
	echo "| ≥ 0.8 of the untraced rate at one printf per event (figure 3) | $(fmt 2 "$kept") (ref $(fmt 2 "$(median 3 ref_rb_open kept)")) | $(verdict "$kept" '>=' 0.8) |"
	worst=0
	for name in $(awk -F'\t' '$1 == 4 && $4 == "stripped" && $2 ~ /^stapc\// { print $2 }' "$DATA" | sort -u); do
		size=$(median 4 "$name" stripped)
		cmp "$size" '>' "$worst" && worst=$size
	done
	[ "$worst" != 0 ] && echo "| tool ≤ 1.5 MiB stripped (largest stapc tool) | $(kib "$worst") KiB | $(verdict "$worst" '<=' $((3 * 512 * 1024))) |"
	warm=0 cold=0
	for s in "${F4_SCRIPTS[@]}"; do
		name=$(basename "$s" .stp)
		v=$(median 4 "$name" warm)
		[ -n "$v" ] && cmp "$v" '>' "$warm" && warm=$v
		v=$(median 4 "$name" cold)
		[ -n "$v" ] && cmp "$v" '>' "$cold" && cold=$v
	done
	[ "$warm" != 0 ] && echo "| \`stapc -o\` ≤ 300 ms per example, warm cache (slowest) | $(fmt 0 "$warm") ms | $(verdict "$warm" '<=' 300) |"
	[ "$cold" != 0 ] && echo "| \`stapc -o\` < 2 s cold (slowest) | $(fmt 0 "$cold") ms | $(verdict "$cold" '<' 2000) |"
	echo "| many probes: start-up and RSS vs uprobes | $STAPC_UPROBES | $([ "$STAPC_UPROBES" = measured ] && echo 'see figure 5' || echo 'not measured') |"
}

report() {
	local id
	echo "# stapc benchmarks (issue 8)"
	echo
	echo "Written by \`make bench\` (tests/bench/run.sh) on $START, in $ELAPSED s$([ "$QUICK" = 1 ] && echo ", BENCH_QUICK=1 (fewer rounds: rougher numbers)")."
	echo "Every number is a median over rounds; each traced run follows its own untraced"
	echo "baseline and the order of the tools rotates between rounds. Ratios hold from run"
	echo "to run; absolute numbers move with the machine's load."
	echo
	echo "## Machine"
	echo
	machine
	echo
	echo "## Commands"
	echo
	echo "\`make bench\` = \`make -C tests/bench O=\$PWD/build\`: builds the references and the"
	echo "stapc tools (\`build/stapc -o build/bench/stapc/NAME tests/bench/scripts/NAME.stp\`), then"
	echo "\`tests/bench/run.sh\`. Loads: \`build/bench/util/readload $NREADS\` (one-byte reads of"
	echo "/dev/zero), \`build/bench/util/openload $OPEN_SECS 2 FILE\` (openat+close on both cores)."
	echo "Each tool runs under \`build/bench/util/benchctl\`, which starts it, waits for its"
	echo "readiness line, runs the load, reads VmHWM and stops it with SIGINT. Tools:"
	echo
	for id in $(printf '%s\n' "${!CMD[@]}" | sort); do
		[[ $id == *up[0-9]* ]] && continue
		echo "- \`$id\`: \`$(cmdline "$id")\`"
	done
	echo
	echo "## Figure 1: per-event overhead (ns per one-byte read(2), $ROUNDS rounds)"
	echo
	fig1_table
	echo
	echo "\"added\" is traced minus the untraced run just before it. \"÷ its ref\" compares"
	echo "with the reference doing the same job: (a) for +=, (d) for <<<, (e) for printf."
	echo "\"lines lost\" = reads made − lines with the load's name in the output."
	echo
	echo "## Figure 2: start-up and exit ($ROUNDS rounds)"
	echo
	fig2_table
	echo
	echo "Ready = the tool's begin probe (or header line) is in its output: probes attached."
	echo "libbpf-tools are run under \`stdbuf -oL\` here so that their header line shows."
	echo
	echo "## Figure 3: throughput, one line per openat(2) on both cores ($OPEN_ROUNDS rounds of ${OPEN_SECS} s)"
	echo
	fig3_table
	echo
	echo "## Figure 4: footprint"
	echo
	fig4_table
	echo
	echo "Cold: an empty cache (XDG_CACHE_HOME): vmlinux.h is made again from the kernel's BTF."
	echo "Warm: vmlinux.h cached, the tool not (what editing a script costs). Cached: nothing changed."
	echo "Peak RSS is in figures 2 and 3."
	echo
	echo "## Figure 5: many probes (uprobes on /usr/bin/bash)"
	echo
	fig5_table
	echo
	echo "## Targets (issue 8)"
	echo
	targets
	echo
	echo "## The BPF programs (one extra run of each figure-1 tool with kernel.bpf_stats_enabled=1)"
	echo
	diag_table
	echo
	echo "ns/run is the program alone (bpf_stats), without the cost of the tracepoint itself;"
	echo "it is inflated by the stats' own clock reads, the same for every tool."
	if [ ${#FAILED[@]} -gt 0 ]; then
		echo
		echo "## Failures (stapc's tools, the references: make bench exits 1)"
		echo
		printf -- '- %s\n' "${FAILED[@]}"
	fi
	if [ ${#EXTERNAL_FAILED[@]} -gt 0 ]; then
		echo
		echo "## Failures of the tools compared with (not fatal)"
		echo
		printf -- '- %s\n' "${EXTERNAL_FAILED[@]}"
	fi
}

# medians: fig impl metric median, for the next run's comparison
medians() {
	awk -F'\t' '{ print $1 "\t" $2 "\t" $4 }' "$DATA" | sort -u | while IFS=$'\t' read -r f i m; do
		printf '%s\t%s\t%s\t%s\n' "$f" "$i" "$m" "$(median "$f" "$i" "$m")"
	done
}

# regressions PREV LAST - stapc figures more than 10% worse than last run here
regressions() {
	awk -F'\t' 'NR == FNR { prev[$1 FS $2 FS $3] = $4; next }
		$2 ~ /^stapc/ && ($3 == "added" || $3 == "attach" || $3 == "stop" || $3 == "hwm" || $3 == "warm" || $3 == "total") {
			k = $1 FS $2 FS $3
			if ((k in prev) && prev[k] > 0 && $4 > 1.10 * prev[k])
				printf "bench: figure %s %s %s: %.4g, was %.4g in the previous run here (+%.0f%%)\n",
					$1, $2, $3, $4, prev[k], 100 * ($4 / prev[k] - 1)
		}' "$1" "$2" >&2
}
