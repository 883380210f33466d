#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# One semantics for all placements: the same statements run in a begin
# probe and a timer (both in the tool, as C), and in a system call's
# tracepoint, a uprobe and a perf probe (as BPF), and must print the same,
# with the same exit code. Each test is one list of statements; place()
# wraps it for every placement, so the matrix has one source. A workload
# of the test's own fires each kernel-side probe: it calls getpid(), then
# mark() (the uprobe), then spins on the CPU (the perf probe's samples).

load lib/common
bats_require_minimum_version 1.5.0

setup_file() {
	export SEM_DIR=$BATS_FILE_TMPDIR/sem
	mkdir -p "$SEM_DIR"
	cat > "$SEM_DIR/wl.c" <<'EOF'
#include <time.h>
#include <unistd.h>

__attribute__((noinline)) int mark(int n)
{
	__asm__ volatile("" ::: "memory");
	return n + 1;
}

static long cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

int main(void)
{
	getpid();
	mark(1);
	/* 300 ms of CPU time: samples land in it however loaded the machine is. */
	long until = cpu_ns() + 300000000L;
	while (cpu_ns() < until)
		;
	return 0;
}
EOF
	gcc -O1 -g -o "$SEM_DIR/wl" "$SEM_DIR/wl.c"
}

setup() {
	T=$BATS_TEST_TMPDIR
	WL=$SEM_DIR/wl
	# Scripts are built from their own folder (the same name in every error).
	STAPC=$(realpath "$STAPC")
}

need_root() {
	[ "$(id -u)" = 0 ] || skip "kernel-side probes load BPF programs: run the tests as root"
	mount | grep -q tracefs || mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || true
}

PLACES=(begin timer syscall uprobe perf)

# place PLACE DECLS BODY: the script that runs BODY once in PLACE, then
# exit(). Every placement has the same lines before BODY, so an error's
# line:column is the same in all.
place() {
	local decls=$2 body=$3 head guard
	case $1 in
	begin) head='probe begin {' guard='' ;;
	timer) head='probe timer.ms(5) {' guard='if (sem_once) next; sem_once = 1' ;;
	syscall) head='probe syscall.getpid {' guard='if (pid() != target() || sem_once) next; sem_once = 1' ;;
	uprobe) head="probe process(\"$WL\").function(\"mark\") {" guard='' ;;
	perf) head='probe perf.sw.cpu_clock.sample(1000000) {'
		guard='if (pid() != target() || sem_once) next; sem_once = 1' ;;
	esac
	printf 'global sem_once\n%s\n%s\n%s\n%s\nexit()\n}\n' "$decls" "$head" "$guard" "$body"
}

# in_every_place NAME RC EXPECTED DECLS BODY: builds BODY in each
# placement, runs it with the workload, and checks it prints EXPECTED
# (stdout and stderr) and exits with RC. Reports every placement that
# differs, not only the first.
in_every_place() {
	local name=$1 rc=$2 expected=$3 decls=$4 body=$5 p bad=0
	for p in "${PLACES[@]}"; do
		mkdir -p "$T/$p"
		place "$p" "$decls" "$body" > "$T/$p/$name.stp"
		if ! (cd "$T/$p" && "$STAPC" -o "$name" "$name.stp") > "$T/$p/build.log" 2>&1; then
			echo "== $p: does not build"
			cat "$T/$p/build.log"
			bad=1
			continue
		fi
		run timeout 120 "$T/$p/$name" -c "$WL"
		if [ "$status" != "$rc" ] || [ "$output" != "$expected" ]; then
			echo "== $p: exit $status (want $rc), printed:"
			echo "$output"
			bad=1
		fi
	done
	[ "$bad" = 0 ] || { echo "== wanted:"; echo "$expected"; }
	return "$bad"
}

@test "semantics: ++ and -- before and after, on locals, globals and array elements, and in a for loop" {
	need_root
	in_every_place incdec 0 "$(printf '%s\n' '0 0 2 2 0' '5 5 7 7 5' '5 5 7 7 5' '1 -1' '3 3')" \
		'global g, a' '
i = 0; x = i++; y = ++i; z = i--; w = --i
printf("%d %d %d %d %d\n", i, x, y, z, w)
g = 5; x = g++; y = ++g; z = g--; w = --g
printf("%d %d %d %d %d\n", g, x, y, z, w)
a["k"] = 5; x = a["k"]++; y = ++a["k"]; z = a["k"]--; w = --a["k"]
printf("%d %d %d %d %d\n", a["k"], x, y, z, w)
a["n"]++; --a["m"]; printf("%d %d\n", a["n"], a["m"])
s = 0; for (j = 0; j < 3; j++) s += j; for (k = 3; k > 0; k--) n++
printf("%d %d\n", s, n)'
}
