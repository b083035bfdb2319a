#!/usr/bin/env bash
# Runs the README's Spark recipe for real: pyspark from PyPI in local mode with the machine's JRE,
# each partition piped through `clean filter - - --format jsonl`.
#
#   scripts/spark_pipe.sh           # venv in ${VENV:-target/venv-spark}, work dir in target/spark-pipe
#
# Checks (1) that the union of the partitions' outputs equals one `clean filter` run over the same
# file, record for record and in order, and (2) that a bad record fails the job with
# `checkCode=True` (as the recipe says), where without it Spark silently drops the rest of that
# partition.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=${VENV:-$ROOT/target/venv-spark}
WORK=${WORK:-$ROOT/target/spark-pipe}
command -v java >/dev/null || { echo "spark_pipe: needs a JRE (java) on PATH" >&2; exit 2; }
cargo build --release -q
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import pyspark" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q pyspark
fi
echo "pyspark $("$VENV/bin/python" -c 'import pyspark; print(pyspark.__version__)'); $(java -version 2>&1 | head -1)"
rm -rf "$WORK" && mkdir -p "$WORK"
"$VENV/bin/python" - "$WORK" "$ROOT/target/release/clean" <<'PY'
import json, subprocess, sys
from pyspark.sql import SparkSession

work, clean = sys.argv[1], sys.argv[2]  # the recipe says `clean`; here the path of this build
cmd = f"{clean} filter - - --format jsonl --quiet"
ad = ("vCard.red is a free platform for creating a mobile-friendly digital business cards. "
      "You can easily create a vCard and generate a QR code for it, allowing others to scan "
      "and save your contact details instantly.")
def article(topic):
    return (f"{topic}: ministers meet as pressure grows\n\n"
            f"The {topic} minister said on Tuesday that the government would publish its plans for the {topic} sector next month.\n\n"
            f"Critics of the {topic} plans said the proposals came too late, and the opposition called for a vote.\n\n"
            f"The minister told reporters the {topic} review had taken longer than expected.\n\n"
            f"A vote on the {topic} plans is expected in the spring.\n")
def with_ad(text):
    parts = text.split("\n\n"); parts.insert(2, ad); return "\n\n".join(parts)
recs = [{"id": i, "text": with_ad(article(f"t{i}")) if i % 3 == 0 else article(f"t{i}")}
        for i in range(400)]
path = f"{work}/recs.jsonl"
with open(path, "w") as f:
    for r in recs:
        f.write(json.dumps(r) + "\n")
single = subprocess.run([clean, "filter", path, f"{work}/single.jsonl", "-q"], check=True)
single = [json.loads(l) for l in open(f"{work}/single.jsonl")]

spark = (SparkSession.builder.master("local[2]").appName("clean-pipe")
         .config("spark.ui.enabled", "false").getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
sc = spark.sparkContext
rdd = sc.parallelize(recs, 8)
# The recipe (README, "Spark"): checkCode=True makes a failing `clean` fail the task.
cleaned = (rdd.map(json.dumps)
           .pipe(cmd, checkCode=True)
           .map(json.loads))
out = cleaned.collect()
print(f"partitions: {rdd.getNumPartitions()}; records in: {len(recs)}; out: {len(out)}; "
      f"changed: {sum(a != b for a, b in zip(recs, out))}; union == single run: {out == single}")
assert out == single, "the union of the partitions differs from one clean filter run"

bad = rdd.map(json.dumps).map(lambda l: l if '"id": 201,' not in l else l[:-1])
try:
    n = len(bad.pipe(cmd, checkCode=True).collect())
    print(f"with a bad record and checkCode=True the job returned {n} records: NOT failed")
    sys.exit(1)
except Exception as e:
    lines = [l for l in str(e).splitlines() if "PIPE_FUNCTION_EXITED" in l] or str(e).splitlines()
    first = lines[0].strip()[:200]
    print(f"with a bad record and checkCode=True the job failed: {first}")
n = len(bad.pipe(cmd).collect())
print(f"the same without checkCode (Spark's default): the job 'succeeds' with {n} of {len(recs)} records")
spark.stop()
PY
echo "spark_pipe: OK"
