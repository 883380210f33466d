#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Tapset probes and functions that run on this machine's kernel (the ones
# that need kernel functions are in kmatrix_tapsets.bats): each against a
# workload it makes or an event the machine has anyway.

load lib/common
bats_require_minimum_version 1.5.0

setup_file() {
	[ "$(id -u)" = 0 ] || return 0
	mount_tracefs
}

setup() {
	[ "$(id -u)" = 0 ] || skip "tools load BPF programs: run the tests as root"
}

@test "tapsets: oneshot runs its handler once and ends the script (helloworld.stp, sizeof.stp)" {
	run -0 "$STAPC" -e 'probe oneshot { println("once") } probe end { println("end") }'
	[ "$output" = "$(printf 'once\nend')" ]
	local ex=/usr/share/systemtap/examples/general/helloworld.stp
	[ -f "$ex" ] || skip "systemtap-doc is not installed"
	run -0 "$STAPC" "$ex"
	[ "$output" = "hello world" ]
}

@test "tapsets: irq_handler.entry and .exit name the interrupt, its handler's device and flags" {
	# The machine's own interrupts (disk, network, timers) are the workload;
	# a read that misses the page cache makes one if none comes by itself.
	cat > "$BATS_TEST_TMPDIR/irq.stp" <<'EOF'
probe irq_handler.entry {
	printf("entry irq=%d dev=%s flags=%s handler=%d\n", irq, kernel_string(dev_name),
	       flags_str, handler != 0)
}
probe irq_handler.exit {
	printf("exit irq=%d ret=%d\n", irq, ret)
	exit()
}
EOF
	"$STAPC" -o "$BATS_TEST_TMPDIR/irq" "$BATS_TEST_TMPDIR/irq.stp"
	run -0 "$BATS_TEST_TMPDIR/irq" -T 20 -c "dd if=/proc/self/exe of=/dev/null iflag=direct bs=4096 count=64 status=none"
	echo "$output"
	local line irq dev
	line=$(grep -m1 '^entry ' <<< "$output")
	[[ "$line" =~ ^entry\ irq=([0-9]+)\ dev=([^ ]+)\ flags=([A-Z_|]*(0x[0-9a-f]+)?)\ handler=1$ ]]
	irq=${BASH_REMATCH[1]} dev=${BASH_REMATCH[2]}
	# The same interrupt and device as the kernel's own table shows.
	grep -Eq "^ *$irq:.* $dev\$|^ *$irq:.* $dev," /proc/interrupts
	grep -Eq '^exit irq=[0-9]+ ret=[0-2]$' <<< "$output"
}

@test "tapsets: irqflags_str names IRQF_* flags as stap does, the same in the tool and in BPF" {
	local calls='irqflags_str(0), irqflags_str(0x80), irqflags_str(0x2080), irqflags_str(0x4000), irqflags_str(0x10400), irqflags_str(0x400000), irqflags_str(0x2000 | 0x400000)'
	local want='0x0|IRQF_SHARED|IRQF_SHARED|IRQF_ONESHOT|IRQF_TIMER|IRQF_TIMER|IRQF_PERCPU|0x400000|IRQF_ONESHOT|0x400000'
	run -0 "$STAPC" -e "probe begin { printf(\"%s|%s|%s|%s|%s|%s|%s\\n\", $calls); exit() }"
	[ "$output" = "$want" ]
	# Softirqs on both CPUs may each print before exit() stops the rest.
	run -0 --separate-stderr "$STAPC" -e "probe softirq.entry { printf(\"%s|%s|%s|%s|%s|%s|%s\\n\", $calls); exit() }" -T 20
	[ -n "$output" ]
	[ -z "$(grep -vxF -- "$want" <<< "$output")" ]
}

@test "tapsets: softirq.entry and .exit give the softirq's number" {
	run -0 "$STAPC" -e 'global n; probe softirq.entry { n[vec_nr] = 1 }
		probe softirq.exit { if (vec_nr in n) { printf("%d\n", vec_nr); exit() } }' -T 20
	# Both CPUs may each print one before exit() stops the rest.
	[ -n "$output" ]
	[ -z "$(grep -vx '[0-9]' <<< "$output")" ]
}

@test "tapsets: a kernel probe's sprintf(\"%s0x%x\"), text right after %s, which the kernel's bpf_snprintf refuses, prints and is made in BPF to be stored and compared" {
	run -0 --separate-stderr "$STAPC" -e 'probe softirq.entry { printf("%s\n", sprintf("%s0x%x", "v", vec_nr + 0xf0)); exit() }' -T 20
	[ -n "$output" ]
	[ -z "$(grep -vE '^v0xf[0-9]$' <<< "$output")" ]
	# Stored and compared, it is made as bytes in BPF (the text after %s passed as its own %s).
	run -0 --separate-stderr "$STAPC" -e 'probe softirq.entry { s = sprintf("%s0x%x", "v", vec_nr + 0xf0); if (s =~ "^v0xf[0-9]$") { println(s); exit() } }' -T 20
	[ -n "$output" ]
	[ -z "$(grep -vE '^v0xf[0-9]$' <<< "$output")" ]
}

@test "tapsets: vm.kmalloc, vm.kfree, vm.kmem_cache_alloc/free name the call site and sizes; the _node forms match nothing where the kernel folded them" {
	cat > "$BATS_TEST_TMPDIR/kmem.stp" <<'EOF2'
global n, bad
probe vm.kmem_cache_alloc {
	n[name]++
	if (bytes_alloc < bytes_req || bytes_req <= 0 || !ptr) bad++
}
probe vm.kmalloc { n[name]++; if (bytes_alloc < bytes_req) bad++ }
probe vm.kfree, vm.kmem_cache_free { n[name]++ }
probe vm.kmalloc_node ?, vm.kmem_cache_alloc_node ? { n[name]++ }
probe timer.ms(300) { if (n["kmem_cache_alloc"] && n["kmem_cache_free"] && n["kmalloc"] && n["kfree"]) exit() }
probe end { foreach (k+ in n) printf("%s ", k); printf("bad=%d\n", bad) }
EOF2
	# (A probe that fires inside another on the same CPU is skipped and counted on stderr.)
	run -0 --separate-stderr "$STAPC" -T 20 "$BATS_TEST_TMPDIR/kmem.stp"
	echo "$output"
	# This kernel (6.1 and later) has no kmalloc_node event of its own.
	if [ -d /sys/kernel/tracing/events/kmem/kmalloc_node ]; then
		skip "this kernel still has kmem:kmalloc_node"
	fi
	[ "$output" = "kfree kmalloc kmem_cache_alloc kmem_cache_free bad=0" ]
	# The caller, by its name in the kernel's symbols.
	run -0 --separate-stderr "$STAPC" -T 20 -e 'probe vm.kmem_cache_alloc { printf("%s %d\n", caller_function, call_site != 0); exit() }'
	[[ "$output" =~ ^([a-z_][a-z0-9_.]*)\ 1$ ]]
	grep -q " ${BASH_REMATCH[1]}\$" /proc/kallsyms
}

@test "tapsets: ioblock_trace.request sees a direct read, with its disk and queue" {
	local f dev
	# A file on a disk, read past the page cache: the bios are the reader's.
	f=$(mktemp /var/tmp/stapc-ioblock.XXXXXX)
	head -c 65536 /dev/urandom > "$f"
	sync "$f"
	dev=$(df --output=source "$f" | tail -1)
	[[ "$dev" == /dev/* ]] || { rm -f "$f"; skip "/var/tmp is not on a disk ($dev)"; }
	cat > "$BATS_TEST_TMPDIR/iot.stp" <<'EOF2'
probe ioblock_trace.request {
	if (pid() == target())
		printf("%s %s rw=%d q=%d size=%d\n", name, devname, rw, q != 0, size)
}
EOF2
	run -0 --separate-stderr "$STAPC" "$BATS_TEST_TMPDIR/iot.stp" -c "dd if=$f of=/dev/null iflag=direct bs=4096 count=2 status=none"
	rm -f "$f"
	echo "$output"
	[[ "${lines[0]}" =~ ^ioblock_trace\.request\ ([a-z0-9]+)\ rw=0\ q=1\ size=4096$ ]]
	# The disk is the file system's (vda for /dev/vda1 too).
	[[ "$dev" == /dev/"${BASH_REMATCH[1]}"* ]]
}

@test "tapsets: syscall.send and syscall.recv exist and, where the kernel has no such call (x86-64), match nothing, as in stap" {
	cat > "$BATS_TEST_TMPDIR/send.stp" <<'EOF2'
probe syscall.send, syscall.sendto { if (pid() == target()) printf("%s %d %d\n", name, s, len) }
probe syscall.recv, syscall.recvfrom { if (pid() == target()) printf("%s %d\n", name, len) }
EOF2
	run -0 --separate-stderr "$STAPC" "$BATS_TEST_TMPDIR/send.stp" -c "/usr/bin/python3.11 -c 'import socket; a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM); a.send(b\"hi\"); b.recv(7)'"
	echo "$output"
	[ -d /sys/kernel/tracing/events/syscalls/sys_enter_send ] && skip "this kernel has a send system call"
	[[ "${lines[0]}" =~ ^sendto\ [0-9]+\ 2$ ]]
	[ "${lines[1]}" = "recvfrom 7" ]
}

@test "tapsets: d_name names a dentry (the task's working folder)" {
	mkdir -p "$BATS_TEST_TMPDIR/where-am-i"
	cd "$BATS_TEST_TMPDIR/where-am-i"
	run -0 --separate-stderr "$STAPC" -e 'probe syscall.openat { if (pid() == target()) {
		printf("%s\n", d_name(@cast(task_current(), "task_struct")->fs->pwd->dentry)); exit() } }' -c "cat /etc/hostname"
	[ "${lines[0]}" = "where-am-i" ]
}

@test "tapsets: inet_get_local_port and inet_get_ip_source name a TCP socket's local port and peer" {
	cat > "$BATS_TEST_TMPDIR/net.stp" <<'EOF2'
probe kernel.trace("sock:inet_sock_set_state") {
	if (pid() == target() && $newstate == 10)
		printf("listen %d\n", inet_get_local_port($sk))
	if (pid() == target() && $newstate == 1)
		printf("established %d from %s\n", inet_get_local_port($sk), inet_get_ip_source($sk))
}
EOF2
	run -0 --separate-stderr "$STAPC" "$BATS_TEST_TMPDIR/net.stp" -c "/usr/bin/python3.11 -c '
import socket
s = socket.socket(); s.bind((\"127.0.0.1\", 0)); s.listen()
c = socket.create_connection(s.getsockname())
open(\"$BATS_TEST_TMPDIR/ports\", \"w\").write(\"%d %d\\n\" % (s.getsockname()[1], c.getsockname()[1]))'"
	echo "$output"
	local listen client
	read -r listen client < "$BATS_TEST_TMPDIR/ports"
	grep -qx "listen $listen" <<< "$output"
	grep -qx "established $client from 127.0.0.1" <<< "$output"
}

@test "tapsets: queue statistics (qs_wait, qs_run, qs_done, qsq_*) average over the interval since qsq_start" {
	# Three requests waiting, one in service, from before the interval: for
	# its whole length one request is in service and two wait.
	run -0 "$STAPC" -e 'probe begin { qs_wait("q"); qs_wait("q"); qs_wait("q"); qs_run("q"); qsq_start("q") }
probe timer.ms(50) {
	printf("%d %d %d %d %d\n", qsq_utilization("q", 100), qsq_blocked("q", 100),
	       qsq_wait_queue_length("q", 10), qsq_throughput("q", 1), qsq_service_time("q", 1))
	exit()
}'
	[ "$output" = "100 100 20 0 0" ]
	# Events from kernel probes, read in the tool: the command's nanosleep
	# is a request, serviced for at least its 20 ms.
	run -0 "$STAPC" -e 'probe kernel.trace("syscalls:sys_enter_clock_nanosleep") { if (pid() == target()) { qs_wait("s"); qs_run("s") } }
probe kernel.trace("syscalls:sys_exit_clock_nanosleep") { if (pid() == target()) qs_done("s") }
probe begin { qsq_start("s") }
probe end {
	svc = qsq_service_time("s", 1)
	printf("%d %d %d\n", qsq_throughput("s", 1000000000) > 0, svc >= 20000, qsq_wait_time("s", 1) >= svc)
	qsq_print("s")
}' -c 'sleep 0.02'
	echo "$output"
	[ "${lines[0]}" = "1 1 1" ]
	[[ "${lines[1]}" =~ ^s:\ [0-9]+\ ops/s,\ 0\.[0-9]{3}\ qlen,\ [0-9]+\ await,\ [0-9]+\ svctm,\ [0-9]+%\ wait,\ [0-9]+%\ util$ ]]
}

@test "tapsets: format_ipaddr, __ip_sock_*, __tcp_sock_*port, tcp_ts_get_info_state, tcp_sockstate_str, tcp_get_info_rto (tcp_retransmission.stp)" {
	cat > "$BATS_TEST_TMPDIR/tcp.stp" <<'EOF2'
probe kernel.trace("sock:inet_sock_set_state") {
	if (pid() == target() && $newstate == 1) {
		sk = $sk
		printf("%s:%d => %s:%d %s %d %d\n",
		       format_ipaddr(__ip_sock_saddr(sk), __ip_sock_family(sk)), __tcp_sock_sport(sk),
		       format_ipaddr(__ip_sock_daddr(sk), __ip_sock_family(sk)), __tcp_sock_dport(sk),
		       tcp_sockstate_str(tcp_ts_get_info_state(sk)), tcp_ts_get_info_state(sk) == $oldstate,
		       tcp_get_info_rto(sk) >= 200000)
	}
}
probe end { println(format_ipaddr(0x0100007f, 2), " ", format_ipaddr(0, 1)) }
EOF2
	# A connection over IPv4, then one over IPv6: each side's SYN_SENT or
	# SYN_RECV becomes ESTABLISHED, with an RTO of at least TCP_RTO_MIN (200 ms).
	run -0 --separate-stderr "$STAPC" "$BATS_TEST_TMPDIR/tcp.stp" -c "/usr/bin/python3.11 -c '
import socket
with open(\"$BATS_TEST_TMPDIR/ports\", \"w\") as f:
  for fam, a in ((socket.AF_INET, \"127.0.0.1\"), (socket.AF_INET6, \"::1\")):
    s = socket.socket(fam); s.bind((a, 0)); s.listen()
    c = socket.create_connection(s.getsockname()[:2])
    f.write(\"%d %d\\n\" % (s.getsockname()[1], c.getsockname()[1]))'"
	echo "$output"
	local l4 c4 l6 c6 v6=0000:0000:0000:0000:0000:0000:0000:0001
	{ read -r l4 c4; read -r l6 c6; } < "$BATS_TEST_TMPDIR/ports"
	grep -qx "127.0.0.1:$c4 => 127.0.0.1:$l4 TCP_SYN_SENT 1 1" <<< "$output"
	grep -qx "127.0.0.1:$l4 => 127.0.0.1:$c4 TCP_SYN_RECV 1 1" <<< "$output"
	grep -qx "$v6:$c6 => $v6:$l6 TCP_SYN_SENT 1 1" <<< "$output"
	grep -qx "$v6:$l6 => $v6:$c6 TCP_SYN_RECV 1 1" <<< "$output"
	[ "${lines[-1]}" = "127.0.0.1 *unknown address family*" ]
}

@test "tapsets: task_rlimit_nofile gives a task's soft limit on open files (rlimit_nofile.stp)" {
	run -0 --separate-stderr "$STAPC" -e 'probe kernel.trace("sched_process_exit") {
	if (pid() == target()) { printf("%d %d\n", task_rlimit_nofile($p), task_rlimit_nofile(task_current())); exit() }
}' -c "sh -c 'ulimit -n 777; exec sleep 0.1'"
	[ "$output" = "777 777" ]
}

@test "tapsets: fullpath_struct_path, task_dentry_path and inode_name name a folder across mounts; & gives a member's address" {
	# The working folder of the command is on tracefs, mounted under /sys:
	# its full path crosses two mounts; the machine's root is "/".
	run -0 --separate-stderr "$STAPC" -e 'probe kernel.trace("sched_process_exit") {
	if (pid() == target()) {
		fs = @cast(task_current(), "task_struct")->fs
		printf("[%s] [%s] [%s] %d\n", fullpath_struct_path(&@cast(fs, "fs_struct")->pwd),
		       inode_name(@cast(fs, "fs_struct")->pwd->dentry->d_inode),
		       task_dentry_path(task_current(), @cast(fs, "fs_struct")->root->dentry,
					@cast(fs, "fs_struct")->root->mnt),
		       &@cast(fs, "fs_struct")->pwd->dentry - &@cast(fs, "fs_struct")->pwd)
		exit()
	}
}' -c "sh -c 'cd /sys/kernel/tracing/events && exec sleep 0.1'"
	# struct path is { mnt, dentry }: dentry's address is 8 bytes on.
	[ "$output" = "[/sys/kernel/tracing/events] [events] [/] 8" ]
	# reverse_path_walk stops at the root of the dentry's own file system.
	run -0 --separate-stderr "$STAPC" -e 'probe kernel.trace("sched_process_exit") {
	if (pid() == target()) {
		fs = @cast(task_current(), "task_struct")->fs
		printf("[%s] [%s]\n", reverse_path_walk(@cast(fs, "fs_struct")->pwd->dentry),
		       reverse_path_walk(@cast(fs, "fs_struct")->root->dentry))
		exit()
	}
}' -c "sh -c 'cd /sys/kernel/tracing/events && exec sleep 0.1'"
	[ "$output" = "[events] []" ]
	# &@cast(0, T)[1] is the address of element 1, not a read: @cast_sizeof.
	run -0 --separate-stderr "$STAPC" -e 'probe kernel.trace("sched_process_exit") {
	if (pid() == target()) { printf("%d %d\n", @cast_sizeof("struct path"), @cast_module_sizeof("kernel", "struct rlimit")); exit() }
}' -c "sleep 0.1"
	[ "$output" = "16 16" ]
}

@test "tapsets: vfs.open.return gives the opened file's full path and the error (slowvfs.stp)" {
	# No kprobes here: the openat syscalls stand in for vfs_open.
	run -0 --separate-stderr "$STAPC" -e 'probe vfs.open.return {
	if (pid() == target())
		printf("%s %d %s %s %d\n", name, ret, error_str, pathname, @entry(gettimeofday_us()) > 0)
}' -c "cat /etc/hostname /nonexistent /sys/kernel/tracing/trace_clock"
	echo "$output"
	grep -qx 'vfs.open 0  /etc/hostname 1' <<< "$output"
	grep -qx 'vfs.open 0  /sys/kernel/tracing/trace_clock 1' <<< "$output"
	grep -qx 'vfs.open -2 ENOENT  1' <<< "$output"
	local ex=/usr/share/systemtap/examples/io/slowvfs.stp
	[ -f "$ex" ] || skip "systemtap-doc is not installed"
	run -0 "$STAPC" -p2 "$ex"
}

@test "tapsets: stap.pass0 ... stap.pass6.end fire on stap's own marks, with its session (stap_time.stp)" {
	command -v stap > /dev/null || skip "stap is not installed"
	# stap stops in pass 0 here (no kernel build tree), then cleans up:
	# pass0 and pass6 fire, the passes in between do not.
	run -0 --separate-stderr "$STAPC" -e 'probe stap.pass0, stap.pass0.end, stap.pass1a, stap.pass1b, stap.pass1.end,
	stap.pass2, stap.pass2.end, stap.pass3, stap.pass3.end, stap.pass4, stap.pass4.end,
	stap.pass5, stap.pass5.end, stap.pass6, stap.pass6.end { printf("%s %d\n", pn(), session != 0) }' \
		-c "stap -p2 -e 'probe begin {}'"
	echo "$output"
	grep -qx "process(\"$(command -v stap)\").mark(\"pass0__start\") 1" <<< "$output"
	grep -qx "process(\"$(command -v stap)\").mark(\"pass6__end\") 1" <<< "$output"
}
