#!/usr/bin/env bash
# test_se3t_overfit.sh SE3FLOW — the SE(3)-Transformer learns for real:
# 32 synthetic molecules, a small model (2 layers, degrees 0..1, 8 channels,
# 2 heads), Adam with a cosine decay from 0.005, one step per epoch: after
# 300 steps the training L1 loss (normalised units; the target's standard
# deviation is 1) is below 0.01, from about 0.8 at the start. Also the
# vector output: the synthetic dipole (a degree-1 target) is fitted by the
# mean-pooled degree-1 output (one channel), below 0.01 after 1200 steps.
# Measured: scalar 0.00033, vector 0.0022 with the AVX-512 radial kernel;
# 0.0041 and 0.00047 with SE3FLOW_RADIAL_KERNEL=blas. The final loss moves
# with f32 rounding alone (the vector's at 600 steps: 0.027 vs 0.061), so
# the thresholds leave room for both.
set -u
se3flow=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export SE3FLOW_DB="$work/runs.db"
failures=0

# last train/loss value in a run's metrics.jsonl
losses() { grep '"name":"loss","split":"train"' "$1" | sed 's/.*"value":\([-0-9.e+]*\).*/\1/'; }

fit() { # name task output threshold steps
  cat >"$1.yaml" <<YAML
seed: 7
dataset: {name: synthetic, train_size: 32, val_size: 8, test_size: 8, task: $2}
model: {name: se3_transformer, num_layers: 2, num_degrees: 2, num_channels: 8, num_heads: 2,
        output: $3, pooling: $([ "$3" = vector ] && echo mean || echo max)}
optimizer: {name: adam, weight_decay: 0.0}
schedule: {name: warmup_cosine, lr: 0.005, min_lr: 0.00001}
train: {epochs: $5, batch_size: 32, eval_interval: $5, num_workers: 1}
loggers: [{name: jsonl}]
YAML
  "$se3flow" run "$1.yaml" --quiet --runs-dir runs-"$1" || { echo "FAIL $1: run failed"; failures=$((failures + 1)); return; }
  first=$(losses runs-"$1"/*/metrics.jsonl | head -1)
  final=$(losses runs-"$1"/*/metrics.jsonl | tail -1)
  echo "$1: train L1 $first after 1 step, $final after $5"
  awk -v f="$final" -v t="$4" 'BEGIN { exit !(f < t) }' ||
    { echo "FAIL $1: final loss $final not below $4"; failures=$((failures + 1)); }
}
fit scalar energy scalar 0.01 300
fit vector dipole vector 0.01 1200
echo "$failures failures"
[ "$failures" -eq 0 ]
