#!/usr/bin/env bash
# What each modelling choice does on the development set ../shared/realdev (real BBC articles with
# real start-up descriptions injected; never trained on). Each row trains a model from training/
# (calibrated as `clean train` does) into a temporary directory, filters realdev with it and scores
# the output with ../shared/eval/score.py. Prints: variant, ad recall, editorial removed, ad-free
# documents left byte-identical.
# Usage, from the project root: benches/realdev_ablation.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=$root/../shared
[ -f "$shared/realdev/truth.jsonl" ] || { echo "no ../shared/realdev here" >&2; exit 2; }
cd "$root"
cargo build --release -q
clean=$root/target/release/clean
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

run() { # name, train flags, filter flags
  local name=$1 tflags=$2 fflags=$3
  "$clean" train --out "$tmp/m.model" $tflags 2>/dev/null
  rm -rf "$tmp/out"
  "$clean" filter -q --model "$tmp/m.model" $fflags "$shared/realdev/docs" "$tmp/out"
  python3 "$shared/eval/score.py" "$shared/realdev/truth.jsonl" "$shared/realdev/docs" "$tmp/out" --json |
    python3 -c "import json,sys; r=json.load(sys.stdin); print(f'{sys.argv[1]:52s} ad recall {r[\"ad_recall\"]:7.2%}  editorial removed {r[\"editorial_removed\"]:6.3%}  ad-free docs identical {r[\"clean_docs_identical\"]:7.2%}')" "$name"
}

run "words only (no bigrams, no shapes, no context)" "--no-bigrams --no-shapes --context-weight 0" "--on-unknown score"
run "+ bigrams" "--no-shapes --context-weight 0" "--on-unknown score"
run "+ bigrams + shape tokens" "--context-weight 0" "--on-unknown score"
run "+ bigrams + context, no shapes" "--no-shapes" "--on-unknown score"
run "+ bigrams + shapes + context (weight 50)" "" "--on-unknown score"
run "+ unknown-text abstention (the built-in model)" "" ""
run "  threshold 0.99 instead of calibrated" "--folds 0 --threshold 0.99" ""
