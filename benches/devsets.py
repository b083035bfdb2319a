#!/usr/bin/env python3
"""Both development sets side by side, as every model change must be reported.

Filters ../shared/realdev and ../shared/webdev (real documents, never trained on) with the release
binary, scores each with ../shared/eval/score.py, and adds what score.py does not say: the share of
paragraphs marked unknown (abstention) and how many ads are among them, and the unsure band.

Usage, from the project root:
    python3 benches/devsets.py [--clean target/release/clean] [--json] [--adapt "ADAPT FLAGS"]
                               [-- extra `clean filter` args]
With --adapt, each set is first adapted to (`clean adapt SET --model ...`), as `filter --adapt` does.
e.g. `python3 benches/devsets.py -- --model /tmp/m.model`.
"""
import json
import os
import subprocess
import sys
import tempfile

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
shared = os.path.join(root, "..", "shared")


def run_set(clean, name, extra):
    d = os.path.join(shared, name)
    with tempfile.TemporaryDirectory() as tmp:
        out, rep = os.path.join(tmp, "out"), os.path.join(tmp, "report.jsonl")
        subprocess.run([clean, "filter", "-q", "--report", rep, *extra, os.path.join(d, "docs"), out], check=True)
        score = json.loads(subprocess.run(
            [sys.executable, os.path.join(shared, "eval", "score.py"), os.path.join(d, "truth.jsonl"),
             os.path.join(d, "docs"), out, "--json"], check=True, capture_output=True, text=True).stdout)
        label = {}
        n_par = 0
        for line in open(os.path.join(d, "truth.jsonl"), encoding="utf-8"):
            t = json.loads(line)
            for p in t["paragraphs"]:
                label[(t["doc"], p["text"])] = p["label"]
                n_par += 1
        verdicts = {"unknown": [0, 0], "unsure": [0, 0]}  # [paragraphs, of which ads]
        for line in open(rep, encoding="utf-8"):
            r = json.loads(line)
            if r["verdict"] in verdicts:
                v = verdicts[r["verdict"]]
                v[0] += 1
                v[1] += label.get((r["path"], r["text"])) == "ad"
    return {
        "ad_recall": score["ad_recall"],
        "editorial_removed": score["editorial_removed"],
        "clean_docs_identical": score["clean_docs_identical"],
        "paragraphs": n_par,
        "unknown": verdicts["unknown"][0], "unknown_ads": verdicts["unknown"][1],
        "unsure": verdicts["unsure"][0], "unsure_ads": verdicts["unsure"][1],
        "by_source": score["by_source"],
    }


def curve(clean, name, extra, rates=(0.001, 0.005, 0.01)):
    """Recall at fixed shares of editorial paragraphs flagged, from every paragraph's log-odds
    with nothing removed (one pass: the document context is the whole document)."""
    d = os.path.join(shared, name)
    label = {}
    for line in open(os.path.join(d, "truth.jsonl"), encoding="utf-8"):
        t = json.loads(line)
        for p in t["paragraphs"]:
            label[(t["doc"], p["text"])] = p["label"]
    with tempfile.TemporaryDirectory() as tmp:
        rep = os.path.join(tmp, "report.jsonl")
        subprocess.run([clean, "check", "-q", "--report", rep, "--report-all", "--threshold", "1e300", *extra,
                        os.path.join(d, "docs")], check=True)
        ed, ad = [], []
        for line in open(rep, encoding="utf-8"):
            r = json.loads(line)
            lab = label.get((r["path"], r["text"]))
            z = float("-inf") if r["verdict"] == "unknown" else r["score"]
            (ad if lab == "ad" else ed if lab == "editorial" else []).append(z)
    ed.sort(reverse=True)
    out = {}
    for rate in rates:
        k = int(rate * len(ed))
        cut = ed[k] if k < len(ed) else float("-inf")
        out[rate] = sum(1 for z in ad if z > cut) / max(len(ad), 1)
    return out


def main():
    args = sys.argv[1:]
    extra = []
    if "--" in args:
        i = args.index("--")
        args, extra = args[:i], args[i + 1:]
    clean = os.path.join(root, "target", "release", "clean")
    if "--clean" in args:
        clean = args[args.index("--clean") + 1]
    res = {}
    with tempfile.TemporaryDirectory() as tmp:
        for s in ["realdev", "webdev"]:
            args_s = list(extra)
            if "--adapt" in args:
                # Adapt to this set first (as `clean filter --adapt` does), then use that model.
                m = os.path.join(tmp, s + ".model")
                adapt_args = args[args.index("--adapt") + 1].split() if len(args) > args.index("--adapt") + 1 else []
                subprocess.run([clean, "adapt", "-q", *extra, *adapt_args, os.path.join(shared, s, "docs"), "-o", m], check=True)
                args_s = [a for i, a in enumerate(extra)
                          if a != "--model" and (i == 0 or extra[i - 1] != "--model")] + ["--model", m]
            res[s] = run_set(clean, s, args_s)
            res[s]["recall_at"] = curve(clean, s, args_s)
    if "--json" in args:
        print(json.dumps(res, indent=1))
        return
    rows = [
        ("ad recall", lambda r: f"{r['ad_recall']:.2%}"),
        ("editorial removed", lambda r: f"{r['editorial_removed']:.3%}"),
        ("ad-free docs identical", lambda r: f"{r['clean_docs_identical']:.2%}"),
        ("unknown (ads among them)", lambda r: f"{r['unknown'] / r['paragraphs']:.2%} ({r['unknown_ads']})"),
        ("unsure (ads among them)", lambda r: f"{r['unsure'] / r['paragraphs']:.2%} ({r['unsure_ads']})"),
    ] + [(f"recall at {rate:.1%} editorial flagged", lambda r, rate=rate: f"{r['recall_at'][rate]:.2%}")
         for rate in (0.001, 0.005, 0.01)]
    print(f"| figure | realdev | webdev |\n|---|---|---|")
    for name, f in rows:
        print(f"| {name} | {f(res['realdev'])} | {f(res['webdev'])} |")
    for s in res:
        print(f"{s}: " + ", ".join(f"{k} {v['removed']}/{v['of']}" for k, v in res[s]["by_source"].items() if "*" not in k))


if __name__ == "__main__":
    main()
