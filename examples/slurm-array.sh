#!/usr/bin/env bash
# Run one experiment as N shards on a SLURM cluster, then merge them. From the repository:
#   sbatch --array=1-8 examples/slurm-array.sh fault-injection paper
# Each array task K runs shard K/N into $SHADOWBENCH_OUT/<experiment>/shards/K (default
# results/ in the repository). After all tasks finish:
#   bin/shadowbench.js merge results/<experiment>/shards/* --out results/<experiment>/merged
#
# Resources: the defaults below (1 CPU, 2 GB, 4 h) fit any node; a task's sweep uses as many
# worker threads as it was given CPUs, so on big nodes ask for more on the command line, which
# overrides these lines: sbatch --array=1-8 --cpus-per-task=8 --mem=8G examples/slurm-array.sh ...
# (A request larger than every node never starts: the job stays PENDING with reason
# PartitionConfig or Resources.)
#
# Re-submitting resumes: a task whose shard directory holds records continues it (--resume).
# To re-run only task 2 of 3, give N explicitly, since SLURM counts the tasks of the new job:
#   sbatch --array=2 examples/slurm-array.sh fault-injection paper 3
#SBATCH --job-name=shadowbench
#SBATCH --cpus-per-task=1
#SBATCH --mem=2G
#SBATCH --time=04:00:00
#SBATCH --output=shadowbench-%A_%a.log
set -euo pipefail
experiment=${1:?usage: sbatch --array=1-N slurm-array.sh EXPERIMENT [SCALE [N]]}
scale=${2:-default}
k=${SLURM_ARRAY_TASK_ID:?run as an array job (sbatch --array=1-N)}
n=${3:-${SLURM_ARRAY_TASK_COUNT:?run as an array job (sbatch --array=1-N)}}
if ! [[ $k =~ ^[0-9]+$ && $n =~ ^[0-9]+$ ]] || ((k < 1 || k > n)); then
  echo "slurm-array.sh: task $k is not in 1..$n; number the array from 1 (--array=1-$n), or give N as the third argument" >&2
  exit 2
fi
# SLURM runs a copy of this script from its spool directory, so $0 does not locate the
# repository: the job starts in the submit directory (or --chdir), which must be the repository.
repo=${SHADOWBENCH_DIR:-${SLURM_SUBMIT_DIR:-$PWD}}
bin="$repo/bin/shadowbench.js"
if [[ ! -x $bin ]]; then
  echo "slurm-array.sh: $bin not found; submit from the repository or set SHADOWBENCH_DIR" >&2
  exit 2
fi
results=${SHADOWBENCH_OUT:-$repo/results}
# The entry point runs directly, not through npx: npx on a compute node without the package
# linked may try to fetch a package of that name from the registry (or prompt), and it hides the
# node flags in the entry point's first line.
exec "$bin" sweep "$experiment" --scale "$scale" --shard "$k/$n" \
  --workers "${SLURM_CPUS_PER_TASK:-1}" --out "$results/$experiment/shards/$k" --resume
