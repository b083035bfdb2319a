#!/usr/bin/env python3
"""Rewrites training/README.md with the paragraph counts per label, kind and file."""
import collections
import csv
import glob
import os
import re
import statistics

here = os.path.dirname(os.path.abspath(__file__))
rows = []
for f in sorted(glob.glob(os.path.join(here, "*.csv"))):
    for r in csv.DictReader(open(f, encoding="utf-8")):
        rows.append((os.path.basename(f), r["label"], r.get("genre") or "-", len(r["text"].split())))
kinds = collections.Counter((l, g) for _, l, g, _ in rows)
files = collections.Counter((f, l) for f, l, _, _ in rows)
out = [
    "# Training data\n",
    "Labelled paragraphs for `clean train`: CSV with the header `label,genre,text` (labels `editorial` and `ad`). "
    "Every paragraph was written for this project by its team; people, companies, brands, products and web addresses "
    "are invented (real countries, cities and institutions appear in passing). No text was copied from elsewhere, and "
    "none of the evaluation data in `../shared/` is here.\n",
    "Editorial text that *talks about* companies, products, prices, apps and start-ups (tech reviews, markets reports, "
    "journalistic company profiles, consumer advice) is deliberately in it, since that is where false removals come "
    "from; so are the small pieces of articles (headlines, subheads, datelines, bylines, captions, one-line paragraphs, "
    "team line-ups, readers' comments). The ads range from three-word taglines to long, calm \"about us\" copy with no "
    "URL or price.\n",
    "`clean learn` adds corrections to `learned.csv` here (with a `weight` column).\n",
]
for lab in ["editorial", "ad"]:
    n = sum(v for (l, _), v in kinds.items() if l == lab)
    ks = sorted(((g, v) for (l, g), v in kinds.items() if l == lab), key=lambda x: (-x[1], x[0]))
    out.append(f"\n## {lab}: {n} paragraphs in {len(ks)} kinds\n")
    out.append("| kind | paragraphs |\n|---|---|")
    out.extend(f"| {g} | {v} |" for g, v in ks)
lens = [w for *_, w in rows]

# Templating, measured: exact duplicates, rows whose first four words open >= 5 rows, and rows
# that share an 8-word run with another row.
texts = []
for f in sorted(glob.glob(os.path.join(here, "*.csv"))):
    for r in csv.DictReader(open(f, encoding="utf-8")):
        texts.append((r["label"], r["text"]))
norm = lambda t: re.findall(r"[a-z0-9']+", t.lower())
dupes = sum(n - 1 for n in collections.Counter(t for _, t in texts).values() if n > 1)
openers = collections.Counter(" ".join(norm(t)[:4]) for _, t in texts if len(norm(t)) >= 4)
shingle_rows = collections.defaultdict(set)
for i, (_, t) in enumerate(texts):
    w = norm(t)
    for j in range(len(w) - 7):
        shingle_rows[" ".join(w[j:j + 8])].add(i)
shared = set()
for rows_ in shingle_rows.values():
    if len(rows_) > 1:
        shared |= rows_
out.append("\n## Templating\n")
out.append("| measure | editorial | ad | all |\n|---|---|---|---|")
def share(pred):
    cells = []
    for lab in ["editorial", "ad", None]:
        idx = [i for i, (l, _) in enumerate(texts) if lab is None or l == lab]
        cells.append(f"{sum(1 for i in idx if pred(i)) / max(len(idx), 1):.2%}")
    return " | ".join(cells)
out.append(f"| exact duplicate rows | | | {dupes} |")
out.append("| rows whose first 4 words open >= 5 rows | "
           + share(lambda i: len(norm(texts[i][1])) >= 4 and openers[" ".join(norm(texts[i][1])[:4])] >= 5) + " |")
out.append("| rows sharing an 8-word run with another row | " + share(lambda i: i in shared) + " |")
out.append("\n## Files\n")
out.append("| file | label | paragraphs |\n|---|---|---|")
out.extend(f"| {f} | {l} | {v} |" for (f, l), v in sorted(files.items()))
out.append(f"\nParagraph lengths: {min(lens)} to {max(lens)} words, median {statistics.median(lens):.0f}.\n")
out.append("The counts above are produced by `python3 training/counts.py` (which rewrites this file).\n")
open(os.path.join(here, "README.md"), "w", encoding="utf-8").write("\n".join(out))
