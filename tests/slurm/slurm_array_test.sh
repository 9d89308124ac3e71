#!/usr/bin/env bash
# A real Slurm on loopback (GOTCHAS #10): starts a private munged, slurmctld and slurmd with a temporary config,
# submits packaging/slurm/cprecon-run.sbatch (a 4-task array over a phantom screen + the dependent merge), waits,
# and compares the merged report with an unsharded run's, byte for byte. Stops everything it started.
# Usage: slurm_array_test.sh CPRECON_CLI SOURCE_DIR   (prints SKIP when Slurm/munge are not installed; strict mode fails)
set -euo pipefail
cli="$1"; src="$2"
skip() { echo "SKIP   : $*"; if [ "${CPRECON_REQUIRE_DATA:-0}" != "0" ]; then echo "strict mode: Slurm test cannot be skipped" >&2; exit 1; fi; exit 0; }
for tool in munged mungekey slurmctld slurmd sbatch squeue; do command -v "$tool" >/dev/null || skip "$tool not installed (apt install slurmctld slurmd slurm-client munge)"; done
user="$(id -un)" # the daemons run as whoever runs the test (root on CI; a single-user Slurm otherwise)

t="$(mktemp -d /tmp/cprecon-slurm.XXXXXX)"
pids=()
cleanup() {
  for f in "$t/slurmd.pid" "$t/slurmctld.pid" "$t/munged.pid"; do
    [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
  done
  sleep 1
  for f in "$t/slurmd.pid" "$t/slurmctld.pid" "$t/munged.pid"; do
    [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null || true
  done
  rm -rf "$t"
}
trap cleanup EXIT

# Free ports: two consecutive ones not in use.
port=$((20000 + RANDOM % 20000))
while ss -ltn 2>/dev/null | grep -q ":$port \|:$((port + 1)) "; do port=$((port + 2)); done

mkdir -p "$t/spool/ctld" "$t/spool/d" "$t/munge"
chmod 700 "$t/munge"
mungekey --create --keyfile="$t/munge/munge.key" --force
munged --force --socket="$t/munge/munge.sock" --key-file="$t/munge/munge.key" --pid-file="$t/munged.pid" \
  --log-file="$t/munged.log" --seed-file="$t/munge/seed"
host="$(hostname -s)"
cat > "$t/slurm.conf" <<CONF
ClusterName=cprecontest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$t/munge/munge.sock
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
StateSaveLocation=$t/spool/ctld
SlurmdSpoolDir=$t/spool/d
SlurmctldPidFile=$t/slurmctld.pid
SlurmdPidFile=$t/slurmd.pid
SlurmctldLogFile=$t/slurmctld.log
SlurmdLogFile=$t/slurmd.log
ReturnToService=2
MpiDefault=none
SchedulerType=sched/backfill
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
NodeName=$host NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$t/slurm.conf"
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for i in $(seq 1 60); do
  sinfo -h -o %T 2>/dev/null | grep -q idle && break
  sleep 1
done
sinfo -h -o %T | grep -q idle || { echo "slurm did not come up"; tail -20 "$t/slurmctld.log" "$t/slurmd.log"; exit 1; }

"$cli" phantom --out "$t/phantom" --plates 2 --wells 96 --sites 1 --size 256 --seed 5 --quiet
args=(--screen "$t/phantom" --model bicubic8 --model jpeg:10 --extractor handcrafted --crop 256 --repeats 2 --null-size 2000)
"$cli" run "${args[@]}" --out "$t/single" > "$t/single.log"

export CPRECON_CLI="$cli"
# One CPU per task, so two shards run side by side on this 2-CPU node.
submitted=$(SBATCH_CPUS_PER_TASK=1 bash "$src/packaging/slurm/cprecon-run.sbatch" submit 4 "$t/cluster" "${args[@]}")
echo "$submitted"
merge_job=$(echo "$submitted" | sed -n 's/.*merge: job \([0-9]*\).*/\1/p')
[ -n "$merge_job" ] || { echo "no merge job id in: $submitted"; exit 1; }
for i in $(seq 1 400); do
  squeue -h -j "$merge_job" 2>/dev/null | grep -q . || break
  sleep 1
done
state=$(scontrol show job "$merge_job" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p')
[ "$state" = "COMPLETED" ] || { echo "merge job state: ${state:-unknown}"; cat "$t"/cluster/*.log 2>/dev/null | tail -40; exit 1; }
for i in 0 1 2 3; do
  grep -q "shard done" "$t"/cluster/cprecon-cprecon-*_"$i".log || { echo "shard $i did not finish"; cat "$t"/cluster/*.log; exit 1; }
done
diff -r "$t/single/report" "$t/cluster/merged/report" > "$t/diff.txt" || { echo "merged report differs:"; head -20 "$t/diff.txt"; exit 1; }
n=$(ls "$t/single/report" | wc -l)
[ "$n" -gt 10 ] || { echo "too few report files: $n"; exit 1; }
echo "PASS: 4 Slurm shards + merge = unsharded run, $n report files byte-identical"
