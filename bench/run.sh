#!/bin/sh
# run.sh [BUILD_DIR] - run every benchmark and print its numbers. Build
# without sanitizers for meaningful figures: meson setup build && ninja -C build.
set -eu
b=${1:-build}
export HVD=$b/hv/hvd/hvd PVRUN=$b/hv/runner/pvrun GUEST_DIR=$b/hv/guest
for i in 1 2 3 4 5; do "$b/bench/boot_bench" 200 5; done
"$b/bench/boot_bench" 200 0
"$b/bench/evtchn_bench" 20000 5
for i in 1 2 3; do "$b/bench/density_bench" 1000; done
"$b/bench/gntcopy_bench"
"$b/bench/copy_bench" 5
"$b/dom0/xenstored_bench" "$b/dom0/xenstored" 100000
