#!/usr/bin/env bash
# Installs the Debian packages that building and testing hvlab need, if any
# is missing.  Safe to run again: it only calls apt-get when something is
# absent.  Needs root (or sudo) for the install itself.
set -euo pipefail

# linux-image/headers-6.12-amd64: bookworm's meta-packages for Debian's 6.12
# LTS kernel, which make check's VM suite boots beside the default 6.1.
PKGS=(
	build-essential pkg-config libelf-dev zlib1g-dev libncurses-dev
	linux-headers-amd64 linux-image-amd64 linux-source-6.1 kmod
	linux-image-6.12-amd64 linux-headers-6.12-amd64
	bochs bochsbios vgabios
	busybox-static isolinux syslinux-common xorriso cpio xz-utils
	qemu-utils tmux clang libclang-rt-14-dev rsync qemu-system-x86
	dkms udev man-db groff-base
	libslirp-dev tcpdump
)

# --list: print the package names
if [ "${1:-}" = "--list" ]; then
	echo "${PKGS[@]}"
	exit 0
fi

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "hvlab: installing missing Debian packages: ${missing[*]}"
SUDO=
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "hvlab: run as root: apt-get install ${missing[*]}" >&2; exit 1; }
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
