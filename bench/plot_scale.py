#!/usr/bin/env python3
"""Plot of the scale step of scripts/bench.sh (issue 20): two log-log panels against corpus size,
query median (ms; median over the rounds) and full ingest / build time (s), one line per engine
(zhili with facets and snippets, tantivy-py+rjieba, SQLite FTS5+rjieba).

usage: bench/plot_scale.py OUT/scale.jsonl OUT/scale.png
needs: pip install matplotlib (scripts/install-bench-tools.sh)
"""
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scale_table import PEERS, load, med, sizes_of  # noqa: E402

STYLE = {"zhili": ("zhili (facets + snippets)", "o", "-"),
         PEERS[0]: ("tantivy-py + rjieba", "s", "--"),
         PEERS[1]: ("SQLite FTS5 + rjieba", "^", ":")}


def series(sizes):
    """{engine: ([sizes], [query median ms], [sizes], [build s])}"""
    out = {e: ([], [], [], []) for e in STYLE}
    for s in sizes:
        z = med(r["q_median_ms"] for r in s.zhili_queries())
        if z:
            out["zhili"][0].append(s.n)
            out["zhili"][1].append(z)
        full = s.one("zhili", "ingest_full")
        if full and full.get("wall_s"):
            out["zhili"][2].append(s.n)
            out["zhili"][3].append(full["wall_s"])
        for peer in PEERS:
            runs = s.peer_runs(peer)
            q, b = med(r["q_median_ms"] for r in runs), med(r["build_s"] for r in runs)
            if q:
                out[peer][0].append(s.n)
                out[peer][1].append(q)
            if b:
                out[peer][2].append(s.n)
                out[peer][3].append(b)
    return out


def main():
    src, dst = sys.argv[1], sys.argv[2]
    sizes = sizes_of(load(src))
    if not sizes:
        sys.exit("plot_scale.py: no sizes in " + src)
    data = series(sizes)
    fig, (ax_q, ax_b) = plt.subplots(1, 2, figsize=(11, 4.4))
    for engine, (label, marker, line) in STYLE.items():
        qx, qy, bx, by = data[engine]
        if qx:
            ax_q.plot(qx, qy, marker=marker, linestyle=line, label=label)
        if bx:
            ax_b.plot(bx, by, marker=marker, linestyle=line, label=label)
    ax_q.set_title("Query median (60 queries, top 10)")
    ax_q.set_ylabel("ms")
    ax_b.set_title("Full ingest (zhili) / index build (peers)")
    ax_b.set_ylabel("s")
    xs = [s.n for s in sizes]
    for ax in (ax_q, ax_b):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("documents (bench/make_scale_corpus.py)")
        ax.set_xticks(xs)
        ax.set_xticklabels([f"{n:,}" for n in xs])
        ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
        plain = matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}")
        ax.yaxis.set_major_formatter(plain)
        ax.yaxis.set_minor_formatter(plain)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("zhili vs peers on the same generated documents and queries (same run)")
    fig.tight_layout()
    fig.savefig(dst, dpi=110)
    print(f"wrote {dst}")


if __name__ == "__main__":
    main()
