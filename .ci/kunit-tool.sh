#!/bin/sh
# Installs the kernel's KUnit parser (tools/testing/kunit/kunit.py and the modules it imports) from Debian's
# linux-source package into emulator/target/kunit-tool, for KtapOutputTest. The script's path must contain
# tools/testing/kunit (kunit.py finds its modules next to itself).
set -e
dest="$(cd "$(dirname "$0")/.." && pwd)/emulator/target/kunit-tool"
[ -f "$dest/tools/testing/kunit/kunit.py" ] && exit 0
if ! ls /usr/src/linux-source-*.tar.xz >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq linux-source-6.1 >/dev/null
fi
tarball=$(ls /usr/src/linux-source-*.tar.xz | head -1)
top=$(basename "$tarball" .tar.xz)
tmp=$(mktemp -d)
tar -xJf "$tarball" -C "$tmp" \
  "$top/tools/testing/kunit/kunit.py" "$top/tools/testing/kunit/kunit_parser.py" \
  "$top/tools/testing/kunit/kunit_printer.py" "$top/tools/testing/kunit/kunit_json.py" \
  "$top/tools/testing/kunit/kunit_kernel.py" "$top/tools/testing/kunit/kunit_config.py" \
  "$top/tools/testing/kunit/qemu_config.py"
mkdir -p "$dest"
cp -r "$tmp/$top/tools" "$dest/"
rm -rf "$tmp"
