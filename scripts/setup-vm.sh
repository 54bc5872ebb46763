#!/bin/sh
# Installs what the vm:ARCH engines need and caches Debian 12's kernels.
# Idempotent: packages already installed and kernels already cached are kept.
# For root on Debian 12 (bookworm). Run by `npm run setup:vm`.
#
#   SECCHECK_CACHE   cache root (default ~/.cache/seccheck); kernels go to $SECCHECK_CACHE/vm/
#   SECCHECK_VM_ARCHES  which kernels to fetch (default "arm64 amd64")
set -eu

CACHE="${SECCHECK_CACHE:-$HOME/.cache/seccheck}/vm"
ARCHES="${SECCHECK_VM_ARCHES:-arm64 amd64}"

say() { printf 'setup-vm: %s\n' "$*"; }
die() { printf 'setup-vm: error: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (apt-get install, dpkg --add-architecture)"
command -v apt-get >/dev/null || die "needs apt-get (Debian 12)"

# The arm64 kernel package is only visible to apt once arm64 is a known architecture.
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  say "adding dpkg architecture arm64"
  dpkg --add-architecture arm64
fi

say "apt-get update"
apt-get update -qq

# Not gcc-multilib: on Debian it conflicts with, and removes, gcc-aarch64-linux-gnu.
PKGS="qemu-system-arm qemu-system-x86 gcc-aarch64-linux-gnu libc6-dev-arm64-cross cpio"
say "installing $PKGS"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $PKGS >/dev/null

mkdir -p "$CACHE"
cd "$CACHE"

# extract-vmlinux's method: the bzImage carries the compressed ELF kernel;
# find the first offset of a compressor's magic that decompresses to an ELF.
# Booting that vmlinux (qemu's PVH entry) saves the ~5 s the decompressor
# takes under TCG (measured: 5.9 s vs 12.1 s to power-off with q35).
extract_vmlinux() { # bzImage out
  for c in 'xz -dc:\xfd7zXZ\x00' 'gzip -dc:\x1f\x8b\x08' 'zstd -dcq:\x28\xb5\x2f\xfd' 'lz4 -dc:\x02\x21\x4c\x18'; do
    tool=${c%%:*}
    command -v "${tool%% *}" >/dev/null || continue
    for off in $(LC_ALL=C grep -obUaP "${c#*:}" "$1" | cut -d: -f1 | head -n 5); do
      tail -c +$((off + 1)) "$1" | $tool >"$2" 2>/dev/null || true
      if [ "$(head -c 4 "$2" | od -An -c | tr -d ' ')" = '177ELF' ]; then return 0; fi
    done
  done
  rm -f "$2"
  return 1
}

# The concrete image package the metapackage points at (e.g. linux-image-6.1.0-56-arm64).
concrete_image() {
  apt-cache depends "linux-image-$1:$1" 2>/dev/null \
    | sed -n 's/^ *Depends: \(linux-image-[0-9][^ :]*\).*/\1/p' | head -n1
}

for arch in $ARCHES; do
  pkg=$(concrete_image "$arch")
  [ -n "$pkg" ] || die "no linux-image-$arch metapackage dependency found (apt-get update, dpkg architecture $arch?)"
  ver=$(apt-cache show "$pkg:$arch" | sed -n 's/^Version: //p' | head -n1)
  # Kernel file names carry package and version, so a new Debian point release is a new cache key.
  case $arch in
    arm64) kernel="$CACHE/$pkg-$ver.Image" ;;
    amd64) kernel="$CACHE/$pkg-$ver.vmlinux" ;;
    *) die "unsupported arch $arch" ;;
  esac
  if [ -s "$kernel" ]; then
    say "$arch kernel cached: $kernel"
  else
    say "downloading $pkg:$arch $ver"
    tmp=$(mktemp -d "$CACHE/.dl.XXXXXX")
    (cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$pkg:$arch" >/dev/null)
    deb=$(ls "$tmp"/*.deb)
    say "downloaded $(basename "$deb") ($(du -h "$deb" | cut -f1))"
    # Only /boot/vmlinuz-* is needed; modules are not (the probe needs none).
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards './boot/vmlinuz-*'
    vmlinuz=$(ls "$tmp"/boot/vmlinuz-*)
    if [ "$arch" = arm64 ]; then
      # qemu -M virt boots the raw arm64 Image; Debian ships it gzip-compressed.
      if gzip -t "$vmlinuz" 2>/dev/null; then
        gzip -dc "$vmlinuz" >"$kernel.tmp"
      else
        cp "$vmlinuz" "$kernel.tmp"
      fi
    else
      extract_vmlinux "$vmlinuz" "$kernel.tmp" || die "no compressed ELF kernel found in $(basename "$vmlinuz")"
    fi
    mv "$kernel.tmp" "$kernel"
    rm -rf "$tmp"
    say "$arch kernel: $kernel ($(du -h "$kernel" | cut -f1))"
  fi
  # A stable name the engines look up; the versioned file stays the cache key.
  ln -sf "$(basename "$kernel")" "$CACHE/kernel-$arch"
  printf '%s %s\n' "$pkg" "$ver" >"$CACHE/kernel-$arch.version"
done

say "done; kernels in $CACHE"
