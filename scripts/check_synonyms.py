#!/usr/bin/env python3
"""Check that every word of data/synonyms.toml occurs in a corpus, so the embedded synonyms
stay grounded in real texts.

usage: check_synonyms.py [SYNONYMS.toml] DIR [DIR ...]
Prints each word with the number of files that contain it; exits 1 when a word occurs
nowhere or a group has fewer than two words that occur.
"""
import os, sys, tomllib


def texts(dirs):
    for d in dirs:
        for root, _, files in os.walk(d):
            for f in files:
                if f.endswith((".md", ".txt", ".html", ".json")):
                    with open(os.path.join(root, f), encoding="utf-8", errors="ignore") as fh:
                        yield fh.read().lower()


def main():
    args = sys.argv[1:]
    path = args.pop(0) if args and args[0].endswith(".toml") else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "data", "synonyms.toml")
    with open(path, "rb") as fh:
        groups = tomllib.load(fh)["groups"]
    words = {w.lower() for g in groups for w in g}
    counts = dict.fromkeys(words, 0)
    for text in texts(args):
        for w in words:
            if w in text:
                counts[w] += 1
    bad = 0
    for g in groups:
        found = [w for w in g if counts[w.lower()]]
        print(" ".join(f"{w}:{counts[w.lower()]}" for w in g))
        if len(found) < len(g) or len(found) < 2:
            print("  ^ missing:", [w for w in g if not counts[w.lower()]])
            bad += 1
    print(f"{len(groups)} groups, {len(words)} words, {bad} groups with a word found nowhere")
    sys.exit(1 if bad else 0)


main()
