#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# progstats.sh IMPL - run as benchctl's load with TOOL_PID set: prints one
# line per BPF program the tool (or its children) holds, tab-separated:
#   IMPL  prog-name  insns  jited-bytes  run_cnt  run_time_ns  helper-calls  maps
# helper-calls: name*count of each call in the verifier's output (xlated);
# maps: type:key-bytes/value-bytes of each map the program uses.
set -u
impl=$1
pids() {
	local p=$1 c
	echo "$p"
	for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do pids "$c"; done
}
ids=$(for p in $(pids "$TOOL_PID"); do
	grep -h '^prog_id:' /proc/"$p"/fdinfo/* 2>/dev/null | awk '{ print $2 }'
done | sort -un)
for id in $ids; do
	info=$(bpftool prog show id "$id" --json 2>/dev/null) || continue
	calls=$(bpftool prog dump xlated id "$id" 2>/dev/null |
		sed -n 's/.*call \([A-Za-z_0-9]*\).*/\1/p' | sort | uniq -c |
		awk '{ printf "%s%s*%d", sep, $2, $1; sep = " " }')
	maps=$(for m in $(jq -r '.map_ids[]?' <<<"$info"); do
		bpftool map show id "$m" --json 2>/dev/null |
			jq -r '"\(.type):\(.bytes_key)/\(.bytes_value)"'
	done | sort | uniq | paste -sd' ' -)
	jq -r --arg impl "$impl" --arg calls "$calls" --arg maps "$maps" \
		'[$impl, .name, (.bytes_xlated / 8 | floor), .bytes_jited, (.run_cnt // 0), (.run_time_ns // 0), $calls, $maps] | @tsv' <<<"$info"
done
