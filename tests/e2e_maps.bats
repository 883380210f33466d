#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Arrays and statistics that kernel probes fill while others use them: the
# tool's walks over a BPF map end while the probes refill it, and inserts
# racing deletes on other CPUs are no overflow. As root on this machine's
# kernel; no test depends on timing.

load lib/common
bats_require_minimum_version 1.5.0

setup() {
	need_bpf_root
	T=$BATS_TEST_TMPDIR
}

@test "maps: delete, count and foreach of a BPF array in the tool end while the tool's own system calls refill it" {
	# Each bpf() call of the delete fires syscall_any, which adds the
	# tool's own tid again: a walk that restarts from the first key after
	# each delete never ended (thread-business.stp hung at 100% CPU).
	"$STAPC" -o "$T/refill" -e '
global a, b, n
probe syscall_any { a[tid()] <<< 1; b[tid()] = 1 }
probe timer.ms(20) {
	delete a; delete b
	foreach (t in a) m++
	c = 0; foreach (t in b) c++
	if (++n == 3) { printf("deleted %d times\n", n); exit() }
}'
	run -0 --separate-stderr timeout -k 10 120 "$T/refill"
	[ "$output" = "deleted 3 times" ]
}

@test "maps: delete of a statistic without keys filled in a kernel probe empties it" {
	"$STAPC" -o "$T/scalar" -e '
global s, a
probe kernel.trace("syscalls:sys_enter_getppid") { if (pid() == target()) { s <<< 1; a[1] <<< 1 } }
probe end {
	printf("%d %d\n", @count(s) >= 3, @count(a[1]) >= 3)
	delete s; delete a
	printf("%d %d\n", @count(s), [1] in a)
}'
	gcc -O1 -pthread -o "$T/threads" "$TOP/tests/maps/threads.c"
	run -0 --separate-stderr timeout -k 10 120 "$T/scalar" -c "$T/threads 3 1"
	[ "$output" = $'1 1\n0 0' ]
}

@test "maps: an element inserted on one CPU while another deletes it is no Array overflow" {
	# The insert finds the element another thread made (EEXIST), which a
	# third deletes before it is read: that read failing was taken for a
	# full array. Two threads insert and delete the same keys on end.
	cat > "$T/race.stp" <<'EOS'
global a, s, t, w%[8]
probe kernel.trace("syscalls:sys_enter_getppid") {
	if (pid() == target()) {
		a[1] = tid(); delete a[1]; a[2]++; delete a[2]
		s[1] <<< 1; delete s[1]
		t[1] = "x"; delete t[1]
		w[1] += 1; delete w[1]
	}
}
probe end { println("done") }
EOS
	"$STAPC" -o "$T/race" "$T/race.stp"
	gcc -O1 -pthread -o "$T/threads" "$TOP/tests/maps/threads.c"
	run -0 --separate-stderr timeout -k 10 300 "$T/race" -c "$T/threads 200000 2"
	[ "$output" = done ]
	[ -z "$stderr" ]
}
