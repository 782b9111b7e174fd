#!/usr/bin/env bash
# test_cli_train.sh SE3FLOW MODEL_DIR — `se3flow run` end to end on the
# synthetic dataset with the tiny_mpnn test model:
#  1. a run trains, writes best/last checkpoints and metrics, exits 0, and the
#     run store has it completed with its checkpoints;
#  2. SIGINT mid-run exits 130 after a checkpoint and the run is
#     `interrupted`; --resume RUN_ID finishes the same run, whose final
#     checkpoint is byte-identical to the uninterrupted run's;
#  3. kill -9 at five moments (just after epochs 1..9 end, some inside the
#     next checkpoint write) never leaves an invalid checkpoint under a
#     final name, the run shows as `crashed`, and --resume from its last
#     checkpoint file trains on.
set -u
se3flow=$1
models=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

cat >recipe.yaml <<'YAML'
dataset: {name: synthetic, train_size: 2048, val_size: 256}
model: {name: tiny_mpnn}
train: {epochs: 12, batch_size: 32, eval_interval: 4, ckpt_interval: 1, num_workers: 1}
schedule: {lr: 0.003}
loggers: [{name: console, interval_seconds: 60}, {name: jsonl}]
YAML
# no shell function around the background runs: signals must reach se3flow itself
export SE3FLOW_DB="$work/runs.db"
cmd=("$se3flow" run recipe.yaml --plugin-path "$models" --quiet)
# waits (up to 20 s) until file $1 exists: stops and kills are placed by the
# run's own progress, not by wall-clock guesses
wait_for() { for _ in $(seq 2000); do [ -e "$1" ] && return 0; sleep 0.01; done; return 1; }
status_of() { "$se3flow" runs --csv | awk -F, -v id="$1" '$1 == id { print $4 }'; }
run() { "${cmd[@]}" "$@"; }

# 1. plain run
run --name plain --runs-dir plain || fail "plain run exited $?"
dir=plain/1
status_of 1 | grep -q completed || fail "run 1 is not completed: $(status_of 1)"
[ "$("$se3flow" runs show 1 | grep -c safetensors)" -ge 3 ] || fail "run 1's checkpoints are not recorded"
for f in best last epoch_12; do
  "$se3flow" ckpt info "$dir/$f.safetensors" >/dev/null || fail "plain run lacks a valid $f checkpoint"
done
[ "$(grep -c '"name":"mae"' "$dir/metrics.jsonl")" = 3 ] || fail "expected 3 validation MAE lines"

# 2. SIGINT, then resume: same final bytes as the plain run
"${cmd[@]}" --name stopped --runs-dir stopped &
pid=$!
wait_for stopped/2/epoch_2.safetensors || fail "run 2 wrote no epoch_2 checkpoint"
kill -INT $pid
wait $pid
code=$?
[ "$code" = 130 ] || fail "SIGINT run exited $code, expected 130"
"$se3flow" ckpt info stopped/2/last.safetensors | grep -q "^epoch" || fail "no checkpoint after SIGINT"
status_of 2 | grep -q interrupted || fail "run 2 is not interrupted: $(status_of 2)"
run --runs-dir stopped --resume 2 || fail "resume of run 2 exited $?"
status_of 2 | grep -q completed || fail "resumed run 2 is not completed: $(status_of 2)"
# the tensors (the data after the JSON header) must match byte for byte; the
# header differs in the run id
tensors() { tail -c +$((9 + $(od -An -t u8 -N 8 "$1"))) "$1"; }
cmp -s <(tensors "$dir/last.safetensors") <(tensors stopped/2/last.safetensors) ||
  fail "interrupted+resumed run's final tensors differ from the uninterrupted run's"

# 3. kill -9 at several moments
for k in 1 3 5 7 9; do
  rm -rf killed
  "${cmd[@]}" --name killed --runs-dir killed &
  pid=$!
  # kill right after epoch k's checkpoint appears, a little later each time,
  # so that some kills land inside the next checkpoint write
  for _ in $(seq 2000); do [ -n "$(ls killed 2>/dev/null)" ] && break; sleep 0.01; done
  kid=$(ls killed)
  kdir=killed/$kid
  wait_for "$kdir/epoch_$k.safetensors" || fail "run $kid wrote no epoch_$k checkpoint"
  sleep "0.0$k"
  kill -KILL $pid
  wait $pid 2>/dev/null
  status_of "$kid" | grep -q crashed || fail "run $kid killed after epoch $k is not crashed: $(status_of "$kid")"
  for f in "$kdir"/*.safetensors; do
    [ -e "$f" ] || continue
    "$se3flow" ckpt info "$f" >/dev/null 2>&1 || fail "kill -9 after epoch $k left an invalid $f"
  done
  run --name again --runs-dir again --resume "$kdir/last.safetensors" || fail "resume after kill -9 exited $?"
done
# 4. a NaN loss fails the run with the place named, keeping `last` of the
#    epoch before; a full disk at a checkpoint fails the run and keeps the
#    previous checkpoint intact
SE3FLOW_FAULT_NAN_BATCH=140 run --runs-dir nan 2>nan.err
code=$?
[ "$code" = 1 ] || fail "NaN run exited $code, expected 1"
nid=$(ls nan)
grep -q "epoch 3, batch 13" nan.err || fail "NaN message does not name epoch and batch: $(cat nan.err)"
status_of "$nid" | grep -q failed || fail "NaN run $nid is not failed: $(status_of "$nid")"
"$se3flow" ckpt info "nan/$nid/last.safetensors" | grep -q "^epoch 2," || fail "NaN run lost its epoch-2 checkpoint"
# a checkpoint file takes 3 writes (length, header, padding) plus one per
# tensor; epoch 1 writes `last` and `epoch_1`: fail inside epoch 2's `last`
tensors_per_file=$("$se3flow" ckpt info "$dir/last.safetensors" | sed -n 's/^\([0-9]*\) tensors.*/\1/p')
SE3FLOW_FAULT_WRITE=$((2 * (3 + tensors_per_file) + 5)) run --runs-dir full 2>full.err
code=$?
[ "$code" = 1 ] || fail "full-disk run exited $code, expected 1"
fid=$(ls full)
grep -q "No space left" full.err || fail "full-disk message unclear: $(cat full.err)"
"$se3flow" ckpt info "full/$fid/last.safetensors" | grep -q "^epoch 1," ||
  fail "the previous checkpoint did not survive the failed write"
ls "full/$fid" | grep -q '\.tmp\.' && fail "a temporary file was left behind"
echo "$failures failures"
[ "$failures" -eq 0 ]
