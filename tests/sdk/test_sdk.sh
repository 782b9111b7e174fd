#!/usr/bin/env bash
# test_sdk.sh BUILD_DIR SOURCE_DIR — installs se3flow from BUILD_DIR into a
# temporary prefix, builds example_plugin/ out of tree against it with the
# CMake package, checks pkg-config, and has the installed se3flow list the
# plugin. Exit 0 on success.
set -euo pipefail
build=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$here/example_plugin" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/build" >/dev/null
test -f "$work/build/se3flow_example_logger.so"

# pkg-config gives a working compile line for a plugin too
PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig" pkg-config --exists se3flow
cc -shared -fPIC -o "$work/se3flow_pc.so" "$here/example_plugin/example_logger.c" \
   $(PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig" pkg-config --cflags --libs se3flow)

# the installed binary finds the installed library and loads the plugin
out=$("$work/prefix/bin/se3flow" plugins --plugin-path "$work/build")
echo "$out"
grep -q "example_logger" <<<"$out"
"$work/prefix/bin/se3flow" plugins show example_logger --plugin-path "$work/build" | grep -q "file to append metrics to"
echo "sdk: ok"
