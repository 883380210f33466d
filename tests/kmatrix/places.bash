# SPDX-License-Identifier: GPL-2.0-or-later
# places.bash - reading the results of a kmatrix case list (run-all) that
# ran on the host and in each guest, for tests/kmatrix_tools.bats and
# tests/kmatrix_tapsets.bats. A place is "host" or a kernel of $KERNELS;
# $OUT/PLACE/CASE/{rc,stdout,stderr} are what km-case left there, and
# $OUT/KERNEL.{rc,log,console} the guest's boot. $STATE/skip-* say why a
# guest could not boot.

# The places the cases ran: the host, and each guest that booted.
places() {
	local k
	echo host
	for k in $KERNELS; do
		[ -e "$STATE/skip-tools" ] || [ -e "$STATE/skip-$k" ] || echo "$k"
	done
}

guests() {
	places | grep -vx host
}

# need_guest KERNEL - skips the test, saying why, when KERNEL did not boot.
need_guest() {
	local f
	for f in "$STATE/skip-tools" "$STATE/skip-$1"; do
		[ ! -e "$f" ] || skip "$(cat "$f")"
	done
}

# The guest's boot: it must have come back with its cases run.
guest_ran() {
	local k=$1
	if [ "$(cat "$OUT/$k.rc")" != 0 ]; then
		echo "the $k guest failed (exit $(cat "$OUT/$k.rc")):"
		cat "$OUT/$k.log"
		tail -40 "$OUT/$k.console"
		return 1
	fi
}

rc_of() { cat "$OUT/$1/$2/rc" 2>/dev/null || echo none; }
out_of() { cat "$OUT/$1/$2/stdout" 2>/dev/null; }
err_of() { cat "$OUT/$1/$2/stderr" 2>/dev/null; }

# What a case shows when it fails: show_case PLACE CASE.
show_case() {
	echo "--- $2 on $1: exit $(rc_of "$1" "$2")"
	echo "--- stdout:"
	out_of "$1" "$2" | head -30
	echo "--- stderr:"
	err_of "$1" "$2" | head -40
}

# The variants a case's tool attached, from its -v lines, sorted: "fentry",
# "BTF tracepoint,fexit", "tracepoint,uprobe_multi" ...
variants_of() {
	local v
	v=$(err_of "$1" "$2" | sed -nE 's/.*: attached as [^ ]+ \((.*)\)$/\1/p' | sort -u | paste -sd, -)
	# Sites attached in one uprobe_multi link are not one uprobe each.
	if err_of "$1" "$2" | grep -q ' sites attached in one uprobe_multi link$'; then
		v=$(tr , '\n' <<<"$v" | sed -E 's/^uprobe$|^uretprobe$/uprobe_multi/' | sort -u | paste -sd, -)
	fi
	echo "$v"
}
