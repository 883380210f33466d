# SPDX-License-Identifier: GPL-2.0-or-later
# places.bash - running a kmatrix case list (run-all) on the host and in
# each guest, and reading its results, for tests/kmatrix_tools.bats and
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

# ------------------------------------------------------------ running the cases

# km_build_tools DIR FILE.stp... - each script built once into DIR, under
# its "# tool: NAME" line; what failed goes to $STATE/build.err.
km_build_tools() {
	local dir=$1 f tool
	shift
	mkdir -p "$dir"
	for f in "$@"; do
		tool=$(sed -n 's/^# tool: //p' "$f")
		"$STAPC" -o "$dir/$tool" "$f" 2>>"$STATE/build.err" || echo "$f: stapc failed" >>"$STATE/build.err"
	done
}

# km_run_host DIR - DIR/run-all on the host, in DIR as a guest runs it:
# the cases land in $OUT/host.
km_run_host() {
	mkdir -p "$OUT/host"
	(cd "$1" && PATH=$1:$KM/guest:$PATH KM_OUT=$OUT/host ./run-all >"$OUT/host.log" 2>&1)
}

# km_fetch KERNEL - whether KERNEL is here to boot; if not, why in $STATE/skip-KERNEL.
km_fetch() {
	local k=$1
	km_fetch_or_update "$k" 2>"$STATE/fetch-$k.err" && return 0
	echo "kernel $k cannot be downloaded: $(grep -v '^ *$' "$STATE/fetch-$k.err" | tail -1)" \
		>"$STATE/skip-$k"
	return 1
}

# km_run_guest KERNEL DIR TIMEOUT [run-guest options] - DIR/run-all in one
# boot of KERNEL: the cases land in $OUT/KERNEL, the boot's exit code,
# output and console in $OUT/KERNEL.{rc,log,console}.
km_run_guest() {
	local k=$1 dir=$2 timeout=$3 rc=0
	shift 3
	mkdir -p "$OUT/$k"
	"$KM/run-guest" --kernel "$k" --memory 1024 --timeout "$timeout" --files "$dir" "$@" \
		--out "$OUT/$k" --log "$OUT/$k.console" -- run-all >"$OUT/$k.log" 2>&1 || rc=$?
	echo "$rc" >"$OUT/$k.rc"
}

# need_a_guest - skips the test, saying why, when no guest kernel booted.
need_a_guest() {
	[ -n "$(guests)" ] || skip "no guest kernel could be booted"
}
