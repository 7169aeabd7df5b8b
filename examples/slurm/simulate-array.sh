#!/usr/bin/env bash
# Run one sirtsim simulation as a SLURM job array of N shards, then merge the shards.
#
#   examples/slurm/simulate-array.sh CASE.json OUT_DIR [N]
#
# Submits two jobs: an array job (--array=0-(N-1)) where task i runs
#   sirtsim simulate CASE --shard i/N --out OUT_DIR/parts/i
# and a merge job that starts only when every array task succeeded (--dependency=afterok):
#   sirtsim merge OUT_DIR/parts/* --out OUT_DIR/merged
# The merged files equal a single `sirtsim simulate CASE --out DIR` run byte for byte
# (docs/parallel.md). Each shard repeats planning, tree growth and transport (deterministic), and
# deposits only its slice of the lodged spheres; the merge runs the dose stage once.
#
# Requirements: `sirtsim` on PATH on the compute nodes (npm install -g, or set SIRTSIM to
# "node /path/to/sirtsim/dist/src/cli/main.js"), and OUT_DIR on a shared filesystem.
set -euo pipefail

CASE=${1:?usage: simulate-array.sh CASE.json OUT_DIR [N]}
OUT=${2:?usage: simulate-array.sh CASE.json OUT_DIR [N]}
N=${3:-8}
SIRTSIM=${SIRTSIM:-sirtsim}
CPUS=${CPUS_PER_TASK:-2}
CASE=$(realpath "$CASE")
mkdir -p "$OUT/parts" "$OUT/logs"
OUT=$(realpath "$OUT")

# --parsable prints the job id only. Each task uses its CPUs as worker threads (--workers).
ARRAY_JOB=$(sbatch --parsable \
  --job-name=sirtsim-shards \
  --array="0-$((N - 1))" \
  --cpus-per-task="$CPUS" \
  --mem=4G \
  --time=01:00:00 \
  --output="$OUT/logs/shard-%a.log" \
  --wrap="$SIRTSIM simulate '$CASE' --shard \$SLURM_ARRAY_TASK_ID/$N --workers \$SLURM_CPUS_PER_TASK --out '$OUT/parts/'\$SLURM_ARRAY_TASK_ID")

MERGE_JOB=$(sbatch --parsable \
  --job-name=sirtsim-merge \
  --dependency="afterok:$ARRAY_JOB" \
  --cpus-per-task="$CPUS" \
  --mem=4G \
  --time=00:30:00 \
  --output="$OUT/logs/merge.log" \
  --wrap="$SIRTSIM merge $(for i in $(seq 0 $((N - 1))); do printf "'%s' " "$OUT/parts/$i"; done) --workers \$SLURM_CPUS_PER_TASK --out '$OUT/merged'")

echo "submitted shards: job $ARRAY_JOB (array 0-$((N - 1))), merge: job $MERGE_JOB (after all shards succeed)"
echo "results: $OUT/merged (summary.json, dose.nii.gz, dvh.csv, tree.vtp, report.html)"
