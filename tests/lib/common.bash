# SPDX-License-Identifier: GPL-2.0-or-later
# common.bash - what every bats file of the suite loads.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
O=${O:-$TOP/build}
# The parser tests run the compiler under ASan and UBSan.
STAPC=${STAPC:-$O/stapc}
STAPC_ASAN=${STAPC_ASAN:-$O/asan/stapc}
CASES=$TOP/tests/cases
# A kernel build tree with only what -r needs: the same target for stap and
# stapc, so preprocessor conditionals come out the same on every machine.
TARGET_TREE=$CASES/target
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export NO_COLOR=1

# tracefs, where the tracepoint tools find their events; it may be unmounted
# on a fresh machine.
mount_tracefs() {
	mountpoint -q /sys/kernel/tracing ||
		mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || true
}

# For a test whose tools load BPF programs: skips unless root, mounts tracefs.
need_bpf_root() {
	[ "$(id -u)" = 0 ] || skip "the tools load BPF programs: run the tests as root"
	mount_tracefs
}

# Waits (at most a minute, under any load) until file $1 has a line $2.
wait_for_line() {
	local i
	for ((i = 0; i < 600; i++)); do
		grep -qx -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "no line '$2' in $1" >&2
	return 1
}

# Waits (at most a minute) until process $1 is gone; fails if it stays.
wait_gone() {
	local i
	for ((i = 0; i < 600; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	echo "process $1 is still running" >&2
	return 1
}

# The header lines of a case: `# flags: -g` and `# args: a "b c"`.
case_flags() {
	sed -n 's/^# flags: //p' "$1" | head -1
}

case_args() {
	sed -n 's/^# args: //p' "$1" | head -1 | shell_words
}

# Runs stapc on a case file from the case's folder: case_stapc BIN CASE -pN
case_run() {
	local bin=$1 file=$2 pass=$3 args flags
	flags=$(case_flags "$file")
	mapfile -t args < <(case_args "$file")
	(cd "$(dirname "$file")" && "$bin" "$pass" -r "$TARGET_TREE" $flags "$(basename "$file")" ${args[@]+"${args[@]}"})
}

# Fails with a diff when two files differ.
assert_same_file() {
	if ! cmp -s "$1" "$2"; then
		diff -u "$1" "$2" | head -60
		return 1
	fi
}

have_stap() {
	command -v stap >/dev/null 2>&1
}

source "$TOP/tests/lib/examples.sh"

# Links a C unit test with the compiler's objects (all but main.o):
# link_with_compiler OUT SOURCE [OBJ...]: OBJs are linked too (runtime
# pieces the test checks). O must be absolute.
link_with_compiler() {
	local objs=() f
	for f in "$O"/obj/stapc/*.o "$O"/obj/stapc/*/*.o "$O"/obj/gen/*.o "$O"/obj/runtime/user/usym.o "$O"/obj/runtime/user/uglob.o \
		"$O"/obj/runtime/user/sign_slot.o; do
		[ "$(basename "$f")" = main.o ] || objs+=("$f")
	done
	cc -std=gnu11 -Wall -Wextra -Werror -o "$1" "$2" "${@:3}" "${objs[@]}" -lbpf -ldw -lelf -lz -lsodium
}
