#!/usr/bin/env bash
# A real SLURM run of examples/slurm-array.sh on this machine, as CI does it (run as root):
#  1. install Debian's slurmctld, slurmd, slurm-client and munge if they are missing;
#  2. write a single-node cluster into a temporary directory (slurm.conf with no cgroups:
#     proctrack/linuxproc, task/none; CPUs from nproc; its own munge key and socket);
#  3. start munged, slurmctld and slurmd directly (no systemd), wait for the node to be idle;
#  4. submit the example as an array of 3 tasks on a small experiment, wait (bounded);
#  5. merge the shards with `shadowbench merge` and compare records.jsonl byte for byte with the
#     same experiment swept on one machine;
#  6. stop the daemons it started (by their pid files) and remove the directory, also on failure.
# Usage: scripts/slurm-check.sh [EXPERIMENT [SCALE]]   (default: log-growth default)
# Environment: SLURM_CHECK_TIMEOUT (seconds to wait for the job, default 900),
#   SLURM_CHECK_KEEP=1 keeps the temporary directory (logs, shards) for a look after a failure.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
experiment=${1:-log-growth}
scale=${2:-default}
timeout=${SLURM_CHECK_TIMEOUT:-900}
log() { echo "slurm-check: $*" >&2; }
die() { log "FAIL: $*"; exit 1; }

if [[ $(id -u) -ne 0 ]]; then die "run as root (it installs packages and starts the daemons as root)"; fi

# 1. Packages. A fresh CI machine may not have fetched the package lists yet; wait for a dpkg
#    lock another installer holds rather than failing.
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  log "installing slurmctld slurmd slurm-client munge"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null
fi
[[ -x $repo/bin/shadowbench.js && -f $repo/dist/src/cli/main.js ]] || die "build the repository first (npm ci; npx tsc -p .)"

# 2. The cluster lives in one directory; nothing in /etc is touched.
dir=$(mktemp -d /tmp/slurm-check.XXXXXX)
chmod 755 "$dir"
job=
cleanup() {
  local rc=$?
  # Jobs first: their slurmstepd processes outlive slurmd, so cancel them and wait a little.
  if [[ -n ${job:-} ]] && squeue -h -j "$job" 2>/dev/null | grep -q .; then
    scancel "$job" 2>/dev/null || true
    for _ in $(seq 30); do squeue -h -j "$job" 2>/dev/null | grep -q . || break; sleep 1; done
  fi
  for f in "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munged.pid"; do
    [[ -s $f ]] || continue
    local pid; pid=$(cat "$f")
    if kill "$pid" 2>/dev/null; then
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  if [[ $rc -ne 0 ]]; then
    for f in slurmctld.log slurmd.log; do [[ -f $dir/$f ]] && { log "--- tail of $f"; tail -n 20 "$dir/$f" >&2; }; done
    for f in "$dir"/work/*.log; do [[ -f $f ]] && { log "--- $f"; tail -n 20 "$f" >&2; }; done
  fi
  if [[ ${SLURM_CHECK_KEEP:-0} == 1 ]]; then log "kept $dir"; else rm -rf "$dir"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

host=$(hostname -s)
cpus=$(nproc)
# slurmd drains a node that reports less memory than slurm.conf gives it: leave some headroom.
mem=$(awk '/^MemTotal:/ { print int($2 / 1024 * 0.9) }' /proc/meminfo)
# Ports: free ones near SLURM's defaults, so a cluster already on this machine is not disturbed.
free_port() { local p=$1; while (echo >/dev/tcp/127.0.0.1/$p) 2>/dev/null; do p=$((p + 1)); done; echo $p; }
ctld_port=$(free_port 16817)
slurmd_port=$(free_port $((ctld_port + 1)))
mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/work"
chmod 700 "$dir/munge"

cat > "$dir/slurm.conf" <<EOF
ClusterName=shadowbench-check
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
MailProg=/bin/true
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=check Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$dir/slurm.conf

# 3. Daemons. munged wants a key only root can read; --force lets it start although the
#    temporary directory's parents are writable by others (/tmp).
mungekey --create --keyfile="$dir/munge/munge.key" --bits=1024 2>/dev/null || dd if=/dev/urandom of="$dir/munge/munge.key" bs=1 count=1024 2>/dev/null
chmod 400 "$dir/munge/munge.key"
munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
  --pid-file="$dir/munged.pid" --log-file="$dir/munged.log" --seed-file="$dir/munge/munged.seed"
slurmctld -f "$dir/slurm.conf" -c -i
slurmd -f "$dir/slurm.conf" -N "$host"
log "cluster: node $host, $cpus CPUs, ${mem} MB, controller port $ctld_port, in $dir"
for i in $(seq 60); do
  state=$(sinfo -h -n "$host" -o %T 2>/dev/null || true)
  [[ $state == idle ]] && break
  sleep 1
done
[[ $state == idle ]] || die "node $host is '${state:-unreachable}' after 60 s, not idle"

# 4. The example as written (its #SBATCH lines), 3 tasks, the results kept out of the repository.
export SHADOWBENCH_OUT=$dir/work/results
job=$(cd "$repo" && sbatch --parsable --array=1-3 --output="$dir/work/task-%A_%a.log" examples/slurm-array.sh "$experiment" "$scale")
log "submitted job $job: examples/slurm-array.sh $experiment $scale as 3 array tasks"
t0=$SECONDS
while squeue -h -j "$job" 2>/dev/null | grep -q .; do
  if ((SECONDS - t0 > timeout)); then
    squeue -j "$job" -o '%i %T %r' >&2 || true
    die "job $job still queued or running after $timeout s"
  fi
  # A task that can never start is an error of the example, not something to wait for.
  if squeue -h -j "$job" -o '%r' | grep -Eq 'PartitionConfig|ReqNodeNotAvail|BadConstraints'; then
    squeue -j "$job" -o '%i %T %r' >&2
    die "job $job cannot start on this node"
  fi
  sleep 2
done
log "job $job left the queue after $((SECONDS - t0)) s"
for k in 1 2 3; do
  m=$SHADOWBENCH_OUT/$experiment/shards/$k/manifest.json
  [[ -f $m ]] && grep -q '"status": *"complete"' "$m" || die "shard $k is not complete (see its log)"
done

# 5. Merge, then the same experiment on one machine, and compare the bytes.
"$repo/bin/shadowbench.js" merge "$SHADOWBENCH_OUT/$experiment"/shards/* --out "$dir/work/merged"
"$repo/bin/shadowbench.js" sweep "$experiment" --scale "$scale" --workers 1 --out "$dir/work/single" 2>/dev/null
cmp "$dir/work/merged/records.jsonl" "$dir/work/single/records.jsonl" || die "merged shards differ from the single-machine sweep"

# Re-submitting a finished task resumes it: it runs nothing and leaves its records as they are.
before=$(md5sum < "$SHADOWBENCH_OUT/$experiment/shards/2/records.jsonl")
again=$(cd "$repo" && sbatch --parsable --wait --array=2 --output="$dir/work/resubmit-%A_%a.log" examples/slurm-array.sh "$experiment" "$scale" 3)
after=$(md5sum < "$SHADOWBENCH_OUT/$experiment/shards/2/records.jsonl")
[[ $before == "$after" ]] || die "re-submitted task 2 (job $again) changed its shard's records"
grep -q '(0 to run)' "$dir"/work/resubmit-*.log || die "re-submitted task 2 (job $again) did not resume its finished shard"
log "OK: $(wc -l < "$dir/work/merged/records.jsonl") records from 3 SLURM shards equal the single-machine sweep byte for byte; a re-submitted task resumed its shard"
