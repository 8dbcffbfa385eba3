#!/usr/bin/env bash
# Run one experiment as N shards on a SLURM cluster, then merge them.
#   sbatch --array=1-8 examples/slurm-array.sh fault-injection paper
# Each array task runs shard K/N into results/<experiment>/shards/K; re-submitting a task resumes it.
# After all tasks finish:
#   npx shadowbench merge results/<experiment>/shards/* --out results/<experiment>/merged
#SBATCH --job-name=shadowbench
#SBATCH --cpus-per-task=8
#SBATCH --mem=8G
#SBATCH --time=04:00:00
#SBATCH --output=shadowbench-%A_%a.log
set -euo pipefail
experiment=${1:?usage: sbatch --array=1-N slurm-array.sh EXPERIMENT [SCALE]}
scale=${2:-default}
k=${SLURM_ARRAY_TASK_ID:?run as an array job}
n=${SLURM_ARRAY_TASK_COUNT:?run as an array job}
cd "${SLURM_SUBMIT_DIR:-.}"
npx shadowbench sweep "$experiment" --scale "$scale" --shard "$k/$n" \
  --workers "${SLURM_CPUS_PER_TASK:-1}" --out "results/$experiment/shards/$k" --resume
