#!/usr/bin/env python3
"""Make an article-sized benchmark corpus from the real laws tree (no synthetic text).

Each law file (`# title`, preamble, `第X条 ...` articles) is cut into articles; every document
written is one article (at least --min-chars characters; shorter articles such as
"本条例自公布之日起施行。" are merged into the article before them), headed by its law's title
and article number, e.g. `# 浙江省电梯安全条例 第十二条`. The laws tree has about 138,000
articles, so --target up to ~100,000 documents draws a deterministic sample (seeded, stratified
over files in order) and keeps the laws' folder layout (category/province/law/NNNN.md), so
region-bearing paths stay realistic.

usage: make_articles.py --laws DIR --out DIR --target N [--min-chars 60] [--seed 7]
"""
import argparse, os, random, re, shutil

ARTICLE = re.compile(r"^\s*(?:\*\*)?(第[一二三四五六七八九十百千零〇两]+条)(?:\*\*)?\s*")


def articles(text):
    """(title, [(article_no, body)]) of one law file."""
    lines = text.splitlines()
    title = next((l.lstrip("# ").strip() for l in lines if l.startswith("# ")), "")
    arts, cur_no, cur = [], None, []
    for line in lines:
        m = ARTICLE.match(line)
        if m:
            if cur_no:
                arts.append((cur_no, "\n".join(cur).strip()))
            cur_no, cur = m.group(1), [line.strip()]
        elif cur_no and line.strip() and not line.startswith("#") and not line.startswith("<!--"):
            cur.append(line.strip())
    if cur_no:
        arts.append((cur_no, "\n".join(cur).strip()))
    return title, arts


def merged(arts, min_chars):
    out = []
    for no, body in arts:
        if out and len(body) < min_chars:
            out[-1] = (out[-1][0], out[-1][1] + "\n" + body)
        else:
            out.append((no, body))
    return [a for a in out if len(a[1]) >= min_chars]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--laws", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--target", type=int, required=True)
    ap.add_argument("--min-chars", type=int, default=60)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    pool = []
    for dirpath, _, files in sorted(os.walk(a.laws)):
        for f in sorted(files):
            if not f.endswith(".md"):
                continue
            p = os.path.join(dirpath, f)
            title, arts = articles(open(p, encoding="utf-8", errors="replace").read())
            rel = os.path.splitext(os.path.relpath(p, a.laws))[0]
            for i, (no, body) in enumerate(merged(arts, a.min_chars)):
                pool.append((rel, i, title, no, body))
    rng = random.Random(a.seed)
    pick = sorted(rng.sample(range(len(pool)), min(a.target, len(pool))))
    if os.path.isdir(a.out):
        shutil.rmtree(a.out)
    total = 0
    for k in pick:
        rel, i, title, no, body = pool[k]
        d = os.path.join(a.out, rel)
        os.makedirs(d, exist_ok=True)
        text = f"# {title} {no}\n\n{body}\n"
        with open(os.path.join(d, f"{i:04d}.md"), "w", encoding="utf-8") as fh:
            fh.write(text)
        total += len(text.encode())
    print(f"{len(pool)} articles in pool -> {len(pick)} docs, {total/1e6:.2f} MB in {a.out}")


if __name__ == "__main__":
    main()
