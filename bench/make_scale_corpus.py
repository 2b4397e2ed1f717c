#!/usr/bin/env python3
"""Make N article-sized case documents (10k, 100k, 1M, ...) from the real material in
../shared/data, for scaling runs past the ~113,000 articles the laws tree holds (make_articles.py).

Each document is recombined real text, nothing invented but the joins:
- a place: a real county-level division with its city and province (areacity-divisions
  ok_data_level3.csv, the gazetteer zhili's tagger is built from; not Taiwan, Hong Kong or
  Macao, whose counties zhili does not tag), and a year (2000-2025);
- a title: the place, and the subject of the law its first paragraph comes from (the law's title
  without its region prefix, date and kind), e.g. `浙江省丽水市莲都区养犬管理工作（2019年）`;
- a lead line naming the place and year, then paragraphs drawn from the pool of all the laws'
  articles and all national and provincial government work report paragraphs (deduplicated,
  at least --min-chars characters; a paragraph longer than MAX_PARA characters is cut at
  sentence ends), in random order, until the body reaches its drawn length (800-2,000
  characters, at most 12 paragraphs).
Which paragraphs, how many and their order vary per document, so two documents share at most a
paragraph or two by chance; and lengths stay within a factor of about 3, so zhili's near-duplicate
folding (MinHash containment of a short text in a long one) keeps them apart: it folded none of
10k documents and 17 of 100k (legal boilerplate shared by chance).

Reproducible: document i depends only on --seed and i (its own random generator), so the first
10,000 documents of a 1M corpus are the 10k corpus. Files are `OUT/NNNN/NNNNNNN.md` (1,000 per
folder). Fast: the pool is read once (a few seconds); --jobs processes write the documents
(100k documents, 304 MB, took 60 s on a busy 2-core machine: 1M, about 3 GB, takes minutes).

usage: make_scale_corpus.py --out DIR --docs N [--data ../shared/data] [--seed 7] [--jobs 2]
"""
import argparse
import csv
import json
import multiprocessing
import os
import random
import re
import sys
import time

DEFAULT_DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data")
PER_FOLDER = 1000
YEARS = range(2000, 2026)
MAX_PARA = 600
BODY_CHARS = (800, 2000)
MAX_PARAS = 12
SENTENCE_END = re.compile(r"(?<=[。；！？])")
# Leading "第X条" of an article, and a law title's region prefix (…省/市/县/自治州/…) and date.
ARTICLE_NO = re.compile(r"^\s*(?:\*\*)?第[一二三四五六七八九十百千零〇两]+条(?:\*\*)?\s*")
TITLE_DATE = re.compile(r"[（(]\d{4}[-年].*?[)）]\s*$")
TITLE_REGION = re.compile(r"^.{2,12}?(?:省|自治区|市|自治州|地区|盟|县|自治县|区|旗)(?=.{4,})")
TITLE_KIND = re.compile(r"(?:实施)?(?:条例|办法|规定|决定|细则|规则|法)$")
# Taiwan, Hong Kong, Macao: zhili's gazetteer stops at their province level.
SKIPPED_PROVINCES = ("71", "81", "82")
NOISE = re.compile(r"^(下载|打印|全屏|收藏|加大|还原|减小|】|【字号：|来源：|时间：)")

# Filled in each worker by init(): the pool, the places, the subjects.
POOL = PLACES = None


def law_paragraphs(root):
    """(subject, paragraph) for every article of every law file, in sorted path order."""
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            if not name.endswith(".md"):
                continue
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                lines = f.read().splitlines()
            title = next((l.lstrip("# ").strip() for l in lines if l.startswith("# ")), name[:-3])
            subject = TITLE_KIND.sub("", TITLE_REGION.sub("", TITLE_DATE.sub("", title)))
            for line in lines:
                if line.startswith(("#", "<!--")):
                    continue
                yield subject, ARTICLE_NO.sub("", line).strip().strip("*")


def report_paragraphs(data):
    """("", paragraph) for the national and provincial government work reports."""
    national = os.path.join(data, "gov-reports-national")
    for name in sorted(os.listdir(national)):
        if name.endswith(".jsonl"):
            with open(os.path.join(national, name), encoding="utf-8") as f:
                for line in f:
                    for para in json.loads(line)["content"].split("\n"):
                        yield "", para.strip()
    provincial = os.path.join(data, "gov-reports-provincial-2026", "files")
    csv.field_size_limit(sys.maxsize)
    for name in sorted(os.listdir(provincial)):
        with open(os.path.join(provincial, name), encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                for para in row["full_text"].split("\n"):
                    if not NOISE.match(para):
                        yield "", para.strip()


def pieces(para):
    """A paragraph, or its sentences grouped into pieces of at most MAX_PARA characters."""
    if len(para) <= MAX_PARA:
        return [para]
    out, cur = [], ""
    for sentence in SENTENCE_END.split(para):
        if cur and len(cur) + len(sentence) > MAX_PARA:
            out.append(cur)
            cur = ""
        cur += sentence
    return out + [cur] if cur else out


def load_pool(data, min_chars):
    """Unique paragraphs of min_chars to MAX_PARA characters, each with its law's subject."""
    seen, pool = set(), []
    laws = os.path.join(data, "lawrefbook-laws", "files")
    for subject, para in list(law_paragraphs(laws)) + list(report_paragraphs(data)):
        for piece in pieces(para):
            if min_chars <= len(piece) <= MAX_PARA and piece not in seen:
                seen.add(piece)
                pool.append((subject, piece))
    return pool


def load_places(data):
    """(province, city, county) of every county-level division (full names)."""
    path = os.path.join(data, "areacity-divisions", "ok_data_level3.csv")
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = {r["id"]: r for r in csv.DictReader(f)}
    places = []
    for row in rows.values():
        if row["deep"] != "2" or row["pid"] not in rows:
            continue
        city = rows[row["pid"]]
        province = rows.get(city["pid"])
        if province is not None and not province["id"].startswith(SKIPPED_PROVINCES):
            places.append((province["ext_name"], city["ext_name"], row["ext_name"]))
    return sorted(places)


def init(pool, places):
    global POOL, PLACES
    POOL, PLACES = pool, places


def document(seed, i):
    """The text of document i: title line, lead line, paragraphs."""
    rng = random.Random(f"{seed}:{i}")
    province, city, county = rng.choice(PLACES)
    if city == province:  # municipalities: 北京市/北京市/东城区
        city = ""
    year = rng.choice(YEARS)
    target, paras, length = rng.randint(*BODY_CHARS), [], 0
    while length < target and len(paras) < MAX_PARAS:
        paras.append(POOL[rng.randrange(len(POOL))])
        length += len(paras[-1][1])
    subject = next((s for s, _ in paras if len(s) >= 2), "基层社会治理")
    title = f"{province}{city}{county}{subject}工作（{year}年）"
    lead = f"{year}年，{province}{city}{county}围绕{subject}开展工作，主要做法如下。"
    body = "\n\n".join(p for _, p in paras)
    return f"# {title}\n\n{lead}\n\n{body}\n"


def write_range(args):
    out, seed, start, stop = args
    written = 0
    for i in range(start, stop):
        folder = os.path.join(out, f"{i // PER_FOLDER:04d}")
        if i % PER_FOLDER == 0 or i == start:
            os.makedirs(folder, exist_ok=True)
        text = document(seed, i).encode("utf-8")
        with open(os.path.join(folder, f"{i:07d}.md"), "wb") as f:
            f.write(text)
        written += len(text)
    return written


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--docs", type=int, required=True)
    parser.add_argument("--data", default=DEFAULT_DATA)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--min-chars", type=int, default=40)
    args = parser.parse_args()
    if args.docs < 1:
        parser.error("--docs must be at least 1")
    started = time.time()
    pool, places = load_pool(args.data, args.min_chars), load_places(args.data)
    print(f"pool: {len(pool)} paragraphs, {len(places)} places ({time.time() - started:.1f} s)",
          file=sys.stderr)
    step = 10_000
    ranges = [(args.out, args.seed, s, min(s + step, args.docs)) for s in range(0, args.docs, step)]
    os.makedirs(args.out, exist_ok=True)
    if args.jobs > 1:
        with multiprocessing.Pool(args.jobs, init, (pool, places)) as workers:
            total = sum(workers.imap_unordered(write_range, ranges))
    else:
        init(pool, places)
        total = sum(map(write_range, ranges))
    print(f"{args.docs} documents, {total / 1e6:.1f} MB in {args.out} "
          f"({time.time() - started:.1f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
