#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The promise: a tool built once on this host runs unchanged on other
# kernels. Every example tool and the kernel-function tools of
# tests/kmatrix/tools/ are built here once, then run by the same case list
# (tests/kmatrix/tools/run-all) on the host and in one boot of each guest
# kernel (tests/kmatrix/, Debian's 6.1 and 6.12 cloud kernels). The host has
# no kprobes and no fentry: there, kernel.function tools must fail with one
# sentence, and the examples fall back to tracepoints. The last test prints
# the table tool x kernel -> variant used, pass/fail.

bats_require_minimum_version 1.5.0
load lib/common

KM=$BATS_TEST_DIRNAME/kmatrix
KERNELS=${STAPC_KMATRIX_KERNELS:-6.1 6.12}

setup_file() {
	source "$KM/lib.sh"
	source "$KM/places.bash"
	STATE=$BATS_FILE_TMPDIR/state OUT=$BATS_FILE_TMPDIR/out
	mkdir -p "$STATE"
	# The tools, built once, with what the cases read beside them.
	local t=$BATS_FILE_TMPDIR/t k
	km_build_tools "$t" "$TOP"/examples/*.stp "$KM"/tools/*.stp
	cp "$KM/tools/run-all" "$TOP/tests/uprobes/flow.py" "$t/"
	# The programs the uprobe tools trace, at their host paths, with their
	# libraries: ls, bash, python3.11.
	local root=$BATS_FILE_TMPDIR/root
	km_copy_with_libs /usr/bin/ls "$root"
	km_copy_with_libs /usr/bin/bash "$root"
	if [ -x /usr/bin/python3.11 ]; then
		km_copy_with_libs /usr/bin/python3.11 "$root"
		mkdir -p "$root/usr/lib/python3.11"
		cp -a /usr/lib/python3.11/encodings "$root/usr/lib/python3.11/"
	fi
	# The host runs the same cases, in the tools' folder as the guest does.
	km_run_host "$t"
	if ! km_install_host_tools 2>"$STATE/tools.err"; then
		echo "host tools missing: $(tail -1 "$STATE/tools.err")" >"$STATE/skip-tools"
		return 0
	fi
	for k in $KERNELS; do
		km_fetch "$k" || continue
		# The kernel's config where Debian keeps it, for %( CONFIG_X %) on the target.
		local rel kroot=$BATS_FILE_TMPDIR/kroot-$k
		rel=$(km_resolve_kernel "$k")
		mkdir -p "$kroot/boot"
		cp "$KM_CACHE/$rel/image/boot/config-$rel" "$kroot/boot/"
		echo "$rel" >"$OUT/$k.release"
		km_run_guest "$k" "$t" 1500 --root "$root" --root "$kroot"
	done
}

setup() {
	source "$KM/lib.sh"
	source "$KM/places.bash"
	STATE=$BATS_FILE_TMPDIR/state
	OUT=$BATS_FILE_TMPDIR/out
}

# check_example WHERE CASE - whether an example tool's output is right.
check_example() {
	local w=$1 c=$2 out err
	out=$(out_of "$w" "$c")
	err=$(err_of "$w" "$c")
	[ "$(rc_of "$w" "$c")" = 0 ] || return 1
	case $c in
	hello)
		[ "$out" = "hello world" ] ;;
	killwatch)
		local victim
		victim=$(sed -n 's/^victim //p' <<<"$out")
		[ -n "$victim" ] && grep -qx "SIGKILL was sent to sleep (pid:$victim) by sh uid:0" <<<"$out" ;;
	openwatch)
		grep -qx 'dd: "data"' <<<"$out" ;;
	iotop)
		local kb
		head -1 <<<"$out" | grep -qE '^ +Process\s+KB Read\s+KB Written$' || return 1
		kb=$(awk '$1 == "dd" { print $2 }' <<<"$out")
		# 2 MiB from /dev/zero, and what the loader reads of the libraries.
		[ -n "$kb" ] && [ "$kb" -ge 2048 ] && [ "$kb" -lt 2100 ] ;;
	iotop2)
		[[ "$(grep '^reads\["dd"\] ' <<<"$out")" =~ @count=([0-9]+)\ @min=[0-9]+\ @max=[0-9]+\ @sum=([0-9]+) ]] &&
			[ "${BASH_REMATCH[1]}" -ge 7 ] && [ "${BASH_REMATCH[2]}" -ge 7000 ] ;;
	ls-callgraph)
		grep -q '^WARNING: /usr/bin/ls is stripped' <<<"$err" &&
			grep -qE '^ +[0-9]+ ls\([0-9]+\):=> _obstack_begin $' <<<"$out" &&
			grep -qE '^ +[0-9]+ ls\([0-9]+\):<= _obstack_begin $' <<<"$out" ;;
	ls-libcalls)
		local calls
		calls=$(sed 's/^ *[0-9]* [^:]*://' <<<"$out")
		grep -qx '=> opendir' <<<"$calls" && grep -qx '<= closedir' <<<"$calls" && grep -qx a <<<"$out" ;;
	bash-callgraph)
		grep -qE '^ +[0-9]+ bash\([0-9]+\): *=> xmalloc$' <<<"$out" &&
			grep -qE 'function\("\*"\)\.call: [0-9]+ (of [0-9]+ )?sites attached' <<<"$err" ;;
	pyflow)
		# Python makes the script's path absolute.
		grep -qE '<= inner in /[^ ]*/flow\.py:2$' <<<"$out" &&
			grep -qE '<= outer in /[^ ]*/flow\.py:4$' <<<"$out" ;;
	*)
		return 1 ;;
	esac
}

EXAMPLE_CASES="hello killwatch openwatch iotop iotop2 ls-callgraph ls-libcalls bash-callgraph pyflow"

@test "kmatrix tools: every tool was built once, on this host" {
	[ ! -s "$BATS_FILE_TMPDIR/state/build.err" ] || { cat "$BATS_FILE_TMPDIR/state/build.err"; false; }
	run -0 readelf -d "$BATS_FILE_TMPDIR/t/kfcount"
	[[ "$output" != *NEEDED* ]]
}

@test "kmatrix tools: every example tool runs on the host, with tracepoints where kernel functions cannot be probed" {
	local c bad=0
	for c in $EXAMPLE_CASES; do
		check_example host "$c" || { show_case host "$c"; bad=1; }
	done
	[ "$bad" = 0 ]
	# vfs.read falls back from vfs_read to the syscall tracepoints here.
	[[ "$(variants_of host iotop)" == *tracepoint* ]]
	[[ "$(variants_of host iotop)" != *fentry* ]]
}

@test "kmatrix tools: every example tool runs unchanged in the 6.1 guest" {
	need_guest 6.1
	guest_ran 6.1
	local c bad=0
	for c in $EXAMPLE_CASES; do
		check_example 6.1 "$c" || { show_case 6.1 "$c"; bad=1; }
	done
	[ "$bad" = 0 ]
	# iotop uses fentry on vfs_read and vfs_write there.
	[ "$(variants_of 6.1 iotop)" = fentry ]
}

@test "kmatrix tools: every example tool runs unchanged in the 6.12 guest" {
	need_guest 6.12
	guest_ran 6.12
	local c bad=0
	for c in $EXAMPLE_CASES; do
		check_example 6.12 "$c" || { show_case 6.12 "$c"; bad=1; }
	done
	[ "$bad" = 0 ]
	[ "$(variants_of 6.12 iotop)" = fentry ]
}

@test "kmatrix tools: kernel.function counts the same calls with fentry and with the forced kprobe" {
	local k
	for k in $(guests); do
		guest_ran "$k"
		show_case "$k" kf-count
		[ "$(rc_of "$k" kf-count)" = 0 ]
		[ "$(out_of "$k" kf-count)" = "vfs_read calls 100" ]
		[ "$(variants_of "$k" kf-count)" = fentry ]
		show_case "$k" kf-count-kprobe
		[ "$(rc_of "$k" kf-count-kprobe)" = 0 ]
		[ "$(out_of "$k" kf-count-kprobe)" = "vfs_read calls 100" ]
		[ "$(variants_of "$k" kf-count-kprobe)" = kprobe ]
		err_of "$k" kf-count-kprobe | grep -q 'probe_0 (fentry) is not possible on this kernel'
	done
	need_a_guest
}

@test "kmatrix tools: \$return and @entry() in a return probe, with fexit and with the forced kretprobe" {
	local k
	for k in $(guests); do
		guest_ran "$k"
		show_case "$k" kf-ret
		[ "$(out_of "$k" kf-ret)" = $'returned 1 x50\nasked 1 x50' ]
		[ "$(variants_of "$k" kf-ret)" = fexit ]
		show_case "$k" kf-retval-kprobe
		[ "$(out_of "$k" kf-retval-kprobe)" = 'returned 1 x50' ]
		[ "$(variants_of "$k" kf-retval-kprobe)" = kretprobe ]
		# A kretprobe gets @entry($count) from a kprobe at the entry.
		show_case "$k" kf-ret-kprobe
		[ "$(out_of "$k" kf-ret-kprobe)" = $'returned 1 x50\nasked 1 x50' ]
		[ "$(variants_of "$k" kf-ret-kprobe)" = kretprobe ]
	done
	need_a_guest
}

@test "kmatrix tools: \$file->f_inode->i_ino is the inode ls -i shows; task_*() and @cast name the caller" {
	local k
	for k in $(guests); do
		guest_ran "$k"
		show_case "$k" kf-inode
		local ino
		ino=$(out_of "$k" kf-inode-ls | awk '{ print $1 }')
		[ -n "$ino" ]
		[ "$(out_of "$k" kf-inode)" = "inode $ino size 13" ]
		show_case "$k" kf-task
		local out
		out=$(out_of "$k" kf-task)
		[ "$(sed -n 1p <<<"$out")" = "execname dd task_execname dd" ]
		[[ "$(sed -n 2p <<<"$out")" =~ ^pid\ ([0-9]+)\ task_pid\ ([0-9]+)\ task_tid\ ([0-9]+)$ ]]
		local pid=${BASH_REMATCH[1]}
		[ "${BASH_REMATCH[2]}" = "$pid" ] && [ "${BASH_REMATCH[3]}" = "$pid" ]
		[[ "$(sed -n 3p <<<"$out")" =~ ^ppid\ ([0-9]+)\ task_ppid\ ([0-9]+)$ ]]
		[ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ] && [ "${BASH_REMATCH[1]}" -gt 0 ]
		[ "$(sed -n 4p <<<"$out")" = "cast pid $pid tgid $pid" ]
	done
	need_a_guest
}

@test "kmatrix tools: a kernel function the kernel lacks stops the tool naming it and the kernel; '!' falls back" {
	# 6.1 has no mseal(2); 6.12 has.
	need_guest 6.1
	guest_ran 6.1
	show_case 6.1 kf-mseal
	[ "$(rc_of 6.1 kf-mseal)" = 1 ]
	[ -z "$(out_of 6.1 kf-mseal)" ]
	[[ "$(err_of 6.1 kf-mseal)" =~ ^kfmseal:\ cannot\ probe\ kernel\.function\(\"__x64_sys_mseal\"\):\ kernel\ 6\.1\.[^\ ]+\ has\ no\ function\ __x64_sys_mseal\ that\ can\ be\ probed$ ]]
	[ "$(out_of 6.1 kf-mseal-alt)" = started ]
	[ "$(variants_of 6.1 kf-mseal-alt)" = tracepoint ]
	# The host can probe no kernel function at all, and says that instead.
	[ "$(rc_of host kf-mseal)" = 1 ]
	[[ "$(err_of host kf-mseal)" == *"can probe no kernel function (it has no kprobes and no BPF trampolines)" ]]
	[ "$(out_of host kf-mseal-alt)" = started ]
	if [ ! -e "$STATE/skip-6.12" ]; then
		guest_ran 6.12
		show_case 6.12 kf-mseal
		[ "$(rc_of 6.12 kf-mseal)" = 0 ]
		[ "$(out_of 6.12 kf-mseal)" = started ]
		[ "$(variants_of 6.12 kf-mseal-alt)" = fentry ]
	fi
}

@test "kmatrix tools: @defined(\$file->f_pipe) is asked on the target: 6.1 has no f_pipe, 6.12 has" {
	local k
	for k in $(guests); do
		guest_ran "$k"
		show_case "$k" kf-defined
		[ "$(rc_of "$k" kf-defined)" = 0 ]
		local want
		case $k in
		6.1) want=$'f_inode 1 f_nosuch 0\nno f_pipe\n42' ;;
		*) want=$'f_inode 1 f_nosuch 0\nf_pipe read\n42' ;;
		esac
		[ "$(out_of "$k" kf-defined)" = "$want" ]
	done
	need_a_guest
}

@test "kmatrix tools: a kernel.function wildcard is matched on the kernel the tool runs on; -v says how many attached and why not the others" {
	local k host here line
	# The build host's matches, which the tool carries for -v's account.
	host=$("$STAPC" -l 'kernel.function("vfs_*")' | sed -E 's/^kernel\.function\("(.*)"\)$/\1/' | LC_ALL=C sort -u)
	[ "$(wc -l <<<"$host")" -gt 10 ]
	# The host can probe none: one sentence, exit 1.
	[ "$(rc_of host kf-wild)" = 1 ]
	[[ "$(err_of host kf-wild)" == *"cannot probe kernel.function(\"vfs_*\"): kernel "*" can probe no kernel function (it has no kprobes and no BPF trampolines)"* ]]
	for k in $(guests); do
		guest_ran "$k"
		show_case "$k" kf-wild
		[ "$(rc_of "$k" kf-wild)" = 0 ]
		# pp() and probefunc() name the function each match is.
		[ "$(out_of "$k" kf-wild)" = $'vfs_read 3\nreturn 3' ]
		# Every vfs_* function this kernel can trace attached, those the
		# build host lacks included; the account counts the host's too.
		here=$(out_of "$k" vfs-functions | LC_ALL=C sort -u)
		[ "$(wc -l <<<"$here")" -gt 10 ]
		echo "# $k: $(comm -13 <(echo "$host") <(echo "$here") | wc -l) vfs_* functions only this kernel has," \
			"$(comm -23 <(echo "$host") <(echo "$here") | wc -l) only the build host has" >&3
		line=$(err_of "$k" kf-wild | grep -E '^kfwild: probe kernel\.function\("vfs_\*"\): [0-9]+ of [0-9]+ functions attached$')
		[[ "$line" =~ :\ ([0-9]+)\ of\ ([0-9]+)\ functions ]]
		[ "${BASH_REMATCH[1]}" = "$(wc -l <<<"$here")" ]
		[ "${BASH_REMATCH[2]}" = "$(LC_ALL=C sort -u <(echo "$host") <(echo "$here") | wc -l)" ]
		# Those it lacks or will not trace are said, with why.
		err_of "$k" kf-wild | grep -q 'skipped vfs_caches_init: notrace (the kernel does not let it be traced)'
		# One kprobe_multi link where the kernel has them; 6.1 has no fprobe.
		if [ "$k" = 6.1 ]; then
			[ "$(variants_of "$k" kf-wild)" = "a kprobe each,a kretprobe each" ]
		else
			[ "$(variants_of "$k" kf-wild)" = "kprobe_multi,kretprobe_multi" ]
		fi
	done
	need_a_guest
}

@test "kmatrix tools: a wildcard whose handler reads \$variables is a probe per function of the build host, typed from its BTF" {
	local k m
	m=$("$STAPC" -p2 "$KM/tools/kfwildvar.stp" | grep -c '^kernel\.function("vfs_read')
	[ "$m" -ge 2 ]
	[ "$(rc_of host kf-wildvar)" = 1 ]
	for k in $(guests); do
		guest_ran "$k"
		show_case "$k" kf-wildvar
		[ "$(rc_of "$k" kf-wildvar)" = 0 ]
		# Three reads of two bytes; the matches without $count add nothing.
		[ "$(out_of "$k" kf-wildvar)" = "vfs_read 6" ]
		err_of "$k" kf-wildvar | grep -qE "^kfwildvar: probe kernel\.function\(\"vfs_read\*\"\): [1-9][0-9]* of $m functions attached\$"
		[ "$(variants_of "$k" kf-wildvar)" = fentry ]
	done
	need_a_guest
}

@test "kmatrix tools: ulong_arg() and returnval() read a kprobe's registers, in a wildcard and a return probe" {
	local k
	[ "$(rc_of host kf-regs)" = 1 ]
	for k in $(guests); do
		guest_ran "$k"
		show_case "$k" kf-regs
		[ "$(rc_of "$k" kf-regs)" = 0 ]
		# Three reads of two bytes, each returning 2.
		[ "$(out_of "$k" kf-regs)" = "count 6 returned 6 never 0" ]
		# No fexit: it has no registers.
		err_of "$k" kf-regs | grep -q 'probe kernel.function("vfs_read").return: attached as probe_1 (kretprobe)$'
	done
	need_a_guest
}

@test "kmatrix tools: @entry(EXPR) of anything is kept at the entry, with fentry and with a kprobe" {
	local k c
	[ "$(rc_of host kf-entry)" = 1 ]
	for k in $(guests); do
		guest_ran "$k"
		for c in kf-entry kf-entry-kprobe; do
			show_case "$k" "$c"
			[ "$(rc_of "$k" "$c")" = 0 ]
			# Three one-byte reads: *pos is 0, 1, 2 at the entries and 1, 2, 3 at the returns.
			[ "$(out_of "$k" "$c")" = "reads 3 entry 3 return 6 ordered 3" ]
		done
		[ "$(variants_of "$k" kf-entry)" = fexit ]
		[ "$(variants_of "$k" kf-entry-kprobe)" = kretprobe ]
	done
	need_a_guest
}

@test "kmatrix tools: print_backtrace() and symname() name kernel addresses from the running kernel's kallsyms, with fentry and with a kprobe" {
	local k c out
	[ "$(rc_of host kf-stack)" = 1 ]
	for k in $(guests); do
		guest_ran "$k"
		for c in kf-stack kf-stack-kprobe; do
			show_case "$k" "$c"
			[ "$(rc_of "$k" "$c")" = 0 ]
			out=$(out_of "$k" "$c")
			# The stack starts at the probed function, called by ksys_read;
			# not at the BPF program, its trampoline or the kprobe's handler.
			[[ "$(head -1 <<<"$out")" =~ ^\ 0x[0-9a-f]+\ :\ vfs_read\+0x[0-9a-f]+/0x[0-9a-f]+\ \[kernel\]$ ]]
			grep -qE '^ 0x[0-9a-f]+ : ksys_read\+0x[0-9a-f]+/0x[0-9a-f]+ \[kernel\]$' <<<"$out"
			# The data file is on the guest's tmpfs.
			grep -qx 'read_iter shmem_file_read_iter' <<<"$out"
			grep -qE '^shmem_file_read_iter\+0x0/0x[0-9a-f]+ \[kernel\]$' <<<"$out"
			[ "$(tail -1 <<<"$out")" = kernel ]
		done
		[ "$(variants_of "$k" kf-stack)" = fentry ]
		[ "$(variants_of "$k" kf-stack-kprobe)" = kprobe ]
	done
	need_a_guest
}

# config_of WHERE NAME - y, m or n: NAME in the config of the host or a guest's kernel.
config_of() {
	local v
	if [ "$1" = host ]; then
		v=$( (zcat /proc/config.gz 2>/dev/null || cat "/boot/config-$(uname -r)") | sed -n "s/^$2=//p")
	else
		local rel
		rel=$(cat "$OUT/$1.release")
		v=$(sed -n "s/^$2=//p" "$KM_CACHE/$rel/image/boot/config-$rel")
	fi
	echo "${v:-n}"
}

@test "kmatrix tools: %( CONFIG_X == \"y\" %) is decided by the kernel the tool runs on, in BPF and in the tool" {
	local w n=0
	for w in $(places); do
		[ "$w" = host ] || guest_ran "$w"
		n=$((n + 1))
		show_case "$w" kf-config
		local fprobe modules both
		fprobe=$(config_of "$w" CONFIG_FPROBE)
		modules=$(config_of "$w" CONFIG_MODULES)
		both=n
		[ "$fprobe" = y ] && [ "$modules" = y ] && both=y
		[ "$(rc_of "$w" kf-config)" = 0 ]
		[ "$(out_of "$w" kf-config)" = "begin: fprobe $fprobe"$'\n'"kernel: modules $modules, fprobe $both" ]
	done
	# The kernels differ, or this would prove nothing.
	[[ "$(out_of 6.1 kf-config 2>/dev/null)" != "$(out_of 6.12 kf-config 2>/dev/null)" ]] || [ "$n" -lt 3 ]
}

@test "kmatrix tools: \$\$parms and \$\$return of a kernel function print as stap's, with fentry and with kprobes" {
	local k c
	for k in $(guests); do
		guest_ran "$k"
		for c in kf-parms kf-parms-kprobe; do
			show_case "$k" "$c"
			[ "$(rc_of "$k" "$c")" = 0 ]
			# Two one-byte reads: each entry with its parameters, each return with 1.
			[ "$(out_of "$k" "$c" | grep -cE '^file=0x[0-9a-f]+ buf=0x[0-9a-f]+ count=0x1 pos=0x[0-9a-f]+$')" = 2 ]
			[ "$(out_of "$k" "$c" | grep -cx 'return=0x1')" = 2 ]
			[ "$(out_of "$k" "$c" | wc -l)" = 4 ]
		done
	done
	need_a_guest
}

@test "kmatrix tools: the table, tool x kernel -> variant used, pass/fail" {
	local table=$BATS_FILE_TMPDIR/table w c line cell bad=0
	{
		printf '%-16s' tool
		for w in $(places); do printf ' | %-28s' "$w"; done
		echo
		for c in $EXAMPLE_CASES; do
			printf '%-16s' "$c"
			for w in $(places); do
				if check_example "$w" "$c"; then cell="pass"; else cell="FAIL"; bad=1; fi
				cell="$cell ($(variants_of "$w" "$c" | sed "s/^$/-/"))"
				printf ' | %-28s' "$cell"
			done
			echo
		done
	} >"$table"
	# The table goes to the TAP stream, where the suite's reader sees it.
	sed 's/^/# /' "$table" >&3
	cat "$table"
	[ "$bad" = 0 ]
}
