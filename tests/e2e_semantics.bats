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
# differs, not only the first. With TOOL_GAP set (a known difference of
# the tool's own C, begin and timer), only the kernel-side placements
# run, and the test then shows as skipped, with TOOL_GAP as the reason:
# remove it when the tool agrees.
in_every_place() {
	local name=$1 rc=$2 expected=$3 decls=$4 body=$5 p bad=0
	for p in "${PLACES[@]}"; do
		if [ -n "${TOOL_GAP:-}" ] && { [ "$p" = begin ] || [ "$p" = timer ]; }; then
			continue
		fi
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

# The end of a test with a TOOL_GAP: the kernel side agreed with stap.
tool_gap_skip() {
	[ -z "${TOOL_GAP:-}" ] || skip "kernel-side placements agree; begin/timer not yet: $TOOL_GAP"
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

@test "semantics: compound assignments on locals, globals and array elements" {
	need_root
	in_every_place compound 0 "$(printf '%s\n' '214 214 214' '-3 -1 -3 -1' 'abcd abcd abcd')" \
		'global g, a, gs, as' '
x = 7; g = 7; a[1] = 7
x += 3; x -= 1; x *= 4; x /= 3; x %= 7; x <<= 4; x >>= 1; x &= 0x3c; x |= 1; x ^= 0xff
g += 3; g -= 1; g *= 4; g /= 3; g %= 7; g <<= 4; g >>= 1; g &= 0x3c; g |= 1; g ^= 0xff
a[1] += 3; a[1] -= 1; a[1] *= 4; a[1] /= 3; a[1] %= 7; a[1] <<= 4; a[1] >>= 1
a[1] &= 0x3c; a[1] |= 1; a[1] ^= 0xff
println(x, " ", g, " ", a[1])
n = -7; n /= 2; m = -7; m %= 3; g = -7; g /= 2; a[2] = -7; a[2] %= 3
println(n, " ", m, " ", g, " ", a[2])
s = "ab"; s .= "cd"; gs = "ab"; gs .= "cd"; as[1] = "ab"; as[1] .= "cd"
println(s, " ", gs, " ", as[1])'
	tool_gap_skip
}

@test "semantics: try/catch gives the message and the run goes on; nested, from a function, from run-time checks" {
	need_root
	in_every_place trycatch 0 "$(printf '%s\n' 'caught: boom' 'caught: division by 0' \
		'caught: division by 0' 'in: inner' 'out: again inner' '2' 'caught: f says 5' \
		'caught, no var' 'after')" \
		'function f(x) { if (x > 1) error(sprintf("f says %d", x)); return x + 1 }' '
z = 0
try { error("boom"); println("not here") } catch (m) { println("caught: ", m) }
try { x = 1 / z; println(x) } catch (m) { println("caught: ", m) }
try { x = 1 % z; println(x) } catch (m) { println("caught: ", m) }
try { try { error("inner") } catch (m) { println("in: ", m); error("again " . m) } } catch (m2) { println("out: ", m2) }
try { println(f(1)); println(f(5)) } catch (m) { println("caught: ", m) }
try { error("nomsg") } catch { println("caught, no var") }
println("after")'
}

@test "semantics: an error not caught ends the handler and the run, with stap's message and exit code 1" {
	need_root
	in_every_place error 1 "$(printf '%s\n' 'a' 'ERROR: boom' 'WARNING: Number of errors: 1, skipped probes: 0')" \
		'' '
println("a"); error("boom"); println("b")'
	in_every_place divide 1 "$(printf '%s\n' 'a' "ERROR: division by 0 near operator '/' at divide.stp:6:32" \
		'WARNING: Number of errors: 1, skipped probes: 0')" \
		'' '
z = 0; println("a"); println(1 / z); println("b")'
}

@test "semantics: next ends the handler, in the probe and in a function, past a try" {
	need_root
	in_every_place next 0 "$(printf '%s\n' 'a' 'f0')" \
		'function f(x) { if (x) next; return 1 }' '
println("a"); exit()
try { f(0); println("f0"); f(1); println("f1") } catch (m) { println("caught ", m) }
println("b")'
	tool_gap_skip
}

@test "semantics: delete of locals, globals, elements and whole arrays" {
	need_root
	in_every_place delete 0 "$(printf '%s\n' '0 1' '0 0 0' '0[] 0[]')" \
		'global a, st, g, gs' '
a[1] = 1; a[2] = 2; st[1] <<< 5
delete a[1]; println(1 in a, " ", 2 in a)
delete a; delete st; println(1 in a, " ", 2 in a, " ", 1 in st)
x = 5; delete x; s = "q"; delete s; g = 5; delete g; gs = "q"; delete gs
println(x, "[", s, "] ", g, "[", gs, "]")'
}

@test "semantics: a wrap array loses its oldest element; a sized one is full at its size" {
	need_root
	in_every_place arrays 0 "$(printf '%s\n' '0 0 1 1 1 40' '0 1 1 1' '0 yy z' \
		'Array overflow, check size limit (3)' '3')" \
		'global w%[3], ws%[2], sz[3]' '
for (i = 0; i < 5; i++) w[i] = i * 10
println(0 in w, " ", 1 in w, " ", 2 in w, " ", 3 in w, " ", 4 in w, " ", w[4])
w[2]++; w[7] = 7
println(2 in w, " ", 3 in w, " ", 4 in w, " ", 7 in w)
ws["a"] = "x"; ws["b"] = "y"; ws["c"] = "z"; ws["b"] = "yy"
println("a" in ws, " ", ws["b"], " ", ws["c"])
for (i = 0; i < 3; i++) sz[i] = i
try { sz[3] = 3 } catch (m) { println(m) }
println(sz[1] + sz[2])'
	tool_gap_skip
}

@test "semantics: numbers to strings and back: sprintf, sprint, strtol, concatenation" {
	need_root
	in_every_place conv 0 "$(printf '%s\n' '42 -7 ff 0x1f [  42] x=42' '42 255 -17 8 0' 'n=42!')" \
		'' '
n = 42; s = sprintf("%d", n); t = sprintf("%d", -7); h = sprintf("%x", 255); p = sprintf("%#x", 31)
w = sprintf("[%4d]", n); c = sprintf("x=%s", s)
println(s, " ", t, " ", h, " ", p, " ", w, " ", c)
println(strtol(s, 10), " ", strtol("ff", 16), " ", strtol("-17", 10), " ", strtol("010", 8), " ", strtol("zz", 10))
u = "n=" . s . "!"; println(u)'
}

@test "semantics: memory faults are errors a try catches, with stap's texts; the default and _warn forms do not fail" {
	need_root
	in_every_place faults 0 "$(printf '%s\n' \
		'caught: user string copy fault -14 at 0x0 [man error::fault]' \
		'caught: user string copy fault -14 at 0x0 [man error::fault]' \
		'caught: kernel string copy fault at 0x0 [man error::fault]' \
		'caught: kernel long copy fault at 0x0 [man error::fault]' \
		'caught: kernel int copy fault at 0x0 [man error::fault]' \
		'caught: kernel short copy fault at 0x0 [man error::fault]' \
		'caught: kernel char copy fault at 0x0 [man error::fault]' \
		'0 0 0 0 [dflt] [kdflt]' \
		'WARNING: user string copy fault -14 at 0x0 [man error::fault]' \
		'WARNING: user string copy fault -14 at 0x0 [man error::fault]' \
		'[] [w] []')" \
		'' '
try { println(user_string(0)) } catch (m) { println("caught: ", m) }
try { s = user_string_n(0, 4); println(s) } catch (m) { println("caught: ", m) }
try { s = kernel_string(0); println(s) } catch (m) { println("caught: ", m) }
try { println(kernel_long(0)) } catch (m) { println("caught: ", m) }
try { println(kernel_int(0)) } catch (m) { println("caught: ", m) }
try { println(kernel_short(0)) } catch (m) { println("caught: ", m) }
try { println(kernel_char(0)) } catch (m) { println("caught: ", m) }
println(user_long(0), " ", user_int(0), " ", user_short(0), " ", user_char(0), " [", user_string(0, "dflt"), "] [", kernel_string(0, "kdflt"), "]")
s = user_string_warn(0); t = user_string_warn(0, "w"); u = user_string_nofault(0)
println("[", s, "] [", t, "] [", u, "]")'
	in_every_place fault 1 "$(printf '%s\n' 'a' \
		"ERROR: user string copy fault -14 at 0x0 [man error::fault] near identifier 'user_string' at fault.stp:6:23" \
		'WARNING: Number of errors: 1, skipped probes: 0')" \
		'' '
println("a"); println(user_string(0)); println("b")'
}

@test "semantics: what BPF cannot do is refused at its line, never compiled to something else" {
	run -1 "$STAPC" -p3 -e 'global a, s
probe syscall.getpid {
  foreach (k in a) n = a[k] + k
  s <<< 1; delete s
  try { error(sprint(1, 2)) } catch (m) { println(m) }
}'
	[ "${lines[0]}" = "<input>:3:3: error: foreach runs in the tool: iterate arrays in a timer, begin or end probe, not in a kernel probe handler" ]
	[[ "$output" == *"<input>:4:19: error: clearing statistics is done in the tool: move it to a timer or end probe"* ]]
	[[ "$output" == *"<input>:5:15: error: only the tool can make this message, and a catch in a kernel probe needs it made there: build it with sprintf() or '.'"* ]]
	# Without a catch that reads it, such a message is fine: the tool reports it.
	run -0 "$STAPC" -p3 -e 'probe syscall.getpid { error(sprint(1, 2)) }'
}

@test "semantics: user_long_error() and kin raise stap's read fault" {
	need_root
	in_every_place uerror 0 "$(printf '%s\n' 'caught: read fault [man error::fault] at 0x0' \
		'caught: read fault [man error::fault] at 0x0' '0')" \
		'' '
try { println(user_long_error(0)) } catch (m) { println("caught: ", m) }
try { println(user_uint8_error(0)) } catch (m) { println("caught: ", m) }
println(user_int(0))'
	tool_gap_skip
}
