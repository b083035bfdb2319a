#!/usr/bin/env bash
# Slurm array job: one shard of the corpus per task. Submit with `sbatch examples/slurm.sh`.
#SBATCH --job-name=clean
#SBATCH --array=1-8
#SBATCH --cpus-per-task=8
#SBATCH --time=02:00:00
#
# Task K of N runs `--shard K/N`. Shards are numbered from 1, so the array must be 1-N with no
# step: then SLURM_ARRAY_TASK_ID runs over 1..N and SLURM_ARRAY_TASK_COUNT is N.
set -euo pipefail
IN=${IN:-/data/corpus}
OUT=${OUT:-/data/cleaned}
REPORTS=${REPORTS:-/data/reports}
if [ "${SLURM_ARRAY_TASK_MIN:-1}" != 1 ]; then
  echo "examples/slurm.sh: submit with --array=1-N (shards are numbered from 1)" >&2
  exit 2
fi
mkdir -p "$REPORTS"
clean filter "$IN" "$OUT" \
  --shard "${SLURM_ARRAY_TASK_ID}/${SLURM_ARRAY_TASK_COUNT}" \
  --report "$REPORTS/${SLURM_ARRAY_TASK_ID}.jsonl" \
  --threads "${SLURM_CPUS_PER_TASK:-0}" --quiet
