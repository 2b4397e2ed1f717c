#!/usr/bin/env python3
"""Markdown tables from the scale step of scripts/bench.sh (issue 20): one section per corpus size.

Reads scale.jsonl (one JSON object per engine x size x measurement: `engine`, `size`, `measure`,
and for the query runs `round`, for zhili's `variant`). Query figures of several rounds are the
median over the rounds; the ratio zhili / fastest peer is taken within each round (peer A, zhili,
peer B run within seconds of each other, so the host's drift cancels out) and given with its range.

usage: bench/scale_table.py OUT/scale.jsonl > OUT/scale.md
"""
import statistics
import sys

from summarize import lines as load  # the JSON lines of a results file

PEERS = ["tantivy-py+rjieba", "sqlite-fts5+rjieba"]
VARIANTS = [("facets", "facets + snippets"), ("region", "facets + snippets, `--region 浙江省`"),
            ("measure", "facets + snippets, `--measure video --measure grid`"),
            ("bare", "bare (no facets, no snippets)")]
INGEST_RUNS = [("full", "full (`--full`)"), ("noop", "no-op"), ("touch1pct", "1% touched"),
               ("restore", "the 1% put back")]


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def f(x, nd=3):
    if x is None:
        return "-"
    if isinstance(x, int):
        return f"{x:,}"
    return f"{x:,.{nd}f}"


def rng(values, nd=3):
    values = [v for v in values if v is not None]
    if not values:
        return "-"
    lo, hi = min(values), max(values)
    return f(lo, nd) if len(values) == 1 or lo == hi else f"{f(lo, nd)}–{f(hi, nd)}"


class Size:
    """Everything measured at one corpus size."""

    def __init__(self, n, rows):
        self.n = n
        self.rows = rows
        text = self.one("corpus", "text") or {}
        self.files = text.get("files")
        self.text_mb = text["text_bytes"] / 1e6 if "text_bytes" in text else None

    def one(self, engine, measure, **kw):
        for r in self.rows:
            if r.get("engine") == engine and r.get("measure") == measure and \
                    all(r.get(k) == v for k, v in kw.items()):
                return r
        return None

    def all(self, engine, measure, **kw):
        return [r for r in self.rows if r.get("engine") == engine and r.get("measure") == measure
                and all(r.get(k) == v for k, v in kw.items())]

    def zhili_queries(self, variant="facets"):
        return self.all("zhili", "query", variant=variant)

    def peer_runs(self, peer):
        return self.all(peer, "peer")

    def rounds(self):
        """[(round, {engine: median ms}, ratio zhili / fastest peer or None)]"""
        by_round = {}
        for r in self.zhili_queries():
            by_round.setdefault(r["round"], {})["zhili"] = r["q_median_ms"]
        for peer in PEERS:
            for r in self.peer_runs(peer):
                by_round.setdefault(r["round"], {})[peer] = r["q_median_ms"]
        out = []
        for rnd in sorted(by_round):
            m = by_round[rnd]
            peers = [m[p] for p in PEERS if m.get(p)]
            ratio = m["zhili"] / min(peers) if "zhili" in m and peers else None
            out.append((rnd, m, ratio))
        return out

    def ratios(self):
        return [r for _, _, r in self.rounds() if r is not None]


def section(s):
    full = s.one("zhili", "ingest_full")
    index = s.one("zhili", "index_size")
    title = f"## {s.n:,} documents"
    if s.text_mb is not None:
        title += f" ({s.files:,} files, {s.text_mb:,.1f} MB of text)"
    print(title + "\n")

    nrounds = len({r["round"] for r in s.rows if "round" in r})
    print(f"Query figures: median over {nrounds} round(s) of each run's median / p95 / p99 "
          "(60 queries of bench/queries.txt, 1 warm-up + REPEAT passes, top 10). Build: zhili's "
          "full `ingest` (process wall time); the peers' own `build_s` (they rebuild every round: "
          "median, range).\n")
    print("| engine | build / full ingest s | MB/s | index MB | q median ms | q p95 ms | q p99 ms "
          "| hits total | zero-hit q |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for variant, label in VARIANTS:
        runs = s.zhili_queries(variant)
        if not runs:
            continue
        first = variant == "facets"
        wall = full.get("wall_s") if full and first else None
        rate = s.text_mb / wall if wall and s.text_mb else None
        size = index["index_bytes"] / 1e6 if index and first else None
        print(f"| zhili, {label} | {f(wall, 2)} | {f(rate, 2)} | {f(size, 1)} | "
              f"{f(med(r['q_median_ms'] for r in runs))} | {f(med(r['q_p95_ms'] for r in runs))} | "
              f"{f(med(r.get('q_p99_ms') for r in runs))} | {f(runs[0].get('hits_total'))} | "
              f"{f(runs[0].get('zero_hit_queries'))} |")
    for peer in PEERS:
        runs = s.peer_runs(peer)
        if not runs:
            print(f"| {peer} | (not run) | | | | | | | |")
            continue
        build = [r["build_s"] for r in runs]
        rate = s.text_mb / med(build) if s.text_mb and med(build) else None
        print(f"| {peer} | {f(med(build), 2)} ({rng(build, 2)}) | {f(rate, 2)} | "
              f"{f(med(r['index_mb'] for r in runs), 1)} | {f(med(r['q_median_ms'] for r in runs))} | "
              f"{f(med(r['q_p95_ms'] for r in runs))} | {f(med(r.get('q_p99_ms') for r in runs))} | "
              f"{f(runs[0].get('hits_total'))} | {f(runs[0].get('zero_hit_queries'))} |")
    print()

    rounds = s.rounds()
    if rounds:
        print("Rounds (peer A, zhili, peer B one after the other; the ratio within a round):\n")
        print("| round | tantivy-py+rjieba median ms | zhili median ms | sqlite-fts5+rjieba median ms "
              "| zhili / fastest peer |")
        print("|---:|---:|---:|---:|---:|")
        for rnd, m, ratio in rounds:
            print(f"| {rnd} | {f(m.get(PEERS[0]))} | {f(m.get('zhili'))} | {f(m.get(PEERS[1]))} | "
                  f"{f(ratio)} |")
        ratios = s.ratios()
        if ratios:
            print(f"\n**zhili median / fastest peer median: {f(med(ratios))}** (median of "
                  f"{len(ratios)} rounds; range {rng(ratios)})")
        print()

    ingests = [(label, s.one("zhili", f"ingest_{run}")) for run, label in INGEST_RUNS]
    if any(r for _, r in ingests):
        print("zhili ingest (a hard-linked copy of the corpus; 1% = one line appended to every "
              "100th file):\n")
        print("| run | files indexed | documents | MB read | process wall s | zhili `seconds` | MB/s |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for label, r in ingests:
            if not r:
                continue
            mb = r.get("bytes", 0) / 1e6
            rate = (s.text_mb if r["measure"] == "ingest_full" and s.text_mb else mb) / r["wall_s"] \
                if r.get("wall_s") else None
            extra = f" ({r['files_touched']} files)" if r.get("files_touched") else ""
            print(f"| {label}{extra} | {f(r.get('files_indexed'))} | {f(r.get('documents'))} | "
                  f"{f(mb, 1)} | {f(r.get('wall_s'))} | {f(r.get('seconds'))} | "
                  f"{f(rate, 2) if r['measure'] == 'ingest_full' else '-'} |")
        if index:
            print(f"\nIndex: {index['index_bytes'] / 1e6:,.1f} MB (du of the index dir)"
                  + (f", {index['index_bytes'] / 1e6 / s.text_mb:.2f}× the text" if s.text_mb else ""))
        print()

    http = s.all("zhili", "http")
    rss = s.one("zhili", "rss")
    if http or rss:
        print("HTTP: `GET /api/search` (facets + snippets) on `zhili serve`, wrk on 127.0.0.1:\n")
        print("| connections | requests | req/s | p50 ms | p90 ms | p99 ms | max ms | errors |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in http:
            print(f"| {r['clients']} | {f(r.get('requests'))} | {f(r.get('rps'), 0)} | {f(r.get('p50_ms'))} | "
                  f"{f(r.get('p90_ms'))} | {f(r.get('p99_ms'))} | {f(r.get('max_ms'))} | {f(r.get('errors'))} |")
        if rss:
            print(f"\nServer memory after the wrk runs: VmHWM {rss['vmhwm_kb'] / 1024:,.1f} MB, "
                  f"VmRSS {rss['vmrss_kb'] / 1024:,.1f} MB")
        print()


def overview(sizes):
    print("## All sizes\n")
    print("| documents | text MB | zhili full ingest s | zhili index MB | zhili median ms | zhili p99 ms "
          "| tantivy-py median ms | sqlite median ms | zhili / fastest peer (range) | req/s at 64 "
          "| p99 ms at 64 | VmHWM MB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|")
    for s in sizes:
        full = s.one("zhili", "ingest_full") or {}
        index = s.one("zhili", "index_size")
        z = s.zhili_queries()
        peers = [med(r["q_median_ms"] for r in s.peer_runs(p)) for p in PEERS]
        ratios = s.ratios()
        h64 = s.one("zhili", "http", clients=64) or {}
        rss = s.one("zhili", "rss")
        print(f"| {s.n:,} | {f(s.text_mb, 1)} | {f(full.get('wall_s'), 2)} | "
              f"{f(index['index_bytes'] / 1e6, 1) if index else '-'} | "
              f"{f(med(r['q_median_ms'] for r in z))} | {f(med(r.get('q_p99_ms') for r in z))} | "
              f"{f(peers[0])} | {f(peers[1])} | "
              f"{f(med(ratios)) + ' (' + rng(ratios) + ')' if ratios else '-'} | "
              f"{f(h64.get('rps'), 0)} | {f(h64.get('p99_ms'))} | "
              f"{f(rss['vmhwm_kb'] / 1024, 1) if rss else '-'} |")
    print()


def sizes_of(rows):
    return [Size(n, [r for r in rows if r.get("size") == n])
            for n in sorted({r["size"] for r in rows if "size" in r})]


def main():
    rows = load(sys.argv[1])
    if not rows:
        print("(scale.jsonl is empty)")
        return
    print("# Scale: zhili, tantivy-py+rjieba and SQLite FTS5+rjieba on generated documents\n")
    print("Documents: `bench/make_scale_corpus.py --docs N --seed 7`; queries: `bench/queries.txt`.\n")
    sizes = sizes_of(rows)
    overview(sizes)
    for s in sizes:
        section(s)


if __name__ == "__main__":
    main()
