#!/usr/bin/env python3
"""Chooses `clean adapt`'s weight (lambda), log-odds cut and rounds by measurement on the training
data alone, never on the development sets.

A register the model has not seen is simulated by holding whole kinds out of training: for each
of FOLDS splits, a third of the editorial kinds and a third of the ad kinds (by a hash of the kind
name) are left out of a training directory, a model is trained on the rest with `clean train`,
and a corpus of documents is built from the held-out kinds only (4 to 12 paragraphs of one kind,
three in four with one or two ads of one held-out kind inserted). Each setting adapts to that
corpus (`clean adapt`) and is scored by the recall at 0.5% and 1% of editorial paragraphs flagged
(every paragraph's log-odds, nothing removed), and at the model's calibrated threshold.

With --campaign, each corpus's ads come from its two largest held-out ad kinds only, as when a
corpus is polluted by a few campaigns whose ads resemble each other.

Usage, from the project root: python3 benches/adapt_grid.py [--folds 3] [--quick] [--campaign]
Prints one row per setting, averaged over the splits, best last.
"""
import csv
import glob
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile

CAMPAIGN = "--campaign" in sys.argv
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
clean = os.path.join(root, "target", "release", "clean")


def h(s):
    return int(hashlib.sha256(s.encode()).hexdigest()[:8], 16)


def load():
    rows = []
    for f in sorted(glob.glob(os.path.join(root, "training", "*.csv"))):
        for r in csv.DictReader(open(f, encoding="utf-8")):
            rows.append((os.path.basename(f), r["label"], r.get("genre") or "-", r["text"], r.get("doc") or ""))
    return rows


def split(rows, fold, folds, tmp):
    held = lambda label, kind: h(label + kind) % folds == fold
    train_dir = os.path.join(tmp, "train")
    os.makedirs(train_dir)
    by_file = {}
    for f, label, kind, text, doc in rows:
        if not held(label, kind):
            by_file.setdefault(f, []).append((label, kind, text))
    for f, rs in by_file.items():
        with open(os.path.join(train_dir, f), "w", encoding="utf-8", newline="") as out:
            w = csv.writer(out, lineterminator="\n")
            w.writerow(["label", "genre", "text"])
            w.writerows(rs)
    rng = random.Random(fold)
    ed_kinds, ad_blocks = {}, []
    for f, label, kind, text, doc in rows:
        if held(label, kind) and "\n" not in text:
            if label == "editorial":
                ed_kinds.setdefault(kind, []).append(text)
            else:
                ad_blocks.append((kind, text))
    ads_by_kind = {}
    for kind, text in ad_blocks:
        ads_by_kind.setdefault(kind, []).append(text)
    if CAMPAIGN:
        # Injected ads in one corpus tend to come from a few campaigns that resemble each other:
        # keep the two largest held-out ad kinds only, and use their ads in every document.
        keep = sorted(ads_by_kind, key=lambda k: (-len(ads_by_kind[k]), k))[:2]
        ads_by_kind = {k: ads_by_kind[k] for k in keep}
    blocks = []
    for kind, texts in sorted(ads_by_kind.items()):
        i = 0
        while i < len(texts):
            n = rng.choice([1, 2])
            blocks.append(texts[i:i + n])
            i += n
    rng.shuffle(blocks)
    docs_dir = os.path.join(tmp, "docs")
    os.makedirs(docs_dir)
    truth = []
    b = 0
    for kind, texts in sorted(ed_kinds.items()):
        i = 0
        while i < len(texts):
            n = rng.randint(4, 12)
            paras = [(t, "editorial") for t in texts[i:i + n]]
            i += n
            if blocks and rng.random() < 0.75:
                at = rng.randint(0, len(paras))
                paras[at:at] = [(t, "ad") for t in blocks[b % len(blocks)]]
                b += 1
            name = f"d{len(truth):05d}.txt"
            open(os.path.join(docs_dir, name), "w", encoding="utf-8").write("\n\n".join(t for t, _ in paras) + "\n")
            truth.append({"doc": name, "paragraphs": [{"text": t, "label": l} for t, l in paras]})
    return train_dir, docs_dir, truth


def measure(model, docs_dir, truth, tmp):
    label = {(t["doc"], p["text"]): p["label"] for t in truth for p in t["paragraphs"]}
    rep = os.path.join(tmp, "rep.jsonl")
    subprocess.run([clean, "check", "-q", "--model", model, "--report", rep, "--report-all", docs_dir],
                   stdout=subprocess.DEVNULL)
    threshold = json.loads(subprocess.run([clean, "info", model, "--json"], capture_output=True,
                                          text=True, check=True).stdout)["meta"]["threshold"]
    ed, ad = [], []
    for line in open(rep, encoding="utf-8"):
        r = json.loads(line)
        z = float("-inf") if r["verdict"] == "unknown" else r["score"]
        (ad if label.get((r["path"], r["text"])) == "ad" else ed).append(z)
    ed.sort(reverse=True)
    out = {}
    for rate in (0.005, 0.01):
        cut = ed[int(rate * len(ed))]
        out[f"recall@{rate:.1%}"] = sum(z > cut for z in ad) / len(ad)
    out["recall@threshold"] = sum(z >= threshold for z in ad) / len(ad)
    out["editorial@threshold"] = sum(z >= threshold for z in ed) / len(ed)
    return out


def main():
    folds = int(sys.argv[sys.argv.index("--folds") + 1]) if "--folds" in sys.argv else 3
    grid = [None] + [(w, c, r) for w in (0.03, 0.1, 0.3, 1.0) for c in (-2.0, 0.0) for r in (1, 3)]
    if "--quick" in sys.argv:
        grid = [None, (0.1, 0.0, 3), (0.3, 0.0, 3)]
    rows = load()
    totals = {}
    for fold in range(folds):
        with tempfile.TemporaryDirectory() as tmp:
            train_dir, docs_dir, truth = split(rows, fold, folds, tmp)
            base = os.path.join(tmp, "base.model")
            subprocess.run([clean, "train", "--data", train_dir, "--out", base], check=True,
                           stderr=subprocess.DEVNULL)
            for setting in grid:
                model = base
                if setting:
                    w, c, r = setting
                    model = os.path.join(tmp, "adapted.model")
                    subprocess.run([clean, "adapt", "-q", "--model", base, "--adapt-weight", str(w),
                                    "--adapt-cut", str(c), "--adapt-rounds", str(r), docs_dir, "-o", model],
                                   check=True)
                m = measure(model, docs_dir, truth, tmp)
                acc = totals.setdefault(setting, {})
                for k, v in m.items():
                    acc[k] = acc.get(k, 0) + v / folds
    name = lambda s: "no adaptation" if s is None else f"weight {s[0]}, cut {s[1]}, rounds {s[2]}"
    keys = ["recall@0.5%", "recall@1.0%", "recall@threshold", "editorial@threshold"]
    print("| setting | " + " | ".join(keys) + " |\n|---|" + "---|" * len(keys))
    for s, m in sorted(totals.items(), key=lambda kv: kv[1]["recall@0.5%"] + kv[1]["recall@1.0%"]):
        print(f"| {name(s)} | " + " | ".join(f"{m[k]:.2%}" for k in keys) + " |")


if __name__ == "__main__":
    main()
