#!/usr/bin/env python3
"""Turns the team's draft files into training CSV.

Drafts are plain text, one paragraph per line, one file per kind, named `<label>__<kind>.txt`
(label `editorial` or `ad`); document drafts are `docs/<kind>__<n>.txt` with paragraphs separated
by blank lines, one document per file. Each kind becomes `training/web_<label>_<kind>.csv`
(columns `label,genre,text`, plus `doc` for documents). Lines are trimmed; empty lines and list
numbering are dropped, and so are exact duplicates among separate paragraphs (within the drafts
and against the CSV already here); a document keeps every paragraph.

Usage: python3 training/from_drafts.py DRAFTS_DIR
"""
import collections
import csv
import glob
import os
import re
import sys

here = os.path.dirname(os.path.abspath(__file__))
drafts = sys.argv[1]

seen = set()
for f in sorted(glob.glob(os.path.join(here, "*.csv"))):
    if os.path.basename(f).startswith("web_"):
        continue
    for r in csv.DictReader(open(f, encoding="utf-8")):
        seen.add(r["text"].strip())

numbering = re.compile(r"^\s*(\d{1,3}[.)]|[-*•])\s+")
stats = collections.Counter()
by_file = collections.defaultdict(list)

def take(label, kind, text, doc=None):
    text = numbering.sub("", text.strip()) if not kind.startswith("list_items") else text.strip()
    text = text.strip()
    if not text:
        return
    # A document keeps all its paragraphs (a heading such as "Ingredients" recurs across pages);
    # separate paragraphs are kept once.
    if doc is None and text in seen:
        stats["duplicate"] += 1
        return
    seen.add(text)
    by_file[(label, kind, doc is not None)].append((label, kind, text, doc))
    stats["kept"] += 1

for path in sorted(glob.glob(os.path.join(drafts, "*__*.txt"))):
    label, kind = os.path.basename(path)[:-4].split("__", 1)
    assert label in ("editorial", "ad"), path
    for line in open(path, encoding="utf-8"):
        take(label, kind, line)

for path in sorted(glob.glob(os.path.join(drafts, "docs", "*__*.txt"))):
    kind, n = os.path.basename(path)[:-4].split("__", 1)
    text = open(path, encoding="utf-8").read()
    for para in re.split(r"\n\s*\n", text):
        take("editorial", kind, " ".join(para.split("\n")), doc=f"{kind}-{n}")

for old in glob.glob(os.path.join(here, "web_*.csv")):
    os.remove(old)
for (label, kind, is_doc), rows in sorted(by_file.items()):
    name = f"web_{label}_{'docs_' if is_doc else ''}{kind}.csv"
    with open(os.path.join(here, name), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["label", "genre", "text"] + (["doc"] if is_doc else []))
        for label_, kind_, text, doc in rows:
            w.writerow([label_, kind_, text] + ([doc] if is_doc else []))
print(dict(stats), f"{len(by_file)} files", file=sys.stderr)
