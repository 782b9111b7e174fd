#!/usr/bin/env bash
# test_cli_tools.sh SE3FLOW MODEL_DIR SOURCE_DIR — predict, compare, bench
# and ckpt end to end on the synthetic dataset with the tiny_mpnn test model:
#  1. train -> predict: the MAE printed equals the MAE recomputed from the
#     written predictions (CSV and JSON lines, one row per test molecule);
#  2. compare a checkpoint with itself (zero difference, CI [0, 0] contains
#     0) and the epoch-1 checkpoint with the best one (difference detected,
#     CI excludes 0); JSON schema; a run id stands for its best checkpoint;
#  3. bench train and inference: positive figures, JSON schema;
#  4. every one of them is a run in `se3flow runs`, predict linked to its
#     checkpoint;
#  5. predict --input FILE.xyz with a model trained on XYZ data, and
#     --input FILE.npz through the qm9 plugin when it is built;
#  6. bad input: a checkpoint of another model shape (names the tensors),
#     truncated/corrupt safetensors (header length past the end, overlapping
#     offsets, unknown dtype), a missing file, an unknown split, train.amp on
#     the CPU — each a clear error with the documented exit status;
#  7. (with the se3_transformer plugin) ckpt convert to partial and none
#     gives models that predict what the original predicts.
set -u
se3flow=$1
models=$2
source_dir=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
export SE3FLOW_DB="$work/runs.db"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
s3f() { "$se3flow" "$@" --plugin-path "$models"; }
# expect CODE TEXT CMD...: CMD exits CODE and its stderr contains TEXT
expect() {
  local code=$1 text=$2
  shift 2
  "$@" >out.txt 2>err.txt
  local got=$?
  [ "$got" = "$code" ] || fail "'$*' exited $got, expected $code: $(cat err.txt)"
  grep -qF -- "$text" err.txt || fail "'$*': stderr lacks '$text': $(cat err.txt)"
}
# json FILE PYTHON-EXPRESSION: the expression over `d` (the parsed file) is true
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$1" ||
  fail "$1: not ($2): $(head -c 2000 "$1")"; }

cat >recipe.yaml <<'YAML'
seed: 7
dataset: {name: synthetic, train_size: 1024, val_size: 256, test_size: 300}
model: {name: tiny_mpnn, hidden: 32}
train: {epochs: 5, batch_size: 32, eval_interval: 1, ckpt_interval: 1, num_workers: 1}
schedule: {lr: 0.005}
loggers: [{name: jsonl}]
YAML
s3f run recipe.yaml --quiet || fail "training exited $?"
best=runs/1/best.safetensors
first=runs/1/epoch_1.safetensors

# 1. predict: printed MAE == MAE from the file
s3f predict --ckpt "$best" --output preds.csv >predict.txt || fail "predict exited $?"
printed=$(sed -n 's/^MAE \([^ ]*\) .*/\1/p' predict.txt)
[ "$(($(wc -l <preds.csv) - 1))" = 300 ] || fail "preds.csv has $(wc -l <preds.csv) lines, expected 1 + 300"
head -1 preds.csv | grep -q '^split,index,energy,energy_target,energy_error$' || fail "CSV header: $(head -1 preds.csv)"
recomputed=$(awk -F, 'NR > 1 { d = $3 - $4; s += d < 0 ? -d : d; n++ } END { printf "%.9g", s / n }' preds.csv)
awk -v a="$printed" -v b="$recomputed" 'BEGIN { d = a - b; exit !(a > 0 && (d < 0 ? -d : d) <= 1e-7 * a) }' ||
  fail "printed MAE '$printed' differs from the MAE of preds.csv '$recomputed'"
s3f predict --ckpt "$best" --split val --output preds.jsonl --quiet || fail "predict --split val exited $?"
python3 - preds.jsonl <<'PY' || fail "preds.jsonl is not one valid object per validation molecule"
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
assert len(rows) == 256 and [r["index"] for r in rows] == list(range(256))
assert all(r["split"] == "val" and abs(abs(r["prediction"][0] - r["target"][0]) - r["error"][0]) < 1e-9 for r in rows)
PY

# 2. compare
s3f compare "$best" 1 --json >self.json || fail "compare with itself exited $?"
json self.json 'd["difference"]["mae_a_minus_b"] == 0 and d["difference"]["ci95"] == [0, 0] and d["share"]["ties"] == 1 and d["recipe_diff"] == [] and d["parameters_rel_l2"] == 0 and d["molecules"] == 300 and d["difference"]["resamples"] == 2000'
s3f compare "$first" "$best" --json >worse.json || fail "compare epoch_1 best exited $?"
json worse.json 'd["a"]["mae"] > d["b"]["mae"] and d["difference"]["ci95"][0] > 0 and d["share"]["b_better"] > d["share"]["a_better"] and d["parameters_rel_l2"] > 0 and all(p["rel_l2"] > 0 for p in d["parameters"])'
s3f compare "$first" "$best" >worse.txt || fail "compare (text) exited $?"
grep -q "B is more accurate (the interval excludes 0)" worse.txt || fail "compare text: $(cat worse.txt)"
s3f compare "$first" "$best" --seed 5 --json >seeded.json && s3f compare "$first" "$best" --seed 5 --json >seeded2.json
cmp -s seeded.json seeded2.json || fail "compare with one seed gave two intervals"

# 3. bench
s3f bench --recipe recipe.yaml --epochs 2 --json >bench_train.json || fail "bench train exited $?"
schema='all(d[k] > 0 for k in ("throughput_mol_per_ms", "throughput_total_mol_per_ms", "throughput_mol_per_s", "total_time_ms", "timed_batches", "molecules")) and all(d["latency_ms"][k] > 0 for k in ("mean", "p90", "p95", "p99")) and d["latency_ms"]["p90"] <= d["latency_ms"]["p95"] <= d["latency_ms"]["p99"] and d["peak_memory_bytes"]["arena"] > 0 and d["peak_memory_bytes"]["rss"] > 0 and d["run_id"] > 0'
json bench_train.json "$schema and d['mode'] == 'train' and d['timed_batches'] == 32 and d['molecules'] == 1024 and d['warmup'] == 1"
s3f bench --recipe recipe.yaml --mode inference --steps 20 --warmup 2 --batch-size 16 --json >bench_infer.json ||
  fail "bench inference exited $?"
json bench_infer.json "$schema and d['mode'] == 'inference' and d['timed_batches'] == 20 and d['molecules'] == 320 and abs(d['throughput_mol_per_ms'] - 16 / d['latency_ms']['mean']) < 1e-9"
s3f bench --recipe recipe.yaml --epochs 2 >bench.txt || fail "bench (table) exited $?"
grep -q '^| Batch size | Throughput \[mol/ms\]' bench.txt || fail "bench table: $(cat bench.txt)"

# 4. all of it in the run store
"$se3flow" runs --csv >runs.csv
for kind in train predict compare bench; do
  grep -q ",$kind," runs.csv || fail "no $kind run in 'se3flow runs': $(cat runs.csv)"
done
[ "$(grep -c ',completed,' runs.csv)" = "$(($(wc -l <runs.csv) - 1))" ] || fail "not every run completed: $(cat runs.csv)"
"$se3flow" runs show 2 | grep -q "$best" || fail "the predict run does not show its checkpoint"

# 5. predict --input FILE.xyz with a model trained on XYZ data
python3 - <<'PY'
import random
random.seed(3)
with open("mols.xyz", "w") as f:
    for m in range(40):
        n = random.randint(2, 6)
        atoms = [("C", [1.4 * i, random.uniform(-0.2, 0.2), 0.0]) for i in range(n)]
        f.write(f"{n}\nProperties=species:S:1:pos:R:3 energy={-1.5 * n + random.uniform(-0.1, 0.1):.6f}\n")
        for s, p in atoms:
            f.write(f"{s} {p[0]:.5f} {p[1]:.5f} {p[2]:.5f}\n")
PY
cat >xyz.yaml <<'YAML'
dataset: {name: xyz, path: mols.xyz}
model: {name: tiny_mpnn, hidden: 8}
train: {epochs: 2, batch_size: 8, num_workers: 0}
loggers: [{name: jsonl}]
YAML
s3f run xyz.yaml --runs-dir xyz_runs --quiet || fail "training on XYZ exited $?"
xyz_ckpt=$(find xyz_runs -name best.safetensors | head -1)
s3f predict --ckpt "$xyz_ckpt" --input mols.xyz --output xyz_preds.csv >xyz.txt || fail "predict --input exited $?"
[ "$(($(wc -l <xyz_preds.csv) - 1))" = 40 ] || fail "predict --input mols.xyz wrote $(wc -l <xyz_preds.csv) lines"
grep -q '^MAE ' xyz.txt || fail "predict --input printed no MAE: $(cat xyz.txt)"

# 5b. predict --input FILE.npz (QM9 layout, SPEC 14.1) through the qm9 plugin,
# once it is built: every molecule of the file is predicted. The synthetic
# dataset has QM9's feature columns, so the synthetic checkpoint reads it.
if "$se3flow" plugins --plugin-path "$models" 2>/dev/null | grep -qw qm9; then
  python3 - <<'PY'
import io, random, struct, zipfile
random.seed(5)
def npy(dtype, shape, values):
    dims = str(shape[0]) + "," if len(shape) == 1 else ", ".join(map(str, shape))
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (dtype, dims)
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    code = {"<i8": "q", "<f8": "d"}[dtype]
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + \
        struct.pack("<%d%s" % (len(values), code), *values)
M, n_node, n_edge, pos, attr, eattr, src, dst, targets = 30, [], [], [], [], [], [], [], []
for m in range(M):
    n = random.randint(2, 5)
    n_node.append(n); n_edge.append(2 * (n - 1))
    for i in range(n):
        pos += [1.5 * i, random.uniform(-0.1, 0.1), 0.0]
        attr += [0, 1, 0, 0, 0, 6, 0, 0, 0, 1, 2]
    for i in range(n - 1):
        for a, b in ((i, i + 1), (i + 1, i)):
            src.append(a); dst.append(b); eattr += [1, 0, 0, 0]
    targets += [random.uniform(-1, 1) for _ in range(19)]
arrays = {"n_node": ("<i8", (M,), n_node), "n_edge": ("<i8", (M,), n_edge),
          "node_pos": ("<f8", (sum(n_node), 3), pos), "node_attr": ("<f8", (sum(n_node), 11), attr),
          "edge_attr": ("<f8", (sum(n_edge), 4), eattr), "src": ("<i8", (sum(n_edge),), src),
          "dst": ("<i8", (sum(n_edge),), dst), "targets": ("<f8", (M, 19), targets)}
with zipfile.ZipFile("mols.npz", "w") as z:
    for key, (dtype, shape, values) in arrays.items():
        z.writestr(key + ".npy", npy(dtype, shape, values))
PY
  s3f predict --ckpt "$best" --input mols.npz --output npz_preds.csv >npz.txt || fail "predict --input mols.npz exited $?"
  [ "$(($(wc -l <npz_preds.csv) - 1))" = 30 ] || fail "predict --input mols.npz wrote $(wc -l <npz_preds.csv) lines"
else
  echo "skipped: predict --input .npz (the qm9 plugin is not built)"
fi

# 6. bad input
expect 1 "'embed.weight' is (32, 6) in the file but (8, 6) in the model" s3f predict --ckpt "$best" --set model.hidden=8
expect 1 "from_edge.weight" s3f predict --ckpt "$best" --input mols.xyz
expect 2 "unknown split 'tset': use train, val or test" s3f predict --ckpt "$best" --split tset
expect 2 "unknown split" s3f compare "$best" "$best" --split tset
expect 1 "cannot open missing.safetensors" s3f predict --ckpt missing.safetensors
expect 2 "has no run 99" s3f compare 99 "$best"
expect 2 "name the file .csv or .jsonl" s3f predict --ckpt "$best" --output preds.txt
expect 2 "expected an .xyz or a QM9-layout .npz" s3f predict --ckpt "$best" --input recipe.yaml
head -c 200 "$best" >truncated.safetensors
expect 2 "header length points past the end" s3f predict --ckpt truncated.safetensors
python3 - <<'PY'
import json, struct
def write(name, header, data):
    h = json.dumps(header).encode()
    open(name, "wb").write(struct.pack("<Q", len(h)) + h + data)
write("overlap.safetensors", {"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                              "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}, bytes(12))
write("dtype.safetensors", {"a": {"dtype": "Q7", "shape": [2], "data_offsets": [0, 8]}}, bytes(8))
PY
expect 2 "overlap" s3f predict --ckpt overlap.safetensors
expect 2 "unsupported or missing 'dtype'" s3f predict --ckpt dtype.safetensors
expect 1 "overlap" "$se3flow" ckpt info overlap.safetensors
expect 1 "train.amp needs the CUDA backend" s3f run recipe.yaml --set train.amp=true --quiet
expect 1 "train.amp needs the CUDA backend" s3f bench --recipe recipe.yaml --set train.amp=true
# the AMP recipe itself, once the plugins it names are in this tree
if [ -d "$source_dir/plugins/datasets/qm9" ] && [ -d "$source_dir/plugins/models/se3_transformer" ]; then
  expect 1 "train.amp needs the CUDA backend" s3f run "$source_dir/recipes/qm9_homo_amp.yaml" --quiet
fi

# 7. ckpt convert round trip with the se3_transformer plugin, once it is built:
# FULL -> PARTIAL, FULL -> NONE and PARTIAL -> NONE models predict what the
# FULL model predicts (float32, summation order differs: 1e-4 relative).
if "$se3flow" plugins --plugin-path "$models" 2>/dev/null | grep -qw se3_transformer; then
  cat >se3t.yaml <<'YAML'
seed: 3
dataset: {name: synthetic, train_size: 64, val_size: 16, test_size: 24}
model: {name: se3_transformer, num_layers: 2, num_degrees: 3, num_channels: 4, num_heads: 2, fuse_level: full}
train: {epochs: 1, batch_size: 16, num_workers: 0}
loggers: [{name: jsonl}]
YAML
  s3f run se3t.yaml --runs-dir se3t_runs --quiet || fail "training se3_transformer exited $?"
  full=$(find se3t_runs -name best.safetensors | head -1)
  "$se3flow" ckpt convert --layout partial "$full" partial.safetensors >/dev/null || fail "convert to partial exited $?"
  "$se3flow" ckpt convert --layout none "$full" none.safetensors >/dev/null || fail "convert to none exited $?"
  "$se3flow" ckpt convert --layout none partial.safetensors none2.safetensors >/dev/null || fail "convert partial to none exited $?"
  expect 1 "cannot be merged" "$se3flow" ckpt convert --layout full partial.safetensors back.safetensors
  "$se3flow" ckpt info partial.safetensors --recipe | grep -q "fuse_level: partial" || fail "partial.safetensors keeps the old fuse_level"
  s3f predict --ckpt "$full" --output full.csv --quiet || fail "predict (full) exited $?"
  for layout in partial none none2; do
    s3f predict --ckpt "$layout.safetensors" --output "$layout.csv" --quiet || fail "predict ($layout) exited $?"
    paste -d, full.csv "$layout.csv" | awk -F, -v n=5 'NR > 1 { d = $3 - $(3 + n); if (d < 0) d = -d; a = $3 < 0 ? -$3 : $3; if (d > 1e-4 * (1 + a)) bad++ } END { exit bad > 0 }' ||
      fail "the $layout layout predicts otherwise than the full one"
  done
fi

[ "$failures" = 0 ] && echo "all tool checks passed"
exit $((failures > 0))
