#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# stapc runs as root and writes where it is told: files it writes and tools
# it runs from its cache must not be anyone else's to choose. Each attack is
# made as an unprivileged user (setpriv --reuid=65534) where the attack
# needs one, and must be refused.

load lib/common
bats_require_minimum_version 1.5.0

setup_file() {
	export W=$BATS_FILE_TMPDIR
	# A folder the unprivileged attacker can reach and write into, as /tmp
	# (bats' own temporary folder is root's alone).
	PUB=$(mktemp -d /tmp/stapc-security.XXXXXX)
	chmod 1777 "$PUB"
	export PUB
	printf 'probe begin { println("the real tool"); exit() }\n' > "$W/real.stp"
}

teardown_file() {
	rm -rf "$PUB"
}

need_root() {
	[ "$(id -u)" = 0 ] || skip "the attacks need root to play both sides"
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is missing"
}

as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

@test "security: root without HOME caches in /var/cache/stapc, never in /tmp" {
	need_root
	run env -u HOME -u XDG_CACHE_HOME "$STAPC" --help
	[[ "$output" == *"here: /var/cache/stapc."* ]]
	run env -u HOME -u XDG_CACHE_HOME "$STAPC" -p4 "$W/real.stp"
	[ "$status" -eq 0 ]
	[[ "$output" == /var/cache/stapc/build/*/real ]]
	# Root's alone (made 0700; the kernel matrix may have made it 0755 first).
	local mode owner
	read -r mode owner < <(stat -c '%a %u' /var/cache/stapc)
	[ "$owner" = 0 ]
	[ $((8#$mode & 8#022)) -eq 0 ]
}

@test "security: a cache folder another user made first is refused, and nothing in it runs" {
	need_root
	# The attacker makes the cache and fills it with a tool of theirs.
	as_nobody mkdir -p "$PUB/stapc/build"
	as_nobody sh -c "printf '#!/bin/sh\necho PWNED\n' > '$PUB/stapc/planted' && chmod 755 '$PUB/stapc/planted'"
	run env XDG_CACHE_HOME="$PUB" "$STAPC" "$W/real.stp"
	[ "$status" -eq 1 ]
	[[ "$output" != *PWNED* ]]
	[[ "$output" == *"refusing to use stapc's cache $PUB/stapc: it belongs to uid 65534"* ]]
	# The same folder made group- or world-writable by its owner is refused too.
	mkdir -m 0777 "$W/own" && mkdir -m 0777 "$W/own/stapc"
	run env XDG_CACHE_HOME="$W/own" "$STAPC" "$W/real.stp"
	[ "$status" -eq 1 ]
	[[ "$output" == *"others can write into it (mode 0777)"* ]]
}

@test "security: a cached tool that is not ours alone is rebuilt, never run" {
	need_root
	local c=$W/cache tool
	tool=$(XDG_CACHE_HOME=$c "$STAPC" -p4 "$W/real.stp")
	[ -x "$tool" ]
	# Replaced by something others could have written (mode 0777), or that another user owns.
	for how in "chmod 0777" "chown 65534"; do
		printf '#!/bin/sh\necho PWNED\n' > "$tool"
		chmod 0755 "$tool"
		$how "$tool"
		run env XDG_CACHE_HOME="$c" "$STAPC" "$W/real.stp"
		[ "$status" -eq 0 ]
		[ "$output" = "the real tool" ]
	done
	[ "$(stat -c '%a %u' "$tool")" = "755 0" ]
}

@test "security: -o writes through no link the attacker planted, in any name stapc uses" {
	need_root
	command -v unshare >/dev/null || skip "unshare (util-linux) is missing"
	echo "precious" > "$W/victim"
	chmod 0600 "$W/victim"
	# In its own pid namespace stapc is pid 1, so the temporary names an
	# older stapc used (NAME.tmp<PID>) are known in advance: plant them all.
	local n
	for n in 1 2 3; do
		as_nobody ln -s "$W/victim" "$PUB/tool.tmp$n"
	done
	as_nobody ln -s "$W/victim" "$PUB/tool"
	run unshare --pid --fork --mount-proc "$STAPC" -o "$PUB/tool" "$W/real.stp"
	[ "$status" -eq 0 ]
	[ "$(cat "$W/victim")" = "precious" ]
	[ "$(stat -c %a "$W/victim")" = 600 ]
	# The tool replaced the link; it did not write through it.
	[ ! -L "$PUB/tool" ]
	[ "$(stat -c '%a %u' "$PUB/tool")" = "755 0" ]
	run "$PUB/tool"
	[ "$output" = "the real tool" ]
}

@test "security: -o naming the script itself is refused, and the script is kept" {
	cp "$W/real.stp" "$W/same.stp"
	run "$STAPC" -o "$W/same.stp" "$W/same.stp"
	[ "$status" -eq 1 ]
	[[ "$output" == *"-o $W/same.stp names the script itself"* ]]
	cmp "$W/real.stp" "$W/same.stp"
	# Through another name of the same file, too.
	ln -s same.stp "$W/alias.stp"
	run "$STAPC" -o "$W/alias.stp" "$W/same.stp"
	[ "$status" -eq 1 ]
	cmp "$W/real.stp" "$W/same.stp"
}

@test "security: keygen -f replaces a planted link instead of writing the secret through it" {
	need_root
	as_nobody ln -s "$PUB/stolen" "$PUB/k.key"
	run "$STAPC" keygen -o "$PUB/k" -f
	[ "$status" -eq 0 ]
	[ ! -e "$PUB/stolen" ]
	[ ! -L "$PUB/k.key" ]
	[ "$(stat -c '%a %u' "$PUB/k.key")" = "600 0" ]
}

@test "security: the cache stays under STAPC_CACHE_MB, the least recently used going first" {
	local c=$W/lru i
	# Three tools of about 1.5 MiB each in a cache bounded to 4 MiB.
	for i in 1 2 3; do
		printf 'probe begin { println("tool %s"); exit() }\n' "$i" > "$W/t$i.stp"
	done
	XDG_CACHE_HOME=$c STAPC_CACHE_MB=4 "$STAPC" -p4 "$W/t1.stp" > "$W/p1"
	XDG_CACHE_HOME=$c STAPC_CACHE_MB=4 "$STAPC" -p4 "$W/t2.stp" > "$W/p2"
	touch -d '-2 hours' "$(dirname "$(cat "$W/p1")")"
	touch -d '-1 hour' "$(dirname "$(cat "$W/p2")")"
	# t1, the oldest, is used again: t2 is now the least recently used.
	XDG_CACHE_HOME=$c STAPC_CACHE_MB=4 "$STAPC" -p4 "$W/t1.stp" > /dev/null
	XDG_CACHE_HOME=$c STAPC_CACHE_MB=4 "$STAPC" -p4 "$W/t3.stp" > "$W/p3"
	[ -x "$(cat "$W/p1")" ]
	[ -x "$(cat "$W/p3")" ]
	[ ! -e "$(cat "$W/p2")" ]
	[ "$(du -sm "$c/stapc" | cut -f1)" -le 8 ]
}
