#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install everything anonleak needs to build, test and demo on Debian 12.
# Idempotent: does nothing when every package is already present.
#
#   scripts/deps.sh            build + 6.1 guest lane
#   scripts/deps.sh --all      also the 6.12 (bookworm-backports) guest kernel
#   scripts/deps.sh --bench    also the benchmark peers (bpftrace, bcc)
set -euo pipefail

want_612=0
want_bench=0
for a in "$@"; do
	case "$a" in
	--all) want_612=1 ;;
	--bench) want_bench=1 ;;
	-h|--help) sed -n '3,9p' "$0"; exit 0 ;;
	*) echo "deps.sh: unknown option '$a'" >&2; exit 2 ;;
	esac
done

pkgs=(build-essential make gcc libc6-dev pkg-config
      qemu-system-x86 busybox-static cpio kmod xz-utils
      libmnl-dev libdw-dev libelf-dev elfutils
      linux-image-amd64 linux-headers-amd64 linux-source-6.1
      sparse python3 perl python3-yaml python3-jsonschema
      # stacks through distro code without frame pointers (tests/anonleak_stacks.py):
      # g++ for its C++ program, python3.11 and UCX as real FP-less binaries
      g++ python3.11 ucx-utils
      # to make chroots of other suites for their kernels (tests/vm/kernels.sh)
      mmdebstrap
      # to build the debug guest kernel (tests/debug/build-kernel.sh)
      flex bison bc libssl-dev
      # the Debian packages and their test (make deb, make check-deb)
      dpkg-dev debhelper dh-dkms dkms lintian bash-completion
      # the fleet outputs read back by their real consumers
      # (tests/fleet/check-consumers.sh): go tool pprof for the profiles,
      # promtool and node_exporter for the metrics textfile, headless
      # Chromium driven over WebDriver for the HTML flame graph
      golang-go prometheus prometheus-node-exporter chromium chromium-driver curl)
[ "$want_bench" = 1 ] && pkgs+=(bpftrace bpfcc-tools)

bpo_list=/etc/apt/sources.list.d/anonleak-backports.sources

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing+=("$p")
done
need_612=0
if [ "$want_612" = 1 ] && ! ls /boot/vmlinuz-6.12.* >/dev/null 2>&1; then
	need_612=1
fi
if [ "$want_612" = 1 ] && ! ls -d /lib/modules/6.12.*/build >/dev/null 2>&1; then
	need_612=1
fi
# The 6.12 source gives the YNL schema and tools the protocol spec is tested with.
if [ "$want_612" = 1 ] && [ ! -f /usr/src/linux-source-6.12.tar.xz ]; then
	need_612=1
fi

if [ ${#missing[@]} -eq 0 ] && [ "$need_612" = 0 ]; then
	exit 0
fi

if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages (${missing[*]}); run as root" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
if [ "$need_612" = 1 ]; then
	# The same archive (mirror, proxy, keyring) as the machine's own entry;
	# rewritten when that entry changed.
	"$(dirname "$0")/debian-archive.sh" --sources bookworm-backports >"$bpo_list.tmp"
	if cmp -s "$bpo_list.tmp" "$bpo_list"; then
		rm -f "$bpo_list.tmp"
	else
		mv "$bpo_list.tmp" "$bpo_list"
	fi
fi
# Third-party sources on the machine may be unreachable: do not let them
# fail the update of Debian's own lists.
apt-get -o DPkg::Lock::Timeout=1200 update -q || true
if [ ${#missing[@]} -gt 0 ]; then
	apt-get -o DPkg::Lock::Timeout=1200 install -y -q --no-install-recommends "${missing[@]}"
fi
if [ "$need_612" = 1 ]; then
	apt-get -o DPkg::Lock::Timeout=1200 install -y -q --no-install-recommends -t bookworm-backports \
		linux-image-amd64 linux-headers-amd64 linux-source-6.12
fi
