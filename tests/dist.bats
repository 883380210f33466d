#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Tools users can trust and ship (issue 7): signatures inside the tool and
# beside it (minisign's formats), --trust, tampering, the manifest,
# reproducible builds, a run with no toolchain, network or files, and the
# Debian packages of `make dist` (lintian, an install into a throw-away root).
#
# Test-only packages (minisign, lintian, strace) are installed here when
# missing and we are root; tests that need what cannot be had skip, saying why.

load lib/common
bats_require_minimum_version 1.5.0

# Installs the Debian packages that are missing; false if some cannot be.
ensure_pkgs() {
	local p missing=()
	for p in "$@"; do
		dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" = 0 ] || return 1
	if [ -z "${DIST_APT_UPDATED:-}" ]; then
		DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 || true
		export DIST_APT_UPDATED=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null 2>&1
}

setup_file() {
	make -C "$TOP" -s O="$O" all >&2
	export W=$BATS_FILE_TMPDIR
	ensure_pkgs minisign lintian strace dpkg-dev || true
	"$STAPC" keygen -o "$W/k" >/dev/null
	"$STAPC" keygen -o "$W/other" >/dev/null
	# One signed tool of each kind: with BPF (killwatch), without (hello).
	(cd "$TOP" && "$STAPC" --sign "$W/k.key" -o "$W/killwatch" examples/kill.stp)
	(cd "$TOP" && "$STAPC" --sign "$W/k.key" -o "$W/hello" examples/hello.stp)
	(cd "$TOP" && "$STAPC" --sign "$W/k.key" --trust "$W/k.pub" -o "$W/trusting" \
		examples/kill.stp)
	if [ "$(id -u)" = 0 ]; then
		mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing
	fi
}

need_root() {
	[ "$(id -u)" = 0 ] || skip "$1: run the tests as root"
}

need_cmd() {
	command -v "$1" >/dev/null 2>&1 || skip "$1 is not installed (Debian package ${2:-$1}) and could not be"
}

# flip FILE OFFSET: xor the byte at OFFSET with 1, in place.
flip() {
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "\\$(printf '%03o' $((b ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# section_field FILE NAME N: field N after the name in readelf -S (hex).
section_field() {
	local hex
	hex=$(readelf -S -W "$1" | sed 's/^ *\[ *[0-9]*\] *//' |
		awk -v n="$2" -v f="$3" '$1 == n { print $(1 + f); exit }')
	echo $((16#$hex))
}

# section_offset FILE NAME, section_size FILE NAME: of an ELF section.
section_offset() {
	section_field "$1" "$2" 3
}

section_size() {
	section_field "$1" "$2" 4
}

# The first offset of a byte string (grep -P syntax) in FILE, past MIN.
offset_of() {
	LC_ALL=C grep -obUaP "$2" "$1" | cut -d: -f1 | awk -v min="${3:-0}" '$1 > min { print; exit }'
}

# SIGKILLs fresh `sleep`s until the tool writing OUT reports one (it may take
# a moment to attach); prints that victim's line. The tool runs with -T.
kill_until_seen() {
	local out=$1 i victim line
	for i in $(seq 20); do
		sleep 0.5
		sleep 60 &
		victim=$!
		sleep 0.2
		kill -9 "$victim"
		wait "$victim" 2>/dev/null || true
		sleep 0.3
		line="SIGKILL was sent to sleep (pid:$victim) by bash uid:0"
		if grep -qxF "$line" "$out"; then
			echo "$line"
			return 0
		fi
	done
	return 1
}

# ------------------------------------------------------------------ keys

@test "dist: keygen writes minisign's key formats, the secret one private" {
	run head -1 "$W/k.pub"
	[[ "$output" =~ ^untrusted\ comment:\ minisign\ public\ key\ [0-9A-F]{16}$ ]]
	[ "$(sed -n 2p "$W/k.pub" | base64 -d | head -c2)" = Ed ]
	[ "$(sed -n 2p "$W/k.pub" | base64 -d | wc -c)" -eq 42 ]
	[ "$(stat -c %a "$W/k.key")" = 600 ]
	[ "$(sed -n 2p "$W/k.key" | base64 -d | wc -c)" -eq 158 ]
	# An existing key is never overwritten without -f.
	run "$STAPC" keygen -o "$W/k"
	[ "$status" -eq 1 ]
	[[ "$output" == *"use -f to replace it"* ]]
}

@test "dist: minisign and stapc use each other's keys" {
	need_cmd minisign
	# stapc's secret key signs for minisign; minisign's key signs for stapc.
	echo data > "$W/f.txt"
	minisign -S -s "$W/k.key" -m "$W/f.txt" </dev/null
	minisign -Vm "$W/f.txt" -p "$W/k.pub"
	rm -f "$W/mk.key" "$W/mk.pub"
	minisign -G -W -p "$W/mk.pub" -s "$W/mk.key" >/dev/null
	cp "$W/hello" "$W/hello-mk"
	"$STAPC" sign "$W/hello-mk" --key "$W/mk.key"
	run "$STAPC" verify "$W/hello-mk" --key "$W/mk.pub"
	[ "$status" -eq 0 ]
	minisign -Vm "$W/hello-mk" -p "$W/mk.pub"
}

@test "dist: an encrypted secret key signs with STAPC_SIGN_PASSWORD" {
	STAPC_SIGN_PASSWORD=s3cret "$STAPC" keygen -o "$W/enc" >/dev/null
	[ "$(sed -n 2p "$W/enc.key" | base64 -d | head -c4 | tail -c2)" = Sc ]
	cp "$W/hello" "$W/hello-enc"
	run env STAPC_SIGN_PASSWORD=wrong "$STAPC" sign "$W/hello-enc" --key "$W/enc.key"
	[ "$status" -eq 1 ]
	[[ "$output" == *"wrong password"* ]]
	STAPC_SIGN_PASSWORD=s3cret "$STAPC" sign "$W/hello-enc" --key "$W/enc.key"
	"$STAPC" verify "$W/hello-enc" --key "$W/enc.pub"
}

# ------------------------------------------------------------------ signatures

@test "dist: a signed tool verifies: stapc verify, its own --verify, minisign -V" {
	local t
	for t in killwatch hello; do
		run "$STAPC" verify "$W/$t" --key "$W/k.pub"
		[ "$status" -eq 0 ]
		[[ "$output" == "$W/$t: signature OK (key ID "*")" ]]
		run "$W/$t" --verify "$W/k.pub"
		[ "$status" -eq 0 ]
		[[ "$output" == "$t: signature OK (key ID "*")" ]]
		# The public key's line itself, as minisign -P takes it.
		run "$W/$t" --verify "$(sed -n 2p "$W/k.pub")"
		[ "$status" -eq 0 ]
	done
	need_cmd minisign
	minisign -Vm "$W/killwatch" -p "$W/k.pub"
	minisign -Vm "$W/hello" -p "$W/k.pub"
}

@test "dist: the signature sits in the .stapc.sig section and the tool stays a static ELF" {
	run readelf -S -W "$W/killwatch"
	[[ "$output" == *".stapc.sig"*"PROGBITS"* ]]
	[ "$(section_size "$W/killwatch" .stapc.sig)" -eq 128 ]
	local off
	off=$(section_offset "$W/killwatch" .stapc.sig)
	[ "$(dd if="$W/killwatch" bs=1 skip="$off" count=10 status=none)" = STAPCSIGED ]
	run readelf -d "$W/killwatch"
	[[ "$output" != *NEEDED* ]]
	readelf -h "$W/killwatch" | grep -q 'EXEC (Executable file)'
}

@test "dist: an unsigned tool, or the wrong key, fails verification and says why" {
	(cd "$TOP" && "$STAPC" -o "$W/unsigned" examples/hello.stp)
	run "$STAPC" verify "$W/unsigned" --key "$W/k.pub"
	[ "$status" -eq 1 ]
	[ "$output" = "stapc: $W/unsigned: verification FAILED: it is not signed" ]
	run "$W/killwatch" --verify "$W/other.pub"
	[ "$status" -eq 1 ]
	[[ "$output" =~ ^killwatch:\ verification\ FAILED:\ it\ was\ signed\ by\ key\ ID\ [0-9A-F]{16},\ not\ by\ key\ ID\ [0-9A-F]{16}$ ]]
	run "$STAPC" verify /bin/true --key "$W/k.pub"
	[ "$status" -eq 1 ]
	[[ "$output" == *"it has no signature slot"* ]]
}

# Each region of the tool: the byte to flip there.
region_offsets() {
	local f=$1 text bpf sig
	text=$(section_offset "$f" .text)
	sig=$(section_offset "$f" .stapc.sig)
	# The embedded object: a relocatable ELF for machine BPF (247).
	bpf=$(offset_of "$f" '\x7fELF\x02\x01\x01\x00{9}\x01\x00\xf7\x00' 0)
	echo "code $((text + $(section_size "$f" .text) / 2))"
	echo "bpf-object $((bpf + 200))"
	echo "script $(offset_of "$f" 'probe signal\.send \{')"
	echo "manifest $(offset_of "$f" '"script_sha256"')"
	echo "signature $((sig + 40))"
	echo "signature-key-id $((sig + 12))"
	echo "signature-padding $((sig + 100))"
	echo "elf-header 8"
	echo "section-headers $(( $(readelf -h "$f" | awk '/Start of section headers/ { print $5 }') + 70 ))"
}

@test "dist: one flipped byte in any region fails every verification" {
	local region off n=0
	while read -r region off; do
		[ -n "$off" ] && [ "$off" -gt 0 ]
		cp "$W/killwatch" "$W/t-$region"
		flip "$W/t-$region" "$off"
		run "$STAPC" verify "$W/t-$region" --key "$W/k.pub"
		echo "$region @$off: $output"
		[ "$status" -eq 1 ]
		[[ "$output" == "stapc: $W/t-$region: verification FAILED: "* ]]
		if command -v minisign >/dev/null; then
			cp "$W/killwatch.minisig" "$W/t-$region.minisig"
			run minisign -Vm "$W/t-$region" -p "$W/k.pub"
			[ "$status" -ne 0 ]
		fi
		n=$((n + 1))
	done < <(region_offsets "$W/killwatch")
	[ "$n" -eq 9 ]
	# The data regions through the tool's own --verify as well.
	for region in bpf-object script manifest signature; do
		run "$W/t-$region" --verify "$W/k.pub"
		[ "$status" -eq 1 ]
		[[ "$output" == "killwatch: verification FAILED: "* ]]
	done
}

@test "dist: a tampered detached signature fails minisign" {
	need_cmd minisign
	cp "$W/killwatch" "$W/d-tool"
	sed '2s/^\(.\{20\}\)./\1A/' "$W/killwatch.minisig" > "$W/d-tool.minisig"
	cmp -s "$W/killwatch.minisig" "$W/d-tool.minisig" &&
		sed -i '2s/^\(.\{20\}\)./\1B/' "$W/d-tool.minisig"
	run minisign -Vm "$W/d-tool" -p "$W/k.pub"
	[ "$status" -ne 0 ]
}

# ------------------------------------------------------------------ --trust

@test "dist: a --trust tool refuses to run, in one line, when tampered or unsigned" {
	local off
	cp "$W/trusting" "$W/trusting-bad"
	flip "$W/trusting-bad" "$(offset_of "$W/trusting-bad" 'probe signal\.send \{')"
	run "$W/trusting-bad" -T 1
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" =~ ^trusting:\ refusing\ to\ run:\ built\ to\ trust\ only\ key\ ID\ [0-9A-F]{16},\ but\ the\ signature\ does\ not\ match\ its\ bytes ]]
	# Re-signed by another key: still refused.
	cp "$W/trusting" "$W/trusting-other"
	"$STAPC" sign "$W/trusting-other" --key "$W/other.key"
	run "$W/trusting-other" -T 1
	[ "$status" -eq 1 ]
	[[ "$output" == *"but it was signed by key ID"* ]]
	# Built to trust a key, never signed.
	(cd "$TOP" && "$STAPC" --trust "$W/k.pub" -o "$W/trusting-unsigned" examples/hello.stp 2>/dev/null)
	run "$W/trusting-unsigned"
	[ "$status" -eq 1 ]
	[[ "$output" == *"refusing to run: built to trust only key ID "*", but it is not signed" ]]
	# --trust and --sign of different keys: stapc says so at once.
	run "$STAPC" --sign "$W/k.key" --trust "$W/other.pub" -o "$W/never" "$TOP/examples/hello.stp"
	[ "$status" -eq 1 ]
	[[ "$output" == *"is not the public half of --sign"* ]]
}

@test "dist: no one-byte change to the trust record turns the --trust check off" {
	local off i
	# The record: the magic, then a key ("Ed...") or none (42 zeros).
	off=$(offset_of "$W/trusting" 'STPTRUSTEd')
	[ -n "$off" ]
	# Any byte of the key or of its complement, in a tool that trusts a key.
	for i in 8 9 10 49 50 91; do
		cp "$W/trusting" "$W/trusting-rec"
		flip "$W/trusting-rec" $((off + i))
		run "$W/trusting-rec" -T 1
		[ "$status" -eq 1 ]
		[ "$output" = "trusting: refusing to run: its trust record (which key must have signed it) is damaged: the file was changed after it was built" ]
	done
	# A tool that trusts no key cannot be made to run with a damaged record either.
	cp "$W/hello" "$W/hello-rec"
	off=$(offset_of "$W/hello-rec" 'STPTRUST\x00{42}')
	flip "$W/hello-rec" $((off + 8))
	run "$W/hello-rec"
	[ "$status" -eq 1 ]
	[[ "$output" == *"its trust record (which key must have signed it) is damaged"* ]]
}

@test "dist: an intact --trust tool runs and sees a SIGKILL" {
	need_root "the tool loads BPF programs"
	"$W/trusting" -T 12 > "$W/trusting.out" 2>&1 &
	local tool=$!
	run kill_until_seen "$W/trusting.out"
	kill -INT "$tool"
	wait "$tool" || true
	cat "$W/trusting.out"
	[ "$status" -eq 0 ]
}

# ------------------------------------------------------------------ manifest

@test "dist: the manifest says how the tool was built, as JSON" {
	need_cmd python3
	(cd "$TOP" && "$STAPC" -D MAXSTRINGLEN=256 --sign "$W/k.key" --trust "$W/k.pub" \
		-o "$W/kw256" examples/kill.stp)
	"$W/kw256" --manifest > "$W/manifest.json"
	local btf=""
	[ -r /sys/kernel/btf/vmlinux ] && btf=$(sha256sum /sys/kernel/btf/vmlinux | cut -d' ' -f1)
	SCRIPT_SHA=$(sha256sum "$TOP/examples/kill.stp" | cut -d' ' -f1) BTF_SHA=$btf \
	KEY_ID=$(head -1 "$W/k.pub" | awk '{ print $NF }') python3 - "$W/manifest.json" <<'EOF'
import json, os, platform, sys
m = json.load(open(sys.argv[1]))
assert m["tool"] == "kw256", m["tool"]
assert m["stapc"], m
assert m["script"] == "kill.stp", m["script"]
assert m["script_sha256"] == os.environ["SCRIPT_SHA"]
assert m["build_host"]["kernel"] == platform.release()
if os.environ["BTF_SHA"]:
    assert m["build_host"]["btf_sha256"] == os.environ["BTF_SHA"]
p = m["probes"][0]
assert p["point"] == "signal.send" and p["runs_in"] == "kernel", p
assert p["variants"][0]["program"] == "probe_0" and p["variants"][0]["section"], p
feats = m["kernel_features"]
assert {"bpf", "btf", "ringbuf"} <= set(feats["required"]), feats
assert p["variants"][0]["attach"] in feats["required"], feats
assert feats["min_kernel"], feats
assert m["options"]["defines"] == ["MAXSTRINGLEN=256"], m["options"]
assert m["limits"]["MAXSTRINGLEN"] == 256, m["limits"]
assert m["trust"]["key_id"] == os.environ["KEY_ID"], m["trust"]
assert m["license"]["script"] == "LGPL-2.1-or-later OR BSD-2-Clause", m["license"]
assert "libbpf" in m["license"]["tool"], m["license"]
EOF
	# No path of this machine in it, only the script's file name.
	! grep -q "$TOP" "$W/manifest.json"
	! grep -q "$HOME/" "$W/manifest.json"
}

# ------------------------------------------------------------------ reproducible

# Debian's reproducible-builds vary the build path; the script is named
# differently too: by its absolute path from another folder (a), by its
# bare name from its own folder (b). A run-time error's location is inside
# a tool (errloc.stp), so it must not carry the path either.
# The script's path varies here (absolute from one folder, relative from
# another); every example's build folder varies in "the packages are
# reproducible" below. One example of each kind of probe is enough here:
# tracepoints, aggregates, uprobes (libdw linked in), USDT, a run-time error.
REPRO_EXAMPLES="kill iotop ls-libcalls pyflow"

@test "dist: examples build byte-identical twice, in different folders" {
	local d e n x built=0
	for d in a b; do
		mkdir -p "$W/repro-$d/src/examples" "$W/repro-$d/out" "$W/repro-$d/elsewhere"
		for x in $REPRO_EXAMPLES; do
			cp "$TOP/examples/$x.stp" "$W/repro-$d/src/examples/"
		done
		printf '%s\n' '# tool: errloc' 'global n' \
			'probe begin { println(10 / n) }' > "$W/repro-$d/src/examples/errloc.stp"
		for e in "$W/repro-$d"/src/examples/*.stp; do
			n=$(sed -n 's/^# tool: //p' "$e")
			if [ "$d" = a ]; then
				(cd "$W/repro-$d/elsewhere" && XDG_CACHE_HOME="$W/repro-$d/cache" \
					"$STAPC" -o "$W/repro-$d/out/$n" "$e")
			else
				(cd "$W/repro-$d/src/examples" && XDG_CACHE_HOME="$W/repro-$d/cache" \
					"$STAPC" -o "$W/repro-$d/out/$n" "$(basename "$e")")
			fi
			# Signed too: Ed25519 signatures are deterministic.
			cp "$W/repro-$d/out/$n" "$W/repro-$d/out/$n.signed"
			"$STAPC" sign "$W/repro-$d/out/$n.signed" --key "$W/k.key"
		done
	done
	for e in "$W"/repro-a/out/*; do
		n=$(basename "$e")
		[ "$(sha256sum < "$e")" = "$(sha256sum < "$W/repro-b/out/$n")" ] ||
			{ echo "$n differs"; return 1; }
		built=$((built + 1))
	done
	# Each example and errloc: plain, signed, and the detached signature.
	[ "$built" -eq $((3 * ($(wc -w <<<"$REPRO_EXAMPLES") + 1))) ]
	# Nothing of either folder is inside.
	! grep -l "repro-[ab]" "$W"/repro-a/out/*
}

# ------------------------------------------------------------------ air-gapped

# (libbpf keeps /lib/modules/... as a fallback for kernels without
# /sys/kernel/btf/vmlinux, which the tool refuses before: the run below
# shows it reads nothing there.)
@test "dist: no debuginfod and no header path inside the tools" {
	local t
	for t in killwatch hello; do
		! strings -a "$W/$t" | grep -qi debuginfod
		! strings -a "$W/$t" | grep -q '/usr/include'
	done
}

@test "dist: killwatch runs alone in an empty root with no network, toolchain or files" {
	need_root "a mount and network namespace, and BPF"
	need_cmd unshare util-linux
	need_cmd strace
	local root=$W/airgap
	mkdir -p "$root/proc" "$root/sys"
	cp "$W/trusting" "$root/killwatch"
	# The tool, /proc and /sys: nothing else (no /usr, /lib, /dev, /etc).
	# It checks its own signature (--trust) in there too.
	DEBUGINFOD_URLS=http://127.0.0.1:9/ unshare --mount --net --fork sh -c '
		mount -t proc proc "$1/proc" && mount --rbind /sys "$1/sys" &&
		exec strace -f -qq -o "$2" -e trace=%network,execve,%file \
			chroot "$1" /killwatch -T 8' sh "$root" "$W/airgap.strace" \
		> "$W/airgap.out" 2>&1 &
	local tool=$!
	# The SIGKILLs come from outside the namespace.
	run kill_until_seen "$W/airgap.out"
	wait "$tool" || true
	cat "$W/airgap.out"
	[ "$status" -eq 0 ]
	# From the tool's exec on: no socket, no other program, no header, module
	# or library path.
	awk '/execve\("\/killwatch"/ { on = 1 } on' "$W/airgap.strace" > "$W/airgap.tool"
	[ -s "$W/airgap.tool" ]
	[ "$(grep -c 'execve(' "$W/airgap.tool")" -eq 1 ]
	! grep -E 'socket\(|connect\(|sendto\(|bind\(' "$W/airgap.tool"
	! grep -E '"/usr/include|"/lib/modules|"/usr/lib|"/lib/' "$W/airgap.tool"
}

# ------------------------------------------------------------------ packages

# make dist, once for this file's tests.
build_dist() {
	[ -f "$W/dist-built" ] && return 0
	need_cmd dpkg-shlibdeps dpkg-dev
	make -C "$TOP" -s O="$O" dist >&2
	touch "$W/dist-built"
}

debs() {
	ls "$O"/dist/stapc_*.deb "$O"/dist/stapc-tools_*.deb
}

@test "dist: make dist builds the stapc and stapc-tools packages" {
	build_dist
	run debs
	[ "${#lines[@]}" -eq 2 ]
	run dpkg-deb -c "$O"/dist/stapc_*.deb
	[[ "$output" == *" ./usr/bin/stapc"* ]]
	[[ "$output" == *" ./usr/lib/stapc/libstaprt.a"* ]]
	[[ "$output" == *" ./usr/share/stapc/tapset/"* ]]
	[[ "$output" == *" ./usr/share/stapc/runtime/user/stp.h"* ]]
	[[ "$output" == *" ./usr/share/man/man1/stapc.1.gz"* ]]
	[[ "$output" == *"root/root"* ]]
	run dpkg-deb -c "$O"/dist/stapc-tools_*.deb
	local e n
	for e in "$TOP"/examples/*.stp; do
		n=$(sed -n 's/^# tool: //p' "$e")
		[ "$n" = hello ] && n=stapc-hello
		[[ "$output" == *" ./usr/bin/$n"* ]]
		[[ "$output" == *" ./usr/share/man/man1/$n.1.gz"* ]]
		[[ "$output" == *" ./usr/share/stapc-tools/signatures/$n.minisig"* ]]
	done
	[[ "$output" == *" ./usr/share/stapc-tools/stapc-tools.pub"* ]]
}

@test "dist: lintian finds no error in the packages" {
	need_cmd lintian
	build_dist
	run lintian --fail-on error $(debs)
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *"E: "* ]]
}

@test "dist: the packages install into a throw-away root, and its tools run" {
	need_cmd dpkg
	build_dist
	local r=$W/root
	mkdir -p "$r/var/lib/dpkg/info" "$r/var/lib/dpkg/updates" "$r/var/log"
	touch "$r/var/lib/dpkg/status"
	# The toolchain stapc depends on is this machine's, not the root's.
	dpkg --root="$r" --force-depends --force-not-root -i $(debs) >/dev/null 2>&1
	dpkg --root="$r" -s stapc stapc-tools | grep -c '^Status: install ok installed' | grep -qx 2
	# The installed compiler finds its tapsets and runtime in its own tree.
	run "$r/usr/bin/stapc" -o "$W/from-root" "$TOP/examples/hello.stp"
	[ "$status" -eq 0 ]
	run "$W/from-root"
	[ "$output" = "hello world" ]
	run "$r/usr/bin/stapc-hello"
	[ "$output" = "hello world" ]
	# Each tool verifies against the shipped key, and minisign agrees.
	local t
	for t in "$r"/usr/bin/*; do
		[ "$(basename "$t")" = stapc ] && continue
		"$t" --verify "$r/usr/share/stapc-tools/stapc-tools.pub"
		if command -v minisign >/dev/null; then
			minisign -q -Vm "$t" -p "$r/usr/share/stapc-tools/stapc-tools.pub" \
				-x "$r/usr/share/stapc-tools/signatures/$(basename "$t").minisig"
		fi
		man -l "$r/usr/share/man/man1/$(basename "$t").1.gz" 2>/dev/null | grep -q "^NAME" ||
			zcat "$r/usr/share/man/man1/$(basename "$t").1.gz" | grep -q '^\.SH NAME'
	done
	[ "$(id -u)" = 0 ] || return 0
	"$r/usr/bin/killwatch" -T 12 > "$W/root-kw.out" 2>&1 &
	local tool=$!
	run kill_until_seen "$W/root-kw.out"
	kill -INT "$tool"
	wait "$tool" || true
	[ "$status" -eq 0 ]
}

@test "dist: the packages are reproducible from another build folder" {
	need_cmd dpkg-shlibdeps dpkg-dev
	build_dist
	local o2=$W/o2
	make -C "$TOP" -s dist O="$o2" SIGN_KEY="$O/dist/key/stapc-dist.key" >&2
	local d
	for d in $(debs); do
		cmp "$d" "$o2/dist/$(basename "$d")"
	done
}
