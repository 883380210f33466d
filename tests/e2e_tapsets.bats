#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Tapset probes and functions that run on this machine's kernel (the ones
# that need kernel functions are in kmatrix_tapsets.bats): each against a
# workload it makes or an event the machine has anyway.

load lib/common
bats_require_minimum_version 1.5.0

setup_file() {
	[ "$(id -u)" = 0 ] || return 0
	mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing
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
	run -0 "$STAPC" -e "probe softirq.entry { printf(\"%s|%s|%s|%s|%s|%s|%s\\n\", $calls); exit() }" -T 20
	[ "$output" = "$want" ]
}

@test "tapsets: softirq.entry and .exit give the softirq's number" {
	run -0 "$STAPC" -e 'global n; probe softirq.entry { n[vec_nr] = 1 }
		probe softirq.exit { if (vec_nr in n) { printf("%d\n", vec_nr); exit() } }' -T 20
	[[ "$output" =~ ^[0-9]$ ]]
}

@test "tapsets: a kernel probe's sprintf(\"%s0x%x\") is assembled by the tool, which the kernel's bpf_snprintf refuses" {
	run -0 "$STAPC" -e 'probe softirq.entry { printf("%s\n", sprintf("%s0x%x", "v", 255)); exit() }' -T 20
	[ "$output" = "v0xff" ]
	# Stored or compared, it cannot be: an error at the place, not a verifier log.
	run "$STAPC" -p4 -e 'probe softirq.entry { s = sprintf("%s0x%x", "v", vec_nr); if (s == "v") exit() }'
	[ "$status" -eq 1 ]
	[[ "$output" == *"this string is assembled by the tool, not in the kernel"* ]]
}
