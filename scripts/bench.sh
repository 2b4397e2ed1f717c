#!/usr/bin/env bash
# Run all of zhili's benchmarks (issue 7) and write the raw results under bench/results/<stamp>/.
# Tools: scripts/install-bench-tools.sh (Python peers, groonga, wrk). Binary: cargo build --release.
#
# Steps (each writes its own files; BENCHMARKS.md explains them):
#   1 ingest   laws tree: full ingest (MB/s, stage shares), no-op re-ingest, 1% touched re-ingest;
#              the government work reports (bench/make_reports.py): full ingest
#   2 scaling  1k / 10k / 100k article-sized docs cut from the laws (bench/make_articles.py)
#   3 query    in-process p50/p95/p99 on the laws: facets+snippets, --bare, with filters
#   4 peers    ../shared/bench/peers/run_all.sh with zhili as RUST_SMOKE, same corpus and queries
#   4b rounds  tantivy-py+rjieba and zhili alternately, ROUNDS times per corpus (subset, laws):
#              the ratio of medians in each round, so that the host's drift cancels out
#   5 http     wrk on /api/search at 1 / 16 / 64 connections, server VmRSS (laws; 100k docs)
#
# Environment (defaults in brackets):
#   ZHILI      zhili binary               [$CARGO_TARGET_DIR or target]/release/zhili
#   SHARED     the shared folder          [../shared beside the repo, else /work/shared]
#   WORK       scratch dir (corpora, indexes; never committed)   [/tmp/zhili-bench]
#   OUT        results dir                [bench/results/<date>-<time>]
#   STEPS      which steps to run         ["ingest scaling query peers rounds http"]
#   ROUNDS     alternating rounds of the rounds step      [7]
#   REPEAT     timed passes of the query list            [5]
#   BIG=0      skip the 100k-document corpus (scaling and http)     [1]
#   PEERS_FULL=1  also run the peers on the whole laws tree (Whoosh alone takes ~4 min) [0]
#   PEER_SKIP  peers to skip (run_all.sh SKIP)  [tantivy-py-jieba sqlite]
#   HTTP_SECS  seconds per wrk run        [10]
#   PORT       loopback port for serve    [18080]
set -u
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
ZHILI="${ZHILI:-${CARGO_TARGET_DIR:-$root/target}/release/zhili}"
SHARED="${SHARED:-$root/../shared}"
[ -d "$SHARED/bench" ] || SHARED=/work/shared
WORK="${WORK:-/tmp/zhili-bench}"
OUT="${OUT:-$root/bench/results/$(date -u +%Y%m%d-%H%M)}"
STEPS="${STEPS:-ingest scaling query peers rounds http}"
ROUNDS="${ROUNDS:-7}"
REPEAT="${REPEAT:-5}"
BIG="${BIG:-1}"
PEERS_FULL="${PEERS_FULL:-0}"
PEER_SKIP="${PEER_SKIP:-tantivy-py-jieba sqlite}"
HTTP_SECS="${HTTP_SECS:-10}"
PORT="${PORT:-18080}"
QUERIES="$root/bench/queries.txt"
LAWS_SRC="$SHARED/data/lawrefbook-laws/files"

[ -x "$ZHILI" ] || { echo "no zhili binary at $ZHILI: cargo build --release" >&2; exit 2; }
[ -d "$LAWS_SRC" ] || { echo "no laws tree at $LAWS_SRC" >&2; exit 2; }
mkdir -p "$OUT" "$WORK"
log() { printf '\n### %s  (%s, load %s)\n' "$*" "$(date -u +%H:%M:%S)" "$(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/log.txt"; }
has() { case " $STEPS " in *" $1 "*) return 0;; esac; return 1; }
now() { date +%s.%N; }
elapsed() { python3 -c "print(round($2 - $1, 3))"; }

machine() {
  {
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "commit: $(git rev-parse HEAD) ($(git rev-parse --abbrev-ref HEAD))"
    echo "binary: $ZHILI ($("$ZHILI" --version 2>/dev/null))"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs) x $(nproc)"
    echo "mem: $(grep MemTotal /proc/meminfo | awk '{printf "%.1f GB", $2/1048576}')"
    echo "kernel: $(uname -r)"
    echo "rustc: $(rustc --version 2>/dev/null)"
    echo "python: $(python3 --version 2>&1); wrk: $(wrk -v 2>&1 | head -1); groonga: $(groonga --version 2>/dev/null | head -1)"
    echo "loadavg at start: $(cat /proc/loadavg)"
  } >"$OUT/machine.txt"
  cat "$OUT/machine.txt"
}

corpora() {
  [ -d "$WORK/laws" ] || cp -a "$LAWS_SRC" "$WORK/laws"
  if [ ! -d "$WORK/subset" ]; then # the shared README's subset: 浙江 local regulations + 行政法规
    mkdir -p "$WORK/subset"
    cp -a "$WORK/laws/地方性法规/浙江" "$WORK/laws/行政法规" "$WORK/subset/"
  fi
  [ -d "$WORK/reports" ] || python3 bench/make_reports.py --data "$SHARED/data" --out "$WORK/reports"
  for n in 1000 10000 100000; do
    [ "$n" = 100000 ] && [ "$BIG" != 1 ] && continue
    [ -d "$WORK/art$n" ] || python3 bench/make_articles.py --laws "$LAWS_SRC" --out "$WORK/art$n" --target "$n"
  done
}

# 1. Ingest: full, no-op, 1% touched. Wall time of the whole process.
step_ingest() {
  log "1 ingest: laws tree"
  local idx="$WORK/idx-laws" corpus="$WORK/ingest-laws" t0 t1
  rm -rf "$idx" "$corpus"; cp -a "$WORK/laws" "$corpus"
  sync
  t0=$(now); "$ZHILI" ingest --corpus "$corpus" --index "$idx" --full --json >"$OUT/ingest-full.json"; t1=$(now)
  echo "{\"run\":\"full\",\"wall_s\":$(elapsed "$t0" "$t1")}" >"$OUT/ingest-wall.jsonl"
  t0=$(now); "$ZHILI" ingest --corpus "$corpus" --index "$idx" --json >"$OUT/ingest-noop.json"; t1=$(now)
  echo "{\"run\":\"noop\",\"wall_s\":$(elapsed "$t0" "$t1")}" >>"$OUT/ingest-wall.jsonl"
  # touch 1%: append one line to every 100th file (32 of 3,232)
  find "$corpus" -type f -name '*.md' | sort | awk 'NR % 101 == 0' | head -32 >"$WORK/touched.txt"
  while IFS= read -r f; do printf '\n本条为基准测试追加的一行。\n' >>"$f"; done <"$WORK/touched.txt"
  t0=$(now); "$ZHILI" ingest --corpus "$corpus" --index "$idx" --json >"$OUT/ingest-touch1pct.json"; t1=$(now)
  echo "{\"run\":\"touch1pct\",\"files_touched\":$(wc -l <"$WORK/touched.txt"),\"wall_s\":$(elapsed "$t0" "$t1")}" >>"$OUT/ingest-wall.jsonl"
  du -sb "$idx" | awk '{print "{\"index_bytes\":" $1 "}"}' >"$OUT/ingest-index-size.json"
  # the government work reports (national + 2026 provincial; long documents), full ingest
  rm -rf "$WORK/idx-reports"
  t0=$(now); "$ZHILI" ingest --corpus "$WORK/reports" --index "$WORK/idx-reports" --full --json >"$OUT/ingest-reports.json"; t1=$(now)
  echo "{\"run\":\"reports-full\",\"wall_s\":$(elapsed "$t0" "$t1")}" >>"$OUT/ingest-wall.jsonl"
  cat "$OUT/ingest-wall.jsonl"
}

# 2. Scaling: zhili bench (fresh build + queries) at 1k / 10k / 100k article docs.
step_scaling() {
  log "2 scaling"
  : >"$OUT/scaling.jsonl"
  for n in 1000 10000 100000; do
    [ -d "$WORK/art$n" ] || continue
    "$ZHILI" bench --docs "$WORK/art$n" --queries "$QUERIES" --repeat "$REPEAT" \
      --index-dir "$WORK/idx-art$n" --json "$OUT/scaling.jsonl" >/dev/null
    rm -rf "$WORK/idx-art$n.keep"; [ "$n" = 100000 ] && mv "$WORK/idx-art$n" "$WORK/idx-art$n.keep"
    rm -rf "$WORK/idx-art$n"
  done
}

# 3. Query latency in process on the laws tree.
step_query() {
  log "3 query: laws, facets+snippets / bare / filtered"
  : >"$OUT/query.jsonl"
  local common=(--docs "$WORK/laws" --queries "$QUERIES" --repeat "$REPEAT" --json "$OUT/query.jsonl")
  "$ZHILI" bench "${common[@]}" >/dev/null
  "$ZHILI" bench "${common[@]}" --bare >/dev/null
  "$ZHILI" bench "${common[@]}" --region 浙江省 >/dev/null
  "$ZHILI" bench "${common[@]}" --year-from 2015 --year-to 2025 --measure video --measure grid >/dev/null
}

# 4. Peers: same folder, same queries, same run.
step_peers() {
  log "4 peers: subset (浙江 + 行政法规)"
  rm -f "$OUT/peers-subset.jsonl"
  OUT="$OUT/peers-subset.jsonl" SKIP="$PEER_SKIP" RUST_SMOKE="$root/scripts/zhili-peer" ZHILI="$ZHILI" \
    bash "$SHARED/bench/peers/run_all.sh" "$WORK/subset" "$QUERIES" "$REPEAT" | tee "$OUT/peers-subset.md"
  ZHILI="$ZHILI" ZHILI_BENCH_ARGS=--bare scripts/zhili-peer --docs "$WORK/subset" --queries "$QUERIES" \
    --repeat "$REPEAT" >>"$OUT/peers-subset.jsonl"
  if [ "$PEERS_FULL" = 1 ]; then
    log "4 peers: whole laws tree"
    rm -f "$OUT/peers-laws.jsonl"
    OUT="$OUT/peers-laws.jsonl" SKIP="$PEER_SKIP" RUST_SMOKE="$root/scripts/zhili-peer" ZHILI="$ZHILI" \
      bash "$SHARED/bench/peers/run_all.sh" "$WORK/laws" "$QUERIES" "$REPEAT" | tee "$OUT/peers-laws.md"
  fi
}

# 4b. Rounds: the aim's peer (tantivy-py + rjieba, joined) and zhili one after the other, ROUNDS
# times per corpus. Within a round both run within seconds of each other, so the per-round ratio
# of medians is far steadier than one run_all.sh pass (the host drifts by ±40% in minutes).
# zhili's index is built in round 1 and reused (tantivy-py rebuilds its own every round).
step_rounds() {
  : >"$OUT/rounds.jsonl"
  local corpus docs line
  for corpus in subset laws; do
    log "4b rounds: $corpus, $ROUNDS rounds"
    docs="$WORK/$corpus"
    rm -rf "$WORK/idx-rounds-$corpus"
    for round in $(seq "$ROUNDS"); do
      line=$(python3 "$SHARED/bench/peers/tantivy_py_jieba.py" "$docs" "$QUERIES" --segmenter rjieba \
        --layout joined --repeat "$REPEAT" 2>/dev/null | grep '^{' | tail -1)
      echo "${line/#\{/{\"corpus\":\"$corpus\",\"round\":$round,}" >>"$OUT/rounds.jsonl"
      line=$("$ZHILI" bench --docs "$docs" --queries "$QUERIES" --repeat "$REPEAT" \
        --index-dir "$WORK/idx-rounds-$corpus" $([ "$round" -gt 1 ] && echo --reuse-index) 2>/dev/null | grep '^{' | tail -1)
      echo "${line/#\{/{\"corpus\":\"$corpus\",\"round\":$round,}" >>"$OUT/rounds.jsonl"
    done
    rm -rf "$WORK/idx-rounds-$corpus"
  done
}

# 5. HTTP: wrk against a served index; VmRSS of the server before and after the load.
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
http_one() { # name index
  local name="$1" idx="$2" pid c
  "$ZHILI" serve --index "$idx" --corpus "$WORK/empty" --addr "127.0.0.1:$PORT" 2>"$OUT/serve-$name.log" &
  pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/api/health" >/dev/null && break; sleep 0.2; done
  echo "{\"corpus\":\"$name\",\"phase\":\"idle\",\"vmrss_kb\":$(rss_kb "$pid")}" >>"$OUT/http-rss.jsonl"
  for c in 1 16 64; do
    local t=$(( c < 2 ? 1 : 2 ))
    QUERIES="$QUERIES" wrk -t"$t" -c"$c" -d"${HTTP_SECS}s" --timeout 10s -s bench/wrk-search.lua \
      "http://127.0.0.1:$PORT" >"$OUT/wrk-$name-c$c.txt" 2>&1
    tail -1 "$OUT/wrk-$name-c$c.txt" | sed "s/^{/{\"corpus\":\"$name\",\"clients\":$c,/" >>"$OUT/http.jsonl"
    echo "{\"corpus\":\"$name\",\"phase\":\"after c=$c\",\"vmrss_kb\":$(rss_kb "$pid")}" >>"$OUT/http-rss.jsonl"
  done
  grep VmHWM "/proc/$pid/status" | awk -v n="$name" '{print "{\"corpus\":\"" n "\",\"phase\":\"peak\",\"vmhwm_kb\":" $2 "}"}' >>"$OUT/http-rss.jsonl"
  kill -INT "$pid"; wait "$pid" 2>/dev/null
}
step_http() {
  log "5 http"
  command -v wrk >/dev/null || { echo "!! wrk missing: scripts/install-bench-tools.sh"; return; }
  mkdir -p "$WORK/empty"; : >"$OUT/http.jsonl"; : >"$OUT/http-rss.jsonl"
  [ -d "$WORK/idx-laws" ] || "$ZHILI" ingest --corpus "$WORK/laws" --index "$WORK/idx-laws" --full --json >/dev/null
  http_one laws "$WORK/idx-laws"
  if [ "$BIG" = 1 ]; then
    [ -d "$WORK/idx-art100000.keep" ] || "$ZHILI" ingest --corpus "$WORK/art100000" \
      --index "$WORK/idx-art100000.keep" --full --json >/dev/null
    http_one art100k "$WORK/idx-art100000.keep"
  fi
  cat "$OUT/http.jsonl" "$OUT/http-rss.jsonl"
}

machine
corpora
has ingest && step_ingest
has scaling && step_scaling
has query && step_query
has peers && step_peers
has rounds && step_rounds
has http && step_http
log "done"
python3 bench/summarize.py "$OUT" | tee "$OUT/summary.md"
