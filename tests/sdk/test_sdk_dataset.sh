#!/usr/bin/env bash
# test_sdk_dataset.sh BUILD_DIR MODEL_DIR — the "your own dataset" path of
# docs/custom_dataset.md, as a user would take it: installs se3flow from
# BUILD_DIR into a temporary prefix, builds examples/dataset_plugin out of
# tree against it with the CMake package, and has the installed se3flow
# train one epoch of the example recipe on the example CSV (tiny_mpnn from
# MODEL_DIR). Checks: the plugin lists with its options, the run exits 0 and
# is recorded as completed with training and validation metrics, and a
# malformed CSV fails naming the file and line. Then the ready-made path:
# the installed xyz plugin trains one epoch of recipes/xyz_example.yaml on
# examples/qm9_sample.xyz. Exit 0 on success.
set -euo pipefail
build=$1
models=$2
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
example="$root/examples/dataset_plugin"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$example" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/build" >/dev/null
se3flow=("$work/prefix/bin/se3flow")
paths=(--plugin-path "$work/build" --plugin-path "$models")

"${se3flow[@]}" plugins show csv_molecules "${paths[@]}" | grep -q "edge cutoff"

export SE3FLOW_DB="$work/runs.db"
"${se3flow[@]}" run "$example/example.yaml" "${paths[@]}" --runs-dir runs --quiet \
    --set dataset.path="$example/molecules.csv" --set train.epochs=1
"${se3flow[@]}" runs --csv | awk -F, '$1 == 1 { print $4 }' | grep -qx completed
metrics=$("${se3flow[@]}" runs metrics 1 --csv)
grep -q "train.*loss" <<<"$metrics" || { echo "no training loss recorded: $metrics"; exit 1; }
grep -q "val.*mae" <<<"$metrics" || { echo "no validation MAE recorded: $metrics"; exit 1; }

# errors in the user's data name the file and the line
# (blank lines are skipped but counted)
{ head -3 "$example/molecules.csv"; echo; echo "0,Xx,0,0,0,-10.5"; } >bad.csv
if out=$("${se3flow[@]}" run "$example/example.yaml" "${paths[@]}" --runs-dir runs --quiet \
    --set dataset.path=bad.csv 2>&1); then
  echo "a malformed CSV trained"; exit 1
fi
grep -q "bad.csv:5: element 'Xx'" <<<"$out" || { echo "unclear error: $out"; exit 1; }
{ head -3 "$example/molecules.csv"; echo "0,H,0,0,1e39,-10.5"; } >huge.csv
out=$("${se3flow[@]}" run "$example/example.yaml" "${paths[@]}" --runs-dir runs --quiet \
    --set dataset.path=huge.csv 2>&1) && { echo "a coordinate of 1e39 trained"; exit 1; }
grep -q "huge.csv:4: a number is not finite" <<<"$out" || { echo "unclear error: $out"; exit 1; }

# the ready-made path: extended XYZ files with the installed xyz plugin
"${se3flow[@]}" run "$root/recipes/xyz_example.yaml" --plugin-path "$models" --runs-dir runs \
    --name xyz_example --quiet --set dataset.path="$root/examples/qm9_sample.xyz" --set train.epochs=1 \
    --set train.eval_interval=1
id=$("${se3flow[@]}" runs --csv | awk -F, '$2 == "xyz_example" && $4 == "completed" { print $1 }')
[ -n "$id" ] || { echo "the xyz example run is not completed"; exit 1; }
"${se3flow[@]}" runs metrics "$id" --csv | grep -q "val.*mae"
echo "sdk dataset: ok"
