#!/usr/bin/env bash
# test_cli_recipes.sh SE3FLOW CASES_DIR — runs every bad_*.yaml recipe case
# through `se3flow run FILE --dry-run` and checks the exit code and each
# expected message (the header format is in CASES_DIR/README.md); then checks
# that a good recipe resolves with every default written in.
set -u
se3flow=$1
cases=$2
failures=0
for file in "$cases"/bad_*.yaml; do
  want_exit=$(sed -n 's/^# expect-exit: //p' "$file")
  sets=()
  while IFS= read -r s; do sets+=(--set "$s"); done < <(sed -n 's/^# set: //p' "$file")
  out=$("$se3flow" run "$file" --dry-run "${sets[@]}" 2>&1)
  code=$?
  if [ "$code" != "$want_exit" ]; then
    echo "FAIL $(basename "$file"): exit $code, expected $want_exit: $out"
    failures=$((failures + 1))
    continue
  fi
  while IFS= read -r m; do
    if ! grep -qF -- "$m" <<<"$out"; then
      echo "FAIL $(basename "$file"): message lacks '$m': $out"
      failures=$((failures + 1))
    fi
  done < <(sed -n 's/^# expect-message: //p' "$file")
  echo "ok   $(basename "$file")"
done

good=$(mktemp)
trap 'rm -f "$good"' EXIT
printf 'dataset:\n  name: synthetic\nmodel:\n  name: tiny_mpnn\n' >"$good"
out=$("$se3flow" run "$good" --dry-run --set train.epochs=3 --plugin-path "$(dirname "$0")/../models" \
      ${SE3FLOW_TEST_MODEL_DIR:+--plugin-path "$SE3FLOW_TEST_MODEL_DIR"} 2>&1)
for want in "epochs: 3" "batch_size: 240" "name: adam" "weight_decay: 0.1" "name: console" "seed: 42"; do
  grep -qF -- "$want" <<<"$out" || { echo "FAIL resolved recipe lacks '$want': $out"; failures=$((failures + 1)); }
done
echo "$failures failures"
[ "$failures" -eq 0 ]
