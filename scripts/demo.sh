#!/bin/sh
# demo.sh - install what is missing, build, start Xenlite under a private
# root (./.xenlite-root) and run the demo PV guest, showing its console.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
sh scripts/deps.sh
[ -f build/build.ninja ] || meson setup build
ninja -C build
root=$here/.xenlite-root
sh scripts/xenlite start --root "$root"
echo "--- demo guest 'hello' (console follows) ---"
build/hv/tools/hvctl --root "$root" run --memory 8 --name demo build/hv/guest/hello
echo "--- hypervisor log (hvctl dmesg) ---"
build/hv/tools/hvctl --root "$root" dmesg | tail -n 6
echo
echo "hvd keeps running under $root. Try:"
echo "  build/hv/tools/hvctl --root $root run build/hv/guest/selftest"
echo "  build/hv/tools/hvctl --root $root list"
echo "Stop it with: scripts/xenlite stop --root $root"
