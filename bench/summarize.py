#!/usr/bin/env python3
"""Markdown tables from one scripts/bench.sh results dir (bench/results/<stamp>/).

usage: bench/summarize.py RESULTS_DIR
"""
import json, os, sys

QUERY_VARIANTS = ["facets + snippets", "bare (no facets, no snippets)",
                  "facets + snippets, --region 浙江省",
                  "facets + snippets, year 2015-2025, measure video OR grid"]


def lines(path):
    if not os.path.exists(path):
        return []
    out = []
    for l in open(path, encoding="utf-8"):
        l = l.strip()
        if l.startswith("{"):
            try:
                out.append(json.loads(l))
            except json.JSONDecodeError:
                pass
    return out


def one(path):
    rows = lines(path)
    return rows[0] if rows else None


def f(x, nd=3):
    return "-" if x is None else (f"{x:,.{nd}f}" if isinstance(x, float) else f"{x:,}")


def ratio(a, b):
    return "-" if not a or not b else f"{a / b:.3g}"


def ingest(d):
    full = one(os.path.join(d, "ingest-full.json"))
    if not full:
        return
    wall = {r["run"]: r for r in lines(os.path.join(d, "ingest-wall.jsonl"))}
    mb = full["bytes"] / 1e6
    print("### Ingest: laws tree (and the work reports)\n")
    print("| run | files read | documents | MB read | zhili `seconds` | process wall s | MB/s (wall) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for run, name in [("full", "ingest-full.json"), ("noop", "ingest-noop.json"),
                      ("touch1pct", "ingest-touch1pct.json"),
                      ("reports-full", "ingest-reports.json")]:
        s = one(os.path.join(d, name))
        if not s:
            continue
        w = wall.get(run, {}).get("wall_s")
        rate = f(s["bytes"] / 1e6 / w, 1) if w and run.endswith("full") else "-"
        print(f"| {run} | {s['files_indexed']} | {s['documents']} | {f(s['bytes'] / 1e6, 1)} | "
              f"{f(s['seconds'])} | {f(w)} | {rate} |")
    st = full.get("stage_seconds", {})
    tot = sum(st.values()) or 1
    print(f"\nStage thread-seconds of the full run ({f(mb, 1)} MB; the parallel stages run on 2 threads):\n")
    print("| stage | thread-s | share |")
    print("|---|---:|---:|")
    for k, v in st.items():
        print(f"| {k} | {f(v)} | {100 * v / tot:.1f}% |")
    size = one(os.path.join(d, "ingest-index-size.json"))
    if size:
        print(f"\nIndex size: {size['index_bytes'] / 1e6:.1f} MB\n")


def scaling(d):
    rows = lines(os.path.join(d, "scaling.jsonl"))
    if not rows:
        return
    print("### Scaling: article-sized documents cut from the laws\n")
    print("| files | documents | text MB | build s | MB/s | index MB | q median ms | q p95 ms | q p99 ms | hits total | zero-hit q |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {f(r['docs'])} | {f(r.get('documents'))} | {r['text_mb']} | {r['build_s']} | "
              f"{r.get('ingest_mb_s')} | {r['index_mb']} | {r['q_median_ms']} | {r['q_p95_ms']} | "
              f"{r.get('q_p99_ms')} | {f(r['hits_total'])} | {r['zero_hit_queries']} |")
    print()


def query(d):
    rows = lines(os.path.join(d, "query.jsonl"))
    if not rows:
        return
    print("### Query latency in process: laws tree, bench/queries.txt\n")
    print("| variant | q median ms | q p95 ms | q p99 ms | q mean ms | hits total | zero-hit q |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, r in zip(QUERY_VARIANTS, rows):
        print(f"| {name} | {r['q_median_ms']} | {r['q_p95_ms']} | {r.get('q_p99_ms')} | "
              f"{r.get('q_mean_ms')} | {f(r['hits_total'])} | {r['zero_hit_queries']} |")
    print()


def peers(d, name, title):
    rows = lines(os.path.join(d, name))
    if not rows:
        return
    z = next((r for r in rows if r["peer"] == "zhili"), None)
    print(f"### Peers: {title}\n")
    print("| engine | docs | text MB | build s | index MB | q median ms | q p95 ms | hits total | zero-hit q "
          "| zhili median / peer | zhili p95 / peer | zhili build / peer |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        zr = (ratio(z["q_median_ms"], r["q_median_ms"]), ratio(z["q_p95_ms"], r["q_p95_ms"]),
              ratio(z["build_s"], r["build_s"])) if z and r is not z else ("", "", "")
        print(f"| {r['peer']} | {r['docs']} | {r['text_mb']} | {r['build_s']} | {r['index_mb']} | "
              f"{r['q_median_ms']} | {r['q_p95_ms']} | {f(r['hits_total'])} | {r['zero_hit_queries']} | "
              f"{zr[0]} | {zr[1]} | {zr[2]} |")
    print()


def rounds(d):
    rows = lines(os.path.join(d, "rounds.jsonl"))
    if not rows:
        return
    print("### Rounds: tantivy-py+rjieba (joined) and zhili alternately\n")
    print("| corpus | round | tantivy-py median ms | zhili median ms | zhili / tantivy-py (median) "
          "| tantivy-py p95 ms | zhili p95 ms | zhili / tantivy-py (p95) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    summary = []
    for corpus in dict.fromkeys(r["corpus"] for r in rows):
        by_round = {}
        for r in rows:
            if r["corpus"] == corpus:
                by_round.setdefault(r["round"], {})["zhili" if r["peer"] == "zhili" else "peer"] = r
        med, p95 = [], []
        for n, pair in sorted(by_round.items()):
            if len(pair) < 2:
                continue
            t, z = pair["peer"], pair["zhili"]
            med.append(z["q_median_ms"] / t["q_median_ms"])
            p95.append(z["q_p95_ms"] / t["q_p95_ms"])
            print(f"| {corpus} | {n} | {t['q_median_ms']} | {z['q_median_ms']} | {med[-1]:.3g} | "
                  f"{t['q_p95_ms']} | {z['q_p95_ms']} | {p95[-1]:.3g} |")
        if med:
            summary.append((corpus, len(med), sorted(med), sorted(p95)))
    print("\n| corpus | rounds | median of the median ratios | range | median of the p95 ratios |")
    print("|---|---:|---:|---|---:|")
    for corpus, n, med, p95 in summary:
        print(f"| {corpus} | {n} | **{pct50(med):.3g}** | {med[0]:.3g}–{med[-1]:.3g} | {pct50(p95):.3g} |")
    print()


def pct50(values):
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def http(d):
    rows = lines(os.path.join(d, "http.jsonl"))
    if not rows:
        return
    print("### HTTP: GET /api/search (facets + snippets), wrk on 127.0.0.1\n")
    print("| corpus | clients | requests | req/s | p50 ms | p90 ms | p99 ms | max ms | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['corpus']} | {r['clients']} | {f(r['requests'])} | {f(r['rps'], 0)} | {r['p50_ms']} | "
              f"{r['p90_ms']} | {r['p99_ms']} | {r['max_ms']} | {r['errors']} |")
    rss = lines(os.path.join(d, "http-rss.jsonl"))
    if rss:
        print("\n| corpus | when | VmRSS MB | VmHWM MB |")
        print("|---|---|---:|---:|")
        for r in rss:
            print(f"| {r['corpus']} | {r['phase']} | {f(r['vmrss_kb'] / 1024, 1) if 'vmrss_kb' in r else '-'} | "
                  f"{f(r['vmhwm_kb'] / 1024, 1) if 'vmhwm_kb' in r else '-'} |")
    print()


def main():
    d = sys.argv[1]
    m = os.path.join(d, "machine.txt")
    if os.path.exists(m):
        print("```\n" + open(m, encoding="utf-8").read().strip() + "\n```\n")
    ingest(d)
    scaling(d)
    query(d)
    peers(d, "peers-subset.jsonl", "地方性法规/浙江 + 行政法规 (the shared README's subset)")
    peers(d, "peers-laws.jsonl", "whole laws tree")
    rounds(d)
    http(d)
    if os.path.exists(os.path.join(d, "scale.jsonl")):  # the scale step (bench/scale_table.py)
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import scale_table
        rows = scale_table.load(os.path.join(d, "scale.jsonl"))
        if rows:
            scale_table.overview(scale_table.sizes_of(rows))


if __name__ == "__main__":
    main()
