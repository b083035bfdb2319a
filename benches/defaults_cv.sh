#!/usr/bin/env bash
# Chooses ALPHA and MIN_COUNT (src/train.rs) by 5-fold cross-validation on training/, never on the
# development sets. For each setting: naive-Bayes ad recall at the cut where at most 0.1% and 1%
# of editorial paragraphs are removed (folds by document, as `clean train` calibrates).
# Usage: benches/defaults_cv.sh [DATA]   (prints a table; takes a few minutes per setting)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-training}
cargo build --release -q
bin=./target/release/clean
recall() { # alpha min_count target
    "$bin" eval "$data" --folds 5 --alpha "$1" --min-count "$2" --target-editorial-removed "$3" --json |
        python3 -c 'import json,sys; print("%.2f" % (100 * json.load(sys.stdin)["recall"]))'
}
printf "%-6s %-9s %-22s %-22s\n" alpha min_count "recall@0.1%edit.rem." "recall@1%edit.rem."
for a in 0.03 0.1 0.3 1.0; do
    for m in 1 2 3; do
        printf "%-6s %-9s %-22s %-22s\n" "$a" "$m" "$(recall "$a" "$m" 0.001)" "$(recall "$a" "$m" 0.01)"
    done
done
