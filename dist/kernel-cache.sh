# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# dist/kernel-cache.sh - Debian's kernel packages in a cache outside the work
# tree: resolving a series alias (6.1, 6.12) to a release, downloading and
# extracting linux-headers-REL with its -common and linux-kbuild packages,
# under a lock per release. Sourced by dist/fetch-kernel-headers (what
# stapc --kernel REL runs to build a module) and tests/kmatrix/lib.sh.
#
# Functions are prefixed km_; they print errors on stderr and return non-zero.

declare -F km_log >/dev/null || km_log() { printf 'stapc: %s\n' "$*" >&2; }

# Outside the work tree on purpose: a kernel image plus its modules is
# ~100 MB, must survive `git clean`, and is shared by every checkout.
KM_CACHE=${STAPC_KCACHE:-/var/cache/stapc/kernels}

# --- kernels ---------------------------------------------------------------

# Debian's meta packages name the current ABI of each series we test, so the
# harness follows security updates without editing a list. An alias resolves
# through the local apt index only (no network).
declare -gA KM_ALIASES=(
	[6.1]=linux-image-cloud-amd64
	[6.12]=linux-image-6.12-cloud-amd64
)
# km_resolve_kernel NAME - prints the release (uname -r) that NAME means.
# NAME is a release (6.1.0-56-cloud-amd64) or an alias (6.1, 6.12). When the
# apt index cannot answer, the newest cached kernel of that series is used so
# a machine with a warm cache works offline.
km_resolve_kernel() {
	local name=$1 meta rel
	meta=${KM_ALIASES[$name]:-}
	if [ -z "$meta" ]; then
		printf '%s\n' "$name"
		return 0
	fi
	rel=$(apt-cache depends "$meta" 2>/dev/null |
		sed -n 's/^ *Depends: linux-image-\(.*\)$/\1/p' | head -1)
	if [ -z "$rel" ]; then
		rel=$(km_cached_kernels | grep -E "^${name//./\\.}[.-]" | sort -V | tail -1)
	fi
	if [ -z "$rel" ]; then
		km_log "cannot resolve kernel alias '$name': $meta is not in the apt index (run apt-get update) and no such kernel is cached"
		return 1
	fi
	printf '%s\n' "$rel"
}

# Releases whose image is already extracted in the cache.
km_cached_kernels() {
	local d
	for d in "$KM_CACHE"/*/.image-done; do
		[ -e "$d" ] || continue
		basename "$(dirname "$d")"
	done
}

# km_lock REL - takes an exclusive lock on REL's cache entry for the rest of
# the calling (sub)shell. flock(1) on a file descriptor: released by the
# kernel when the process exits, however it exits, so no stale locks.
km_lock() {
	local rel=$1
	mkdir -p "$KM_CACHE"
	exec {KM_LOCK_FD}>"$KM_CACHE/.$rel.lock"
	flock "$KM_LOCK_FD"
}

# km_apt_download DIR PKG[=VERSION]... - downloads .debs into DIR.
# As root, apt drops privileges to _apt for downloads unless told not to,
# and _apt cannot write to our cache folder.
km_apt_download() {
	local dir=$1
	shift
	(cd "$dir" && apt-get download -q -o APT::Sandbox::User=root "$@") >"$dir/apt.log" 2>&1 || {
		km_log "apt-get download $* failed:"
		tail -5 "$dir/apt.log" >&2
		return 1
	}
}

# km_extract_debs DIR DEST - unpacks every .deb in DIR into DEST, without
# installing anything (no maintainer scripts, no dpkg database).
km_extract_debs() {
	local dir=$1 dest=$2 deb
	mkdir -p "$dest"
	for deb in "$dir"/*.deb; do
		dpkg-deb -x "$deb" "$dest" || return 1
	done
}



# km_deb_field PKG FIELD - a field of the candidate version of PKG.
km_deb_field() {
	apt-cache show --no-all-versions "$1" 2>/dev/null | sed -n "s/^$2: //p" | head -1
}

# km_headers_dir REL - the kernel build tree (what `-r` and `make -C` want).
km_headers_dir() {
	printf '%s\n' "$KM_CACHE/$1/headers/usr/src/linux-headers-$1"
}

# km_fetch_headers REL - extracts linux-headers-REL, its -common package and
# the matching linux-kbuild into the cache, fixes the paths that point into
# /usr/src and /usr/lib, and prints the build tree's path.
km_fetch_headers() (
	# No set -e: callers use us in `||` context, where bash ignores it.
	set -uo pipefail
	local rel=$1 top tmp ver deps common kbuild kbver
	top=$KM_CACHE/$rel
	if [ ! -e "$top/.headers-done" ]; then
		km_lock "$rel" || exit 1
		if [ ! -e "$top/.headers-done" ]; then
			ver=$(km_deb_field "linux-headers-$rel" Version)
			deps=$(km_deb_field "linux-headers-$rel" Depends)
			[ -n "$ver" ] || {
				km_log "linux-headers-$rel is not in the apt index"
				exit 1
			}
			common=$(tr ',' '\n' <<<"$deps" | sed -n 's/^ *\(linux-headers-[^ ]*-common\) .*/\1/p' | head -1)
			kbuild=$(tr ',' '\n' <<<"$deps" | sed -n 's/^ *\(linux-kbuild-[^ ]*\).*/\1/p' | head -1)
			# 6.1's linux-kbuild-6.1 is one package name shared by all
			# 6.1 ABIs and the index holds several versions of it: the
			# candidate may belong to another ABI. Pin the headers'
			# own version when it is there, else take the candidate.
			kbver=$ver
			apt-cache madison "$kbuild" | awk -F'|' '{gsub(/ /,"",$2); print $2}' |
				grep -qxF "$ver" || kbver=$(km_deb_field "$kbuild" Version)
			[ "$kbver" = "$ver" ] || km_log "note: $kbuild $ver is not in the index, using $kbver"
			mkdir -p "$top" || exit 1
			tmp=$(mktemp -d "$top/.headers.XXXXXX") || exit 1
			trap 'rm -rf "$tmp"' EXIT
			km_log "downloading linux-headers-$rel, $common, $kbuild=$kbver"
			km_apt_download "$tmp" "linux-headers-$rel=$ver" "$common=$ver" "$kbuild=$kbver" || exit 1
			km_extract_debs "$tmp" "$tmp/root" || exit 1
			km_relocate_headers "$tmp/root" "$top/headers" "$rel" || exit 1
			rm -rf "$top/headers" || exit 1
			mv "$tmp/root" "$top/headers" || exit 1
			touch "$top/.headers-done" || exit 1
		fi
	fi
	km_headers_dir "$rel"
)

# km_relocate_headers ROOT FINAL REL - the packages assume they live at
# /usr/src and /usr/lib: the flavour Makefile includes the -common tree by
# absolute path and some symlinks (scripts, tools) are absolute. Rewrite
# them to FINAL, where ROOT is about to be moved.
km_relocate_headers() {
	local root=$1 final=$2 rel=$3 mk link target
	mk=$root/usr/src/linux-headers-$rel/Makefile
	[ -f "$mk" ] || {
		km_log "no $mk in the headers package"
		return 1
	}
	sed -i "s|^include /usr/src/|include $final/usr/src/|" "$mk"
	# Absolute symlinks (lib/modules/REL/build -> /usr/src/...) would
	# escape into the host's own /usr and /lib.
	while IFS= read -r link; do
		target=$(readlink "$link")
		case $target in
		/*) [ -e "$root$target" ] && ln -sfn "$final$target" "$link" ;;
		esac
	done < <(find "$root" -type l)
}
