#!/usr/bin/env bash
# test_qm9_cli.sh SE3FLOW MODEL_DIR MAKE_QM9_NPZ — the qm9 dataset through
# the se3flow command, against qm9_server.py on 127.0.0.1 serving files that
# make_qm9_npz generates (nothing else on the network is touched):
#   data fetch (full download; resume after a dropped connection; a stall
#   that hits the timeout, then resumes; 404 not retried; 500 retried then
#   failing; a bad-CRC member and a truncated file refused and moved aside;
#   two concurrent fetches download once; SE3FLOW_QM9_URL overrides the
#   recipe's url; offline fails at once naming the
#   URL and the path); data info (counts, splits, target, file, SHA-256);
#   and `se3flow run` training one epoch of tiny_mpnn on the downloaded file,
#   the run store recording the file and its SHA-256.
set -u
se3flow=$1
models=$2
make_npz=$3
server_py="$(cd "$(dirname "$0")" && pwd)/qm9_server.py"
work=$(mktemp -d)
server_pid=
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    [ -z "${KEEP_WORK:-}" ] && rm -rf "$work"
}
trap cleanup EXIT
[ -n "${KEEP_WORK:-}" ] && echo "work: $work"
cd "$work"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
export SE3FLOW_DB="$work/runs.db"

mkdir srv
"$make_npz" srv/qm9_edge.npz 400 deflate || exit 1
"$make_npz" srv/crc.npz 400 crc || exit 1
"$make_npz" srv/trunc.npz 400 truncated || exit 1
want_sha=$(sha256sum srv/qm9_edge.npz | cut -d' ' -f1)

python3 "$server_py" srv port.txt requests.log &
server_pid=$!
for _ in $(seq 500); do [ -s port.txt ] && break; sleep 0.01; done
port=$(cat port.txt) || exit 1
base="http://127.0.0.1:$port"

# recipe URL [more dataset options] — a recipe training tiny_mpnn on qm9
recipe() {
    cat <<YAML
dataset: {name: qm9, url: "$base/$1", tries: 2, stall_timeout_s: 1 $2}
model: {name: tiny_mpnn, hidden: 16, layers: 2}
train: {epochs: 1, batch_size: 32, eval_interval: 1, num_workers: 2}
loggers: [{name: console}]
YAML
}
# case NAME URL [options] — a fresh directory with that recipe; cd into it
case_dir() {
    mkdir "$work/$1" && cd "$work/$1" && recipe "$2" "${3:-}" >recipe.yaml
}
requests() { grep -c "^/$1 " "$work/requests.log"; }
fetch() { "$se3flow" data fetch recipe.yaml --plugin-path "$models" "$@"; }

# 1. full download, then info
case_dir full ok/qm9_edge.npz
fetch >out.txt 2>err.txt || fail "full: fetch exited $?: $(cat err.txt)"
cmp -s data/qm9_edge.npz "$work/srv/qm9_edge.npz" || fail "full: the file differs"
grep -q "sha256      $want_sha" out.txt || fail "full: fetch does not print the SHA-256"
grep -q "downloading $base/ok/qm9_edge.npz" err.txt || fail "full: no progress line"
grep -q "MB" err.txt || fail "full: no byte counts in the progress"
"$se3flow" data info recipe.yaml --plugin-path "$models" --quiet >info.txt 2>&1 ||
    fail "info exited $?: $(cat info.txt)"
for line in "molecules   400 (train 305, val 55, test 40)" \
    "atoms       per molecule mean 3.50, max 5 (total 1400)" \
    "edges       per molecule mean 5.00, max 8 (total 2000, directed)" \
    "target      homo (eV): train mean" "sha256      $want_sha" \
    "file        data/qm9_edge.npz ($(stat -c %s data/qm9_edge.npz) bytes"; do
    grep -qF "$line" info.txt || fail "info lacks '$line': $(cat info.txt)"
done
[ "$(requests ok/qm9_edge.npz)" = 1 ] || fail "full: info downloaded again"

# 2. the run: downloads and trains one epoch
case_dir train ok/qm9_edge.npz
"$se3flow" run recipe.yaml --plugin-path "$models" >out.txt 2>&1 || fail "run exited $?: $(cat out.txt)"
grep -q "completed: 1 epochs" out.txt || fail "run did not complete: $(cat out.txt)"
grep -q "dataset qm9: data/qm9_edge.npz (sha256 $want_sha)" out.txt ||
    fail "run does not log the file's SHA-256"
run_id=$(sed -n 's/^run \([0-9]*\) completed.*/\1/p' out.txt)
"$se3flow" runs show "$run_id" | grep -qF "data       data/qm9_edge.npz (sha256 $want_sha)" ||
    fail "the run store does not hold the file's SHA-256: $("$se3flow" runs show "$run_id")"

# 2b. with precomputed bases: the cache is built once, named by its key, and
#     batches carry its rows through the loader threads
"$se3flow" run recipe.yaml --plugin-path "$models" --set dataset.precompute_bases=true \
    --set dataset.basis_max_degree=1 >out.txt 2>&1 || fail "bases run exited $?: $(cat out.txt)"
[ -f "data/qm9_bases_d1_f32_unpadded_$want_sha.bin" ] || fail "bases: no cache file: $(ls data)"
grep -q "precomputing bases (max degree 1, 2000 edges x 34 floats)" out.txt ||
    fail "bases: size not logged before building"
"$se3flow" data info recipe.yaml --plugin-path "$models" --set dataset.precompute_bases=true \
    --set dataset.basis_max_degree=1 >info.txt 2>&1 || fail "bases info exited $?"
grep -q "precomputing" info.txt && fail "bases: the cache was built again"
grep -q "bases       precomputed, 34 floats per edge" info.txt || fail "bases: info: $(cat info.txt)"

# 3. resume after the server drops the connection mid-body
case_dir drop drop/qm9_edge.npz
fetch --quiet 2>err.txt || fail "drop: fetch exited $?: $(cat err.txt)"
cmp -s data/qm9_edge.npz "$work/srv/qm9_edge.npz" || fail "drop: the file differs"
[ "$(grep '^/drop/' "$work/requests.log" | awk '$2 > 0' | wc -l)" = 1 ] ||
    fail "drop: the second try did not resume with a Range request"

# 4. a stall hits the 1 s timeout, the next try resumes
case_dir stall stall/qm9_edge.npz
start=$(date +%s)
fetch --quiet 2>err.txt || fail "stall: fetch exited $?: $(cat err.txt)"
cmp -s data/qm9_edge.npz "$work/srv/qm9_edge.npz" || fail "stall: the file differs"
[ "$(requests stall/qm9_edge.npz)" = 2 ] || fail "stall: expected 2 requests"
[ $(($(date +%s) - start)) -lt 8 ] || fail "stall: the timeout did not fire"

# 5. 404 is not retried; 500 is, then fails; nothing left under the final name
case_dir e404 status/404/qm9_edge.npz
fetch --quiet 2>err.txt && fail "404: fetch succeeded"
grep -q "HTTP 404" err.txt || fail "404: message: $(cat err.txt)"
[ "$(requests status/404/qm9_edge.npz)" = 1 ] || fail "404 was retried"
[ -e data/qm9_edge.npz ] && fail "404 left a file"
case_dir e500 status/500/qm9_edge.npz
fetch --quiet 2>err.txt && fail "500: fetch succeeded"
grep -q "HTTP 500" err.txt || fail "500: message: $(cat err.txt)"
[ "$(requests status/500/qm9_edge.npz)" = 2 ] || fail "500: expected 2 tries"
[ -e data/qm9_edge.npz ] && fail "500 left a file"

# 6. a bad CRC and a truncated file: a clear error, moved aside, next run refetches
for bad in crc trunc; do
    case_dir "bad_$bad" "ok/$bad.npz"
    fetch --quiet 2>err.txt && fail "$bad: fetch succeeded"
    grep -q "moved it to data/qm9_edge.npz.bad" err.txt || fail "$bad: message: $(cat err.txt)"
    [ -e data/qm9_edge.npz ] && fail "$bad: the bad file stayed under the final name"
done
grep -q "edge_attr.npy': CRC-32 mismatch" "$work/bad_crc/err.txt" || fail "crc: member not named"

# 6b. SE3FLOW_QM9_URL overrides the recipe's url
case_dir envurl status/404/qm9_edge.npz
SE3FLOW_QM9_URL="$base/ok/crc.npz" fetch --quiet 2>err.txt && fail "env url: fetch succeeded"
grep -q "CRC-32 mismatch" err.txt || fail "env url: SE3FLOW_QM9_URL not used: $(cat err.txt)"

# 7. two fetches at once download once
case_dir twice slow/qm9_edge.npz
fetch --quiet 2>err1.txt &
first=$!
fetch --quiet 2>err2.txt || fail "concurrent: second fetch failed: $(cat err2.txt)"
wait "$first" || fail "concurrent: first fetch failed: $(cat err1.txt)"
[ "$(requests slow/qm9_edge.npz)" = 1 ] || fail "concurrent: downloaded $(requests slow/qm9_edge.npz) times"
cmp -s data/qm9_edge.npz "$work/srv/qm9_edge.npz" || fail "concurrent: the file differs"

# 8. offline with no file: at once, naming the URL and where to put the file
case_dir offline ok/qm9_edge.npz
before=$(requests ok/qm9_edge.npz)
start=$(date +%s)
SE3FLOW_OFFLINE=1 fetch 2>err.txt && fail "offline: fetch succeeded"
grep -q "$base/ok/qm9_edge.npz" err.txt || fail "offline: URL not named: $(cat err.txt)"
grep -q "put the file at data/qm9_edge.npz" err.txt || fail "offline: path not named"
[ $(($(date +%s) - start)) -le 2 ] || fail "offline: did not fail at once"
[ "$(requests ok/qm9_edge.npz)" = "$before" ] || fail "offline: contacted the server"

if [ "$failures" -ne 0 ]; then
    echo "$failures failure(s)"
    exit 1
fi
echo "all qm9 CLI checks passed"
