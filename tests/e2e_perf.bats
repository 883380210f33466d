#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# perf.sw.*, perf.hw.*, perf.hw_cache.* and perf.type(N).config(M) probes,
# and timers whose handlers ask for the interrupted task's context, as root
# on this machine's kernel, against a workload of the test's own: a
# program that spins for a known CPU time, touches a known number of pages
# or sleeps a known number of times. Listing and compile-time errors need
# no root.

load lib/common
bats_require_minimum_version 1.5.0

setup_file() {
	export WL_DIR=$BATS_FILE_TMPDIR/wl
	mkdir -p "$WL_DIR"
	# perfwl spin MS | pages N | sleeps N
	cat > "$WL_DIR/perfwl.c" <<'EOF'
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static double cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : 0;
	if (argc > 2 && !strcmp(argv[1], "spin")) {
		double until = cpu_ms() + n;
		while (cpu_ms() < until)
			;
	} else if (argc > 2 && !strcmp(argv[1], "pages")) {
		long page = sysconf(_SC_PAGESIZE);
		char *p = mmap(NULL, n * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return 1;
		madvise(p, n * page, MADV_NOHUGEPAGE); /* one fault per page */
		for (long i = 0; i < n; i++)
			p[i * page] = 1;
	} else if (argc > 2 && !strcmp(argv[1], "sleeps")) {
		for (long i = 0; i < n; i++)
			usleep(2000);
	} else {
		return 2;
	}
	return 0;
}
EOF
	gcc -O1 -o "$WL_DIR/perfwl" "$WL_DIR/perfwl.c"
}

setup() {
	WL=$WL_DIR/perfwl
	T=$BATS_TEST_TMPDIR
}

need_root() {
	[ "$(id -u)" = 0 ] || skip "perf probes load BPF programs: run the tests as root"
}

# This machine's hardware counters: a PMU ("cpu", or "cpu_core" on hybrids).
have_pmu() {
	[ -e /sys/bus/event_source/devices/cpu ] || [ -e /sys/bus/event_source/devices/cpu_core ]
}

# No perf-event program of ours (probe_N) stays in the kernel, nor a perf
# link; the kernel frees a program shortly after its last user. Only perf
# programs are looked at, so that tools of other suites running at the same
# time do not count.
assert_nothing_attached() {
	local i
	for i in $(seq 20); do
		if ! bpftool prog show 2>/dev/null | grep -qE '^[0-9]+: perf_event +name probe_[0-9]' &&
			! bpftool link show 2>/dev/null | grep -qE '^[0-9]+: perf_event'; then
			return 0
		fi
		sleep 0.1
	done
	bpftool prog show | grep -A2 -E 'perf_event +name probe_'
	bpftool link show | grep -E '^[0-9]+: perf_event'
	return 1
}

# The first online CPU: where a timer with kernel context samples.
first_cpu() {
	sed 's/[-,].*//' /sys/devices/system/cpu/online
}

@test "perf: -l 'perf.**' lists stap's software, hardware and cache events, and perf.type(N).config(M)" {
	run -0 "$STAPC" -l 'perf.**'
	[[ "$output" == *"perf.sw.cpu_clock"* ]]
	for n in cpu_clock task_clock page_faults context_switches cpu_migrations page_faults_min \
		page_faults_maj alignment_faults emulation_faults; do
		grep -qx "perf.sw.$n" <<< "$output"
	done
	for n in cpu_cycles instructions cache_references cache_misses branch_instructions \
		branch_misses bus_cycles stalled_cycles_frontend stalled_cycles_backend ref_cpu_cycles; do
		grep -qx "perf.hw.$n" <<< "$output"
	done
	grep -qx 'perf.hw_cache.l1d.read.miss' <<< "$output"
	grep -qx 'perf.hw_cache.dtlb.write.access' <<< "$output"
	grep -qx 'perf.type(N).config(M)' <<< "$output"
	run -0 "$STAPC" -l 'perf.sw.*'
	[ "${#lines[@]}" -eq 9 ]
	run -0 "$STAPC" -l 'perf.hw_cache.l1i.*.miss'
	[ "$output" = $'perf.hw_cache.l1i.prefetch.miss\nperf.hw_cache.l1i.read.miss' ]
}

@test "perf: -p2 resolves names to type and config, with stap's default sample of 1000000" {
	run -0 "$STAPC" -p2 -e 'probe perf.sw.page_faults {} probe perf.hw.instructions.sample(5000)? {}
		probe perf.hw_cache.ll.read.miss.hz(99) {} probe perf.type(1).config(3) {}'
	[ "${lines[1]}" = "perf.type(1).config(2).sample(1000000) /* <- perf.sw.page_faults */" ]
	[ "${lines[2]}" = "perf.type(0).config(1).sample(5000) /* <- perf.hw.instructions.sample(5000)? */" ]
	[ "${lines[3]}" = "perf.type(3).config(65538).hz(99) /* <- perf.hw_cache.ll.read.miss.hz(99) */" ]
	[ "${lines[4]}" = "perf.type(1).config(3).sample(1000000) /* <- perf.type(1).config(3) */" ]
	# A wildcard is every event it matches.
	run -0 "$STAPC" -p2 -e 'probe perf.sw.page_faults_*.sample(10) {}'
	[ "${lines[1]}" = "perf.type(1).config(5).sample(10) /* <- perf.sw.page_faults_*.sample(10) */" ]
	[ "${lines[2]}" = "perf.type(1).config(6).sample(10) /* <- perf.sw.page_faults_*.sample(10) */" ]
}

@test "perf: bad perf probe points get one clear error at their place" {
	run -1 "$STAPC" -p2 -e 'probe perf.sw.cpu_clok {}'
	[ "${lines[0]}" = "<input>:1:7: error: 'perf.sw.cpu_clok' is not a perf event; did you mean 'perf.sw.cpu_clock'?" ]
	[ "${lines[2]}" = "      |       ^~~~" ]
	run -1 "$STAPC" -p2 -e 'probe perf.sw.cpu_clock.sample(0) {}'
	[ "${lines[0]}" = "<input>:1:7: error: perf .sample needs a positive number: .sample(N)" ]
	run -1 "$STAPC" -p2 -e 'probe perf.sw.cpu_clock.return {}'
	[ "${lines[0]}" = "<input>:1:7: error: a perf probe takes one .sample(N) or .hz(N) after its event, not '.return'" ]
	run -1 "$STAPC" -p2 -e 'probe perf.hw.cpu_cycles.process("/bin/ls") {}'
	[[ "${lines[0]}" == *"error: perf .process is not supported: "* ]]
	run -1 "$STAPC" -p2 -e 'probe perf.type(1) {}'
	[[ "${lines[0]}" == *"error: write perf.type(T).config(C), "* ]]
	run -1 "$STAPC" -p2 -e 'probe perf.sw.nothing_* {}'
	[[ "${lines[0]}" == *"error: 'perf.sw.nothing_*' matches no perf event (stapc -l 'perf.**' lists them)" ]]
}

@test "perf: perf.sw.cpu_clock.sample(N) samples a spinning program about once per N ns of its CPU time" {
	need_root
	cat > "$T/clk.stp" <<'EOF'
global a, b
probe perf.sw.cpu_clock.sample(1000000) { if (execname() == "perfwl") a++ }
probe perf.sw.cpu_clock.sample(4000000) { if (execname() == "perfwl") b++ }
probe end { printf("%d %d\n", a, b) }
EOF
	"$STAPC" -o "$T/clk" "$T/clk.stp"
	# Real-time, so that on a busy machine no other task shares its CPU time
	# and its samples (the kernel keeps 5% for others).
	run -0 timeout 30 "$T/clk" -c "chrt -f 1 $WL spin 600"
	echo "$output"
	local a b
	read -r a b <<< "$output"
	# 600 ms of CPU: ~600 samples every 1 ms, ~150 every 4 ms.
	[ "$a" -ge 450 ] && [ "$a" -le 720 ]
	[ "$b" -ge 100 ] && [ "$b" -le 190 ]
	assert_nothing_attached
}

@test "perf: user_mode() and register() tell a spinning program's samples from the kernel's; a tracepoint has no registers" {
	need_root
	cat > "$T/um.stp" <<'EOF'
global user, kern, ip_user
function ip() { return u_register("rip") }
probe perf.sw.cpu_clock.sample(1000000) {
	if (pid() == target()) {
		if (user_mode()) { user++; ip_user += ip() > 0 && ip() < 0x800000000000 }
		else kern++
	}
}
probe end { printf("%d %d %d\n", user, kern, ip_user) }
EOF
	"$STAPC" -o "$T/um" "$T/um.stp"
	run -0 timeout 30 "$T/um" -c "$WL spin 300"
	echo "$output"
	local u k i
	read -r u k i <<< "$output"
	# The workload spins reading its CPU time, a system call: samples land
	# on both sides, about 300 in all. Each user sample's IP, read in a
	# function, is a user address.
	[ "$u" -ge 10 ] && [ "$k" -ge 10 ] && [ $((u + k)) -ge 225 ]
	[ "$i" = "$u" ]
	# A tracepoint's handler has no saved registers: int_arg() is an error there, as in stap.
	run -1 timeout 30 "$STAPC" -e 'probe kernel.trace("sched_process_exec") { println(int_arg(1)) }' -c true
	[[ "$output" == *"ERROR: cannot read registers: this probe has none (a tracepoint, fentry or timer) near u_register(\"rdi\")"* ]]
	assert_nothing_attached
}

@test "perf: perf.sw.page_faults sees each page a program touches" {
	need_root
	cat > "$T/pf.stp" <<'EOF'
global n
probe perf.sw.page_faults.sample(1) { if (execname() == "perfwl") n++ }
probe end { printf("%d\n", n) }
EOF
	"$STAPC" -o "$T/pf" "$T/pf.stp"
	run -0 timeout 30 "$T/pf" -c "$WL pages 3000"
	echo "$output"
	# 3000 pages, and the faults of loading the program (a few dozen).
	[ "$output" -ge 3000 ] && [ "$output" -le 3300 ]
	assert_nothing_attached
}

@test "perf: context switches by name and as perf.type(1).config(3) count the same sleeps" {
	need_root
	cat > "$T/cs.stp" <<'EOF'
global named, raw
probe perf.sw.context_switches.sample(1) { if (execname() == "perfwl") named++ }
probe perf.type(1).config(3).sample(1) { if (execname() == "perfwl") raw++ }
probe end { printf("%d %d\n", named, raw) }
EOF
	"$STAPC" -o "$T/cs" "$T/cs.stp"
	run -0 timeout 30 "$T/cs" -c "$WL sleeps 200"
	echo "$output"
	local named raw
	read -r named raw <<< "$output"
	# Each sleep switches the program out once; start-up and exit add a few.
	[ "$named" -ge 200 ] && [ "$named" -le 300 ]
	[ "$raw" -ge 200 ] && [ "$raw" -le 300 ]
	assert_nothing_attached
}

@test "perf: perf.type(1).config(0).hz(N) fires N times a second on each CPU" {
	need_root
	"$STAPC" -o "$T/hz" -e 'global n; probe perf.type(1).config(0).hz(50) { n++ }
		probe timer.s(2) { printf("%d\n", n); exit() }'
	run -0 timeout 30 "$T/hz"
	echo "$output"
	local cpus
	cpus=$(nproc)
	# 2 s at 50 Hz on every CPU, give or take a first and last sample.
	[ "$output" -ge $((cpus * 80)) ] && [ "$output" -le $((cpus * 110)) ]
	assert_nothing_attached
}

@test "perf: a hardware probe written with ? is skipped when the machine cannot count it" {
	need_root
	"$STAPC" -o "$T/opt" -e 'probe perf.hw.cpu_cycles? { }
		probe perf.hw_cache.l1d.read.miss.sample(1000)? { }
		probe timer.ms(300) { println("still here"); exit() }'
	run -0 timeout 30 "$T/opt"
	[ "$output" = "still here" ]
	if ! have_pmu; then
		run -0 timeout 30 "$T/opt" -v
		[[ "$output" == *"probe perf.hw.cpu_cycles?: probe_0 did not attach (this machine has no such perf event"* ]]
	fi
	assert_nothing_attached
}

@test "perf: a hardware probe without ? stops the tool at start-up with one sentence when there is no PMU" {
	need_root
	have_pmu && skip "this machine has hardware counters (a PMU): perf.hw.* attaches here"
	"$STAPC" -o "$T/hwtool" -e 'probe perf.sw.cpu_clock { } probe perf.hw.cpu_cycles { }
		probe begin { println("started") }'
	run -1 timeout 30 "$T/hwtool"
	[ "$output" = "hwtool: cannot probe perf.hw.cpu_cycles: this machine has no such perf event (virtual machines often have no hardware counters)" ]
	# The software probe attached before it is detached again.
	assert_nothing_attached
}

@test "perf: a timer whose handler uses execname() runs in BPF and names the interrupted task" {
	need_root
	local cpu
	cpu=$(first_cpu)
	"$STAPC" -o "$T/ctxtimer" -e 'global n
		probe timer.ms(100) { printf("%s %d %d\n", execname(), pid(), cpu()); n++; if (n == 8) exit() }'
	# Real-time on that CPU: on a busy machine it still holds the CPU there.
	# Started after the build (which a busy machine makes slow) and spinning
	# until killed; the tool starts once it runs (it execs via taskset, chrt).
	taskset -c "$cpu" chrt -f 1 "$WL" spin 20000 &
	local spinner=$! i
	for i in $(seq 100); do
		[ "$(cat /proc/$spinner/comm 2>/dev/null)" = perfwl ] && break
		sleep 0.1
	done
	run timeout 30 "$T/ctxtimer"
	kill "$spinner" 2>/dev/null || true
	wait "$spinner" 2>/dev/null || true
	[ "$status" -eq 0 ]
	echo "$output"
	[ "${#lines[@]}" -eq 8 ]
	# Never the tool itself; always the one CPU its timer runs on; mostly the spinner there.
	! grep -q '^ctxtimer ' <<< "$output"
	[ "$(awk '{ print $3 }' <<< "$output" | sort -u)" = "$cpu" ]
	grep -q "^perfwl $spinner $cpu\$" <<< "$output"
	run -0 "$T/ctxtimer" --manifest
	[[ "$output" == *'"runs_in": "kernel"'* ]]
	assert_nothing_attached
}

@test "perf: timer.ms(100) { printf(execname()); exit() } prints a real process, not the tool" {
	need_root
	"$STAPC" -o "$T/whoruns" -e 'probe timer.ms(100) { printf("%s\n", execname()); exit() }'
	run -0 timeout 30 "$T/whoruns"
	echo "$output"
	[ "${#lines[@]}" -eq 1 ]
	[ -n "$output" ] && [ "$output" != whoruns ]
	# A timer without kernel context still runs in the tool.
	"$STAPC" -o "$T/plain" -e 'probe timer.ms(100) { printf("%s\n", pp()); exit() }'
	run -0 "$T/plain" --manifest
	[[ "$output" == *'"runs_in": "tool"'* ]]
	[[ "$output" != *'"runs_in": "kernel"'* ]]
	assert_nothing_attached
}

@test "perf: a randomized timer with kernel context is refused: a perf event has a fixed period" {
	run -1 "$STAPC" -p4 -e 'probe timer.ms(100).randomize(10) { println(pid()) }'
	[[ "${lines[0]}" == *":1:7: error: this timer runs in the kernel, on a perf event whose period cannot be randomized, because its handler uses pid(): drop .randomize(M)" ]]
}

@test "perf: SIGINT and SIGTERM leave no perf program or link behind" {
	need_root
	"$STAPC" -o "$T/sig" -e 'global n; probe perf.sw.cpu_clock { n++ } probe perf.sw.context_switches { n++ }
		probe timer.profile { n++ } probe end { println(n ? "end" : "nothing fired") }'
	local sig
	for sig in INT TERM; do
		"$T/sig" > "$T/out" 2>&1 &
		local tool=$!
		sleep 0.7
		kill -"$sig" "$tool"
		wait "$tool" || true
		[ "$(cat "$T/out")" = end ]
		assert_nothing_attached
	done
}
