#!/usr/bin/env python3
"""Rewrites training/README.md with the paragraph counts per label, kind and file."""
import collections
import csv
import glob
import os
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
out.append("\n## Files\n")
out.append("| file | label | paragraphs |\n|---|---|---|")
out.extend(f"| {f} | {l} | {v} |" for (f, l), v in sorted(files.items()))
out.append(f"\nParagraph lengths: {min(lens)} to {max(lens)} words, median {statistics.median(lens):.0f}.\n")
out.append("The counts above are produced by `python3 training/counts.py` (which rewrites this file).\n")
open(os.path.join(here, "README.md"), "w", encoding="utf-8").write("\n".join(out))
