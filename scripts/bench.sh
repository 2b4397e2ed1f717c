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
#   6 scale    (issue 20; not in the default STEPS) at each size of SCALE_SIZES, on the generated
#              documents of bench/make_scale_corpus.py --docs N --seed 7 (WORK/scale/N, reused):
#              zhili full / no-op / 1% touched ingest, index size, in-process queries (facets +
#              snippets, --region, --measure, --bare) on the ingested index, wrk at 16 and 64
#              connections and the server's VmHWM/VmRSS; tantivy-py+rjieba (joined) and SQLite
#              FTS5+rjieba build + queries (they rebuild their index every run), ROUNDS rounds
#              of peer A, zhili, peer B. Writes scale.jsonl, scale.md (bench/scale_table.py) and
#              scale.png (bench/plot_scale.py). STEPS=scale SCALE_SIZES="10000 100000" scripts/bench.sh
#
# Environment (defaults in brackets):
#   ZHILI      zhili binary               [$CARGO_TARGET_DIR or target]/release/zhili
#   SHARED     the shared folder          [../shared beside the repo, else /work/shared]
#   WORK       scratch dir (corpora, indexes; never committed)   [/tmp/zhili-bench]
#   OUT        results dir                [bench/results/<date>-<time>]
#   STEPS      which steps to run         ["ingest scaling query peers rounds http"; add scale (6) by name]
#   ROUNDS     alternating rounds of the rounds and scale steps  [7; 3 when STEPS has scale, not rounds]
#   SCALE_SIZES  corpus sizes (documents) of the scale step  ["10000 100000"; 1000000 allowed:
#              ~3 GB of text, a ~7-8 GB index and ~35 min of zhili ingest, plus the peers' builds]
#   REPEAT     timed passes of the query list            [5]
#   BIG=0      skip the 100k-document corpus (scaling and http)     [1]
#   PEERS_FULL=1  also run the peers on the whole laws tree (Whoosh alone takes ~4 min) [0]
#   PEER_SKIP  peers to skip (run_all.sh SKIP)  [tantivy-py-jieba sqlite]
#   HTTP_SECS  seconds per wrk run (http and scale steps)  [10]
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
ROUNDS_SET="${ROUNDS:+1}"
ROUNDS="${ROUNDS:-7}"
REPEAT="${REPEAT:-5}"
BIG="${BIG:-1}"
PEERS_FULL="${PEERS_FULL:-0}"
PEER_SKIP="${PEER_SKIP:-tantivy-py-jieba sqlite}"
HTTP_SECS="${HTTP_SECS:-10}"
PORT="${PORT:-18080}"
SCALE_SIZES="${SCALE_SIZES:-10000 100000}"
QUERIES="$root/bench/queries.txt"
LAWS_SRC="$SHARED/data/lawrefbook-laws/files"

[ -x "$ZHILI" ] || { echo "no zhili binary at $ZHILI: cargo build --release" >&2; exit 2; }
[ -d "$LAWS_SRC" ] || { echo "no laws tree at $LAWS_SRC" >&2; exit 2; }
[ "$ROUNDS_SET" = 1 ] || case " $STEPS " in *" rounds "*) ;; *" scale "*) ROUNDS=3;; esac
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

# 6. Scale (issue 20): zhili and the two fastest peers on generated documents, at each size of
# SCALE_SIZES, one run. One JSON object per engine x size x measurement in scale.jsonl.
jl() { # KEY=VALUE...: the last JSON line of stdin plus these fields first ("changes" lists become
  # counts: a full ingest lists every file); prints nothing and fails when stdin has no JSON line
  python3 -c '
import json, sys
raw = [l for l in sys.stdin.read().splitlines() if l.startswith("{")]
if not raw:
    sys.exit(1)
d = json.loads(raw[-1])
if isinstance(d.get("changes"), dict):
    d["changes"] = {k: len(v) for k, v in d["changes"].items()}
if isinstance(d.get("errors"), list):
    d["errors"] = len(d["errors"])
tags = {}
for a in sys.argv[1:]:
    k, _, v = a.partition("=")
    try:
        tags[k] = json.loads(v)
    except ValueError:
        tags[k] = v
print(json.dumps({**tags, **{k: v for k, v in d.items() if k not in tags}}, ensure_ascii=False,
                 separators=(",", ":")))
' "$@"
}
scale_peer() { # n round name script args...: one peer run (it builds its own index), one line
  local n="$1" round="$2" name="$3" line; shift 3
  line=$(python3 "$@" --repeat "$REPEAT" 2>>"$OUT/scale-peers.log" | jl engine="$name" size="$n" \
    measure=peer round="$round") && echo "$line" >>"$OUT/scale.jsonl" \
    || echo "!! $name at $n docs, round $round failed (see scale-peers.log): skipped"
}
scale_zhili_queries() { # n round docs idx: the four in-process variants on the ingested index
  local n="$1" round="$2" docs="$3" idx="$4" variant line
  for variant in facets bare region measure; do
    local extra=()
    case "$variant" in
      bare) extra=(--bare) ;;
      region) extra=(--region 浙江省) ;;
      measure) extra=(--measure video --measure grid) ;;
    esac
    line=$("$ZHILI" bench --docs "$docs" --queries "$QUERIES" --repeat "$REPEAT" --index-dir "$idx" \
      --reuse-index "${extra[@]}" 2>/dev/null | jl engine=zhili size="$n" measure=query \
      variant="$variant" round="$round") && echo "$line" >>"$OUT/scale.jsonl" \
      || echo "!! zhili bench ($variant) at $n docs, round $round failed"
  done
}
scale_http() { # n idx: wrk at 16 and 64 connections, then the server's VmHWM / VmRSS
  local n="$1" idx="$2" pid c up=0
  command -v wrk >/dev/null || { echo "!! wrk missing (scripts/install-bench-tools.sh): http skipped"; return; }
  mkdir -p "$WORK/empty"
  "$ZHILI" serve --index "$idx" --corpus "$WORK/empty" --addr "127.0.0.1:$PORT" 2>"$OUT/serve-scale$n.log" &
  pid=$!
  for _ in $(seq 150); do curl -sf "http://127.0.0.1:$PORT/api/health" >/dev/null && { up=1; break; }; sleep 0.2; done
  if [ "$up" = 1 ]; then
    for c in 16 64; do
      QUERIES="$QUERIES" wrk -t2 -c"$c" -d"${HTTP_SECS}s" --timeout 10s -s bench/wrk-search.lua \
        "http://127.0.0.1:$PORT" >"$OUT/wrk-scale$n-c$c.txt" 2>&1
      jl engine=zhili size="$n" measure=http clients="$c" <"$OUT/wrk-scale$n-c$c.txt" >>"$OUT/scale.jsonl" \
        || echo "!! wrk at $c connections on $n docs gave no result (wrk-scale$n-c$c.txt)"
    done
    awk -v n="$n" '/^VmHWM/ {h=$2} /^VmRSS/ {r=$2} END {printf "{\"engine\":\"zhili\",\"size\":%d,\"measure\":\"rss\",\"vmhwm_kb\":%d,\"vmrss_kb\":%d}\n", n, h, r}' \
      "/proc/$pid/status" >>"$OUT/scale.jsonl"
  else
    echo "!! zhili serve on $n docs did not come up (serve-scale$n.log): http skipped"
  fi
  kill -INT "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
}
scale_ingest() { # n src copy idx: full, no-op, 1% touched (and the touched files put back) ingests
  local n="$1" src="$2" copy="$3" idx="$4" t0 t1 run f
  rm -rf "$copy" "$idx"; mkdir -p "$(dirname "$copy")" "$(dirname "$idx")"
  # hard links: the touched files are unlinked and copied before they change
  cp -al "$src" "$copy" || { echo "!! could not copy $src to $copy: zhili ingest at $n docs skipped"; return 1; }
  sync
  for run in full noop touch1pct restore; do
    case "$run" in
      touch1pct) # append one line to every 100th file
        (cd "$copy" && find . -type f -name '*.md' | sort | awk 'NR % 100 == 0') >"$WORK/scale-touched-$n.txt"
        while IFS= read -r f; do
          cp --remove-destination "$src/$f" "$copy/$f"; printf '\n本条为基准测试追加的一行。\n' >>"$copy/$f"
        done <"$WORK/scale-touched-$n.txt" ;;
      restore) # the same files linked back: the index then holds exactly the peers' documents
        while IFS= read -r f; do ln -f "$src/$f" "$copy/$f"; done <"$WORK/scale-touched-$n.txt" ;;
    esac
    t0=$(now)
    "$ZHILI" ingest --corpus "$copy" --index "$idx" $([ "$run" = full ] && echo --full) --json \
      >"$WORK/scale-ingest-$n-$run.json" 2>>"$OUT/scale-ingest.log"
    t1=$(now)
    jl engine=zhili size="$n" measure="ingest_$run" wall_s="$(elapsed "$t0" "$t1")" \
      files_touched="$( [ "$run" = full ] || [ "$run" = noop ] && echo 0 || wc -l <"$WORK/scale-touched-$n.txt")" \
      <"$WORK/scale-ingest-$n-$run.json" >>"$OUT/scale.jsonl" || echo "!! zhili ingest ($run) at $n docs failed"
    [ "$run" = full ] && grep -q '"files_indexed":0,' "$WORK/scale-ingest-$n-$run.json" \
      && echo "!! zhili ingest --full at $n docs indexed no file (scale-ingest.log)"
  done
  du -sb "$idx" | awk -v n="$n" '{print "{\"engine\":\"zhili\",\"size\":" n ",\"measure\":\"index_size\",\"index_bytes\":" $1 "}"}' >>"$OUT/scale.jsonl"
}
step_scale() {
  local n src round peers_dir="$SHARED/bench/peers" tantivy=1 sqlite=1
  : >"$OUT/scale.jsonl"
  python3 -c 'import tantivy, rjieba' 2>/dev/null || { tantivy=0; echo "!! tantivy-py+rjieba: python modules tantivy/rjieba missing (scripts/install-bench-tools.sh): skipped"; }
  python3 -c 'import sqlite3, rjieba; sqlite3.connect(":memory:").execute("CREATE VIRTUAL TABLE t USING fts5(b)")' 2>/dev/null \
    || { sqlite=0; echo "!! sqlite-fts5+rjieba: no rjieba or no FTS5 in python3's sqlite3: skipped"; }
  for n in $SCALE_SIZES; do
    src="$WORK/scale/$n"
    log "6 scale: $n documents"
    if [ ! -f "$WORK/scale/$n.done" ]; then # a folder without the marker is an interrupted run
      rm -rf "$src"; mkdir -p "$WORK/scale"
      python3 bench/make_scale_corpus.py --docs "$n" --seed 7 --data "$SHARED/data" --out "$src" \
        && touch "$WORK/scale/$n.done" || { echo "!! make_scale_corpus.py --docs $n failed: size skipped"; continue; }
    fi
    find "$src" -type f -name '*.md' -printf '%s\n' | awk -v n="$n" \
      '{b += $1; c++} END {printf "{\"engine\":\"corpus\",\"size\":%d,\"measure\":\"text\",\"files\":%d,\"text_bytes\":%.0f}\n", n, c, b}' >>"$OUT/scale.jsonl"
    scale_ingest "$n" "$src" "$WORK/scale-ingest/$n" "$WORK/scale-idx/$n"
    [ -d "$WORK/scale-idx/$n" ] || echo "!! no zhili index at $n docs: its queries and http skipped"
    for round in $(seq "$ROUNDS"); do
      echo "   round $round / $ROUNDS"
      [ "$tantivy" = 1 ] && scale_peer "$n" "$round" tantivy-py+rjieba "$peers_dir/tantivy_py_jieba.py" \
        "$src" "$QUERIES" --segmenter rjieba --layout joined
      [ -d "$WORK/scale-idx/$n" ] && scale_zhili_queries "$n" "$round" "$WORK/scale-ingest/$n" "$WORK/scale-idx/$n"
      [ "$sqlite" = 1 ] && scale_peer "$n" "$round" sqlite-fts5+rjieba "$peers_dir/sqlite_fts5_jieba.py" \
        "$src" "$QUERIES" --segmenter rjieba
    done
    [ -d "$WORK/scale-idx/$n" ] && scale_http "$n" "$WORK/scale-idx/$n"
  done
  python3 bench/scale_table.py "$OUT/scale.jsonl" >"$OUT/scale.md" && cat "$OUT/scale.md" \
    || echo "!! bench/scale_table.py failed"
  python3 bench/plot_scale.py "$OUT/scale.jsonl" "$OUT/scale.png" || echo "!! bench/plot_scale.py failed (matplotlib?): no scale.png"
}

machine
case " $STEPS " in *" ingest "*|*" scaling "*|*" query "*|*" peers "*|*" rounds "*|*" http "*) corpora;; esac
has ingest && step_ingest
has scaling && step_scaling
has query && step_query
has peers && step_peers
has rounds && step_rounds
has http && step_http
has scale && step_scale
log "done"
python3 bench/summarize.py "$OUT" | tee "$OUT/summary.md"
