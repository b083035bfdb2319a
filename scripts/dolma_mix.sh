#!/usr/bin/env bash
# Runs dolma's mixer for real on `clean filter --attributes` output and checks that its text equals
# `clean filter`'s, record by record.
#
#   scripts/dolma_mix.sh            # venv in ${VENV:-target/venv-dolma}, work dir in target/dolma-mix
#
# Installs `dolma` from PyPI into a venv (boto3 pinned so pip does not backtrack through every
# boto3 release against s3fs 2023.6.0's aiobotocore), builds a small corpus of
# documents/*.json.gz (the shipped seeds, and articles with ad paragraphs inserted, some with
# non-ASCII text before the ad so byte and character offsets differ), runs
#   clean filter documents cleaned --attributes attributes/clean
#   dolma -c mix.yaml mix          (span_replacement on $.attributes.clean__clean__ad, "")
# and compares each mixed record's text with the record of the same id in cleaned/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=${VENV:-$ROOT/target/venv-dolma}
WORK=${WORK:-$ROOT/target/dolma-mix}
cargo build --release -q
CLEAN=$ROOT/target/release/clean
if [ ! -x "$VENV/bin/dolma" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip
  "$VENV/bin/pip" install -q dolma "boto3==1.26.161"
fi
echo "dolma $("$VENV/bin/pip" show dolma | sed -n 's/^Version: //p')"
rm -rf "$WORK" && mkdir -p "$WORK/documents"
cd "$WORK"
"$VENV/bin/python" - "$ROOT/seeds" <<'PY'
import glob, gzip, json, os, sys
seeds = sorted(glob.glob(os.path.join(sys.argv[1], "*.txt")))
ad = ("vCard.red is a free platform for creating a mobile-friendly digital business cards. "
      "You can easily create a vCard and generate a QR code for it, allowing others to scan "
      "and save your contact details instantly.")
def article(topic, lead=""):
    return (f"{lead}{topic}: ministers meet as pressure grows\n\n"
            f"The {topic} minister said on Tuesday that the government would publish its plans for the {topic} sector next month.\n\n"
            f"Critics of the {topic} plans said the proposals came too late, and the opposition called for a vote.\n\n"
            f"The minister told reporters the {topic} review had taken longer than expected.\n\n"
            f"A vote on the {topic} plans is expected in the spring.\n")
def with_ad(text):
    parts = text.split("\n\n")
    parts.insert(2, ad)
    return "\n\n".join(parts)
docs = [{"id": f"seed-{i}", "text": open(p, encoding="utf-8").read(), "source": "seeds"}
        for i, p in enumerate(seeds)]
topics = ["Zürich trams", "naïve budgets", "crèche places", "dairy", "rail", "ports", "schools", "fish"]
for i, t in enumerate(topics):
    lead = "Résumé — état des lieux: " if i % 2 == 0 else ""
    text = article(t, lead)
    docs.append({"id": f"gen-{i}", "text": with_ad(text) if i % 3 != 2 else text,
                 "metadata": {"n": i}})
for shard in range(2):
    with gzip.open(f"documents/part-{shard}.json.gz", "wt", encoding="utf-8") as f:
        for d in docs[shard::2]:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
print(f"{len(docs)} documents in 2 shards")
PY
"$CLEAN" filter documents cleaned --attributes attributes/clean
cat > mix.yaml <<YAML
streams:
  - name: clean-mix
    documents:
      - $WORK/documents/*.json.gz
    attributes:
      - clean
    output:
      path: $WORK/mixed
      max_size_in_bytes: 1000000000
    span_replacement:
      # clean lists only the spans it removes, each scored with its log-odds (>= the threshold)
      - span: "\$.attributes.clean__clean__ad"
        min_score: -1000000.0
        replacement: ""
processes: 1
YAML
"$VENV/bin/dolma" -c mix.yaml mix 2>&1 | grep -v -e nltk_data -e UserWarning -e register_ -e hydra-ecosystem -e '^$' | tail -5 || true
"$VENV/bin/python" - <<'PY'
import glob, gzip, json, sys
def read(pattern):
    out = {}
    for p in sorted(glob.glob(pattern)):
        with gzip.open(p, "rt", encoding="utf-8") as f:
            for line in f:
                d = json.loads(line)
                out[d["id"]] = d["text"]
    return out
mixed, cleaned, original = read("mixed/*.json.gz"), read("cleaned/*.json.gz"), read("documents/*.json.gz")
changed = sum(1 for k in original if original[k] != cleaned.get(k))
spans = 0
for p in glob.glob("attributes/clean/*.json.gz"):
    with gzip.open(p, "rt") as f:
        spans += sum(len(json.loads(l)["attributes"]["clean__clean__ad"]) for l in f)
same = [k for k in original if mixed.get(k) == cleaned.get(k)]
print(f"records: {len(original)}; changed by clean: {changed}; spans: {spans}; "
      f"dolma mix text == clean filter text: {len(same)}/{len(original)}")
bad = [k for k in original if mixed.get(k) != cleaned.get(k)]
for k in bad:
    print(f"DIFFERS: {k}", file=sys.stderr)
sys.exit(1 if bad or len(mixed) != len(original) or changed == 0 else 0)
PY
echo "dolma_mix: OK"
