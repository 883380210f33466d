#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/deps.sh - installs, from Debian's packages, what the benchmarks
# build and compare with, when it is missing. Needs root (as the run does).
set -e
want="clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev jq binutils coreutils \
bpftrace libbpf-tools"
missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "bench: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "bench: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
