#!/usr/bin/env bash
# reference_bench.sh — CPU throughput of the PyTorch reference (NVIDIA's
# SE(3)-Transformer through /work/shared/reference/harness/run_reference.py
# `bench`): default QM9 config, float32, 2 threads, batch sizes 16 64 240,
# training steps (forward + L1 + backward + AdamW) and inference, in
# molecules per second. Not part of the build or the tests; it needs the
# harness, its ref folder and a Python with PyTorch (see
# tests/fixtures/se3_transformer/README.md for that setup).
#
# usage: bench/reference_bench.sh [--npz FILE] [--iters WARMUP TRAIN INFER] [--batch-sizes "16 64 240"]
#   env: SE3_REF_PYTHON (default /work/ref/venv/bin/python),
#        SE3_REF_HARNESS (default /work/shared/reference/harness),
#        SE3_REF_ROOT (default /work/ref)
# Data: synthetic QM9-sized molecules (the harness's default) unless --npz.
# Output: the harness's table on stderr, then one line per batch size:
#   reference_bench batch=16 nodes=288 edges=594 train_s_per_step=5.97 train_mol_per_s=2.68 infer_s_per_batch=1.97 infer_mol_per_s=8.11
set -euo pipefail

python=${SE3_REF_PYTHON:-/work/ref/venv/bin/python}
harness=${SE3_REF_HARNESS:-/work/shared/reference/harness}
ref_root=${SE3_REF_ROOT:-/work/ref}
batch_sizes="16 64 240"
extra=()
while (($#)); do
  case $1 in
    --npz) extra+=(--npz "$2"); shift 2 ;;
    --iters) extra+=(--warmup "$2" --train-iters "$3" --infer-iters "$4"); shift 4 ;;
    --batch-sizes) batch_sizes=$2; shift 2 ;;
    *) echo "reference_bench.sh: unknown argument '$1' (see the header of $0)" >&2; exit 2 ;;
  esac
done
read -ra sizes <<<"$batch_sizes"
[[ -f $harness/run_reference.py ]] || { echo "reference_bench.sh: no run_reference.py in $harness" >&2; exit 1; }
[[ -x $python ]] || { echo "reference_bench.sh: no Python at $python (set SE3_REF_PYTHON)" >&2; exit 1; }

# torch >= 2.6 loads e3nn 0.3.3's constants.pt (which holds slices) only with
# `slice` allowed; the harness predates that, so it runs under this shim.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! table=$(OMP_NUM_THREADS=2 "$python" -c '
import runpy, sys, torch
if hasattr(torch.serialization, "add_safe_globals"):
    torch.serialization.add_safe_globals([slice])
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
' "$harness/run_reference.py" --threads 2 --ref-root "$ref_root" bench --config default \
  --batch-sizes "${sizes[@]}" "${extra[@]}" 2>"$log"); then
  grep -v -i warn "$log" >&2
  echo "reference_bench.sh: the harness failed (above)" >&2
  exit 1
fi
echo "$table" >&2
# | batch | nodes/batch | edges/batch | train s/step | train steps/s | train mol/s | infer s/batch | infer mol/s |
echo "$table" | awk -F'|' '$2 ~ /^ *[0-9]+ *$/ {
  gsub(/ /, "");
  printf "reference_bench batch=%s nodes=%s edges=%s train_s_per_step=%s train_mol_per_s=%s infer_s_per_batch=%s infer_mol_per_s=%s\n",
         $2, $3, $4, $5, $7, $8, $9 }'
