#!/usr/bin/env bash
# compare_reference.sh — se3flow against the PyTorch reference, side by side
# on this machine in one run: the QM9 default configuration (7 layers,
# degrees 0..3, 32 channels, 8 heads, f32, 2 threads), QM9-sized molecules
# (18 atoms, about 37 directed edges each), training steps and inference,
# molecules per second at batch sizes 16, 64 and 240, and the ratio.
# se3flow runs its default FULL layout (bench_se3t, also low_memory); the
# reference runs its harness (bench/reference_bench.sh: needs PyTorch and the
# harness's ref folder; see tests/fixtures/se3_transformer/README.md).
# The reference's training step includes its AdamW update; se3flow's is
# forward + backward only (the update is under 1% of a step).
#
# usage: bench/compare_reference.sh [BUILD_DIR] [--batch-sizes "16 64 240"]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
[[ $# -gt 0 ]] && shift
sizes="16 64 240"
[[ ${1:-} == --batch-sizes ]] && sizes=$2
export OMP_NUM_THREADS=2
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, 2 threads"
echo "== se3flow (bench_se3t)"
ours=$(BENCH_STEPS=2 "$build/bench/bench_se3t" $sizes)
echo "$ours"
echo "== reference (reference_bench.sh)"
ref=$("$here/reference_bench.sh" --iters 1 2 2 --batch-sizes "$sizes" 2>/dev/null | grep '^reference_bench')
echo "$ref"
echo "reference: $("${SE3_REF_PYTHON:-/work/ref/venv/bin/python}" -c 'import torch; print("torch", torch.__version__)')"
printf '\n%-6s %-10s %14s %14s %8s\n' batch mode se3flow reference ratio
for b in $sizes; do
  for mode in train inference; do
    o=$(awk -v m="$mode" -v b="$b" '$1 == m && $2 == "low_memory=0" && $4 == b":" { print $5 }' <<<"$ours")
    key=$([[ $mode == train ]] && echo train_mol_per_s || echo infer_mol_per_s)
    r=$(grep -o "batch=$b .*" <<<"$ref" | grep -o "$key=[0-9.]*" | cut -d= -f2)
    printf '%-6s %-10s %10s mol/s %10s mol/s %7.1fx\n' "$b" "$mode" "$o" "$r" \
      "$(awk -v o="$o" -v r="$r" 'BEGIN { print (r > 0 ? o / r : 0) }')"
  done
done
