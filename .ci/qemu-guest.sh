#!/bin/sh
# Prepares the QEMU guest for UsbipQemuTest: a stock Debian kernel (linux-image-amd64, unpacked, never installed
# on this host) and a small initramfs with busybox, the stock usbip tool and the modules the guest needs
# (vhci-hcd, usbip-core, usbserial, usbmon, the e1000 NIC and their modules.dep dependencies), into
# emulator/target/qemu-guest/{vmlinuz,initramfs.gz}. Idempotent; the downloaded kernel is cached in
# ~/.cache/devemu/qemu-guest. Installs qemu-system-x86, busybox-static and usbip with apt-get when missing.
set -eu
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/emulator/target/qemu-guest"
cache="${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/devemu/qemu-guest"
init_src="$root/.ci/qemu-guest-init.sh"

need=""
command -v qemu-system-x86_64 >/dev/null 2>&1 || need="$need qemu-system-x86"
dpkg -s busybox-static >/dev/null 2>&1 || need="$need busybox-static"
command -v usbip >/dev/null 2>&1 || [ -x /usr/sbin/usbip ] || need="$need usbip"
command -v cpio >/dev/null 2>&1 || need="$need cpio"
command -v depmod >/dev/null 2>&1 || [ -x /sbin/depmod ] || need="$need kmod"
if [ -n "$need" ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo"
  $SUDO apt-get update -qq
  # without recommends: qemu-system-x86 alone is ~30 packages, with them ~180 (a desktop's worth)
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $need >/dev/null
fi

# the kernel the meta package points at today (linux-image-amd64 -> linux-image-6.1.0-NN-amd64)
pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
if [ -z "$pkg" ]; then
  apt-get update -qq
  pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
fi
kver=${pkg#linux-image-}
usbip_bin=$(command -v usbip 2>/dev/null || echo /usr/sbin/usbip)
# rebuilt when the kernel, the init, this script, busybox or the usbip tool change
stamp="$kver $(sha256sum "$init_src" "$0" /bin/busybox "$usbip_bin" | sha256sum | cut -c1-16)"
if [ -f "$dest/stamp" ] && [ "$(cat "$dest/stamp")" = "$stamp" ] && [ -f "$dest/vmlinuz" ] && [ -f "$dest/initramfs.gz" ]; then
  exit 0
fi

kroot="$cache/$kver"
if [ ! -f "$kroot/boot/vmlinuz-$kver" ] || [ ! -f "$kroot/lib/modules/$kver/modules.dep" ]; then
  # unpacked beside it and moved in place at the end, so an interrupted run leaves nothing half-made
  part="$kroot.part"
  rm -rf "$kroot" "$part" "$cache/dl"
  mkdir -p "$cache/dl"
  (cd "$cache/dl" && apt-get download "$pkg" 2>/dev/null)
  dpkg -x "$cache/dl/$pkg"_*.deb "$part"
  rm -rf "$cache/dl"
  # the package's postinst would run depmod; we only need modules.dep
  PATH="$PATH:/sbin:/usr/sbin" depmod -b "$part" "$kver"
  # keep the kernel, modules.dep and the module trees the guest draws from (400 MB -> ~30 MB)
  keep="drivers/usb drivers/net/ethernet/intel"
  tree="$part/lib/modules/$kver/kernel"
  mv "$tree" "$tree.all"
  for k in $keep; do mkdir -p "$tree/$(dirname "$k")"; mv "$tree.all/$k" "$tree/$k"; done
  rm -rf "$tree.all" "$part/usr"
  mv "$part" "$kroot"
fi
mods="$kroot/lib/modules/$kver"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ir="$work/root"
mkdir -p "$ir/bin" "$ir/sbin" "$ir/lib/modules" "$ir/proc" "$ir/sys" "$ir/dev" "$ir/tmp" "$ir/var/run" "$ir/etc"
# busybox-static's /bin/busybox: the initramfs has no libc for a dynamic one
if ldd /bin/busybox >/dev/null 2>&1; then
  echo "qemu-guest: /bin/busybox is not the static one (apt-get install busybox-static)" >&2
  exit 1
fi
cp /bin/busybox "$ir/bin/busybox"
for app in $("$ir/bin/busybox" --list); do
  [ "$app" = busybox ] || ln -sf busybox "$ir/bin/$app"
done

# the stock usbip tool and the shared libraries it loads (ldd), at their paths
cp "$usbip_bin" "$ir/sbin/usbip"
for lib in $(ldd "$usbip_bin" | awk '/=> \//{print $3} /^\t\//{print $1}'); do
  mkdir -p "$ir$(dirname "$lib")"
  cp -L "$lib" "$ir$lib"
done
mkdir -p "$ir/lib64"
[ -e "$ir/lib64/ld-linux-x86-64.so.2" ] || cp -L /lib64/ld-linux-x86-64.so.2 "$ir/lib64/"

# modules in load order: each one's modules.dep dependencies (deepest first), then itself
order="$ir/lib/modules/order"
: > "$order"
add_module() {
  line=$(grep -E "(^|/)$1\.ko(\.[a-z]+)?:" "$mods/modules.dep" | head -1)
  [ -n "$line" ] || { echo "qemu-guest: module $1 not in $mods/modules.dep" >&2; exit 1; }
  path=${line%%:*}
  deps=${line#*:}
  for d in $(echo $deps | tr ' ' '\n' | tac); do
    base=$(basename "$d"); base=${base%%.ko*}
    grep -qx "$base" "$order" || { cp "$mods/$d" "$ir/lib/modules/"; echo "$base" >> "$order"; }
  done
  base=$(basename "$path"); base=${base%%.ko*}
  grep -qx "$base" "$order" || { cp "$mods/$path" "$ir/lib/modules/"; echo "$base" >> "$order"; }
}
for m in e1000 usbip-core vhci-hcd usbserial usbmon; do add_module "$m"; done
# compressed modules (newer Debian kernels ship .ko.xz): busybox insmod takes plain ELF files
for f in "$ir"/lib/modules/*.ko.xz; do [ -e "$f" ] && xz -d "$f"; done
for f in "$ir"/lib/modules/*.ko.zst; do [ -e "$f" ] && zstd -q -d --rm "$f"; done

cp "$init_src" "$ir/init"
chmod +x "$ir/init"

mkdir -p "$dest"
(cd "$ir" && find . | cpio -o -H newc --quiet) | gzip -1 > "$work/initramfs.gz"
cp "$kroot/boot/vmlinuz-$kver" "$dest/vmlinuz"
mv "$work/initramfs.gz" "$dest/initramfs.gz"
echo "$stamp" > "$dest/stamp"
echo "qemu-guest: $kver kernel and initramfs ($(du -k "$dest/initramfs.gz" | cut -f1) KiB) in $dest"
