#!/usr/bin/env python3
"""Write the shared government work reports as one text file each, for zhili's ingest benchmark.

National reports (gov-reports-national/*.jsonl: title, url, content) and the 2026 provincial
reports (gov-reports-provincial-2026/files/*.csv: province, year, title, source_url,
publish_date, full_text). Each file is `# <title>` then the text.

usage: make_reports.py --data ../shared/data --out /tmp/zhili-bench/reports
"""
import argparse, csv, json, os, re, sys

csv.field_size_limit(sys.maxsize)


def safe(name):
    return re.sub(r'[\\/:*?"<>|\s]+', "_", name)[:80]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    written = 0
    national = os.path.join(args.data, "gov-reports-national")
    for name in sorted(os.listdir(national)):
        if not name.endswith(".jsonl"):
            continue
        folder = os.path.join(args.out, "national", name[:-6])
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(national, name), encoding="utf-8") as f:
            for i, line in enumerate(f):
                rec = json.loads(line)
                path = os.path.join(folder, f"{i:03d}_{safe(rec['title'])}.txt")
                with open(path, "w", encoding="utf-8") as out:
                    out.write(f"# {rec['title']}\n\n{rec['content']}\n")
                written += 1
    provincial = os.path.join(args.data, "gov-reports-provincial-2026", "files")
    folder = os.path.join(args.out, "provincial-2026")
    os.makedirs(folder, exist_ok=True)
    for k, name in enumerate(sorted(os.listdir(provincial))):
        with open(os.path.join(provincial, name), encoding="utf-8-sig", newline="") as f:
            for i, rec in enumerate(csv.DictReader(f)):
                path = os.path.join(folder, f"{k:02d}{i:02d}_{safe(rec['title'])}.txt")
                with open(path, "w", encoding="utf-8") as out:
                    out.write(f"# {rec['title']}\n\n{rec['full_text']}\n")
                written += 1
    print(f"{written} reports written to {args.out}")


if __name__ == "__main__":
    main()
