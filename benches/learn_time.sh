#!/usr/bin/env bash
# Time `clean learn` per correction on the built-in corpus (training/), with the real binary.
#
#   benches/learn_time.sh [BIN] [fresh|sequence] [extra learn args...]
#
# BIN defaults to target/release/clean. `fresh` (default): each correction is learnt alone, on a
# fresh copy of training/, into a new model file (so the weights are first computed for the
# built-in model's calibration). `sequence`: the corrections are learnt one after the other
# into one copy and one model file, as a user would (each run starts from the previous model).
# Prints one TSV line per correction: label, wall s, user s, sys s, weight given, training rounds,
# and the text's start. The machine's load changes wall time; user + sys is steadier.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/target/release/clean}
mode=${2:-fresh}
shift $(( $# >= 2 ? 2 : $# ))
corrections=(
  "editorial|Get the latest scores and highlights: download our free app for iPhone and Android."
  "ad|This article was brought to you by Meridian Bank, proud partner of the city marathon since 2004."
  "editorial|Subscribers can read every issue of the magazine online and download the app for offline reading."
  "ad|Harbour Motors has served the county for thirty years, with honest advice and fair prices on every car."
  "editorial|The library offers free courses in coding, photography and languages for members."
  "ad|The Green Fork kitchen is open daily from noon, serving seasonal dishes from local farms."
  "editorial|Tickets for the festival go on sale on Friday at 9am, priced from 45 pounds."
  "ad|Looking for a reliable plumber? Our team is on call around the clock across the city."
)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'label\twall_s\tuser_s\tsys_s\tweight\trounds\ttext\n'
n=0
for c in "${corrections[@]}"; do
  label=${c%%|*}
  text=${c#*|}
  n=$((n + 1))
  if [ "$mode" = fresh ] || [ ! -d "$work/training" ]; then
    rm -rf "$work/training" "$work/m.model"
    cp -r "$root/training" "$work/training"
  fi
  model=$work/m.model
  [ "$mode" = fresh ] && model=$work/m$n.model
  /usr/bin/time -f '%e %U %S' -o "$work/time" "$bin" learn --data "$work/training" \
    --out "$model" "--$label" "$text" "$@" 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  read -r wall user sys <"$work/time"
  weight=$(python3 -c 'import csv,sys; r=[x for x in csv.DictReader(open(sys.argv[1])) if x["text"]==sys.argv[2]]; print(r[0]["weight"])' \
    "$work/training/learned.csv" "$text")
  rounds=$(grep -o '([0-9]* rounds)' "$work/err" | tr -dc 0-9 || true)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$wall" "$user" "$sys" "$weight" "${rounds:-1}" "${text:0:40}"
done
