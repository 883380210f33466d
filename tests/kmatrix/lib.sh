# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# tests/kmatrix/lib.sh - shared functions of the kernel-matrix harness:
# fetching Debian kernels (and their headers) into a cache, building a
# busybox initramfs, booting it under qemu and reading the results back.
#
# Sourced by fetch-kernel, run-guest, stap-oracle and tests/kmatrix.bats.
# Functions are prefixed km_. They print errors on stderr and return
# non-zero; the scripts decide whether that is fatal.

KM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Exit codes of run-guest that are not the guest command's own.
# shellcheck disable=SC2034 # (used by the scripts that source us)
KM_RC_TIMEOUT=124    # the guest did not power off in time
# shellcheck disable=SC2034
KM_RC_CRASH=125      # it powered off (or panicked) without a result marker
KM_RC_HARNESS=126    # the harness could not set up the guest at all

km_log() { printf 'kmatrix: %s\n' "$*" >&2; }
km_die() { km_log "$*"; exit "$KM_RC_HARNESS"; }

# The kernel cache (KM_CACHE), aliases and the headers' fetching, shared
# with dist/fetch-kernel-headers.
# shellcheck source-path=SCRIPTDIR source=../../dist/kernel-cache.sh
source "$KM_DIR/../../dist/kernel-cache.sh"

# --- kernels ---------------------------------------------------------------
# shellcheck disable=SC2034
KM_DEFAULT_KERNEL=${STAPC_KERNEL:-6.1}

# km_vmlinuz REL - path of REL's kernel image in the cache (may not exist).
km_vmlinuz() {
	printf '%s\n' "$KM_CACHE/$1/image/boot/vmlinuz-$1"
}

# km_fetch_image REL - makes sure linux-image-REL-unsigned is extracted in
# the cache; prints the vmlinuz path. Safe to run concurrently: the second
# caller waits on the lock and then finds the work done.
km_fetch_image() (
	# No set -e: callers use us in `||` context, where bash ignores it.
	set -uo pipefail
	local rel=$1 top tmp
	top=$KM_CACHE/$rel
	if [ ! -e "$top/.image-done" ]; then
		km_lock "$rel" || exit 1
		if [ ! -e "$top/.image-done" ]; then
			mkdir -p "$top" || exit 1
			tmp=$(mktemp -d "$top/.image.XXXXXX") || exit 1
			# A failed fetch leaves nothing half-made behind.
			trap 'rm -rf "$tmp"' EXIT
			km_log "downloading linux-image-$rel-unsigned"
			km_apt_download "$tmp" "linux-image-$rel-unsigned" || exit 1
			km_extract_debs "$tmp" "$tmp/root" || exit 1
			[ -f "$tmp/root/boot/vmlinuz-$rel" ] || {
				km_log "linux-image-$rel-unsigned has no boot/vmlinuz-$rel"
				exit 1
			}
			rm -rf "$top/image" || exit 1
			mv "$tmp/root" "$top/image" || exit 1
			touch "$top/.image-done" || exit 1
		fi
	fi
	km_vmlinuz "$rel"
)

# km_dbg_dir REL - root of REL's extracted -dbg package: its DWARF is
# usr/lib/debug/boot/vmlinux-REL and usr/lib/debug/lib/modules/REL/.
km_dbg_dir() {
	printf '%s\n' "$KM_CACHE/$1/dbg"
}

# km_fetch_dbg REL - makes sure linux-image-REL-dbg (the kernel's and its
# modules' DWARF, ~1.7 GB unpacked) is extracted in the cache, at the
# image's own version; prints the vmlinux path. What stap needs to resolve
# kernel.function, $variables and the tapsets built on them.
km_fetch_dbg() (
	# No set -e: callers use us in `||` context, where bash ignores it.
	set -uo pipefail
	local rel=$1 top tmp ver vmlinux
	top=$KM_CACHE/$rel
	vmlinux=$(km_dbg_dir "$rel")/usr/lib/debug/boot/vmlinux-$rel
	if [ ! -e "$top/.dbg-done" ]; then
		km_lock "$rel" || exit 1
		if [ ! -e "$top/.dbg-done" ]; then
			ver=$(km_deb_field "linux-image-$rel-unsigned" Version)
			[ -n "$ver" ] || {
				km_log "linux-image-$rel-unsigned is not in the apt index"
				exit 1
			}
			mkdir -p "$top" || exit 1
			tmp=$(mktemp -d "$top/.dbg.XXXXXX") || exit 1
			trap 'rm -rf "$tmp"' EXIT
			km_log "downloading linux-image-$rel-dbg=$ver"
			km_apt_download "$tmp" "linux-image-$rel-dbg=$ver" || exit 1
			km_extract_debs "$tmp" "$tmp/root" || exit 1
			[ -f "$tmp/root/usr/lib/debug/boot/vmlinux-$rel" ] || {
				km_log "linux-image-$rel-dbg has no usr/lib/debug/boot/vmlinux-$rel"
				exit 1
			}
			rm -rf "$top/dbg" || exit 1
			mv "$tmp/root" "$top/dbg" || exit 1
			touch "$top/.dbg-done" || exit 1
		fi
	fi
	printf '%s\n' "$vmlinux"
)

# km_stap_debuginfo REL - fetches REL's -dbg package and prints the folder
# to export as SYSTEMTAP_DEBUGINFO_PATH for `stap -r BUILD_TREE`: elfutils
# looks for BUILD_TREE/vmlinux under that path, stripping the tree's leading
# components one at a time, down to PATH/vmlinux, which is where the package
# has a link to the kernel's DWARF. (A vmlinux in the build tree itself
# would also do, but it makes Kbuild run pahole for every module.)
km_stap_debuginfo() {
	km_fetch_dbg "$1" >/dev/null || return 1
	printf '%s\n' "$(km_dbg_dir "$1")/usr/lib/debug/lib/modules/$1"
}

# km_stap_tracepoints REL - lets stap find REL's tracepoints (kernel.trace):
# it globs BUILD_TREE/include/trace/events/*.h or the source tree named by
# the DWARF's DW_AT_comp_dir, which is Debian's build machine's. Debian's
# flavour build tree has no include/trace (the -common tree has): a link to
# it. Kbuild reads the -common headers first, so module builds are as before.
km_stap_tracepoints() {
	local build link
	build=$(km_headers_dir "$1")
	link=$build/include/trace
	[ -e "$link" ] && return 0
	[ -d "$build/../linux-headers-${1%-*-*}-common/include/trace" ] || {
		km_log "no include/trace in the -common headers of $1"
		return 1
	}
	ln -sfn "../../linux-headers-${1%-*-*}-common/include/trace" "$link"
}

# --- the guest -------------------------------------------------------------

# km_need_tools - checks the host tools a boot needs; names what is missing.
km_need_tools() {
	local missing=() t
	for t in qemu-system-x86_64 busybox cpio gzip flock; do
		command -v "$t" >/dev/null 2>&1 || missing+=("$t")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		km_log "missing host tools: ${missing[*]} (apt-get install qemu-system-x86 busybox-static cpio)"
		return 1
	fi
	# Debian's non-static busybox would need libraries in the guest.
	if ! file -L "$(command -v busybox)" 2>/dev/null | grep -q 'statically linked'; then
		if ! ldd "$(command -v busybox)" 2>&1 | grep -q 'not a dynamic'; then
			km_log "busybox is not static (apt-get install busybox-static)"
			return 1
		fi
	fi
}

# km_copy_with_libs FILE DESTROOT [GUESTPATH] - copies a (possibly dynamic)
# executable into DESTROOT at GUESTPATH (default: FILE's own path) together
# with the shared libraries and loader ldd names, at their host paths.
km_copy_with_libs() {
	local file=$1 root=$2 gpath=${3:-$1} lib
	mkdir -p "$root$(dirname "$gpath")"
	cp -L "$file" "$root$gpath"
	while IFS= read -r lib; do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done < <(ldd "$file" 2>/dev/null | grep -oE '/[^ ]+' || true)
}

# km_build_initramfs OUT NONCE CMDFILE [GUESTDIR:HOSTDIR...] - writes a
# gzipped newc cpio to OUT: busybox, the guest init, the command to run, and
# the contents of each HOSTDIR copied under GUESTDIR (run-guest's --files
# DIR is /t:DIR, --root DIR is /:DIR). Every boot builds its own, in well
# under a second, so concurrent runs never share one.
km_build_initramfs() {
	local out=$1 nonce=$2 cmdfile=$3 root spec gdir hdir
	shift 3
	root=$(mktemp -d "${TMPDIR:-/tmp}/kmatrix-root.XXXXXX")
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,t,out,etc/kmatrix}
	cp "$(command -v busybox)" "$root/bin/busybox"
	install -m 755 "$KM_DIR/guest/init" "$root/init"
	install -m 755 "$KM_DIR/guest/km-case" "$root/bin/km-case"
	install -m 644 "$cmdfile" "$root/etc/kmatrix/cmd"
	printf '%s\n' "$nonce" >"$root/etc/kmatrix/nonce"
	for spec in "$@"; do
		gdir=${spec%%:*}
		hdir=${spec#*:}
		[ -d "$hdir" ] || {
			km_log "$hdir: not a directory"
			rm -rf "$root"
			return 1
		}
		if ! { mkdir -p "$root$gdir" && cp -a "$hdir"/. "$root$gdir/"; }; then
			rm -rf "$root"
			return 1
		fi
	done
	# -1: the archive lives for one boot; speed beats size.
	(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet -R 0:0 | gzip -1) >"$out"
	rm -rf "$root"
}

# km_nonce - a random token: the result marker carries it so that guest
# output which merely looks like a marker cannot fake a result.
km_nonce() {
	od -An -tx8 -N8 /dev/urandom | tr -d ' \n'
}

# The marker line guest/init writes on the console (ttyS0) at the end:
# "KMATRIX-EXIT NONCE rc=N" (and "KMATRIX-START NONCE" before the command).
KM_MARK_EXIT=KMATRIX-EXIT

# km_parse_exit LOG NONCE - prints the guest command's exit code from the
# console log, or fails if the marker never came.
km_parse_exit() {
	local log=$1 nonce=$2
	tr -d '\r' <"$log" | sed -n "s/.*$KM_MARK_EXIT $nonce rc=\([0-9][0-9]*\).*/\1/p" | tail -1 | grep .
}

# km_guest_crashed LOG - one line saying how the kernel died, if it did.
km_guest_crashed() {
	tr -d '\r' <"$1" | grep -m1 -E 'Kernel panic|BUG:|Oops:|general protection fault|kernel BUG at' || true
}

# --- per-case results (the batch protocol) ----------------------------------
#
# Inside the guest, `km-case NAME CMD...` runs one case and leaves its exact
# stdout, stderr and exit code in /out/NAME/{stdout,stderr,rc}; /out comes
# back to the host as run-guest's --out DIR. On stdout it prints one line per
# case, "KMCASE NAME rc=N", so a hung batch still shows how far it got.

# km_case_rc OUTDIR NAME - the exit code of case NAME ("" if it never ended).
km_case_rc() {
	local f=$1/$2/rc
	[ -f "$f" ] && cat "$f"
}

# km_case_out OUTDIR NAME [stdout|stderr] - the exact output of case NAME.
km_case_out() {
	cat "$1/$2/${3:-stdout}"
}

# km_cases OUTDIR - names of the cases that ran, in the order they started.
km_cases() {
	[ -f "$1/.order" ] && cat "$1/.order"
}

# km_case_summary OUTDIR - "NAME rc" lines, "NAME -" for a case that began
# but never finished (the guest hung or died inside it).
km_case_summary() {
	local out=$1 name rc
	while IFS= read -r name; do
		rc=$(km_case_rc "$out" "$name" || true)
		printf '%s %s\n' "$name" "${rc:--}"
	done < <(km_cases "$out")
}

# km_image_module REL NAME DEST - copies module NAME (e.g. crc-itu-t) from
# REL's cached image package to DEST as a plain .ko: 6.12 ships them
# xz-compressed, and a plain file is what finit_module and insmod take
# everywhere. The image package has no modules.dep: pick a module without
# dependencies (modinfo -F depends).
km_image_module() {
	local rel=$1 name=$2 dest=$3 f
	f=$(find "$KM_CACHE/$rel/image/lib/modules/$rel/kernel" -name "$name.ko*" | head -1)
	[ -n "$f" ] || {
		km_log "no module $name in linux-image-$rel"
		return 1
	}
	case $f in
	*.xz) xz -dc "$f" >"$dest" ;;
	*.zst) zstd -qdc "$f" >"$dest" ;;
	*.gz) gzip -dc "$f" >"$dest" ;;
	*) cp "$f" "$dest" ;;
	esac
}

# --- SystemTap as an oracle -------------------------------------------------

# km_stap_runtime REL - prints a SystemTap runtime directory (stap -R) that
# builds against REL's headers. Debian's 6.1 kernels carry a stable backport
# that renamed task_work_cancel(task, func) to task_work_cancel_func() and
# gave the old name a new meaning; SystemTap 4.8's runtime predates that and
# fails pass 4. The copy calls the new name when the headers declare it.
km_stap_runtime() (
	# No set -e: callers use us in `||` context, where bash ignores it.
	set -uo pipefail
	local rel=$1 src=/usr/share/systemtap/runtime ver dest tmp tw
	ver=$(stap -V 2>&1 | sed -n 's/.*(version \([0-9.]*\).*/\1/p' | head -1)
	dest=$KM_CACHE/$rel/stap-runtime-${ver:-unknown}
	if [ ! -e "$dest/.done" ]; then
		km_lock "$rel" || exit 1
		if [ ! -e "$dest/.done" ]; then
			tmp=$(mktemp -d "$KM_CACHE/$rel/.rt.XXXXXX") || exit 1
			trap 'rm -rf "$tmp"' EXIT
			cp -a "$src"/. "$tmp/" || exit 1
			tw="$(km_headers_dir "$rel")/../linux-headers-*-common/include/linux/task_work.h"
			# shellcheck disable=SC2086
			if grep -qs 'task_work_cancel_func' $tw &&
				! grep -q 'task_work_cancel_func' "$tmp/stp_task_work.c"; then
				sed -i -E 's/\btask_work_cancel\b/task_work_cancel_func/g' "$tmp/stp_task_work.c"
			fi
			rm -rf "$dest" || exit 1
			mv "$tmp" "$dest" || exit 1
			touch "$dest/.done" || exit 1
		fi
	fi
	printf '%s\n' "$dest"
)

# km_stap_guest_root DIR - puts staprun, stapio and the shared libraries they
# need (at their host paths) under DIR, for run-guest --root DIR.
km_stap_guest_root() {
	local dir=$1 f
	for f in /usr/bin/staprun /usr/lib/systemtap/stapio; do
		[ -x "$f" ] || {
			km_log "$f missing (apt-get install systemtap-runtime)"
			return 1
		}
		km_copy_with_libs "$f" "$dir"
	done
}

# --- test support -----------------------------------------------------------

# km_install_host_tools - makes sure qemu, static busybox and cpio are there,
# installing Debian's packages when missing (how this project installs test
# dependencies). Fails with the reason on stderr when they cannot be had.
km_install_host_tools() {
	local missing=() p
	for p in qemu-system-x86 busybox-static cpio xz-utils; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		km_log "installing ${missing[*]}"
		export DEBIAN_FRONTEND=noninteractive
		if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
			# A fresh machine may have no package lists yet.
			apt-get update -qq >/dev/null 2>&1 || true
			apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
				km_log "cannot install ${missing[*]} (no network or no root?)"
				return 1
			}
		fi
	fi
	km_need_tools
}

# km_fetch_or_update NAME [--headers] - fetch-kernel, with one apt-get update
# and a retry when the first try fails (a fresh machine's index is empty or
# stale: the ABI it names may have left the mirror).
km_fetch_or_update() {
	"$KM_DIR/fetch-kernel" "$@" >/dev/null 2>&1 && return 0
	apt-get update -qq >/dev/null 2>&1 || true
	"$KM_DIR/fetch-kernel" "$@" >/dev/null
}

# km_build_features DIR - the static feature probe (features.c) into DIR.
km_build_features() {
	mkdir -p "$1"
	${CC:-gcc} -O2 -Wall -static -o "$1/features" "$KM_DIR/features.c"
}

# km_system_map REL - makes sure REL's build tree has a real System.map and
# prints its path. Debian ships a stub (the real one is in the -dbg package,
# hundreds of MB), and without one stap rejects kprobe.function("NAME") with
# "no match". The guest's own /proc/kallsyms, minus module symbols, is the
# same table; KASLR shifts every address alike and staprun relocates at run
# time, so one boot's addresses serve all later boots.
km_system_map() (
	set -uo pipefail
	local rel=$1 map tmp
	map=$(km_headers_dir "$rel")/System.map
	if ! grep -qs ' [Tt] _stext$' "$map"; then
		km_lock "$rel" || exit 1
		if ! grep -qs ' [Tt] _stext$' "$map"; then
			tmp=$(mktemp "$map.XXXXXX") || exit 1
			trap 'rm -f "$tmp"' EXIT
			km_log "reading /proc/kallsyms of $rel for System.map"
			"$KM_DIR/run-guest" --kernel "$rel" -- cat /proc/kallsyms |
				grep -v '\[' | sort >"$tmp" || exit 1
			grep -q ' [Tt] _stext$' "$tmp" || {
				km_log "no _stext in the guest's /proc/kallsyms"
				exit 1
			}
			mv "$tmp" "$map" || exit 1
		fi
	fi
	printf '%s\n' "$map"
)

# km_make_module REL DIR [MAKE-ARGS...] - builds the out-of-tree module in
# DIR (a Kbuild or Makefile with obj-m) against REL's cached headers. gcc-12
# is what Debian built these kernels with; the 6.12 headers would run pahole
# for module BTF, which is neither installed nor needed to load a module.
km_make_module() {
	local rel=$1 dir=$2
	shift 2
	make -s -C "$(km_headers_dir "$rel")" M="$dir" CC=gcc-12 \
		CONFIG_DEBUG_INFO_BTF_MODULES= "$@" modules
}
